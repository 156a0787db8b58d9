"""Outcomes as values: a reply from a robot (:class:`Reply`), the result of one send (:class:`SendResult`).

A transport turns whatever came back from one request into a :class:`Reply`, deciding there
what it means (its :class:`~msgspec_dd.dingtalk.errcodes.Kind`) and its hint; everything after
(retries, pacing, the ledger, result lines) reads only the reply, never HTTP or errcodes, so a
new kind of robot needs only a new transport. HTTP 200 with an errcode other than 0 is a
failure; a failure always carries DingTalk's errcode and text (when there was an answer at all)
and a plain hint.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from msgspec_dd.dingtalk.errcodes import Cause, Kind

#: The most characters of a server's errmsg kept: a server may answer megabytes.
MAX_ERRMSG = 500


def shorten(text: str, limit: int = MAX_ERRMSG) -> str:
    """``text``, cut to ``limit`` characters ending in ``…`` when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Reply:
    """What one request to a robot came back with, already judged by its transport.

    ``kind`` says what it means for delivery, ``hint`` what to tell the user should it be the
    last. ``error`` is set (already redacted) when no answer arrived, and ``no_answer`` then
    says whether the request left at all. ``errcode`` is None when there was no DingTalk
    answer. ``message_id`` is what a robot that names its messages returned (an app robot's
    processQueryKey); webhooks return none.
    """

    at: float
    kind: Kind
    errcode: int | None = None
    errmsg: str = ""
    http_status: int | None = None
    hint: str = ""
    error: str | None = None
    #: Why no answer came (:attr:`Cause.UNSENT`, :attr:`Cause.UNCERTAIN` or :attr:`Cause.INVALID_URL`).
    no_answer: Cause | None = None
    message_id: str | None = None

    @property
    def posted(self) -> bool:
        """False when the request certainly never reached the robot (so it counts for no rate)."""
        return self.no_answer not in (Cause.UNSENT, Cause.INVALID_URL)

    @property
    def uncertain(self) -> bool:
        """True when the message may have arrived although no success was seen."""
        return self.kind is Kind.RETRYABLE and self.posted

    def describe(self) -> str:
        """DingTalk's answer in a few words: ``errcode 310000 (keywords not in content)``."""
        if self.error is not None:
            return self.error
        if self.errcode is not None:
            return f"errcode {self.errcode} ({self.errmsg})"
        return f"HTTP {self.http_status} {self.errmsg}".rstrip()


class Status(str, enum.Enum):
    """The outcome of one message to one robot."""

    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class SendResult:
    """The outcome of one message to one robot.

    ``detail`` is what went wrong in a few words (DingTalk's errcode and text, a network error,
    or why it was not sent); ``hint`` the likely cause and what to do. ``path`` is the message
    file, when the message came from one; ``message_id`` what the robot named the message by,
    for robots that do (see :attr:`Reply.message_id`).
    """

    robot: str
    status: Status
    msg_uuid: str
    errcode: int | None = None
    errmsg: str = ""
    detail: str = ""
    hint: str = ""
    attempts: int = 0
    path: str | None = None
    message_id: str | None = None

    @property
    def ok(self) -> bool:
        """True when the message is in the group (sent now or before)."""
        return self.status is not Status.FAILED

    def describe(self) -> str:
        """``sent``, ``skipped (already sent)`` or ``failed: <detail>; hint: <hint>``."""
        if self.status is Status.SENT:
            return "sent"
        if self.status is Status.SKIPPED:
            return "skipped (already sent)"
        return f"failed: {self.detail}; hint: {self.hint}"

    def format(self) -> str:
        """One result line: ``path -> robot: sent``."""
        where = f"{self.path} -> {self.robot}" if self.path else self.robot
        return f"{where}: {self.describe()}"

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON object (for ``--format json``)."""
        return {
            "path": self.path,
            "robot": self.robot,
            "status": self.status.value,
            "msgUuid": self.msg_uuid,
            "errcode": self.errcode,
            "errmsg": self.errmsg,
            "detail": self.detail,
            "hint": self.hint,
            "attempts": self.attempts,
            **({"messageId": self.message_id} if self.message_id is not None else {}),
        }
