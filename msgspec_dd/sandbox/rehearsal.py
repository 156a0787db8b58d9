"""``send --sandbox``: a batch goes to throwaway local robots, not to DingTalk.

Each robot of the batch gets a :class:`~msgspec_dd.sandbox.SandboxServer` configured like it
(its keywords and rate, signing with a throwaway secret) and a
:class:`~msgspec_dd.delivery.robot.Robot` pointed at it, so messages travel the real path:
signing, msgUuid, pacing, retries, HTTP. An app robot's sandbox serves the app API too (as
``sandbox --app``, with a throwaway app key and secret, the robot's own robot code and group)
and its :class:`Robot` is made by :meth:`Robot.from_config` from those values, exactly as for
DingTalk: tokens, mapping and all. The sandbox is a client of delivery, never the other
way round: :func:`rehearse` hands these robots to :func:`msgspec_dd.delivery.batch.send`.
The pieces are here for scripts and tests that want to look at the servers themselves.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec_dd.delivery.app_client import API_BASE_ENV
from msgspec_dd.errors import UsageError
from msgspec_dd.redaction import redact_json
from msgspec_dd.sandbox.app_api import AppApi, AppSettings
from msgspec_dd.sandbox.server import SandboxServer
from msgspec_dd.sandbox.settings import SandboxSettings, new_secret

if TYPE_CHECKING:
    from msgspec_dd.config import Config
    from msgspec_dd.delivery.batch import BatchReport
    from msgspec_dd.delivery.events import BatchWatcher
    from msgspec_dd.delivery.robot import Robot
    from msgspec_dd.message_files.pipeline import PreparedMessage

#: What arrived at each sandbox robot: its name, then the accepted bodies in arrival order.
Arrived = Mapping[str, tuple[Mapping[str, Any], ...]]


def check_options(*, ledger: Path | None, sandbox: bool) -> None:
    """:class:`UsageError` for ``--sandbox`` with ``--ledger``, which do not go together."""
    if sandbox and ledger is not None:
        raise UsageError(
            "--ledger records deliveries to real robots and cannot be combined with --sandbox "
            "(each --sandbox run starts an empty robot)"
        )


def rehearse(
    messages: Sequence[PreparedMessage],
    config: Config,
    *,
    max_wait: float | None = None,
    progress: Callable[[str], None] | None = None,
    watcher: BatchWatcher | None = None,
) -> BatchReport:
    """Send ``messages`` to a sandbox robot per robot named; the report says what arrived.

    ``watcher`` hears each result as it ends (see :func:`msgspec_dd.delivery.batch.deliver`)."""
    from msgspec_dd.delivery.batch import robot_names, send

    options: dict[str, Any] = {} if progress is None else {"progress": progress}
    with sandboxes(config, robot_names(messages)) as servers:
        robots = sandbox_robots(config, servers, **options)
        try:
            report = send(messages, config, max_wait=max_wait, progress=progress, robots=robots,
                          watcher=watcher)
            return replace(report, arrived=arrived(servers, robots))
        finally:
            for robot in robots.values():
                robot.close()


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
            app = None if robot.app is None else AppApi(AppSettings(
                robot_code=robot.app.robot_code, conversation=robot.app.conversation))
            servers[name] = SandboxServer(settings, app=app).start()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def sandbox_robots(
    config: Config, servers: Mapping[str, SandboxServer], **options: Any
) -> dict[str, Robot]:
    """A :class:`Robot` for each sandbox server: its URL and secret, the configured rate.

    ``options`` go to :meth:`Robot.webhook` (``progress``, ``max_wait``, ...). Close the robots
    when done.
    """
    from msgspec_dd.delivery.robot import Robot

    return {name: _app_robot(config, name, server, **options) if server.app is not None
            else Robot.webhook(name, server.url, secret=server.secret,
                               rate=config.robot(name).rate, **options)
            for name, server in servers.items()}


def _app_robot(config: Config, name: str, server: SandboxServer, **options: Any) -> Robot:
    """The app robot ``name`` made from ``config`` as for DingTalk, its sandbox's key and secret
    standing in for the environment's."""
    from msgspec_dd.delivery.robot import Robot

    app, sandbox = config.robot(name).app, server.app
    assert app is not None and sandbox is not None
    environ = {app.app_key_env: sandbox.settings.app_key, app.app_secret_env: sandbox.settings.app_secret,
               API_BASE_ENV: server.base_url}
    return Robot.from_config(config, name, environ=environ, **options)


def arrived(servers: Mapping[str, SandboxServer], robots: Mapping[str, Robot]) -> Arrived:
    """The bodies each sandbox robot accepted, with every robot's credentials hidden."""
    held = tuple(credential for robot in robots.values()
                 for credential in robot.transport.credentials)
    return {name: tuple(redact_json(body, held) for body in _bodies(server))
            for name, server in servers.items()}


def _bodies(server: SandboxServer) -> list[dict[str, Any]]:
    """What the robot accepted: webhook bodies, or the app API's (``msgKey``, ``msgParam``, and
    ``recalled``) as they were posted."""
    if server.app is None:
        return server.messages
    fields = ("msgKey", "msgParam", "openConversationId", "robotCode", "recalled")
    return [{key: record[key] for key in fields} for record in server.app.records()]


def format_arrived(bodies: Arrived) -> str:
    """What each sandbox robot received, as its group would read it (``== sandbox robot ...``)."""
    from msgspec_dd.dingtalk.plain_text import text_view

    lines: list[str] = []
    for name, payloads in bodies.items():
        count = len(payloads)
        lines.append(f"\n== sandbox robot {name}: {count} message{'s' * (count != 1)} arrived ==")
        for number, payload in enumerate(payloads, start=1):
            lines.append(f"-- {number} ({payload.get('msgtype') or payload.get('msgKey')}) --")
            lines.append((text_view(payload) if "msgtype" in payload else _app_view(payload)).rstrip("\n"))
    return "\n".join(lines) + "\n" if lines else ""


def _app_view(body: Mapping[str, Any]) -> str:
    """An app robot's message as its msgParam fields, one per line (there is no msgtype to view)."""
    params = json.loads(str(body.get("msgParam") or "{}"))
    return "".join(f"{key}: {value}\n" for key, value in params.items())
