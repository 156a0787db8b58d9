"""The sandbox robot answers like DingTalk's /robot/send: real HTTP to 127.0.0.1, in-process."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from io import FileIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from msgspec_dd.dingtalk.signing import signature, signed_query
from msgspec_dd.errors import ConfigError, UsageError
from msgspec_dd.sandbox import SandboxServer, SandboxSettings, new_secret, parse_rate
from tests.clock import HandClock

MORE = "more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"
T0 = 1_700_000_000.0
SECRET = "SEC" + "0123456789abcdef" * 4
TEXT: dict[str, Any] = {"msgtype": "text", "text": {"content": "日报 ready"}}


@pytest.fixture
def clock() -> HandClock:
    return HandClock(T0)


def serve(clock: HandClock, **options: Any) -> SandboxServer:
    return SandboxServer(SandboxSettings(clock=clock, **options)).start()


@pytest.fixture
def server(clock: HandClock) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings(clock=clock)) as running:
        yield running


def post(url: str, body: Any, **kwargs: Any) -> dict[str, Any]:
    """POST ``body`` as UTF-8 JSON (not ASCII-escaped, as the client sends it); the JSON reply."""
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    reply = requests.post(url, data=data, headers=headers, timeout=5, **kwargs)
    assert reply.status_code == 200
    result = reply.json()
    assert isinstance(result, dict)
    return result


def signed(server: SandboxServer, clock: HandClock, secret: str = SECRET) -> str:
    return f"{server.url}&{signed_query(secret, int(clock() * 1000))}"


# -- the API as the delivery engineer uses it ---------------------------------------------------


def test_success_is_http_200_errcode_0_and_the_body_is_kept(server: SandboxServer) -> None:
    reply = requests.post(server.url, data=json.dumps(TEXT).encode(),
                          headers={"Content-Type": "application/json"}, timeout=5)
    assert reply.status_code == 200
    assert reply.content == b'{"errcode":0,"errmsg":"ok"}'
    assert reply.headers["Content-Length"] == str(len(reply.content))
    assert server.messages == [TEXT]
    assert server.requests == 1
    assert server.answers == [0]


def test_urls_and_a_random_64_hex_token(server: SandboxServer) -> None:
    assert server.url == f"{server.base_url}/robot/send?access_token={server.token}"
    assert server.base_url.startswith("http://127.0.0.1:")
    assert len(server.token) == 64 and int(server.token, 16) >= 0
    assert server.secret is None


def test_given_token_and_secret_are_used(clock: HandClock) -> None:
    secret = new_secret()
    assert secret.startswith("SEC") and len(secret) == 67
    with SandboxServer(SandboxSettings(token="t" * 8, secret=secret, clock=clock)) as running:
        assert running.url.endswith("access_token=" + "t" * 8)
        assert running.secret == secret
        assert post(signed(running, clock, secret), TEXT)["errcode"] == 0


def test_messages_are_copies(server: SandboxServer) -> None:
    post(server.url, TEXT)
    server.messages[0]["msgtype"] = "changed"
    assert server.messages == [TEXT]


@pytest.mark.parametrize("bad", [{"rate_count": 0}, {"rate_seconds": 0}, {"lock_seconds": -1},
                                 {"latency_ms": -1}, {"token": ""}, {"secret": ""},
                                 {"token": "a/b?c"}, {"token": "a b"}, {"token": "x" * 129},
                                 {"token": "tök"}, {"keywords": ("",)}, {"keywords": ("日报", " ")},
                                 {"keywords": tuple(f"k{n}" for n in range(11))},
                                 {"lock_seconds": float("nan")}, {"latency_ms": float("inf")},
                                 {"dedupe_seconds": float("nan")}])
def test_settings_refuse_nonsense(bad: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        SandboxSettings(**bad)


def test_settings_accept_url_safe_tokens_and_ten_keywords() -> None:
    settings = SandboxSettings(token="my-robot_01", keywords=tuple(f"k{n}" for n in range(10)))
    with SandboxServer(settings) as running:
        assert running.url.endswith("/robot/send?access_token=my-robot_01")


@pytest.mark.parametrize(("text", "expected"), [("20/60", (20, 60.0)), (" 5 / 1.5 ", (5, 1.5))])
def test_parse_rate(text: str, expected: tuple[int, float]) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["20", "20/", "/60", "a/b", "0/60", "20/0", "20per60", "-1/60"])
def test_parse_rate_refuses(text: str) -> None:
    with pytest.raises(UsageError, match="COUNT"):
        parse_rate(text)


# -- token --------------------------------------------------------------------------------------


def test_missing_access_token(server: SandboxServer) -> None:
    expected = {"errcode": 40035, "errmsg": "缺少参数 access_token"}
    assert post(f"{server.base_url}/robot/send", TEXT) == expected
    assert post(f"{server.base_url}/robot/send?access_token=", TEXT) == expected


def test_unknown_token(server: SandboxServer) -> None:
    url = f"{server.base_url}/robot/send?access_token={'ab' * 32}"
    assert post(url, TEXT) == {"errcode": 300001, "errmsg": "token is not exist"}


def test_malformed_token(server: SandboxServer) -> None:
    url = f"{server.base_url}/robot/send?access_token=nope"
    assert post(url, TEXT) == {"errcode": 400101, "errmsg": "access_token不存在"}
    assert server.messages == []
    assert server.answers == [400101]


def test_get_is_refused_like_dingtalk(server: SandboxServer) -> None:
    reply = requests.get(server.url, timeout=5)
    assert reply.json() == {"errcode": 43003, "errmsg": "需要POST请求"}
    assert server.requests == 0 and server.answers == []


def test_content_type_must_be_json(server: SandboxServer) -> None:
    reply = requests.post(server.url, data=json.dumps(TEXT), timeout=5,
                          headers={"Content-Type": "text/plain"})
    assert reply.json() == {"errcode": 43004, "errmsg": "无效的HTTP HEADER Content-Type"}


# -- signing ------------------------------------------------------------------------------------


@pytest.fixture
def signing(clock: HandClock) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings(secret=SECRET, clock=clock)) as running:
        yield running


SIGN_NOT_MATCH = {"errcode": 310000, "errmsg": f"sign not match, {MORE}"}
INVALID_TIMESTAMP = {"errcode": 310000, "errmsg": f"invalid timestamp, {MORE}"}


def test_good_signature(signing: SandboxServer, clock: HandClock) -> None:
    assert post(signed(signing, clock), TEXT) == {"errcode": 0, "errmsg": "ok"}


def test_signature_with_another_secret(signing: SandboxServer, clock: HandClock) -> None:
    assert post(signed(signing, clock, "SEC" + "f" * 64), TEXT) == SIGN_NOT_MATCH


def test_unsigned_request(signing: SandboxServer) -> None:
    assert post(signing.url, TEXT) == SIGN_NOT_MATCH


def test_missing_sign(signing: SandboxServer, clock: HandClock) -> None:
    assert post(f"{signing.url}&timestamp={int(clock() * 1000)}", TEXT) == SIGN_NOT_MATCH


def test_double_encoded_sign_fails(signing: SandboxServer, clock: HandClock) -> None:
    ts = int(clock() * 1000)
    sign = signature(SECRET, ts)
    assert "=" in sign  # base64 padding is what makes the %253D bug visible
    twice = quote(quote(sign, safe=""), safe="")
    assert "%253D" in twice
    assert post(f"{signing.url}&timestamp={ts}&sign={twice}", TEXT) == SIGN_NOT_MATCH
    once = quote(sign, safe="")
    assert post(f"{signing.url}&timestamp={ts}&sign={once}", TEXT)["errcode"] == 0


def test_unencoded_sign_with_plus_fails(signing: SandboxServer, clock: HandClock) -> None:
    ts = next(t for t in range(int(clock() * 1000), int(clock() * 1000) + 1000) if "+" in signature(SECRET, t))
    clock.now = ts / 1000
    # "+" in a query string decodes to a space, so a sign pasted without encoding fails.
    assert post(f"{signing.url}&timestamp={ts}&sign={signature(SECRET, ts)}", TEXT) == SIGN_NOT_MATCH


def test_stale_and_future_timestamps(signing: SandboxServer, clock: HandClock) -> None:
    made_at = int(clock() * 1000)
    url = f"{signing.url}&{signed_query(SECRET, made_at)}"
    clock.advance(3599)
    assert post(url, TEXT)["errcode"] == 0  # within the hour
    clock.advance(2)
    assert post(url, TEXT) == INVALID_TIMESTAMP
    clock.now = T0 - 3601  # the sender's clock runs an hour ahead
    assert post(url, TEXT) == INVALID_TIMESTAMP


def test_timestamp_not_a_number(signing: SandboxServer) -> None:
    assert post(f"{signing.url}&timestamp=soon&sign=x", TEXT) == INVALID_TIMESTAMP


def test_signature_params_ignored_without_secret(server: SandboxServer) -> None:
    assert post(f"{server.url}&timestamp=1&sign=nonsense", TEXT)["errcode"] == 0


# -- keywords -----------------------------------------------------------------------------------

KEYWORD = "定时推送"
HITS: list[dict[str, Any]] = [
    {"msgtype": "text", "text": {"content": f"{KEYWORD}: build green"}},
    {"msgtype": "link", "link": {"title": KEYWORD, "text": "t", "messageUrl": "https://a.example"}},
    {"msgtype": "link", "link": {"title": "t", "text": KEYWORD, "messageUrl": "https://a.example"}},
    {"msgtype": "markdown", "markdown": {"title": KEYWORD, "text": "# t"}},
    {"msgtype": "markdown", "markdown": {"title": "t", "text": f"# {KEYWORD}"}},
    {"msgtype": "actionCard", "actionCard": {"title": KEYWORD, "text": "t", "singleTitle": "go",
                                             "singleURL": "https://a.example"}},
    {"msgtype": "actionCard", "actionCard": {"title": "t", "text": "t", "singleTitle": KEYWORD,
                                             "singleURL": "https://a.example"}},
    {"msgtype": "actionCard", "actionCard": {"title": "t", "text": "t", "btns": [
        {"title": "ok", "actionURL": "https://a.example"},
        {"title": KEYWORD, "actionURL": "https://b.example"}]}},
    {"msgtype": "feedCard", "feedCard": {"links": [
        {"title": f"周报 {KEYWORD}", "messageURL": "https://a.example", "picURL": "https://a.example/p.png"}]}},
]
MISSES: list[dict[str, Any]] = [
    {"msgtype": "text", "text": {"content": "build green"}},
    {"msgtype": "link", "link": {"title": "t", "text": "t", "messageUrl": f"https://a.example/{KEYWORD}"}},
    {"msgtype": "markdown", "markdown": {"title": "t", "text": "# t"}},
    {"msgtype": "actionCard", "actionCard": {"title": "t", "text": "t", "singleTitle": "go",
                                             "singleURL": "https://a.example"}},
    {"msgtype": "actionCard", "actionCard": {"title": "t", "text": "t", "btns": [
        {"title": "ok", "actionURL": f"https://a.example/{KEYWORD}"}]}},
    {"msgtype": "feedCard", "feedCard": {"links": [
        {"title": "周报", "messageURL": "https://a.example", "picURL": "https://a.example/p.png"}]}},
]


@pytest.fixture(scope="module")
def keyword_server() -> Iterator[SandboxServer]:
    settings = SandboxSettings(keywords=("unused", KEYWORD), rate_count=1000)
    with SandboxServer(settings) as running:
        yield running


@pytest.mark.parametrize("body", HITS, ids=lambda b: b["msgtype"])
def test_keyword_hit(keyword_server: SandboxServer, body: dict[str, Any]) -> None:
    assert post(keyword_server.url, body) == {"errcode": 0, "errmsg": "ok"}


@pytest.mark.parametrize("body", MISSES, ids=lambda b: b["msgtype"])
def test_keyword_miss(keyword_server: SandboxServer, body: dict[str, Any]) -> None:
    expected = {"errcode": 310000, "errmsg": f"keywords not in content, {MORE}"}
    assert post(keyword_server.url, body) == expected


# -- payload ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe{}", b"[1, 2]", b'"text"', b""])
def test_not_a_json_object(server: SandboxServer, raw: bytes) -> None:
    assert post(server.url, raw) == {"errcode": 40035, "errmsg": "缺少参数 json"}


def test_missing_msgtype(server: SandboxServer) -> None:
    assert post(server.url, {"text": {"content": "x"}}) == {"errcode": 40035, "errmsg": "缺少参数 msgtype"}


@pytest.mark.parametrize("msgtype", ["image", "file", "Text", "news"])
def test_unsupported_msgtype(server: SandboxServer, msgtype: str) -> None:
    assert post(server.url, {"msgtype": msgtype, msgtype: {}}) == {"errcode": 400105, "errmsg": "不支持的消息类型"}


@pytest.mark.parametrize(("body", "missing"), [
    ({"msgtype": "text"}, "text"),
    ({"msgtype": "text", "text": {}}, "text.content"),
    ({"msgtype": "link", "link": {"title": "t", "text": "t"}}, "link.messageUrl"),
    ({"msgtype": "markdown", "markdown": {"text": "t"}}, "markdown.title"),
    ({"msgtype": "markdown", "markdown": {"title": "t"}}, "markdown.text"),
    ({"msgtype": "actionCard", "actionCard": {"title": "t", "text": "t"}}, "actionCard.btns"),
    ({"msgtype": "actionCard", "actionCard": {"title": "t", "text": "t", "btns": [{"title": "x"}]}},
     "actionCard.btns.0.actionURL"),
    ({"msgtype": "feedCard", "feedCard": {}}, "feedCard.links"),
    ({"msgtype": "feedCard", "feedCard": {"links": [{"title": "t", "messageURL": "https://a.example"}]}},
     "feedCard.links.0.picURL"),
])
def test_missing_parameter(server: SandboxServer, body: dict[str, Any], missing: str) -> None:
    assert post(server.url, body) == {"errcode": 40035, "errmsg": f"缺少参数 {missing}"}


@pytest.mark.parametrize(("body", "errmsg"), [
    ({"msgtype": "text", "text": {"content": 42}}, "不合法的参数 text.content: "),
    ({"msgtype": "text", "text": {"content": "x", "bogus": True}}, "不合法的参数 text.bogus: "),
    ({"msgtype": "link", "link": {"title": "t", "text": "t", "messageUrl": "https://a.example",
                                  "picURL": "https://a.example/p.png"}}, "不合法的参数 link.picURL: "),
    ({"msgtype": "markdown", "markdown": {"title": "t", "text": "t"}, "at": {"isAtAll": "yes"}},
     "不合法的参数 at.isAtAll: "),
    ({**TEXT, "msgUuid": 7}, "不合法的参数 msgUuid: "),
])
def test_schema_violations_are_refused(server: SandboxServer, body: dict[str, Any], errmsg: str) -> None:
    reply = post(server.url, body)
    assert reply["errcode"] == 40035
    assert reply["errmsg"].startswith(errmsg)
    assert server.messages == []


def test_msguuid_is_allowed(server: SandboxServer) -> None:
    assert post(server.url, {**TEXT, "msgUuid": "u-1"})["errcode"] == 0


def utf8_body(size: int) -> bytes:
    """A text message of exactly ``size`` UTF-8 bytes, mostly Chinese (3 bytes each)."""
    empty = len(json.dumps({"msgtype": "text", "text": {"content": ""}}).encode())
    chinese, ascii_ = divmod(size - empty, 3)
    content = "汉" * chinese + "a" * ascii_
    raw = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode()
    assert len(raw) == size and len(content) < size  # characters are not bytes
    return raw


def test_20000_bytes_accepted(server: SandboxServer) -> None:
    assert post(server.url, utf8_body(20_000))["errcode"] == 0


def test_20001_bytes_too_long(server: SandboxServer) -> None:
    expected = {"errcode": 460101, "errmsg": "message too long, exceed 20000 bytes"}
    assert post(server.url, utf8_body(20_001)) == expected
    assert server.messages == []


# -- rate limit and lock -------------------------------------------------------------------------

TOO_FAST = {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
LOCKED = {"errcode": 410100, "errmsg": "发送速度太快而限流"}


def test_default_rate_20_per_minute_then_locked_600_seconds(clock: HandClock) -> None:
    with serve(clock) as running:
        for _ in range(20):
            assert post(running.url, TEXT) == {"errcode": 0, "errmsg": "ok"}
            clock.advance(1)
        assert post(running.url, TEXT) == TOO_FAST
        clock.advance(599)
        assert post(running.url, TEXT) == LOCKED
        clock.advance(1)
        assert post(running.url, TEXT)["errcode"] == 0
    assert len(running.messages) == 21


def test_window_slides(clock: HandClock) -> None:
    with serve(clock, rate_count=3, rate_seconds=10, lock_seconds=30) as running:
        for step in (0, 4, 4):  # arrivals at 0, 4 and 8
            clock.advance(step)
            assert post(running.url, TEXT)["errcode"] == 0
        clock.advance(1.9)  # t=9.9: the arrival at 0 is still inside the window
        assert post(running.url, TEXT) == {"errcode": 130101,
                                           "errmsg": "send too fast, exceed 3 times per 10 seconds"}
        assert post(running.url, TEXT)["errcode"] == 410100
        clock.advance(30)
        for _ in range(3):
            assert post(running.url, TEXT)["errcode"] == 0


def test_window_is_not_fixed_minutes(clock: HandClock) -> None:
    clock.now = 59.0  # 2 arrivals just before a minute boundary, 2 just after
    with serve(clock, rate_count=3, rate_seconds=60) as running:
        assert [post(running.url, TEXT)["errcode"] for _ in range(2)] == [0, 0]
        clock.advance(2)
        assert [post(running.url, TEXT)["errcode"] for _ in range(2)] == [0, 130101]


def test_an_arrival_leaves_the_window_after_exactly_its_length(clock: HandClock) -> None:
    with serve(clock, rate_count=1, rate_seconds=10) as running:
        assert post(running.url, TEXT)["errcode"] == 0
        clock.advance(10)
        assert post(running.url, TEXT)["errcode"] == 0


def test_rejected_requests_count_on_arrival(clock: HandClock) -> None:
    with serve(clock, rate_count=2, keywords=("needle",)) as running:
        assert post(running.url, TEXT)["errcode"] == 310000
        assert post(running.url, {"msgtype": "image"})["errcode"] == 400105
        assert post(running.url, {"msgtype": "text", "text": {"content": "needle"}})["errcode"] == 130101


def test_wrong_token_does_not_count(clock: HandClock) -> None:
    with serve(clock, rate_count=1) as running:
        for _ in range(3):
            assert post(f"{running.base_url}/robot/send?access_token=x", TEXT)["errcode"] == 400101
        assert post(running.url, TEXT)["errcode"] == 0


# -- msgUuid ------------------------------------------------------------------------------------


def test_repeated_msguuid_answers_ok_and_stores_nothing(server: SandboxServer) -> None:
    first = {**TEXT, "msgUuid": "5b0e0c9e-0001"}
    assert post(server.url, first) == {"errcode": 0, "errmsg": "ok"}
    assert post(server.url, first) == {"errcode": 0, "errmsg": "ok"}
    assert post(server.url, {**first, "text": {"content": "edited"}})["errcode"] == 0
    assert post(server.url, {**TEXT, "msgUuid": "5b0e0c9e-0002"})["errcode"] == 0
    assert post(server.url, TEXT)["errcode"] == 0  # no msgUuid: no de-duplication
    assert post(server.url, TEXT)["errcode"] == 0
    assert [m.get("msgUuid") for m in server.messages] == ["5b0e0c9e-0001", "5b0e0c9e-0002", None, None]
    assert server.answers == [0] * 6


def test_duplicates_count_against_the_rate(clock: HandClock) -> None:
    with serve(clock, rate_count=2) as running:
        body = {**TEXT, "msgUuid": "u"}
        assert [post(running.url, body)["errcode"] for _ in range(3)] == [0, 0, 130101]
        assert len(running.messages) == 1


def test_msguuid_is_forgotten_after_the_dedupe_window(clock: HandClock) -> None:
    with serve(clock, dedupe_seconds=3600) as running:
        body = {**TEXT, "msgUuid": "u"}
        post(running.url, body)
        clock.advance(3599)
        post(running.url, body)
        assert len(running.messages) == 1
        clock.advance(2)
        post(running.url, body)
        assert len(running.messages) == 2


def test_rejected_message_does_not_burn_its_msguuid(clock: HandClock) -> None:
    with serve(clock, keywords=("日报",)) as running:
        body = {"msgtype": "text", "text": {"content": "no keyword"}, "msgUuid": "u"}
        assert post(running.url, body)["errcode"] == 310000
        assert post(running.url, {**TEXT, "msgUuid": "u"})["errcode"] == 0
        assert len(running.messages) == 1


# -- reset, inbox and API ---------------------------------------------------------------------


def test_reset_forgets_messages_window_lock_and_msguuids(clock: HandClock) -> None:
    with serve(clock, rate_count=1) as running:
        post(running.url, {**TEXT, "msgUuid": "u"})
        assert post(running.url, TEXT)["errcode"] == 130101
        running.reset()
        assert running.messages == [] and running.requests == 0 and running.answers == []
        assert post(running.url, {**TEXT, "msgUuid": "u"})["errcode"] == 0
        assert len(running.messages) == 1
        assert requests.post(f"{running.base_url}/_sandbox/reset", json={}, timeout=5).json() == {"ok": True}
        assert post(running.url, TEXT)["errcode"] == 0


def test_api_messages(server: SandboxServer, clock: HandClock) -> None:
    post(server.url, {**TEXT, "msgUuid": "u-1"})
    clock.advance(5)
    post(server.url, TEXT)
    data = requests.get(f"{server.base_url}/api/messages", timeout=5).json()
    assert data == {"messages": [
        {"id": 1, "received_at": T0, "msgUuid": "u-1", "body": {**TEXT, "msgUuid": "u-1"}},
        {"id": 2, "received_at": T0 + 5, "msgUuid": None, "body": TEXT},
    ]}
    assert server.records == data["messages"]
    since = requests.get(f"{server.base_url}/api/messages?since=1", timeout=5).json()
    assert [m["id"] for m in since["messages"]] == [2]
    assert requests.get(f"{server.base_url}/api/messages?since=x", timeout=5).status_code == 400


def test_inbox_page(server: SandboxServer) -> None:
    post(server.url, {"msgtype": "markdown", "markdown": {"title": "周报 <b>", "text": "<script>alert(1)</script>"}})
    reply = requests.get(f"{server.base_url}/", timeout=5)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    page = reply.text
    assert "周报 &lt;b&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "/api/messages" in page and "setTimeout(poll, 1000)" in page


def test_inbox_page_when_empty(server: SandboxServer) -> None:
    assert "No messages yet" in requests.get(f"{server.base_url}/", timeout=5).text


def test_unknown_paths(server: SandboxServer) -> None:
    assert requests.get(f"{server.base_url}/nope", timeout=5).status_code == 404
    assert requests.post(f"{server.base_url}/nope", json={}, timeout=5).status_code == 404


def test_log_lines_never_hold_credentials(clock: HandClock) -> None:
    lines: list[str] = []
    settings = SandboxSettings(secret=SECRET, keywords=("日报",), clock=clock)
    with SandboxServer(settings, log=lines.append) as running:
        url = signed(running, clock)
        post(url, TEXT)
        post(url, {"msgtype": "markdown", "markdown": {"title": "x", "text": "x"}})
        post(running.url, TEXT)
        post(f"{running.base_url}/robot/send?access_token={'ab' * 32}", TEXT)
        sign = signature(SECRET, int(clock() * 1000))
    assert lines[0] == "#1 errcode=0 msgtype=text stored id=1"
    assert lines[1].startswith("#2 errcode=310000 msgtype=markdown keywords not in content")
    assert len(lines) == 4
    for line in lines:
        for secret in (running.token, SECRET, sign, quote(sign, safe=""), "ab" * 32):
            assert secret not in line


def test_concurrent_senders_on_kept_alive_connections(clock: HandClock) -> None:
    with serve(clock, rate_count=1000) as running:
        def sender(number: int) -> None:
            with requests.Session() as session:
                for index in range(5):
                    body = {"msgtype": "text", "text": {"content": f"{number}-{index}"}}
                    reply = session.post(running.url, json=body, timeout=5)
                    assert reply.json() == {"errcode": 0, "errmsg": "ok"}

        threads = [threading.Thread(target=sender, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        records = running.records
    assert len(records) == 30
    assert sorted(r["id"] for r in records) == list(range(1, 31))
    assert sorted(r["body"]["text"]["content"] for r in records) == sorted(
        f"{n}-{i}" for n in range(6) for i in range(5))
    assert running.connections == 6


# -- store ----------------------------------------------------------------------------------------


def test_a_store_that_cannot_be_created_is_a_config_error_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot open the sandbox store for writing"):
        SandboxServer(SandboxSettings(store=tmp_path / "missing" / "x.jsonl"))
    with pytest.raises(ConfigError, match="must be a regular file"):
        SandboxServer(SandboxSettings(store=tmp_path))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to fail a write")
def test_a_store_write_that_fails_answers_http_500_and_keeps_nothing(
    tmp_path: Path, clock: HandClock
) -> None:
    lines: list[str] = []
    settings = SandboxSettings(store=tmp_path / "inbox.jsonl", clock=clock)
    with SandboxServer(settings, log=lines.append) as running:
        store = running.robot.store
        store.close()
        store._file = FileIO("/dev/full", "w")  # every write: ENOSPC
        body = {**TEXT, "msgUuid": "u"}
        reply = requests.post(running.url, json=body, timeout=5)
        assert reply.status_code == 500
        assert running.messages == []
        assert lines == ["#1 HTTP 500: cannot write the store (No space left on device)"]
        store.close()
        store._file = FileIO(tmp_path / "inbox.jsonl", "a+")
        assert post(running.url, body) == {"errcode": 0, "errmsg": "ok"}  # not burnt: kept now
        assert len(running.messages) == 1


@pytest.mark.parametrize("raw", [
    rb'{"msgtype":"text","text":{"content":"a\ud800b"}}',
    rb'{"msgtype":"text","text":{"content":"ok"},"\udfff":1}',
    rb'{"msgtype":"markdown","markdown":{"title":"t","text":"x"},"at":{"atMobiles":["\ud800"]}}',
])
def test_a_lone_surrogate_escape_is_refused_and_the_inbox_still_works(
    server: SandboxServer, raw: bytes
) -> None:
    result = post(server.url, raw)
    assert result["errcode"] == 40035 and "UTF-8" in result["errmsg"]
    assert server.messages == []
    assert requests.get(f"{server.base_url}/", timeout=5).status_code == 200
    assert requests.get(f"{server.base_url}/api/messages", timeout=5).json() == {"messages": []}


def test_odd_text_in_a_store_never_fails_the_inbox_or_the_api(tmp_path: Path) -> None:
    store = tmp_path / "inbox.jsonl"
    store.write_text(
        '{"id": 1, "received_at": 1.0, "msgUuid": null,'
        ' "body": {"msgtype": "text", "text": {"content": "a\\ud800b"}}}\n',
        "utf-8",
    )
    with SandboxServer(SandboxSettings(store=store)) as running:
        page = requests.get(f"{running.base_url}/", timeout=5)
        api = requests.get(f"{running.base_url}/api/messages", timeout=5)
    assert page.status_code == 200 and "a?b" in page.text
    assert api.status_code == 200 and api.json()["messages"][0]["body"]["text"]["content"] == "a?b"
