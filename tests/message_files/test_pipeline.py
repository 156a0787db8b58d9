"""Preparing a batch: robots, budgets and invalid text are settled before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.config import default_config
from msgspec_dd.errors import MessageError
from msgspec_dd.message_files.pipeline import prepare_messages

TEXT = "vars:\n  s: {type: string, default: x}\nmessage:\n  msgtype: text\n  text: {content: '{{ s }}'}\n"


def write(folder: Path, text: str) -> Path:
    path = folder / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_robot_named_twice_is_sent_once(tmp_path: Path) -> None:
    [message] = prepare_messages([write(tmp_path, TEXT)], config=default_config(),
                                 robots_override=["default", "default"])
    assert message.robots == ("default",)


def test_a_variable_that_is_not_unicode_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(MessageError) as caught:
        prepare_messages([write(tmp_path, TEXT)], config=default_config(), var_args=["s=a\udcffb"])
    assert "not valid Unicode" in caught.value.problems[0].message


def test_a_template_producing_a_lone_surrogate_is_a_problem(tmp_path: Path) -> None:
    source = "message:\n  msgtype: text\n  text: {content: \"{{ '\\\\ud800' }}\"}\n"
    with pytest.raises(MessageError) as caught:
        prepare_messages([write(tmp_path, source)], config=default_config())
    assert "unpaired surrogate" in caught.value.problems[0].message


@pytest.mark.parametrize("item", [
    "- {$for: x in range(99999), $if: 'false', $value: '1'}",
    "- {$for: x in range(99999), $value: '1'}",
])
def test_for_and_if_spend_from_the_work_budget(tmp_path: Path, item: str) -> None:
    items = "".join(f"      {item}\n" for _ in range(5))
    source = f"message:\n  msgtype: text\n  text: {{content: x}}\n  at:\n    atMobiles:\n{items}"
    with pytest.raises(MessageError) as caught:
        prepare_messages([write(tmp_path, source)], config=default_config())
    assert "too much work" in caught.value.problems[0].message
