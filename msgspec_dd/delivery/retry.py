"""Whether a message is tried again after a reply, as small handler objects.

As in slack_sdk's ``http_retry``: each :class:`RetryHandler` knows one reason to try again,
answers :meth:`~RetryHandler.can_retry` from the :class:`RetryState` of the message and the last
:class:`~msgspec_dd.delivery.results.Reply`, and does what must happen first in
:meth:`~RetryHandler.prepare_for_next_attempt` (sleep a backoff, lock the robot). The robot
asks its handlers in order and the first that can retry wins; none means the reply is final.
Handlers read only the reply's ``kind``, never HTTP or errcodes, so they serve every kind of
robot. Every retry keeps the message's msgUuid. Sleep and randomness are injected: tests pass a
recording ``sleep`` and a fixed ``random``.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from msgspec_dd.delivery.pacing import Pacer
from msgspec_dd.delivery.results import Reply
from msgspec_dd.dingtalk.errcodes import Kind


@dataclass
class RetryState:
    """How far one message got: attempts made, retries spent per reason, the last reply."""

    attempts: int = 0
    transient: int = 0
    resigned: bool = False
    maybe_arrived: bool = False
    last: Reply | None = None

    def record(self, reply: Reply) -> None:
        """One more attempt ended with ``reply``."""
        self.attempts += 1
        self.last = reply
        self.maybe_arrived = self.maybe_arrived or reply.uncertain


class RetryHandler(Protocol):
    """One reason to try a message again."""

    def can_retry(self, state: RetryState, reply: Reply) -> bool:
        """True when ``reply`` is this handler's reason and it allows another attempt."""
        ...

    def prepare_for_next_attempt(self, state: RetryState, reply: Reply) -> None:
        """What must happen before the next attempt; counts the retry in ``state``."""
        ...


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


@dataclass(frozen=True)
class TransientRetry:
    """Busy, HTTP 5xx, no answer: back off (with jitter) and try again, a bounded number of times."""

    sleep: Callable[[float], None]
    backoff: RetryStrategy = field(default_factory=ExponentialBackoff)

    def can_retry(self, state: RetryState, reply: Reply) -> bool:
        return reply.kind is Kind.RETRYABLE and self.backoff.can_retry(state.transient + 1)

    def prepare_for_next_attempt(self, state: RetryState, reply: Reply) -> None:
        state.transient += 1
        self.sleep(self.backoff.delay(state.transient))


@dataclass(frozen=True)
class ResignRetry:
    """A stale timestamp or signature (310000, ``invalid timestamp``/``过期``): try once more.

    Nothing to renew first: every POST is signed afresh (and an app robot's client fetches a
    new token itself, so its transport never answers :attr:`Kind.RESIGN`).
    """

    def can_retry(self, state: RetryState, reply: Reply) -> bool:
        return reply.kind is Kind.RESIGN and not state.resigned

    def prepare_for_next_attempt(self, state: RetryState, reply: Reply) -> None:
        state.resigned = True


@dataclass(frozen=True)
class RateLimitRetry:
    """130101/410100: the robot is locked for ten minutes; try again once the lock lifts.

    The wait itself is the pacer's: if the lock outlasts what ``--max-wait`` leaves, the next
    turn is refused and the message is reported as not sent.
    """

    pacer: Pacer

    def can_retry(self, state: RetryState, reply: Reply) -> bool:
        return reply.kind is Kind.RATE_LIMITED

    def prepare_for_next_attempt(self, state: RetryState, reply: Reply) -> None:
        self.pacer.lock(reply.at)
