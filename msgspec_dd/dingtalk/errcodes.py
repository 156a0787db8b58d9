"""DingTalk's ``/robot/send`` errcodes: what each one means for delivery, and a plain hint.

DingTalk answers every failure but transport with HTTP 200 and ``{"errcode": N, "errmsg": ...}``.
The table of codes has changed over the years, so decisions key on ``errcode`` (and, for 310000,
on words in ``errmsg``), and users always see DingTalk's own text next to the hint. A code not
listed here is permanent: it is shown, never retried.
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


_TOKEN_HINT = (
    "the access token is not valid: check that the webhook variable holds the robot's current "
    "webhook URL or token (the robot may have been removed)"
)
_CONTENT_HINT = "DingTalk's content check refused the message ({what}): change the message"

_HINTS: dict[int, str] = {
    BUSY: "DingTalk was busy and stayed busy through every retry: try again in a few minutes",
    TOO_FAST: (
        "sent too fast: DingTalk locks the robot for about 10 minutes; send again after that "
        "(with --ledger only what was not sent goes out)"
    ),
    THROTTLED: (
        "rate-limited: DingTalk locks the robot for about 10 minutes; send again after that "
        "(with --ledger only what was not sent goes out)"
    ),
    300001: _TOKEN_HINT,
    300005: _TOKEN_HINT + "; external groups do not accept custom robots",
    400101: _TOKEN_HINT,
    400013: "the group was dissolved: remove this robot from msgspec-dd.yaml",
    400102: "the robot is disabled: a group admin must enable it again in the group settings",
    400105: "unsupported msgtype: use text, link, markdown, actionCard or feedCard",
    400106: "the robot does not exist: check the webhook variable (was the robot removed?)",
    430101: _CONTENT_HINT.format(what="an unsafe external link"),
    430102: _CONTENT_HINT.format(what="inappropriate text"),
    430103: _CONTENT_HINT.format(what="an inappropriate image"),
    430104: _CONTENT_HINT.format(what="inappropriate content"),
    460101: "the message is over 20,000 bytes (UTF-8): shorten it or split it into several",
    40035: "a required parameter is missing or invalid (see DingTalk's text): check the webhook "
    "URL and run lint on the message",
}

_KEYWORD_HINT = (
    "the message contains none of the robot's custom keywords: add one to its text (list them "
    "under keywords: in msgspec-dd.yaml so lint checks them)"
)
_CLOCK_HINT = (
    "clock skew: the request's timestamp is more than an hour off DingTalk's clock; synchronise "
    "this machine's clock (NTP)"
)
_SECRET_HINT = (
    "wrong secret: the signature does not match; check that the secret variable holds this "
    "robot's SEC... secret (加签) and that the robot has signing turned on"
)
_IP_HINT = (
    "IP allow-list: this machine's address is not in the robot's allowed IP addresses; add it in "
    "the robot's security settings"
)
#: 310000 covers several checks; the words in DingTalk's text tell which (first match wins).
_SECURITY_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("keyword", "关键词"), _KEYWORD_HINT),
    (("timestamp", "过期"), _CLOCK_HINT),
    (("sign", "签名"), _SECRET_HINT),
    (("whitelist", "白名单", "ip "), _IP_HINT),
)
_SECURITY_FALLBACK = (
    "a security setting refused the message (keywords, signing or IP allow-list): check the "
    "robot's security settings"
)
_UNKNOWN_HINT = "an errcode msgspec-dd does not know: DingTalk's text says more; not retried"


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


def hint(errcode: int, errmsg: str) -> str:
    """A plain-language likely cause for ``errcode`` and what to do about it."""
    if errcode == SECURITY:
        return _security_hint(errmsg)
    return _HINTS.get(errcode, _UNKNOWN_HINT)


def is_signature_refusal(errcode: int, errmsg: str) -> bool:
    """True when DingTalk refused the signature or its timestamp (310000 about 加签)."""
    return errcode == SECURITY and _security_hint(errmsg) in (_SECRET_HINT, _CLOCK_HINT)


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


def _security_hint(errmsg: str) -> str:
    text = errmsg.lower()
    for words, advice in _SECURITY_HINTS:
        if any(word in text for word in words):
            return advice
    return _SECURITY_FALLBACK
