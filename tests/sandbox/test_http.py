"""The sandbox robot as a network peer: keep-alive, latency, scripted faults, store, shutdown."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from msgspec_dd.errors import ConfigError, UsageError
from msgspec_dd.sandbox import Fault, SandboxServer, SandboxSettings

TEXT: dict[str, Any] = {"msgtype": "text", "text": {"content": "hello"}}
OK = {"errcode": 0, "errmsg": "ok"}


class Sleeps:
    """Records the sleeps the sandbox asks for instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(round(seconds, 6))


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings()) as running:
        yield running


def send(target: requests.Session | Any, url: str, body: Any = TEXT, **kwargs: Any) -> requests.Response:
    data = json.dumps(body, ensure_ascii=False).encode()
    reply: requests.Response = target.post(
        url, data=data, headers={"Content-Type": "application/json"}, **{"timeout": 5, **kwargs}
    )
    return reply


# -- keep-alive ---------------------------------------------------------------------------------


def test_keep_alive_serves_many_requests_on_one_connection(server: SandboxServer) -> None:
    with requests.Session() as session:
        for _ in range(10):
            reply = send(session, server.url)
            assert reply.json() == OK
            assert reply.headers.get("Connection", "").lower() != "close"
        assert session.get(f"{server.base_url}/api/messages", timeout=5).status_code == 200
    assert server.connections == 1
    assert server.requests == 10 and len(server.messages) == 10


def test_kept_alive_requests_are_not_held_back_by_nagle(server: SandboxServer) -> None:
    with requests.Session() as session:
        send(session, server.url)
        started = time.monotonic()
        for _ in range(20):
            send(session, server.url)
        elapsed = time.monotonic() - started
    # Nagle's algorithm with delayed ACKs would cost ~40 ms per request (0.8 s here).
    assert elapsed < 0.5


def test_without_a_session_each_request_is_a_new_connection(server: SandboxServer) -> None:
    for _ in range(3):
        assert send(requests, server.url).json() == OK
    assert server.connections == 3


def test_keep_alive_survives_error_answers(server: SandboxServer) -> None:
    with requests.Session() as session:
        assert send(session, f"{server.base_url}/robot/send").json()["errcode"] == 40035
        assert session.post(server.url, data=b"x" * 30_000, timeout=5,
                            headers={"Content-Type": "application/json"}).json()["errcode"] == 460101
        assert send(session, server.url, {"msgtype": "nope"}).json()["errcode"] == 400105
        assert send(session, server.url).json() == OK
    assert server.connections == 1


def test_chunked_bodies_are_refused_with_411(server: SandboxServer) -> None:
    reply = requests.post(server.url, data=iter([json.dumps(TEXT).encode()]), timeout=5,
                          headers={"Content-Type": "application/json"})
    assert reply.status_code == 411
    assert server.messages == []


# -- latency ------------------------------------------------------------------------------------


def test_latency_one_round_trip_per_request_two_more_per_connection() -> None:
    sleeps = Sleeps()
    with SandboxServer(SandboxSettings(latency_ms=100, sleep=sleeps)) as running:
        with requests.Session() as session:
            for _ in range(3):
                send(session, running.url)
        assert sleeps.calls == [0.3, 0.1, 0.1]
        send(requests, running.url)
        assert sleeps.calls == [0.3, 0.1, 0.1, 0.3]


def test_latency_is_real_time_by_default() -> None:
    with SandboxServer(SandboxSettings(latency_ms=40)) as running, requests.Session() as session:
        started = time.monotonic()
        send(session, running.url)
        first = time.monotonic() - started
        started = time.monotonic()
        send(session, running.url)
        second = time.monotonic() - started
    assert first >= 0.12
    assert second >= 0.04
    assert second < first


def test_no_latency_no_sleep() -> None:
    sleeps = Sleeps()
    with SandboxServer(SandboxSettings(sleep=sleeps)) as running:
        send(requests, running.url)
    assert sleeps.calls == []


# -- faults -------------------------------------------------------------------------------------


def test_http500_fault(server: SandboxServer) -> None:
    server.inject(Fault("http500"))
    reply = send(requests, server.url)
    assert reply.status_code == 500
    assert "500" in reply.text
    assert server.messages == [] and server.answers == [] and server.requests == 1
    assert send(requests, server.url).json() == OK


def test_reset_fault(server: SandboxServer) -> None:
    server.inject(Fault("reset"))
    with pytest.raises(requests.ConnectionError):
        send(requests, server.url)
    assert server.messages == [] and server.answers == []
    assert send(requests, server.url).json() == OK


def test_drop_reply_fault_keeps_the_message(server: SandboxServer) -> None:
    server.inject(Fault("drop-reply"))
    body = {**TEXT, "msgUuid": "retry-me"}
    with requests.Session() as session:
        with pytest.raises(requests.ConnectionError):
            send(session, server.url, body)
        assert server.messages == [body]
        # The client's retry with the same msgUuid is answered ok and not shown twice.
        assert send(session, server.url, body).json() == OK
    assert server.messages == [body]
    assert server.answers == [0]


def test_slow_fault_keeps_the_message_and_delays_the_reply(server: SandboxServer) -> None:
    server.inject(Fault("slow", seconds=0.3))
    with pytest.raises(requests.ReadTimeout):
        send(requests, server.url, timeout=(5, 0.1))
    assert server.messages == [TEXT]
    server.inject(Fault("slow", seconds=0.2))
    started = time.monotonic()
    assert send(requests, server.url).json() == OK
    assert time.monotonic() - started >= 0.2


