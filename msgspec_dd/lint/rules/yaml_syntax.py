"""The file cannot be read as a message file: YAML or JSON syntax, encoding, size or aliases.

Reported when a file is not valid YAML (or JSON for ``.json`` files), is not UTF-8 (a GBK file
is told so), holds NUL bytes, is larger than 1,000,000 bytes, has a duplicate key, uses tabs for
indentation, is nested deeper than 64 levels, or uses aliases that expand to more than 50,000
values (the "billion laughs" attack). Nothing else is checked in such a file.

The YAML mistakes of chat text get a hint at the value, saying what YAML did and how to quote
it: a value starting with ``@``, ``*``, a backquote, ``%``, ``!``, ``&``, ``|``, ``>`` or ``{{``, a
value holding ``: `` (``CPU: 95%``), chat text after a ``[紧急]`` or ``"紧急"`` prefix, and a
value YAML cannot build (``2024-02-30``).

Failing (fix: ``content: "@13800138000 请处理"``)::

    content: @13800138000 请处理

Failing::

    message:
      msgtype: text
      text: {content: "unclosed
"""

from __future__ import annotations

from typing import Literal

from msgspec_dd.problems import Level

# Reported by the loader itself, which imports ID and LEVEL from here: so this module imports
# nothing from lint (the message_files producers sit below the lint package).
ID = "yaml-syntax"
LEVEL = Level.ERROR
STAGE: Literal["load"] = "load"
#: Nothing else can be checked in a file that cannot be read.
BLOCKING = True
GENERIC = False
