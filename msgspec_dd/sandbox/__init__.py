"""A local DingTalk-compatible group robot, for tests, benchmarks and ``send --sandbox``.

``POST /robot/send?access_token=...`` behaves like DingTalk's for everything msgspec-dd relies
on: token check, 加签 signature and timestamp window, custom keywords, payload validity, the
20,000-byte limit, the sliding-window rate limit and its lock, ``msgUuid`` de-duplication, and
DingTalk's errcodes and texts (always HTTP 200, ``{"errcode": N, "errmsg": "..."}``).

>>> with SandboxServer(SandboxSettings(keywords=("日报",))) as server:  # doctest: +SKIP
...     requests.post(server.url, json={"msgtype": "text", "text": {"content": "日报"}})
"""

from __future__ import annotations

from msgspec_dd.sandbox.answers import Answer
from msgspec_dd.sandbox.faults import Fault
from msgspec_dd.sandbox.server import SandboxServer
from msgspec_dd.sandbox.settings import SandboxSettings, new_secret, new_token, parse_rate

__all__ = ["Answer", "Fault", "SandboxServer", "SandboxSettings", "new_secret", "new_token", "parse_rate"]
