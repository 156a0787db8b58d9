"""Every lint rule runs in time linear in its input: each is run on 1 MB hostile files.

Each input goes to a real process under a time limit and at most 1 GiB of address space; the
process runs every rule in ``RULES`` in turn and prints each id when it is done, so a rule
that hangs is named (the first one missing from the output). The template input is half as
large: compiling Jinja is linear but slow, and the suite has to stay fast.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from msgspec_dd.lint.registry import RULES
from msgspec_dd.message_files.loader import MAX_FILE_BYTES

TIME_LIMIT = 30
MEMORY_LIMIT = 1 << 30

_CHILD = """
import sys
from datetime import timezone
from pathlib import Path
from msgspec_dd.config import default_config
from msgspec_dd.lint.checks import run_rule
from msgspec_dd.lint.rule import LintContext, has_check
from msgspec_dd.lint.registry import RULES
from msgspec_dd.message_files import built_ins, variables
from msgspec_dd.message_files.loader import load_document
from msgspec_dd.message_files.renderer import render_message

document = load_document(Path(sys.argv[1]))
values, _ = variables.resolve(document, {}, samples=True)
rendered, problems = render_message(document, values, built_ins.builtins(tz=timezone.utc, samples=True))
assert rendered is not None, problems
context = LintContext(document, default_config(), variables.declared(document.data), rendered=rendered)
for rule_id, rule in RULES.items():
    if has_check(rule):
        run_rule(rule, context)
    print(rule_id, flush=True)
"""

_HEX = "0123456789abcdef" * 4


def _markdown_file(lines: list[str], *, mentions: int = 0) -> str:
    head = "description: bounds\nmessage:\n  msgtype: markdown\n  markdown:\n    title: t\n    text: |\n"
    at = "  at:\n    atMobiles: [" + ", ".join(f'"138{i:08d}"' for i in range(mentions)) + "]\n"
    return head + "".join(f"      {line}\n" for line in lines) + (at if mentions else "")


def _fill(unit: str, budget: int) -> list[str]:
    """Lines of ``unit`` repeated, ``budget`` characters in all (under the file limit)."""
    per_line = max(1, 1000 // len(unit))
    return [unit * per_line] * (budget // (per_line * len(unit) + 7))


INPUTS = {
    "brackets": lambda: _markdown_file(["[" * 330_000, "![" * 160_000, "[](" * 50_000]),
    "links": lambda: _markdown_file(_fill("[x](http://a.example/Foo_(b)) ![i](javascript:1) ", 900_000)),
    "markdown": lambda: _markdown_file(_fill("| a | ~~b~~ <b>c</b> `d` **e** @1380000 access_token= ", 900_000)),
    "secrets": lambda: _markdown_file(_fill(f"access_token%3D{_HEX} SEC{_HEX} ", 900_000)),
    "mentions": lambda: _markdown_file(["@13800000000 " * 1000] * 45, mentions=18_000),
    "under-body-limit": lambda: _markdown_file(["[](" * 6_600]),
    "mentions-under-body-limit": lambda: _markdown_file(["x" * 19_000], mentions=45_000),
    "templates": lambda: _markdown_file(_fill("{{ '' }}{% if 1 %}{% endif %}{# [x](http://a) #}", 500_000)),
}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_every_rule_ends_quickly_on_a_large_hostile_input(tmp_path: Path, name: str) -> None:
    text = INPUTS[name]()
    assert len(text.encode("utf-8")) <= MAX_FILE_BYTES
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True,
                              encoding="utf-8", timeout=TIME_LIMIT, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired as err:
        done = (err.stdout or b"").decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
        slow = next((rule for rule in RULES if rule not in done.split()), "loading or rendering")
        pytest.fail(f"{slow} did not end within {TIME_LIMIT} s on {name}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == list(RULES)
