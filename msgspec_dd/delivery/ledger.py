"""The write-ahead ledger that makes ``send`` safe to run again, and to kill at any point.

A JSON Lines file. Before every POST an ``attempt`` record (with the msgUuid) is written and
fsynced; after it, one of ``sent``, ``retry`` (a transient failure, tried again) or ``failed``
(final). So at any moment the file says, for every message, either "arrived", "did not arrive",
or "may have arrived, under this msgUuid" — and a re-run skips the first, sends the second
afresh, and sends the third again under the *same* msgUuid, which DingTalk de-duplicates.

A message's identity (:mod:`msgspec_dd.delivery.identity`) is its file (named relative to the
repository root), its content, its robot, its resolved variables and, when scheduled, the
occurrence — not the rendered body, which ``now`` changes from minute to minute. Records carry
``"v": 2``; a ledger written by 0.1 (records without it) is refused with a usage error, because
0.1 named a message by how its path and variables were typed, so reading it could send again
what it records as sent.

A crash can only tear the last line; such a line was never followed by a POST (its fsync had
not returned), so it is dropped when the ledger is opened.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from msgspec_dd.delivery.identity import message_identity as message_identity  # its 0.1 home
from msgspec_dd.delivery.results import Reply
from msgspec_dd.dingtalk.errcodes import RATE_LIMITED_CODES
from msgspec_dd.errors import DeliveryError, UsageError

try:  # POSIX: keep two runs from sharing one ledger.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

ATTEMPT = "attempt"
SENT = "sent"
RETRY = "retry"
FAILED = "failed"
OUTCOMES = (SENT, RETRY, FAILED)
#: ``recall`` asked DingTalk to take a sent message back (its messageId): whether it did, and why not.
RECALL = "recall"
#: Written into every record; 0.1 wrote none (see the module docstring).
VERSION = 2
_LEGACY_ID = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Entry:
    """What the ledger knows about one message identity.

    ``msg_uuid`` is the last msgUuid tried; ``open`` says its last POST has no recorded outcome;
    ``maybe`` says some POST under it ended without a known outcome (timeout, reset, 5xx, -1).
    """

    sent: bool = False
    msg_uuid: str | None = None
    open: bool = False
    maybe: bool = False

    @property
    def reusable_uuid(self) -> str | None:
        """The msgUuid to send under again: one that may already have arrived."""
        if self.sent or not (self.open or self.maybe):
            return None
        return self.msg_uuid


class Ledger:
    """An open ledger file. Thread-safe; use :meth:`open`, and :meth:`close` when done."""

    def __init__(self, path: Path, handle: IO[bytes], *, clock: Callable[[], float]) -> None:
        self.path = path
        self._handle = handle
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] = {}
        self._attempted: dict[str, tuple[str, float]] = {}
        self._replies: dict[str, list[float]] = {}
        self._locks: dict[str, list[float]] = {}
        self._message_ids: dict[str, str] = {}

    @classmethod
    def open(cls, path: Path, *, clock: Callable[[], float] = time.time) -> Ledger:
        """Open (or create) the ledger at ``path``; :class:`UsageError` if it cannot be used.

        Only a regular file, or a path where one can be created, is a ledger: a device such as
        ``/dev/full`` would be read forever and a FIFO blocks, so both are refused unopened.
        """
        check_ledger_path(path)
        try:
            handle = _open_locked(path)
        except OSError as err:
            raise UsageError(f"{path}: cannot open the ledger: {err.strerror or err}") from err
        ledger = cls(path, handle, clock=clock)
        try:
            ledger._load()
        except BaseException:
            handle.close()
            raise
        return ledger

    def entry(self, identity: str) -> Entry:
        """What is recorded about ``identity`` (an empty entry when nothing is)."""
        with self._lock:
            return self._entries.get(identity, Entry())

    def replies(self, robot: str) -> list[float]:
        """When replies to POSTs to ``robot`` arrived, per earlier runs (for pacing)."""
        return list(self._replies.get(robot, ()))

    def locks(self, robot: str) -> list[float]:
        """When ``robot`` answered 130101/410100, per earlier runs (for its lock)."""
        return list(self._locks.get(robot, ()))

    def message_id(self, identity: str) -> str | None:
        """The message id (an app robot's processQueryKey) of the latest send of ``identity``."""
        with self._lock:
            return self._message_ids.get(identity)

    def recall(self, identity: str, robot: str, message_id: str, *, recalled: bool,
               reason: str = "") -> None:
        """Record, durably, that ``recall`` asked for ``message_id`` back, and what came of it."""
        self._write({"event": RECALL, "id": identity, "robot": robot, "messageId": message_id,
                     "at": self._clock(), "recalled": recalled, "reason": reason})

    def attempt(self, identity: str, robot: str, msg_uuid: str, *, path: str | None) -> None:
        """Record, durably, that a POST of ``msg_uuid`` is about to be made."""
        record = {"event": ATTEMPT, "id": identity, "robot": robot, "path": path,
                  "msgUuid": msg_uuid, "at": self._clock()}
        self._write(record)

    def outcome(self, event: str, identity: str, robot: str, msg_uuid: str, reply: Reply) -> None:
        """Record, durably, how a POST ended: ``sent``, ``retry`` or ``failed``."""
        record = {"event": event, "id": identity, "robot": robot, "msgUuid": msg_uuid,
                  "at": reply.at, "errcode": reply.errcode, "errmsg": reply.errmsg or reply.error,
                  "httpStatus": reply.http_status, "uncertain": reply.uncertain,
                  "posted": reply.posted}
        if reply.message_id is not None:  # what recall and status of app robots will need
            record["messageId"] = reply.message_id
        self._write(record)

    def close(self) -> None:
        """Close the file (releasing the lock on it).

        A write that failed was already reported (:class:`DeliveryError`) and stopped sending;
        closing then retries the lines still buffered and fails again, which must not hide the
        results of the messages already sent.
        """
        with contextlib.suppress(OSError):
            self._handle.close()

    def _write(self, record: Mapping[str, Any]) -> None:
        record = {**record, "v": VERSION}
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock:
            try:
                self._handle.write(line.encode())
                self._handle.flush()
                os.fsync(self._handle.fileno())
            except OSError as err:
                # Raised before the POST it was to announce: nothing goes out unrecorded.
                raise DeliveryError(
                    f"{self.path}: cannot write the ledger ({err.strerror}); stopped sending"
                ) from err
            self._apply(record)

    def _load(self) -> None:
        self._handle.seek(0)
        data = self._handle.read()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) < len(data):
            self._handle.truncate(len(complete))
        for number, line in enumerate(complete.splitlines(), start=1):
            if line.strip():
                self._apply(self._parse(line, number), history=True)
        self._count_open_attempts()

    def _parse(self, line: bytes, number: int) -> dict[str, Any]:
        try:
            record: Any = json.loads(line)
        except ValueError:
            record = None
        if not _is_record(record):
            raise UsageError(
                f"{self.path}:{number}: not a msgspec-dd ledger record. Give --ledger a file "
                "that only msgspec-dd send writes."
            )
        if "v" not in record and _LEGACY_ID.fullmatch(record["id"]):
            raise UsageError(
                f"{self.path}:{number}: this ledger was written by msgspec-dd 0.1, which named a "
                "message by how its path and variables were typed; read now, it could send again "
                "what it records as sent. Check that its last batch was delivered, keep the file "
                "as a record, and give --ledger a new file."
            )
        return dict(record)

    def _apply(self, record: Mapping[str, Any], *, history: bool = False) -> None:
        identity, event = record["id"], record["event"]
        if event not in (ATTEMPT, *OUTCOMES):  # a recall, or a record of a later version
            return
        if event == SENT and isinstance(record.get("messageId"), str):
            self._message_ids[identity] = record["messageId"]
        entry = self._entries.get(identity, Entry())
        if event == ATTEMPT:
            entry = _attempted(entry, record.get("msgUuid"))
            self._attempted[identity] = (str(record.get("robot")), float(record["at"]))
        else:
            entry = replace(entry, open=False, sent=entry.sent or event == SENT,
                            maybe=entry.maybe or bool(record.get("uncertain")))
            if history:
                self._remember_reply(record)
        self._entries[identity] = entry

    def _remember_reply(self, record: Mapping[str, Any]) -> None:
        if record.get("posted") is False:  # never reached the robot: not in its rate window
            return
        robot, at = str(record.get("robot")), float(record["at"])
        self._replies.setdefault(robot, []).append(at)
        if record.get("errcode") in RATE_LIMITED_CODES:
            self._locks.setdefault(robot, []).append(at)

    def _count_open_attempts(self) -> None:
        # A POST cut off by a crash may have reached DingTalk: it counts towards the rate, from
        # the moment it was attempted (the latest its reply could have been seen).
        for identity, entry in self._entries.items():
            if entry.open:
                robot, at = self._attempted[identity]
                self._replies.setdefault(robot, []).append(at)


