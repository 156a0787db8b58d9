"""Messages without a file: ``send -`` (one message file read from stdin) and ``send --text``.

Both become a :class:`~msgspec_dd.message_files.loader.Document` like any file's, so they go
through the same pipeline (validation, keywords, pacing, the ledger). Their names are in angle
brackets, which no file path is: ``<stdin>`` and ``<text>``. Their ledger identity comes from
their content: the bytes read from stdin, or the text given (as the value of a variable).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from msgspec_dd.errors import UsageError
from msgspec_dd.message_files.loader import MAX_FILE_BYTES, Document, Positions, parse_bytes

STDIN = "<stdin>"
TEXT = "<text>"
#: The path that stands for stdin on the command line.
STDIN_PATH = Path("-")

#: ``--text``: a text message whose content is the variable ``text``, so what was typed is sent
#: as it is (a ``{{`` in it is not a template) and identifies the message in the ledger.
_TEXT_SOURCE = b"""\
vars:
  text: {type: string, description: the text given with --text}
message:
  msgtype: text
  text:
    content: "{{ text }}"
"""


def check_options(paths: Sequence[Path], *, text: str | None, changed_since: str | None,
                  var_args: Sequence[str], vars_file: Path | None, due: bool = False) -> None:
    """:class:`UsageError` for a one-off send mixed with what it cannot go with."""
    stdin = STDIN_PATH in paths
    if stdin and len(paths) > 1:
        raise UsageError("send -: reads one message from stdin; give no other PATH with it")
    if text is not None and paths:
        raise UsageError("send --text: sends one text message; give no PATH with it")
    if (stdin or text is not None) and changed_since is not None:
        raise UsageError("--changed-since selects message files; it cannot go with - or --text")
    if (stdin or text is not None) and due:
        raise UsageError("--due sends scheduled message files; it cannot go with - or --text")
    if text is not None and (var_args or vars_file is not None):
        raise UsageError("--text is sent as it is; --var and --vars-file do not apply to it")


def read_stdin(stream: IO[bytes]) -> Document:
    """One message file from ``stream`` (YAML or JSON; a bare DingTalk body is its ``message``)."""
    raw = stream.read(MAX_FILE_BYTES + 1)
    json_syntax = raw.lstrip()[:1] == b"{"
    return as_message_file(parse_bytes(raw, STDIN, json_syntax=json_syntax))


def text_document() -> tuple[Document, str]:
    """The document of ``--text`` and the name of the variable its text goes in."""
    return parse_bytes(_TEXT_SOURCE, TEXT), "text"


def as_message_file(document: Document) -> Document:
    """``document``, a bare DingTalk body (a top-level ``msgtype``, no ``message``) put under
    ``message:``, positions and all; anything else as it is."""
    data = document.data
    if not isinstance(data, Mapping) or "msgtype" not in data or "message" in data:
        return document
    positions = document.positions
    moved = Positions(
        values={("message", *path): at for path, at in positions.values.items()},
        keys={("message", *path): at for path, at in positions.keys.items()},
        literal_blocks={("message", *path): at for path, at in positions.literal_blocks.items()},
    )
    return Document(document.path, {"message": dict(data)}, moved, document.text, document.sha256)
