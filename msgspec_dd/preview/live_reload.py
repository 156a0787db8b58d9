"""A served page that reloads itself when what it shows changed: the sandbox inbox, ``preview --watch``.

The page's one script polls a JSON URL and reloads when the reply's signature differs from the
one the page was built with. A Content-Security-Policy allows that script alone (by its hash),
so a ``<script>`` inside a message never runs even if escaping failed. Static pages (``preview
-o``) carry no script at all.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

__all__ = ["LiveReload"]

_POLL_SCRIPT = """
const state = STATE;
ON_LOAD
async function poll() {
  try {
    const reply = await fetch(state.pollUrl, {cache: "no-store"});
    const data = await reply.json();
    if (SIGNATURE !== state.signature) { location.reload(); return; }
  } catch (err) { /* the server may be restarting: try again */ }
  setTimeout(poll, INTERVAL_MS);
}
setTimeout(poll, INTERVAL_MS);
"""


@dataclass(frozen=True)
class LiveReload:
    """How a served page knows it is stale.

    ``signature`` is what the page was built from; ``reply_signature`` is a JavaScript expression
    over the poll reply ``data`` that yields the current one (a fixed text per page kind, never
    data: the CSP hash pins it). ``on_load`` is an optional fixed statement run once.
    """

    poll_url: str
    signature: str
    reply_signature: str = "data.signature"
    interval_ms: int = 1000
    on_load: str = ""

    def script(self) -> str:
        """The poll script; the state is JSON with ``<`` escaped so no value can close it."""
        state = json.dumps({"pollUrl": self.poll_url, "signature": self.signature})
        return (
            _POLL_SCRIPT.replace("INTERVAL_MS", str(int(self.interval_ms)))
            .replace("SIGNATURE", self.reply_signature)
            .replace("ON_LOAD", self.on_load)
            .replace("STATE", state.replace("<", "\\u003c"))
        )

    def csp(self, script: str) -> str:
        """A policy that lets ``script`` alone run and fetch from the page's own origin."""
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        return (
            "default-src 'none'; img-src https: http:; style-src 'unsafe-inline'; "
            f"script-src 'sha256-{digest}'; connect-src 'self'; base-uri 'none'; form-action 'none'"
        )

    def tag(self) -> tuple[str, str]:
        """The ``<script>`` element to end the body with, and the CSP that allows it."""
        script = self.script()
        return f"<script>{script}</script>", self.csp(script)
