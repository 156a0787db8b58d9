"""``send --sandbox`` from Python: throwaway sandbox robots configured like the real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.config import Config, Rate, RobotConfig
from msgspec_dd.delivery.results import Status
from msgspec_dd.errors import UsageError
from msgspec_dd.message_files.pipeline import PreparedMessage
from msgspec_dd.sandbox.rehearsal import (
    arrived,
    check_options,
    format_arrived,
    rehearse,
    sandbox_robots,
    sandboxes,
)

CONFIG = Config(robots={
    "default": RobotConfig(name="default", keywords=("日报",), rate=Rate(7, 30.0)),
    "ops": RobotConfig(name="ops", webhook_env="OPS_HOOK"),
})


def text(content: str) -> dict[str, object]:
    return {"msgtype": "text", "text": {"content": content}}


def test_each_robot_gets_a_signing_sandbox_with_its_keywords_and_rate() -> None:
    with sandboxes(CONFIG, ["default", "ops"]) as servers:
        default, ops = servers["default"], servers["ops"]
        assert default.settings.keywords == ("日报",) and ops.settings.keywords == ()
        assert (default.settings.rate_count, default.settings.rate_seconds) == (7, 30.0)
        assert default.secret is not None and default.secret.startswith("SEC")
        assert default.secret != ops.secret and default.token != ops.token
        robots = sandbox_robots(CONFIG, servers)
        try:
            assert robots["default"].pacer.rate == Rate(7, 30.0)
            assert robots["default"].send(text("日报 ok")).status is Status.SENT
            assert robots["ops"].send(text("anything")).status is Status.SENT
            refused = robots["default"].send(text("no keyword"))
            assert refused.status is Status.FAILED and refused.errcode == 310000
            got = arrived(servers, robots)
        finally:
            for robot in robots.values():
                robot.close()
    assert [body["text"] for body in got["default"]] == [{"content": "日报 ok"}]
    assert [body["text"] for body in got["ops"]] == [{"content": "anything"}]
    assert format_arrived(got) == (
        "\n== sandbox robot default: 1 message arrived ==\n-- 1 (text) --\n日报 ok\n"
        "\n== sandbox robot ops: 1 message arrived ==\n-- 1 (text) --\nanything\n")


def test_sandboxes_are_stopped_on_leaving() -> None:
    with sandboxes(CONFIG, ["ops"]) as servers:
        server = servers["ops"]
        assert server._thread is not None
    assert server._thread is None


def test_nothing_arrived_formats_as_nothing() -> None:
    assert format_arrived({}) == ""


def test_prepared_messages_are_rehearsed_through_delivery_send() -> None:
    messages = [PreparedMessage("m/a.yaml", "sha", ("default", "ops"), text("日报 a"), {})]
    heard: list[str] = []
    report = rehearse(messages, CONFIG, progress=heard.append)
    assert [(r.path, r.robot, r.status) for r in report.results] == [
        ("m/a.yaml", "default", Status.SENT), ("m/a.yaml", "ops", Status.SENT)]
    assert {name: [b["text"] for b in bodies] for name, bodies in report.arrived.items()} == {
        "default": [{"content": "日报 a"}], "ops": [{"content": "日报 a"}]}
    assert heard == ["sending 1 message to 2 robots: default, ops"]
    assert report.to_json()["sandbox"]["ops"][0]["msgUuid"] == report.results[1].msg_uuid


def test_arrived_hides_each_robots_credentials() -> None:
    with sandboxes(CONFIG, ["default", "ops"]) as servers:
        robots = sandbox_robots(CONFIG, servers)
        try:
            ops, default = servers["ops"], servers["default"]
            leaky = f"日报 {ops.token} {default.secret} {default.token}"
            assert robots["default"].send(text(leaky)).status is Status.SENT
            got = arrived(servers, robots)
        finally:
            for robot in robots.values():
                robot.close()
    assert got["default"][0]["text"] == {"content": "日报 *** *** ***"}


def test_a_ledger_and_the_sandbox_do_not_mix(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot be combined with --sandbox"):
        check_options(ledger=tmp_path / "l.jsonl", sandbox=True)
    check_options(ledger=tmp_path / "l.jsonl", sandbox=False)
    check_options(ledger=None, sandbox=True)
