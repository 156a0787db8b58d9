"""Finding message files: paths may be files or directories (searched recursively, sorted)."""

from __future__ import annotations

from collections.abc import Iterable
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


def discover(paths: Iterable[Path]) -> list[Path]:
    """Message files under ``paths``, in order, without repeats; UsageError for a missing path.

    A file named explicitly is always taken; a directory contributes its message files, sorted,
    skipping hidden directories (``.git``).
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        for file in _expand(path):
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append(file)
    return found


def _expand(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(
            file
            for file in path.rglob("*")
            if file.is_file()
            and is_message_file(file)
            and not any(part.startswith(".") for part in file.relative_to(path).parts[:-1])
        )
    if path.is_symlink():
        raise UsageError(f"{path}: a broken symbolic link (or a loop of links); point it at a message file")
    if path.exists():
        raise UsageError(f"{path}: not a regular file or directory; give a message file or a folder")
    raise UsageError(f"{path}: no such file or directory")
