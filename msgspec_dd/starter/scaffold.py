"""Set up a user's repository for msgspec-dd: the library behind ``msgspec-dd init``.

Writes a commented config, two example messages, one workflow with the three uses, a pre-commit
entry, editor settings, and local copies of the schemas the editor settings and the messages'
modelines point at (so completion works offline, in the user's repository rather than ours).
A file that exists is never overwritten, so running it twice changes nothing.
"""

from __future__ import annotations

import enum
import importlib.resources
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from msgspec_dd import __version__
from msgspec_dd.errors import UsageError

SCHEMA_DIR = ".msgspec-dd/schemas"


class Outcome(str, enum.Enum):
    """What happened to one file."""

    WROTE = "wrote"
    KEPT = "kept"


@dataclass(frozen=True)
class StarterFile:
    """One file ``init`` writes: where (relative to the repository), and how to make its text."""

    path: str
    content: Callable[[], str]
    #: What to do by hand when the file exists already (it is kept as it is).
    when_kept: str | None = None


@dataclass(frozen=True)
class FileReport:
    """The outcome for one file, with what to do by hand when it was kept."""

    path: str
    outcome: Outcome
    hint: str | None = None

    def format(self) -> str:
        """``wrote PATH`` or ``kept  PATH (exists; ...)``."""
        detail = f"exists; {self.hint}" if self.hint else "exists"
        tail = f" ({detail})" if self.outcome is Outcome.KEPT else ""
        return f"{self.outcome.value:<5} {self.path}{tail}"


def _template(name: str) -> Callable[[], str]:
    def read() -> str:
        text = importlib.resources.files(__package__ or "msgspec_dd.starter").joinpath(name)
        return text.read_text(encoding="utf-8").replace("@VERSION@", __version__)

    return read


def _schema(name: str) -> Callable[[], str]:
    def bundled() -> str:
        from msgspec_dd.schemas import catalog

        # Bundled: one self-contained file per schema, so nothing else must sit beside it.
        return json.dumps(catalog.bundle(name), indent=2, ensure_ascii=False) + "\n"

    return bundled


def next_steps() -> str:
    """The next steps after ``init``, in English and Chinese."""
    return _template("next-steps.txt")()


#: Everything ``init`` writes, in the order it reports them.
STARTER_FILES: tuple[StarterFile, ...] = (
    StarterFile("msgspec-dd.yaml", _template("msgspec-dd.yaml")),
    StarterFile("messages/announcement.yaml", _template("announcement.yaml")),
    StarterFile("messages/weekly-reminder.yaml", _template("weekly-reminder.yaml")),
    StarterFile(f"{SCHEMA_DIR}/message-file.schema.json", _schema("message-file"),
                "delete it and run init again to update it"),
    StarterFile(f"{SCHEMA_DIR}/config.schema.json", _schema("config"),
                "delete it and run init again to update it"),
    StarterFile(".github/workflows/messages.yml", _template("workflow.yml"),
                "run `msgspec-dd init` into an empty folder and copy its jobs"),
    StarterFile(".pre-commit-config.yaml", _template("pre-commit-config.yaml"),
                "add the hook id msgspec-dd-lint from https://github.com/OWNER/msgspec-dd yourself"),
    StarterFile(".vscode/settings.json", _template("vscode-settings.json"),
                f"map messages/**/*.yaml to {SCHEMA_DIR}/message-file.schema.json in yaml.schemas yourself"),
)


def init_repository(directory: Path, files: Sequence[StarterFile] = STARTER_FILES) -> list[FileReport]:
    """Write each of ``files`` under ``directory`` unless it exists; say what happened to each.

    :class:`UsageError` when ``directory`` is not a directory or a file cannot be written.
    """
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory}: not a directory. Give the repository's folder (default: .).")
    return [_write(directory, starter) for starter in files]


def _write(directory: Path, starter: StarterFile) -> FileReport:
    target = directory / starter.path
    if target.exists():
        return FileReport(starter.path, Outcome.KEPT, starter.when_kept)
    text = starter.content()  # before the file is created: a failure must not leave it empty
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # a file where a folder belongs, no permission
        raise _cannot_write(target, err) from err
    try:
        # "x": exclusive creation. A file that appeared since the check is not overwritten, and
        # a symbolic link (one that leads nowhere, too) is neither followed nor replaced.
        with target.open("x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except FileExistsError:
        return FileReport(starter.path, Outcome.KEPT, starter.when_kept)
    except OSError as err:
        raise _cannot_write(target, err) from err
    return FileReport(starter.path, Outcome.WROTE)


def _cannot_write(target: Path, err: OSError) -> UsageError:
    return UsageError(f"{target}: cannot write it ({err.strerror or err}). "
                      "Check the folder and its permissions, then run init again.")