def test_errcode_fault(server: SandboxServer) -> None:
    server.inject(Fault("errcode", errcode=-1, errmsg="系统繁忙"))
    assert send(requests, server.url).json() == {"errcode": -1, "errmsg": "系统繁忙"}
    server.inject(Fault("errcode", errcode=400013, errmsg="群已被解散"))
    assert send(requests, server.url).json() == {"errcode": 400013, "errmsg": "群已被解散"}
    assert server.messages == []
    assert server.answers == [-1, 400013]


def test_fault_count_and_order(server: SandboxServer) -> None:
    server.inject(Fault("errcode", count=2))
    server.inject(Fault("http500"))
    with requests.Session() as session:
        outcomes = [send(session, server.url) for _ in range(4)]
    assert [r.status_code for r in outcomes] == [200, 200, 500, 200]
    assert [r.json()["errcode"] for r in outcomes if r.status_code == 200] == [-1, -1, 0]


def test_faults_that_skip_processing_do_not_count_against_the_rate() -> None:
    with SandboxServer(SandboxSettings(rate_count=1)) as running:
        running.inject(Fault("errcode", count=3))
        for _ in range(3):
            assert send(requests, running.url).json()["errcode"] == -1
        assert send(requests, running.url).json() == OK


def test_faults_over_http(server: SandboxServer) -> None:
    faults_url = f"{server.base_url}/_sandbox/faults"
    reply = requests.post(faults_url, json={"kind": "errcode", "errcode": -1, "errmsg": "系统繁忙"}, timeout=5)
    assert reply.status_code == 200
    assert reply.json()["fault"] == {"kind": "errcode", "count": 1, "seconds": 0.0,
                                     "errcode": -1, "errmsg": "系统繁忙"}
    assert requests.post(faults_url, json={"kind": "http500", "count": 2}, timeout=5).status_code == 200
    codes = [send(requests, server.url).status_code for _ in range(4)]
    assert codes == [200, 500, 500, 200]


@pytest.mark.parametrize("body", [b"nope", b"[]", b'{"kind": "explode"}', b'{"kind": "slow", "seconds": "1"}',
                                  b'{"kind": "reset", "count": 0}', b'{"kind": "reset", "extra": 1}',
                                  b'{"kind": "reset", "count": true}'])
def test_bad_faults_over_http_are_400(server: SandboxServer, body: bytes) -> None:
    reply = requests.post(f"{server.base_url}/_sandbox/faults", data=body, timeout=5,
                          headers={"Content-Type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["error"]
    assert send(requests, server.url).json() == OK


def test_fault_refuses_unknown_kind() -> None:
    with pytest.raises(UsageError, match="drop-reply"):
        Fault("explode")


def test_reset_clears_waiting_faults(server: SandboxServer) -> None:
    server.inject(Fault("http500"))
    assert requests.post(f"{server.base_url}/_sandbox/reset", json={}, timeout=5).ok
    assert send(requests, server.url).json() == OK


def test_stats_over_http(server: SandboxServer) -> None:
    send(requests, server.url)
    send(requests, f"{server.base_url}/robot/send")
    stats = requests.get(f"{server.base_url}/_sandbox/stats", timeout=5).json()
    assert stats == {"requests": 2, "answers": [0, 40035]}


# -- store --------------------------------------------------------------------------------------


def test_store_survives_restart(tmp_path: Path) -> None:
    store = tmp_path / "inbox.jsonl"
    settings = SandboxSettings(store=store, clock=lambda: 1_700_000_000.0)
    first = {**TEXT, "msgUuid": "u-1"}
    with SandboxServer(settings) as running:
        send(requests, running.url, first)
        send(requests, running.url, {"msgtype": "text", "text": {"content": "汉字"}})
    lines = store.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "汉字" in lines[1]
    with SandboxServer(settings) as again:
        assert again.messages == [first, {"msgtype": "text", "text": {"content": "汉字"}}]
        send(requests, again.url, first)  # remembered across the restart
        send(requests, again.url)
        assert [r["id"] for r in again.records] == [1, 2, 3]
        assert len(store.read_text(encoding="utf-8").splitlines()) == 3
        again.reset()
    assert store.read_text(encoding="utf-8") == ""


def test_corrupt_store_is_a_config_error(tmp_path: Path) -> None:
    store = tmp_path / "inbox.jsonl"
    store.write_text('{"id": 1, "body": {}}\nnot json\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=":2:"):
        SandboxServer(SandboxSettings(store=store))


# -- shutdown -----------------------------------------------------------------------------------


def test_stop_closes_idle_keep_alive_connections() -> None:
    running = SandboxServer(SandboxSettings()).start()
    with requests.Session() as session:
        send(session, running.url)
        started = time.monotonic()
        running.stop()
        assert time.monotonic() - started < 2
        with pytest.raises(requests.ConnectionError):
            send(session, running.url)
    running.stop()  # idempotent


def test_port_in_use_is_a_usage_error(server: SandboxServer) -> None:
    port = int(server.base_url.rsplit(":", 1)[1])
    with pytest.raises(UsageError, match="cannot listen"):
        SandboxServer(SandboxSettings(), port=port)
