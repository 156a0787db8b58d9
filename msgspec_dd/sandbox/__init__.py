"""A local DingTalk-compatible group robot, for tests, benchmarks and ``send --sandbox``.

``POST /robot/send?access_token=...`` behaves like DingTalk's for everything msgspec-dd relies
on: token check, 加签 signature and timestamp window, custom keywords, payload validity, the
20,000-byte limit, the sliding-window rate limit and its lock, ``msgUuid`` de-duplication, and
DingTalk's errcodes and texts (always HTTP 200, ``{"errcode": N, "errmsg": "..."}``).

>>> with SandboxServer(SandboxSettings(keywords=("日报",))) as server:  # doctest: +SKIP
...     requests.post(server.url, json={"msgtype": "text", "text": {"content": "日报"}})
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from msgspec_dd import lazy

if TYPE_CHECKING:  # the names, for type checkers; at run time see __getattr__
    from msgspec_dd.sandbox.answers import Answer
    from msgspec_dd.sandbox.faults import Fault
    from msgspec_dd.sandbox.server import SandboxServer
    from msgspec_dd.sandbox.settings import SandboxSettings, new_secret, new_token, parse_rate

#: The public names, each imported from its module on first use: importing a submodule (the
#: CLI does) never loads the others.
_LAZY = {
    "Answer": "msgspec_dd.sandbox.answers",
    "Fault": "msgspec_dd.sandbox.faults",
    "SandboxServer": "msgspec_dd.sandbox.server",
    "SandboxSettings": "msgspec_dd.sandbox.settings",
    "new_secret": "msgspec_dd.sandbox.settings",
    "new_token": "msgspec_dd.sandbox.settings",
    "parse_rate": "msgspec_dd.sandbox.settings",
}

__all__ = [
    "Answer",
    "Fault",
    "SandboxServer",
    "SandboxSettings",
    "new_secret",
    "new_token",
    "parse_rate",
]


__getattr__ = lazy.attributes(__name__, _LAZY)
