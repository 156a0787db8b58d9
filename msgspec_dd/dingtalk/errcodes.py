"""DingTalk's ``/robot/send`` errcodes: what each one means for delivery, and every hint.

DingTalk answers every failure but transport with HTTP 200 and ``{"errcode": N, "errmsg": ...}``.
The table of codes has changed over the years, so decisions key on ``errcode`` (and, for 310000,
on words in ``errmsg``), and users always see DingTalk's own text next to the hint. A code not
listed here is permanent: it is shown, never retried.

:data:`HINTS` is the one table of what a failed send tells its user: keyed by errcode, by the
check behind a 310000 (:class:`Security`), or by a :class:`Cause` for failures that carry no
errcode at all (no answer, a redirect, a wait longer than allowed).
"""

from __future__ import annotations

import enum

OK = 0
BUSY = -1
SECURITY = 310000
TOO_FAST = 130101
THROTTLED = 410100
RATE_LIMITED_CODES = frozenset({TOO_FAST, THROTTLED})


class Kind(str, enum.Enum):
    """What a reply means for delivery."""

    OK = "ok"
    #: Transient (busy, 5xx, network): try again after a backoff, with the same msgUuid.
    RETRYABLE = "retryable"
    #: The robot is locked for about ten minutes: try again after the lock lifts.
    RATE_LIMITED = "rate-limited"
    #: The timestamp was refused (clock skew or a stale signature): sign afresh, try once more.
    RESIGN = "re-sign"
    #: Fix something first: never retried.
    PERMANENT = "permanent"


class Security(str, enum.Enum):
    """Which of a robot's security checks a 310000 answer is about, from DingTalk's words."""

    KEYWORDS = "keywords"
    TIMESTAMP = "timestamp"
    SIGNATURE = "signature"
    IP = "ip"
    OTHER = "other"


class Cause(str, enum.Enum):
    """Why a message did not get through when no errcode says why."""

    #: The request never left (connection refused, connect timeout, unknown host).
    UNSENT = "unsent"
    #: The request went out and no answer came (read timeout, reset): it may have arrived.
    UNCERTAIN = "uncertain"
    #: The webhook URL cannot be requested at all.
    INVALID_URL = "invalid-url"
    #: The server answered with a redirect (DingTalk never does; not followed).
    REDIRECT = "redirect"
    #: HTTP 5xx on every attempt.
    SERVER_ERROR = "server-error"
    #: An HTTP answer that is not DingTalk's JSON.
    NOT_DINGTALK = "not-dingtalk"
    #: A body DingTalk would refuse (schema or size): never posted.
    INVALID_BODY = "invalid-body"
    #: Pacing to the robot's rate would wait longer than allowed.
    PACED_OUT = "paced-out"
    #: A robot's rate-limit lock lasts longer than the wait allowed.
    LOCKED = "locked"
    #: An errcode this table does not know.
    UNKNOWN = "unknown"


_TOKEN = (
    "the access token is not valid: check that the webhook variable holds the robot's current "
    "webhook URL or token (the robot may have been removed)"
)
_CONTENT = "DingTalk's content check refused the message ({what}): change the message"
_LOCK = ("DingTalk locks the robot for about 10 minutes; send again after that (with --ledger "
         "only what was not sent goes out)")
_WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=..."

