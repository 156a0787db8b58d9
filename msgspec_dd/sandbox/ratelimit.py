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

from msgspec_dd.sandbox import answers
from msgspec_dd.sandbox.answers import Answer


class RateLimiter:
    """At most ``count`` arrivals in any ``seconds``-long window, else locked ``lock_seconds``."""

    def __init__(self, count: int, seconds: float, lock_seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self.lock_seconds = lock_seconds
        self._arrivals: deque[float] = deque()
        self._locked_until: float | None = None

    def arrive(self, now: float) -> Answer | None:
        """Count one arrival at ``now`` (seconds): None when it may be processed, else DingTalk's
        answer (130101 for the arrival that trips the lock, 410100 while locked)."""
        if self._locked_until is not None:
            if now < self._locked_until:
                return answers.LOCKED
            self.reset()
        while self._arrivals and self._arrivals[0] <= now - self.seconds:
            self._arrivals.popleft()
        if len(self._arrivals) >= self.count:
            self._arrivals.clear()
            self._locked_until = now + self.lock_seconds
            return answers.too_fast(self.count, self.seconds)
        self._arrivals.append(now)
        return None

    def reset(self) -> None:
        """Forget the window and any lock."""
        self._arrivals.clear()
        self._locked_until = None
