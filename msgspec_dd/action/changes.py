"""``changed-only``: which message files a push or a pull request added or modified.

- ``push``: the diff between the event's ``before`` and ``after``. A new branch or the first push
  of a repository has an all-zero ``before``: then the pushed head commit's own changes count
  (every file, when it is the repository's first commit). A deleted branch changes nothing.
- ``pull_request`` (and ``pull_request_target``): the changes against the base. When the checkout
  is GitHub's merge commit (the default), that is the diff from its first parent, the base it was
  merged onto; when the PR head itself is checked out, the diff from the merge base with the base
  branch (what GitHub's "Files changed" shows).

Deleted files are never selected. A renamed file counts as changed when its content changed, or
when it moved in from outside the selected paths (publishing a draft); a pure move inside them
does not, so a reorganisation never sends a message again. Commits missing from a shallow clone
are fetched by id from ``origin``; ``git diff`` only needs the two commits, not the history.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msgspec_dd.errors import UsageError

#: Events whose payload says what changed.
EVENTS = ("push", "pull_request", "pull_request_target")

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_ZERO = re.compile(r"0+")
_FETCH_HINT = "check the repository out with actions/checkout's fetch-depth: 0"


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
    """Runs git in one repository and returns its stdout; :class:`GitError` on failure."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __call__(self, *args: str) -> str:
        try:
            proc = subprocess.run(
                ["git", "-C", str(self.cwd), *args], capture_output=True, text=True,
                encoding="utf-8", errors="surrogateescape", check=False,
                # Never wait for a password prompt: a fetch that needs one just fails.
                env=_git_env(),
            )
        except OSError as err:
            raise GitError(f"cannot run git: {err}") from err
        if proc.returncode != 0:
            raise GitError(f"git {args[0]} failed: {proc.stderr.strip() or proc.returncode}")
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


def _git_env() -> dict[str, str]:
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def toplevel(cwd: Path) -> Path:
    """The root of the git repository containing ``cwd``."""
    try:
        return Path(Git(cwd)("rev-parse", "--show-toplevel").strip()).resolve()
    except GitError as err:
        raise GitError(f"changed-only needs a git checkout: {cwd} is not one ({err})") from err


def changes_for_event(event_name: str, event: Mapping[str, Any], cwd: Path) -> ChangeSet:
    """The changes of this push or pull request, for the repository containing ``cwd``."""
    if event_name not in EVENTS:
        raise UsageError(
            f"changed-only works on push and pull_request events, not {event_name or 'unknown'}; "
            "set changed-only: false (or leave it out) for this trigger"
        )
    root = toplevel(cwd)
    git = Git(root)
    span = _push_span(event, git) if event_name == "push" else _pull_request_span(event, git)
    if span is None:
        return EMPTY
    base, head = span
    return ChangeSet(base, head, _diff(git, root, base, head))


def _push_span(event: Mapping[str, Any], git: Git) -> tuple[str, str] | None:
    after = _sha(event.get("after"), "after")
    if after is None or event.get("deleted") is True:
        return None  # a deleted branch: nothing to lint or send
    _ensure_commit(git, after, "the pushed commit (after)")
    before = _sha(event.get("before"), "before")
    if before is not None:
        _ensure_commit(git, before, "the commit before the push (before)")
        return before, after
    # A new branch or the repository's first push: no 'before' to compare with.
    parents = git.parents(after)
    if not parents:
        return git("hash-object", "-t", "tree", "/dev/null").strip(), after
    _ensure_commit(git, parents[0], "the parent of the pushed commit")
    return parents[0], after


def _pull_request_span(event: Mapping[str, Any], git: Git) -> tuple[str, str]:
    pull = event.get("pull_request")
    pull = pull if isinstance(pull, Mapping) else {}
    base = _sha(_get(pull, "base", "sha"), "pull_request.base.sha")
    head_sha = _sha(_get(pull, "head", "sha"), "pull_request.head.sha")
    if base is None:
        raise UsageError("the pull_request event has no base commit (pull_request.base.sha)")
    head = git("rev-parse", "--verify", "HEAD^{commit}").strip()
    parents = git.parents(head)
    if len(parents) == 2 and parents[1] == head_sha:
        # GitHub's merge commit: its first parent is exactly the base it merged the PR onto.
        _ensure_commit(git, parents[0], "the base of the merge commit")
        return parents[0], head
    _ensure_commit(git, base, "the pull request's base commit")
    try:
        return git("merge-base", base, head).strip(), head
    except GitError as err:
        raise GitError(f"cannot find where the pull request branched off its base; {_FETCH_HINT}"
                       ) from err


def _get(mapping: Mapping[str, Any], key: str, inner: str) -> Any:
    value = mapping.get(key)
    return value.get(inner) if isinstance(value, Mapping) else None


def _sha(value: Any, name: str) -> str | None:
    """A commit id from the event (None when absent or all zeros); anything else is refused."""
    if value is None or value == "" or (isinstance(value, str) and _ZERO.fullmatch(value)):
        return None
    if not isinstance(value, str) or not _SHA.fullmatch(value):
        raise UsageError(f"the event's {name} is not a commit id: {value!r}")
    return value


def _ensure_commit(git: Git, sha: str, what: str) -> None:
    """Make sure ``sha`` is in the clone, fetching it from origin when a shallow clone lacks it."""
    if git.has_commit(sha):
        return
    shallow = git("rev-parse", "--is-shallow-repository").strip() == "true"
    depth = ["--depth=1"] if shallow else []
    try:
        git("fetch", "--no-tags", "--quiet", *depth, "origin", sha)
    except GitError as err:
        raise GitError(f"{what} {sha[:12]} is not in this clone and could not be fetched; "
                       f"{_FETCH_HINT}") from err
    if not git.has_commit(sha):
        raise GitError(f"{what} {sha[:12]} is not in this clone; {_FETCH_HINT}")


def _diff(git: Git, root: Path, base: str, head: str) -> tuple[Change, ...]:
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
