"""The bytes a webhook receives, as they arrive at a real local server: the body encoded when it
was rendered, with its msgUuid added and nothing else re-encoded. They are the very bytes of
``wire.encode({**payload, "msgUuid": uuid})``, which is what was posted before a send reused
the rendered bytes."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from msgspec_dd.config import Rate
from msgspec_dd.delivery.results import Status
from msgspec_dd.delivery.robot import Robot
from msgspec_dd.dingtalk import wire
from msgspec_dd.schemas import catalog

TOKEN = "ab" * 32
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                    HealthCheck.too_slow])
#: Any JSON value; text is any Unicode but lone surrogates (which lint refuses before a send).
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
OBJECTS = st.dictionaries(st.text(), JSON, max_size=5)
#: Objects that carry their own msgUuid, first, last or in between.
WITH_MSGUUID = st.builds(lambda obj, uuid, at: dict([*list(obj.items())[:at], ("msgUuid", uuid),
                                                     *list(obj.items())[at:]]),
                         OBJECTS, st.text(min_size=1), st.integers(0, 5))


class Recorder:
    """A robot endpoint on 127.0.0.1 that keeps each request body as the bytes that arrived."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                answer = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token={TOKEN}"


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    thread = threading.Thread(target=recorder.server.serve_forever, daemon=True)
    thread.start()
    yield recorder
    recorder.server.shutdown()
    recorder.server.server_close()


@pytest.fixture(scope="module")
def robot(recorder: Recorder) -> Iterator[Robot]:
    robot = Robot.webhook("default", recorder.url, rate=Rate(1_000_000, 1.0), timeout=5.0)
    yield robot
    robot.close()


def posted(recorder: Recorder, send: Any) -> tuple[Any, bytes | None]:
    """The result of ``send()`` and the one body it posted (None if it posted nothing)."""
    before = len(recorder.bodies)
    result = send()
    after = recorder.bodies[before:]
    assert len(after) <= 1
    return result, after[0] if after else None


@PROPERTY_SETTINGS
@given(payload=OBJECTS | WITH_MSGUUID)
def test_a_prepared_body_arrives_as_the_payload_encoded_with_its_msguuid(
    recorder: Recorder, robot: Robot, payload: dict[str, Any]
) -> None:
    result, body = posted(recorder, lambda: robot.send_prepared(payload, wire.encode(payload)))
    if "msgUuid" in payload:
        assert result.msg_uuid == payload["msgUuid"]
    assert body == wire.encode({**payload, "msgUuid": result.msg_uuid})
    assert result.status is Status.SENT


@functools.cache
def valid_payloads(name: str) -> st.SearchStrategy[Any]:
    return from_schema(catalog.bundle(name))


@pytest.mark.parametrize("name", ["text", "link", "markdown", "actionCard", "feedCard"])
@settings(PROPERTY_SETTINGS, max_examples=25)
@given(data=st.data())
def test_every_msgtype_sent_from_python_arrives_as_the_payload_encoded_with_its_msguuid(
    recorder: Recorder, robot: Robot, name: str, data: st.DataObject
) -> None:
    payload = data.draw(valid_payloads(name))
    result, body = posted(recorder, lambda: robot.send(payload))
    expected = wire.encode({**payload, "msgUuid": result.msg_uuid})
    if len(expected) > wire.MAX_BODY_BYTES:  # generated text can be long
        assert body is None and result.status is Status.FAILED
    else:
        assert body == expected and result.status is Status.SENT


def test_a_msguuid_of_its_own_is_kept_where_the_payload_has_it(recorder: Recorder, robot: Robot) -> None:
    payload = {"msgUuid": "u-1", "msgtype": "text", "text": {"content": "日报 ✅ \u2028 \"q\""}}
    result, body = posted(recorder, lambda: robot.send(payload))
    assert result.msg_uuid == "u-1"
    assert body == '{"msgUuid":"u-1","msgtype":"text","text":{"content":"日报 ✅ \u2028 \\"q\\""}}'.encode()


class Counted:
    """A value that counts how often it is encoded (``wire.encode`` writes it with ``str``)."""

    def __init__(self, text: str) -> None:
        self.text, self.encoded = text, 0

    def __str__(self) -> str:
        self.encoded += 1
        return self.text


def test_a_send_adds_the_msguuid_without_encoding_the_payload_again(
    recorder: Recorder, robot: Robot
) -> None:
    content = Counted("部署完成")
    payload = {"msgtype": "text", "text": {"content": content}}
    body = wire.encode(payload)
    result, arrived = posted(recorder, lambda: robot.send_prepared(payload, body))
    assert content.encoded == 1  # once, above: the send reused those bytes
    assert arrived == body[:-1] + f',"msgUuid":"{result.msg_uuid}"}}'.encode()


def test_the_size_is_checked_on_the_bytes_posted_msguuid_included(recorder: Recorder, robot: Robot) -> None:
    payload = {"msgtype": "text", "text": {"content": "x" * (wire.MAX_BODY_BYTES - 40)}}
    body = wire.encode(payload)
    assert len(body) <= wire.MAX_BODY_BYTES
    result, arrived = posted(recorder, lambda: robot.send_prepared(payload, body))
    assert arrived is None and result.attempts == 0
    assert result.detail.startswith(f"not sent: body is {len(body) + 49:,} bytes")
