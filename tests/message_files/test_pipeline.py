"""The staged pipeline, and preparing a batch: everything is settled before anything is sent."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from msgspec_dd.config import default_config
from msgspec_dd.dingtalk import wire
from msgspec_dd.errors import MessageError
from msgspec_dd.lint.engine import lint_pipeline
from msgspec_dd.lint.registry import RULES
from msgspec_dd.lint.rule import has_check
from msgspec_dd.lint.rules import (
    insecure_url,
    render_failed,
    rule_setting,
    unused_variable,
    url_scheme,
    variable_value,
    yaml_syntax,
)
from msgspec_dd.message_files import built_ins, variables
from msgspec_dd.message_files.loader import load_document
from msgspec_dd.message_files.pipeline import PipelineResult, PreparedMessage, prepare_messages, send_pipeline

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


# The stages, the same for lint and send: what differs is injected (rules, values, robots).

BROKEN_TEMPLATE = "robot: nobody\nmessage:\n  msgtype: text\n  text: {content: '{{ oops }'}\n"
HTTP_LINK = ("message:\n  msgtype: link\n"
             "  link: {title: t, text: x, messageUrl: 'http://example.com/a'}\n")


def lint_result(path: Path) -> PipelineResult:
    return lint_pipeline(default_config()).run_file(path)


def send_result(path: Path, *var_args: str) -> PipelineResult:
    given = variables.Given(variables.parse_var_args(var_args), {})
    builtins = built_ins.builtins(tz=built_ins.timezone(None, source="test"), samples=False)
    return send_pipeline(default_config(), given, (), builtins).run(load_document(path))


def test_a_prepared_message_carries_the_bytes_of_its_rendered_body(tmp_path: Path) -> None:
    path = write(tmp_path, TEXT.replace("default: x", "default: 日报"))
    result = send_result(path)
    [message] = prepare_messages([path], config=default_config())
    assert result.rendered is not None
    assert message.body == result.rendered.body == '{"msgtype":"text","text":{"content":"日报"}}'.encode()


def test_a_message_made_by_hand_is_encoded_when_it_is_made() -> None:
    payload = {"msgtype": "text", "text": {"content": "日报"}}
    message = PreparedMessage("m.yaml", "sha", ("default",), payload, {})
    assert message.body == wire.encode(payload)


def test_a_blocking_source_problem_stops_both_before_rendering(tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN_TEMPLATE)
    linted, sent = lint_result(path), send_result(path)
    assert {p.rule for p in linted.problems} == {"template-syntax", "unknown-robot"}
    assert [p.rule for p in sent.problems] == ["template-syntax"]  # send runs the blocking rules only
    assert linted.rendered is None and sent.rendered is None


def test_a_problem_of_a_rule_that_does_not_block_is_reported_by_lint_and_sent_anyway(tmp_path: Path) -> None:
    path = write(tmp_path, HTTP_LINK)
    assert [p.rule for p in lint_result(path).problems] == ["insecure-url"]
    assert not insecure_url.BLOCKING
    [message] = prepare_messages([path], config=default_config())
    assert message.payload["link"]["messageUrl"] == "http://example.com/a"


def test_a_missing_variable_stops_send_at_the_variables_stage(tmp_path: Path) -> None:
    source = "vars:\n  week: {type: integer}\nmessage:\n  msgtype: text\n  text: {content: '{{ week }}'}\n"
    path = write(tmp_path, source)
    stopped = send_result(path)
    assert [p.rule for p in stopped.blocking] == [variable_value.ID] and stopped.rendered is None
    assert send_result(path, "week=48").rendered.payload == {"msgtype": "text", "text": {"content": "48"}}
    # lint has no value to render with: variable-without-example says so, nothing blocks
    assert [p.rule for p in lint_result(path).problems] == ["variable-without-example"]


def test_a_blocking_rendered_problem_refuses_the_send(tmp_path: Path) -> None:
    source = "message:\n  msgtype: link\n  link: {title: t, text: x, messageUrl: 'example.com'}\n"
    path = write(tmp_path, source)
    assert [p.rule for p in send_result(path).blocking] == [url_scheme.ID]
    with pytest.raises(MessageError) as caught:
        prepare_messages([path], config=default_config())
    assert [(p.rule, p.line) for p in caught.value.problems] == [(url_scheme.ID, 3)]


def test_the_pipeline_runs_the_rules_it_is_given(tmp_path: Path) -> None:
    path = write(tmp_path, "vars:\n  unused: {type: string, default: x}\n" + HTTP_LINK)
    linted = lint_pipeline(default_config())
    assert [p.rule for p in linted.run_file(path).problems] == [unused_variable.ID, insecure_url.ID]
    only = replace(linted, rules=(insecure_url,))
    assert [p.rule for p in only.run_file(path).problems] == [insecure_url.ID]


def test_a_file_that_cannot_be_read_is_one_problem_of_the_load_stage(tmp_path: Path) -> None:
    [problem] = lint_result(write(tmp_path, "message: [unclosed\n")).problems
    assert (problem.rule, problem.level) == (yaml_syntax.ID, yaml_syntax.LEVEL)


def test_every_rule_declares_its_stage_and_whether_it_blocks() -> None:
    for rule in RULES.values():
        assert isinstance(rule.BLOCKING, bool) and isinstance(rule.GENERIC, bool), rule.ID
        # source and rendered rules are run by the pipeline; the others are reported by a stage
        assert has_check(rule) == (rule.STAGE in ("source", "rendered")), rule.ID
    assert {rule.ID for rule in RULES.values() if rule.STAGE in ("load", "variables", "render")} == {
        yaml_syntax.ID, rule_setting.ID, variable_value.ID, render_failed.ID}


def test_send_reports_what_lint_reports_of_the_blocking_rules(tmp_path: Path) -> None:
    # One pipeline: the schema error at the spot the yaml-trap hint explains is dropped for both
    # (before the pipeline was shared, send reported both).
    source = ("message:\n  msgtype: actionCard\n  actionCard: {title: t, text: x, btnOrientation: 0, "
              "singleTitle: a, singleURL: 'https://e.com'}\n")
    path = write(tmp_path, source)
    with pytest.raises(MessageError) as caught:
        prepare_messages([path], config=default_config())
    assert [(p.rule, p.line, p.column) for p in caught.value.problems] == [("yaml-trap", 3, 51)]
    assert list(caught.value.problems) == lint_result(path).blocking
