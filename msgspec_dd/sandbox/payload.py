"""Is a request body a message DingTalk would accept? Size, encoding, JSON and schema.

The strict schema is :func:`msgspec_dd.schemas.catalog.payload_validator`, its findings worded by
:func:`msgspec_dd.schemas.issues.schema_issues` (``不合法的参数 text.bogus: unknown field ...``). Before it runs, a
small structural check names missing fields the way DingTalk does (``缺少参数 markdown.title``),
so the answers do not depend on how the schema is organised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from msgspec_dd.dingtalk.wire import MAX_BODY_BYTES
from msgspec_dd.sandbox import answers
from msgspec_dd.sandbox.answers import Answer
from msgspec_dd.schemas.catalog import MSGTYPES, payload_validator
from msgspec_dd.schemas.issues import schema_issues

if TYPE_CHECKING:
    from jsonschema.protocols import Validator


_REQUIRED_MESSAGE = re.compile(r"'(.+)' is a required property")

#: msgtype -> required fields of its object (actionCard's buttons are checked separately).
REQUIRED: dict[str, tuple[str, ...]] = {
    "text": ("content",),
    "link": ("title", "text", "messageUrl"),
    "markdown": ("title", "text"),
    "actionCard": ("title", "text"),
    "feedCard": ("links",),
}

#: list field -> required fields of each item.
REQUIRED_ITEMS: dict[str, tuple[str, ...]] = {
    "btns": ("title", "actionURL"),
    "links": ("title", "messageURL", "picURL"),
}


#: How deep a body may nest. DingTalk's own bodies go 4 deep (``actionCard.btns[0].title``);
#: the checks below and the schema validator recurse, so a deeper body is refused first.
MAX_DEPTH = 32
TOO_DEEP = answers.invalid("json", f"nested deeper than {MAX_DEPTH} levels")


def depth(value: Any) -> int:
    """How deeply ``value`` nests objects and arrays (a scalar is 0), counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level + 1)
            stack.extend((child, level + 1) for child in item)
    return deepest


class PayloadChecker:
    """Checks bodies against DingTalk's rules; builds the schema validator once, lazily."""

    def __init__(self) -> None:
        self._validator: Validator | None = None

    def check(self, raw: bytes) -> dict[str, Any] | Answer:
        """The parsed payload, or DingTalk's answer rejecting ``raw``."""
        if len(raw) > MAX_BODY_BYTES:
            return answers.TOO_LONG
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return answers.NOT_JSON
        except RecursionError:  # nested deeper than the parser goes
            return TOO_DEEP
        if not isinstance(payload, dict):
            return answers.NOT_JSON
        if depth(payload) > MAX_DEPTH:
            return TOO_DEEP
        problem = (
            text_problem(payload) or structural_problem(payload) or self._schema_problem(payload)
        )
        return problem if problem is not None else payload

    def _schema_problem(self, payload: dict[str, Any]) -> Answer | None:
        if self._validator is None:
            self._validator = payload_validator()
        found = schema_issues(self._validator, payload)
        if not found:
            return None
        issue = found[0]
        where = ".".join(str(part) for part in issue.path)
        required = _REQUIRED_MESSAGE.fullmatch(issue.message)
        if issue.keyword == "required" and required is not None:
            return answers.missing(f"{where}.{required.group(1)}" if where else required.group(1))
        return answers.invalid(where, issue.message)


def text_problem(value: Any, where: str = "") -> Answer | None:
    """40035 for a string (or key) that is not valid Unicode text, else None.

    JSON may spell a lone surrogate (``"\\ud800"``), which no UTF-8 text contains: DingTalk
    requires valid UTF-8, and such a string could not be shown or stored as UTF-8 either.
    """
    if isinstance(value, str):
        return None if _is_valid_text(value) else answers.invalid(where, _NOT_TEXT)
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if not _is_valid_text(str(key)):
                return answers.invalid(where, _NOT_TEXT)
            problem = text_problem(item, path)
            if problem is not None:
                return problem
    if isinstance(value, list):
        for index, item in enumerate(value):
            problem = text_problem(item, f"{where}.{index}" if where else str(index))
            if problem is not None:
                return problem
    return None


_NOT_TEXT = "not valid UTF-8 text (a lone surrogate escape such as \\ud800)"


def _is_valid_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def structural_problem(payload: Mapping[str, Any]) -> Answer | None:
    """DingTalk's answer for a missing msgtype, object or required field, else None."""
    msgtype = payload.get("msgtype")
    if msgtype is None:
        return answers.missing("msgtype")
    if msgtype not in MSGTYPES:
        return answers.UNSUPPORTED_MSGTYPE
    body = payload.get(msgtype)
    if not isinstance(body, Mapping):
        return answers.missing(msgtype)
    for field in REQUIRED[msgtype]:
        if body.get(field) in (None, ""):
            return answers.missing(f"{msgtype}.{field}")
    if msgtype == "actionCard" and not _has_single_button(body) and "btns" not in body:
        return answers.missing("actionCard.btns")
    return _items_problem(msgtype, body)


def _has_single_button(body: Mapping[str, Any]) -> bool:
    return bool(body.get("singleTitle")) and bool(body.get("singleURL"))


def _items_problem(msgtype: str, body: Mapping[str, Any]) -> Answer | None:
    for list_field, required in REQUIRED_ITEMS.items():
        items = body.get(list_field)
        if items is None or (list_field == "btns" and _has_single_button(body)):
            continue
        if not isinstance(items, list) or not items:
            return answers.missing(f"{msgtype}.{list_field}")
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                return answers.invalid(f"{msgtype}.{list_field}.{index}", "not an object")
            for field in required:
                if item.get(field) in (None, ""):
                    return answers.missing(f"{msgtype}.{list_field}.{index}.{field}")
    return None
