"""The sandbox's enterprise app robot API: tokens, group send, recall and read status.

Serves DingTalk's ``/v1.0`` routes with their field names, error codes and HTTP statuses
(DINGTALK.md, "Enterprise app robots"): ``POST /v1.0/oauth2/accessToken``,
``/v1.0/robot/groupMessages/send``, ``…/recall`` and ``…/query``, plus the test hooks
``POST /_sandbox/read`` ``{processQueryKey, userIds}`` (mark a message read) and
``POST /_sandbox/app-fault`` ``{status, code, message?, count?}`` (answer the next robot calls
with that error) and ``POST /_sandbox/app-reset`` (forget tokens, messages, rate and faults).
Like :mod:`msgspec_dd.sandbox.ratelimit`, it is an independent oracle for the
client: it shares no code with :mod:`msgspec_dd.dingtalk.app_messages`, so a mapping bug cannot
pass unnoticed because both sides make it.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The header carrying the access token on every robot call.
TOKEN_HEADER = "x-acs-dingtalk-access-token"
MAX_MSG_PARAM_BYTES = 15_000
MAX_RECALL_KEYS = 20
MAX_QUERY_RESULTS = 200

Reply = tuple[int, dict[str, Any]]

_BUTTONS = {n: [f"actionTitle{i}" for i in range(1, n + 1)] + [f"actionURL{i}" for i in range(1, n + 1)]
            for n in range(2, 6)}
#: The sandbox's own copy of each template's required msgParam fields (see the module docstring).
_TEMPLATE_FIELDS: dict[str, list[str]] = {
    "sampleText": ["content"],
    "sampleMarkdown": ["title", "text"],
    "sampleLink": ["text", "title", "messageUrl"],
    "sampleActionCard": ["title", "text", "singleTitle", "singleURL"],
    **{f"sampleActionCard{n}": ["title", "text", *_BUTTONS[n]] for n in range(2, 6)},
    "sampleActionCard6": ["title", "text", "buttonTitle1", "buttonUrl1", "buttonTitle2", "buttonUrl2"],
}


def new_app_key() -> str:
    """A throwaway app key shaped like DingTalk's (``ding`` and 16 lowercase letters or digits)."""
    return "ding" + secrets.token_hex(8)


@dataclass(frozen=True)
class AppSettings:
    """One sandbox app with one robot in one group. Empty values are filled with throwaway ones.

    ``token_seconds`` is the access token's ``expireIn``; at most ``rate_count`` robot calls are
    answered per ``rate_seconds`` (DingTalk's 20 QPS per app and API), the rest get HTTP 403
    ``Forbidden.AccessDenied.QpsLimitForAppkeyAndApi``. ``clock`` drives expiry and the rate.
    """

    app_key: str = field(default_factory=new_app_key)
    app_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    robot_code: str = ""
    conversation: str = field(default_factory=lambda: "cid" + secrets.token_urlsafe(18) + "==")
    token_seconds: float = 7200.0
    rate_count: int = 20
    rate_seconds: float = 1.0
    clock: Callable[[], float] = time.time

    @property
    def code(self) -> str:
        """The robot code: for an internal app robot, the app key unless given."""
        return self.robot_code or self.app_key


@dataclass
class _Fault:
    status: int
    code: str
    message: str
    count: int


def _error(status: int, code: str, message: str) -> Reply:
    return status, {"code": code, "requestid": secrets.token_hex(8).upper(), "message": message}


