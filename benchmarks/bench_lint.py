"""Benchmark ``msgspec-dd lint`` against ``check-jsonschema``. Prints numbers; asserts nothing.

(a) Throughput: 1,000 message files of every msgtype, with templates, ``$for``/``$if`` items and
    typed variables (each with ``examples``), in a temporary directory. The whole
    ``msgspec-dd lint DIR`` process (every lint check: schemas, templates, rendering with the
    examples, payload schema, URLs, mentions, markdown, ...) is timed against the whole
    ``check-jsonschema --schemafile schemas/message-file.schema.json FILES...`` process, which
    only validates the unrendered files against the message-file schema. The runs of the two
    alternate, so a machine that gets busier mid-way weighs on both alike; medians of wall time
    and of CPU time (user + system, the forked lint workers included), CPU time being what a
    busy machine disturbs least. Target: msgspec-dd at least 3x faster (wall time).
(b) Start-up: ``msgspec-dd --version`` against ``check-jsonschema --version``, median of 10 runs
    each. Target: ours at most half.

Run: ``python benchmarks/bench_lint.py [--files N] [--runs N]`` (needs ``check-jsonschema``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "message-file.schema.json"
MSGSPEC_DD = [sys.executable, "-m", "msgspec_dd"]

ARTICLES = {
    "description": "Reading list. 阅读清单。",
    "type": "array",
    "items": {"type": "object", "required": ["title", "url"],
              "properties": {"title": {"type": "string"}, "url": {"type": "string"},
                             "minutes": {"type": "integer", "minimum": 1}}},
    "examples": [[
        {"title": "钉钉机器人消息类型一览", "url": "https://example.com/a", "minutes": 8},
        {"title": "用 YAML 管理群通知", "url": "https://example.com/b", "minutes": 5},
        {"title": "速率限制与幂等重试", "url": "http://example.com/c", "minutes": 12},
    ]],
}
WEEK = {"type": "integer", "minimum": 1, "maximum": 53, "examples": [48]}
HOST = {"type": "string", "default": "王小明"}
PEOPLE = {
    "type": "array",
    "items": {"type": "object", "required": ["mobile"]},
    "examples": [[{"mobile": "13800138000", "on_duty": True}, {"mobile": "13900139000",
                                                               "on_duty": False}]],
}


def text_message(i: int) -> dict[str, Any]:
    return {
        "description": f"Stand-up reminder {i}",
        "vars": {"week": WEEK, "host": HOST, "people": PEOPLE},
        "message": {
            "msgtype": "text",
            "text": {"content": "第 {{ week }} 周站会，主持：{{ host }} "
                                "{% for p in people if p.on_duty %}@{{ p.mobile }} {% endfor %}"},
            "at": {"atMobiles": [{"$for": "p in people", "$if": "p.on_duty",
                                  "$value": "{{ p.mobile }}"}],
                   "isAtAll": False},
        },
    }


def link_message(i: int) -> dict[str, Any]:
    return {
        "vars": {"week": WEEK},
        "message": {
            "msgtype": "link",
            "link": {"title": f"Release {i} · week {{{{ week }}}}",
                     "text": "这个即将发布的新版本，创始人xx称它为红树林。",
                     "messageUrl": f"https://example.com/releases/{i}?week={{{{ week }}}}",
                     "picUrl": "https://img.alicdn.com/tfs/TB1NwmBEL9TBuNjy1zbXXXpepXa-2400-1218.png"},
        },
    }


def markdown_message(i: int) -> dict[str, Any]:
    return {
        "vars": {"week": WEEK, "host": HOST, "articles": ARTICLES},
        "message": {
            "msgtype": "markdown",
            "markdown": {
                "title": "杭州天气 {{ week }}",
                "text": (f"#### 周报 {i} @13800138000\n\n> {{{{ now.strftime('%Y-%m-%d') }}}} · "
                         "**{{ host }}**\n\n{% for a in articles %}- [{{ a.title }}]({{ a.url }})\n"
                         "{% endfor %}\n> ![cover](https://img.alicdn.com/cover.png)\n"),
            },
            "at": {"atMobiles": ["13800138000"], "isAtAll": False},
        },
    }


def action_card_single(i: int) -> dict[str, Any]:
    return {
        "vars": {"week": WEEK},
        "message": {
            "msgtype": "actionCard",
            "actionCard": {"title": f"Card {i}", "text": "### 第 {{ week }} 周\n\n点击阅读全文",
                           "btnOrientation": "0", "singleTitle": "阅读全文",
                           "singleURL": "https://www.dingtalk.com/?w={{ week }}"},
        },
    }


def action_card_multi(i: int) -> dict[str, Any]:
    return {
        "vars": {"week": WEEK, "articles": ARTICLES},
        "message": {
            "msgtype": "actionCard",
            "actionCard": {
                "title": f"第 {{{{ week }}}} 周学习周报 {i}",
                "text": "本周共 {{ articles | length }} 篇，"
                        "{{ articles | sum(attribute='minutes', start=0) }} 分钟。",
                "btnOrientation": "0",
                "btns": [{"$for": "a in articles", "$if": "a.url.startswith('https://')",
                          "title": "{{ a.title }}（{{ a.minutes }} 分钟）",
                          "actionURL": "{{ a.url }}"}],
            },
        },
    }


def feed_card(i: int) -> dict[str, Any]:
    return {
        "vars": {"articles": ARTICLES},
        "message": {
            "msgtype": "feedCard",
            "feedCard": {"links": [
                {"$for": "a in articles", "title": "{{ a.title }}", "messageURL": "{{ a.url }}",
                 "picURL": "{{ a.pic | default('https://example.com/cover.png') }}"},
                {"title": f"固定条目 {i}", "messageURL": "https://www.dingtalk.com/",
                 "picURL": "https://img.alicdn.com/tfs/TB1NwmBEL9TBuNjy1zbXXXpepXa.png"},
            ]},
        },
    }


KINDS: list[Callable[[int], dict[str, Any]]] = [
    text_message, link_message, markdown_message, action_card_single, action_card_multi, feed_card,
]


def generate(folder: Path, count: int) -> list[Path]:
    """``count`` message files, cycling through every kind; a third of them as JSON."""
    paths = []
    for i in range(count):
        data = KINDS[i % len(KINDS)](i)
        sub = folder / f"team{i % 10}"
        sub.mkdir(exist_ok=True)
        if (i // len(KINDS)) % 3 == 2:
            path = sub / f"m{i:04d}.json"
            path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            path = sub / f"m{i:04d}.yaml"
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")
        paths.append(path)
    return paths


def timed(command: Sequence[str], cwd: Path) -> tuple[float, float, int, str]:
    """Wall and CPU time of one whole process (its children included), exit code, stderr's tail."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_env())
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
    return elapsed, cpu, proc.returncode, said[-1] if said else ""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    return env


