"""Walking JSON values in tests: every object with its path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

JsonPath = tuple[str | int, ...]


def objects(node: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
    """Every JSON object inside ``node`` (``node`` itself first), with its path."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from objects(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from objects(value, (*path, index))
