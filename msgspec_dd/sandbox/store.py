"""The messages a sandbox robot accepted, in memory and optionally in a JSON Lines file.

Each record is ``{"id": 1, "received_at": <epoch seconds>, "msgUuid": str | None, "body": {...}}``.
The file is opened (created if missing) when the store is made, read back, and kept open for
appending as messages arrive, so an inbox survives restarts and a store that cannot be written
is a :class:`ConfigError` at start-up, not a failure of the first accepted POST.
Not thread-safe: the robot serialises access.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
from io import FileIO
from pathlib import Path
from typing import Any

from msgspec_dd.errors import ConfigError


class MessageStore:
    """Accepted messages in arrival order, mirrored to ``path`` when given.

    :class:`ConfigError` (exit 2) when ``path`` cannot be created, read or appended to (a missing
    folder, no permission, a folder in its place) or holds something other than records.
    Call :meth:`close` when done.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._records: list[dict[str, Any]] = []
        self._file: FileIO | None = None
        if path is not None:
            self._file = _open(path)
            try:
                self._records = _read(path, self._file)
            except BaseException:
                self._file.close()
                raise

    def add(self, body: dict[str, Any], received_at: float) -> dict[str, Any]:
        """Keep ``body`` as a new record and return a copy of the record.

        Written to the file first: when that fails (``OSError``, say a full disk) nothing is kept,
        so the sender sees a failure and tries again rather than a message that is later lost.
        """
        uuid = body.get("msgUuid")
        record = {
            "id": self._records[-1]["id"] + 1 if self._records else 1,
            "received_at": received_at,
            "msgUuid": uuid if isinstance(uuid, str) else None,
            "body": copy.deepcopy(body),
        }
        if self._file is not None:
            _append(self._file, (json.dumps(record, ensure_ascii=False) + "\n").encode())
        self._records.append(record)
        return copy.deepcopy(record)

    def records(self, since: int = 0) -> list[dict[str, Any]]:
        """Copies of the records with an id above ``since``."""
        return [copy.deepcopy(r) for r in self._records if r["id"] > since]

    def clear(self) -> None:
        """Forget every record, in the file too."""
        self._records.clear()
        if self._file is not None:
            self._file.truncate(0)  # appending continues at the (new) end

    def close(self) -> None:
        """Close the file, if any; the records stay readable."""
        if self._file is not None:
            self._file.close()
            self._file = None


def _append(file: FileIO, line: bytes) -> None:
    """Write ``line`` whole, unbuffered; on failure take back any part of it that was written."""
    size = file.seek(0, os.SEEK_END)
    try:
        view = memoryview(line)
        while view:
            view = view[file.write(view) or 0:]
    except OSError:
        with contextlib.suppress(OSError):
            file.truncate(size)
        raise


def _open(path: Path) -> FileIO:
    if path.exists() and not path.is_file():  # a folder, or a device such as /dev/zero
        raise ConfigError(f"{path}: the sandbox store must be a regular file. Give --store a file.")
    try:
        return FileIO(path, "a+")  # unbuffered: a failed write leaves nothing pending
    except OSError as err:
        reason = err.strerror or str(err)
        raise ConfigError(
            f"{path}: cannot open the sandbox store for writing ({reason}). Give --store a file "
            "in an existing folder that you can write to."
        ) from err


def _read(path: Path, file: FileIO) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    try:
        file.seek(0)
        lines = file.readall().decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the sandbox store: {err}") from err
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as err:
            raise ConfigError(f"{path}:{number}: not a JSON line of the sandbox store") from err
        problem = _record_problem(record)
        if problem is not None:
            raise ConfigError(f"{path}:{number}: not a record of the sandbox store ({problem}). "
                              "Fix or delete that line, or give --store another file.")
        records.append(record)
    return records


def _record_problem(record: Any) -> str | None:
    """What makes ``record`` unusable as a stored message, else None (the robot and the inbox
    page rely on every field, so an edited line is refused at start-up, not mid-request)."""
    if not isinstance(record, dict):
        return "not a JSON object"
    if not _is_number(record.get("id"), int):
        return '"id" is not an integer'
    if "received_at" in record and not _is_number(record["received_at"], (int, float)):
        return '"received_at" is not a number of seconds'
    if not isinstance(record.get("msgUuid"), str | None):
        return '"msgUuid" is neither a string nor null'
    if not isinstance(record.get("body"), dict):
        return '"body" is not a JSON object'
    return None


def _is_number(value: Any, kinds: type | tuple[type, ...]) -> bool:
    # bool is an int to Python, and NaN or infinity is no time.
    if isinstance(value, bool) or not isinstance(value, kinds):
        return False
    return not isinstance(value, float) or math.isfinite(value)
