"""``action.yml`` itself: GitHub's action-metadata schema, the product's inputs and outputs, its
steps' scripts under actionlint and shellcheck, and its steps run in bash by a simulated runner
(inputs through ``env:``, step outputs wired to the action's outputs, credentials masked)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from msgspec_dd.sandbox import SandboxServer, SandboxSettings
from tests.action.test_sim import (
    ACTION,
    SECRET,
    TOKEN,
    CompositeRun,
    Repo,
    load_action,
    message,
    pull_request_event,
    push_event,
    run_composite,
)
from tests.test_workflows import actionlint, check_jsonschema

INPUTS = ["command", "paths", "changed-only", "vars", "vars-file", "robot", "webhook", "secret",
          "dry-run", "due", "ledger"]
#: The install step needs a package index; the simulation runs the later steps with this
#: interpreter, where msgspec-dd is already installed.
INSTALLED = {"install": {"python": sys.executable}}


def test_action_matches_githubs_action_metadata_schema() -> None:
    result = check_jsonschema("--builtin-schema", "vendor.github-actions", str(ACTION))
    assert result.returncode == 0, result.stdout + result.stderr


def test_inputs_and_outputs_are_the_products() -> None:
    action = load_action()
    assert list(action["inputs"]) == INPUTS
    assert action["inputs"]["command"]["default"] == "lint"
    assert action["inputs"]["paths"]["default"] == "messages"
    assert list(action["outputs"]) == ["sent", "skipped", "failed", "results", "preview"]
    assert action["runs"]["using"] == "composite"


def test_every_input_reaches_the_run_step_as_an_environment_variable() -> None:
    steps = {step["id"]: step for step in load_action()["runs"]["steps"] if "id" in step}
    env = steps["run"]["env"]
    for name in INPUTS:
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert env[variable] == f"${{{{ inputs.{name} }}}}"
    assert steps["run"]["run"] == '"$MSGSPEC_DD_PYTHON" -m msgspec_dd.action'


def test_install_step_installs_from_the_actions_own_checkout_into_a_venv() -> None:
    [install] = [step for step in load_action()["runs"]["steps"] if step.get("id") == "install"]
    script = install["run"]
    assert 'python3 -m venv --system-site-packages "$venv"' in script
    assert '-m pip install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"' in script
    assert "env" not in install  # no credential is around while pip runs


def test_masking_comes_before_the_step_that_uses_the_credentials() -> None:
    names = [step.get("name") for step in load_action()["runs"]["steps"]]
    assert names.index("Mask credentials") < names.index("Run msgspec-dd ${{ inputs.command }}")


def as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    """The composite steps as a reusable workflow: actionlint then checks their expressions
    (``inputs.*``, ``steps.*.outputs.*``) and runs shellcheck on their scripts."""
    inputs = {name: {"type": "string", "required": False, "default": str(spec.get("default", ""))}
              for name, spec in action["inputs"].items()}
    return {
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }


def lint_steps(action: dict[str, Any], tmp_path: Path) -> str:
    (tmp_path / ".git").mkdir(exist_ok=True)
    path = tmp_path / ".github" / "workflows" / "action-steps.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(as_workflow(action), sort_keys=False), encoding="utf-8")
    result = actionlint(str(path), cwd=tmp_path)
    return result.stdout + result.stderr


def test_action_steps_pass_actionlint_and_shellcheck(tmp_path: Path) -> None:
    assert lint_steps(load_action(), tmp_path) == ""


def test_the_step_check_would_catch_a_mistake(tmp_path: Path) -> None:
    action = load_action()
    action["runs"]["steps"][-1]["env"]["INPUT_PATHS"] = "${{ inputs.path }}"
    assert 'property "path" is not defined' in lint_steps(action, tmp_path)


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_shellcheck_runs_on_the_scripts(tmp_path: Path) -> None:
    action = load_action()
    action["runs"]["steps"][0]["run"] += "\necho $RUNNER_TEMP/unquoted\n"
    assert "SC2086" in lint_steps(action, tmp_path)


# -- the steps, run --------------------------------------------------------------------------------

def mask_lines(run: CompositeRun) -> list[str]:
    return run.steps["step1"].out.splitlines()


def test_send_through_the_composite_steps(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/a.yaml", message("a"))
    before = repo.commit("a")
    repo.write("messages/b.yaml", message("b"))
    after = repo.commit("b")
    with SandboxServer(SandboxSettings(token=TOKEN, secret=SECRET)) as server:
        run = run_composite(repo.path, tmp_path / "runner", event_name="push",
                            event=push_event(repo, before, after), step_outputs=INSTALLED,
                            inputs={"command": "send", "changed-only": "true",
                                    "webhook": server.url, "secret": SECRET})
        arrived = server.messages

    assert not run.failed, {k: (s.out, s.err) for k, s in run.steps.items()}
    assert list(run.steps) == ["step1", "run"]  # install skipped (given), mask, run
    assert [body["markdown"]["title"] for body in arrived] == ["b"]
    assert (run.outputs["sent"], run.outputs["skipped"], run.outputs["failed"]) == ("1", "0", "0")
    assert json.loads(run.outputs["results"])["counts"] == {"sent": 1, "skipped": 0, "failed": 0}
    assert run.outputs["preview"] == ""
    assert "**1 sent, 0 skipped, 0 failed**" in run.summary
    # The mask step prints exactly the masks: the webhook, the token inside it, the secret.
    assert mask_lines(run) == [f"::add-mask::{server.url}", f"::add-mask::{TOKEN}",
                               f"::add-mask::{SECRET}"]
    assert run.steps["step1"].err == ""
    # Nothing else shows a credential: not the run step's log, the outputs or the summary.
    rest = "\n".join([run.steps["run"].out, run.steps["run"].err, json.dumps(run.outputs),
                      run.summary])
    assert TOKEN not in rest and SECRET not in rest


def test_review_on_a_pull_request_through_the_composite_steps(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/a.yaml", message("a"))
    base = repo.commit("a")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("messages/b.yaml", message("b").replace("title: b", "title: 'b'\n    extra: 1"))
    head = repo.commit("b, with a typo")

    run = run_composite(repo.path, tmp_path / "runner", event_name="pull_request",
                        event=pull_request_event(base, head), step_outputs=INSTALLED,
                        inputs={"command": "preview", "changed-only": "true"})

    assert run.steps["run"].code == 1
    annotations = run.steps["run"].out.splitlines()
    assert annotations and all(line.startswith("::error file=messages/b.yaml,line=") for line in
                               annotations)
    assert mask_lines(run) == []  # no credentials given, nothing to mask
    results = json.loads(run.outputs["results"])
    assert results["files"] == ["messages/b.yaml"] and results["errors"] >= 1
    assert run.outputs["sent"] == "0"
    assert "## msgspec-dd preview" in run.summary


def test_an_input_cannot_inject_shell_code(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/a.yaml", message("a"))
    repo.commit("a")
    marker = tmp_path / "pwned"
    hostile = f'messages"; touch {marker}; echo "$(touch {marker})'

    run = run_composite(repo.path, tmp_path / "runner", event_name="push", event={},
                        step_outputs=INSTALLED, inputs={"paths": hostile, "command": "lint"})

    assert not marker.exists()
    assert run.steps["run"].code == 2  # the path simply does not exist
    assert "no such file or directory" in run.steps["run"].out
