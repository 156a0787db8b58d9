"""Shell completion, as the README documents it: click's, through the real entry point."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def _complete(words: str, cword: int, shell: str = "bash") -> str:
    script = shutil.which("msgspec-dd")
    assert script is not None, "the msgspec-dd script is installed with the package"
    env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(cword),
           "_MSGSPEC_DD_COMPLETE": f"{shell}_complete"}
    return subprocess.run([script], env=env, capture_output=True, text=True, timeout=30).stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_documented_shell_gets_a_completion_script(shell: str) -> None:
    script = shutil.which("msgspec-dd")
    assert script is not None
    env = {**os.environ, "_MSGSPEC_DD_COMPLETE": f"{shell}_source"}
    out = subprocess.run([script], env=env, capture_output=True, text=True, timeout=30).stdout
    assert "_MSGSPEC_DD_COMPLETE" in out


def test_commands_and_options_complete() -> None:
    assert "send" in _complete("msgspec-dd se", 1).splitlines()[0]
    assert "--dry-run" in _complete("msgspec-dd send --dry", 2)
