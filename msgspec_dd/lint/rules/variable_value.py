"""A variable's value is missing or does not match its schema.

Each variable under ``vars:`` is a JSON Schema. At send time a variable without ``default``
must be given (``--var name=value`` or ``--vars-file``); every value, including ``default`` and
the ``examples`` lint uses, must match the schema.

Failing::

    vars:
      week: {type: integer, minimum: 1, maximum: 53, examples: [60]}
"""

from __future__ import annotations

from typing import Literal

from msgspec_dd.problems import Level

# Reported by the variables stage itself, which imports ID and LEVEL from here: so this module imports
# nothing from lint (the message_files producers sit below the lint package).
ID = "variable-value"
LEVEL = Level.ERROR
STAGE: Literal["variables"] = "variables"
#: Without its values the message cannot be rendered.
BLOCKING = True
GENERIC = False
