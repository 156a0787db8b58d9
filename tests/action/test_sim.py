"""A simulated GitHub Actions runner for the action's tests, and the tests of the simulation itself.

- :class:`Repo`: a real git repository in a temporary directory, committed to like a user would.
- :func:`push_event` / :func:`pull_request_event`: payloads shaped like the webhooks GitHub writes
  to ``GITHUB_EVENT_PATH`` (trimmed to the fields a workflow can read, all with real values).
- :func:`run_step`: ``python -m msgspec_dd.action`` run as the runner runs a step: a real
  process with ``GITHUB_*`` and ``INPUT_*`` variables, ``GITHUB_OUTPUT`` and
  ``GITHUB_STEP_SUMMARY`` files read back afterwards.
- :func:`run_composite`: runs the ``run:`` steps of ``action.yml`` in bash, evaluating the few
  ``${{ }}`` expressions a composite action uses, as the runner does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"

#: Credentials shaped exactly like DingTalk's: they must never appear in any output.
TOKEN = "7c4e" * 16
SECRET = "SEC" + "b1d9" * 16
ZERO = "0" * 40

#: git that ignores the machine's and the user's configuration (diff.renames and the like).
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Octo Cat",
    "GIT_AUTHOR_EMAIL": "octocat@example.com",
    "GIT_COMMITTER_NAME": "Octo Cat",
    "GIT_COMMITTER_EMAIL": "octocat@example.com",
}
REPOSITORY = {
    "id": 812345678,
    "name": "announcements",
    "full_name": "octo-org/announcements",
    "private": True,
    "html_url": "https://github.com/octo-org/announcements",
    "default_branch": "main",
    "owner": {"login": "octo-org", "id": 9919, "type": "Organization"},
}
SENDER = {"login": "octocat", "id": 583231, "type": "User"}


def clean_environ() -> dict[str, str]:
    """This process's environment without anything a runner or a robot would set."""
    prefixes = ("GITHUB_", "INPUT_", "RUNNER_", "DINGTALK_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    return {**env, **GIT_ENV}


class Repo:
    """A git repository in a temporary directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=self.path, env=clean_environ(),
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
        return proc.stdout.strip()

    def write(self, relative: str, text: str) -> None:
        file = self.path / relative
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def commits(self, before: str, after: str) -> list[dict[str, Any]]:
        """The push payload's ``commits``: each with its added, removed and modified files."""
        span = after if before == ZERO else f"{before}..{after}"
        shas = self.git("rev-list", "--reverse", span).split()
        return [self._commit_json(sha) for sha in shas]

    def _commit_json(self, sha: str) -> dict[str, Any]:
        lines = self.git("diff-tree", "-r", "--root", "--no-commit-id", "--name-status",
                         "--no-renames", sha).splitlines()
        files: dict[str, list[str]] = {"A": [], "D": [], "M": []}
        for line in lines:
            status, path = line.split("\t", 1)
            files.setdefault(status[0], []).append(path)
        return {
            "id": sha,
            "tree_id": self.git("rev-parse", f"{sha}^{{tree}}"),
            "distinct": True,
            "message": self.git("log", "-1", "--format=%B", sha),
            "timestamp": self.git("log", "-1", "--format=%aI", sha),
            "url": f"{REPOSITORY['html_url']}/commit/{sha}",
            "author": {"name": "Octo Cat", "email": "octocat@example.com", "username": "octocat"},
            "committer": {"name": "Octo Cat", "email": "octocat@example.com",
                          "username": "octocat"},
            "added": files["A"],
            "removed": files["D"],
            "modified": files["M"],
        }


def message(title: str, text: str = "本周例会照常举行。") -> str:
    """A valid markdown message file."""
    return (
        "# yaml-language-server: $schema=../schemas/message-file.schema.json\n"
        f"description: {title}\n"
        "message:\n"
        "  msgtype: markdown\n"
        "  markdown:\n"
        f"    title: {title}\n"
        "    text: |\n"
        f"      #### {title}\n"
        "\n"
        f"      {text}\n"
    )


def push_event(repo: Repo, before: str, after: str, *, ref: str = "refs/heads/main",
               deleted: bool = False) -> dict[str, Any]:
    """A ``push`` payload as GitHub writes it to ``GITHUB_EVENT_PATH``."""
    commits = [] if deleted else repo.commits(before, after)
    return {
        "ref": ref,
        "before": before,
        "after": after,
        "created": before == ZERO,
        "deleted": deleted,
        "forced": False,
        "base_ref": None,
        "compare": f"{REPOSITORY['html_url']}/compare/{before[:12]}...{after[:12]}",
        "commits": commits,
        "head_commit": commits[-1] if commits else None,
        "repository": REPOSITORY,
        "pusher": {"name": "octocat", "email": "octocat@example.com"},
        "sender": SENDER,
    }


def pull_request_event(base: str, head: str, *, number: int = 42) -> dict[str, Any]:
    """A ``pull_request`` (synchronize) payload as GitHub writes it to ``GITHUB_EVENT_PATH``."""
    html = f"{REPOSITORY['html_url']}/pull/{number}"
    return {
        "action": "synchronize",
        "number": number,
        "before": base,
        "after": head,
        "pull_request": {
            "url": f"https://api.github.com/repos/octo-org/announcements/pulls/{number}",
            "html_url": html,
            "number": number,
            "state": "open",
            "title": "Announce the Friday study session",
            "user": SENDER,
            "draft": False,
            "merged": False,
            "head": {"label": "octo-org:feature", "ref": "feature", "sha": head,
                     "repo": REPOSITORY, "user": SENDER},
            "base": {"label": "octo-org:main", "ref": "main", "sha": base,
                     "repo": REPOSITORY, "user": SENDER},
        },
        "repository": REPOSITORY,
        "sender": SENDER,
    }


def parse_file_commands(text: str) -> dict[str, str]:
    """Read a ``GITHUB_OUTPUT`` file: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index)
            values[name] = "\n".join(lines[index:end])
            index = end + 1
        else:
            name, _, value = line.partition("=")
            values[name] = value
    return values


@dataclass
class StepRun:
    """What one step did: exit code, log streams, outputs and the summary it added."""

    code: int
    out: str
    err: str
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @property
    def results(self) -> Any:
        return json.loads(self.outputs["results"])

    @property
    def everything(self) -> str:
        """All a run shows anyone: the log, the outputs and the job summary."""
        return "\n".join([self.out, self.err, json.dumps(self.outputs), self.summary])


def runner_environ(workspace: Path, scratch: Path, event_name: str, event: Mapping[str, Any]
                   ) -> dict[str, str]:
    """The variables the runner gives every step of a job."""
    scratch.mkdir(parents=True, exist_ok=True)
    event_path = scratch / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    return {
        **clean_environ(),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": REPOSITORY["full_name"],
        "GITHUB_SHA": str(event.get("after") or ""),
        "GITHUB_REF_NAME": "main",
        "GITHUB_ACTOR": "octocat",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "1234567890",
        "RUNNER_TEMP": str(scratch),
        "RUNNER_OS": "Linux",
    }


def run_step(workspace: Path, scratch: Path, *, event_name: str = "push",
             event: Mapping[str, Any] | None = None, inputs: Mapping[str, str] | None = None,
             args: tuple[str, ...] = (), extra_env: Mapping[str, str] | None = None) -> StepRun:
    """Run ``python -m msgspec_dd.action ARGS`` as the action's step, in ``workspace``."""
    env = runner_environ(workspace, scratch, event_name, event or {})
    output = scratch / "output"
    summary = scratch / "summary.md"
    output.write_text("", encoding="utf-8")
    summary.write_text("", encoding="utf-8")
    env.update({"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)})
    for name, value in (inputs or {}).items():
        env["INPUT_" + name.upper().replace("-", "_")] = value
    env.update(extra_env or {})
    proc = subprocess.run([sys.executable, "-m", "msgspec_dd.action", *args], cwd=workspace,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    return StepRun(proc.returncode, proc.stdout, proc.stderr,
                   parse_file_commands(output.read_text(encoding="utf-8")),
                   summary.read_text(encoding="utf-8"))


# -- action.yml ---------------------------------------------------------------------------------

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


class Expressions:
    """The contexts a composite action's expressions may read: ``inputs`` and ``steps``."""

    def __init__(self, inputs: Mapping[str, str]) -> None:
        self.inputs = dict(inputs)
        self.steps: dict[str, dict[str, str]] = {}

    def value(self, expression: str) -> str:
        parts = expression.split(".")
        if len(parts) == 2 and parts[0] == "inputs":
            return self.inputs[parts[1]]
        if len(parts) == 4 and parts[0] == "steps" and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"expression the simulation does not know: {expression}")

    def substitute(self, text: Any) -> str:
        return _EXPRESSION.sub(lambda m: self.value(m.group(1)), str(text))


@dataclass
class CompositeRun:
    """The steps that ran, and the action's outputs."""

    steps: dict[str, StepRun]
    outputs: dict[str, str]
    summary: str

    @property
    def failed(self) -> bool:
        return any(step.code != 0 for step in self.steps.values())


def run_composite(workspace: Path, scratch: Path, *, event_name: str,
                  event: Mapping[str, Any], inputs: Mapping[str, str],
                  step_outputs: Mapping[str, Mapping[str, str]] | None = None,
                  action_path: Path = ROOT) -> CompositeRun:
    """Run ``action.yml``'s steps like the runner: each ``run:`` in bash with its ``env:``.

    Steps whose id is in ``step_outputs`` are not run; they are taken to have produced those
    outputs (the install step, which needs a package index).
    """
    action = load_action()
    given = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    given.update(inputs)
    context = Expressions(given)
    context.steps.update({key: dict(value) for key, value in (step_outputs or {}).items()})
    env = runner_environ(workspace, scratch, event_name, event)
    summary = scratch / "summary.md"
    summary.write_text("", encoding="utf-8")
    runs: dict[str, StepRun] = {}
    for number, step in enumerate(action["runs"]["steps"]):
        step_id = str(step.get("id", f"step{number}"))
        if step_id in context.steps:
            continue
        run = _run_bash(step, context, env, workspace, scratch / f"step{number}", summary,
                        action_path)
        runs[step_id] = run
        context.steps[step_id] = run.outputs
        if run.code != 0:
            break
    outputs = {name: context.substitute(spec["value"])
               for name, spec in action.get("outputs", {}).items()}
    return CompositeRun(runs, outputs, summary.read_text(encoding="utf-8"))


def _run_bash(step: Mapping[str, Any], context: Expressions, env: dict[str, str], cwd: Path,
              scratch: Path, summary: Path, action_path: Path) -> StepRun:
    assert step.get("shell") == "bash", step
    script = str(step["run"])
    assert "${{" not in script, "inputs must reach scripts through env:, never ${{ }} in run:"
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "script.sh").write_text(script, encoding="utf-8")
    output = scratch / "output"
    output.write_text("", encoding="utf-8")
    step_env = {**env, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_ACTION_PATH": str(action_path)}
    step_env.update({str(k): context.substitute(v) for k, v in (step.get("env") or {}).items()})
    # The command line GitHub uses for shell: bash.
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail",
                           str(scratch / "script.sh")], cwd=cwd, env=step_env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    return StepRun(proc.returncode, proc.stdout, proc.stderr,
                   parse_file_commands(output.read_text(encoding="utf-8")))


# -- the simulation's own tests ------------------------------------------------------------------

def test_file_commands_parse_both_forms() -> None:
    text = "sent=2\nresults={\"a\": 1}\nbody<<EOF_1\nline one\nline=two\nEOF_1\nempty=\n"
    assert parse_file_commands(text) == {
        "sent": "2", "results": '{"a": 1}', "body": "line one\nline=two", "empty": "",
    }


def test_push_payload_lists_each_commit_with_its_files(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/a.yaml", message("A"))
    first = repo.commit("add a")
    repo.write("messages/b.yaml", message("B"))
    (repo.path / "messages/a.yaml").unlink()
    second = repo.commit("b replaces a")
    event = push_event(repo, first, second)
    assert [c["id"] for c in event["commits"]] == [second]
    assert event["head_commit"]["added"] == ["messages/b.yaml"]
    assert event["head_commit"]["removed"] == ["messages/a.yaml"]
    assert push_event(repo, ZERO, second)["commits"][0]["added"] == ["messages/a.yaml"]


def test_unknown_expressions_fail_the_simulation() -> None:
    context = Expressions({"command": "lint"})
    assert context.substitute("run ${{ inputs.command }}") == "run lint"
    with pytest.raises(AssertionError):
        context.substitute("${{ github.event.pull_request.title }}")
