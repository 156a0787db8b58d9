"""A YAML value that silently changed type: unquoted phone numbers, numeric flags, dates.

YAML reads ``13800138000`` as an integer, ``0`` as a number and ``2024-06-01`` as a date, but
DingTalk wants strings: ``atMobiles`` entries, ``btnOrientation`` and ``hideAvatar`` (``"0"`` or
``"1"``). A phone number that became an integer is not @-mentioned. Quote the value.

Passing::

    at: {atMobiles: ["13800138000"]}
    btnOrientation: "0"

Failing::

    at: {atMobiles: [13800138000]}
    btnOrientation: 0
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from msgspec_dd.dingtalk.message_view import MENTION_LISTS
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.message_files.loader import PathT
from msgspec_dd.problems import Level

ID = "yaml-trap"
LEVEL = Level.ERROR
STAGE: Stage = "source"
#: The value DingTalk would receive is not the one the author meant.
BLOCKING = True
GENERIC = False

_ID_LISTS = frozenset(MENTION_LISTS)
_FLAGS = frozenset({"btnOrientation", "hideAvatar"})


def check(context: LintContext) -> Iterator[Finding]:
    data = context.data
    if isinstance(data, Mapping):
        yield from _walk(data.get("message"), ("message",))


def _walk(value: Any, path: PathT) -> Iterator[Finding]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _check_field(str(key), item, (*path, key))
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))
    elif isinstance(value, (datetime.date, datetime.datetime)):
        yield Finding(f"unquoted date {value} became a timestamp; quote it", path=path)


def _check_field(key: str, value: Any, path: PathT) -> Iterator[Finding]:
    if key in _FLAGS and isinstance(value, (int, float)) and not isinstance(value, bool):
        yield Finding(f"{key}: {value} is a number; DingTalk expects the string \"{value}\": quote it",
                      path=path)
    if key in _ID_LISTS and isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                yield Finding(f"{key} entry {item} is a number (an unquoted phone number or id); "
                              f"quote it: \"{item}\"", path=(*path, index))
