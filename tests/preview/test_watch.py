"""``preview --watch``: the served page, its reload poll, and a real Chromium seeing a save."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from msgspec_dd.preview.watch import PreviewServer, WatchSettings, served_page, signature
from tests.browser import PageOpener, browser, open_html, screenshot

__all__ = ["browser", "open_html"]  # fixtures, used by name

HELLO = """\
message:
  msgtype: text
  text:
    content: "{text}"
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "messages").mkdir()
    (tmp_path / "messages" / "hello.yaml").write_text(HELLO.format(text="第一版"), "utf-8")
    return tmp_path


def _touch_later(path: Path) -> None:
    # A rewrite within the file system's timestamp granularity must still count: move mtime on.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("changed", ["messages/hello.yaml", "vars.yaml", "msgspec-dd.yaml"])
def test_the_signature_changes_with_a_message_a_vars_file_or_the_config(
    folder: Path, changed: str
) -> None:
    (folder / "vars.yaml").write_text("{}\n", "utf-8")
    (folder / "msgspec-dd.yaml").write_text("robots:\n  default: {webhook_env: X}\n", "utf-8")
    settings = WatchSettings((Path("messages"),), vars_file=Path("vars.yaml"))
    before = signature(settings)
    assert signature(settings) == before  # nothing changed, nothing reloads
    _touch_later(folder / changed)
    assert signature(settings) != before


def test_a_new_file_or_a_new_config_changes_the_signature(folder: Path) -> None:
    settings = WatchSettings((Path("messages"),))
    before = signature(settings)
    (folder / "messages" / "more.yaml").write_text(HELLO.format(text="x"), "utf-8")
    after_new_file = signature(settings)
    (folder / "msgspec-dd.yaml").write_text("robots:\n  default: {webhook_env: X}\n", "utf-8")
    assert len({before, after_new_file, signature(settings)}) == 3


def test_the_served_page_allows_its_poll_script_alone(folder: Path) -> None:
    page = served_page(WatchSettings((Path("messages"),)))
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 1 and '"pollUrl": "/api/signature"' in scripts[0]
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src &#x27;sha256-{digest}&#x27;" in page
    assert "第一版" in page


def test_a_broken_config_is_a_page_that_still_reloads(folder: Path) -> None:
    (folder / "msgspec-dd.yaml").write_text("robots: [\n", "utf-8")
    page = served_page(WatchSettings((Path("messages"),)))
    assert 'data-testid="errors"' in page and "msgspec-dd.yaml" in page
    assert page.count("<script>") == 1


def test_the_server_answers_on_127_0_0_1_only(folder: Path) -> None:
    server = PreviewServer(WatchSettings((Path("messages"),))).start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert "第一版" in requests.get(server.url, timeout=10).text
        reply = requests.get(server.url + "api/signature", timeout=10)
        assert reply.json() == {"signature": signature(server.settings)}
        assert reply.headers["Cache-Control"] == "no-store"
        assert requests.get(server.url + "nope", timeout=10).status_code == 404
    finally:
        server.stop()


# --------------------------------------------------------------------------- the command


@pytest.fixture
def watching(folder: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "msgspec_dd", "preview", "messages", "--watch"],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()  # the first line, flushed before serving
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url), url
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def test_ctrl_c_stops_the_watch_without_a_traceback(
    watching: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = watching
    assert "第一版" in requests.get(url, timeout=10).text
    code, err = _stop(process)
    assert code == 0
    assert "Traceback" not in err and err.endswith("preview: stopped\n")


@pytest.mark.browser
def test_the_page_reloads_after_a_file_is_saved(
    open_html: PageOpener, folder: Path, watching: tuple[subprocess.Popen[str], str]
) -> None:
    from playwright.sync_api import expect

    process, url = watching
    opened = open_html(url, allowed_prefixes=(url,), width=560)
    bubble = opened.page.locator('[data-testid="bubble"]')
    expect(bubble).to_have_text("第一版")

    message = folder / "messages" / "hello.yaml"
    message.write_text(HELLO.format(text="第二版 saved"), "utf-8")
    _touch_later(message)
    # Waiting through the locator: a page-side predicate would need eval, which the CSP forbids.
    expect(bubble).to_have_text("第二版 saved", timeout=20_000)
    opened.page.wait_for_load_state("load")
    screenshot(opened, "preview-watch")
    assert opened.blocked == []
    assert _stop(process)[0] == 0


def test_a_port_in_use_is_a_usage_error(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from msgspec_dd.cli import main

    busy = PreviewServer(WatchSettings((Path("messages"),))).start()
    try:
        port = busy.url.rsplit(":", 1)[1].strip("/")
        with pytest.raises(SystemExit) as exited:
            main(["preview", "messages", "--watch", "--port", port])
    finally:
        busy.stop()
    out, err = capsys.readouterr()
    assert (exited.value.code, out) == (2, "")
    assert f"cannot serve the preview on 127.0.0.1:{port}" in err and "--port" in err
