"""How long to wait before trying a transient failure again, and how often to try.

Strategies are small objects, so the robot asks "may I try again?" and "how long do I wait?"
without knowing the arithmetic. Randomness is injected: tests pass a fixed ``random``.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


class RetryStrategy(Protocol):
    """Decides whether attempt ``attempt + 1`` happens and how long to wait before it."""

    def can_retry(self, attempt: int) -> bool:
        """True when another attempt may follow attempt number ``attempt`` (1-based)."""
        ...

    def delay(self, attempt: int) -> float:
        """Seconds to wait after attempt number ``attempt`` failed."""
        ...


@dataclass(frozen=True)
class ExponentialBackoff:
    """Exponential backoff with jitter and a bounded number of attempts.

    The n-th wait lies between half and all of ``min(cap, base * factor**(n-1))``: the random
    half keeps many senders from retrying in lockstep, the fixed half keeps every wait long
    enough to let a busy server recover.
    """

    max_attempts: int = 4
    base: float = 0.5
    factor: float = 2.0
    cap: float = 8.0
    random: Callable[[], float] = field(default=_random.random, compare=False)

    def can_retry(self, attempt: int) -> bool:
        """True while fewer than ``max_attempts`` attempts were made."""
        return attempt < self.max_attempts

    def delay(self, attempt: int) -> float:
        """Seconds to wait after attempt number ``attempt`` (1-based) failed."""
        ceiling = min(self.cap, self.base * self.factor ** (attempt - 1))
        return ceiling / 2 + self.random() * ceiling / 2

