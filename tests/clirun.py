"""Running the real CLI as users do: a subprocess with real exit codes and streams."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(args: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> Run:
    """Run ``python -m msgspec_dd ARGS`` as users do: a real process, real exit code and streams."""
    proc = subprocess.run(
        [sys.executable, "-m", "msgspec_dd", *args],
        cwd=cwd or ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)
