"""DingTalk's rate limit: a sliding window counted on arrival, then a lock.

DingTalk allows 20 messages per minute per robot and locks the robot for about ten minutes when
exceeded; whether its window slides is not documented, so the sandbox uses the strictest reading
(any ``count + 1`` arrivals within ``seconds`` trip it). Not thread-safe: the robot serialises.

The client's :class:`msgspec_dd.delivery.pacing.Pacer` is also a sliding window, and the two are kept
apart on purpose: the sandbox is an independent oracle that checks the client, so they must not
share code (a bug shared by both would pass every test). This side judges arrivals and locks;
the pacer decides when to send, counting replies.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The limiter's decision for one arrival."""

    allowed: bool
    tripped: bool = False  # this arrival exceeded the window and locked the robot
    locked: bool = False  # the robot was already locked


class RateLimiter:
    """At most ``count`` arrivals in any ``seconds``-long window, else locked ``lock_seconds``."""

    def __init__(self, count: int, seconds: float, lock_seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self.lock_seconds = lock_seconds
        self._arrivals: deque[float] = deque()
        self._locked_until: float | None = None

    def arrive(self, now: float) -> Verdict:
        """Count one arrival at ``now`` (seconds) and say whether it may be processed."""
        if self._locked_until is not None:
            if now < self._locked_until:
                return Verdict(allowed=False, locked=True)
            self.reset()
        while self._arrivals and self._arrivals[0] <= now - self.seconds:
            self._arrivals.popleft()
        if len(self._arrivals) >= self.count:
            self._arrivals.clear()
            self._locked_until = now + self.lock_seconds
            return Verdict(allowed=False, tripped=True)
        self._arrivals.append(now)
        return Verdict(allowed=True)

    def reset(self) -> None:
        """Forget the window and any lock."""
        self._arrivals.clear()
        self._locked_until = None