def _is_record(record: Any) -> bool:
    # Any event name is a record: one this version does not know (a later version's) is skipped
    # by _apply, so a newer msgspec-dd can add records without locking older ones out.
    return (
        isinstance(record, dict)
        and isinstance(record.get("event"), str)
        and isinstance(record.get("id"), str)
        and isinstance(record.get("at"), (int, float))
    )


def _attempted(entry: Entry, msg_uuid: Any) -> Entry:
    uuid = str(msg_uuid) if msg_uuid is not None else None
    if uuid != entry.msg_uuid:
        # A new msgUuid is only ever chosen when the old one certainly did not arrive.
        return replace(entry, msg_uuid=uuid, open=True, maybe=False)
    return replace(entry, open=True)


def check_ledger_path(path: Path) -> None:
    """:class:`UsageError` (exit 2) unless ``path`` is a regular file or does not exist yet."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as err:
        raise UsageError(f"{path}: cannot open the ledger: {err.strerror or err}") from err
    _require_regular(path, mode)


def _require_regular(path: Path, mode: int) -> None:
    kind: str | None
    if stat.S_ISDIR(mode):
        kind = "a directory"
    elif stat.S_ISFIFO(mode):
        kind = "a FIFO"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = None if stat.S_ISREG(mode) else "another kind of file"
    if kind is not None:
        raise UsageError(f"{path}: the ledger must be a regular file (or a path to create), "
                         f"not {kind}. Give --ledger a file path such as sent.jsonl.")


def _open_locked(path: Path) -> IO[bytes]:
    existed = path.exists()
    handle = open(path, "a+b")  # noqa: SIM115 - kept open for the whole run
    try:
        # Checked again on what was opened: the path may have changed since it was looked at.
        _require_regular(path, os.fstat(handle.fileno()).st_mode)
    except UsageError:
        handle.close()
        raise
    if fcntl is not None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            handle.close()
            raise UsageError(
                f"{path}: the ledger is in use by another msgspec-dd send; wait for it to finish"
            ) from err
    if not existed:
        _fsync_directory(path.parent)
    return handle


def _fsync_directory(folder: Path) -> None:
    # The new file's name must survive a crash too, not only its content.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
