"""Retry as handler objects (transient, stale timestamp, rate-limit lock) and their backoff."""

from __future__ import annotations

from typing import Any

from msgspec_dd.config import Rate
from msgspec_dd.delivery.pacing import Pacer
from msgspec_dd.delivery.results import Reply
from msgspec_dd.delivery.retry import (
    ExponentialBackoff,
    RateLimitRetry,
    ResignRetry,
    RetryState,
    TransientRetry,
)
from msgspec_dd.dingtalk.errcodes import Cause, Kind


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


def reply(kind: Kind, at: float = 100.0, **fields: Any) -> Reply:
    return Reply(at, kind, **fields)


BUSY = reply(Kind.RETRYABLE, errcode=-1, errmsg="系统繁忙")
STALE = reply(Kind.RESIGN, errcode=310000, errmsg="invalid timestamp")
TOO_FAST = reply(Kind.RATE_LIMITED, errcode=130101, errmsg="send too fast")
FINAL = reply(Kind.PERMANENT, errcode=300001, errmsg="token is not exist")


def test_transient_failures_back_off_a_bounded_number_of_times() -> None:
    sleeps: list[float] = []
    handler = TransientRetry(sleeps.append, ExponentialBackoff(max_attempts=3, random=lambda: 0.0))
    state = RetryState()
    retried = 0
    while handler.can_retry(state, BUSY):
        handler.prepare_for_next_attempt(state, BUSY)
        retried += 1
    assert (retried, state.transient, sleeps) == (2, 2, [0.25, 0.5])
    assert not any(TransientRetry(sleeps.append).can_retry(RetryState(), r)
                   for r in (STALE, TOO_FAST, FINAL))


def test_a_stale_timestamp_is_re_signed_once() -> None:
    handler = ResignRetry()
    state = RetryState()
    assert handler.can_retry(state, STALE)
    handler.prepare_for_next_attempt(state, STALE)
    assert state.resigned
    assert not handler.can_retry(state, STALE)  # once only: then it is clock skew, final
    assert not handler.can_retry(RetryState(), BUSY)


def test_a_rate_limit_answer_locks_the_robot_for_ten_minutes() -> None:
    pacer = Pacer(Rate(20, 60.0))
    handler = RateLimitRetry(pacer)
    assert handler.can_retry(RetryState(), TOO_FAST)
    handler.prepare_for_next_attempt(RetryState(), TOO_FAST)
    wait = pacer.wait(TOO_FAST.at + 1)
    assert wait.locked and wait.seconds == 599.0
    assert not handler.can_retry(RetryState(), FINAL)


def test_the_state_remembers_that_an_unanswered_post_may_have_arrived() -> None:
    state = RetryState()
    state.record(reply(Kind.RETRYABLE, error="timeout", no_answer=Cause.UNCERTAIN))
    state.record(reply(Kind.RETRYABLE, error="refused", no_answer=Cause.UNSENT))
    assert state.attempts == 2 and state.maybe_arrived
    assert state.last is not None and state.last.no_answer is Cause.UNSENT
