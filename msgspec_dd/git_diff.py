"""What git says changed between two commits: ``git diff --name-status`` as values.

Shared by ``send --changed-since REF`` and the Action's ``changed-only``
(:mod:`msgspec_dd.action.changes`), so both select the same files. A renamed file counts as changed
when its content changed, or when it moved in from outside the selected paths; a pure move inside
them does not, so a reorganisation never sends a message again. Deleted files are never selected.
Its :class:`Git` is how msgspec-dd runs git, the git ledger
(:mod:`msgspec_dd.delivery.git_ledger`) included.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from msgspec_dd.errors import UsageError
from msgspec_dd.redaction import redact


class GitError(UsageError):
    """A git command failed (not a repository, a commit that cannot be found)."""


@dataclass(frozen=True)
class Change:
    """One path in a diff: ``status`` is git's letter (A, M, R, C, T, D); paths are absolute."""

    status: str
    path: Path
    old_path: Path | None = None
    similarity: int | None = None

    def counts(self, roots: Sequence[Path]) -> bool:
        """True when the file at ``path`` is new or has new content as far as ``roots`` go."""
        if self.status == "D":
            return False
        if self.status == "R" and self.similarity == 100 and self.old_path is not None:
            return not within(self.old_path, roots)
        return True


@dataclass(frozen=True)
class ChangeSet:
    """What changed between two commits (``base`` may be the empty tree)."""

    base: str
    head: str
    changes: tuple[Change, ...]

    def changed(self, roots: Sequence[Path]) -> frozenset[Path]:
        """Absolute paths of the files added or modified (see :meth:`Change.counts`)."""
        return frozenset(change.path for change in self.changes if change.counts(roots))

    def describe(self) -> str:
        """``abc1234..def5678`` for people."""
        return f"{self.base[:7]}..{self.head[:7]}"


EMPTY = ChangeSet("", "", ())


def within(path: Path, roots: Sequence[Path]) -> bool:
    """True when ``path`` is one of ``roots`` or inside one of them."""
    return any(path == root or root in path.parents for root in roots)


class Git:
    """Runs git in one repository and returns its stdout; :class:`GitError` on failure, in git's
    own words, redacted. ``env`` is added to git's environment (such as a commit's author)."""

    def __init__(self, cwd: Path, *, env: Mapping[str, str] | None = None) -> None:
        self.cwd = cwd
        # Never wait for a password prompt: a fetch that needs one just fails.
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}

    def __call__(self, *args: str, input: str | None = None) -> str:
        try:
            proc = subprocess.run(
                ["git", "-C", str(self.cwd), *args], input=input, capture_output=True, text=True,
                encoding="utf-8", errors="surrogateescape", env=self.env, check=False,
            )
        except OSError as err:
            raise GitError(f"cannot run git: {err}") from err
        if proc.returncode != 0:
            # A remote URL may carry a token (https://x-access-token:...@github.com).
            raise GitError(redact(f"git {args[0]} failed: {proc.stderr.strip() or proc.returncode}"))
        return proc.stdout

    def has_commit(self, sha: str) -> bool:
        try:
            self("cat-file", "-e", f"{sha}^{{commit}}")
        except GitError:
            return False
        return True

    def parents(self, sha: str) -> list[str]:
        """The parents written in the commit object (also those a shallow clone cuts off)."""
        header = self("cat-file", "commit", sha).split("\n\n", 1)[0]
        return [line.split()[1] for line in header.splitlines() if line.startswith("parent ")]


def toplevel(cwd: Path, *, needed_by: str = "changed-only") -> Path:
    """The root of the git repository containing ``cwd``."""
    try:
        return Path(Git(cwd)("rev-parse", "--show-toplevel").strip()).resolve()
    except GitError as err:
        raise GitError(f"{needed_by} needs a git checkout: {cwd} is not one ({err})") from err


def diff(git: Git, root: Path, base: str, head: str) -> tuple[Change, ...]:
    """``git diff --name-status`` between two commits, with renames found."""
    out = git("diff", "--name-status", "-z", "--find-renames", "--no-ext-diff", base, head, "--")
    tokens = out.split("\0")
    changes: list[Change] = []
    index = 0
    while index < len(tokens) and tokens[index]:
        status = tokens[index]
        if status[0] in "RC":
            old, new = tokens[index + 1], tokens[index + 2]
            changes.append(Change(status[0], root / new, root / old, int(status[1:] or 0)))
            index += 3
        else:
            changes.append(Change(status[0], root / tokens[index + 1]))
            index += 2
    return tuple(changes)


def changes_since(ref: str, cwd: Path) -> ChangeSet:
    """The changes between ``ref`` and ``HEAD`` in the repository containing ``cwd``."""
    root = toplevel(cwd, needed_by="--changed-since")
    git = Git(root)
    try:
        base = git("rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}").strip()
    except GitError as err:
        raise GitError(f"--changed-since {ref!r}: no such commit in {root}; give a branch, tag or "
                       "commit id (in CI, fetch enough history: fetch-depth: 0)") from err
    head = git("rev-parse", "--verify", "HEAD^{commit}").strip()
    return ChangeSet(base, head, diff(git, root, base, head))
