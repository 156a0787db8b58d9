"""The sandbox inbox page rendered with the preview's renderer, live in a real browser."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from datetime import timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from msgspec_dd.preview.inbox import inbox_page
from tests.browser import PageOpener, browser, open_html, screenshot
from tests.preview.test_message import XSS, samples

__all__ = ["browser", "open_html"]  # fixtures, used by name


def records(count: int, start: int = 1) -> list[dict[str, Any]]:
    bodies = [dict(item.payload) for item in samples("https://img.example.com")]
    return [
        {
            "id": start + i,
            "received_at": 1_764_000_000 + 60 * i,
            "msgUuid": None,
            "body": bodies[i % len(bodies)],
        }
        for i in range(count)
    ]


def test_each_record_is_a_chat_message_under_its_time() -> None:
    page = inbox_page(records(3), tz=timezone.utc)
    assert page.count('data-testid="message"') == 3
    assert re.findall(r'data-testid="time">([^<]*)<', page) == [
        "2025-11-24 16:00:00",
        "2025-11-24 16:01:00",
        "2025-11-24 16:02:00",
    ]
    assert '<div class="dd-sender" data-testid="sender">sandbox</div>' in page


def test_empty_inbox_says_so() -> None:
    assert "No messages yet" in inbox_page()
    assert '"pollUrl": "/api/other"' in inbox_page(poll_url="/api/other")


def test_only_the_poll_script_may_run() -> None:
    page = inbox_page(
        [{"id": 1, "received_at": "bad", "body": {"msgtype": "text", "text": {"content": XSS}}}],
        poll_url="</script><script>alert(1)//",
    )
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src &#x27;sha256-{digest}&#x27;" in page
    assert "&lt;script&gt;" in page
    state = json.loads(re.search(r"const state = (\{.*?\});", scripts[0]).group(1))  # type: ignore[union-attr]
    assert state["pollUrl"] == "</script><script>alert(1)//"


def test_malformed_records_do_not_raise() -> None:
    page = inbox_page([{}, {"id": 2, "body": "x", "received_at": 10**20}, {"body": {"msgtype": 3}}])
    assert page.count('data-testid="bubble"') == 3


class _Inbox:
    """A stand-in for the sandbox's pages: ``/`` and ``/api/messages`` over real HTTP."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = records(2)
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/":
                    body = inbox_page(inbox.records, interval_ms=100).encode()
                    kind = "text/html; charset=utf-8"
                else:
                    body = json.dumps({"messages": inbox.records}).encode()
                    kind = "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"


@pytest.fixture
def inbox() -> Iterator[_Inbox]:
    served = _Inbox()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()
        thread.join()


@pytest.mark.browser
def test_inbox_shows_new_messages_live_and_never_runs_theirs(
    open_html: PageOpener, inbox: _Inbox
) -> None:
    from playwright.sync_api import expect

    opened = open_html(inbox.url, allowed_prefixes=(inbox.url,), width=560, fake_images=True)
    page = opened.page
    messages = page.locator('[data-testid="message"]')
    assert messages.count() == 2

    inbox.records.extend(records(len(samples()), start=3)[1:])  # every kind, the XSS ones too
    # Waiting through the locator: a page-side predicate would need eval, which the CSP forbids.
    expect(messages).to_have_count(len(inbox.records), timeout=10_000)
    page.wait_for_load_state("load")  # not "networkidle": the page polls all the time
    screenshot(opened, "inbox")
    assert opened.dialogs == []
    assert page.locator('[data-testid="bubble"]').last.inner_text() == XSS
    assert all(url.startswith((inbox.url, "https://img.example.com/")) for url in opened.requests)
