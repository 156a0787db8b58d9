"""How a sandbox robot is configured: its credentials, security settings, limits and clock."""

from __future__ import annotations

import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from msgspec_dd.errors import UsageError

_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d+(?:\.\d*)?|\.\d+)\s*")
#: A token goes into the webhook URL as it is, so only characters that need no encoding.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")
#: DingTalk lets a robot have at most this many custom keywords.
MAX_KEYWORDS = 10


def new_token() -> str:
    """A throwaway access token shaped like DingTalk's: 64 lowercase hexadecimal characters."""
    return secrets.token_hex(32)


def new_secret() -> str:
    """A throwaway signing secret shaped like DingTalk's: ``SEC`` and 64 hexadecimal characters."""
    return "SEC" + secrets.token_hex(32)


def parse_rate(text: str) -> tuple[int, float]:
    """``"20/60"`` -> ``(20, 60.0)``: at most COUNT messages in any SECONDS-long window.

    Raises :class:`UsageError` (exit 2) on anything else, naming the expected form.
    """
    match = _RATE.fullmatch(text)
    if match is None:
        raise UsageError(f"invalid rate {text!r}: expected COUNT/SECONDS, for example 20/60")
    count, seconds = int(match.group(1)), float(match.group(2))
    if count < 1 or seconds <= 0:
        raise UsageError(f"invalid rate {text!r}: COUNT must be at least 1 and SECONDS above 0")
    return count, seconds


@dataclass(frozen=True)
class SandboxSettings:
    """Everything that makes one sandbox robot behave like a particular DingTalk robot.

    ``token`` None means a random 64-hex token; a given one is 1 to 128 letters, digits, ``_``
    or ``-`` (it goes into the webhook URL unencoded). ``secret`` None means no signing is
    required. ``keywords`` are the robot's custom keywords: none means no keyword check, else
    at most :data:`MAX_KEYWORDS` (DingTalk's limit), none of them blank. The rate limit is a
    sliding window of ``rate_count`` requests per ``rate_seconds``, counted on arrival; exceeding
    it locks the robot for ``lock_seconds``. ``latency_ms`` simulates the network (one round trip
    per request, two more per new connection). ``store`` keeps accepted messages as JSON Lines
    across restarts. ``clock`` (seconds since the epoch) drives the timestamp window, the rate
    window, the lock and de-duplication; ``sleep`` drives latency and slow faults.
    ``dedupe_seconds`` is how long a ``msgUuid`` is remembered.
    """

    token: str | None = None
    secret: str | None = None
    keywords: tuple[str, ...] = ()
    rate_count: int = 20
    rate_seconds: float = 60.0
    lock_seconds: float = 600.0
    latency_ms: float = 0.0
    store: Path | None = None
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    dedupe_seconds: float = 3600.0

    def __post_init__(self) -> None:
        if self.token is not None and _TOKEN.fullmatch(self.token) is None:
            # Not quoted: people may try a real robot's token here.
            raise UsageError(
                "the sandbox token must be 1 to 128 letters, digits, '_' or '-' (it goes into the "
                "webhook URL as it is); leave --token out for a random one"
            )
        self._check_keywords()
        if self.secret is not None and not self.secret:
            raise UsageError("the sandbox secret must not be empty")
        if self.rate_count < 1 or self.rate_seconds <= 0:
            raise UsageError("the sandbox rate needs a count of at least 1 and seconds above 0")
        durations = (self.lock_seconds, self.latency_ms, self.dedupe_seconds)
        if not all(math.isfinite(value) and value >= 0 for value in durations):
            raise UsageError("lock, latency and dedupe durations must be finite and not negative")

    def _check_keywords(self) -> None:
        if len(self.keywords) > MAX_KEYWORDS:
            raise UsageError(
                f"a robot has at most {MAX_KEYWORDS} custom keywords, as on DingTalk; "
                f"{len(self.keywords)} were given"
            )
        if any(not keyword.strip() for keyword in self.keywords):
            # An empty keyword is in every text, which would quietly turn the check off.
            raise UsageError("a sandbox keyword must not be empty or blank")
