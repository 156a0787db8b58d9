"""The one interface between a :class:`~msgspec_dd.delivery.robot.Robot` and a kind of robot.

A transport turns a DingTalk message into the bytes its endpoint takes (or refuses it), posts
them, and judges what came back as a :class:`~msgspec_dd.delivery.results.Reply`. Everything
above it (the batch, pacing, retries, the ledger, result lines) sees only these calls and
replies, so it never cares which kind a robot is. There are two: the custom robot's webhook
(:class:`~msgspec_dd.delivery.webhook.WebhookTransport`) and the enterprise app robot
(:class:`~msgspec_dd.delivery.app.AppTransport`), which puts its processQueryKey in
:attr:`Reply.message_id`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from msgspec_dd.delivery.results import Reply


@dataclass(frozen=True)
class Refusal:
    """Why a robot would refuse a message, known before anything is posted."""

    reason: str


class Transport(Protocol):
    """Posts one encoded message to one robot and says what came back."""

    def encode(self, payload: Mapping[str, Any], body: bytes, msg_uuid: str) -> bytes | Refusal:
        """The request body for ``payload`` (a validated DingTalk message whose exact bytes
        are ``body``) under ``msg_uuid``, or why this robot refuses it (its size, say)."""
        ...

    def post(self, body: bytes) -> Reply:
        """Send ``body`` once with fresh credentials (a new signature, a valid token); never
        raise for the network or the answer."""
        ...

    @property
    def credentials(self) -> tuple[str, ...]:
        """Every credential this transport holds (tokens, secrets): values to hide in any text."""
        ...

    def close(self) -> None:
        """Let go of kept-alive connections."""
        ...
