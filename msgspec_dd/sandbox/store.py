"""The messages a sandbox robot accepted, in memory and optionally in a JSON Lines file.

Each record is ``{"id": 1, "received_at": <epoch seconds>, "msgUuid": str | None, "body": {...}}``.
The file is appended to as messages arrive and read back on start, so an inbox survives restarts.
Not thread-safe: the robot serialises access.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from msgspec_dd.errors import ConfigError


class MessageStore:
    """Accepted messages in arrival order, mirrored to ``path`` when given."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._records: list[dict[str, Any]] = []
        if path is not None and path.exists():
            self._records = _read(path)

    def add(self, body: dict[str, Any], received_at: float) -> dict[str, Any]:
        """Keep ``body`` as a new record and return a copy of the record."""
        uuid = body.get("msgUuid")
        record = {
            "id": self._records[-1]["id"] + 1 if self._records else 1,
            "received_at": received_at,
            "msgUuid": uuid if isinstance(uuid, str) else None,
            "body": copy.deepcopy(body),
        }
        self._records.append(record)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as file:
                file.write(json.dumps(record, ensure_ascii=False) + "\n")
        return copy.deepcopy(record)

    def records(self, since: int = 0) -> list[dict[str, Any]]:
        """Copies of the records with an id above ``since``."""
        return [copy.deepcopy(r) for r in self._records if r["id"] > since]

    def clear(self) -> None:
        """Forget every record, in the file too."""
        self._records.clear()
        if self.path is not None and self.path.exists():
            self.path.write_text("", encoding="utf-8")


def _read(path: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the sandbox store: {err}") from err
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as err:
            raise ConfigError(f"{path}:{number}: not a JSON line of the sandbox store") from err
        if not isinstance(record, dict) or not isinstance(record.get("id"), int):
            raise ConfigError(f"{path}:{number}: not a record of the sandbox store")
        records.append(record)
    return records
