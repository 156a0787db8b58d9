"""``msgspec-dd send PATH...``: render, validate and post messages to their robots.

Thin: options become calls to :func:`msgspec_dd.prepare.prepare_messages`,
:meth:`msgspec_dd.robot.Robot.from_config` and :func:`msgspec_dd.delivery.deliver`. Result lines
go to stdout, progress and diagnostics to stderr, every line through credential redaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from msgspec_dd.cli.options import config_option, variable_options
from msgspec_dd.robot import DEFAULT_MAX_WAIT, Robot

if TYPE_CHECKING:
    from msgspec_dd.config import Config
    from msgspec_dd.delivery import BatchReport, Prepared
    from msgspec_dd.sandbox import SandboxServer


def _max_wait(ctx: click.Context, param: click.Parameter, value: float) -> float:
    from msgspec_dd.errors import UsageError
    from msgspec_dd.pacing import check_max_wait

    try:
        return check_max_wait(value)
    except UsageError as err:
        raise click.BadParameter(str(err), ctx=ctx, param=param) from err


@click.command("send")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@variable_options
@click.option("--robot", "robot_names", multiple=True, metavar="NAME",
              help="Send to this robot instead of the files' own (repeatable).")
@click.option("--dry-run", is_flag=True, help="Do everything but the POST; print each body.")
@click.option("--ledger", "ledger_path", type=click.Path(path_type=Path, dir_okay=False),
              help="JSON Lines record of what was sent: re-runs send only what is missing.")
@click.option("--max-wait", type=float, default=DEFAULT_MAX_WAIT, callback=_max_wait,
              show_default=True,
              metavar="SECONDS",
              help="How long one message may wait for its robot's rate or lock before it is "
              "reported as not sent.")
@click.option("--force", is_flag=True, help="Send even what the ledger records as sent.")
@click.option("--sandbox", is_flag=True,
              help="Send to a local sandbox robot instead of DingTalk, then show what arrived.")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text = one line per message and robot; json = a document.")
@config_option
def command(
    paths: tuple[Path, ...],
    var_args: tuple[str, ...],
    vars_file: Path | None,
    robot_names: tuple[str, ...],
    dry_run: bool,
    ledger_path: Path | None,
    max_wait: float,
    force: bool,
    sandbox: bool,
    format_: str,
    config_path: Path | None,
) -> None:
    """Render, validate and post each message in PATHS to its robots.

    Every message is rendered and validated before the first POST. Exit 0 when every message
    was sent (or skipped as already sent), 1 when any failed or had problems, 2 for usage or
    configuration errors (a robot's webhook variable not set, for one). Directories with no
    message files are not an error: a note says so on stderr and the exit code is 0 (a
    scheduled job over an empty folder has nothing to send).
    """
    from msgspec_dd.config import load_config
    from msgspec_dd.errors import UsageError
    from msgspec_dd.prepare import prepare_messages

    if sandbox and ledger_path is not None:
        raise UsageError(
            "--ledger records deliveries to real robots and cannot be combined with --sandbox "
            "(each --sandbox run starts an empty robot)"
        )
    config = load_config(config_path)
    messages = prepare_messages(paths, config=config, var_args=var_args, vars_file=vars_file,
                                robots_override=robot_names)
    if not messages:
        _progress(f"no message files found in {', '.join(map(str, paths))}; nothing to send")
    if dry_run:
        _dry_run(messages, config, format_)
        return
    names = list(dict.fromkeys(name for message in messages for name in message.robots))
    with ExitStack() as stack:
        servers = stack.enter_context(_sandboxes(config, names)) if sandbox else {}
        robots = _robots(config, names, servers)
        for robot in robots.values():
            stack.callback(robot.close)
        report = _deliver(messages, robots, ledger_path, force=force, max_wait=max_wait)
        _print_report(report, servers, format_, _redactor(robots))
    if not report.ok:
        raise click.exceptions.Exit(1)


def _robots(config: Config, names: Sequence[str], servers: dict[str, SandboxServer]
            ) -> dict[str, Robot]:
    """Every robot of the batch, before any POST: a missing webhook variable stops here."""
    if servers:
        return {name: Robot(name, servers[name].url, secret=servers[name].secret,
                            rate=config.robot(name).rate, progress=_progress)
                for name in names}
    return {name: Robot.from_config(config, name, progress=_progress) for name in names}


def _deliver(messages: Sequence[Prepared], robots: dict[str, Robot], ledger_path: Path | None,
             *, force: bool, max_wait: float) -> BatchReport:
    from msgspec_dd.delivery import deliver, summary
    from msgspec_dd.ledger import Ledger

    if messages:
        _progress(summary(messages))
    ledger = Ledger.open(ledger_path) if ledger_path is not None else None
    try:
        return deliver(messages, robots, ledger=ledger, force=force, max_wait=max_wait)
    finally:
        if ledger is not None:
            ledger.close()


def _print_report(report: BatchReport, servers: dict[str, SandboxServer], format_: str,
                  redact: Callable[[str], str]) -> None:
    if format_ == "json":
        document: dict[str, Any] = report.to_json()
        if servers:
            document["sandbox"] = {name: server.messages for name, server in servers.items()}
        click.echo(redact(json.dumps(document, ensure_ascii=False, indent=2)))
        return
    for result in report.results:
        click.echo(redact(result.format()))
    for name, server in servers.items():
        click.echo(redact(_arrived(name, server.messages)), nl=False)


def _arrived(name: str, bodies: Sequence[dict[str, Any]]) -> str:
    """What a sandbox robot received, as the group would read it."""
    from msgspec_dd.textview import text_view

    count = len(bodies)
    lines = [f"\n== sandbox robot {name}: {count} message{'s' * (count != 1)} arrived =="]
    for number, payload in enumerate(bodies, start=1):
        lines.append(f"-- {number} ({payload.get('msgtype')}) --")
        lines.append(text_view(payload).rstrip("\n"))
    return "\n".join(lines) + "\n"


def _dry_run(messages: Sequence[Prepared], config: Config, format_: str) -> None:
    """Print each body as ``render`` does; post nothing and need no credentials."""
    from msgspec_dd import body
    from msgspec_dd.config import read_env

    for name in dict.fromkeys(n for message in messages for n in message.robots):
        variable = config.robot(name).webhook_env
        if read_env(variable) is None:
            _progress(f"note: environment variable {variable} (robot {name}) is not set; "
                      "a real send would stop there")
    if format_ == "json":
        document = {"messages": [{"path": m.path, "robots": list(m.robots), "payload": m.payload}
                                 for m in messages]}
        click.echo(body.pretty(document))
        return
    for message in messages:
        _progress(f"{message.path} -> {', '.join(message.robots)} (dry run, not sent)")
        click.echo(body.pretty(message.payload))


@contextmanager
def _sandboxes(config: Config, names: Sequence[str]) -> Iterator[dict[str, SandboxServer]]:
    """A sandbox robot per robot of the batch: its keywords and rate, a throwaway secret."""
    from msgspec_dd.sandbox import SandboxServer, SandboxSettings, new_secret

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


def _redactor(robots: dict[str, Robot]) -> Callable[[str], str]:
    """One last guard on output: hide every robot's credentials (and any credential-shaped text)."""

    def redact(text: str) -> str:
        for robot in robots.values():
            text = robot.redact(text)
        return text

    return redact


def _progress(line: str) -> None:
    from msgspec_dd.webhook import redact

    click.echo(f"msgspec-dd: {redact(line)}", err=True)
