"""What the sandbox inbox shows of the messages its app API received.

The inbox renders DingTalk bodies, so each stored ``msgKey`` + ``msgParam`` is read back into the
webhook body that shows the same thing (``sampleActionCard6`` is two buttons side by side, and
so on), marked ``app`` (no ``@``, the msgKey's layout) and ``recalled`` once recalled. This
reading is the sandbox's own, like the rest of :mod:`msgspec_dd.sandbox.app_api`: it shares no
code with :mod:`msgspec_dd.dingtalk.app_messages`, which maps the other way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: The robot name the inbox shows above an app robot's messages.
APP_SENDER = "app robot"


def inbox_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The app API's stored messages as inbox records: ``id``, ``received_at``, ``body``,
    ``robot``, ``app`` and ``recalled``."""
    return [{"id": record["processQueryKey"], "received_at": record["received_at"],
             "body": body(str(record["msgKey"]), _params(record["msgParam"])),
             "robot": APP_SENDER, "app": True, "recalled": bool(record["recalled"])}
            for record in records]


def body(msg_key: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The webhook body that shows what ``msg_key`` with ``params`` shows."""
    if msg_key == "sampleText":
        return {"msgtype": "text", "text": {"content": params.get("content")}}
    if msg_key == "sampleMarkdown":
        return {"msgtype": "markdown", "markdown": {"title": params.get("title"), "text": params.get("text")}}
    if msg_key == "sampleLink":
        return {"msgtype": "link", "link": {key: params.get(key) for key in
                                            ("title", "text", "messageUrl", "picUrl")}}
    card = {"title": params.get("title"), "text": params.get("text")}
    if msg_key == "sampleActionCard":
        return {"msgtype": "actionCard", "actionCard": card | {
            "singleTitle": params.get("singleTitle"), "singleURL": params.get("singleURL")}}
    if msg_key == "sampleActionCard6":
        buttons = [(params.get(f"buttonTitle{n}"), params.get(f"buttonUrl{n}")) for n in (1, 2)]
        return _card(card, buttons, "1")
    count = int(msg_key.removeprefix("sampleActionCard") or 0) if msg_key[-1:].isdigit() else 0
    buttons = [(params.get(f"actionTitle{n}"), params.get(f"actionURL{n}")) for n in range(1, count + 1)]
    return _card(card, buttons, "0") if buttons else {"msgtype": msg_key}


def _card(card: dict[str, Any], buttons: list[tuple[Any, Any]], orientation: str) -> dict[str, Any]:
    btns = [{"title": title, "actionURL": url} for title, url in buttons]
    return {"msgtype": "actionCard", "actionCard": card | {"btnOrientation": orientation, "btns": btns}}


def _params(text: Any) -> Mapping[str, Any]:
    try:
        params = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        params = None
    return params if isinstance(params, Mapping) else {}
