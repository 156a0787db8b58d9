"""The sandbox robot's decision for one ``/robot/send`` request, independent of HTTP.

Checks run in this order: access token; rate limit and lock (every request with the robot's
token counts on arrival, whatever its outcome, which is the strictest reading for a client);
Content-Type; signature and timestamp; body size; JSON and schema; keywords; ``msgUuid``
de-duplication (a repeat answers errcode 0 and stores nothing); then the message is kept.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from msgspec_dd.dingtalk.keywords import contains_keyword
from msgspec_dd.dingtalk.wire import MAX_BODY_BYTES
from msgspec_dd.sandbox import answers
from msgspec_dd.sandbox.answers import Answer
from msgspec_dd.sandbox.payload import PayloadChecker
from msgspec_dd.sandbox.ratelimit import RateLimiter
from msgspec_dd.sandbox.security import check_signature, check_token
from msgspec_dd.sandbox.settings import SandboxSettings
from msgspec_dd.sandbox.store import MessageStore


@dataclass(frozen=True)
class Outcome:
    """The answer to one request, with what the log may say about it (never credentials)."""

    answer: Answer
    msgtype: str | None = None
    stored: dict[str, Any] | None = None  # the new record, when the message was kept
    duplicate: bool = False


class Robot:
    """One DingTalk robot's state: rate window, lock, remembered msgUuids and messages."""

    def __init__(self, settings: SandboxSettings, token: str) -> None:
        self.settings = settings
        self.token = token
        self.store = MessageStore(settings.store)
        self._limiter = RateLimiter(settings.rate_count, settings.rate_seconds, settings.lock_seconds)
        self._checker = PayloadChecker()
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        for record in self.store.records():
            if isinstance(record.get("msgUuid"), str):
                self._seen[record["msgUuid"]] = float(record.get("received_at", 0.0))

    def receive(self, query: Mapping[str, Sequence[str]], content_type: str, raw: bytes) -> Outcome:
        """Decide the answer to a POST with this query, Content-Type and body."""
        outcome = self._decide(query, content_type, raw)
        if outcome.msgtype is None:  # said in the log even when the body was never checked
            return replace(outcome, msgtype=_peek_msgtype(raw))
        return outcome

    def _decide(self, query: Mapping[str, Sequence[str]], content_type: str, raw: bytes) -> Outcome:
        with self._lock:
            now = self.settings.clock()
            refused = check_token(query, self.token)
            if refused is not None:
                return Outcome(refused)
            verdict = self._limiter.arrive(now)
            if verdict.locked:
                return Outcome(answers.LOCKED)
            if verdict.tripped:
                return Outcome(answers.too_fast(self.settings.rate_count, self.settings.rate_seconds))
            return self._accept(query, content_type, raw, now)

    def _accept(
        self, query: Mapping[str, Sequence[str]], content_type: str, raw: bytes, now: float
    ) -> Outcome:
        if content_type.split(";")[0].strip().lower() != "application/json":
            return Outcome(answers.BAD_CONTENT_TYPE)
        if self.settings.secret is not None:
            refused = check_signature(query, self.settings.secret, int(now * 1000))
            if refused is not None:
                return Outcome(refused)
        checked = self._checker.check(raw)
        if isinstance(checked, Answer):
            return Outcome(checked)
        msgtype = str(checked["msgtype"])
        if not contains_keyword(checked, self.settings.keywords):
            return Outcome(answers.KEYWORDS_NOT_IN_CONTENT, msgtype)
        uuid = checked.get("msgUuid")
        if isinstance(uuid, str) and self._remembers(uuid, now):
            return Outcome(answers.OK, msgtype, duplicate=True)
        stored = self.store.add(checked, now)  # first: a failed write must not mark it as seen
        if isinstance(uuid, str):
            self._seen[uuid] = now
        return Outcome(answers.OK, msgtype, stored=stored)

    def _remembers(self, uuid: str, now: float) -> bool:
        seen = self._seen.get(uuid)
        return seen is not None and now - seen < self.settings.dedupe_seconds

    def records(self, since: int = 0) -> list[dict[str, Any]]:
        """Copies of the accepted messages' records with an id above ``since``."""
        with self._lock:
            return self.store.records(since)

    def close(self) -> None:
        """Close the store's file; the robot answers nothing more that needs it."""
        with self._lock:
            self.store.close()

    def reset(self) -> None:
        """Forget messages (in the store file too), remembered msgUuids, rate window and lock."""
        with self._lock:
            self.store.clear()
            self._seen.clear()
            self._limiter.reset()


def _peek_msgtype(raw: bytes) -> str | None:
    """The msgtype of a rejected body, for the log, when it has a readable one."""
    try:
        payload = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_BODY_BYTES else None
    except (UnicodeDecodeError, ValueError):
        return None
    msgtype = payload.get("msgtype") if isinstance(payload, dict) else None
    return msgtype[:40] if isinstance(msgtype, str) else None
