"""``msgspec-dd sandbox``: run a local DingTalk-compatible robot until Ctrl-C or SIGTERM.

The first line on stdout, flushed at once, is the webhook URL (with the sandbox's own throwaway
token, the one token ever printed). With ``--app`` the sandbox also serves DingTalk's app robot
API, and a second line gives its base URL and throwaway app credentials, robot code and group.
Everything else goes to stderr: the settings (never the
secret) and one line per request (errcode and msgtype, never the token or signature).
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

import click

from msgspec_dd.errors import UsageError
from msgspec_dd.sandbox import SandboxServer, SandboxSettings, parse_rate
from msgspec_dd.sandbox.app_api import AppApi
from msgspec_dd.workflow_commands import log_line


class _Stopped(Exception):
    """Raised in the main thread by SIGTERM, to leave the wait like Ctrl-C does."""


def _rate(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, float]:
    try:
        return parse_rate(value)
    except UsageError as err:
        raise click.BadParameter(str(err), ctx=ctx, param=param) from err


def _log(line: str) -> None:
    # A log line may quote the request (a msgtype, a field name): one line, never a command.
    click.echo(log_line(f"sandbox: {line}"), err=True)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Stopped


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--token", help="The robot's access token: 1-128 letters, digits, '_' or '-' "
              "(default: a random 64-hex one).")
@click.option("--secret", help="Require 加签 signatures with this secret (SEC...). Never printed.")
@click.option("--keyword", "keywords", multiple=True,
              help="A custom keyword every message must contain (repeatable, up to 10, "
              "none blank).")
@click.option("--rate", "rate", default="20/60", show_default=True, callback=_rate,
              help="Rate limit as COUNT/SECONDS: at most COUNT requests in any SECONDS window.")
@click.option("--lock", "lock_seconds", type=click.FloatRange(min=0), default=600.0,
              show_default=True, help="Seconds the robot stays locked after exceeding the rate.")
@click.option("--latency", "latency_ms", type=click.FloatRange(min=0), default=0.0,
              show_default=True,
              help="Simulated round trip in ms: one per request, two more per new connection.")
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep accepted messages in this JSON Lines file across restarts.")
@click.option("--app", "app", is_flag=True,
              help="Also serve DingTalk's app robot API (/v1.0/...); prints its base URL and "
              "throwaway app key, app secret, robot code and group on the second line.")
def command(
    host: str,
    port: int,
    token: str | None,
    secret: str | None,
    keywords: tuple[str, ...],
    rate: tuple[int, float],
    lock_seconds: float,
    latency_ms: float,
    store: Path | None,
    app: bool,
) -> None:
    """Run a local DingTalk-compatible robot; prints its webhook URL first."""
    settings = SandboxSettings(
        token=token, secret=secret, keywords=keywords, rate_count=rate[0], rate_seconds=rate[1],
        lock_seconds=lock_seconds, latency_ms=latency_ms, store=store,
    )
    server = SandboxServer(settings, host=host, port=port, log=_log, app=AppApi(log=_log) if app else None)
    server.start()
    try:
        # After the start (which it must not interrupt), before the URL: whoever reads the URL
        # may stop the sandbox at once.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _on_sigterm)
        click.echo(server.url)
        if server.app is not None:
            click.echo(app_line(server.base_url, server.app))
        sys.stdout.flush()
        _announce(server, settings)
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, _Stopped):
        pass  # Ctrl-C and SIGTERM end the command normally (exit 0)
    finally:
        server.stop()
    click.echo("sandbox: stopped", err=True)


def app_line(base_url: str, app: AppApi) -> str:
    """The app API's second stdout line: throwaway values, so printing them is safe."""
    s = app.settings
    return (f"MSGSPEC_DD_API_BASE={base_url} app_key={s.app_key} app_secret={s.app_secret} "
            f"robot_code={s.code} conversation={s.conversation}")


def _announce(server: SandboxServer, settings: SandboxSettings) -> None:
    lines = [
        f"inbox: {server.base_url}/",
        f"signing: {'on' if settings.secret else 'off'}",
        f"keywords: {', '.join(settings.keywords) if settings.keywords else '(none)'}",
        f"rate: {settings.rate_count}/{settings.rate_seconds:g}s, lock {settings.lock_seconds:g}s",
    ]
    if settings.latency_ms:
        lines.append(f"latency: {settings.latency_ms:g} ms per round trip")
    if settings.store is not None:
        lines.append(f"store: {settings.store} ({len(server.records)} messages)")
    for line in lines:
        _log(line)
    _log("press Ctrl-C to stop")
