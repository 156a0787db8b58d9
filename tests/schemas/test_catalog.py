"""The JSON Schemas and msgspec_dd.schemas.catalog: metaschema validity, DingTalk's own examples,
data-driven bad cases located at the right path, property tests, bundling and the message-file
schema's template affordances."""

from __future__ import annotations

import copy
import functools
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from msgspec_dd.schemas import catalog
from msgspec_dd.schemas.issues import schema_issues
from tests.jsontree import objects

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parents[1] / "cases" / "payloads"
GOOD = sorted((CASES / "good").glob("*.json"))
BAD = sorted((CASES / "bad").glob("*.json"))
# DingTalk's six documented examples; other files in messages/ may hold templates.
MESSAGES = [
    ROOT / "messages" / f"{name}.yaml"
    for name in ("text", "link", "markdown", "action-card-single", "action-card-multi", "feed-card")
]
METASCHEMA = "https://json-schema.org/draft/2020-12/schema"
MODELINE = "# yaml-language-server: $schema=../schemas/message-file.schema.json\n"

PAYLOAD_FILES = [
    "text",
    "link",
    "markdown",
    "actionCard-single",
    "actionCard-multi",
    "actionCard",
    "feedCard",
]
ALL_FILES = sorted([*PAYLOAD_FILES, "at", "payload", "message-file", "config"])

PROPERTY_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def located(validator: Any, instance: Any) -> set[tuple[str, str]]:
    return {(issue.pointer, issue.keyword) for issue in schema_issues(validator, instance)}


