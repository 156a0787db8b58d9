"""What the sandbox answers: DingTalk's errcodes and errmsg texts, as values.

:class:`Answer` is the sandbox's one word for an outcome: every check (token, rate limit,
signature, payload, keywords) returns the answer that ends the request, or None to go on.

Every DingTalk failure is HTTP 200 with ``{"errcode": N, "errmsg": "..."}``; the texts follow
responses seen from the real ``/robot/send`` (see DINGTALK.md). Where DingTalk's text for a case
is not known, the closest documented code is used with a text in DingTalk's style.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

#: The suffix DingTalk appends to its 310000 security-check texts.
MORE = "more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"


@dataclass(frozen=True)
class Answer:
    """The sandbox's answer to one ``/robot/send`` request: DingTalk's reply (``errcode`` 0 means
    accepted) and, for the sandbox's log only, what it did with the message.

    ``msgtype`` is the body's msgtype when it had a readable one; ``stored`` is the new record
    when the message was kept; ``duplicate`` says a repeated ``msgUuid`` was answered 0 and not
    stored. None of these reach the client: :meth:`to_json` is the reply.
    """

    errcode: int
    errmsg: str
    msgtype: str | None = None
    stored: dict[str, Any] | None = field(default=None, compare=False)
    duplicate: bool = False

    def to_json(self) -> bytes:
        """The reply body as DingTalk sends it: compact UTF-8 JSON without ASCII escapes."""
        data = {"errcode": self.errcode, "errmsg": self.errmsg}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(
            errors="replace"  # never fail a reply over odd text in errmsg
        )


OK = Answer(0, "ok")
MISSING_TOKEN = Answer(40035, "缺少参数 access_token")
UNKNOWN_TOKEN = Answer(300001, "token is not exist")
INVALID_TOKEN = Answer(400101, "access_token不存在")
NEED_POST = Answer(43003, "需要POST请求")
BAD_CONTENT_TYPE = Answer(43004, "无效的HTTP HEADER Content-Type")
SIGN_NOT_MATCH = Answer(310000, f"sign not match, {MORE}")
INVALID_TIMESTAMP = Answer(310000, f"invalid timestamp, {MORE}")
KEYWORDS_NOT_IN_CONTENT = Answer(310000, f"keywords not in content, {MORE}")
LOCKED = Answer(410100, "发送速度太快而限流")
TOO_LONG = Answer(460101, "message too long, exceed 20000 bytes")
NOT_JSON = Answer(40035, "缺少参数 json")
UNSUPPORTED_MSGTYPE = Answer(400105, "不支持的消息类型")


def too_fast(count: int, seconds: float) -> Answer:
    """130101, worded like DingTalk's for its own 20-per-minute limit."""
    period = "minute" if seconds == 60 else f"{seconds:g} seconds"
    return Answer(130101, f"send too fast, exceed {count} times per {period}")


def missing(parameter: str) -> Answer:
    """40035 for a missing field, named by its dotted path (``markdown.title``)."""
    return Answer(40035, f"缺少参数 {parameter}")


def invalid(parameter: str, detail: str) -> Answer:
    """40035 for a field that is present but not valid (DingTalk's 不合法的参数)."""
    where = parameter or "json"
    return Answer(40035, f"不合法的参数 {where}: {detail}")
