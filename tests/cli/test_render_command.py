"""``msgspec-dd render`` and ``--version`` through a real process: the exact body, its bytes,
the text view, variables and the exit codes of every way it can go wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from msgspec_dd import __version__
from msgspec_dd.dingtalk import wire
from msgspec_dd.message_files.loader import load_document
from tests.clirun import ROOT, Run, run_cli

TEXT_JSON = """\
{
  "msgtype": "text",
  "text": {
    "content": "我就是我, @13800138000 是不一样的烟火"
  },
  "at": {
    "atMobiles": [
      "13800138000"
    ],
    "isAtAll": false
  }
}
"""
WEEKLY = """\
vars:
  week: {type: integer, minimum: 1, maximum: 53}
  code: {type: string, default: "000"}
  ids: {type: array, default: []}
message:
  msgtype: text
  text:
    content: "第 {{ week }} 周 {{ code }} {{ ids }}"
"""


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DINGTALK_"))}
    env.update(extra)
    return env


def render(*args: str, cwd: Path = ROOT, **env: str) -> Run:
    return run_cli(["render", *args], cwd=cwd, env=environment(**env))


def render_bytes(*args: str, cwd: Path = ROOT) -> bytes:
    proc = subprocess.run([sys.executable, "-m", "msgspec_dd", "render", *args], cwd=cwd,
                          env=environment(), capture_output=True, timeout=60, check=True)
    return proc.stdout


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------- output


def test_render_prints_the_exact_json_body() -> None:
    result = render("messages/text.yaml")
    assert (result.code, result.out, result.err) == (0, TEXT_JSON, "")


def test_chinese_is_written_as_utf8_not_escaped() -> None:
    raw = render_bytes("messages/text.yaml")
    assert "我就是我".encode() in raw
    assert b"\\u" not in raw


def test_every_example_renders_to_the_message_it_holds() -> None:
    for path in sorted((ROOT / "messages").glob("*.yaml")):
        document = load_document(path)
        if "vars" in document.data or "{{" in json.dumps(document.data["message"], ensure_ascii=False):
            continue  # templated: rendering changes it
        result = render(str(path.relative_to(ROOT)))
        assert result.code == 0, result
        assert json.loads(result.out) == document.data["message"], path.name


def test_compact_prints_the_bytes_send_would_post() -> None:
    payload = json.loads(TEXT_JSON)
    assert render_bytes("--compact", "messages/text.yaml") == wire.encode(payload) + b"\n"


def test_render_never_adds_a_msg_uuid() -> None:
    assert "msgUuid" not in json.loads(render("messages/text.yaml").out)


def test_format_text_shows_what_the_group_sees() -> None:
    result = render("--format", "text", "messages/text.yaml")
    assert (result.code, result.out) == (0, "我就是我, @13800138000 是不一样的烟火\n\n"
                                            "(mentions: @13800138000)\n")


def test_format_text_of_an_action_card_lists_its_buttons() -> None:
    result = render("--format", "text", "messages/action-card-multi.yaml")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "[我 20 年前想打造一间苹果咖啡厅，而它正是 Apple Store 的前身]"
    assert lines[-2:] == ["[ 内容不错 ] -> https://www.dingtalk.com/",
                          "[ 不感兴趣 ] -> https://www.dingtalk.com/"]


# -------------------------------------------------------------------------------------- variables


def test_vars_are_read_as_their_declared_types(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", WEEKLY)
    result = render("w.yaml", "--var", "week=48", "--var", "code=007", "--var", "ids=[1, 2]",
                    cwd=tmp_path)
    assert result.code == 0, result
    assert json.loads(result.out)["text"]["content"] == "第 48 周 007 [1, 2]"


def test_vars_file_and_var_together(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", WEEKLY)
    write(tmp_path, "w.vars.json", '{"week": 3, "code": "abc"}')
    result = render("w.yaml", "--vars-file", "w.vars.json", "--var", "week=4", cwd=tmp_path)
    assert json.loads(result.out)["text"]["content"] == "第 4 周 abc []"


def test_a_missing_variable_exits_1_naming_it(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", WEEKLY)
    result = render("w.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (1, "")
    assert result.err.splitlines()[0] == (
        "w.yaml:2:3: error: variable 'week' is required: give it with --var week=VALUE or "
        "--vars-file, or declare a default [variable-value]"
    )


def test_an_invalid_variable_exits_1_naming_it(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", WEEKLY)
    result = render("w.yaml", "--var", "week=54", cwd=tmp_path)
    assert (result.code, result.out) == (1, "")
    assert result.err.splitlines()[0] == (
        "w.yaml:2:3: error: variable 'week': 54 is greater than the maximum of 53 [variable-value]"
    )


@pytest.mark.parametrize(("args", "message"), [
    (["--var", "week"], "msgspec-dd: --var 'week': expected NAME=VALUE with NAME a variable name\n"),
    (["--var", "wek=3"], "msgspec-dd: variable wek not declared by any message file (a typo?); "
                         "check the names under 'vars:'\n"),
    (["--vars-file", "nope.json"], None),
])
def test_bad_variable_usage_exits_2(tmp_path: Path, args: list[str], message: str | None) -> None:
    write(tmp_path, "w.yaml", WEEKLY)
    result = render("w.yaml", *args, cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    if message is not None:
        assert result.err == message
    assert "Traceback" not in result.err


# ---------------------------------------------------------------------------------- usage, config


def test_an_unknown_robot_in_the_file_exits_2(tmp_path: Path) -> None:
    write(tmp_path, "ops.yaml", "robot: ops\nmessage:\n  msgtype: text\n  text:\n    content: hi\n")
    result = render("ops.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("msgspec-dd: ops.yaml:1:8: unknown robot 'ops' (no msgspec-dd.yaml "
                                 "found; known robots: default).")


def test_a_robot_from_the_config_renders(tmp_path: Path) -> None:
    write(tmp_path, "msgspec-dd.yaml", "robots:\n  ops:\n    webhook_env: OPS_WEBHOOK\n")
    write(tmp_path, "ops.yaml", "robot: ops\nmessage:\n  msgtype: text\n  text:\n    content: hi\n")
    result = render("ops.yaml", "--compact", cwd=tmp_path)
    assert (result.code, result.out) == (0, '{"msgtype":"text","text":{"content":"hi"}}\n')


def test_render_needs_no_webhook_and_prints_no_credentials(tmp_path: Path) -> None:
    token = "0123456789abcdef" * 4  # an input that must never be printed
    result = render("messages/text.yaml",
                    DINGTALK_WEBHOOK=f"https://oapi.dingtalk.com/robot/send?access_token={token}",
                    DINGTALK_SECRET="SEC" + token)
    assert result.code == 0
    assert token not in result.out + result.err


def test_the_indented_body_masks_what_looks_like_a_token_and_compact_prints_the_bytes_posted(
        tmp_path: Path) -> None:
    checksum = "ab" * 32  # a SHA-256 checksum looks exactly like an access token
    write(tmp_path, "m.yaml", f"message:\n  msgtype: text\n  text:\n    content: 'sum {checksum}'\n")
    shown = render("m.yaml", cwd=tmp_path)
    assert (shown.code, checksum in shown.out) == (0, False)
    assert '"content": "sum ***"' in shown.out
    assert render("m.yaml", "--format", "text", cwd=tmp_path).out == "sum ***\n"
    posted = render("m.yaml", "--compact", cwd=tmp_path)
    assert (posted.code, posted.out) == (0, '{"msgtype":"text","text":{"content":"sum ' + checksum + '"}}\n')


@pytest.mark.parametrize(("args", "err"), [
    (["missing.yaml"], "msgspec-dd: missing.yaml: no such file or directory\n"),
    (["."], "msgspec-dd: .: is a directory; render takes one message file\n"),
])
def test_a_missing_file_or_a_directory_exits_2(tmp_path: Path, args: list[str], err: str) -> None:
    result = render(*args, cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", err)


def test_an_invalid_message_exits_1_with_its_problems(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", "message:\n  msgtype: text\n  text:\n    content: hi\n  zz: 1\n")
    result = render("bad.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (1, "")
    assert result.err.splitlines()[0] == ("bad.yaml:5:3: error: unknown field 'zz' in message "
                                          "(allowed: msgtype, text, at, msgUuid) [file-schema]")


def test_github_is_an_error_outside_actions_and_filled_inside(tmp_path: Path) -> None:
    write(tmp_path, "g.yaml", "message:\n  msgtype: text\n  text:\n    content: '{{ github.sha }}'\n")
    outside = render("g.yaml", cwd=tmp_path)
    assert outside.code == 1
    assert "'github' is only available inside GitHub Actions" in outside.err
    inside = render("g.yaml", "--compact", cwd=tmp_path, GITHUB_ACTIONS="true", GITHUB_SHA="abc123")
    assert (inside.code, inside.out) == (0, '{"msgtype":"text","text":{"content":"abc123"}}\n')


def test_now_uses_the_configured_timezone(tmp_path: Path) -> None:
    write(tmp_path, "msgspec-dd.yaml", "timezone: Asia/Shanghai\n")
    write(tmp_path, "t.yaml", "message:\n  msgtype: text\n  text:\n    content: '{{ now.utcoffset() }}'\n")
    result = render("t.yaml", "--compact", cwd=tmp_path)
    assert (result.code, result.out) == (0, '{"msgtype":"text","text":{"content":"8:00:00"}}\n')


# ---------------------------------------------------------------------------------------- version


def test_version() -> None:
    result = run_cli(["--version"], env=environment())
    assert (result.code, result.out, result.err) == (0, f"msgspec-dd, version {__version__}\n", "")


APP_CONFIG = """\
robots:
  default:
    webhook_env: T_HOOK
  announce:
    app:
      app_key_env: T_APP_KEY
      app_secret_env: T_APP_SECRET
      robot_code: dingabc123
      conversation: "cidXYZ=="
