"""``changed-only``: which message files a push or a pull request added or modified.

- ``push``: the diff between the event's ``before`` and ``after``. A new branch or the first push
  of a repository has an all-zero ``before``: then the pushed head commit's own changes count
  (every file, when it is the repository's first commit). A deleted branch changes nothing.
- ``pull_request`` (and ``pull_request_target``): the changes against the base. When the checkout
  is GitHub's merge commit (the default), that is the diff from its first parent, the base it was
  merged onto; when the PR head itself is checked out, the diff from the merge base with the base
  branch (what GitHub's "Files changed" shows).

What counts as changed (deleted never; renamed only with new content or from outside the paths)
is :mod:`msgspec_dd.git_diff`'s, shared with ``send --changed-since``. Commits missing from a
shallow clone are fetched by id from ``origin``; ``git diff`` only needs the two commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from msgspec_dd.errors import UsageError
from msgspec_dd.git_diff import EMPTY, Change, ChangeSet, Git, GitError, diff, toplevel, within

__all__ = ["EMPTY", "Change", "ChangeSet", "Git", "GitError", "changes_for_event", "within"]

#: Events whose payload says what changed.
EVENTS = ("push", "pull_request", "pull_request_target")

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_ZERO = re.compile(r"0+")
_FETCH_HINT = "check the repository out with actions/checkout's fetch-depth: 0"


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
    return ChangeSet(base, head, diff(git, root, base, head))


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
