"""App robots in msgspec-dd.yaml: the ``app:`` kind, what it excludes, and credentials never
written in the file nor repeated back."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.config import AppRobot, Rate, RobotKind, load_config
from msgspec_dd.errors import ConfigError
from tests.test_config import write_config

APP = """\
robots:
  default:
    webhook_env: HOOK
    display_name: 运维助手
  announce:
    display_name: 公告
    keywords: [公告]
    app:
      app_key_env: DINGTALK_APP_KEY
      app_secret_env: DINGTALK_APP_SECRET
      robot_code: dingabc123
      conversation: cidXYZ==
"""


def test_an_app_robot_has_the_app_kind_and_its_fields(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, APP))
    announce = config.robot("announce")
    assert announce.kind is RobotKind.APP
    assert announce.app == AppRobot("DINGTALK_APP_KEY", "DINGTALK_APP_SECRET", "dingabc123", "cidXYZ==")
    assert (announce.webhook_env, announce.secret_env) == ("", None)
    assert announce.rate == Rate(20, 60.0)
    assert (announce.display_name, announce.keywords) == ("公告", ("公告",))


def test_a_webhook_robot_keeps_the_webhook_kind(tmp_path: Path) -> None:
    default = load_config(write_config(tmp_path, APP)).robot("default")
    assert default.kind is RobotKind.WEBHOOK
    assert (default.app, default.webhook_env, default.display_name) == (None, "HOOK", "运维助手")


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, text))
    assert caught.value.exit_code == 2
    return str(caught.value)


@pytest.mark.parametrize("field", ["webhook_env: HOOK", "secret_env: SECRET"])
def test_app_excludes_webhook_fields(tmp_path: Path, field: str) -> None:
    text = APP.replace("    display_name: 公告\n", f"    {field}\n")
    assert ("invalid configuration at robots.announce: a robot is either a webhook robot or an app "
            "robot: with app:, remove webhook_env and secret_env.") in _error(tmp_path, text)


@pytest.mark.parametrize("missing", ["app_key_env", "app_secret_env", "robot_code", "conversation"])
def test_every_app_field_is_required(tmp_path: Path, missing: str) -> None:
    lines = [line for line in APP.splitlines(keepends=True) if missing + ":" not in line]
    assert f"'{missing}' is a required property" in _error(tmp_path, "".join(lines))


APP_SECRET = "Ab3_" * 16  # an app secret's shape: 64 letters, digits, _ and -
APP_KEY = "dingq8xkw2mzpl4rtv"


@pytest.mark.parametrize(("field", "value"), [("app_key_env", APP_KEY), ("app_secret_env", APP_SECRET)])
def test_an_app_credential_pasted_for_its_variable_is_refused_and_not_repeated(
    tmp_path: Path, field: str, value: str
) -> None:
    text = APP.replace(f"{field}: DINGTALK_", f"{field}: {value}  # DINGTALK_")
    message = _error(tmp_path, text)
    assert f"invalid configuration at robots.announce.app.{field}: is a DingTalk token or secret" in message
    assert value not in message


def test_the_config_schema_example_with_an_app_robot_loads(tmp_path: Path) -> None:
    import json

    schema = json.loads((Path(__file__).parent.parent / "schemas/config.schema.json").read_text("utf-8"))
    from msgspec_dd.config import parse_config

    config = parse_config(schema["examples"][0])
    assert config.robot("announce").kind is RobotKind.APP
