"""``--ledger git:BRANCH``: the ledger as ``ledger.jsonl`` on its own branch, pushed to ``origin``.

A CI job's disk is gone after the run, so the ledger lives in the repository. The branch is read
from ``origin`` when the batch starts, into a temporary file that an ordinary
:class:`~msgspec_dd.delivery.ledger.Ledger` writes; :meth:`GitLedger.publish` turns that file
into a commit on the branch and pushes it. Only plumbing is used (``hash-object``, ``mktree``,
``commit-tree``, ``push``), so the user's working tree, index and current branch are never
touched. Records are append-only, so two runs that push at once merge as the union of their
lines: a rejected push fetches, merges and tries again, a bounded number of times.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from msgspec_dd.delivery.ledger import Ledger
from msgspec_dd.errors import DeliveryError, UsageError
from msgspec_dd.git_diff import Git, GitError, toplevel

PREFIX = "git:"
FILE_NAME = "ledger.jsonl"
#: How many times a push rejected by a concurrent one is merged and tried again.
PUSH_ATTEMPTS = 6
#: Commits need an author; CI runners have none configured.
TOOL_NAME, TOOL_EMAIL = "msgspec-dd", "msgspec-dd@users.noreply.github.com"


@dataclass(frozen=True)
class GitBranch:
    """``--ledger git:BRANCH``: a ledger kept on ``branch`` of the repository."""

    branch: str

    def __str__(self) -> str:
        return PREFIX + self.branch


def parse_ledger(text: str) -> Path | GitBranch:
    """``--ledger``'s value: ``git:BRANCH``, or a file path (``./git:x`` for a file so named)."""
    if not text.startswith(PREFIX):
        return Path(text)
    branch = text[len(PREFIX):]
    if not branch or branch.startswith("-") or not _valid_branch(branch):
        raise UsageError(f"--ledger {text!r}: {branch!r} is not a valid branch name; write it like "
                         "git:msgspec-dd-ledger")
    return GitBranch(branch)


def _valid_branch(branch: str) -> bool:
    proc = subprocess.run(["git", "check-ref-format", "--branch", branch], capture_output=True,
                          check=False)
    return proc.returncode == 0


