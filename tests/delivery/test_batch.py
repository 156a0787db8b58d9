"""Batch delivery over real HTTP: concurrency across robots, order, ledger, pacing across runs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from msgspec_dd.config import Config, Rate, RobotConfig
from msgspec_dd.delivery.batch import deliver, plan, send, summary
from msgspec_dd.delivery.ledger import Ledger
from msgspec_dd.delivery.results import Status
from msgspec_dd.delivery.robot import Robot
from msgspec_dd.errors import ConfigError
from msgspec_dd.message_files.pipeline import PreparedMessage
from msgspec_dd.sandbox import SandboxServer, SandboxSettings, new_secret


def message(n: int, robots: tuple[str, ...] = ("default",), **variables: Any) -> PreparedMessage:
    payload = {"msgtype": "text", "text": {"content": f"日报 {n}"}}
    return PreparedMessage(f"m/{n}.yaml", f"sha{n}", robots, payload, variables)


def contents(server: SandboxServer) -> list[str]:
    return [body["text"]["content"] for body in server.messages]


@pytest.fixture
def servers() -> Iterator[dict[str, SandboxServer]]:
    made = {name: SandboxServer(SandboxSettings(secret=new_secret(), rate_count=5,
                                                rate_seconds=2.0)).start()
            for name in ("default", "ops")}
    yield made
    for server in made.values():
        server.stop()


PACE = Rate(5, 2.0)


def robots_for(servers: dict[str, SandboxServer], rate: Rate = PACE) -> dict[str, Robot]:
    return {name: Robot.webhook(name, server.url, secret=server.secret, rate=rate)
            for name, server in servers.items()}


def close(robots: dict[str, Robot]) -> None:
    for robot in robots.values():
        robot.close()


def test_plan_is_message_order_then_robot_order() -> None:
    jobs = plan([message(1, ("ops", "default")), message(2)])
    assert [(j.path, j.robot, j.index) for j in jobs] == [
        ("m/1.yaml", "ops", 0), ("m/1.yaml", "default", 1), ("m/2.yaml", "default", 2)]
    assert len({j.identity for j in jobs}) == 3


@pytest.mark.parametrize(
    ("robots", "expected"),
    [
        ([("default", "ops")], "sending 1 message to 2 robots: default, ops"),
        ([("default",)], "sending 1 message to 1 robot: default"),
        ([("default",)] * 3, "sending 3 messages to 1 robot: default"),
        ([("ops", "default")] * 2, "sending 2 messages to 2 robots: ops, default"),
        ([("default",), ("ops",)], "sending 2 messages to 2 robots: default, ops"),
        ([("default", "ops"), ("default",)],
         "sending 2 messages to 2 robots: default, ops (3 deliveries)"),
    ],
)
def test_summary_counts_messages_once_and_robots_apart(
    robots: list[tuple[str, ...]], expected: str
) -> None:
    assert summary([message(n, names) for n, names in enumerate(robots)]) == expected


def test_each_message_reaches_each_robot_in_order(servers: dict[str, SandboxServer]) -> None:
    robots = robots_for(servers)
    batch = [message(1, ("default", "ops")), message(2, ("ops",)), message(3, ("default", "ops"))]
    report = deliver(batch, robots)
    close(robots)
    assert [(r.path, r.robot, r.status) for r in report.results] == [
        ("m/1.yaml", "default", Status.SENT), ("m/1.yaml", "ops", Status.SENT),
        ("m/2.yaml", "ops", Status.SENT),
        ("m/3.yaml", "default", Status.SENT), ("m/3.yaml", "ops", Status.SENT)]
    assert contents(servers["default"]) == ["日报 1", "日报 3"]
    assert contents(servers["ops"]) == ["日报 1", "日报 2", "日报 3"]
    assert report.counts == {"sent": 5, "skipped": 0, "failed": 0} and report.ok
    uuids = [r.msg_uuid for r in report.results]
    assert len(set(uuids)) == 5  # one msgUuid per message and robot


def test_robots_are_served_concurrently() -> None:
    settings = SandboxSettings(latency_ms=200)
    with SandboxServer(settings) as one, SandboxServer(settings) as two:
        robots = {"a": Robot.webhook("a", one.url), "b": Robot.webhook("b", two.url)}
        started = time.monotonic()
        report = deliver([message(n, ("a", "b")) for n in range(4)], robots)
        elapsed = time.monotonic() - started
        close(robots)
    assert report.ok
    # per robot: one new connection (3 trips) + 3 kept-alive requests = 1.2 s; in series 2.4 s
    assert elapsed < 2.0


def test_one_failure_does_not_stop_the_batch() -> None:
    with SandboxServer(SandboxSettings(keywords=("日报 2",))) as server:
        robots = {"default": Robot.webhook("default", server.url)}
        report = deliver([message(1), message(2), message(3)], robots)
        close(robots)
    assert [r.status for r in report.results] == [Status.FAILED, Status.SENT, Status.FAILED]
    assert report.results[0].errcode == 310000 and not report.ok
    assert report.counts == {"sent": 1, "skipped": 0, "failed": 2}


def test_a_ledger_makes_a_rerun_skip_what_was_sent(
    servers: dict[str, SandboxServer], tmp_path: Path
) -> None:
    batch = [message(1, ("default", "ops")), message(2)]
    for expected in (Status.SENT, Status.SKIPPED):
        robots = robots_for(servers)
        ledger = Ledger.open(tmp_path / "ledger.jsonl")
        report = deliver(batch, robots, ledger=ledger)
        ledger.close()
        close(robots)
        assert [r.status for r in report.results] == [expected] * 3
    assert report.results[0].format() == "m/1.yaml -> default: skipped (already sent)"
    assert servers["default"].requests == 2 and servers["ops"].requests == 1


def test_other_variables_make_another_message(servers: dict[str, SandboxServer],
                                              tmp_path: Path) -> None:
    ledger = Ledger.open(tmp_path / "ledger.jsonl")
    robots = robots_for({"default": servers["default"]})
    first = deliver([message(1, day="mon")], robots, ledger=ledger)
    second = deliver([message(1, day="tue")], robots, ledger=ledger)
    ledger.close()
    close(robots)
    assert first.results[0].status is second.results[0].status is Status.SENT
    assert len(servers["default"].messages) == 2


def test_force_sends_again_under_a_new_msguuid(servers: dict[str, SandboxServer],
                                               tmp_path: Path) -> None:
    ledger = Ledger.open(tmp_path / "ledger.jsonl")
    robots = robots_for({"default": servers["default"]})
    first = deliver([message(1)], robots, ledger=ledger)
    again = deliver([message(1)], robots, ledger=ledger, force=True)
    ledger.close()
    close(robots)
    assert again.results[0].status is Status.SENT
    assert again.results[0].msg_uuid != first.results[0].msg_uuid
    assert len(servers["default"].messages) == 2


def test_an_unknown_outcome_is_resent_under_its_old_msguuid_and_not_doubled(
    servers: dict[str, SandboxServer], tmp_path: Path
) -> None:
    server = servers["default"]
    batch = [message(1)]
    job = plan(batch)[0]
    # A run that was killed after its POST arrived, before the outcome was written:
    ledger = Ledger.open(tmp_path / "ledger.jsonl")
    ledger.attempt(job.identity, "default", "uuid-of-the-lost-run", path=job.path)
    ledger.close()
    robot = Robot.webhook("default", server.url, secret=server.secret)
    assert robot.send({**job.payload, "msgUuid": "uuid-of-the-lost-run"}).ok
    # The re-run:
    ledger = Ledger.open(tmp_path / "ledger.jsonl")
    report = deliver(batch, {"default": robot}, ledger=ledger)
    ledger.close()
    robot.close()
    assert report.results[0].status is Status.SENT
    assert report.results[0].msg_uuid == "uuid-of-the-lost-run"
    assert server.requests == 2 and len(server.messages) == 1


def test_back_to_back_runs_keep_to_the_rate_through_the_ledger(
    servers: dict[str, SandboxServer], tmp_path: Path
) -> None:
    server = servers["default"]
    for run in range(2):  # new robots (fresh pacers) each run, one ledger
        robots = robots_for({"default": server})
        ledger = Ledger.open(tmp_path / "ledger.jsonl")
        report = deliver([message(run * 10 + n) for n in range(5)], robots, ledger=ledger)
        ledger.close()
        close(robots)
        assert report.ok
    assert len(server.messages) == 10
    assert 130101 not in server.answers and 410100 not in server.answers


def test_a_lock_recorded_in_the_ledger_holds_the_next_run(
    servers: dict[str, SandboxServer], tmp_path: Path
) -> None:
    server = servers["default"]
    robots = robots_for({"default": server}, rate=Rate(50, 60.0))  # paces too loosely
    ledger = Ledger.open(tmp_path / "ledger.jsonl")
    report = deliver([message(n) for n in range(8)], robots, ledger=ledger, max_wait=0)
    ledger.close()
    close(robots)
    assert [r.status for r in report.results] == [Status.SENT] * 5 + [Status.FAILED] * 3
    assert report.results[5].errcode == 130101
    requests_before = server.requests
    robots = robots_for({"default": server})
    ledger = Ledger.open(tmp_path / "ledger.jsonl")
    again = deliver([message(n) for n in range(8)], robots, ledger=ledger, max_wait=0)
    ledger.close()
    close(robots)
    assert [r.status for r in again.results] == [Status.SKIPPED] * 5 + [Status.FAILED] * 3
    assert again.results[5].detail.startswith("not sent: the robot is locked")
    assert server.requests == requests_before  # nothing posted into the lock


def test_send_reads_robots_from_the_config_and_the_environment(
    servers: dict[str, SandboxServer], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = Config(robots={"default": RobotConfig(name="default", webhook_env="T_HOOK",
                                                   secret_env="T_SECRET", rate=PACE)})
    monkeypatch.setenv("T_HOOK", servers["default"].url)
    monkeypatch.setenv("T_SECRET", str(servers["default"].secret))
    report = send([message(1)], config, ledger=tmp_path / "l.jsonl")
    assert [r.status for r in report.results] == [Status.SENT] and report.arrived == {}
    again = send([message(1)], config, ledger=tmp_path / "l.jsonl")
    assert [r.status for r in again.results] == [Status.SKIPPED]
    assert contents(servers["default"]) == ["日报 1"]


def test_send_makes_every_robot_before_any_post(servers: dict[str, SandboxServer],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config(robots={"default": RobotConfig(name="default", webhook_env="T_HOOK"),
                            "ops": RobotConfig(name="ops", webhook_env="T_UNSET_HOOK")})
    monkeypatch.setenv("T_HOOK", servers["default"].url)
    monkeypatch.delenv("T_UNSET_HOOK", raising=False)
    with pytest.raises(ConfigError, match="T_UNSET_HOOK is not set"):
        send([message(1), message(2, ("ops",))], config)
    assert servers["default"].requests == 0
