"""Options several commands share, declared once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from msgspec_dd.delivery.git_ledger import GitBranch

F = TypeVar("F", bound=Callable[..., Any])


def config_option(function: F) -> F:
    return click.option(
        "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
        help="msgspec-dd.yaml to use (default: looked up from the message files' folder upwards, "
        "then from this directory).",
    )(function)


def variable_options(function: F) -> F:
    function = click.option(
        "--vars-file", type=click.Path(path_type=Path, dir_okay=False),
        help="YAML or JSON mapping of variable values (--var wins).",
    )(function)
    return click.option(
        "--var", "var_args", multiple=True, metavar="NAME=VALUE",
        help="A variable value, read as the variable's declared type. Repeatable.",
    )(function)


def ledger_spec(ctx: click.Context, param: click.Parameter, value: str | None
                ) -> Path | GitBranch | None:
    """``--ledger FILE|git:BRANCH`` read as a path or a branch (a usage error when malformed)."""
    from msgspec_dd.delivery.git_ledger import parse_ledger
    from msgspec_dd.errors import UsageError

    try:
        return None if value is None else parse_ledger(value)
    except UsageError as err:
        raise click.BadParameter(str(err), ctx=ctx, param=param) from err
