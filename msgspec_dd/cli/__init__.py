"""The ``msgspec-dd`` command line: a thin layer over the library.

Each command lives in its own module and is imported only when it runs, so start-up stays fast.
Exit codes are decided here and only here: 0 success, 1 problems in messages or a message not
delivered, 2 usage or configuration errors.
"""

from __future__ import annotations

import importlib
import io
import sys
from typing import NoReturn

import click

from msgspec_dd import __version__

#: command name -> (module, one-line help). Explicit, no discovery.
COMMANDS: dict[str, tuple[str, str]] = {
    "lint": ("msgspec_dd.cli.lint_command", "Check message files for problems DingTalk would reject."),
    "render": ("msgspec_dd.cli.render_command", "Print the exact JSON body that send would post."),
    "send": ("msgspec_dd.cli.send_command", "Render, validate and post messages to their robots."),
    "schema": ("msgspec_dd.cli.schema_command", "Print a self-contained JSON Schema."),
    "sandbox": ("msgspec_dd.cli.sandbox_command", "Run a local DingTalk-compatible robot."),
    "preview": ("msgspec_dd.cli.preview_command", "Write an HTML page showing messages as DingTalk does."),
    "init": ("msgspec_dd.cli.init_command", "Set up a repository: config, example messages, workflow, editor."),
    "robots": ("msgspec_dd.cli.robots_command", "List the configured robots and which variables are set."),
    "recall": ("msgspec_dd.cli.recall_command", "Take a sent message back from its app robots' groups."),
    "status": ("msgspec_dd.cli.status_command", "Show whether a sent message arrived and how many read it."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command = importlib.import_module(entry[0]).command
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, help_) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="msgspec-dd")
def cli() -> None:
    """DingTalk group-robot messages as code: lint, render, preview and send YAML message files."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn errors into exit codes, never a traceback."""
    try:
        # Outside standalone mode click returns the code of click.exceptions.Exit.
        result = cli.main(args=argv, prog_name="msgspec-dd", standalone_mode=False)
    except click.ClickException as exc:
        from msgspec_dd.redaction import redact  # error paths only: start-up stays light

        code = 2 if exc.exit_code not in (0, 1) else exc.exit_code
        _json_for_send(argv, exc.format_message(), code)
        shown = io.StringIO()
        exc.show(file=shown)  # it quotes what was typed, a webhook URL with its token included
        click.echo(redact(shown.getvalue()), err=True, nl=False)
        sys.exit(code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 -- re-raised unless it is ours (imported only then)
        _report(exc)
    sys.exit(result if isinstance(result, int) else 0)


def _report(exc: Exception) -> NoReturn:
    """Our own errors become their lines on stderr and their exit code; anything else goes on."""
    from msgspec_dd.errors import MsgspecError
    from msgspec_dd.redaction import redact
    from msgspec_dd.workflow_commands import log_line

    if not isinstance(exc, MsgspecError):
        raise exc
    for line in exc.report_lines():
        click.echo(log_line(redact(line)), err=True)  # a problem line starts with the file name
    sys.exit(exc.exit_code)


def _json_for_send(argv: list[str] | None, message: str, code: int) -> None:
    """``send --format json`` keeps its promise of one JSON document on stdout also when click
    refuses the options themselves (an unknown flag, a bad value): the error goes to stderr too."""
    import json

    from msgspec_dd.cli import send_json

    if send_json.wants_json(sys.argv[1:] if argv is None else argv):
        document = send_json.usage_document(message, code)
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
