"""Is a request body a message DingTalk would accept? Size, encoding, JSON and schema.

The strict schema comes from :func:`msgspec_dd.schemas.payload_validator`. Before it runs, a
small structural check names missing fields the way DingTalk does (``缺少参数 markdown.title``),
so the answers do not depend on how the schema is organised.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from typing import Any

from msgspec_dd.sandbox import answers
from msgspec_dd.sandbox.answers import Answer

#: DingTalk's limit on the body, in UTF-8 bytes.
MAX_BODY_BYTES = 20_000

MSGTYPES = ("text", "link", "markdown", "actionCard", "feedCard")

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


class PayloadChecker:
    """Checks bodies against DingTalk's rules; builds the schema validator once, lazily."""

    def __init__(self) -> None:
        self._validator: Any = None
        self._loaded = False

    def check(self, raw: bytes) -> dict[str, Any] | Answer:
        """The parsed payload, or DingTalk's answer rejecting ``raw``."""
        if len(raw) > MAX_BODY_BYTES:
            return answers.TOO_LONG
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return answers.NOT_JSON
        if not isinstance(payload, dict):
            return answers.NOT_JSON
        problem = structural_problem(payload) or self._schema_problem(payload)
        return problem if problem is not None else payload

    def _schema_problem(self, payload: dict[str, Any]) -> Answer | None:
        validator = self._schema_validator()
        if validator is None:
            return None
        # Imported by name: jsonschema ships no type information.
        best_match = importlib.import_module("jsonschema.exceptions").best_match
        error = best_match(validator.iter_errors(payload))
        if error is None:
            return None
        path = ".".join(str(part) for part in error.absolute_path)
        if error.validator == "required" and isinstance(error.validator_value, list):
            present = error.instance if isinstance(error.instance, Mapping) else {}
            for name in error.validator_value:
                if name not in present:
                    return answers.missing(f"{path}.{name}" if path else str(name))
        return answers.invalid(path, error.message)

    def _schema_validator(self) -> Any:
        if not self._loaded:
            self._loaded = True
            try:
                schemas = importlib.import_module("msgspec_dd.schemas")
            except ImportError:
                schemas = None
            factory = getattr(schemas, "payload_validator", None)
            # Until the schemas land, the structural checks stand alone.
            self._validator = factory() if factory is not None else None
        return self._validator


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
