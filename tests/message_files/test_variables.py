"""Variables and built-ins: ``--var`` read as the declared type, ``--vars-file``, required and
default values, invalid values named, the batch rule, and ``now`` / ``today`` / ``github``."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest

from msgspec_dd.config import Config, RobotConfig, default_config
from msgspec_dd.errors import ConfigError, MessageError, UsageError
from msgspec_dd.lint.engine import lint_file
from msgspec_dd.message_files import built_ins
from msgspec_dd.message_files.pipeline import PreparedMessage, prepare_messages
from msgspec_dd.message_files.variables import Unparsed, Variable, load_vars_file, parse_var_args

NOW = datetime(2024, 11, 29, 20, 30, tzinfo=timezone.utc)  # already Saturday in Shanghai
OUTSIDE_ACTIONS: dict[str, str] = {}

TYPED = """\
vars:
  code: {type: string}
  week: {type: integer, minimum: 1, maximum: 53}
  ids: {type: array, items: {type: integer}, default: []}
  raw: {default: none}
  flag: {type: boolean, default: false}
message:
  msgtype: text
  text:
    content: "{{ code }}|{{ week }}|{{ ids }}|{{ raw }}|{{ flag }}"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def message_file(folder: Path, name: str, variables: Mapping[str, Any], content: str) -> Path:
    data = {"vars": dict(variables), "message": {"msgtype": "text", "text": {"content": content}}}
    return write(folder, name, json.dumps(data, ensure_ascii=False))


def prepare(paths: Sequence[Path], *var_args: str, config: Config | None = None,
            **options: Any) -> list[PreparedMessage]:
    options.setdefault("environ", OUTSIDE_ACTIONS)
    options.setdefault("now", NOW)
    return prepare_messages(list(paths), config=config or default_config(), var_args=var_args,
                            **options)


def content(messages: list[PreparedMessage]) -> str:
    return str(messages[0].payload["text"]["content"])


def problems(caught: pytest.ExceptionInfo[MessageError]) -> list[str]:
    return [p.format() for p in caught.value.problems]


@pytest.fixture
def typed(tmp_path: Path) -> Path:
    return write(tmp_path, "typed.yaml", TYPED)


# --------------------------------------------------------------------------- --var and its types


@pytest.mark.parametrize(("args", "expected_content", "expected_values"), [
    (["code=007", "week=48"], "007|48|[]|none|False", {"code": "007", "week": 48}),
    (["code=007", "week=48", "ids=[1,2]"], "007|48|[1, 2]|none|False",
     {"code": "007", "week": 48, "ids": [1, 2]}),
    (["code=a=b", "week=1", "raw=[1,2]"], "a=b|1|[]|[1,2]|False",
     {"code": "a=b", "week": 1, "raw": "[1,2]"}),
    (["code=", "week=2", "flag=true"], "|2|[]|none|True", {"code": "", "week": 2, "flag": True}),
    (["code=true", "week=3"], "true|3|[]|none|False", {"code": "true", "week": 3}),
    (["code=x", "week=48.0"], "x|48|[]|none|False", {"code": "x", "week": 48}),
])
def test_var_is_read_as_the_declared_type(
    typed: Path, args: list[str], expected_content: str, expected_values: dict[str, Any]
) -> None:
    messages = prepare([typed], *args)
    assert content(messages) == expected_content
    # The resolved values, defaults applied: they identify the message in the ledger.
    defaults = {"ids": [], "raw": "none", "flag": False}
    assert dict(messages[0].variables) == {**defaults, **expected_values}


