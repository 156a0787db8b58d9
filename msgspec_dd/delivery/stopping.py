"""Stopping a batch between POSTs, never in the middle of one.

Ctrl-C (or a ledger that cannot be written) stops a batch. A POST already made must finish, so
its result is known, reported and written to the ledger; no new POST may start, however long its
thread has been sleeping for its robot's rate. Every POST passes a :class:`Gate` through a
:class:`Ticket`, the :class:`~msgspec_dd.delivery.robot.AttemptLog` of one delivery: once the
gate is stopped, the next attempt raises :class:`Stopped` before anything is posted, and the gate
can wait until the POSTs in flight have ended (:meth:`Gate.settle`).
"""

from __future__ import annotations

import threading

from msgspec_dd.delivery.results import Reply


class Stopped(Exception):
    """The batch was stopped before this POST; nothing was posted for it."""


class Gate:
    """Lets POSTs through until stopped, and counts the deliveries with a POST in flight."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._stopped = False
        self._flying = 0

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stopped

    def stop(self) -> None:
        """Let no further POST start."""
        with self._changed:
            self._stopped = True

    def settle(self) -> None:
        """Wait until no delivery has a POST in flight (each one is bounded by its timeout)."""
        with self._changed:
            self._changed.wait_for(lambda: self._flying == 0)

    def ticket(self) -> Ticket:
        """The pass of one delivery: release it once its result is recorded."""
        return Ticket(self)

    def _enter(self) -> None:
        with self._changed:
            if self._stopped:
                raise Stopped
            self._flying += 1

    def _leave(self) -> None:
        with self._changed:
            self._flying -= 1
            self._changed.notify_all()


class Ticket:
    """One delivery's way through the gate, as an :class:`~msgspec_dd.delivery.robot.AttemptLog`.

    A delivery is in flight from its POST until :meth:`release`, except while it waits to try
    again (backoff, a rate-limit lock): that wait may be cut short, the POST in the air may not.
    """

    def __init__(self, gate: Gate) -> None:
        self._gate = gate
        self._inside = False

    @property
    def inside(self) -> bool:
        """True while this delivery has a POST in flight or its final answer unreported."""
        return self._inside

    def attempt(self, msg_uuid: str) -> None:
        """A POST is about to be made: :class:`Stopped` if the gate is closed."""
        if not self._inside:
            self._gate._enter()
            self._inside = True

    def outcome(self, event: str, msg_uuid: str, reply: Reply) -> None:
        """The POST ended; a ``retry`` waits outside the gate, a final answer stays inside."""
        if event == "retry":
            self.release()

    def release(self) -> None:
        """The delivery's result is recorded (or it never posted)."""
        if self._inside:
            self._inside = False
            self._gate._leave()
