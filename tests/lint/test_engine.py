"""The lint engine beyond single files: parallel batches, keywords from the config."""

from __future__ import annotations

from pathlib import Path

from msgspec_dd.config import Config, RobotConfig, default_config
from msgspec_dd.lint.engine import PARALLEL_THRESHOLD, lint_paths

GOOD = "message:\n  msgtype: text\n  text: {content: 'hello %d'}\n"
BAD = "message:\n  msgtype: link\n  link: {title: t, text: x, messageURL: 'http://e.com/%d'}\n"


def test_parallel_lint_reports_the_same_problems_in_the_same_order(tmp_path: Path) -> None:
    for i in range(PARALLEL_THRESHOLD + 10):
        (tmp_path / f"m{i:03}.yaml").write_text((BAD if i % 3 == 0 else GOOD) % i, encoding="utf-8")
    serial = lint_paths([tmp_path], default_config(), jobs=1)
    parallel = lint_paths([tmp_path], default_config(), jobs=2)
    assert parallel == serial
    assert len(serial.problems) == len(range(0, PARALLEL_THRESHOLD + 10, 3))


def test_missing_keyword_uses_the_robots_keywords(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("robot: ops\n" + GOOD % 1, encoding="utf-8")
    config = Config(robots={"ops": RobotConfig(name="ops", keywords=("定时推送",))})
    [problem] = lint_paths([tmp_path], config).problems
    assert (problem.rule, problem.line, problem.column) == ("missing-keyword", 2, 1)
    (tmp_path / "m.yaml").write_text("robot: ops\n" + GOOD.replace("hello", "定时推送") % 1, encoding="utf-8")
    assert lint_paths([tmp_path], config).problems == ()


def test_a_token_committed_in_msgspec_dd_yaml_is_flagged(tmp_path: Path) -> None:
    from msgspec_dd.config import load_config

    config_file = tmp_path / "msgspec-dd.yaml"
    token = "0123456789abcdef" * 4
    config_file.write_text(f"robots:\n  default:\n    webhook_env: HOOK\n# access_token={token}\n",
                           encoding="utf-8")
    (tmp_path / "m.yaml").write_text(GOOD % 1, encoding="utf-8")
    [problem] = lint_paths([tmp_path / "m.yaml"], load_config(cwd=tmp_path)).problems
    assert (problem.path, problem.rule, problem.line, problem.column) == (
        str(config_file), "committed-secret", 4, 3)
    assert token not in problem.message


def test_a_file_without_robot_needs_a_default_robot(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(GOOD % 1, encoding="utf-8")
    config = Config(robots={"ops": RobotConfig(name="ops")})
    [problem] = lint_paths([tmp_path], config).problems
    assert problem.rule == "unknown-robot" and "'default'" in problem.message


def test_a_literal_block_opening_with_blank_lines_points_at_the_text(tmp_path: Path) -> None:
    source = "message:\n  msgtype: markdown\n  markdown:\n    title: t\n    text: |-\n\n\n      ~~x~~\n"
    (tmp_path / "m.yaml").write_text(source, encoding="utf-8")
    [problem] = lint_paths([tmp_path], default_config()).problems
    assert (problem.rule, problem.line, problem.column) == ("unsupported-markdown", 8, 7)
