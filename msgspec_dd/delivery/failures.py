"""How a message that did not get through is worded: its result's detail and hint.

The hints come from the one table, :data:`msgspec_dd.dingtalk.errcodes.HINTS`; this module
only picks one and says what happened, from the values the robot hands it.
"""

from __future__ import annotations

from msgspec_dd.config import Rate
from msgspec_dd.delivery.pacing import Wait, duration
from msgspec_dd.delivery.results import SendResult, Status
from msgspec_dd.delivery.retry import RetryState
from msgspec_dd.dingtalk.errcodes import HINTS, Cause, Kind


def invalid(robot: str, msg_uuid: str, why: str) -> SendResult:
    """A body DingTalk would refuse, never posted."""
    return SendResult(robot, Status.FAILED, msg_uuid, detail=f"not sent: {why}",
                      hint=HINTS[Cause.INVALID_BODY])


def failed(robot: str, msg_uuid: str, state: RetryState) -> SendResult:
    """The last reply of ``state`` was final and not a success."""
    reply = state.last
    assert reply is not None  # a failure always follows an attempt
    detail = reply.describe()
    if state.attempts > 1:
        detail += f" after {state.attempts} attempts"
    hint = reply.hint
    if reply.no_answer is Cause.UNSENT and state.maybe_arrived:
        hint = HINTS[Cause.UNCERTAIN]  # the last try never left, but an earlier one may have arrived
    return SendResult(robot, Status.FAILED, msg_uuid, errcode=reply.errcode, errmsg=reply.errmsg,
                      detail=detail, hint=hint, attempts=state.attempts)


def not_sent(robot: str, msg_uuid: str, wait: Wait, state: RetryState, *, limit: float,
             rate: Rate) -> SendResult:
    """Waiting for the robot (its rate or its lock) would take longer than ``limit`` seconds."""
    last = state.last if state.last and state.last.kind is Kind.RATE_LIMITED else None
    if wait.locked:
        detail = (f"not sent: the robot is locked after a rate-limit answer for another "
                  f"{duration(wait.seconds)}, longer than the maximum wait ({limit:g}s)")
        hint = HINTS[Cause.LOCKED]
    else:
        detail = (f"not sent: pacing to {rate.count} per {rate.per_seconds:g}s would make it "
                  f"wait {duration(wait.seconds)}, longer than the maximum wait ({limit:g}s)")
        hint = HINTS[Cause.PACED_OUT]
    return SendResult(robot, Status.FAILED, msg_uuid, errcode=last.errcode if last else None,
                      errmsg=last.errmsg if last else "", detail=detail, hint=hint,
                      attempts=state.attempts)