def subschemas(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema of a schema, with a JSON pointer to it (data keywords skipped)."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from subschemas(item, f"{where}/{index}")
        return
    if not isinstance(node, dict):
        return
    yield where, node
    for key, value in node.items():
        if key in ("examples", "enum", "const", "default"):
            continue
        if key in ("properties", "$defs", "patternProperties") and isinstance(value, dict):
            for name, sub in value.items():
                yield from subschemas(sub, f"{where}/{key}/{name}")
        elif isinstance(value, (dict, list)):
            yield from subschemas(value, f"{where}/{key}")


def is_condition(where: str) -> bool:
    """Inside an ``if``: a test on the instance, not a description of it."""
    return "/if/" in where + "/"


# ------------------------------------------------------------------------ the files themselves


def test_the_schema_files_are_the_expected_ones() -> None:
    assert list(catalog.names()) == ALL_FILES


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_schema_is_valid_against_the_2020_12_metaschema(name: str) -> None:
    schema = catalog.load(name)
    assert schema["$schema"] == METASCHEMA
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", ALL_FILES)
def test_no_schema_has_an_id_so_refs_resolve_relative_to_the_file(name: str) -> None:
    assert all("$id" not in sub for _, sub in subschemas(catalog.load(name)))


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_property_is_described_in_english_and_chinese(name: str) -> None:
    for where, sub in subschemas(catalog.load(name)):
        if is_condition(where):
            continue
        for prop, prop_schema in sub.get("properties", {}).items():
            description = prop_schema.get("description", "")
            assert LATIN_WORD.search(description), f"{name}{where}/{prop}: no English description"
            assert CJK.search(description), f"{name}{where}/{prop}: no Chinese description"


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_object_rejects_unknown_keys(name: str) -> None:
    for where, sub in subschemas(catalog.load(name)):
        if is_condition(where) or where == "/$defs/variable":  # a variable is any JSON Schema
            continue
        if "properties" in sub and "allOf" not in sub:  # dispatchers leave it to each msgtype
            assert sub.get("additionalProperties") is False, f"{name}{where} is open"


@pytest.mark.parametrize("name", ALL_FILES)
def test_examples_in_the_schemas_are_valid(name: str) -> None:
    schema = catalog.load(name)
    for example in schema.get("examples", []):
        assert schema_issues(catalog.validator(name), example) == []
    for where, sub in subschemas(schema):
        if where and "examples" in sub and "$ref" not in json.dumps(sub):
            for example in sub["examples"]:
                assert Draft202012Validator(sub).is_valid(example), f"{name}{where}: {example!r}"


def test_load_returns_a_fresh_copy_and_rejects_unknown_names() -> None:
    catalog.load("text")["title"] = "changed"
    assert catalog.load("text")["title"] == "DingTalk text message"
    assert catalog.load("text.schema.json") == catalog.load("text")
    with pytest.raises(KeyError, match="known: actionCard"):
        catalog.load("image")


def test_validators_are_built_once() -> None:
    assert catalog.payload_validator() is catalog.payload_validator()
    assert catalog.message_file_validator() is catalog.message_file_validator()
    assert catalog.config_validator() is catalog.config_validator()
    assert catalog.payload_validator_for("link") is catalog.payload_validator_for("link")


def test_payload_validator_for_knows_only_the_webhook_msgtypes() -> None:
    assert catalog.MSGTYPES == ("text", "link", "markdown", "actionCard", "feedCard")
    with pytest.raises(KeyError, match="valid: text, link, markdown, actionCard, feedCard"):
        catalog.payload_validator_for("image")


def test_the_payload_schema_lists_exactly_the_msgtypes() -> None:
    payload = catalog.load("payload")
    assert payload["properties"]["msgtype"]["enum"] == list(catalog.MSGTYPES)
    dispatched = [rule["if"]["properties"]["msgtype"]["const"] for rule in payload["allOf"]]
    assert dispatched == list(catalog.MSGTYPES)


# ---------------------------------------------------------------------- data-driven payloads


def test_dingtalks_six_documented_examples_are_cases() -> None:
    names = {path.stem for path in GOOD if path.stem.startswith("dingtalk-")}
    assert len(names) == 6


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_payloads_are_valid(path: Path) -> None:
    body = read_json(path)
    assert schema_issues(catalog.payload_validator(), body) == []
    assert catalog.payload_validator_for(body["msgtype"]).is_valid(body)


def test_dingtalks_link_example_with_an_empty_picurl_is_valid() -> None:
    body = read_json(CASES / "good" / "dingtalk-link.json")
    assert body["link"]["picUrl"] == ""
    assert catalog.payload_validator().is_valid(body)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_payloads_are_rejected_at_the_expected_path(path: Path) -> None:
    case = read_json(path)
    expected = {(error["path"], error["keyword"]) for error in case["errors"]}
    assert not catalog.payload_validator().is_valid(case["payload"])
    assert located(catalog.payload_validator(), case["payload"]) == expected


def test_raw_jsonschema_errors_point_at_the_object_holding_an_unknown_key() -> None:
    body = read_json(CASES / "bad" / "link-messageURL-miscased.json")["payload"]
    paths = sorted(
        list(error.absolute_path) for error in catalog.payload_validator().iter_errors(body)
    )
    assert paths == [["link"], ["link"]]


@pytest.mark.parametrize(
    ("case", "pointer", "message"),
    [
        (
            "link-messageURL-miscased",
            "/link/messageURL",
            (
                "unknown field 'messageURL' in link: did you mean 'messageUrl'? "
                "Field names are case-sensitive."
            ),
        ),
        ("link-messageURL-miscased", "/link", "'messageUrl' is a required property"),
        (
            "feedcard-picUrl-miscased",
            "/feedCard/links/0/picUrl",
            (
                "unknown field 'picUrl' in an item of links: did you mean 'picURL'? "
                "Field names are case-sensitive."
            ),
        ),
        (
            "actioncard-numeric-btnOrientation",
            "/actionCard/btnOrientation",
            'must be the string "0", not a number: quote it in YAML',
        ),
        (
            "unknown-msgtype",
            "/msgtype",
            'unknown msgtype "image": use one of text, link, markdown, actionCard, feedCard',
        ),
        (
            "at-mobile-number",
            "/at/atMobiles/0",
            "13800138000 must be a string, not a number: quote it in YAML",
        ),
        ("text-empty-content", "/text/content", "must not be empty"),
        ("at-isAtAll-string", "/at/isAtAll", "must be true or false, not a string"),
        (
            "text-unknown-top-level-field",
            "/title",
            "unknown field 'title' (allowed: msgtype, text, at, msgUuid)",
        ),
    ],
)
def test_issue_messages_say_what_to_do(case: str, pointer: str, message: str) -> None:
    body = read_json(CASES / "bad" / f"{case}.json")["payload"]
    found = {
        (issue.pointer, issue.message)
        for issue in schema_issues(catalog.payload_validator(), body)
    }
    assert (pointer, message) in found


def test_action_card_with_single_url_only_is_checked_as_a_one_button_card() -> None:
    body = {
        "msgtype": "actionCard",
        "actionCard": {"title": "t", "text": "x", "singleURL": "https://example.com/"},
    }
    messages = [issue.message for issue in schema_issues(catalog.payload_validator(), body)]
    assert messages == ["'singleTitle' is a required property"]


def test_action_card_without_single_fields_needs_buttons() -> None:
    body = {"msgtype": "actionCard", "actionCard": {"title": "t", "text": "x"}}
    messages = [issue.message for issue in schema_issues(catalog.payload_validator(), body)]
    assert messages == ["'btns' is a required property"]


def test_the_wording_lives_in_schema_issues_and_schemas_issues_still_answers() -> None:

    body = {"msgtype": "text", "text": {"content": "x", "Content": "y"}}
    worded = schema_issues(catalog.payload_validator(), body)
    assert [issue.pointer for issue in worded] == ["/text/Content"]
    assert schema_issues(catalog.payload_validator(), body) == worded
    # catalog.py keeps loading, validators and bundling; no message wording is left there.
    assert not any(hasattr(catalog, name) for name in ("_describe", "_unknown_key", "_message"))


def test_pointer_escapes_json_pointer_tokens() -> None:
    assert catalog.pointer(["a/b", "c~d", 0]) == "/a~1b/c~0d/0"
    assert catalog.pointer([]) == ""


# ------------------------------------------------------------------------------ message files

PRODUCT_EXAMPLE = """
description: Weekly study digest
robot: default
vars:
  week:
    type: integer
    minimum: 1
    maximum: 53
    examples: [48]
  articles:
    type: array
    default: []
    items: {type: object, required: [title, url]}
message:
  msgtype: feedCard
  feedCard:
    links:
      - $for: a in articles
        $if: a.url.startswith('https://')
        title: "{{ a.title }}"
        messageURL: "{{ a.url }}"
        picURL: "{{ a.pic | default('https://example.com/cover.png') }}"
"""

GOOD_FILES = {
    "product-example": PRODUCT_EXAMPLE,
    "mobiles-from-a-loop": """
vars: {people: {type: array, default: []}}
message:
  msgtype: text
  text: {content: "{% for p in people %}@{{ p }} {% endfor %}请查收"}
  at:
    atMobiles:
      - "13800138000"
      - $for: p in people
        $value: "{{ p }}"
    isAtAll: "{{ people | length == 0 }}"
""",
    "buttons-from-a-loop-and-templated-switches": """
robot: [default, ops]
message:
  msgtype: actionCard
  actionCard:
    title: 审批
    text: "### 请假申请"
    btnOrientation: "{{ '1' if wide else '0' }}"
    hideAvatar: "1"
    btns:
      - $for: label, url in choices
        title: "{{ label }}"
        actionURL: "{{ url }}"
      - $if: show_help
        title: 帮助
        actionURL: https://example.com/help
""",
    "single-card": """
message:
  msgtype: actionCard
  actionCard: {title: t, text: x, singleTitle: 阅读全文, singleURL: "https://example.com/"}
""",
}

BAD_FILES: dict[str, tuple[str, set[tuple[str, str]]]] = {
    "no-message": ("description: nothing to send\n", {("", "required")}),
    "unknown-top-level-key": (
        "messages: {msgtype: text, text: {content: hi}}\n"
        "message: {msgtype: text, text: {content: hi}}\n",
        {("/messages", "additionalProperties")},
    ),
    "templated-msgtype": (
        'message: {msgtype: "{{ kind }}", text: {content: hi}}\n',
        {("/message/msgtype", "enum")},
    ),
    "miscased-key-in-template": (
        'message: {msgtype: link, link: {title: t, text: x, messageURL: "{{ u }}"}}\n',
        {("/message/link", "required"), ("/message/link/messageURL", "additionalProperties")},
    ),
    "loop-item-missing-required-field": (
        "message: {msgtype: feedCard, feedCard: {links: "
        '[{$for: a in xs, title: "{{ a }}", messageURL: u}]}}\n',
        {("/message/feedCard/links/0", "required")},
    ),
    "malformed-for": (
        "message: {msgtype: feedCard, feedCard: {links: "
        "[{$for: articles, title: t, messageURL: u, picURL: p}]}}\n",
        {("/message/feedCard/links/0/$for", "pattern")},
    ),
    "unquoted-mobile": (
        "message: {msgtype: text, text: {content: hi}, at: {atMobiles: [13800138000]}}\n",
        {("/message/at/atMobiles/0", "type")},
    ),
    "numeric-btnOrientation": (
        "message: {msgtype: actionCard, actionCard: "
        "{title: t, text: x, btns: [{title: a, actionURL: u}], btnOrientation: 0}}\n",
        {("/message/actionCard/btnOrientation", "enum")},
    ),
    "isAtAll-plain-string": (
        "message: {msgtype: text, text: {content: hi}, at: {isAtAll: yes please}}\n",
        {("/message/at/isAtAll", "type")},
    ),
    "builtin-variable-name": (
        "vars: {now: {type: string}}\nmessage: {msgtype: text, text: {content: hi}}\n",
        {("/vars/now", "not")},
    ),
    "variable-name-not-an-identifier": (
        "vars: {my-var: {type: string}}\nmessage: {msgtype: text, text: {content: hi}}\n",
        {("/vars/my-var", "pattern")},
    ),
    "variable-schema-invalid": (
        "vars: {week: {type: int}}\nmessage: {msgtype: text, text: {content: hi}}\n",
        {("/vars/week/type", "enum")},
    ),
    "robot-empty-list": (
        "robot: []\nmessage: {msgtype: text, text: {content: hi}}\n",
        {("/robot", "minItems")},
    ),
}


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_message_files_with_templates_are_valid(name: str) -> None:
    document = yaml.safe_load(GOOD_FILES[name])
    assert schema_issues(catalog.message_file_validator(), document) == []


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_message_files_are_rejected_at_the_expected_path(name: str) -> None:
    text, expected = BAD_FILES[name]
    assert located(catalog.message_file_validator(), yaml.safe_load(text)) == expected


def test_message_file_issue_messages() -> None:
    document = yaml.safe_load(BAD_FILES["malformed-for"][0])
    [issue] = schema_issues(catalog.message_file_validator(), document)
    assert issue.message == "$for must read 'NAME in EXPRESSION', got \"articles\""
    document = yaml.safe_load(BAD_FILES["builtin-variable-name"][0])
    [issue] = schema_issues(catalog.message_file_validator(), document)
    assert issue.message == '"now" is a built-in name (now, today, github): choose another name'


NON_STRING_KEYS = "text:\n  content: hi\n  on: 1\n  2: 2\n  null: 3\nat:\n  yes: true\n"


def test_keys_yaml_reads_as_non_strings_are_unknown_fields_not_crashes() -> None:
    body = {"msgtype": "text", **yaml.safe_load(NON_STRING_KEYS)}
    found = {(issue.pointer, issue.message) for issue in schema_issues(catalog.payload_validator(), body)}
    hint = ": YAML reads `on`/`yes`/`1` as non-strings; quote the key"
    assert found == {
        ("/text/True", "unknown field True in text" + hint),
        ("/text/2", "unknown field 2 in text" + hint),
        ("/text/None", "unknown field None in text" + hint),
        ("/at/True", "unknown field True in at" + hint),
    }


def test_a_non_string_key_is_a_key_not_the_index_of_a_list_item() -> None:
    document = {"vars": {1: {"type": 5}}, "message": {"msgtype": "text", "text": {"content": "x"}}}
    paths = {issue.path for issue in schema_issues(catalog.message_file_validator(), document)}
    assert ("vars", "1") in paths
    assert all(isinstance(part, str) for path in paths for part in path)


@pytest.mark.parametrize(("key", "text", "kind"), [
    (1, "1", "number"), (True, "true", "boolean"), (None, "null", "null"),
])
def test_a_variable_name_yaml_reads_as_a_non_string_is_an_error(key: Any, text: str, kind: str) -> None:
    document = {"vars": {key: {}}, "message": {"msgtype": "text", "text": {"content": "x"}}}
    [issue] = schema_issues(catalog.message_file_validator(), document)
    assert (issue.path, issue.message) == (
        ("vars", str(key)),
        f"the name {text} is read by YAML as a {kind}, not a string: names must be identifiers "
        "(letters, digits and _, not a leading digit)",
    )


@pytest.mark.parametrize("name", [n for n in PAYLOAD_FILES if n != "actionCard"])
def test_message_file_mirrors_each_payload_schema(name: str) -> None:
    """Same keys, descriptions and required fields, so editors help exactly as the payload would."""
    template = catalog.load("message-file")["$defs"][name]
    assert_mirrors(catalog.load(name), template, name)


def assert_mirrors(strict: dict[str, Any], template: dict[str, Any], where: str) -> None:
    assert template.get("description") == strict.get("description"), where
    if "$ref" in strict:
        assert template["$ref"] == "#/$defs/" + strict["$ref"].removesuffix(".schema.json"), where
        assert_mirrors(
            catalog.load(strict["$ref"]), catalog.load("message-file")["$defs"]["at"], "at"
        )
        return
    if "properties" in strict:
        loop_keys = {"$for", "$if"}
        assert set(template["properties"]) - loop_keys == set(strict["properties"]), where
        assert template.get("required") == strict.get("required"), where
        assert template["additionalProperties"] is False, where
        for key, sub in strict["properties"].items():
            assert_mirrors(sub, template["properties"][key], f"{where}/{key}")
    if "items" in strict:
        assert template.get("minItems") == strict.get("minItems"), where
        items = template["items"]
        if "properties" in strict["items"]:
            assert {"$for", "$if"} <= set(items["properties"]), where
            assert_mirrors(strict["items"], items, f"{where}/items")
        else:
            assert {"$ref": "#/$defs/stringItemLoop"} in items["anyOf"], where


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: p.name)
def test_example_messages_are_valid_message_files_and_payloads(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith(MODELINE)
    document = yaml.safe_load(text)
    assert document["description"]
    assert schema_issues(catalog.message_file_validator(), document) == []
    assert schema_issues(catalog.payload_validator(), document["message"]) == []
    assert "access_token=" not in text and "SEC" not in text
    assert "http://" not in text


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: p.name)
def test_example_messages_mention_everyone_they_at(path: Path) -> None:
    message = yaml.safe_load(path.read_text(encoding="utf-8"))["message"]
    body = message.get("text") or message.get("markdown") or message.get("actionCard") or {}
    text = body.get("content") or body.get("text") or ""
    for mobile in message.get("at", {}).get("atMobiles", []):
        assert f"@{mobile}" in text


