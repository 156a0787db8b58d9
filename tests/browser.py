"""Fixtures for tests that look at pages in a real headless Chromium (Debian's ``chromium``).

Import them into a test module: ``from browser import browser, image_server, open_page``.
Without Chromium (or Playwright) the browser tests are skipped with the reason -- except in CI
(``CI=true``), where a missing browser fails the run: a green CI must mean the pages were seen.
Never ``playwright install``: it downloads a browser build, which this project does not do.
"""

from __future__ import annotations

import os
import shutil
import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Route

CHROMIUM = os.environ.get("MSGSPEC_DD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


class _Shared:
    """One Playwright and one Chromium per test run, however many modules import the fixture.

    Each module that imports ``browser`` gets its own fixture definition; Playwright's sync API
    cannot be started twice in one thread, so they share this and the last one out closes it.
    """

    users = 0
    playwright: Any = None
    browser: Browser | None = None

    @classmethod
    def acquire(cls) -> Browser:
        if cls.browser is None:
            from playwright.sync_api import sync_playwright

            cls.playwright = sync_playwright().start()
            cls.browser = cls.playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        cls.users += 1
        assert cls.browser is not None
        return cls.browser

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users == 0 and cls.browser is not None:
            cls.browser.close()
            cls.playwright.stop()
            cls.browser = cls.playwright = None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """A headless Chromium, shared by the run's browser tests."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        _unavailable(f"Playwright is not installed ({err}); pip install -e '.[test]'")
    shared = _Shared.acquire()
    try:
        yield shared
    finally:
        _Shared.release()


# --------------------------------------------------------------------------- images


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small PNG with a vertical gradient from ``rgb`` to white, made without any library."""
    rows = b""
    for y in range(height):
        mix = y / max(height - 1, 1) * 0.6
        pixel = bytes(round(c + (255 - c) * mix) for c in rgb)
        rows += b"\x00" + pixel * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


_COLOURS = [(50, 150, 250), (255, 146, 0), (0, 180, 120), (230, 80, 90), (120, 90, 220)]


@dataclass
class ImageServer:
    """A local image host on 127.0.0.1: every path answers a PNG; requests are recorded."""

    base: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def image_server() -> Iterator[ImageServer]:
    record: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            record.append(self.path)
            colour = _COLOURS[sum(self.path.encode()) % len(_COLOURS)]
            body = png(160, 90, colour)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ImageServer(f"http://127.0.0.1:{server.server_address[1]}", record)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --------------------------------------------------------------------------- pages


@dataclass
class OpenedPage:
    """A page loaded from a file, with every request it tried (allowed or blocked)."""

    page: Page
    requests: list[str]
    blocked: list[str]
    dialogs: list[str]


class PageOpener:
    """Loads HTML files in fresh browser contexts and closes them all at the end of a test."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._contexts: list[BrowserContext] = []

    def __call__(
        self,
        html_file: Path | str,
        *,
        allowed_prefixes: tuple[str, ...] = (),
        width: int = 1320,
        fake_images: bool = False,
    ) -> OpenedPage:
        """Load ``html_file`` (a path, or an ``http://127.0.0.1`` URL); requests to anything but
        it and ``allowed_prefixes`` are blocked.

        With ``fake_images`` a blocked image request is answered with a generated PNG instead,
        so screenshots show pictures without leaving the machine.
        """
        context = self._browser.new_context(viewport={"width": width, "height": 900})
        self._contexts.append(context)
        page = context.new_page()
        opened = OpenedPage(page, [], [], [])
        page_url = html_file if isinstance(html_file, str) else html_file.resolve().as_uri()

        def route(route: Route) -> None:
            url = route.request.url
            if url == page_url or url.startswith(allowed_prefixes):
                route.continue_()
            elif fake_images and route.request.resource_type == "image":
                opened.blocked.append(url)
                colour = _COLOURS[sum(url.encode()) % len(_COLOURS)]
                route.fulfill(status=200, content_type="image/png", body=png(320, 180, colour))
            else:
                opened.blocked.append(url)
                route.abort()

        page.route("**/*", route)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("dialog", lambda dialog: _dismiss(dialog, opened.dialogs))
        page.goto(page_url, wait_until="load")
        return opened

    def close(self) -> None:
        for context in self._contexts:
            context.close()


def _dismiss(dialog: Dialog, seen: list[str]) -> None:
    seen.append(dialog.message)
    dialog.dismiss()


@pytest.fixture
def open_html(browser: Browser) -> Iterator[PageOpener]:
    """``open_html(path, allowed_prefixes=(...))`` -> :class:`OpenedPage`."""
    opener = PageOpener(browser)
    try:
        yield opener
    finally:
        opener.close()


def screenshot(opened: OpenedPage, name: str) -> Path:
    """Save a full-page screenshot as ``artifacts/screenshots/NAME.png`` for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    opened.page.screenshot(path=str(path), full_page=True)
    return path
