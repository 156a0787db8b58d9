"""Finding message files: paths may be files or directories (searched recursively, sorted).

A symbolic link found in a directory is followed only when it leads to a file inside the
repository (the nearest parent holding ``.git``, else the current directory) and outside its
hidden directories: a pull request could otherwise add ``x.yaml -> ~/.docker/config.json`` or
``-> .git/config`` and have the file's contents quoted in problems and previews.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from msgspec_dd.config import CONFIG_NAME
from msgspec_dd.errors import UsageError

SUFFIXES = (".yaml", ".yml", ".json")
_SKIPPED_SUFFIXES = (".vars.yaml", ".vars.yml", ".vars.json")


def is_message_file(path: Path) -> bool:
    """A file a directory search picks: YAML or JSON, not the config, not a variables file."""
    name = path.name.lower()
    return (
        name.endswith(SUFFIXES)
        and name != CONFIG_NAME
        and not name.endswith(_SKIPPED_SUFFIXES)
    )


def _note_on_stderr(note: str) -> None:
    print(note, file=sys.stderr)


def discover(paths: Iterable[Path], *, note: Callable[[str], None] = _note_on_stderr) -> list[Path]:
    """Message files under ``paths``, in order, without repeats; UsageError for a missing path.

    A file named explicitly is always taken; a directory contributes its message files, sorted,
    skipping hidden directories (``.git``) and, with a ``note``, symbolic links leading outside
    the repository.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        for file in _expand(path, note):
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append(file)
    return found


def _expand(path: Path, note: Callable[[str], None]) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(file for file in _walk(path) if file.is_file() and is_message_file(file))
        return _inside_repository(path, files, note)
    if path.exists():  # before the link test: /dev/stdin is a link that leads to a pipe
        raise UsageError(f"{path}: not a regular file or directory (a pipe or a device); "
                         "give a message file or a folder")
    if path.is_symlink():
        raise UsageError(f"{path}: a broken symbolic link (or a loop of links); point it at a message file")
    raise UsageError(f"{path}: no such file or directory")


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts[:-1])


def _walk(directory: Path) -> Iterator[Path]:
    """Every file name under ``directory``, hidden folders (``.git``) never entered, and no linked
    folder followed (as ``Path.rglob`` does not)."""
    for folder, folders, names in os.walk(directory):
        folders[:] = [name for name in folders if not name.startswith(".")]
        yield from (Path(folder, name) for name in names)


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` (symlinks resolved) that holds ``.git`` (a
    folder, or a worktree's file); None outside a repository."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _inside_repository(directory: Path, files: list[Path], note: Callable[[str], None]) -> list[Path]:
    """``files`` found under ``directory``, but no symbolic link leading outside the repository."""
    kept: list[Path] = []
    base = directory.resolve()
    root: Path | None = None
    for file in files:
        target = file.resolve()
        if target == base / file.relative_to(directory):
            kept.append(file)  # no link on the way
            continue
        root = root or repository_root(directory) or Path.cwd().resolve()
        if target.is_relative_to(root) and not _hidden(target.relative_to(root)):
            kept.append(file)
        else:
            note(f"note: {file}: a symbolic link leading outside the repository (or into a hidden "
                 "directory such as .git); not followed")
    return kept
