"""The action's in-process send: one rendering, posted and returned; the CLI's document and errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from msgspec_dd.action.inputs import ActionInputs
from msgspec_dd.action.send import send_batch
from msgspec_dd.config import default_config
from msgspec_dd.sandbox import SandboxServer, SandboxSettings

TOKEN = "5a1f" * 16
SECRET = "SEC" + "c0de" * 16
NOW = "message:\n  msgtype: text\n  text:\n    content: 'at {{ now.isoformat() }}'\n"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings(token=TOKEN, secret=SECRET)) as server:
        yield server


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for path in paths:
        path.write_text(NOW, encoding="utf-8")
    return paths


def test_the_bodies_returned_are_the_bodies_posted(files: list[Path], sandbox: SandboxServer
                                                   ) -> None:
    lines: list[str] = []
    environ = {"DINGTALK_WEBHOOK": sandbox.url, "DINGTALK_SECRET": SECRET}

    outcome = send_batch(files, inputs=ActionInputs(command="send"), config=default_config(),
                         environ=environ, progress=lines.append)

    assert outcome.code == 0 and outcome.stopped == ()
    posted = [{k: v for k, v in body.items() if k != "msgUuid"} for body in sandbox.messages]
    assert [dict(m.payload) for m in outcome.messages] == posted
    assert outcome.document["counts"] == {"sent": 2, "skipped": 0, "failed": 0}
    assert [r["msgUuid"] for r in outcome.document["results"]] == [
        body["msgUuid"] for body in sandbox.messages]
    assert "sending 2 messages to 1 robot: default" in lines


def test_a_dry_run_posts_nothing_and_notes_an_unset_webhook(files: list[Path],
                                                            sandbox: SandboxServer) -> None:
    lines: list[str] = []

    outcome = send_batch(files, inputs=ActionInputs(command="send", dry_run=True),
                         config=default_config(), environ={}, progress=lines.append)

    assert outcome.code == 0
    assert sandbox.requests == 0
    assert [m["payload"] for m in outcome.document["messages"]] == [
        m.payload for m in outcome.messages]
    assert lines == ["note: environment variable DINGTALK_WEBHOOK (robot default) is not set; "
                     "a real send would stop there"]


def test_a_missing_webhook_stops_before_any_post(files: list[Path], sandbox: SandboxServer
                                                 ) -> None:
    outcome = send_batch(files, inputs=ActionInputs(command="send"), config=default_config(),
                         environ={}, progress=lambda line: None)

    assert (outcome.code, outcome.document, outcome.messages) == (2, {}, ())
    [line] = outcome.stopped
    assert line.startswith("msgspec-dd: robot 'default': environment variable DINGTALK_WEBHOOK")
    assert sandbox.requests == 0


def test_a_failed_post_is_code_1_and_hides_the_credentials(files: list[Path],
                                                          sandbox: SandboxServer) -> None:
    wrong = "SEC" + "e5" * 32
    environ = {"DINGTALK_WEBHOOK": sandbox.url, "DINGTALK_SECRET": wrong}

    outcome = send_batch(files[:1], inputs=ActionInputs(command="send"), config=default_config(),
                         environ=environ, progress=lambda line: None)

    assert outcome.code == 1
    assert outcome.document["counts"]["failed"] == 1
    text = str(outcome.document)
    assert TOKEN not in text and wrong not in text and SECRET not in text
