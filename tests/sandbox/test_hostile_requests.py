"""The sandbox never crashes on a request: malformed HTTP, deep JSON, odd signatures, a bad
store, and control requests from someone else's origin all get a clear answer.

Requests go over real sockets to 127.0.0.1 (``http.client`` or raw bytes, because ``requests``
refuses to send most of these). ``capfd`` sees the server thread's stderr, where a handler's
traceback would land.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from msgspec_dd.dingtalk.signing import signed_query
from msgspec_dd.errors import ConfigError
from msgspec_dd.sandbox import SandboxServer, SandboxSettings, new_secret
from msgspec_dd.sandbox.payload import MAX_DEPTH, depth
from tests.clirun import run_cli

TEXT = {"msgtype": "text", "text": {"content": "hello"}}
SECRET = new_secret()


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings(secret=SECRET)) as running:
        yield running


@pytest.fixture(autouse=True)
def no_traceback(capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    yield
    assert "Traceback" not in capfd.readouterr().err


def raw_request(server: SandboxServer, data: bytes) -> bytes:
    """Send ``data`` as it is and read the reply until the server closes or goes quiet."""
    address = urlsplit(server.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def request(server: SandboxServer, method: str, target: str, body: bytes = b"",
            headers: dict[str, str] | None = None) -> tuple[int, Any]:
    address = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=5)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        reply = connection.getresponse()
        data = reply.read()
    finally:
        connection.close()
    is_json = reply.getheader("Content-Type", "").startswith("application/json")
    return reply.status, json.loads(data) if is_json else data


def robot_target(server: SandboxServer, query: str | None = None) -> str:
    signed = signed_query(SECRET, int(server.settings.clock() * 1000))
    return f"/robot/send?access_token={server.token}&{signed if query is None else query}"


def post_json(server: SandboxServer, body: bytes, query: str | None = None) -> tuple[int, Any]:
    return request(server, "POST", robot_target(server, query), body,
                   {"Content-Type": "application/json"})


def assert_still_answers(server: SandboxServer) -> None:
    assert post_json(server, json.dumps(TEXT).encode()) == (200, {"errcode": 0, "errmsg": "ok"})


@pytest.mark.parametrize("length", ["²", "٣", "-1", "1e3", "0x10", "9" * 40, ""])
def test_odd_content_length_is_411(server: SandboxServer, length: str) -> None:
    head = (f"POST {robot_target(server)} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
            f"\r\nContent-Length: {length}\r\n\r\n").encode()
    reply = raw_request(server, head + b"{}")
    assert reply.startswith(b"HTTP/1.1 411 "), reply
    assert_still_answers(server)


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 900, 3000, 9000])
def test_deep_json_is_refused_with_errcode_40035(server: SandboxServer, levels: int) -> None:
    deep = "[" * levels + "]" * levels
    body = f'{{"msgtype": "text", "text": {{"content": {deep}}}}}'.encode()
    status, answer = post_json(server, body)
    assert status == 200
    assert answer == {"errcode": 40035,
                      "errmsg": f"不合法的参数 json: nested deeper than {MAX_DEPTH} levels"}
    assert_still_answers(server)


def test_depth_is_counted_without_recursion() -> None:
    value: Any = "leaf"
    for _ in range(100_000):
        value = [value]
    assert depth(value) == 100_000
    assert depth({"a": [{"b": 1}], "c": 2}) == 3 and depth("x") == 0


@pytest.mark.parametrize("query, errmsg", [
    ("timestamp={now}&sign=%C3%A9", "sign not match"),
    ("timestamp={now}&sign=%FF%FE", "sign not match"),
    ("timestamp=%C2%B2&sign=abc", "invalid timestamp"),
    ("timestamp=%D9%A3&sign=abc", "invalid timestamp"),
    ("timestamp=" + "9" * 5000 + "&sign=abc", "invalid timestamp"),
])
def test_non_ascii_signatures_and_timestamps_are_310000(server: SandboxServer, query: str,
                                                        errmsg: str) -> None:
    now = int(server.settings.clock() * 1000)
    status, answer = post_json(server, json.dumps(TEXT).encode(), query.format(now=now))
    assert status == 200 and answer["errcode"] == 310000
    assert answer["errmsg"].startswith(errmsg)
    assert_still_answers(server)


@pytest.mark.parametrize("line, problem", [
    ('{"id": 1, "received_at": "abc", "msgUuid": "u", "body": {}}', '"received_at" is not a number'),
    ('{"id": 1, "received_at": null, "msgUuid": "u", "body": {}}', '"received_at" is not a number'),
    ('{"id": 1, "received_at": NaN, "msgUuid": "u", "body": {}}', '"received_at" is not a number'),
    ('{"id": true, "received_at": 1, "body": {}}', '"id" is not an integer'),
    ('{"id": 1, "received_at": 1, "msgUuid": 7, "body": {}}', '"msgUuid" is neither'),
    ('{"id": 1, "received_at": 1, "body": "text"}', '"body" is not a JSON object'),
    ("[" * 5000 + "]" * 5000, "not a JSON line"),
])
def test_a_bad_store_line_is_reported_at_start_up(tmp_path: Path, line: str, problem: str) -> None:
    store = tmp_path / "inbox.jsonl"
    good = json.dumps({"id": 1, "received_at": 1.5, "msgUuid": None, "body": TEXT})
    store.write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=":2: ") as caught:
        SandboxServer(SandboxSettings(store=store))
    assert problem in str(caught.value)
    run = run_cli(["sandbox", "--store", str(store)], timeout=30)
    assert run.code == 2 and problem in run.err and "Traceback" not in run.err


# -- control endpoints ---------------------------------------------------------------------------

def own_host(server: SandboxServer) -> str:
    return urlsplit(server.base_url).netloc


def accepted(server: SandboxServer) -> int:
    return len(server.messages)


@pytest.mark.parametrize("path", ["/_sandbox/reset", "/_sandbox/faults"])
@pytest.mark.parametrize("headers, status", [
    ({"Content-Type": "text/plain"}, 415),
    ({}, 415),
    ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
    ({"Content-Type": "application/json", "Host": "evil.example:80"}, 403),
    ({"Content-Type": "application/json", "Host": "rebound.example:{port}"}, 403),
    ({"Content-Type": "application/json", "Origin": "http://evil.example"}, 403),
    ({"Content-Type": "text/plain", "Origin": "null"}, 403),
])
def test_control_requests_from_elsewhere_are_refused(server: SandboxServer, path: str,
                                                     headers: dict[str, str], status: int) -> None:
    assert_still_answers(server)
    port = str(urlsplit(server.base_url).port)
    sent = {name: value.replace("{port}", port) for name, value in headers.items()}
    code, answer = request(server, "POST", path, b'{"kind": "http500"}', sent)
    assert code == status and answer["error"]
    assert accepted(server) == 1  # not reset
    assert_still_answers(server)  # and no fault injected
    assert accepted(server) == 2


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_control_requests_from_the_sandbox_itself_work(server: SandboxServer, host: str) -> None:
    assert_still_answers(server)
    port = str(urlsplit(server.base_url).port)
    headers = {"Content-Type": "application/json", "Host": host.replace("{port}", port),
               "Origin": f"http://{host.replace('{port}', port).lower()}"}
    assert request(server, "POST", "/_sandbox/reset", b"{}", headers) == (200, {"ok": True})
    assert accepted(server) == 0
    assert own_host(server).startswith("127.0.0.1:")