def test_the_example_messages_cover_every_dingtalk_example() -> None:
    kinds = set()
    for path in MESSAGES:
        message = yaml.safe_load(path.read_text(encoding="utf-8"))["message"]
        card = message.get("actionCard", {})
        kinds.add(message["msgtype"] + ("-btns" if "btns" in card else ""))
    assert kinds == {"text", "link", "markdown", "actionCard", "actionCard-btns", "feedCard"}


def test_editors_and_check_jsonschema_resolve_the_refs_from_disk() -> None:
    """What the yaml-language-server modeline does: relative refs, resolved next to the file."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(ROOT / "schemas" / "payload.schema.json"),
            *map(str, GOOD),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(ROOT / "schemas" / "payload.schema.json"),
            str(CASES / "bad" / "link-messageURL-miscased.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1  # the case file's wrapper object is not a payload either


# ------------------------------------------------------------------------------------ config

CONFIG_GOOD = [
    {},
    {"robots": None},
    {"robots": {"default": None}},
    {
        "timezone": "Asia/Shanghai",
        "robots": {
            "default": {
                "webhook_env": "DINGTALK_WEBHOOK",
                "secret_env": "DINGTALK_SECRET",
                "keywords": ["定时推送"],
                "rate": {"count": 20, "per_seconds": 60},
            },
            "ops": {"webhook_env": "DINGTALK_OPS_WEBHOOK", "rate": {"per_seconds": 0.5}},
        },
    },
]
CONFIG_BAD = [
    ({"robot": {}}, {("/robot", "additionalProperties")}),
    (
        {"robots": {"a": {"webhook": "https://oapi.dingtalk.com/robot/send"}}},
        {("/robots/a/webhook", "additionalProperties")},
    ),
    ({"robots": {"a": {"webhook_env": "1X"}}}, {("/robots/a/webhook_env", "pattern")}),
    ({"robots": {"a": {"secret_env": "MY-SECRET"}}}, {("/robots/a/secret_env", "pattern")}),
    (
        {"robots": {"a": {"keywords": [str(n) for n in range(11)]}}},
        {("/robots/a/keywords", "maxItems")},
    ),
    ({"robots": {"a": {"rate": {"count": 0}}}}, {("/robots/a/rate/count", "minimum")}),
    ({"robots": {"a": {"rate": {"count": 1.5}}}}, {("/robots/a/rate/count", "type")}),
    (
        {"robots": {"a": {"rate": {"per_seconds": 0}}}},
        {("/robots/a/rate/per_seconds", "exclusiveMinimum")},
    ),
    ({"timezone": 8}, {("/timezone", "type")}),
]


@pytest.mark.parametrize("config", CONFIG_GOOD)
def test_good_configs_are_valid(config: dict[str, Any]) -> None:
    assert schema_issues(catalog.config_validator(), config) == []


@pytest.mark.parametrize(("config", "expected"), CONFIG_BAD)
def test_bad_configs_are_rejected_at_the_expected_path(
    config: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    assert located(catalog.config_validator(), config) == expected


def test_a_webhook_written_into_the_config_gets_a_hint() -> None:
    [issue] = schema_issues(catalog.config_validator(), {"robots": {"a": {"webhook": "x"}}})
    assert issue.message == "unknown field 'webhook' in a: did you mean 'webhook_env'?"


def test_a_robot_name_yaml_reads_as_a_number_is_an_error() -> None:
    [issue] = schema_issues(catalog.config_validator(), {"robots": {1: {"webhook_env": "X"}}})
    assert (issue.path, issue.message) == (
        ("robots", "1"), "the name 1 is read by YAML as a number, not a string: quote it"
    )


def test_a_value_failing_a_pattern_is_never_quoted() -> None:
    webhook = "https://oapi.dingtalk.com/robot/send?access_token=" + "ab" * 32
    for field in ("webhook_env", "secret_env"):
        [issue] = schema_issues(catalog.config_validator(), {"robots": {"a": {field: webhook}}})
        assert "ab" * 32 not in issue.message and "dingtalk.com" not in issue.message
    [issue] = schema_issues(catalog.config_validator(), {"robots": {"a": {"webhook_env": webhook}}})
    assert issue.message == ("is not an environment variable name; put the webhook itself in the "
                             "environment and name the variable here")


# ------------------------------------------------------------------------------------ bundles


@pytest.mark.parametrize("name", ALL_FILES)
def test_bundles_are_self_contained_valid_schemas(name: str) -> None:
    bundled = catalog.bundle(name)
    Draft202012Validator.check_schema(bundled)
    for _, sub in subschemas(bundled):
        ref = sub.get("$ref")
        if ref is None or ref == METASCHEMA:
            continue
        assert ref.startswith("#"), ref
        target: Any = bundled
        for token in ref[2:].split("/") if ref != "#" else []:
            target = target[token.replace("~1", "/").replace("~0", "~")]
        assert isinstance(target, dict), ref


def test_bundle_embeds_referenced_files_transitively() -> None:
    bundled = catalog.bundle("payload")
    assert sorted(bundled["$defs"]) == sorted(
        f"{name}.schema.json" for name in [*PAYLOAD_FILES, "at"]
    )
    assert bundled["allOf"][0]["then"] == {"$ref": "#/$defs/text.schema.json"}
    assert bundled["$defs"]["actionCard.schema.json"]["then"] == {
        "$ref": "#/$defs/actionCard-single.schema.json"
    }
    assert "$schema" not in bundled["$defs"]["at.schema.json"]


def test_bundle_of_a_schema_without_external_refs_is_the_schema() -> None:
    assert catalog.bundle("message-file") == catalog.load("message-file")
    assert catalog.bundle("config") == catalog.load("config")


# ------------------------------------------------------------------------------ property tests


@functools.cache
def generated(name: str) -> st.SearchStrategy[Any]:
    return from_schema(catalog.bundle(name))


@functools.cache
def bundled_validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(catalog.bundle(name))


@pytest.mark.parametrize("name", PAYLOAD_FILES)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_generated_bodies_are_valid_payloads_and_message_files(
    name: str, data: st.DataObject
) -> None:
    body = data.draw(generated(name))
    assert catalog.payload_validator().is_valid(body)
    assert catalog.payload_validator_for(body["msgtype"]).is_valid(body)
    assert catalog.validator(name).is_valid(body)
    # Any valid body can be pasted into a message file as it is.
    assert catalog.message_file_validator().is_valid({"message": body})


Path_ = tuple[str | int, ...]


def leaves(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    else:
        yield path


def get(node: Any, path: Path_) -> Any:
    for part in path:
        node = node[part]
    return node


REQUIRED = {
    "text": {"content"},
    "link": {"title", "text", "messageUrl"},
    "markdown": {"title", "text"},
    "feedCard": {"links"},
    "btns": {"title", "actionURL"},
    "links": {"title", "messageURL", "picURL"},
    "at": set(),
}


def required_keys(body: dict[str, Any], path: Path_, node: dict[str, Any]) -> set[str]:
    if not path:
        return {"msgtype", body["msgtype"]}
    owner = path[-2] if isinstance(path[-1], int) else path[-1]
    if owner == "actionCard":
        if "singleTitle" in node or "singleURL" in node:
            return {"title", "text", "singleTitle", "singleURL"}
        return {"title", "text", "btns"}
    return REQUIRED[str(owner)]


def check_drop(body: dict[str, Any], data: st.DataObject) -> None:
    """Dropping a key is rejected, at its object, exactly when the key is required."""
    path, node = data.draw(st.sampled_from([(p, n) for p, n in objects(body) if n]))
    key = data.draw(st.sampled_from(sorted(node)))
    required = key in required_keys(body, path, node)
    del node[key]
    found = located(catalog.payload_validator(), body)
    if required:
        assert (catalog.pointer(path), "required") in found
    else:
        assert found == set()


def check_add(body: dict[str, Any], data: st.DataObject) -> None:
    """An unknown or mis-cased key is rejected at the key itself."""
    path, node = data.draw(st.sampled_from(list(objects(body))))
    candidates = ["unknownField", *(k[0].swapcase() + k[1:] for k in node)]
    key = data.draw(st.sampled_from([k for k in candidates if k not in node]))
    node[key] = "x"
    found = located(catalog.payload_validator(), body)
    assert (catalog.pointer((*path, key)), "additionalProperties") in found


def check_retype(body: dict[str, Any], data: st.DataObject) -> None:
    """A value of the wrong type is rejected at its own path."""
    path = data.draw(st.sampled_from(list(leaves(body))))
    parent, last = get(body, path[:-1]), path[-1]
    parent[last] = 7 if isinstance(parent[last], (str, bool)) else "seven"
    found = located(catalog.payload_validator(), body)
    assert found & {(catalog.pointer(path), k) for k in ("type", "enum", "const")}


@pytest.mark.parametrize("name", PAYLOAD_FILES)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_mutations_are_rejected_at_the_right_path(name: str, data: st.DataObject) -> None:
    body = data.draw(generated(name))
    for check in (check_drop, check_add, check_retype):
        check(copy.deepcopy(body), data)


def mutated(name: str) -> st.SearchStrategy[Any]:
    """Valid bodies, and bodies with one key dropped, added or given a wrong type."""

    @st.composite
    def mutate(draw: st.DrawFn) -> Any:
        body = draw(generated(name))
        _, node = draw(st.sampled_from(list(objects(body))))
        action = draw(st.sampled_from(["keep", "drop", "add", "retype"]))
        if action == "drop" and node:
            del node[draw(st.sampled_from(sorted(node)))]
        elif action == "add":
            node[draw(st.sampled_from(["zz", "Title", "picurl", "btns"]))] = "x"
        elif action == "retype" and node:
            node[draw(st.sampled_from(sorted(node)))] = draw(
                st.sampled_from([0, None, [], {}, "0"])
            )
        return body

    return mutate()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@pytest.mark.parametrize("name", [*PAYLOAD_FILES, "payload"])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_bundled_and_unbundled_schemas_agree(name: str, data: st.DataObject) -> None:
    # Generating from the dispatcher is slow: for it, mutate bodies of each msgtype instead.
    each = st.sampled_from(PAYLOAD_FILES).flatmap(mutated)
    source = each if name == "payload" else mutated(name)
    instance = data.draw(st.one_of(source, JSON))
    original, bundled = catalog.validator(name), bundled_validator(name)
    assert bundled.is_valid(instance) == original.is_valid(instance)
    assert schema_issues(bundled, instance) == schema_issues(original, instance)


# ------------------------------------------------------------- the static copy of the metaschema

STATIC = catalog._static_metaschema()
KEYWORDS = [*sorted(STATIC["properties"]), "x-custom"]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-2, 3)
    | st.sampled_from(["string", "integer", "object", "#", "a", "^a$", "uri"])
)
SCHEMA_LIKE = st.recursive(
    st.booleans() | st.dictionaries(st.sampled_from(KEYWORDS), SCALARS, max_size=3),
    lambda inner: st.dictionaries(
        st.sampled_from(KEYWORDS),
        inner
        | SCALARS
        | st.lists(inner | SCALARS, max_size=2)
        | st.dictionaries(st.text(max_size=2), inner, max_size=2),
        max_size=3,
    ),
    max_leaves=8,
)


@functools.cache
def metaschema_validators() -> tuple[Draft202012Validator, Draft202012Validator]:
    official = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    return official, Draft202012Validator(STATIC)


@settings(PROPERTY_SETTINGS, max_examples=200)  # cheap, and most candidates are invalid
@given(candidate=SCHEMA_LIKE)
def test_the_static_metaschema_judges_schemas_like_the_official_one(candidate: Any) -> None:
    official, static = metaschema_validators()
    assert static.is_valid(candidate) == official.is_valid(candidate)


@pytest.mark.parametrize(
    "candidate",
    [
        {"type": "integer", "minimum": 1, "examples": [48]},
        {"type": ["string", "null"], "default": None},
        {"items": {"properties": {"url": {"type": "string", "format": "uri"}}}},
        {"dependencies": {"a": ["b"]}, "definitions": {"x": {}}},
        {"type": "int"},
        {"minimum": "1"},
        {"items": {"type": 3}},
        {"properties": {"x": {"required": "y"}}},
        {"examples": 3},
        {"dependencies": {"a": [1]}},
        {"$defs": {"x": {"minLength": -1}}},
    ],
)
def test_the_static_metaschema_agrees_on_typical_variables(candidate: Any) -> None:
    official, static = metaschema_validators()
    assert static.is_valid(candidate) == official.is_valid(candidate)
    document = {"vars": {"v": candidate}, "message": {"msgtype": "text", "text": {"content": "x"}}}
    assert catalog.message_file_validator().is_valid(document) == official.is_valid(candidate)


def test_the_static_metaschema_has_no_dynamic_references() -> None:
    keywords = [sub for _, sub in subschemas(STATIC)]
    assert not any("$dynamicRef" in sub or "$defs" in sub for sub in keywords)
    assert {sub["$ref"] for sub in keywords if "$ref" in sub} == {"#"}