"""
CARD = """\
robot: default
message:
  msgtype: actionCard
  actionCard:
    title: 发布
    text: "# 发布"
    btnOrientation: "1"
    btns:
      - {title: 同意, actionURL: "https://e.com/a"}
      - {title: 拒绝, actionURL: "https://e.com/b"}
"""


def test_render_for_an_app_robot_prints_the_api_request_body(tmp_path: Path) -> None:
    (tmp_path / "msgspec-dd.yaml").write_text(APP_CONFIG, "utf-8")
    (tmp_path / "card.yaml").write_text(CARD, "utf-8")
    result = run_cli(["render", "card.yaml", "--robot", "announce"], cwd=tmp_path, env=environment())
    assert (result.code, result.err) == (0, "")
    params = {"title": "发布", "text": "# 发布", "buttonTitle1": "同意", "buttonUrl1": "https://e.com/a",
              "buttonTitle2": "拒绝", "buttonUrl2": "https://e.com/b"}
    assert result.out == wire.pretty({
        "msgKey": "sampleActionCard6", "msgParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
        "openConversationId": "cidXYZ==", "robotCode": "dingabc123"}) + "\n"
    webhook = run_cli(["render", "card.yaml", "--robot", "default"], cwd=tmp_path, env=environment())
    assert json.loads(webhook.out)["msgtype"] == "actionCard"


def test_render_for_an_app_robot_refuses_what_it_cannot_send(tmp_path: Path) -> None:
    (tmp_path / "msgspec-dd.yaml").write_text(APP_CONFIG, "utf-8")
    (tmp_path / "at.yaml").write_text(
        "message:\n  msgtype: text\n  text: {content: hi}\n  at: {isAtAll: true}\n", "utf-8")
    result = run_cli(["render", "at.yaml", "--robot", "announce"], cwd=tmp_path, env=environment())
    assert (result.code, result.out) == (1, "")
    assert "cannot @-mention anyone" in result.err and "Traceback" not in result.err
    unknown = run_cli(["render", "at.yaml", "--robot", "nope"], cwd=tmp_path, env=environment())
    assert unknown.code == 2 and "unknown robot 'nope'" in unknown.err


def test_in_github_actions_no_rendered_line_can_start_a_workflow_command(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        'message: {msgtype: text, text: {content: "::error title=x::pwned\\n##[group]y"}}\n', "utf-8")
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    text = run_cli(["render", "m.yaml", "--format", "text"], cwd=tmp_path, env=env)
    assert text.code == 0, text.err
    assert not any(line.startswith("::") or "##[" in line for line in text.out.splitlines())
    assert "\\::error title=x::pwned" in text.out
    body = run_cli(["render", "m.yaml"], cwd=tmp_path, env=env)
    assert "##[" not in body.out
    assert json.loads(body.out)["text"]["content"] == "::error title=x::pwned\n##[group]y"


def test_a_token_typed_where_click_refuses_it_is_masked_in_the_usage_error(tmp_path: Path) -> None:
    token = "ab" * 32
    refused = run_cli(["render", "m.yaml", "extra", f"https://oapi.dingtalk.com/robot/send?access_token={token}"],
                      cwd=tmp_path)
    assert refused.code == 2 and "unexpected extra arguments" in refused.err
    assert token not in refused.err + refused.out and "access_token=***" in refused.err
