"""Which robots a message file is sent to: its ``robot:`` (a name or a list), else ``default``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec_dd.config import DEFAULT_ROBOT


def robot_names(data: Any) -> list[tuple[int | None, str]]:
    """``(index in the list or None, name)`` for each robot the file names."""
    value = data.get("robot") if isinstance(data, Mapping) else None
    if isinstance(value, str):
        return [(None, value)]
    if isinstance(value, list):
        return [(index, name) for index, name in enumerate(value) if isinstance(name, str)]
    return []


def file_robots(data: Any) -> tuple[str, ...]:
    """The robot names of a file, in order, without repeats; ``("default",)`` when none."""
    names = tuple(dict.fromkeys(name for _, name in robot_names(data)))
    return names or (DEFAULT_ROBOT,)


def robot_path(data: Any, name: str) -> tuple[str | int, ...]:
    """Where the file names robot ``name``: ``("robot", index)`` in a list, else ``("robot",)``,
    so lint and send point at the same name."""
    for index, named in robot_names(data):
        if named == name:
            return ("robot",) if index is None else ("robot", index)
    return ("robot",)
