"""``msgspec-dd schema [MSGTYPE]``: print a self-contained JSON Schema.

Without MSGTYPE, the message-file schema; with one, the strict payload schema of that msgtype.
External ``$ref``s are bundled into ``$defs``, so the output can be saved anywhere and used alone.
"""

from __future__ import annotations

import json

import click

from msgspec_dd.schemas import catalog


@click.command(name="schema")
@click.argument("msgtype", metavar="[MSGTYPE]", required=False, type=click.Choice(catalog.MSGTYPES))
def command(msgtype: str | None) -> None:
    """Print the message-file schema, or the payload schema of MSGTYPE.

    MSGTYPE is one of text, link, markdown, actionCard, feedCard.
    """
    schema = catalog.bundle(msgtype or "message-file")
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))
