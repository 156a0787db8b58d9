"""The app robot API's errors: what each one means for delivery, and a plain hint.

Unlike the webhook, the ``/v1.0`` API fails with an HTTP 4xx/5xx status and a body
``{"code": "...", "message": "...", "requestid": "..."}``. Decisions key on the HTTP status and
``code`` (DINGTALK.md, "Enterprise app robots"), and users always see DingTalk's own text next to
the hint. The verdicts reuse the webhook's :class:`~msgspec_dd.dingtalk.errcodes.Kind`, with
``RESIGN`` meaning "fetch a new access token and try once more" (the app API's counterpart of
signing afresh) and ``RATE_LIMITED`` meaning back off and retry. A code not listed is final.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from msgspec_dd.dingtalk.errcodes import Kind

#: Fetch a new access token and retry once: the app API's counterpart of re-signing.
REFRESH_TOKEN = Kind.RESIGN

_RATE_CODES = frozenset({"send.too.fast", "send.byToken.tooFast", "system.busy"})
_RATE_PREFIXES = ("too.many.",)
_RATE_WORDS = ("QpsLimit", "QpmLimit")
_AUTH_CODES = frozenset({"InvalidAuthentication"})

_RATE_HINT = ("rate-limited by DingTalk's app API: back off and send again (with --ledger only what "
              "was not sent goes out)")
_AUTH_HINT = ("the access token was refused even after fetching a new one: check the app key and "
              "secret variables and that the app is still enabled")
_TRANSIENT_HINT = "DingTalk's API failed on its side and kept failing through every retry: try again later"
_UNKNOWN_HINT = "an error code msgspec-dd does not know: DingTalk's text says more; not retried"

#: Final errors, by exact code or by a prefix ending in "." (first match wins).
_FINAL_HINTS: tuple[tuple[str, str], ...] = (
    ("Forbidden.AccessDenied.AccessTokenPermissionDenied",
     "the app lacks a permission{scope}: add it to the app in the DingTalk developer console "
     "(robots need qyapi_robot_sendmsg) and publish a new version"),
    ("Forbidden.AccessDenied.IpNotInWhiteList",
     "this machine's IP address is not in the app's allow-list: add it in the developer console"),
    ("invalidClientIdOrSecret",
     "wrong app key or secret: check the app_key_env and app_secret_env variables against the app's "
     "Client ID and Client Secret in the developer console"),
    ("invalidParameter.robotCode.",
     "the robot code is wrong or not this app's, or the robot is not in the group: check robot_code "
     "in msgspec-dd.yaml (for an internal app robot it is the app's AppKey) and add the robot to the group"),
    ("invalid.openConversationId",
     "the group id is wrong: check conversation in msgspec-dd.yaml (the group's openConversationId, cid...==)"),
    ("group.disbanded", "the group was dissolved: remove this robot from msgspec-dd.yaml"),
    ("bot.stopped", "the robot is stopped: enable it again in the developer console or the group settings"),
    ("invalidParameter.msgParam.tooLong",
     "the message is over the app API's 15,000-byte msgParam limit: shorten it or split it"),
    ("invalidParameter.msgParam.",
     "DingTalk refused the message's parameters: run lint on the message for this robot"),
    ("invalidParameter.msgKey.", "DingTalk does not know the message template: run lint on the message"),
    ("send.forbidden", "the robot may not send to this group: check the group's robot settings"),
    ("contain.unsafe.url", "DingTalk's content check refused an unsafe link: change the message"),
    ("contain.notAllowed.", "DingTalk's content check refused the message: change the message"),
    ("processQueryKey.expireTime",
     "the read status is not ready yet or has expired: ask again later (it is kept for a limited time)"),
)


@dataclass(frozen=True)
class AppError:
    """One failed answer from the app API, classified: never holds a token or secret."""

    status: int
    code: str
    message: str
    request_id: str
    kind: Kind
    hint: str


def classify(status: int, code: str) -> Kind:
    """What an answer with HTTP ``status`` and error ``code`` means for delivery."""
    if 200 <= status < 300 and not code:
        return Kind.OK
    if status == 429 or code in _RATE_CODES or code.startswith(_RATE_PREFIXES):
        return Kind.RATE_LIMITED
    if status == 403 and any(word in code for word in _RATE_WORDS):
        return Kind.RATE_LIMITED
    if status == 401 or code in _AUTH_CODES:
        return REFRESH_TOKEN
    if status >= 500 or code == "system.error":
        return Kind.RETRYABLE
    return Kind.PERMANENT


def hint(status: int, code: str, body: Mapping[str, Any] | None = None) -> str:
    """A plain-language likely cause for the answer and what to do about it."""
    kind = classify(status, code)
    if kind is Kind.RATE_LIMITED:
        return _RATE_HINT
    if kind is REFRESH_TOKEN:
        return _AUTH_HINT
    if kind is Kind.RETRYABLE:
        return _TRANSIENT_HINT
    for prefix, advice in _FINAL_HINTS:
        if code == prefix or (prefix.endswith(".") and code.startswith(prefix)):
            return advice.format(scope=_scope(body or {}))
    return _UNKNOWN_HINT


def app_error(status: int, body: Any) -> AppError:
    """The classified error for an answer with HTTP ``status`` and JSON ``body`` (any shape)."""
    fields = body if isinstance(body, Mapping) else {}
    code = _text(fields.get("code"))
    if not code and not 200 <= status < 300:
        code = f"HTTP {status}"
    return AppError(status, code, _text(fields.get("message")), _text(fields.get("requestid")),
                    classify(status, code), hint(status, code, fields))


def required_scopes(body: Mapping[str, Any]) -> list[str]:
    """The permissions a ``…AccessTokenPermissionDenied`` answer says are missing."""
    detail = body.get("accessdenieddetail")
    scopes = detail.get("requiredScopes") if isinstance(detail, Mapping) else None
    return [str(scope) for scope in scopes] if isinstance(scopes, list) else []


def _scope(body: Mapping[str, Any]) -> str:
    scopes = required_scopes(body)
    return f" ({', '.join(scopes)})" if scopes else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
