"""committed-secret also reads the values YAML decodes and templates render."""

from __future__ import annotations

from pathlib import Path

from msgspec_dd.config import default_config
from msgspec_dd.lint.engine import lint_file

HEX = "0123456789abcdef" * 4


def _secrets(tmp_path: Path, text: str) -> list[tuple[int, int]]:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return [(p.line, p.column) for p in lint_file(path, default_config()) if p.rule == "committed-secret"]


def test_a_secret_a_template_assembles_is_found_where_the_template_is(tmp_path: Path) -> None:
    text = ("description: d\nvars:\n  tail: {type: string, default: '" + HEX[4:] + "'}\nmessage:\n"
            "  msgtype: text\n  text:\n    content: \"{{ 'SE' ~ 'C' ~ '" + HEX[:4] + "' ~ tail }}\"\n")
    assert _secrets(tmp_path, text) == [(7, 14)]


def test_a_template_that_cannot_render_alone_is_no_finding(tmp_path: Path) -> None:
    text = "description: d\nmessage:\n  msgtype: text\n  text:\n    content: \"{{ github.sha }}\"\n"
    assert _secrets(tmp_path, text) == []


def test_many_secrets_in_a_large_file_are_each_located(tmp_path: Path) -> None:
    lines = "".join(f"  # access_token={HEX}\n" for _ in range(5000))
    found = _secrets(tmp_path, "description: d\n" + lines + "message: {msgtype: text, text: {content: hi}}\n")
    assert found[:2] == [(2, 5), (3, 5)] and len(found) == 5000
