"""``msgspec-dd schema [MSGTYPE|config]``: exact bundled JSON on stdout, exit 2 for an unknown msgtype."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from msgspec_dd.cli import cli
from msgspec_dd.schemas import catalog


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "msgspec_dd", "schema", *args], capture_output=True, check=False
    )


def expected(name: str) -> str:
    return json.dumps(catalog.bundle(name), indent=2, ensure_ascii=False) + "\n"


def test_without_msgtype_it_prints_the_bundled_message_file_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == expected("message-file")


@pytest.mark.parametrize("msgtype", catalog.MSGTYPES)
def test_with_a_msgtype_it_prints_that_bundled_payload_schema(msgtype: str) -> None:
    result = CliRunner().invoke(cli, ["schema", msgtype])
    assert result.exit_code == 0
    assert result.stdout == expected(msgtype)
    assert json.loads(result.stdout)["$defs"]["at.schema.json"]["title"] == "at"


def test_config_prints_the_bundled_config_schema_that_validates_a_config() -> None:
    result = CliRunner().invoke(cli, ["schema", "config"])
    assert result.exit_code == 0
    assert result.stdout == expected("config")
    schema = json.loads(result.stdout)
    assert schema["title"] == "msgspec-dd.yaml"
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    assert validator.is_valid({"robots": {"ops": {"webhook_env": "OPS_WEBHOOK"}}})
    assert not validator.is_valid({"robots": {"ops": {"webhook": "https://oapi.dingtalk.com/robot/send"}}})


def test_output_is_utf8_not_ascii_escaped_and_nothing_goes_to_stderr() -> None:
    result = run("text")
    assert result.returncode == 0
    assert result.stderr == b""
    assert result.stdout.decode("utf-8") == expected("text")
    assert "消息内容" in result.stdout.decode("utf-8")
    assert b"\\u" not in result.stdout


def test_an_unknown_msgtype_is_a_usage_error_listing_the_valid_names() -> None:
    result = run("image")
    assert result.returncode == 2
    assert result.stdout == b""
    error = result.stderr.decode("utf-8")
    assert "'image' is not one of 'text', 'link', 'markdown', 'actionCard', 'feedCard', 'config'" in error
    assert "Traceback" not in error


def test_msgtypes_are_case_sensitive_like_dingtalk() -> None:
    result = CliRunner().invoke(cli, ["schema", "actioncard"])
    assert result.exit_code == 2
    assert "'actioncard' is not one of" in result.stderr


def test_help_names_the_msgtypes() -> None:
    result = CliRunner().invoke(cli, ["schema", "--help"])
    assert result.exit_code == 0
    assert "text, link, markdown, actionCard, feedCard" in result.stdout
