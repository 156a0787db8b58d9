"""``msgspec-dd recall FILE --ledger L``: take a sent message back from its app robots' groups."""

from __future__ import annotations

from pathlib import Path

import click

from msgspec_dd.cli.receipts import Request, opened, receipt_options, report


@click.command("recall")
@receipt_options
def command(file: Path, var_args: tuple[str, ...], vars_file: Path | None, robot_name: str | None,
            ledger_path: Path, format_: str, config_path: Path | None) -> None:
    """Recall the latest sent copy of FILE (same --var values as the send) from each app robot.

    The ledger gives each copy's processQueryKey and records the recall. Exit 0 when every copy
    was recalled, 1 when DingTalk refused one (already recalled, too old...), 2 for usage or
    configuration errors, among them a webhook robot: DingTalk cannot recall a webhook's message.
    """
    from msgspec_dd.delivery.receipts import recall

    request = Request(file, var_args, vars_file, robot_name, ledger_path, config_path)
    with opened(request) as (message, ledger, receipts):
        outcomes = recall(message, ledger, receipts)
    report(outcomes, format_, ok=all(outcome.recalled for outcome in outcomes))
