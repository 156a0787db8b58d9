"""``preview --watch``: the preview page served on 127.0.0.1, reloaded whenever a file changes.

Nothing watches the disk in the background: the page polls ``/api/signature`` (as the sandbox
inbox polls its messages, :mod:`msgspec_dd.preview.live_reload`) and each poll stats the watched
files (the message files, the vars file, the config). A changed size or mtime is a new
signature, so the page reloads and ``/`` builds it afresh from the files. Polling mtimes needs
no dependency and works the same on every platform and file system.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from msgspec_dd.errors import MsgspecError, UsageError
from msgspec_dd.preview.live_reload import LiveReload
from msgspec_dd.preview.page import document

__all__ = ["PreviewServer", "WatchSettings", "served_page", "signature", "watched_files"]

SIGNATURE_PATH = "/api/signature"


@dataclass(frozen=True)
class WatchSettings:
    """What ``preview --watch`` shows: the paths and the options ``preview`` takes."""

    paths: tuple[Path, ...]
    var_args: tuple[str, ...] = ()
    vars_file: Path | None = None
    config_path: Path | None = None
    interval_ms: int = 500


def watched_files(settings: WatchSettings) -> list[Path]:
    """The message files under the paths (found again each time: a new file counts), the vars
    file and the config file (the one that would be found, so creating it counts too)."""
    from msgspec_dd.config import CONFIG_NAME, find_config_for
    from msgspec_dd.message_files.discovery import discover

    try:
        files = list(discover(settings.paths))
        config = settings.config_path or find_config_for(settings.paths)  # as the preview finds it
    except MsgspecError:  # a path went missing, or files find different configs: part of the signature
        files, config = list(settings.paths), settings.config_path
    if settings.vars_file is not None:
        files.append(settings.vars_file)
    files.append(config or Path(CONFIG_NAME))
    return files


def signature(settings: WatchSettings) -> str:
    """A short digest of every watched file's path, size and mtime (or its absence)."""
    stamps = [f"{file}\0{_stamp(file)}" for file in watched_files(settings)]
    return hashlib.sha256("\n".join(stamps).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _stamp(file: Path) -> str:
    try:
        stat = file.stat()
    except OSError:
        return "missing"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def served_page(settings: WatchSettings) -> str:
    """The page as ``preview`` builds it now, with the reload poll; an error is shown as a page
    (it reloads too, so fixing the file brings the preview back)."""
    reload = LiveReload(SIGNATURE_PATH, signature(settings), interval_ms=settings.interval_ms)
    try:
        return _preview(settings, reload)
    except MsgspecError as err:
        return _error_page(err.report_lines() or (str(err),), reload)


def _preview(settings: WatchSettings, reload: LiveReload) -> str:
    from msgspec_dd.config import load_config
    from msgspec_dd.preview.build import build_items
    from msgspec_dd.preview.page import render_page

    config = load_config(settings.config_path, paths=settings.paths)
    items = build_items(list(settings.paths), config=config, var_args=settings.var_args,
                        vars_file=settings.vars_file)
    return render_page(items, reload=reload)


def _error_page(lines: tuple[str, ...], reload: LiveReload) -> str:
    script, csp = reload.tag()
    rows = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    body = (
        '<header class="dd-page-header" data-testid="page-header"><h1>Preview — msgspec-dd</h1>'
        '<p class="dd-page-drafts">Nothing to preview until this is fixed; the page reloads '
        'when a file changes.</p></header>'
        f'<main class="dd-items"><ul class="dd-problems dd-errors" data-testid="errors">{rows}'
        f"</ul></main>{script}"
    )
    return document("Preview — msgspec-dd", body, csp=csp)


class PreviewServer:
    """The served preview on 127.0.0.1 (never another address: the page shows draft messages).

    ``/`` is the page, built on each request; ``/api/signature`` is what the page polls.
    """

    def __init__(self, settings: WatchSettings, *, port: int = 0) -> None:
        self.settings = settings
        try:
            self._server = _QuietServer(("127.0.0.1", port), _handler(settings))
        except OSError as err:
            raise UsageError(f"cannot serve the preview on 127.0.0.1:{port}: "
                             f"{err.strerror or err}; choose another --port") from err
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The page's address, ``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def start(self) -> PreviewServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser that closes the tab mid-reply is not an error worth a traceback


def _handler(settings: WatchSettings) -> type[BaseHTTPRequestHandler]:
    routes: dict[str, Callable[[], tuple[str, str]]] = {
        "/": lambda: (served_page(settings), "text/html; charset=utf-8"),
        SIGNATURE_PATH: lambda: (json.dumps({"signature": signature(settings)}),
                                 "application/json"),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path.split("?", 1)[0])
            if route is None:
                self._reply(404, json.dumps({"error": "no such page"}), "application/json")
                return
            try:
                page = route()
            except Exception as err:  # noqa: BLE001 - a bug must not kill the watch: say which
                self._reply(500, f"preview failed: {type(err).__name__}", "text/plain")
                return
            self._reply(200, *page)

        def _reply(self, status: int, text: str, content_type: str) -> None:
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the terminal shows the URL and the problems, not every poll

    return Handler
