"""``msgspec-dd status FILE --ledger L``: whether a sent message is there and how many read it."""

from __future__ import annotations

from pathlib import Path

import click

from msgspec_dd.cli.receipts import Request, opened, receipt_options, report


@click.command("status")
@receipt_options
def command(file: Path, var_args: tuple[str, ...], vars_file: Path | None, robot_name: str | None,
            ledger_path: Path, format_: str, config_path: Path | None) -> None:
    """Show, per app robot, the send status of FILE's latest sent copy and how many have read it.

    --format json lists each robot's sendStatus and readUserIds. Exit 0 when DingTalk answered
    for every robot, 1 when not, 2 for usage or configuration errors (a webhook robot among
    them: DingTalk keeps no read status for webhooks).
    """
    from msgspec_dd.delivery.receipts import status

    request = Request(file, var_args, vars_file, robot_name, ledger_path, config_path)
    with opened(request) as (message, ledger, receipts):
        outcomes = status(message, ledger, receipts)
    report(outcomes, format_, ok=all(outcome.ok for outcome in outcomes))