class AppApi:
    """The app API's state: the current access token, the messages sent, reads and faults.

    Thread-safe: the HTTP server calls :meth:`handle` from one thread per connection.
    """

    def __init__(self, settings: AppSettings | None = None, *,
                 log: Callable[[str], None] | None = None) -> None:
        self.settings = settings if settings is not None else AppSettings()
        self.log = log
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None
        self._messages: dict[str, dict[str, Any]] = {}
        self._arrivals: deque[float] = deque()
        self._faults: deque[_Fault] = deque()
        self.token_requests = 0

    # -- what happened ------------------------------------------------------------------------

    def records(self) -> list[dict[str, Any]]:
        """Copies of the messages sent, in order: ``processQueryKey``, ``msgKey``, ``msgParam``
        (the string as received), ``recalled`` and ``readUserIds``."""
        with self._lock:
            return [json.loads(json.dumps(record)) for record in self._messages.values()]

    def reset(self) -> None:
        """Forget the token, the messages, the rate window, the faults and the counter."""
        with self._lock:
            self._reset()

    def expire_token(self) -> None:
        """Make the current access token expired, as if ``expireIn`` had run out."""
        with self._lock:
            self._token = None

    # -- routing ------------------------------------------------------------------------------

    def serves(self, path: str) -> bool:
        """Whether ``POST path`` is one of the app API's endpoints (its control ones included)."""
        return path in _ROUTES

    def handle(self, path: str, token: str | None, raw: bytes) -> Reply | None:
        """The answer to ``POST path`` with JSON ``raw``, or None when ``path`` is not the app API's."""
        route = _ROUTES.get(path)
        if route is None:
            return None
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError, RecursionError):
            return _error(400, "InvalidParameter", "the request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "InvalidParameter", "the request body must be a JSON object")
        with self._lock:
            status, answer = route(self, token, body)
        if self.log is not None:  # the path and the outcome only: never a token or a secret
            self.log(f"app {path} HTTP {status} {answer.get('code', 'ok')}")
        return status, answer

    # -- routes (called with the lock held) -------------------------------------------------------

    def _access_token(self, token: str | None, body: dict[str, Any]) -> Reply:
        self.token_requests += 1
        if (body.get("appKey"), body.get("appSecret")) != (self.settings.app_key, self.settings.app_secret):
            return _error(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        now = self.settings.clock()
        if self._token is None or self._token[1] <= now:
            self._token = (secrets.token_hex(16), now + self.settings.token_seconds)
        return 200, {"accessToken": self._token[0], "expireIn": int(self._token[1] - now)}

    def _send(self, token: str | None, body: dict[str, Any]) -> Reply:
        refused = self._gate(token, body) or _check_message(body)
        if refused is not None:
            return refused
        key = secrets.token_urlsafe(24)
        self._messages[key] = {
            "processQueryKey": key, "msgKey": body["msgKey"], "msgParam": body["msgParam"],
            "openConversationId": body["openConversationId"], "robotCode": body["robotCode"],
            "received_at": self.settings.clock(), "recalled": False, "readUserIds": [],
        }
        return 200, {"processQueryKey": key}

    def _recall(self, token: str | None, body: dict[str, Any]) -> Reply:
        refused = self._gate(token, body)
        if refused is not None:
            return refused
        keys = body.get("processQueryKeys")
        if not isinstance(keys, list) or not keys or len(keys) > MAX_RECALL_KEYS:
            return _error(400, "invalidParameter.processQueryKeys",
                          f"processQueryKeys must list 1 to {MAX_RECALL_KEYS} keys")
        success: list[str] = []
        failed: dict[str, str] = {}
        for key in keys:
            reason = self._recall_one(str(key))
            if reason is None:
                success.append(str(key))
            else:
                failed[str(key)] = reason
        return 200, {"successResult": success, "failedResult": failed}

    def _recall_one(self, key: str) -> str | None:
        record = self._messages.get(key)
        if record is None:
            return "processQueryKey not found"
        if record["recalled"]:
            return "message already recalled"
        record["recalled"] = True
        return None

    def _query(self, token: str | None, body: dict[str, Any]) -> Reply:
        refused = self._authenticate(token) or self._fault() or self._rate()
        if refused is not None:
            return refused
        record = self._messages.get(str(body.get("processQueryKey")))
        if record is None:
            return _error(400, "processQueryKey.expireTime", "processQueryKey不存在或已过期")
        size = body.get("maxResults", 100)
        if not isinstance(size, int) or not 1 <= size <= MAX_QUERY_RESULTS:
            return _error(400, "invalidParameter.maxResults", f"maxResults must be 1 to {MAX_QUERY_RESULTS}")
        start = int(body["nextToken"]) if str(body.get("nextToken", "")).isdigit() else 0
        readers = record["readUserIds"]
        page, more = readers[start:start + size], start + size < len(readers)
        status = "RECALLED" if record["recalled"] else "SUCCESS"
        answer = {"sendStatus": status, "readUserIds": page, "hasMore": more}
        return 200, answer | ({"nextToken": str(start + size)} if more else {})

    def _read(self, token: str | None, body: dict[str, Any]) -> Reply:
        users = body.get("userIds")
        if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
            return 400, {"error": "userIds must be a list of strings"}
        readers = self._mark_read(str(body.get("processQueryKey")), users)
        if readers is None:
            return 404, {"error": "no message with that processQueryKey"}
        return 200, {"ok": True, "readUserIds": readers}

    def _mark_read(self, key: str, user_ids: list[str]) -> list[str] | None:
        record = self._messages.get(key)
        if record is None:
            return None
        readers: list[str] = record["readUserIds"]
        readers.extend(dict.fromkeys(u for u in user_ids if u not in readers))
        return list(readers)

    def _inject(self, token: str | None, body: dict[str, Any]) -> Reply:
        status, code, count = body.get("status"), body.get("code"), body.get("count", 1)
        if not isinstance(status, int) or not isinstance(code, str) or not isinstance(count, int):
            return 400, {"error": "a fault is {status: int, code: str, message?: str, count?: int}"}
        self._faults.append(_Fault(status, code, str(body.get("message", code)), count))
        return 200, {"ok": True}

    def _reset(self, token: str | None = None, body: dict[str, Any] | None = None) -> Reply:
        self._token = None
        self._messages.clear()
        self._arrivals.clear()
        self._faults.clear()
        self.token_requests = 0
        return 200, {"ok": True}

    # -- checks ---------------------------------------------------------------------------------

    def _gate(self, token: str | None, body: dict[str, Any]) -> Reply | None:
        """Token, scripted fault, rate, then the robot and the group: DingTalk's order of checks."""
        return self._authenticate(token) or self._fault() or self._rate() or self._target(body)

    def _authenticate(self, token: str | None) -> Reply | None:
        current = self._token
        if not token or current is None or token != current[0] or current[1] <= self.settings.clock():
            return _error(400, "InvalidAuthentication", "不合法的access_token")
        return None

    def _fault(self) -> Reply | None:
        if not self._faults:
            return None
        fault = self._faults[0]
        fault.count -= 1
        if fault.count <= 0:
            self._faults.popleft()
        return _error(fault.status, fault.code, fault.message)

    def _rate(self) -> Reply | None:
        now = self.settings.clock()
        while self._arrivals and self._arrivals[0] <= now - self.settings.rate_seconds:
            self._arrivals.popleft()
        if len(self._arrivals) >= self.settings.rate_count:
            return _error(403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
                          "调用频率超过限制(AppKey 和 API 维度)")
        self._arrivals.append(now)
        return None

    def _target(self, body: dict[str, Any]) -> Reply | None:
        if body.get("robotCode") != self.settings.code:
            return _error(400, "invalidParameter.robotCode.notExsit", "机器人不存在")
        if body.get("openConversationId") != self.settings.conversation:
            return _error(400, "invalid.openConversationId", "openConversationId不合法")
        return None


def _check_message(body: Mapping[str, Any]) -> Reply | None:
    fields = _TEMPLATE_FIELDS.get(str(body.get("msgKey")))
    if fields is None:
        return _error(400, "invalidParameter.msgKey.invalid", "msgKey不合法")
    text = body.get("msgParam")
    if not isinstance(text, str):
        return _error(400, "invalidParameter.msgParam.invalid", "msgParam必须是字符串")
    if len(text.encode("utf-8", errors="replace")) > MAX_MSG_PARAM_BYTES:
        return _error(400, "invalidParameter.msgParam.tooLong", "msgParam超过长度限制")
    try:
        params = json.loads(text)
    except (ValueError, RecursionError):
        params = None
    if not isinstance(params, dict) or any(not isinstance(params.get(f), str) for f in fields):
        return _error(400, "invalidParameter.msgParam.invalid", "msgParam不合法")
    return None


_ROUTES: dict[str, Callable[[AppApi, str | None, dict[str, Any]], Reply]] = {
    "/v1.0/oauth2/accessToken": AppApi._access_token,
    "/v1.0/robot/groupMessages/send": AppApi._send,
    "/v1.0/robot/groupMessages/recall": AppApi._recall,
    "/v1.0/robot/groupMessages/query": AppApi._query,
    "/_sandbox/read": AppApi._read,
    "/_sandbox/app-fault": AppApi._inject,
    "/_sandbox/app-reset": AppApi._reset,
}