def test_coerce_string_and_untyped_verbatim_other_types_as_yaml() -> None:
    assert Variable("v", {"type": "string"}).coerce("007") == "007"
    assert Variable("v", {"type": ["string", "null"]}).coerce("null") == "null"
    assert Variable("v", {}).coerce("[1, 2]") == "[1, 2]"
    assert Variable("v", {"type": "integer"}).coerce("48") == 48
    # Leading zeros are decimal, as people mean them (YAML 1.1 would read 010 as octal 8).
    assert Variable("v", {"type": "integer"}).coerce("010") == 10
    assert Variable("v", {"type": "integer"}).coerce("08") == 8
    assert Variable("v", {"type": "number"}).coerce("4.5") == 4.5
    assert Variable("v", {"type": "array"}).coerce("[1,2]") == [1, 2]
    assert Variable("v", {"type": "object"}).coerce("{a: 1}") == {"a": 1}
    assert Variable("v", {"type": "integer"}).coerce("1e3") == 1000


@pytest.mark.parametrize(("declared", "text", "expected"), [
    ("integer", "48.0", 48), ("integer", "4.8e1", 48), ("integer", "48.5", 48.5),
    ("number", "48.0", 48.0), (["integer", "null"], "-2.0", -2),
])
def test_a_whole_float_is_an_integer_when_declared_so(declared: Any, text: str, expected: Any) -> None:
    value = Variable("v", {"type": declared}).coerce(text)
    assert (value, type(value)) == (expected, type(expected))


@pytest.mark.parametrize(("declared", "text", "message"), [
    ("array", "[", "'[' is not valid YAML/JSON for an array: expected the node content, but found "
                   "'<stream end>' at column 2 (while parsing a flow node)"),
    ("object", "a: b: c", "'a: b: c' is not valid YAML/JSON for an object: mapping values are not "
                          "allowed here at column 5"),
    (["integer", "null"], "{", "'{' is not valid YAML/JSON for an integer or null: expected the node "
                               "content, but found '<stream end>' at column 2 (while parsing a flow node)"),
    ("integer", "9" * 5000, f"'{'9' * 37}...' is not valid YAML/JSON for an integer: a number of "
                            "more than 4,300 digits"),
])
def test_text_that_is_not_yaml_for_its_type_says_so(declared: Any, text: str, message: str) -> None:
    value = Variable("v", {"type": declared}).coerce(text)
    assert isinstance(value, Unparsed)
    assert value.message == message


