"""Backoff strategy objects."""

from __future__ import annotations

from msgspec_dd.delivery.retry import ExponentialBackoff


def test_attempts_are_bounded() -> None:
    backoff = ExponentialBackoff(max_attempts=4)
    assert [backoff.can_retry(n) for n in range(1, 6)] == [True, True, True, False, False]


def test_delays_grow_exponentially_up_to_the_cap_with_jitter() -> None:
    low = ExponentialBackoff(base=0.5, factor=2, cap=3, random=lambda: 0.0)
    high = ExponentialBackoff(base=0.5, factor=2, cap=3, random=lambda: 1.0)
    assert [low.delay(n) for n in range(1, 5)] == [0.25, 0.5, 1.0, 1.5]
    assert [high.delay(n) for n in range(1, 5)] == [0.5, 1.0, 2.0, 3.0]


def test_jitter_comes_from_the_injected_random() -> None:
    values = iter([0.5, 0.25])
    backoff = ExponentialBackoff(base=1, random=lambda: next(values))
    assert backoff.delay(1) == 0.75
    assert backoff.delay(1) == 0.625
