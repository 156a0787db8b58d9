"""What ``recall`` and ``status`` share: their options, and the message and ledger they start from."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import click

from msgspec_dd.cli.options import config_option, ledger_spec, variable_options
from msgspec_dd.redaction import redact
from msgspec_dd.workflow_commands import json_log_text, log_line

if TYPE_CHECKING:
    from msgspec_dd.delivery.git_ledger import GitBranch
    from msgspec_dd.delivery.ledger import Ledger
    from msgspec_dd.delivery.receipts import Receipts
    from msgspec_dd.message_files.pipeline import PreparedMessage

F = TypeVar("F", bound=Callable[..., Any])


def receipt_options(function: F) -> F:
    """FILE, --var/--vars-file, --robot, --ledger (required), --format and --config."""
    for option in (
        config_option,
        click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text",
                     show_default=True, help="text = a line per robot; json = a document."),
        click.option("--ledger", "ledger_path", required=True, metavar="FILE|git:BRANCH",
                     callback=ledger_spec,
                     help="The ledger send --ledger wrote (it holds each message's processQueryKey)."),
        click.option("--robot", "robot_name", metavar="NAME",
                     help="Only this app robot (default: each app robot of the file)."),
        variable_options,
        click.argument("file", type=click.Path(path_type=Path)),
    ):
        function = option(function)
    return function


@dataclass(frozen=True)
class Request:
    """The options of ``recall``/``status`` as given."""

    file: Path
    var_args: tuple[str, ...]
    vars_file: Path | None
    robot_name: str | None
    ledger_path: Path | GitBranch
    config_path: Path | None


@contextmanager
def opened(request: Request) -> Iterator[tuple[PreparedMessage, Ledger, Receipts]]:
    """The message as send would prepare it, the ledger, and how to reach the app API.

    Webhook robots of the file are named in a note on stderr and left out.
    """
    from msgspec_dd.config import load_config
    from msgspec_dd.delivery.receipts import NO_WEBHOOK_RECEIPTS, Receipts, open_ledger
    from msgspec_dd.message_files.pipeline import prepare_file

    config = load_config(request.config_path, paths=[request.file])
    message = prepare_file(request.file, config=config, var_args=request.var_args,
                           vars_file=request.vars_file,
                           robots_override=(request.robot_name,) if request.robot_name else ())
    receipts = Receipts(config)
    receipts.check(message)
    skipped = receipts.webhook_robots(message)
    if skipped:
        echo(f"msgspec-dd: note: left out webhook robot {', '.join(skipped)}: {NO_WEBHOOK_RECEIPTS}",
             err=True)
    with ExitStack() as stack:
        yield message, open_ledger(request.ledger_path, stack, message, config), receipts


class Outcome(Protocol):
    """A recall's or a status's result for one robot."""

    def format(self) -> str: ...

    def to_json(self) -> dict[str, Any]: ...


def report(outcomes: Sequence[Outcome], format_: str, *, ok: bool) -> None:
    """A line per robot, or ``{"results": [...]}``; exit 1 unless ``ok``."""
    if format_ == "json":
        document = json.dumps({"results": [o.to_json() for o in outcomes]}, ensure_ascii=False, indent=2)
        click.echo(json_log_text(redact(document)))
    else:
        for outcome in outcomes:
            echo(outcome.format())
    if not ok:
        raise click.exceptions.Exit(1)


def echo(text: str, *, err: bool = False) -> None:
    """Every line goes out here, with credentials hidden, and never read as a GitHub workflow
    command (file names are user data)."""
    click.echo(log_line(redact(text)), err=err)