@pytest.mark.parametrize(("args", "expected"), [
    (["code=1", "week=60"],
     "typed.yaml:3:3: error: variable 'week': 60 is greater than the maximum of 53 [variable-value]"),
    (["code=1", "week=abc"],
     "typed.yaml:3:3: error: variable 'week': 'abc' is not of type 'integer' [variable-value]"),
    (["code=1", "week=1", "ids=[1, a]"],
     "typed.yaml:4:3: error: variable 'ids[1]': 'a' is not of type 'integer' [variable-value]"),
    (["week=1"],
     "typed.yaml:2:3: error: variable 'code' is required: give it with --var code=VALUE or "
     "--vars-file, or declare a default [variable-value]"),
    (["code=1", "week=48.5"],
     "typed.yaml:3:3: error: variable 'week': 48.5 is not of type 'integer' [variable-value]"),
    (["code=1", "week=1", "ids=["],
     "typed.yaml:4:3: error: variable 'ids': '[' is not valid YAML/JSON for an array: expected the "
     "node content, but found '<stream end>' at column 2 (while parsing a flow node) [variable-value]"),
])
def test_a_missing_or_invalid_value_is_a_problem_naming_the_variable(
    typed: Path, args: list[str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(typed.parent)
    with pytest.raises(MessageError) as caught:
        prepare([Path("typed.yaml")], *args)
    assert problems(caught) == [expected]
    assert caught.value.exit_code == 1


@pytest.mark.parametrize("arg", ["noequals", "bad name=1", "1x=2", "=3", "a-b=4"])
def test_bad_var_syntax_is_a_usage_error(arg: str) -> None:
    with pytest.raises(UsageError, match="expected NAME=VALUE"):
        parse_var_args([arg])


def test_parse_var_args_keeps_everything_after_the_first_equals_and_last_one_wins() -> None:
    assert parse_var_args(["a=x=y", " b =2", "a=z"]) == {"a": "z", "b": "2"}


# ------------------------------------------------------------------------------------ --vars-file


@pytest.mark.parametrize(("name", "text"), [
    ("values.vars.yaml", "code: '007'\nweek: 5\nids: [3]\n"),
    ("values.vars.json", '{"code": "007", "week": 5, "ids": [3]}'),
])
def test_vars_file_supplies_typed_values(typed: Path, name: str, text: str) -> None:
    vars_file = write(typed.parent, name, text)
    assert content(prepare([typed], vars_file=vars_file)) == "007|5|[3]|none|False"


def test_var_wins_over_the_vars_file(typed: Path) -> None:
    vars_file = write(typed.parent, "v.vars.yaml", "code: from-file\nweek: 5\n")
    messages = prepare([typed], "week=6", vars_file=vars_file)
    assert content(messages) == "from-file|6|[]|none|False"
    assert dict(messages[0].variables) == {"code": "from-file", "week": 6, "ids": [], "raw": "none",
                                           "flag": False}


def test_vars_file_values_are_validated_not_coerced(typed: Path) -> None:
    vars_file = write(typed.parent, "v.vars.yaml", "code: 7\nweek: '5'\n")
    with pytest.raises(MessageError) as caught:
        prepare([typed], vars_file=vars_file)
    assert [p.message for p in caught.value.problems] == [
        "variable 'code': 7 is not of type 'string'",
        "variable 'week': '5' is not of type 'integer'",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("- a\n- b\n", "expected a mapping of variable names to values"),
    ("a: [\n", "invalid YAML"),
])
def test_a_bad_vars_file_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load_vars_file(write(tmp_path, "v.vars.yaml", text))


def test_a_missing_vars_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the file"):
        load_vars_file(tmp_path / "nope.yaml")


def test_an_empty_vars_file_gives_no_values(tmp_path: Path) -> None:
    assert load_vars_file(write(tmp_path, "v.vars.yaml", "")) == {}


# ------------------------------------------------------------------------------ required, default


def test_default_is_used_when_no_value_is_given_and_examples_never_are(tmp_path: Path) -> None:
    path = message_file(tmp_path, "m.json", {"a": {"default": "dflt", "examples": ["ex"]},
                                             "b": {"examples": ["ex"]}}, "{{ a }} {{ b }}")
    assert content(prepare([path], "b=given")) == "dflt given"
    with pytest.raises(MessageError) as caught:
        prepare([path])
    assert [p.message.split(":")[0] for p in caught.value.problems] == ["variable 'b' is required"]


def test_preview_fills_missing_values_with_default_then_first_example(tmp_path: Path) -> None:
    path = message_file(tmp_path, "m.json", {"a": {"default": "dflt", "examples": ["ex"]},
                                             "b": {"examples": ["first", "second"]}},
                        "{{ a }} {{ b }} {{ github.actor }}")
    assert content(prepare([path], use_examples=True)) == "dflt first octocat"


def test_an_explicit_null_default_makes_a_variable_optional(tmp_path: Path) -> None:
    path = message_file(tmp_path, "m.json", {"a": {"default": None}}, "[{{ a }}]")
    assert content(prepare([path])) == "[None]"


# ------------------------------------------------------------------------------------ the batch


def test_a_variable_some_file_declares_is_ignored_for_the_others(tmp_path: Path) -> None:
    first = message_file(tmp_path, "a.json", {"week": {"type": "integer"}}, "week {{ week }}")
    second = message_file(tmp_path, "b.json", {"host": {"default": "ann"}}, "host {{ host }}")
    messages = prepare([tmp_path], "week=7")
    assert [m.payload["text"]["content"] for m in messages] == ["week 7", "host ann"]
    assert [dict(m.variables) for m in messages] == [{"week": 7}, {"host": "ann"}]  # defaulted
    assert [m.path for m in messages] == [str(first), str(second)]


def test_a_var_no_file_declares_is_a_usage_error(tmp_path: Path) -> None:
    message_file(tmp_path, "a.json", {"week": {"type": "integer"}}, "week {{ week }}")
    message_file(tmp_path, "b.json", {"host": {"default": "x"}}, "host {{ host }}")
    with pytest.raises(UsageError, match=r"variable wek not declared by any message file") as caught:
        prepare([tmp_path / "a.json", tmp_path / "b.json"], "week=1", "wek=7")
    assert caught.value.exit_code == 2


def test_a_vars_file_key_no_file_declares_is_a_note(tmp_path: Path) -> None:
    # One common.vars.yaml serves many messages: its other keys are not a typo on the command line.
    message_file(tmp_path, "a.json", {"week": {"type": "integer"}}, "week {{ week }}")
    vars_file = write(tmp_path, "v.vars.yaml", "wek: 7\nweek: 2\n")
    notes: list[str] = []
    messages = prepare([tmp_path / "a.json"], vars_file=vars_file, note=notes.append)
    assert content(messages) == "week 2"
    assert notes == [f"note: --vars-file {vars_file}: wek not declared by any message file of this "
                     "batch; ignored"]


def test_one_invalid_message_means_nothing_is_prepared_and_all_problems_are_listed(
    tmp_path: Path,
) -> None:
    message_file(tmp_path, "a.json", {"week": {"type": "integer"}}, "week {{ week }}")
    message_file(tmp_path, "b.json", {"day": {"type": "integer"}}, "day {{ day }}")
    message_file(tmp_path, "c.json", {}, "fine")
    with pytest.raises(MessageError) as caught:
        prepare([tmp_path], "week=x")
    assert [(Path(p.path).name, p.message.split(":")[0]) for p in caught.value.problems] == [
        ("a.json", "variable 'week'"),
        ("b.json", "variable 'day' is required"),
    ]


def test_vars_files_in_a_directory_are_not_message_files(tmp_path: Path) -> None:
    message_file(tmp_path, "a.json", {"week": {"type": "integer"}}, "week {{ week }}")
    vars_file = write(tmp_path, "week.vars.yaml", "week: 9\n")
    write(tmp_path, "other.vars.json", '{"week": 1}')
    messages = prepare([tmp_path], vars_file=vars_file)
    assert [m.payload["text"]["content"] for m in messages] == ["week 9"]


# ------------------------------------------------------------------------------------ now, today


def test_now_is_timezone_aware_in_the_configured_zone(tmp_path: Path) -> None:
    path = message_file(tmp_path, "m.json", {}, "{{ now.isoformat() }} {{ today }} {{ now.tzname() }}")
    config = Config(robots=default_config().robots, timezone="Asia/Shanghai")
    assert content(prepare([path], config=config)) == "2024-11-30T04:30:00+08:00 2024-11-30 CST"
    config = Config(robots=default_config().robots, timezone="America/New_York")
    assert content(prepare([path], config=config)) == "2024-11-29T15:30:00-05:00 2024-11-29 EST"


def test_builtins_are_aware_and_injectable() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    values = built_ins.builtins(tz=shanghai, now=NOW, environ=OUTSIDE_ACTIONS)
    assert values["now"] == NOW and values["now"].tzinfo is shanghai
    assert values["today"] == date(2024, 11, 30)
    fresh = built_ins.builtins(tz=shanghai, environ=OUTSIDE_ACTIONS)["now"]
    assert fresh.utcoffset() == timedelta(hours=8)
    assert abs(fresh - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_without_a_configured_zone_the_local_zone_is_used() -> None:
    local = built_ins.timezone(None)
    assert datetime(2024, 1, 1, tzinfo=local).utcoffset() == datetime(2024, 1, 1).astimezone().utcoffset()


def test_an_unknown_timezone_is_a_config_error(tmp_path: Path) -> None:
    path = message_file(tmp_path, "m.json", {}, "x")
    with pytest.raises(ConfigError, match="unknown timezone 'Mars/Olympus'"):
        prepare([path], config=Config(robots=default_config().robots, timezone="Mars/Olympus"))


# ----------------------------------------------------------------------------------------- github

ACTIONS = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "acme/news",
    "GITHUB_SHA": "f" * 40,
    "GITHUB_REF_NAME": "main",
    "GITHUB_ACTOR": "ann",
    "GITHUB_EVENT_NAME": "schedule",
    "GITHUB_RUN_ID": "42",
    "GITHUB_SERVER_URL": "https://github.example.com",
    # Nothing below may ever reach a template.
    "GITHUB_TOKEN": "ghs_canary0000000000000000000000000000",
    "ACTIONS_RUNTIME_TOKEN": "canary-runtime-token",
    "DINGTALK_SECRET": "SEC" + "c" * 64,
    "HOME": "/home/canary",
}
CANARIES = ("canary", "c" * 64)


def test_github_inside_actions_comes_from_the_github_variables(tmp_path: Path) -> None:
    path = message_file(tmp_path, "m.json", {},
                        "{{ github.repository }} {{ github.sha[:7] }} {{ github.ref_name }} "
                        "{{ github.actor }} {{ github.event_name }} {{ github.run_url }}")
    assert content(prepare([path], environ=ACTIONS)) == (
        "acme/news fffffff main ann schedule https://github.example.com/acme/news/actions/runs/42"
    )


def test_github_holds_exactly_the_six_documented_facts() -> None:
    github = built_ins.github_context(ACTIONS)
    assert github is not None
    assert sorted(github) == ["actor", "event_name", "ref_name", "repository", "run_url", "sha"]
    assert not any(canary in value for value in github.values() for canary in CANARIES)


@pytest.mark.parametrize("template", [
    "{{ github }}",
    "{{ github.token }}",
    "{{ github['GITHUB_TOKEN'] }}",
    "{{ github.items() | list }}",
    "{{ env }}",
    "{{ environ }}",
    "{{ now.__class__ }}",
])
def test_no_other_environment_variable_is_ever_reachable(
    tmp_path: Path, template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ACTIONS.items():  # the process environment holds the canaries too
        monkeypatch.setenv(name, value)
    path = message_file(tmp_path, "m.json", {}, template)
    try:
        rendered = content(prepare([path], environ=ACTIONS))
    except MessageError as err:
        rendered = str(err)
    assert not any(canary in rendered for canary in CANARIES), rendered


def test_github_outside_actions_is_an_error_when_rendering(tmp_path: Path) -> None:
    path = message_file(tmp_path, "m.json", {}, "built from {{ github.sha }}")
    with pytest.raises(MessageError) as caught:
        prepare([path])
    assert [p.message for p in caught.value.problems] == [
        "'github' is only available inside GitHub Actions (lint and preview use samples)"
    ]


@pytest.mark.parametrize("template", ["{% if github %}CI{% else %}local{% endif %}",
                                      "{{ github | length }}"])
def test_any_use_of_github_outside_actions_is_an_error(tmp_path: Path, template: str) -> None:
    path = message_file(tmp_path, "m.json", {}, template)
    with pytest.raises(MessageError, match="only available inside GitHub Actions"):
        prepare([path])


def test_github_outside_actions_uses_samples_in_lint(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    path = message_file(tmp_path, "m.json", {}, "built from {{ github.sha }} by {{ github.actor }}")
    assert lint_file(path, default_config()) == []


def test_github_outside_actions_uses_samples_in_preview(tmp_path: Path) -> None:
    path = message_file(tmp_path, "m.json", {}, "{{ github.repository }}@{{ github.ref_name }}")
    assert content(prepare([path], use_examples=True)) == "octo-org/announcements@main"


def test_github_set_to_anything_but_true_is_outside_actions() -> None:
    assert built_ins.github_context({**ACTIONS, "GITHUB_ACTIONS": "1"}) is None
    assert built_ins.github_context({}) is None


def test_robots_of_a_prepared_message_come_from_the_file_or_the_override(tmp_path: Path) -> None:
    data = {"robot": ["ops", "default"], "message": {"msgtype": "text", "text": {"content": "x"}}}
    path = write(tmp_path, "m.json", json.dumps(data))
    config = Config(robots={"default": RobotConfig("default"), "ops": RobotConfig("ops")})
    assert prepare([path], config=config)[0].robots == ("ops", "default")
    assert prepare([path], config=config, robots_override=["default"])[0].robots == ("default",)
    with pytest.raises(ConfigError, match="unknown robot 'nope'"):
        prepare([path], config=config, robots_override=["nope"])


# ------------------------------------------------------------------- keys YAML reads as non-strings


def test_keys_yaml_reads_as_non_strings_are_problems_not_crashes(tmp_path: Path) -> None:
    # Each is reported at the key itself, although YAML made it True or 1.
    path = write(tmp_path, "w.yaml", "on: push\nvars:\n  1: {default: a}\n"
                                     "message: {msgtype: text, text: {content: hi, yes: 1}}\n")
    assert [p.format() for p in lint_file(path, default_config())] == [
        f"{path}:1:1: error: unknown field True: YAML reads `on`/`yes`/`1` as non-strings; "
        "quote the key [file-schema]",
        f"{path}:3:6: error: the name 1 is read by YAML as a number, not a string: names must be "
        "identifiers (letters, digits and _, not a leading digit) [file-schema]",
        f"{path}:4:46: error: unknown field True in text: YAML reads `on`/`yes`/`1` as non-strings; "
        "quote the key [file-schema]",
    ]


# ---------------------------------------------------- variable schemas: invalid, remote, hostile

SLOW_TEXT = "x" * 3000


def variable_file(folder: Path, schema: str) -> Path:
    message = "message: {msgtype: text, text: {content: '{{ x }}'}}\n"
    return write(folder, "v.yaml", f"vars:\n  x: {schema}\n{message}")


@pytest.mark.parametrize(("schema", "message"), [
    ('{type: string, pattern: "(", examples: [abc]}',
     "variable 'x' has an invalid schema: pattern '(' is not a valid regular expression: "
     "missing ), unterminated subpattern at position 0"),
    ('{type: object, patternProperties: {"[": {}}, examples: [{}]}',
     "variable 'x' has an invalid schema: pattern '[' is not a valid regular expression: "
     "unterminated character set at position 0"),
    ('{$ref: "#/nowhere", examples: [abc]}',
     "variable 'x' has an invalid schema: $ref '#/nowhere' does not resolve: nothing in this "
     "schema has that location"),
    ('{$ref: "http://example.com/s.json", examples: [abc]}',
     "variable 'x' has an invalid schema: $ref 'http://example.com/s.json' is not local: refer to "
     "a part of this schema (#/$defs/NAME); msgspec-dd never fetches schemas"),
    ('{type: string, pattern: "a{4294967294}", examples: [a]}',
     "variable 'x' has an invalid schema: pattern 'a{4294967294}' repeats too much (its counted "
     "repeats expand beyond 10,000); use maxLength / maxItems for lengths"),
    ('{type: object, properties: {1: {type: string}}, examples: [{}]}',
     "variable 'x' has an invalid schema: at /properties: key 1 is not a string (YAML reads "
     "`on`/`yes`/`1` as non-strings); quote it"),
    ('{patternProperties: {a: {}}, unevaluatedProperties: false, examples: [{}]}',
     "variable 'x' has an invalid schema: unevaluatedProperties cannot be combined with "
     "patternProperties here; use additionalProperties"),
    ('{type: string, pattern: "(a+)+$", examples: ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"]}',
     "variable 'x': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' does not match '(a+)+$'"),
    (f'{{type: string, pattern: "(x+x+)+y", examples: ["{SLOW_TEXT}"]}}',
     "variable 'x': pattern '(x+x+)+y' is too slow to evaluate on this value: simplify it"),
    ('{$ref: "#", examples: [a]}', "variable 'x': the schema refers to itself without end ($ref)"),
    ("{multipleOf: 0.5, examples: [.nan]}",
     "variable 'x': the value cannot be checked against the schema: cannot convert float NaN to integer"),
])
def test_an_unusable_variable_schema_is_a_problem_at_the_variable_quickly(
    tmp_path: Path, schema: str, message: str
) -> None:
    path = variable_file(tmp_path, schema)
    started = time.monotonic()
    problems = lint_file(path, default_config())
    assert time.monotonic() - started < 10  # the patterns above would take longer than a lifetime
    assert [(p.line, p.column, p.rule, p.message) for p in problems] == [(2, 3, "variable-value", message)]


def test_a_schema_that_branches_exponentially_runs_out_of_time_not_forever(tmp_path: Path) -> None:
    names = [f"d{i}" for i in range(40)]
    defs: dict[str, Any] = {name: {"anyOf": [{"$ref": f"#/$defs/{after}"}] * 2}
                            for name, after in itertools.pairwise(names)}
    defs[names[-1]] = {"type": "string"}
    schema = json.dumps({"$defs": defs, "$ref": "#/$defs/d0", "examples": [1]})
    started = time.monotonic()
    problems = lint_file(variable_file(tmp_path, schema), default_config())
    assert time.monotonic() - started < 10  # 2**40 evaluations otherwise
    assert [p.message for p in problems] == [
        "variable 'x': the schema is too slow to evaluate on this value: simplify it"
    ]


class Counting(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Counting.requests.append(self.path)
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/schema+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_remote_ref_is_never_fetched(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/s.json"
        nested = json.dumps({"properties": {"a": {"$ref": url}}, "examples": [{"a": 1}]})
        for schema in (f'{{$ref: "{url}", examples: [abc]}}', nested):
            path = variable_file(tmp_path, schema)
            [problem] = lint_file(path, default_config())
            assert "is not local" in problem.message
            with pytest.raises(MessageError, match="is not local"):
                prepare([path], "x=abc")
    finally:
        server.shutdown()
        server.server_close()
    assert Counting.requests == []


def test_an_invalid_schema_is_reported_by_send_even_without_a_value(tmp_path: Path) -> None:
    path = variable_file(tmp_path, '{type: string, pattern: "("}')
    with pytest.raises(MessageError) as caught:
        prepare([path])
    assert [p.message for p in caught.value.problems] == [
        "variable 'x' has an invalid schema: pattern '(' is not a valid regular expression: "
        "missing ), unterminated subpattern at position 0"
    ]


def test_patterns_match_as_before_and_non_string_keys_never_match() -> None:
    from msgspec_dd.schemas import user_schemas

    checked = user_schemas.check({"type": "object", "patternProperties": {"^a": {"type": "integer"}},
                                      "additionalProperties": False,
                                      "properties": {"code": {"pattern": r"^\d{3}$"}}})
    assert checked.errors == () and checked.validator is not None
    assert user_schemas.validate(checked.validator, {"ab": 1, "code": "007"}) == []
    assert user_schemas.validate(checked.validator, {"ab": "x", "code": "7", 1: 2}) == [
        "'x' is not of type 'integer'",
        "Additional properties are not allowed (1 unexpected)",
        "'7' does not match '^\\\\d{3}$'",
    ]


def test_a_schema_that_is_not_a_json_schema_is_named() -> None:
    from msgspec_dd.schemas import user_schemas

    assert user_schemas.check({"type": 5}).errors == (
        'at /type: 5 is not one of "array", "boolean", "integer", "null", "number", "object", "string"',
    )


@pytest.mark.parametrize(("text", "reason"), [
    ("[&a [x,x,x,x,x,x,x,x,x,x], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], "
     "&d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]]",
     "document has more than 50,000 values (aliases expand too far)"),
    ("[" * 900, "document is nested too deeply"),
    ("[" * 70 + "]" * 70, "document is nested deeper than 64 levels"),
])
def test_var_text_is_read_by_the_loader_with_its_limits(text: str, reason: str) -> None:
    value = Variable("ids", {"type": "array"}).coerce(text)
    assert isinstance(value, Unparsed) and value.reason == reason
