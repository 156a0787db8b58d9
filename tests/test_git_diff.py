"""The one git runner (``git_diff.Git``), run on real git: its errors never carry a credential."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.git_diff import Git, GitError


def test_a_failing_git_command_is_told_in_gits_words_with_credentials_hidden(tmp_path: Path) -> None:
    token = "0123456789abcdef" * 4  # shaped like an access token, as a remote's path may hold one
    with pytest.raises(GitError) as caught:
        Git(tmp_path)("ls-remote", str(tmp_path / token))
    message = str(caught.value)
    assert message.startswith("git ls-remote failed: ") and "does not appear to be a git repository" in message
    assert token not in message and "***" in message
