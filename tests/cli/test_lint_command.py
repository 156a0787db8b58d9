"""``msgspec-dd lint`` through a real process: exact stdout lines, stderr summaries, exit codes,
formats, colour, configuration and rule documentation."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from msgspec_dd.lint.registry import RULES
from tests.clirun import ROOT, Run, run_cli

BAD = """\
message:
  msgtype: text
  text:
    content: hi
  zz: 1
"""
BAD_LINE = ("bad.yaml:5:3: error: unknown field 'zz' in message (allowed: msgtype, text, at, "
            "msgUuid) [file-schema]")
WARN = """\
message:
  msgtype: link
  link:
    title: t
    text: x
    messageUrl: http://example.com/
"""
WARN_LINE = ("warn.yaml:6:17: warning: 'http://example.com/' uses http; use https (some clients "
             "block http images and links) [insecure-url]")
CLEAN = "message:\n  msgtype: text\n  text:\n    content: 定时推送 hello\n"
NO_KEYWORD = "message:\n  msgtype: text\n  text:\n    content: hello\n"
KEYWORD_CONFIG = "robots:\n  default:\n    webhook_env: DINGTALK_WEBHOOK\n    keywords: [定时推送]\n"

# Inputs that must never be echoed: lint must say a secret is there without repeating it.
FAKE_TOKEN = "0123456789abcdef" * 4
FAKE_SECRET = "SEC" + "fedcba9876543210" * 4


def environment(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that changes lint's output format."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")}
    env.update(extra)
    return env


def lint(*args: str, cwd: Path, **env: str) -> Run:
    return run_cli(["lint", *args], cwd=cwd, env=environment(**env))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------- results, codes


def test_a_clean_directory_exits_0_with_nothing_on_stdout(tmp_path: Path) -> None:
    write(tmp_path, "msgs/a.yaml", CLEAN)
    write(tmp_path, "msgs/sub/b.json", json.dumps({"message": {"msgtype": "text",
                                                               "text": {"content": "x"}}}))
    result = lint("msgs", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (0, "", "2 files checked, no problems\n")


def test_the_default_path_is_messages(tmp_path: Path) -> None:
    write(tmp_path, "messages/bad.yaml", BAD)
    result = lint(cwd=tmp_path)
    assert result.code == 1
    assert result.out == f"messages/{BAD_LINE}\n"


def test_the_repositorys_own_messages_are_clean() -> None:
    result = run_cli(["lint", "--strict", "messages"], cwd=ROOT, env=environment())
    assert (result.code, result.out) == (0, ""), result


def test_a_bad_file_exits_1_with_one_line_per_problem(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", BAD)
    write(tmp_path, "warn.yaml", WARN)
    result = lint("bad.yaml", "warn.yaml", cwd=tmp_path)
    assert result.code == 1
    assert result.out == f"{BAD_LINE}\n{WARN_LINE}\n"
    assert result.err == "2 files checked: 1 error, 1 warning\n"


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    write(tmp_path, "warn.yaml", WARN)
    relaxed, strict = lint("warn.yaml", cwd=tmp_path), lint("--strict", "warn.yaml", cwd=tmp_path)
    assert (relaxed.code, relaxed.out) == (0, WARN_LINE + "\n")
    assert (strict.code, strict.out) == (1, WARN_LINE + "\n")
    assert strict.err == "1 file checked: 0 errors, 1 warning\n"


def test_one_broken_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "msgs").mkdir()
    (tmp_path / "msgs" / "a.yaml").write_bytes(b"\x00\x01binary")
    write(tmp_path, "msgs/bad.yaml", BAD)
    result = lint("msgs", cwd=tmp_path)
    assert result.code == 1
    assert result.out.splitlines() == [
        "msgs/a.yaml:1:1: error: file contains NUL bytes: it looks binary, not YAML or JSON "
        "[yaml-syntax]",
        f"msgs/{BAD_LINE}",
    ]
    assert "Traceback" not in result.err


@pytest.mark.parametrize("args", [["missing.yaml"], ["missing-dir"], []])
def test_a_missing_path_exits_2(tmp_path: Path, args: list[str]) -> None:
    result = lint(*args, cwd=tmp_path)
    name = args[0] if args else "messages"
    assert (result.code, result.out) == (2, "")
    assert result.err == f"msgspec-dd: {name}: no such file or directory\n"


def test_an_unknown_option_exits_2(tmp_path: Path) -> None:
    result = lint("--format", "xml", ".", cwd=tmp_path)
    assert result.code == 2
    assert "Invalid value for '--format'" in result.err


# --------------------------------------------------------------------------------- configuration


def test_keywords_come_from_msgspec_dd_yaml(tmp_path: Path) -> None:
    write(tmp_path, "msgspec-dd.yaml", KEYWORD_CONFIG)
    write(tmp_path, "msgs/no.yaml", NO_KEYWORD)
    write(tmp_path, "msgs/yes.yaml", CLEAN)
    result = lint("msgs", cwd=tmp_path)
    assert result.code == 1
    assert result.out == ("msgs/no.yaml:1:1: error: robot 'default' only accepts messages containing "
                          "one of its keywords ('定时推送'); add one to the text [missing-keyword]\n")


def test_the_config_is_found_in_a_parent_directory_or_given(tmp_path: Path) -> None:
    write(tmp_path, "msgspec-dd.yaml", KEYWORD_CONFIG)
    write(tmp_path, "deep/er/no.yaml", NO_KEYWORD)
    assert "[missing-keyword]" in lint("no.yaml", cwd=tmp_path / "deep" / "er").out
    other = tmp_path / "other"
    other.mkdir()
    given = lint("--config", str(tmp_path / "msgspec-dd.yaml"), str(tmp_path / "deep"), cwd=other)
    assert given.code == 1 and "[missing-keyword]" in given.out


def test_an_unknown_robot_is_an_error_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, "m.yaml", "robot: [default, ops]\n" + CLEAN)
    result = lint("m.yaml", cwd=tmp_path)
    assert result.code == 1
    assert result.out == ("m.yaml:1:18: error: unknown robot 'ops' (configured: default); add it to "
                          "msgspec-dd.yaml or fix the name [unknown-robot]\n")


@pytest.mark.parametrize(("config", "message"), [
    ("robots:\n  default:\n    webhok_env: X\n", "webhok_env"),
    ("robots: [\n", "invalid YAML"),
    ("timezone: 5\n", "timezone"),
])
def test_an_invalid_config_exits_2_naming_the_file(tmp_path: Path, config: str, message: str) -> None:
    write(tmp_path, "msgspec-dd.yaml", config)
    write(tmp_path, "a.yaml", CLEAN)
    result = lint("a.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"msgspec-dd: {tmp_path / 'msgspec-dd.yaml'}")
    assert message in result.err
    assert "Traceback" not in result.err


def test_a_missing_config_file_exits_2(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", CLEAN)
    result = lint("--config", "nope.yaml", "a.yaml", cwd=tmp_path)
    assert (result.code, result.err) == (2, "msgspec-dd: nope.yaml: config file not found. "
                                            "Check the --config path.\n")


# ---------------------------------------------------------------------------------------- formats


def test_format_json_parses_and_counts(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", BAD)
    write(tmp_path, "warn.yaml", WARN)
    result = lint("--format", "json", "bad.yaml", "warn.yaml", cwd=tmp_path)
    assert result.code == 1
    report = json.loads(result.out)
    assert report["files"] == ["bad.yaml", "warn.yaml"]
    assert (report["errors"], report["warnings"]) == (1, 1)
    assert report["problems"][0] == {
        "path": "bad.yaml", "line": 5, "column": 3, "level": "error", "rule": "file-schema",
        "message": "unknown field 'zz' in message (allowed: msgtype, text, at, msgUuid)",
    }
    assert [p["rule"] for p in report["problems"]] == ["file-schema", "insecure-url"]


def test_format_json_of_a_clean_run(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", CLEAN)
    result = lint("--format", "json", "a.yaml", cwd=tmp_path)
    assert result.code == 0
    assert json.loads(result.out) == {"files": ["a.yaml"], "problems": [], "errors": 0, "warnings": 0}


def test_json_keeps_chinese_readable(tmp_path: Path) -> None:
    write(tmp_path, "msgspec-dd.yaml", KEYWORD_CONFIG)
    write(tmp_path, "no.yaml", NO_KEYWORD)
    assert "'定时推送'" in lint("--format", "json", "no.yaml", cwd=tmp_path).out


GITHUB_LINES = [
    "::error file=bad.yaml,line=5,col=3,title=file-schema::unknown field 'zz' in message "
    "(allowed: msgtype, text, at, msgUuid)",
    "::warning file=warn.yaml,line=6,col=17,title=insecure-url::'http://example.com/' uses http; "
    "use https (some clients block http images and links)",
]


def test_format_github_writes_workflow_commands(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", BAD)
    write(tmp_path, "warn.yaml", WARN)
    result = lint("--format", "github", "bad.yaml", "warn.yaml", cwd=tmp_path)
    assert result.code == 1
    assert result.out.splitlines() == GITHUB_LINES
    assert result.out.startswith("::error file=")


def test_format_auto_inside_github_actions_is_github(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", BAD)
    write(tmp_path, "warn.yaml", WARN)
    result = lint("bad.yaml", "warn.yaml", cwd=tmp_path, GITHUB_ACTIONS="true")
    assert result.out.splitlines() == GITHUB_LINES
    outside = lint("bad.yaml", cwd=tmp_path)
    assert outside.out == BAD_LINE + "\n"


def test_github_properties_and_data_are_escaped(tmp_path: Path) -> None:
    write(tmp_path, "a,b:c.yaml", BAD)
    result = lint("--format", "github", "a,b:c.yaml", cwd=tmp_path)
    assert result.out.startswith("::error file=a%2Cb%3Ac.yaml,line=5,col=3,title=file-schema::")


def run_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI with stdout on a pseudo-terminal, as a person at a terminal would."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "msgspec_dd", *args], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.stderr is not None
    proc.stderr.read()
    proc.stderr.close()
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8")


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", BAD)
    code, coloured = run_on_a_terminal(["lint", "bad.yaml"], tmp_path, environment())
    assert code == 1
    assert coloured.startswith("\x1b[1mbad.yaml:5:3\x1b[0m: \x1b[31merror\x1b[0m: unknown field")
    _, plain = run_on_a_terminal(["lint", "bad.yaml"], tmp_path, environment(NO_COLOR="1"))
    assert "\x1b[" not in plain and plain.replace("\r\n", "\n") == BAD_LINE + "\n"
    _, empty_no_color = run_on_a_terminal(["lint", "bad.yaml"], tmp_path, environment(NO_COLOR=""))
    assert "\x1b[" not in empty_no_color  # NO_COLOR set to anything, even empty, disables it
    piped = lint("bad.yaml", cwd=tmp_path)
    assert "\x1b[" not in piped.out + piped.err


# ------------------------------------------------------------------------------ rule documentation


@pytest.mark.parametrize("rule", ["yaml-trap", "missing-keyword", "render-failed"])
def test_explain_prints_the_rule_documentation(rule: str) -> None:
    result = run_cli(["lint", "--explain", rule], env=environment())
    assert result.code == 0
    module = RULES[rule]
    assert result.out.startswith(f"{rule} ({module.LEVEL.value})\n\n")
    first_line = (module.__doc__ or "").strip().splitlines()[0]
    assert result.out.splitlines()[2] == first_line


def test_explain_shows_passing_and_failing_examples() -> None:
    out = run_cli(["lint", "--explain", "yaml-trap"], env=environment()).out
    assert "Passing::" in out and "Failing::" in out and 'btnOrientation: "0"' in out


def test_explain_an_unknown_rule_exits_2_listing_the_known_ones() -> None:
    result = run_cli(["lint", "--explain", "yaml-trp"], env=environment())
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("msgspec-dd: unknown rule 'yaml-trp'; known rules: yaml-syntax, ")


def test_list_rules_lists_every_rule_with_its_level() -> None:
    result = run_cli(["lint", "--list-rules"], env=environment())
    assert result.code == 0
    rows = [line.split()[:2] for line in result.out.splitlines()]
    assert rows == [[rule_id, module.LEVEL.value] for rule_id, module in RULES.items()]


def test_a_problem_in_a_for_item_is_reported_once(tmp_path: Path) -> None:
    write(tmp_path, "feed.yaml", (
        "vars:\n  articles: {type: array, examples: [[{t: a}, {t: b}, {t: c}]]}\n"
        "message:\n  msgtype: feedCard\n  feedCard:\n    links:\n"
        "      - $for: a in articles\n        title: \"{{ a.t }}\"\n"
        "        messageURL: https://example.com/\n        picURL: http://example.com/c.png\n"
    ))
    result = lint("feed.yaml", cwd=tmp_path)
    assert result.out == ("feed.yaml:10:17: warning: 'http://example.com/c.png' uses http; use https "
                          "(some clients block http images and links) [insecure-url]\n")
    assert result.err == "1 file checked: 0 errors, 1 warning\n"


# ----------------------------------------------------------------------------------------- secrets


@pytest.mark.parametrize("format_", ["text", "json", "github"])
def test_lint_never_repeats_a_committed_secret(tmp_path: Path, format_: str) -> None:
    write(tmp_path, "leak.yaml", (
        "message:\n  msgtype: link\n  link:\n    title: t\n    text: x\n"
        f"    messageUrl: http://oapi.dingtalk.com/robot/send?access_token={FAKE_TOKEN}\n"
        f"    picUrl: \"{FAKE_SECRET}\"\n"
    ))
    result = lint("--format", format_, "leak.yaml", cwd=tmp_path)
    assert result.code == 1
    assert "[committed-secret]" in result.out or "committed-secret" in result.out
    for secret in (FAKE_TOKEN[:16], FAKE_SECRET[3:19]):
        assert secret not in result.out + result.err
