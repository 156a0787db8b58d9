"""msgspec-dd: DingTalk group-robot messages as code.

The public API is imported lazily so that ``msgspec-dd --version`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from msgspec_dd import lazy

__version__ = "0.1.0"

__all__ = [
    "Level",
    "MsgspecError",
    "PreparedMessage",
    "Problem",
    "Robot",
    "SendResult",
    "__version__",
    "lint_paths",
    "load_document",
    "prepare_messages",
    "render_message",
]

_LAZY = {
    "Problem": "msgspec_dd.problems",
    "Level": "msgspec_dd.problems",
    "MsgspecError": "msgspec_dd.errors",
    "Robot": "msgspec_dd.delivery.robot",
    "SendResult": "msgspec_dd.delivery.results",
    "load_document": "msgspec_dd.message_files.loader",
    "prepare_messages": "msgspec_dd.message_files.pipeline",
    "PreparedMessage": "msgspec_dd.message_files.pipeline",
    "render_message": "msgspec_dd.message_files.renderer",
    "lint_paths": "msgspec_dd.lint.engine",
}

if TYPE_CHECKING:  # pragma: no cover
    from msgspec_dd.delivery.results import SendResult
    from msgspec_dd.delivery.robot import Robot
    from msgspec_dd.errors import MsgspecError
    from msgspec_dd.lint.engine import lint_paths
    from msgspec_dd.message_files.loader import load_document
    from msgspec_dd.message_files.pipeline import PreparedMessage, prepare_messages
    from msgspec_dd.message_files.renderer import render_message
    from msgspec_dd.problems import Level, Problem


__getattr__ = lazy.attributes(__name__, _LAZY)