#: Every hint a failed send can carry.
HINTS: dict[int | Security | Cause, str] = {
    BUSY: "DingTalk was busy and stayed busy through every retry: try again in a few minutes",
    TOO_FAST: "sent too fast: " + _LOCK,
    THROTTLED: "rate-limited: " + _LOCK,
    300001: _TOKEN,
    300005: _TOKEN + "; external groups do not accept custom robots",
    400101: _TOKEN,
    400013: "the group was dissolved: remove this robot from msgspec-dd.yaml",
    400102: "the robot is disabled: a group admin must enable it again in the group settings",
    400105: "unsupported msgtype: use text, link, markdown, actionCard or feedCard",
    400106: "the robot does not exist: check the webhook variable (was the robot removed?)",
    430101: _CONTENT.format(what="an unsafe external link"),
    430102: _CONTENT.format(what="inappropriate text"),
    430103: _CONTENT.format(what="an inappropriate image"),
    430104: _CONTENT.format(what="inappropriate content"),
    460101: "the message is over 20,000 bytes (UTF-8): shorten it or split it into several",
    40035: "a required parameter is missing or invalid (see DingTalk's text): check the webhook "
    "URL and run lint on the message",
    Security.KEYWORDS: (
        "the message contains none of the robot's custom keywords: add one to its text (list "
        "them under keywords: in msgspec-dd.yaml so lint checks them)"
    ),
    Security.TIMESTAMP: (
        "clock skew: the request's timestamp is more than an hour off DingTalk's clock; "
        "synchronise this machine's clock (NTP)"
    ),
    Security.SIGNATURE: (
        "wrong secret: the signature does not match; check that the secret variable holds this "
        "robot's SEC... secret (加签) and that the robot has signing turned on"
    ),
    Security.IP: (
        "IP allow-list: this machine's address is not in the robot's allowed IP addresses; add "
        "it in the robot's security settings"
    ),
    Security.OTHER: (
        "a security setting refused the message (keywords, signing or IP allow-list): check the "
        "robot's security settings"
    ),
    Cause.UNSENT: (
        "could not connect to the robot (connection refused, connect timeout or unknown host) "
        "on every attempt; nothing was delivered: check the webhook URL and the network, then "
        "send again"
    ),
    Cause.UNCERTAIN: (
        "no answer from the robot (network error or timeout); the message may or may not "
        "have arrived: with --ledger a re-run reuses its msgUuid, so it is never doubled"
    ),
    Cause.INVALID_URL: (
        "the webhook URL cannot be requested (its host or port is not valid); nothing was "
        f"sent: check the webhook variable ({_WEBHOOK})"
    ),
    Cause.REDIRECT: (
        f"the webhook answered with a redirect: check the webhook variable points at {_WEBHOOK}"
    ),
    Cause.SERVER_ERROR: "the robot's server failed (HTTP 5xx) on every attempt: try again later",
    Cause.NOT_DINGTALK: (
        "HTTP {status} without a DingTalk answer: check that the webhook variable points at a "
        f"DingTalk robot ({_WEBHOOK})"
    ),
    Cause.INVALID_BODY: "fix the body (msgspec-dd schema MSGTYPE prints what DingTalk accepts)",
    Cause.PACED_OUT: (
        "raise --max-wait, or send fewer messages at once (DingTalk suggests merging many "
        "alerts into one markdown summary)"
    ),
    Cause.LOCKED: "sent too fast: " + _LOCK,
    Cause.UNKNOWN: "an errcode msgspec-dd does not know: DingTalk's text says more; not retried",
}

#: 310000 covers several checks; the words in DingTalk's text tell which (first match wins).
_SECURITY_WORDS: tuple[tuple[tuple[str, ...], Security], ...] = (
    (("keyword", "关键词"), Security.KEYWORDS),
    (("timestamp", "过期"), Security.TIMESTAMP),
    (("sign", "签名"), Security.SIGNATURE),
    (("whitelist", "白名单", "ip "), Security.IP),
)


def is_stale_timestamp(errmsg: str) -> bool:
    """True when a 310000 text says the timestamp is invalid or the signature expired."""
    return "timestamp" in errmsg.lower() or "过期" in errmsg


def classify(errcode: int, errmsg: str) -> Kind:
    """What ``errcode`` (with DingTalk's ``errmsg``) means for delivery."""
    if errcode == OK:
        return Kind.OK
    if errcode == BUSY:
        return Kind.RETRYABLE
    if errcode in RATE_LIMITED_CODES:
        return Kind.RATE_LIMITED
    if errcode == SECURITY and is_stale_timestamp(errmsg):
        return Kind.RESIGN
    return Kind.PERMANENT


def security_check(errmsg: str) -> Security:
    """Which security check a 310000 answer with this text is about."""
    text = errmsg.lower()
    for words, check in _SECURITY_WORDS:
        if any(word in text for word in words):
            return check
    return Security.OTHER


def hint(errcode: int, errmsg: str) -> str:
    """A plain-language likely cause for ``errcode`` and what to do about it."""
    if errcode == SECURITY:
        return HINTS[security_check(errmsg)]
    return HINTS.get(errcode, HINTS[Cause.UNKNOWN])


def is_signature_refusal(errcode: int, errmsg: str) -> bool:
    """True when DingTalk refused the signature or its timestamp (310000 about 加签)."""
    return errcode == SECURITY and security_check(errmsg) in (Security.SIGNATURE,
                                                               Security.TIMESTAMP)


def unsigned_hint(secret_env: str | None) -> str:
    """The hint for a signature refusal of a request sent without a secret.

    ``secret_env`` names the environment variable that was to hold the secret, when known.
    """
    if secret_env:
        missing = f"environment variable {secret_env} is not set"
        fix = f"set {secret_env} to the robot's SEC... secret (加签)"
    else:
        missing = "no secret was given"
        fix = "give the robot its SEC... secret (加签)"
    return f"the robot requires a signature but {missing}, so the request was not signed: {fix}"
