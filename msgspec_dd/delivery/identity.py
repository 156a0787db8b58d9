"""Which message a ledger record is about: one identity however the command spelled it.

A message is its file, its content, its robot, the resolved values of the variables it declares
(typed and defaulted) and, for a scheduled send, the occurrence. Not the rendered body, which
``now`` changes from minute to minute. The file is named by its path relative to the repository
root (the nearest parent holding ``.git``, else the config file's folder), symlinks resolved, so
``./m.yaml``, an absolute path and a run from another folder are the same message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from msgspec_dd.message_files.discovery import repository_root


def message_identity(
    path: str, content_sha256: str, robot: str, variables: Mapping[str, Any],
    occurrence: datetime | None = None,
) -> str:
    """The ledger identity of one message file sent to one robot with these variables."""
    document: list[Any] = [path, content_sha256, robot, _canonical(dict(variables))]
    if occurrence is not None:
        # Appended only for scheduled sends, so unscheduled identities keep their 0.1 formula.
        document.append(occurrence.astimezone(timezone.utc).isoformat())
    canonical = json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def ledger_name(path: str, *, anchor: Path | None = None) -> str:
    """``path`` as the ledger names it: relative to its repository root, symlinks resolved.

    Outside a repository the root is ``anchor`` (the config file's folder); outside that too, the
    absolute path. A path that is no file (``-``, stdin) is kept as it is: its content is its
    identity.
    """
    file = Path(path)
    if not file.is_file():
        return path
    resolved = file.resolve()
    root = repository_root(resolved.parent) or (anchor.resolve() if anchor else None)
    if root is None or root not in resolved.parents:
        return resolved.as_posix()
    return resolved.relative_to(root).as_posix()


def _canonical(value: Any) -> Any:
    """``value`` with every mapping key a string, distinct keys staying distinct.

    YAML mappings may mix key types (``{1: x, a: y}``), which ``sort_keys`` cannot order, and
    ``1``, ``"1"`` and ``True`` must not collide as ``"1"``. String keys are kept as they are, so
    identities already in a ledger do not change (a changed identity would send again).
    """
    if isinstance(value, Mapping):
        return {_key(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    return value


def _key(key: Any) -> str:
    # Other keys are tagged "\0type:repr"; a string key that starts with "\0" gets a second one,
    # so no string key can pass for a tagged one.
    if isinstance(key, str):
        return "\0" + key if key.startswith("\0") else key
    return f"\0{type(key).__name__}:{key!r}"
