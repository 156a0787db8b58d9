"""A clock the test moves by hand, so windows, locks, token expiry and sleeps take no real time."""

from __future__ import annotations


class HandClock:
    """Call it for the time; ``advance`` and ``sleep`` move it (``slept`` records the sleeps)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
