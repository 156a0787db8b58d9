"""``msgspec-dd schema [MSGTYPE|config]``: print a self-contained JSON Schema.

Without an argument, the message-file schema; with a msgtype, the strict payload schema of that
msgtype; with ``config``, the schema of ``msgspec-dd.yaml``.
External ``$ref``s are bundled into ``$defs``, so the output can be saved anywhere and used alone.
"""

from __future__ import annotations

import json

import click

from msgspec_dd.schemas import catalog


@click.command(name="schema")
@click.argument("name", metavar="[MSGTYPE|config]", required=False,
                type=click.Choice((*catalog.MSGTYPES, "config")))
def command(name: str | None) -> None:
    """Print the message-file schema, the payload schema of MSGTYPE, or the config schema.

    MSGTYPE is one of text, link, markdown, actionCard, feedCard; config is msgspec-dd.yaml's.
    """
    schema = catalog.bundle(name or "message-file")
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))