@dataclass
class Runs:
    """The samples of one command."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    #: The first non-zero exit code of the runs (0 when every run succeeded).
    code: int = 0
    tail: str = ""

    def add(self, command: Sequence[str], cwd: Path) -> None:
        wall, cpu, code, self.tail = timed(command, cwd)
        self.code = self.code or code  # the first failure is kept
        self.wall.append(wall)
        self.cpu.append(cpu)


def alternating(commands: Sequence[Sequence[str]], cwd: Path, runs: int) -> list[Runs]:
    """Run each command ``runs`` times, taking turns (after one uncounted warm-up run each)."""
    for command in commands:
        timed(command, cwd)  # warm the page cache and the bytecode cache, not counted
    results = [Runs() for _ in commands]
    for _ in range(runs):
        for command, result in zip(commands, results, strict=True):
            result.add(command, cwd)
    return results


def show(name: str, runs: Runs) -> None:
    """Print ``runs``; stop when the command failed, since its time would measure nothing."""
    spread = ", ".join(f"{s:.3f}" for s in runs.wall)
    print(f"  {name:<18} median {statistics.median(runs.wall):7.3f} s wall, "
          f"{statistics.median(runs.cpu):7.3f} s CPU   runs [{spread}] exit {runs.code}: {runs.tail}")
    if runs.code != 0:
        sys.exit(f"{name} exited {runs.code}: its time measures nothing, so no ratio is reported")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--startup-runs", type=int, default=10)
    args = parser.parse_args(argv)
    checker = shutil.which("check-jsonschema")
    if checker is None:
        sys.exit("check-jsonschema is not installed: pip install check-jsonschema")

    with tempfile.TemporaryDirectory(prefix="bench-lint-") as tmp:
        folder = Path(tmp)
        files = generate(folder, args.files)
        relative = [str(p.relative_to(folder)) for p in files]
        print(f"(a) lint {len(files)} message files ({len(KINDS)} kinds, templates, $for/$if, "
              f"typed variables with examples), median of {args.runs} alternating whole-process runs")
        ours, theirs = alternating([[*MSGSPEC_DD, "lint", "."],
                                    [checker, "--schemafile", str(SCHEMA), *relative]], folder, args.runs)
        show("msgspec-dd lint", ours)
        show("check-jsonschema", theirs)
        wall = statistics.median(theirs.wall) / statistics.median(ours.wall)
        cpu = statistics.median(theirs.cpu) / statistics.median(ours.cpu)
        print(f"  ratio: msgspec-dd is {wall:.2f}x as fast as check-jsonschema in wall time "
              f"(target >= 3x), {cpu:.2f}x in CPU time; "
              f"{1000 * statistics.median(ours.wall) / len(files):.2f} ms per file "
              f"vs {1000 * statistics.median(theirs.wall) / len(files):.2f} ms")

        print(f"(b) start-up: --version, median of {args.startup_runs} alternating runs")
        ours, theirs = alternating([[*MSGSPEC_DD, "--version"], [checker, "--version"]], folder,
                                   args.startup_runs)
        show("msgspec-dd", ours)
        show("check-jsonschema", theirs)
        ratio = statistics.median(ours.wall) / statistics.median(theirs.wall)
        print(f"  ratio: msgspec-dd takes {ratio:.2f}x the time of check-jsonschema (target <= 0.5x)")


if __name__ == "__main__":
    main()
