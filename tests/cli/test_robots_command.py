"""``msgspec-dd robots``: exact listings with real environment variables set and unset, and no
value of any of them ever in the output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.clirun import Run, run_cli

CONFIG = """\
timezone: Asia/Shanghai
robots:
  default:
    webhook_env: T_HOOK
    secret_env: T_SECRET
    keywords: [日报, 通知]
    rate: {count: 10, per_seconds: 30}
  ops:
    webhook_env: T_OPS_HOOK
    display_name: 运维助手
  announce:
    app:
      app_key_env: T_APP_KEY
      app_secret_env: T_APP_SECRET
      robot_code: dingrobot123
      conversation: cidGroup==
"""
TOKEN = "0123456789abcdef" * 4
SECRETS = {
    "T_HOOK": f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
    "T_SECRET": "SEC" + "fedcba9876543210" * 4,
    "T_APP_KEY": "dingappkey42xyz",
    "DINGTALK_WEBHOOK": "f" * 64,
}
EXPECTED = """\
config: {config}

default: webhook robot (the default)
  status:     ready
  webhook:    T_HOOK (set)
  secret:     T_SECRET (set)
  keywords:   日报, 通知
  rate:       10 per 30 s
  display:    -

ops: webhook robot
  status:     not ready: T_OPS_HOOK not set
  webhook:    T_OPS_HOOK (not set)
  keywords:   -
  rate:       20 per 60 s
  display:    运维助手

announce: app robot
  status:     not ready: T_APP_SECRET not set
  app key:    T_APP_KEY (set)
  app secret: T_APP_SECRET (not set)
  robot code: dingrobot123
  group:      cidGroup==
  keywords:   -
  rate:       20 per 60 s
  display:    -

lint and send use 'default' for files without robot: (--robot NAME chooses another).
"""


def robots(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``robots`` with exactly the DingTalk variables in ``env``; check no value leaked."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("T_", "DINGTALK_"))}
    env = {**base, **(env or {})}
    result = run_cli(["robots", *args], cwd=cwd, env=env)
    for value in (*SECRETS.values(), TOKEN):
        assert value not in result.out + result.err
    assert "Traceback" not in result.err
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "msgspec-dd.yaml").write_text(CONFIG, "utf-8")
    (tmp_path / "messages").mkdir()
    return tmp_path


def test_lists_each_robot_with_which_variables_are_set_never_their_values(project: Path) -> None:
    result = robots(cwd=project, env=SECRETS)
    assert (result.code, result.err) == (0, "")
    assert result.out == EXPECTED.format(config=project / "msgspec-dd.yaml")


def test_the_config_is_found_from_a_subfolder_and_unset_variables_still_exit_0(project: Path) -> None:
    result = robots(cwd=project / "messages")
    assert result.code == 0
    assert result.out.splitlines()[:4] == [
        f"config: {project / 'msgspec-dd.yaml'}", "",
        "default: webhook robot (the default)", "  status:     not ready: T_HOOK, T_SECRET not set"]


def test_json_lists_the_same(project: Path) -> None:
    result = robots("--format", "json", cwd=project, env=SECRETS)
    assert result.code == 0
    listing = json.loads(result.out)
    assert listing["config"] == str(project / "msgspec-dd.yaml")
    assert listing["default_robot"] == "default"
    by_name = {robot["name"]: robot for robot in listing["robots"]}
    assert list(by_name) == ["default", "ops", "announce"]
    assert by_name["default"]["variables"] == [
        {"name": "T_HOOK", "role": "webhook", "required": True, "set": True},
        {"name": "T_SECRET", "role": "secret", "required": True, "set": True}]
    assert by_name["default"]["keywords"] == ["日报", "通知"]
    assert by_name["default"]["rate"] == {"count": 10, "per_seconds": 30.0}
    assert (by_name["ops"]["ready"], by_name["ops"]["display_name"]) == (False, "运维助手")
    assert by_name["announce"]["kind"] == "app"
    assert by_name["announce"]["app"] == {"robot_code": "dingrobot123", "conversation": "cidGroup=="}
    assert [v["set"] for v in by_name["announce"]["variables"]] == [True, False]


def test_an_empty_variable_counts_as_not_set(project: Path) -> None:
    result = robots("--format", "json", cwd=project, env={**SECRETS, "T_SECRET": "  "})
    default = json.loads(result.out)["robots"][0]
    assert [v["set"] for v in default["variables"]] == [True, False]


def test_without_a_config_the_built_in_default_robot_is_listed(tmp_path: Path) -> None:
    result = robots(cwd=tmp_path, env={"DINGTALK_WEBHOOK": SECRETS["DINGTALK_WEBHOOK"]})
    assert result.code == 0
    assert result.out.splitlines()[:6] == [
        "config: no msgspec-dd.yaml found (built-in default)", "",
        "default: webhook robot (the default)",
        "  status:     ready",
        "  webhook:    DINGTALK_WEBHOOK (set)",
        "  secret:     DINGTALK_SECRET (not set, optional)"]


def test_config_option_and_a_config_without_a_default_robot(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.yaml"
    config.write_text("robots:\n  ops: {webhook_env: T_OPS_HOOK}\n", "utf-8")
    result = robots("--config", str(config), cwd=tmp_path)
    assert result.code == 0
    assert result.out.splitlines()[0] == f"config: {config}"
    assert result.out.splitlines()[-1] == (
        "No robot is called 'default': every message file must name its robot: "
        "(lint reports the ones that do not).")
    assert json.loads(robots("--config", str(config), "--format", "json", cwd=tmp_path).out
                      )["default_robot"] is None


@pytest.mark.parametrize("text", ["robots: {x: {webhook_env: 1bad}}\n", "robots: [\n", "colour: blue\n"])
def test_an_invalid_config_is_exit_2_with_a_clear_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "msgspec-dd.yaml").write_text(text, "utf-8")
    result = robots(cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert "msgspec-dd.yaml" in result.err


def test_a_webhook_pasted_as_the_variable_name_is_not_echoed(tmp_path: Path) -> None:
    (tmp_path / "msgspec-dd.yaml").write_text(f"robots:\n  default: {{webhook_env: {TOKEN}}}\n", "utf-8")
    result = robots(cwd=tmp_path)
    assert result.code == 2
    assert TOKEN not in result.err


def test_a_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    result = robots("--config", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert result.code == 2
    assert "nope.yaml: config file not found" in result.err
