"""Is a request to a control endpoint (``/_sandbox/...``) from the sandbox's own origin?

The control endpoints reset the inbox and script faults, so a web page the developer happens
to visit must not reach them. A page can POST ``text/plain`` to any address without asking
(a "simple" cross-origin request), and by DNS rebinding it can make its own host name resolve
to 127.0.0.1. So a control request must be ``application/json`` (which a browser only sends
cross-origin after a preflight the sandbox never grants), name the sandbox's own address in
``Host``, and, when it has an ``Origin``, come from that address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.message import Message

#: Names a local client may use for the sandbox, besides the address it listens on.
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")


def own_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` values that name this sandbox: ``127.0.0.1:PORT``, ``localhost:PORT``, ..."""
    bound = f"[{host}]" if ":" in host else host
    return frozenset(f"{name}:{port}".lower() for name in (*LOCAL_NAMES, bound))


def control_refusal(headers: Message[str, str], hosts: frozenset[str]) -> tuple[int, str] | None:
    """``(status, reason)`` when a control request must be refused, else None."""
    host = (headers.get("Host") or "").strip().lower()
    if host not in hosts:
        return 403, "control endpoints answer only requests addressed to the sandbox itself " \
            f"(Host {' or '.join(sorted(hosts))})"
    origin = headers.get("Origin")
    if origin is not None and origin.strip().lower() not in {f"http://{h}" for h in hosts}:
        return 403, "control endpoints answer only requests from the sandbox's own origin"
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return 415, "control endpoints take application/json"
    return None