class GitLedger:
    """A :class:`Ledger` whose file is ``ledger.jsonl`` on ``branch``; :meth:`open` it, call
    :meth:`publish` at the batch's checkpoints, and :meth:`close` it (which publishes too)."""

    def __init__(self, git: Git, branch: str, folder: Path, ledger: Ledger, *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.git, self.branch, self.folder, self.ledger = git, branch, folder, ledger
        self._sleep = sleep
        self._published: bytes | None = None
        self._signals = _Interrupts()

    @classmethod
    def open(cls, spec: GitBranch, *, repository: Path, clock: Callable[[], float] = time.time,
             sleep: Callable[[float], None] = time.sleep) -> GitLedger:
        """Read ``spec.branch`` from ``origin`` (empty when it does not exist yet)."""
        root = toplevel(repository, needed_by=f"--ledger {spec}")
        git = Git(root, env=_identity(Git(root)))
        _require_origin(git, spec)
        folder = Path(tempfile.mkdtemp(prefix="msgspec-dd-ledger-"))
        try:
            remote = _fetch(git, spec.branch)
            (folder / FILE_NAME).write_bytes(_content(git, remote))
            ledger = Ledger.open(folder / FILE_NAME, clock=clock)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        opened = cls(git, spec.branch, folder, ledger, sleep=sleep)
        opened._published = (folder / FILE_NAME).read_bytes()
        opened._signals.install()
        return opened

    def publish(self) -> None:
        """Push every record written so far; :class:`DeliveryError` when it cannot be pushed."""
        local = (self.folder / FILE_NAME).read_bytes()
        if local == self._published:
            return
        error: GitError | None = None
        for attempt in range(PUSH_ATTEMPTS):
            try:
                self._push(local)
            except GitError as err:  # most often a concurrent push: merge again and retry
                error = err
                # Jitter, so two runs that collided do not collide again.
                self._sleep(0.2 * (attempt + 1) + random.uniform(0, 0.3))
                continue
            self._published = local
            return
        raise DeliveryError(f"cannot push the ledger to origin's {self.branch} after "
                            f"{PUSH_ATTEMPTS} attempts: {error}")

    def close(self, warn: Callable[[str], None] | None = None) -> None:
        """Publish what is left (outcomes; also when interrupted), then remove the temporary file.

        A push that fails here is told to ``warn`` rather than raised: close runs on the way out
        of an interrupted batch too, whose own error must not be replaced.
        """
        try:
            self.publish()
        except DeliveryError as err:
            if warn is None:
                raise
            warn(str(err))
        finally:
            self.ledger.close()
            self._signals.restore()
            shutil.rmtree(self.folder, ignore_errors=True)

    def _push(self, local: bytes) -> None:
        remote = _fetch(self.git, self.branch)
        there = _content(self.git, remote)
        merged = union(there, local)
        if remote is not None and merged == there:
            return  # everything is there already
        text = merged.decode("utf-8", "surrogateescape")
        blob = self.git("hash-object", "-w", "--stdin", input=text).strip()
        tree = self.git("mktree", input=f"100644 blob {blob}\t{FILE_NAME}\n").strip()
        parents = ["-p", remote] if remote else []
        records = merged.count(b"\n")
        commit = self.git("commit-tree", tree, *parents, "-m",
                          f"msgspec-dd ledger: {records} records").strip()
        self.git("push", "--quiet", "origin", f"{commit}:refs/heads/{self.branch}")
        self.git("update-ref", f"refs/remotes/origin/{self.branch}", commit)


def union(remote: bytes, local: bytes) -> bytes:
    """The remote's lines, then the local lines it lacks: records are append-only, so the union
    of two ledgers is the ledger of both runs."""
    seen = set(remote.splitlines())
    added = [line for line in local.splitlines() if line and line not in seen]
    body = remote if remote.endswith(b"\n") or not remote else remote + b"\n"
    return body + b"".join(line + b"\n" for line in added)


def _fetch(git: Git, branch: str) -> str | None:
    """The commit of ``branch`` on origin, fetched (None when origin has no such branch)."""
    if not git("ls-remote", "--heads", "origin", f"refs/heads/{branch}").strip():
        return None
    git("fetch", "--quiet", "--no-tags", "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
    return git("rev-parse", "--verify", f"refs/remotes/origin/{branch}^{{commit}}").strip()


def _content(git: Git, commit: str | None) -> bytes:
    if commit is None:
        return b""
    try:
        text = git("cat-file", "blob", f"{commit}:{FILE_NAME}")
    except GitError as err:
        raise UsageError(f"the ledger branch has no {FILE_NAME} ({err}); give --ledger a branch "
                         "that only msgspec-dd send writes") from err
    return text.encode("utf-8", "surrogateescape")


def _require_origin(git: Git, spec: GitBranch) -> None:
    try:
        git("remote", "get-url", "origin")
    except GitError as err:
        raise UsageError(f"--ledger {spec} pushes the ledger to the remote origin, and "
                         f"{git.cwd} has none; add one, or give --ledger a file") from err


def _identity(git: Git) -> dict[str, str]:
    """An author and committer for the commits, where neither the environment nor git's config
    names one."""
    identity: dict[str, str] = {}
    for role in ("AUTHOR", "COMMITTER"):
        for field, key, fallback in (("NAME", "user.name", TOOL_NAME), ("EMAIL", "user.email", TOOL_EMAIL)):
            variable = f"GIT_{role}_{field}"
            if not os.environ.get(variable) and not _configured(git, key):
                identity[variable] = fallback
    return identity


def _configured(git: Git, key: str) -> bool:
    try:
        return bool(git("config", "--get", key).strip())
    except GitError:  # not set
        return False


class _Interrupts:
    """While open, SIGTERM ends the run as Ctrl-C does (KeyboardInterrupt), so the outcomes are
    pushed on the way out; a cancelled CI job gets SIGINT, then SIGTERM."""

    def __init__(self) -> None:
        self._previous: signal.Handlers | Callable[[int, FrameType | None], object] | int | None = None
        self._installed = False

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signals reach only the main thread; a library caller there keeps its own
        self._previous = signal.signal(signal.SIGTERM, _interrupt)
        self._installed = True

    def restore(self) -> None:
        if self._installed:
            # None: the handler was set outside Python; the default is the closest to it.
            signal.signal(signal.SIGTERM, signal.SIG_DFL if self._previous is None else self._previous)
            self._installed = False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
