"""The per-robot sliding window and rate-limit lock, on an injected clock."""

from __future__ import annotations

import pytest

from msgspec_dd.config import Rate
from msgspec_dd.delivery.pacing import LOCK_SECONDS, Pacer, Wait, check_max_wait, wait_for_turn
from msgspec_dd.errors import UsageError


class FakeTime:
    """A clock that only moves when slept through."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_count_replies_pass_then_the_next_waits_for_the_oldest_to_leave_the_window() -> None:
    pacer = Pacer(Rate(3, 10))
    for at in (0.0, 1.0, 2.0):
        assert pacer.wait(at) == Wait(0.0)
        pacer.record(at + 0.1)
    assert pacer.wait(2.5) == Wait(7.6)  # 0.1 + 10 - 2.5
    assert pacer.wait(10.1) == Wait(0.0)


def test_the_window_slides() -> None:
    pacer = Pacer(Rate(2, 10))
    pacer.seed([0.0, 6.0])
    assert pacer.wait(8.0).seconds == 2.0
    pacer.record(10.0)
    assert pacer.wait(11.0).seconds == 5.0  # now 6.0 and 10.0 are in the window


def test_a_rate_limit_answer_locks_the_robot_for_ten_minutes() -> None:
    pacer = Pacer(Rate(20, 60))
    pacer.lock(100.0)
    assert pacer.wait(100.0) == Wait(LOCK_SECONDS, locked=True)
    assert pacer.wait(100.0 + LOCK_SECONDS) == Wait(0.0)


def test_seeded_history_paces_and_locks_too() -> None:
    pacer = Pacer(Rate(2, 60))
    pacer.seed([50.0, 10.0], locks=[5.0])
    assert pacer.wait(20.0) == Wait(585.0, locked=True)
    assert pacer.wait(606.0) == Wait(0.0)


def test_wait_for_turn_sleeps_through_the_injected_sleep_and_reports_progress() -> None:
    time = FakeTime(0.0)
    pacer = Pacer(Rate(1, 100))
    pacer.record(0.0)
    heard: list[Wait] = []
    turn = wait_for_turn(pacer, clock=time.clock, sleep=time.sleep, allowance=900,
                         progress=heard.append)
    assert turn.refused is None and turn.waited == 100.0
    assert time.slept == [30.0, 30.0, 30.0, 10.0]  # a progress line at least every 30 s
    assert [round(w.seconds) for w in heard] == [100, 70, 40, 10]


def test_short_waits_are_not_reported() -> None:
    time = FakeTime(0.0)
    pacer = Pacer(Rate(1, 2))
    pacer.record(0.0)
    heard: list[Wait] = []
    wait_for_turn(pacer, clock=time.clock, sleep=time.sleep, allowance=10, progress=heard.append)
    assert time.slept == [2.0] and heard == []


def test_a_wait_beyond_the_allowance_is_refused_without_sleeping() -> None:
    time = FakeTime(0.0)
    pacer = Pacer(Rate(20, 60))
    pacer.lock(0.0)
    turn = wait_for_turn(pacer, clock=time.clock, sleep=time.sleep, allowance=0)
    assert turn.refused == Wait(LOCK_SECONDS, locked=True)
    assert turn.waited == 0 and time.slept == []


def test_no_wait_needed_returns_at_once() -> None:
    time = FakeTime(0.0)
    turn = wait_for_turn(Pacer(Rate()), clock=time.clock, sleep=time.sleep, allowance=0)
    assert turn.refused is None and turn.waited == 0 and time.slept == []


def test_a_long_batch_never_exceeds_the_rate_in_any_window() -> None:
    time = FakeTime(0.0)
    rate = Rate(5, 2)
    pacer = Pacer(rate)
    replies = []
    for _ in range(23):
        turn = wait_for_turn(pacer, clock=time.clock, sleep=time.sleep, allowance=60)
        assert turn.refused is None
        time.now += 0.05  # the round trip
        pacer.record(time.now)
        replies.append(time.now)
    for i, start in enumerate(replies):
        in_window = [r for r in replies[i:] if r - start < rate.per_seconds]
        assert len(in_window) <= rate.count
    # and it is not slower than it must be: 23 messages = 4 full windows + 3
    assert replies[-1] - replies[0] < 4 * rate.per_seconds + 23 * 0.05 + 1e-9


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), -1.0])
def test_a_max_wait_must_be_finite_and_not_negative(value: float) -> None:
    with pytest.raises(UsageError, match="finite number of seconds, 0 or more"):
        check_max_wait(value)


def test_a_finite_max_wait_is_kept() -> None:
    assert check_max_wait(0.0) == 0.0 and check_max_wait(900.0) == 900.0
