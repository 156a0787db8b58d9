"""``msgspec-dd init``: a user's repository set up from nothing, used as a user would use it.

One repository is initialised per module and shared by the read-only tests; the tests that run
init themselves use their own folders.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from msgspec_dd import __version__
from tests.clirun import ROOT, Run, run_cli
from tests.test_workflows import actionlint, steps, triggers

FILES = (
    "msgspec-dd.yaml",
    "messages/announcement.yaml",
    "messages/weekly-reminder.yaml",
    ".msgspec-dd/schemas/message-file.schema.json",
    ".msgspec-dd/schemas/config.schema.json",
    ".github/workflows/messages.yml",
    ".pre-commit-config.yaml",
    ".vscode/settings.json",
)
MESSAGES = ("messages/announcement.yaml", "messages/weekly-reminder.yaml")
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def clean_env() -> dict[str, str]:
    """The environment without any DingTalk credential, as on a fresh machine."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("DINGTALK_", "GITHUB_"))}


def init(*args: str, cwd: Path | None = None) -> Run:
    result = run_cli(["init", *args], cwd=cwd, env=clean_env())
    assert "Traceback" not in result.err
    return result


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("user-repo")
    result = init(str(folder))
    assert result.code == 0, result.err
    return folder


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_init_reports_every_file_it_wrote_then_the_next_steps_in_english_and_chinese(tmp_path: Path) -> None:
    result = init(str(tmp_path / "repo"))
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[:len(FILES)] == [f"wrote {path}" for path in FILES]
    assert lines[len(FILES) + 1] == f"Wrote {len(FILES)} files in {tmp_path / 'repo'}."
    for step in ("msgspec-dd send messages/announcement.yaml --sandbox",
                 "群设置 → 智能群助手 → 添加机器人 → 自定义", "加签",
                 "DINGTALK_WEBHOOK and\n     DINGTALK_SECRET", "DINGTALK_WEBHOOK 和 DINGTALK_SECRET",
                 "Settings → Secrets and variables → Actions", "uses: OWNER/msgspec-dd@v1", "下一步"):
        assert step in result.out
    assert sorted(str(p.relative_to(tmp_path / "repo")) for p in (tmp_path / "repo").rglob("*")
                  if p.is_file()) == sorted(FILES)


def test_a_second_run_changes_nothing_and_reports_every_file_kept(tmp_path: Path) -> None:
    assert init(str(tmp_path)).code == 0
    before = snapshot(tmp_path)
    again = init(str(tmp_path))
    assert again.code == 0
    lines = again.out.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [["kept", path] for path in FILES]
    assert lines[-1] == f"Nothing written: every file exists in {tmp_path}."
    assert snapshot(tmp_path) == before


def test_init_never_overwrites_a_file_the_user_has(tmp_path: Path) -> None:
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "settings.json").write_text('{"editor.tabSize": 2}\n', "utf-8")
    (tmp_path / "msgspec-dd.yaml").write_text("timezone: Europe/Berlin\n", "utf-8")
    result = init(cwd=tmp_path)  # DIR defaults to the current directory
    assert result.code == 0
    assert "kept  msgspec-dd.yaml (exists)" in result.out.splitlines()
    assert ("kept  .vscode/settings.json (exists; map messages/**/*.yaml to "
            ".msgspec-dd/schemas/message-file.schema.json in yaml.schemas yourself)") in result.out
    assert "wrote messages/announcement.yaml" in result.out.splitlines()
    assert (tmp_path / "msgspec-dd.yaml").read_text("utf-8") == "timezone: Europe/Berlin\n"
    assert (tmp_path / ".vscode" / "settings.json").read_text("utf-8") == '{"editor.tabSize": 2}\n'


def test_a_file_given_as_the_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", "utf-8")
    for target in (tmp_path / "f", tmp_path / "f" / "sub"):
        result = init(str(target))
        assert result.code == 2
        assert result.out == ""
        assert str(tmp_path / "f") in result.err
    assert (tmp_path / "f").read_text("utf-8") == "x"


def test_every_generated_yaml_and_json_file_parses(repo: Path) -> None:
    for path in FILES:
        text = (repo / path).read_text(encoding="utf-8")
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
        assert isinstance(data, dict), path


def test_the_generated_repository_lints_clean_from_inside_it(repo: Path) -> None:
    result = run_cli(["lint", "--strict", "--format", "text"], cwd=repo, env=clean_env())
    assert (result.code, result.out) == (0, "")
    assert result.err.strip() == "2 files checked, no problems"


@pytest.mark.parametrize(("path", "msgtype"), [(MESSAGES[0], "markdown"), (MESSAGES[1], "text")])
def test_the_generated_messages_render(repo: Path, path: str, msgtype: str) -> None:
    result = run_cli(["render", path], cwd=repo, env=clean_env())
    assert result.code == 0, result.err
    assert json.loads(result.out)["msgtype"] == msgtype


def test_the_announcement_goes_to_the_sandbox_from_inside_the_repository(repo: Path) -> None:
    result = run_cli(["send", "messages/announcement.yaml", "--sandbox"], cwd=repo, env=clean_env())
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "messages/announcement.yaml -> default: sent"
    assert "== sandbox robot default: 1 message arrived ==" in lines
    assert "### 群通知已接入 msgspec-dd" in lines


