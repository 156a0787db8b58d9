"""Rendering the message failed.

Templates run in a sandbox: attribute escapes (``__class__``), mutation, reading the
environment, unbounded work (a 10^10-step loop) and huge output (``'a' * 10**9``) are stopped
with this error, as are runtime errors such as dividing by zero or a ``$for`` over something
that is not a list.

Failing::

    text: {content: "{{ ''.__class__ }}"}
"""

from __future__ import annotations

from typing import Literal

from msgspec_dd.problems import Level

# Reported by the renderer itself, which imports ID and LEVEL from here: so this module imports
# nothing from lint (the message_files producers sit below the lint package).
ID = "render-failed"
LEVEL = Level.ERROR
STAGE: Literal["render"] = "render"
#: There is no body to check or send.
BLOCKING = True
GENERIC = False
