"""GitHub Actions workflow commands (``::error file=…::message``): escaping what goes into them.

A workflow command is a line starting with ``::``; its message and properties must escape the
characters GitHub reads as structure, or a file name could end one command and start another.
Every other line the tool writes to the log goes through :func:`log_line`, so that no file name
or message text can start a command: the runner reads a line as a command when it starts with
``::`` after leading white space, or (the older form) when it holds ``##[`` anywhere.
"""

from __future__ import annotations

import re

#: Characters that end a line somewhere (the runner, a terminal, a browser) or steer a terminal:
#: C0 controls but the tab, DEL, C1 controls, and Unicode's line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r"}
#: ``::`` after leading white space: the runner trims a line before looking for a command.
_COMMAND_START = re.compile(r"^(\s*)::")


def command_data(text: str) -> str:
    """``text`` escaped as the message of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    """``text`` escaped as a property value (``file=``, ``title=``) of a workflow command."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


def visible_controls(text: str) -> str:
    """``text`` on one line: each control character shown as an escape (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(_escape_control, text)


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def log_line(text: str) -> str:
    """``text`` as one log line that the runner cannot read as a workflow command.

    Control characters become visible escapes (a file name cannot break the line), a leading
    ``::`` gets a backslash in front, and ``##[`` becomes ``##\\[``.
    """
    line = visible_controls(text).replace("##[", "##\\[")
    return _COMMAND_START.sub(lambda m: f"{m.group(1)}\\::", line)


def json_log_text(text: str) -> str:
    """JSON text with ``##[`` spelt ``##\\u005b``: the same JSON to a parser, no command to the
    runner. (JSON has ``#`` only inside strings, where the escape means the same character;
    its strings already escape line breaks, so no line of it can start with ``::``.)"""
    return text.replace("##[", "##\\u005b")
