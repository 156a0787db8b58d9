"""The live line of a batch on a terminal: ``sent 7/40 · next in 3 s (rate)``, redrawn in place.

Plain ``\\r`` and one ANSI code (erase the line) are all it takes, so no terminal library is
imported: start-up stays fast, and a live line appears only when stderr is a terminal (a CI log
or a pipe gets the result lines alone). Any other output goes through :meth:`LiveLine.cleared`,
which takes the line away while it is written and draws it again after.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from msgspec_dd.delivery.pacing import Wait
from msgspec_dd.delivery.results import SendResult, Status

#: Carriage return, then erase the whole line (ANSI "EL 2").
_ERASE = "\r\x1b[2K"
#: How often the countdown is redrawn, in seconds.
TICK = 0.5


class LiveLine:
    """One status line at the bottom of ``stream``, kept current by a ticker thread."""

    def __init__(self, stream: IO[str], *, clock: Callable[[], float] = time.monotonic,
                 tick: float = TICK) -> None:
        self._stream, self._clock, self._tick_seconds = stream, clock, tick
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._total = self._done = self._failed = 0
        self._next: tuple[float, bool] | None = None  # (when, locked)
        self._shown = False

    def start(self, total: int) -> None:
        """Show the line for a batch of ``total`` deliveries and keep it ticking."""
        with self._lock:
            self._total = total
            self._draw()
        threading.Thread(target=self._tick, daemon=True).start()

    def finished(self, result: SendResult) -> None:
        """Count one delivery that ended."""
        with self._lock:
            self._done += 1
            self._failed += result.status is Status.FAILED
            self._next = None
            self._draw()

    def waiting(self, wait: Wait) -> None:
        """The next POST waits ``wait``: count it down."""
        with self._lock:
            self._next = (self._clock() + wait.seconds, wait.locked)
            self._draw()

    def close(self) -> None:
        """Take the line away for good."""
        self._stop.set()
        with self._lock:
            self._erase()
            self._total = 0

    @contextmanager
    def cleared(self) -> Iterator[None]:
        """Write something else: the line goes away meanwhile and comes back after."""
        with self._lock:
            self._erase()
            yield
            self._draw()

    def text(self) -> str:
        """What the line says now."""
        line = f"sent {self._done - self._failed}/{self._total}"
        if self._failed:
            line += f" · {self._failed} failed"
        if self._next is not None:
            left = self._next[0] - self._clock()
            if left > 0:
                line += f" · next in {math.ceil(left)} s ({'lock' if self._next[1] else 'rate'})"
        return line

    def _tick(self) -> None:
        while not self._stop.wait(self._tick_seconds):
            with self._lock:
                self._draw()

    def _draw(self) -> None:
        if self._total and not self._stop.is_set():
            self._stream.write(_ERASE + self.text())
            self._stream.flush()
            self._shown = True

    def _erase(self) -> None:
        if self._shown:
            self._stream.write(_ERASE)
            self._stream.flush()
            self._shown = False
