"""Pacing one robot to its rate so a batch never trips DingTalk's limit.

DingTalk allows about 20 messages a minute per robot and locks a robot for about ten minutes when
a sender goes faster. Whether its minute is sliding or fixed is not documented, so the pacer
assumes a sliding window and counts each POST from the moment its *reply* arrived: the request
reached DingTalk before that, so the real window is never fuller than the one counted here.

Time is injected: the pacer only ever compares the numbers it is given, and
:func:`wait_for_turn` sleeps through the ``sleep`` it is handed.

The sandbox's :class:`msgspec_dd.sandbox.ratelimit.RateLimiter` is also a sliding window, and
the two are kept apart on purpose: the sandbox is an independent oracle that checks this
client, so they must not share code (a bug shared by both would pass every test). This side
decides when to send (counting replies, seeded from the ledger, waiting); that side decides
whether to accept (counting arrivals, locking).
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from msgspec_dd.config import Rate
from msgspec_dd.errors import UsageError

#: Seconds one message may wait for its robot (pacing and a rate-limit lock together).
DEFAULT_MAX_WAIT = 900.0
#: How long DingTalk locks a robot that sent too fast (130101 / 410100).
LOCK_SECONDS = 600.0
#: Waits shorter than this are not worth a progress line.
PROGRESS_AFTER = 3.0
#: During a long wait, a progress line at least this often.
PROGRESS_EVERY = 30.0


def check_max_wait(seconds: float) -> float:
    """``seconds`` as a maximum wait: :class:`UsageError` (exit 2) unless finite and not negative.

    NaN would compare false with every wait and so never refuse one (an unbounded wait in
    disguise); infinity is refused too, so a run always ends.
    """
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(
            f"the maximum wait must be a finite number of seconds, 0 or more (got {seconds!r})"
        )
    return seconds


@dataclass(frozen=True)
class Wait:
    """How long until the robot may be sent to, and whether a rate-limit lock is the reason."""

    seconds: float
    locked: bool = False


@dataclass(frozen=True)
class Turn:
    """The outcome of waiting for a robot: seconds slept, and the wait refused (if any)."""

    waited: float
    refused: Wait | None = None


class Pacer:
    """The sliding window and rate-limit lock of one robot.

    ``turn`` is held by whoever is sending to the robot, for the whole message: one robot's POSTs
    never overlap, so every reply is counted before the next POST is decided.
    """

    def __init__(self, rate: Rate, *, lock_seconds: float = LOCK_SECONDS) -> None:
        self.rate = rate
        self.lock_seconds = lock_seconds
        self.turn = threading.Lock()
        self._replies: list[float] = []
        self._locked_until = 0.0

    def record(self, at: float) -> None:
        """A reply to a POST arrived at ``at`` (seconds)."""
        bisect.insort(self._replies, at)

    def lock(self, at: float) -> None:
        """DingTalk answered 130101/410100 at ``at``: the robot is locked for ``lock_seconds``."""
        self._locked_until = max(self._locked_until, at + self.lock_seconds)

    def seed(self, replies: Iterable[float], locks: Iterable[float] = ()) -> None:
        """Replies and rate-limit answers seen before (by an earlier run, from its ledger)."""
        for at in replies:
            self.record(at)
        for at in locks:
            self.lock(at)

    def wait(self, now: float) -> Wait:
        """How long from ``now`` until the next POST keeps within the rate and any lock."""
        self._forget(now)
        pace = 0.0
        if len(self._replies) >= self.rate.count:
            pace = self._replies[-self.rate.count] + self.rate.per_seconds - now
        locked = self._locked_until - now
        if locked > 0 and locked >= pace:
            return Wait(locked, locked=True)
        return Wait(max(pace, 0.0))

    def _forget(self, now: float) -> None:
        # A reply older than one window cannot be in any window that ends now or later.
        cutoff = bisect.bisect_left(self._replies, now - self.rate.per_seconds)
        del self._replies[:cutoff]


def wait_for_turn(
    pacer: Pacer,
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    allowance: float,
    progress: Callable[[Wait], None] | None = None,
) -> Turn:
    """Sleep until ``pacer`` allows a POST, unless that takes more than ``allowance`` seconds.

    A wait longer than what is left of ``allowance`` is refused at once (nothing is slept in
    vain). ``progress`` hears about every wait of :data:`PROGRESS_AFTER` seconds or more, and
    again at least every :data:`PROGRESS_EVERY` seconds while it lasts.
    """
    waited = 0.0
    while True:
        wait = pacer.wait(clock())
        if wait.seconds <= 0:
            return Turn(waited)
        if waited + wait.seconds > allowance:
            return Turn(waited, refused=wait)
        if progress is not None and wait.seconds >= PROGRESS_AFTER:
            progress(wait)
        step = min(wait.seconds, PROGRESS_EVERY)
        sleep(step)
        waited += step


def duration(seconds: float) -> str:
    """A wait as people read it: ``42s`` or ``9m58s``."""
    whole = max(1, round(seconds))
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"
