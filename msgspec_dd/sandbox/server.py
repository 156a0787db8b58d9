"""The sandbox robot over HTTP: DingTalk's ``POST /robot/send`` plus an inbox and test hooks.

Routes: ``POST /robot/send?access_token=...`` (the robot), ``GET /`` (inbox page),
``GET /api/messages[?since=ID]`` (``{"messages": [...]}``), ``POST /_sandbox/faults`` (a JSON
:class:`Fault`), ``POST /_sandbox/reset`` (forget messages, rate window, lock, faults and
counters), ``GET /_sandbox/stats`` (``{"requests": N, "answers": [...]}``). The two control
POSTs take only ``application/json`` sent to the sandbox's own address (:mod:`.origin`).
HTTP/1.1 with keep-alive; every response carries Content-Length. The request line is never
logged: it holds the access token and signature. No request makes the server fail: malformed
ones get a 4xx or DingTalk's errcode, and a bug a 500.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from msgspec_dd.errors import UsageError
from msgspec_dd.sandbox import answers, app_inbox
from msgspec_dd.sandbox.answers import Answer
from msgspec_dd.sandbox.app_api import TOKEN_HEADER, AppApi
from msgspec_dd.sandbox.faults import Fault, FaultQueue
from msgspec_dd.sandbox.origin import control_refusal, own_hosts
from msgspec_dd.sandbox.robot import SandboxRobot
from msgspec_dd.sandbox.settings import SandboxSettings, new_token

if TYPE_CHECKING:  # typing.Self is 3.11+; only the type checker needs it
    from typing_extensions import Self

#: Bodies larger than this are not even read (DingTalk's own limit is 20,000 bytes).
MAX_READ_BYTES = 1 << 20

#: Idle keep-alive connections are closed after this many seconds, as servers do.
IDLE_TIMEOUT = 60.0

#: A Content-Length: ASCII digits only (``str.isdigit`` also takes ``²``, which ``int`` refuses).
_LENGTH = re.compile(r"[0-9]{1,18}")

_GATEWAY_ERROR = b"<html><body><h1>500 Internal Server Error</h1></body></html>\n"


class SandboxServer:
    """A local DingTalk-compatible robot, serving on a background thread.

    ``SandboxServer(settings).start()`` or ``with SandboxServer(settings) as server:``.
    ``log`` receives one line per request (errcode, msgtype; never the token or the signature).
    """

    def __init__(
        self,
        settings: SandboxSettings | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log: Callable[[str], None] | None = None,
        app: AppApi | None = None,
    ) -> None:
        self.app = app  # the enterprise app robot API (sandbox --app), served beside the webhook
        self.settings = settings if settings is not None else SandboxSettings()
        self.token = self.settings.token if self.settings.token is not None else new_token()
        self.secret = self.settings.secret
        self.robot = SandboxRobot(self.settings, self.token)
        self.faults = FaultQueue()
        self.log = log
        self._counter_lock = threading.Lock()
        self._requests = 0
        self._answers: list[int] = []
        self._opened = 0
        self._connections: set[socket.socket] = set()
        self._thread: threading.Thread | None = None
        try:
            self._httpd = _HTTPServer((host, port), _Handler)
        except OSError as err:
            self.robot.close()
            raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
        self._httpd.sandbox = self

    # -- addresses --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the running server."""
        host, port = self._address()
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def url(self) -> str:
        """The full webhook URL, ``.../robot/send?access_token=TOKEN``."""
        return f"{self.base_url}/robot/send?access_token={self.token}"

    # -- what happened ------------------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Copies of the accepted bodies, in arrival order."""
        return [record["body"] for record in self.robot.records()]

    @property
    def records(self) -> list[dict[str, Any]]:
        """Copies of the accepted messages with their id, ``received_at`` and ``msgUuid``."""
        return self.robot.records()

    def inbox_records(self) -> list[dict[str, Any]]:
        """What the inbox shows: the webhook's messages and the app API's (recalled ones marked),
        in the order they arrived."""
        if self.app is None:
            return self.records
        combined = self.records + app_inbox.inbox_records(self.app.records())
        return sorted(combined, key=lambda record: float(record.get("received_at") or 0))

    @property
    def requests(self) -> int:
        """How many POSTs ``/robot/send`` received, whatever their outcome."""
        with self._counter_lock:
            return self._requests

    @property
    def answers(self) -> list[int]:
        """The errcodes answered, in order (faults that sent no JSON answer are not listed)."""
        with self._counter_lock:
            return list(self._answers)

    @property
    def connections(self) -> int:
        """How many TCP connections were opened to the server (keep-alive reuses one)."""
        with self._counter_lock:
            return self._opened

    # -- control -------------------------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        """Make the next ``fault.count`` requests to ``/robot/send`` fail as ``fault`` says."""
        self.faults.add(fault)

    def reset(self) -> None:
        """Forget messages, remembered msgUuids, rate window, lock, faults and counters."""
        self.robot.reset()
        self.faults.clear()
        with self._counter_lock:
            self._requests = 0
            self._opened = 0
            self._answers.clear()

    def start(self) -> SandboxServer:
        """Serve on a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                name="msgspec-dd-sandbox", daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection, idle keep-alive ones included."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        with self._counter_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        self.robot.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- used by the handler ---------------------------------------------------------------

    def _count_request(self) -> int:
        with self._counter_lock:
            self._requests += 1
            return self._requests

    def _count_answer(self, errcode: int) -> None:
        with self._counter_lock:
            self._answers.append(errcode)

    def _track(self, connection: socket.socket, open_: bool) -> None:
        with self._counter_lock:
            if open_:
                self._opened += 1
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _address(self) -> tuple[str, int]:
        host, port = self._httpd.server_address[:2]
        return (host.decode() if isinstance(host, bytes | bytearray) else str(host)), int(port)

    def _own_hosts(self) -> frozenset[str]:
        return own_hosts(*self._address())

    def _log(self, line: str) -> None:
        if self.log is not None:
            self.log(line)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    sandbox: SandboxServer


#: A route's handler: the request's query string and body in, a reply written.
Route = Callable[["_Handler", str, bytes], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    server_version = "msgspec-dd-sandbox"

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without NODELAY, Nagle and delayed ACKs add
        # ~40 ms to every kept-alive request, which would swamp latency benchmarks.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._new_connection = True
        self._sandbox._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._sandbox._track(self.connection, False)

    @property
    def _sandbox(self) -> SandboxServer:
        server = self.server
        assert isinstance(server, _HTTPServer)
        return server.sandbox

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the default logs the request line, which holds the token and signature."""

    # -- network simulation -----------------------------------------------------------------

    def _network_delay(self) -> None:
        """One round trip per request, two more (TCP and TLS handshakes) per new connection."""
        trips = 3 if self._new_connection else 1
        self._new_connection = False
        latency_ms = self._sandbox.settings.latency_ms
        if latency_ms > 0:
            self._sandbox.settings.sleep(trips * latency_ms / 1000)

    # -- routes -----------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._network_delay()
        url = urlsplit(self.path)
        route = self.GET_ROUTES.get(url.path)
        if route is None:
            self._reply_json(404, {"error": f"no such page: {url.path}"})
            return
        self._guarded(route, url.query, b"")

    def do_POST(self) -> None:
        self._network_delay()
        raw = self._read_body()
        if raw is None:
            return
        url = urlsplit(self.path)
        route = self.POST_ROUTES.get(url.path)
        if route is None and self._sandbox.app is not None and self._sandbox.app.serves(url.path):
            route = type(self)._app_api
        if route is None:
            self._reply_json(404, {"error": f"no such endpoint: {url.path}"})
            return
        if url.path.startswith("/_sandbox/"):
            refused = control_refusal(self.headers, self._sandbox._own_hosts())
            if refused is not None:
                self._reply_json(refused[0], {"error": refused[1]})
                return
        self._guarded(route, url.query, raw)

    def _guarded(self, route: Route, query: str, raw: bytes) -> None:
        """Run ``route``; a bug in the sandbox is a 500 and a log line, never a dropped reply."""
        try:
            route(self, query, raw)
        except Exception as err:  # noqa: BLE001 - the last guard; the log names it
            self._sandbox._log(f"HTTP 500: the sandbox failed on {self.command} "
                               f"{urlsplit(self.path).path}: {type(err).__name__}")
            self._reply(500, _GATEWAY_ERROR, "text/html; charset=utf-8")

    def _inbox(self, query: str, raw: bytes) -> None:
        from msgspec_dd.preview.inbox import inbox_page  # the page's code, only when it is asked for

        self._reply(200, _utf8(inbox_page(self._sandbox.inbox_records())), "text/html; charset=utf-8")

    def _stats(self, query: str, raw: bytes) -> None:
        sandbox = self._sandbox
        self._reply_json(200, {"requests": sandbox.requests, "answers": sandbox.answers})

    def _need_post(self, query: str, raw: bytes) -> None:
        """A GET of the robot: answered like DingTalk, but not one of the POSTs counted."""
        self._reply(200, answers.NEED_POST.to_json(), "application/json; charset=utf-8")

    def _app_api(self, query: str, raw: bytes) -> None:
        """The app robot API (``sandbox --app``): tokens, group messages, recall, read status."""
        assert self._sandbox.app is not None
        reply = self._sandbox.app.handle(urlsplit(self.path).path, self.headers.get(TOKEN_HEADER), raw)
        assert reply is not None  # serves() said the path is the app API's
        self._reply_json(*reply)

    def _reset(self, query: str, raw: bytes) -> None:
        self._sandbox.reset()
        self._reply_json(200, {"ok": True})

    def _robot_send(self, query: str, raw: bytes) -> None:
        sandbox = self._sandbox
        number = sandbox._count_request()
        fault = sandbox.faults.take()
        if fault is not None and fault.kind in ("http500", "reset", "errcode"):
            sandbox._log(f"#{number} fault={fault.kind}")
            self._pre_fault(fault)
            return
        try:
            answer = sandbox.robot.receive(
                parse_qs(query, keep_blank_values=True), self.headers.get("Content-Type", ""), raw
            )
        except OSError as err:  # the store could not be written: like a server error at DingTalk
            sandbox._log(f"#{number} HTTP 500: cannot write the store ({err.strerror or err})")
            self._reply(500, _GATEWAY_ERROR, "text/html; charset=utf-8")
            return
        sandbox._log(_describe(number, answer, fault))
        if fault is not None and fault.kind == "drop-reply":
            self._abort()
            return
        if fault is not None and fault.kind == "slow":
            sandbox.settings.sleep(fault.seconds)
        self._answer(answer)

    def _pre_fault(self, fault: Fault) -> None:
        """A fault that replaces processing: a gateway error, a reset, or a scripted errcode."""
        if fault.kind == "http500":
            self._reply(500, _GATEWAY_ERROR, "text/html; charset=utf-8")
        elif fault.kind == "reset":
            self._abort()
        else:
            self._answer(Answer(fault.errcode, fault.errmsg))

    def _inject(self, query: str, raw: bytes) -> None:
        try:
            fault = Fault.from_json(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as err:
            self._reply_json(400, {"error": f"a fault is a JSON object: {err}"})
            return
        except UsageError as err:
            self._reply_json(400, {"error": str(err)})
            return
        self._sandbox.inject(fault)
        self._reply_json(200, {"ok": True, "fault": fault.to_json()})

    def _messages(self, query: str, raw: bytes) -> None:
        since_values = parse_qs(query).get("since", ["0"])
        try:
            since = int(since_values[0])
        except ValueError:
            self._reply_json(400, {"error": "since must be a message id (an integer)"})
            return
        self._reply_json(200, {"messages": self._sandbox.robot.records(since)})

    #: path -> handler. A new endpoint (say DingTalk's ``/v1.0/...`` app-robot API) is one
    #: method and one line here.
    GET_ROUTES: ClassVar[dict[str, Route]] = {
        "/": _inbox, "/api/messages": _messages, "/_sandbox/stats": _stats,
        "/robot/send": _need_post,
    }
    POST_ROUTES: ClassVar[dict[str, Route]] = {
        "/robot/send": _robot_send, "/_sandbox/faults": _inject, "/_sandbox/reset": _reset,
    }

    # -- plumbing -----------------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        length_text = self.headers.get("Content-Length")
        if length_text is None or not _LENGTH.fullmatch(length_text.strip()):
            self.close_connection = True
            self._reply(411, b"Content-Length required\n", "text/plain; charset=utf-8")
            return None
        length = int(length_text)
        if length > MAX_READ_BYTES:
            self.close_connection = True
            self._reply(413, b"Request body too large\n", "text/plain; charset=utf-8")
            return None
        return self.rfile.read(length)

    def _answer(self, answer: Answer) -> None:
        self._sandbox._count_answer(answer.errcode)
        self._reply(200, answer.to_json(), "application/json; charset=utf-8")

    def _reply_json(self, status: int, data: Any) -> None:
        body = _utf8(json.dumps(data, ensure_ascii=False))
        self._reply(status, body, "application/json; charset=utf-8")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client went away (e.g. it timed out during a slow fault)
            self.close_connection = True

    def _abort(self) -> None:
        """Close the connection without a reply; SO_LINGER 0 makes it a TCP reset."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _utf8(text: str) -> bytes:
    """``text`` as UTF-8; odd text (a lone surrogate in an old store) never fails a reply."""
    return text.encode("utf-8", errors="replace")


def _describe(number: int, answer: Answer, fault: Fault | None) -> str:
    """One log line for a processed request: never the token, signature or query string."""
    parts = [f"#{number}", f"errcode={answer.errcode}", f"msgtype={answer.msgtype or '-'}"]
    if answer.stored is not None:
        parts.append(f"stored id={answer.stored['id']}")
    elif answer.duplicate:
        parts.append("duplicate msgUuid, not stored")
    elif answer.errcode != 0:
        parts.append(answer.errmsg)
    if fault is not None:
        parts.append(f"fault={fault.kind}")
    return " ".join(parts)


__all__ = ["SandboxServer"]
