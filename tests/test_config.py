"""msgspec-dd.yaml: finding and parsing it, and errors that say where and what to do without
ever repeating a credential."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.config import CONFIG_NAME, Config, RobotConfig, load_config


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
     ":2:3: invalid configuration at robots.default.True: unknown field True in default: YAML reads "
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
