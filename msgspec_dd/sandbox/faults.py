"""Scripted faults: make the next requests fail the way networks and DingTalk fail.

Kinds: ``http500`` (a gateway error page, nothing processed), ``reset`` (the connection is
closed without a reply, nothing processed), ``drop-reply`` (the message is processed and stored,
then the connection is closed without a reply: the client cannot know it arrived), ``slow``
(processed, then the reply waits ``seconds``), ``errcode`` (answer ``errcode``/``errmsg``
instead of processing, e.g. ``-1 系统繁忙``).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from msgspec_dd.errors import UsageError

KINDS = ("http500", "reset", "drop-reply", "slow", "errcode")


@dataclass(frozen=True)
class Fault:
    """A fault applied to the next ``count`` requests to ``/robot/send``."""

    kind: str
    count: int = 1
    seconds: float = 0.0
    errcode: int = -1
    errmsg: str = "系统繁忙"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise UsageError(f"unknown fault kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        if self.count < 1 or self.seconds < 0:
            raise UsageError("a fault needs a count of at least 1 and seconds not below 0")

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """A fault from its JSON form (``POST /_sandbox/faults``); UsageError if malformed."""
        if not isinstance(data, Mapping) or not isinstance(data.get("kind"), str):
            raise UsageError('a fault is a JSON object with a "kind"')
        types: dict[str, tuple[type, ...]] = {
            "kind": (str,), "count": (int,), "seconds": (int, float), "errcode": (int,), "errmsg": (str,),
        }
        for key, value in data.items():
            if key not in types:
                raise UsageError(f"unknown fault field {key!r}")
            if isinstance(value, bool) or not isinstance(value, types[key]):
                raise UsageError(f"fault field {key!r} has the wrong type")
        return cls(**{key: value for key, value in data.items()})

    def to_json(self) -> dict[str, Any]:
        """The JSON form accepted by :meth:`from_json`."""
        return {"kind": self.kind, "count": self.count, "seconds": self.seconds,
                "errcode": self.errcode, "errmsg": self.errmsg}


class FaultQueue:
    """Faults waiting to happen, first injected first applied; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()

    def add(self, fault: Fault) -> None:
        """Queue ``fault`` after any already waiting."""
        with self._lock:
            self._faults.append(fault)

    def take(self) -> Fault | None:
        """The fault for the request arriving now, if any (uses up one of its ``count``)."""
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            if fault.count > 1:
                self._faults[0] = replace(fault, count=fault.count - 1)
            else:
                self._faults.popleft()
            return fault

    def clear(self) -> None:
        """Forget every waiting fault."""
        with self._lock:
            self._faults.clear()
