"""What a batch tells whoever watches it, while it runs: the CLI's result lines and live line.

:func:`msgspec_dd.delivery.batch.deliver` calls a :class:`BatchWatcher` as things happen, not at
the end, so a person (or a log) sees each message's result the moment it is known. Robots are
served from threads of their own; :class:`Serialized` hands the events over one at a time, so a
watcher never has to be thread-safe itself.
"""

from __future__ import annotations

import threading
from typing import Protocol

from msgspec_dd.delivery.pacing import Wait
from msgspec_dd.delivery.results import SendResult


class BatchWatcher(Protocol):
    """Hears how a batch goes: its size, each result as it ends, each wait before a POST."""

    def started(self, total: int) -> None:
        """The batch has ``total`` deliveries (one message to one robot each)."""

    def finished(self, result: SendResult) -> None:
        """One delivery ended: sent, skipped (already sent) or failed."""

    def waiting(self, robot: str, wait: Wait) -> None:
        """The next message to ``robot`` waits ``wait.seconds`` for its rate (or a lock)."""


class Unwatched:
    """The watcher of a batch nobody watches."""

    def started(self, total: int) -> None:
        pass

    def finished(self, result: SendResult) -> None:
        pass

    def waiting(self, robot: str, wait: Wait) -> None:
        pass


class Serialized:
    """``watcher`` called from one thread at a time (the robots' threads report side by side)."""

    def __init__(self, watcher: BatchWatcher) -> None:
        self._watcher = watcher
        self._lock = threading.Lock()

    def started(self, total: int) -> None:
        with self._lock:
            self._watcher.started(total)

    def finished(self, result: SendResult) -> None:
        with self._lock:
            self._watcher.finished(result)

    def waiting(self, robot: str, wait: Wait) -> None:
        with self._lock:
            self._watcher.waiting(robot, wait)
