"""msgspec-dd.yaml: finding and parsing it, and errors that say where and what to do without
ever repeating a credential."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.config import (
    CONFIG_NAME,
    Config,
    RobotConfig,
    check_environment,
    default_config,
    load_config,
    missing_variables,
)
from msgspec_dd.errors import ConfigError, UsageError
from tests.clirun import run_cli


def write_config(folder: Path, text: str) -> Path:
    path = folder / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    from msgspec_dd.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.exit_code == 2
    return str(caught.value)


# ------------------------------------------------------------------------- keys YAML reads oddly


@pytest.mark.parametrize(("text", "expected"), [
    ("on: x\n", ":1:1: invalid configuration at True: unknown field True: YAML reads `on`/`yes`/`1` "
                "as non-strings; quote the key. Fix msgspec-dd.yaml and run again."),
    ("robots: {1: {webhook_env: X}}\n",
     ":1:13: invalid configuration at robots.1: the name 1 is read by YAML as a number, not a "
     "string: quote it. Fix msgspec-dd.yaml and run again."),
    ("robots:\n  default:\n    yes: X\n",
     ":3:5: invalid configuration at robots.default.True: unknown field True in default: YAML reads "
     "`on`/`yes`/`1` as non-strings; quote the key. Fix msgspec-dd.yaml and run again."),
])
def test_keys_yaml_reads_as_non_strings_are_config_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = write_config(tmp_path, text)
    assert config_error(path) == f"{path}{expected}"


def test_an_unknown_robot_is_named_even_when_a_name_is_not_a_string() -> None:
    from msgspec_dd.errors import ConfigError

    config = Config(robots={"default": RobotConfig("default"), 1: RobotConfig("1")})  # type: ignore[dict-item]
    with pytest.raises(ConfigError, match=r"known robots: 1, default\)"):
        config.robot("ops")


# ------------------------------------------------------------------ credentials are never repeated

TOKEN = "ab" * 32
CREDENTIALS = {
    "webhook URL": f'"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"',
    "bare token": TOKEN,
    "secret": f"SEC{TOKEN}",
    "token of digits": "12" * 32,  # YAML reads it as a number
}


@pytest.mark.parametrize("field", ["webhook_env", "secret_env"])
@pytest.mark.parametrize("kind", sorted(CREDENTIALS))
def test_a_credential_written_instead_of_a_variable_name_is_never_repeated(
    tmp_path: Path, field: str, kind: str
) -> None:
    path = write_config(tmp_path, f"robots:\n  default:\n    {field}: {CREDENTIALS[kind]}\n")
    message = config_error(path)
    assert TOKEN not in message and "12" * 32 not in message
    assert message.startswith(f"{path}:3:{len(field) + 7}: invalid configuration at robots.default.{field}: ")


def test_a_webhook_in_place_of_its_variable_name_says_what_to_do(tmp_path: Path) -> None:
    path = write_config(tmp_path, f"robots:\n  default:\n    webhook_env: {CREDENTIALS['webhook URL']}\n")
    assert config_error(path) == (
        f"{path}:3:18: invalid configuration at robots.default.webhook_env: is not an environment "
        "variable name; put the webhook itself in the environment and name the variable here. "
        "Fix msgspec-dd.yaml and run again."
    )
    path = write_config(tmp_path, f"robots:\n  default:\n    secret_env: SEC{TOKEN}\n")
    assert config_error(path) == (
        f"{path}:3:17: invalid configuration at robots.default.secret_env: is a DingTalk token or "
        "secret (rotate it: it is now in a file), not an environment variable name; put the secret "
        "itself in the environment and name the variable here. Fix msgspec-dd.yaml and run again."
    )


def test_lint_never_prints_a_credential_from_the_config(tmp_path: Path) -> None:
    write_config(tmp_path, f"robots:\n  default:\n    webhook_env: {CREDENTIALS['webhook URL']}\n")
    (tmp_path / "m.yaml").write_text("message: {msgtype: text, text: {content: hi}}\n", encoding="utf-8")
    result = run_cli(["lint", "m.yaml"], cwd=tmp_path)
    assert result.code == 2
    assert "is not an environment variable name" in result.err
    assert TOKEN not in result.err + result.out


def test_an_unknown_robot_named_like_a_token_is_not_repeated() -> None:
    from msgspec_dd.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        Config(robots={"default": RobotConfig("default")}).robot(TOKEN)
    assert TOKEN not in str(caught.value)


# -- where the config is found ---------------------------------------------------------------------

def test_the_config_is_found_from_the_message_files_not_the_current_directory(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "messages").mkdir(parents=True)
    (repo / "msgspec-dd.yaml").write_text("robots: {ops: {webhook_env: OPS}}\n", "utf-8")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    config = load_config(paths=[repo / "messages" / "x.yaml"], cwd=elsewhere)
    assert config.path == repo / "msgspec-dd.yaml" and set(config.robots) == {"ops"}


def test_files_without_a_config_of_their_own_use_the_current_directorys(tmp_path: Path) -> None:
    (tmp_path / "msgspec-dd.yaml").write_text("robots: {ops: {webhook_env: OPS}}\n", "utf-8")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    config = load_config(paths=[outside / "x.yaml"], cwd=tmp_path)
    assert config.path == tmp_path / "msgspec-dd.yaml"


def test_files_that_find_different_configs_are_a_usage_error(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "msgspec-dd.yaml").write_text("timezone: UTC\n", "utf-8")
    with pytest.raises(UsageError, match="the files of one batch find different config files: ") as caught:
        load_config(paths=[tmp_path / "a" / "m.yaml", tmp_path / "b" / "m.yaml"], cwd=tmp_path)
    assert caught.value.exit_code == 2
    assert f"{tmp_path / 'a' / 'm.yaml'} uses {tmp_path / 'a' / 'msgspec-dd.yaml'}" in str(caught.value)
    assert "give --config FILE" in str(caught.value)


def test_only_a_secret_env_written_in_the_file_is_required(tmp_path: Path) -> None:
    path = write_config(tmp_path, "robots:\n  signed: {webhook_env: H1, secret_env: S1}\n"
                        "  plain: {webhook_env: H2}\n")
    config = load_config(path)
    assert [(m.robot, m.variable) for m in missing_variables(config, ["signed", "plain"], {})] == [
        ("signed", "H1"), ("signed", "S1"), ("plain", "H2")]
    assert missing_variables(default_config(), ["default"], {"DINGTALK_WEBHOOK": "x"}) == []
    with pytest.raises(ConfigError, match="3 environment variables are not set: H1 "):
        check_environment(config, ["signed", "plain"], {})


# ------------------------------------------------------------------------------------ lint.rules


def test_lint_rules_set_levels_with_off_quoted_or_unquoted(tmp_path: Path) -> None:
    from msgspec_dd.config import RuleSetting
    from msgspec_dd.problems import Level

    path = write_config(tmp_path, "lint:\n  rules:\n    insecure-url: off\n    at-no-effect: 'off'\n"
                                  "    at-not-mentioned: error\n    unused-variable: warning\n")
    assert load_config(path).rule_settings == (
        RuleSetting("insecure-url", None, 3, 5), RuleSetting("at-no-effect", None, 4, 5),
        RuleSetting("at-not-mentioned", Level.ERROR, 5, 5),
        RuleSetting("unused-variable", Level.WARNING, 6, 5),
    )


@pytest.mark.parametrize("text", ["lint:\n", "lint:\n  rules:\n", "robots:\n  default: {}\n"])
def test_no_lint_rules_means_every_rule_at_its_own_level(tmp_path: Path, text: str) -> None:
    assert load_config(write_config(tmp_path, text)).rule_settings == ()


def test_an_unknown_rule_id_is_not_a_configuration_error(tmp_path: Path) -> None:
    # lint reports it as a warning, located (tests/lint/test_rule_settings.py)
    path = write_config(tmp_path, "lint:\n  rules: {no-such-rule: error}\n")
    assert [s.rule for s in load_config(path).rule_settings] == ["no-such-rule"]


@pytest.mark.parametrize(("text", "expected"), [
    ("lint:\n  rules:\n    insecure-url: warn\n", ":3:19: invalid configuration at lint.rules.insecure-url: "),
    ("lint:\n  rules:\n    insecure-url: true\n", ":3:19: invalid configuration at lint.rules.insecure-url: "),
    ("lint:\n  level: error\n", ":2:3: invalid configuration at lint.level: "),
])
def test_a_level_that_is_not_off_warning_or_error_is_a_located_config_error(
    tmp_path: Path, text: str, expected: str
) -> None:
    message = config_error(write_config(tmp_path, text))
    assert expected in message and message.endswith("Fix msgspec-dd.yaml and run again.")
