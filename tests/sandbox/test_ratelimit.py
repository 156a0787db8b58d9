"""The rate limiter answers as DingTalk does: nothing while allowed, 130101 once, then 410100."""

from __future__ import annotations

from msgspec_dd.sandbox import answers
from msgspec_dd.sandbox.ratelimit import RateLimiter


def test_the_window_trips_once_then_locks_until_the_lock_ends() -> None:
    limiter = RateLimiter(2, 60.0, 600.0)
    assert limiter.arrive(0.0) is None and limiter.arrive(1.0) is None
    assert limiter.arrive(2.0) == answers.too_fast(2, 60.0)
    assert limiter.arrive(3.0) == answers.LOCKED
    assert limiter.arrive(602.0) is None  # the lock ended: a fresh window


def test_the_window_slides() -> None:
    limiter = RateLimiter(1, 10.0, 5.0)
    assert limiter.arrive(0.0) is None
    assert limiter.arrive(10.0) is None  # the first arrival left the window
