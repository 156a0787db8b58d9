"""Fixtures the Action's tests share: a sandbox robot with the runner's credentials, and the
runner's scratch folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from msgspec_dd.sandbox import SandboxServer, SandboxSettings
from tests.action.test_sim import SECRET, TOKEN


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings(token=TOKEN, secret=SECRET)) as server:
        yield server


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    return tmp_path / "runner"
