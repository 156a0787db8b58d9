"""GitHub Actions workflow commands (``::error file=…::message``): escaping what goes into them.

A workflow command is a line starting with ``::``; its message and properties must escape the
characters GitHub reads as structure, or a file name could end one command and start another.
"""

from __future__ import annotations


def command_data(text: str) -> str:
    """``text`` escaped as the message of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    """``text`` escaped as a property value (``file=``, ``title=``) of a workflow command."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")
