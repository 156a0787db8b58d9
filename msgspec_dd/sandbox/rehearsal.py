"""``send --sandbox`` as a library: a batch goes to throwaway local robots, not to DingTalk.

Each robot of the batch gets a :class:`~msgspec_dd.sandbox.SandboxServer` configured like it
(its keywords and rate, signing with a throwaway secret) and a :class:`~msgspec_dd.delivery.robot.Robot`
pointed at it, so messages travel the real path: signing, msgUuid, pacing, retries, HTTP.
:func:`msgspec_dd.delivery.batch.send` with ``sandbox=True`` puts these together; the pieces are here
for scripts and tests that want to look at the servers themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from msgspec_dd.sandbox.server import SandboxServer
from msgspec_dd.sandbox.settings import SandboxSettings, new_secret

if TYPE_CHECKING:
    from msgspec_dd.config import Config
    from msgspec_dd.delivery.robot import Robot

#: What arrived at each sandbox robot: its name, then the accepted bodies in arrival order.
Arrived = Mapping[str, tuple[Mapping[str, Any], ...]]


@contextmanager
def sandboxes(config: Config, names: Sequence[str]) -> Iterator[dict[str, SandboxServer]]:
    """A running sandbox robot per name: the robot's keywords and rate, a throwaway secret.

    All of them are stopped on leaving the ``with`` block, also when one fails to start.
    """
    servers: dict[str, SandboxServer] = {}
    try:
        for name in names:
            robot = config.robot(name)
            settings = SandboxSettings(
                secret=new_secret(), keywords=robot.keywords, rate_count=robot.rate.count,
                rate_seconds=robot.rate.per_seconds,
            )
            servers[name] = SandboxServer(settings).start()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def sandbox_robots(
    config: Config, servers: Mapping[str, SandboxServer], **options: Any
) -> dict[str, Robot]:
    """A :class:`Robot` for each sandbox server: its URL and secret, the configured rate.

    ``options`` go to :class:`Robot` (``progress``, ``max_wait``, ...). Close the robots when done.
    """
    from msgspec_dd.delivery.robot import Robot

    return {name: Robot(name, server.url, secret=server.secret, rate=config.robot(name).rate,
                        **options)
            for name, server in servers.items()}


def arrived(servers: Mapping[str, SandboxServer], robots: Mapping[str, Robot]) -> Arrived:
    """The bodies each sandbox robot accepted, with every robot's own token and secret hidden.

    Only those (and any ``SEC`` secret): the bodies are what users wrote, so a 64-hex checksum
    in one is shown as written, as ``render`` shows it.
    """
    from msgspec_dd.dingtalk.webhook_url import scrub

    def hide(text: str) -> str:
        for robot in robots.values():
            text = robot.hide_credentials(text)
        return text

    return {name: tuple(scrub(body, hide) for body in server.messages)
            for name, server in servers.items()}


def format_arrived(bodies: Arrived) -> str:
    """What each sandbox robot received, as its group would read it (``== sandbox robot ...``)."""
    from msgspec_dd.dingtalk.plain_text import text_view

    lines: list[str] = []
    for name, payloads in bodies.items():
        count = len(payloads)
        lines.append(f"\n== sandbox robot {name}: {count} message{'s' * (count != 1)} arrived ==")
        for number, payload in enumerate(payloads, start=1):
            lines.append(f"-- {number} ({payload.get('msgtype')}) --")
            lines.append(text_view(payload).rstrip("\n"))
    return "\n".join(lines) + "\n" if lines else ""
