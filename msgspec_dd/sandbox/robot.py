"""The sandbox robot: its answer to one ``/robot/send`` request, independent of HTTP.

Checks run in this order: access token; rate limit and lock (every request with the robot's
token counts on arrival, whatever its outcome, which is the strictest reading for a client);
Content-Type; signature and timestamp; body size; JSON and schema; keywords; ``msgUuid``
de-duplication (a repeat answers errcode 0 and stores nothing); then the message is kept.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
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


class SandboxRobot:
    """The DingTalk robot the sandbox stands in for: its token and settings, rate window, lock,
    remembered msgUuids and messages, and the answer it gives to each request.

    (Not to be confused with :class:`msgspec_dd.delivery.robot.Robot`, the client that posts to
    a robot, real or sandbox.)
    """

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

    def receive(self, query: Mapping[str, Sequence[str]], content_type: str, raw: bytes) -> Answer:
        """The answer to a POST with this query, Content-Type and body."""
        answer = self._decide(query, content_type, raw)
        if answer.msgtype is None:  # said in the log even when the body was never checked
            return replace(answer, msgtype=_peek_msgtype(raw))
        return answer

    def _decide(self, query: Mapping[str, Sequence[str]], content_type: str, raw: bytes) -> Answer:
        with self._lock:
            now = self.settings.clock()
            refused = check_token(query, self.token) or self._limiter.arrive(now)
            if refused is not None:
                return refused
            return self._accept(query, content_type, raw, now)

    def _accept(
        self, query: Mapping[str, Sequence[str]], content_type: str, raw: bytes, now: float
    ) -> Answer:
        if content_type.split(";")[0].strip().lower() != "application/json":
            return answers.BAD_CONTENT_TYPE
        if self.settings.secret is not None:
            refused = check_signature(query, self.settings.secret, int(now * 1000))
            if refused is not None:
                return refused
        checked = self._checker.check(raw)
        if isinstance(checked, Answer):
            return checked
        msgtype = str(checked["msgtype"])
        if not contains_keyword(checked, self.settings.keywords):
            return replace(answers.KEYWORDS_NOT_IN_CONTENT, msgtype=msgtype)
        uuid = checked.get("msgUuid")
        if isinstance(uuid, str) and self._remembers(uuid, now):
            return replace(answers.OK, msgtype=msgtype, duplicate=True)
        stored = self.store.add(checked, now)  # first: a failed write must not mark it as seen
        if isinstance(uuid, str):
            self._seen[uuid] = now
        return replace(answers.OK, msgtype=msgtype, stored=stored)

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
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    msgtype = payload.get("msgtype") if isinstance(payload, dict) else None
    return msgtype[:40] if isinstance(msgtype, str) else None
