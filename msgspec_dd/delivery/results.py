"""Results as values: the answer to one POST (:class:`Reply`), to one message (:class:`SendResult`).

HTTP 200 with an errcode other than 0 is a failure; a failure always carries DingTalk's errcode
and text (when there was an answer at all) and a plain hint.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from msgspec_dd.dingtalk import errcodes
from msgspec_dd.dingtalk.errcodes import Kind


class Transport(str, enum.Enum):
    """Why a POST got no answer, which decides whether the message may have arrived."""

    #: The request never left: the connection was refused, timed out or the host is unknown.
    #: Nothing was delivered; worth retrying (the robot may be back in a moment).
    UNSENT = "unsent"
    #: The request went out, then a timeout or a reset: the message may or may not have arrived.
    UNCERTAIN = "uncertain"
    #: The URL cannot be requested at all (bad host, port...): fix the webhook; never retried.
    INVALID_URL = "invalid-url"


#: The hint for a POST that may have arrived although no success was seen.
UNCERTAIN_HINT = (
    "no answer from the robot (network error or timeout); the message may or may not "
    "have arrived: with --ledger a re-run reuses its msgUuid, so it is never doubled"
)
_UNSENT_HINT = (
    "could not connect to the robot (connection refused, connect timeout or unknown host) on "
    "every attempt; nothing was delivered: check the webhook URL and the network, then send again"
)
#: The most characters of a server's errmsg kept: a server may answer megabytes.
MAX_ERRMSG = 500


def shorten(text: str, limit: int = MAX_ERRMSG) -> str:
    """``text``, cut to ``limit`` characters ending in ``…`` when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


REDIRECT_HINT = (
    "the webhook answered with a redirect: check the webhook variable points at "
    "https://oapi.dingtalk.com/robot/send?access_token=..."
)
_INVALID_URL_HINT = (
    "the webhook URL cannot be requested (its host or port is not valid); nothing was sent: "
    "check the webhook variable (https://oapi.dingtalk.com/robot/send?access_token=...)"
)


@dataclass(frozen=True)
class Reply:
    """What one POST came back with.

    ``error`` is set (already redacted) when no answer arrived; ``transport`` then says whether
    the request left at all (None counts as :attr:`Transport.UNCERTAIN`, the safe reading).
    ``errcode`` is None when there was no DingTalk JSON answer.
    """

    at: float
    errcode: int | None = None
    errmsg: str = ""
    http_status: int | None = None
    error: str | None = None
    transport: Transport | None = None

    @property
    def failure(self) -> Transport | None:
        """For a POST without an answer, why; None when an answer came."""
        if self.error is None:
            return None
        return self.transport or Transport.UNCERTAIN

    @property
    def kind(self) -> Kind:
        """What this reply means for delivery."""
        if self.failure is Transport.INVALID_URL:
            return Kind.PERMANENT
        if self.error is not None or (self.http_status or 0) >= 500:
            return Kind.RETRYABLE
        if self.errcode is None:
            return Kind.PERMANENT
        return errcodes.classify(self.errcode, self.errmsg)

    @property
    def posted(self) -> bool:
        """False when the request certainly never reached the robot (so it counts for no rate)."""
        return self.failure not in (Transport.UNSENT, Transport.INVALID_URL)

    @property
    def uncertain(self) -> bool:
        """True when the message may have arrived although no success was seen."""
        return self.kind is Kind.RETRYABLE and self.posted

    @property
    def hint(self) -> str:
        """A plain-language likely cause."""
        failure = self.failure
        if failure is Transport.INVALID_URL:
            return _INVALID_URL_HINT
        if failure is Transport.UNSENT:
            return _UNSENT_HINT
        if failure is Transport.UNCERTAIN:
            return UNCERTAIN_HINT
        if self.errcode is not None:
            return errcodes.hint(self.errcode, self.errmsg)
        if 300 <= (self.http_status or 0) < 400:
            return REDIRECT_HINT  # DingTalk never redirects; the redirect was not followed
        if (self.http_status or 0) >= 500:
            return "the robot's server failed (HTTP 5xx) on every attempt: try again later"
        return (
            f"HTTP {self.http_status} without a DingTalk answer: check that the webhook variable "
            "points at a DingTalk robot (https://oapi.dingtalk.com/robot/send?access_token=...)"
        )

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
    file, when the message came from one.
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
        }