def test_the_scheduled_example_says_when_it_goes_out(repo: Path) -> None:
    data = load_yaml(repo / MESSAGES[1])
    assert data["when"] == {"cron": "0 8 * * 1", "grace": "2h"}
    assert data["vars"]["deadline"]["default"] in data["vars"]["deadline"]["examples"]
    assert load_yaml(repo / MESSAGES[0])["when"] == "change"


def test_modelines_point_at_the_local_schema_copies(repo: Path) -> None:
    for path in (*MESSAGES, "msgspec-dd.yaml"):
        file = repo / path
        match = MODELINE.search(file.read_text(encoding="utf-8"))
        assert match, path
        schema = (file.parent / match.group(1)).resolve()
        assert schema.is_relative_to(repo / ".msgspec-dd" / "schemas"), path
        # What the editor will do with it: the file is valid against the schema it points at.
        jsonschema.validate(load_yaml(file), json.loads(schema.read_text(encoding="utf-8")))


def test_the_local_schemas_are_the_shipped_ones_bundled(repo: Path) -> None:
    from msgspec_dd.schemas import catalog

    for name in ("message-file", "config"):
        local = json.loads((repo / ".msgspec-dd" / "schemas" / f"{name}.schema.json").read_text("utf-8"))
        jsonschema.Draft202012Validator.check_schema(local)
        assert local == catalog.bundle(name)
        # Self-contained: no reference to a file beside it (the JSON Schema metaschema is a URL).
        assert not re.search(r'"\$ref": "(?!#|https://)', json.dumps(local))


def yaml_extension_matches(pattern: str, path: str) -> bool:
    """How yaml-language-server matches a ``yaml.schemas`` pattern: ``*`` is ``.*`` (it crosses
    ``/``), anchored only at the end of the file's URI."""
    escaped = re.sub(r"[-\\{}+?|^$.,\[\]()#\s]", lambda m: "\\" + m.group(0), pattern)
    return re.search(escaped.replace("*", ".*") + "$", "file:///home/me/repo/" + path) is not None


def test_vscode_settings_map_messages_and_config_to_the_local_schemas(repo: Path) -> None:
    settings = json.loads((repo / ".vscode" / "settings.json").read_text("utf-8"))
    patterns: dict[str, list[str]] = {}
    for schema, globs in settings["yaml.schemas"].items():
        assert (repo / schema).is_file(), schema
        patterns[Path(schema).name] = [globs] if isinstance(globs, str) else globs
    assert patterns["config.schema.json"] == ["msgspec-dd.yaml"]
    messages = patterns["message-file.schema.json"]
    # Both readings of the patterns: the YAML extension's regex, and real globs (newer versions).
    for path in (*MESSAGES, "messages/team/x.yml"):
        assert any(yaml_extension_matches(pattern, path) for pattern in messages), path
    for path in ("msgspec-dd.yaml", ".github/workflows/messages.yml", "docs/a.yaml"):
        assert not any(yaml_extension_matches(pattern, path) for pattern in messages), path
    globbed = {str(p.relative_to(repo)) for pattern in messages for p in repo.glob(pattern)}
    assert globbed == set(MESSAGES)
    (json_mapping,) = settings["json.schemas"]
    assert (repo / json_mapping["url"]).is_file()


def test_the_pre_commit_entry_uses_the_hook_this_repository_offers(repo: Path) -> None:
    (hook,) = load_yaml(ROOT / ".pre-commit-hooks.yaml")
    (entry,) = load_yaml(repo / ".pre-commit-config.yaml")["repos"]
    assert entry == {"repo": "https://github.com/OWNER/msgspec-dd", "rev": f"v{__version__}",
                     "hooks": [{"id": hook["id"]}]}


def test_the_generated_workflow_passes_actionlint(repo: Path, tmp_path: Path) -> None:
    # A copy with a .git of its own: actionlint's project root, and the module's repo stays as init left it.
    (tmp_path / ".git").mkdir()
    workflow = tmp_path / ".github" / "workflows" / "messages.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_bytes((repo / ".github" / "workflows" / "messages.yml").read_bytes())
    result = actionlint(cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_workflow_has_the_three_uses(repo: Path) -> None:
    path = repo / ".github" / "workflows" / "messages.yml"
    workflow = load_yaml(path)
    on = triggers(workflow)
    assert set(on) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert on["schedule"] == [{"cron": "*/15 * * * *"}]
    assert "late, by minutes and sometimes by an hour" in path.read_text("utf-8")
    review = {step.get("uses", "").split("@")[0]: step.get("with", {}) for step in steps(workflow, "review")}
    assert review["OWNER/msgspec-dd"] == {"command": "preview", "changed-only": True}
    assert "actions/upload-artifact" in review
    send = steps(workflow, "send")[-1]["with"]
    assert (send["command"], send["changed-only"], send["ledger"]) == ("send", True, "git:msgspec-dd-ledger")
    due = steps(workflow, "due")[-1]["with"]
    assert (due["command"], due["due"], due["ledger"]) == ("send", True, "git:msgspec-dd-ledger")
    for job in ("send", "due"):
        assert workflow["jobs"][job]["permissions"] == {"contents": "write"}
        assert workflow["jobs"][job]["concurrency"] == {"group": "dingtalk-send", "cancel-in-progress": False}


def test_init_without_a_folder_sets_up_the_current_one_and_says_so(tmp_path: Path) -> None:
    first = init(cwd=tmp_path)
    assert first.code == 0 and f"Wrote {len(FILES)} files in this folder." in first.out
    again = init(cwd=tmp_path)
    assert again.code == 0 and "Nothing written: every file exists in this folder." in again.out
