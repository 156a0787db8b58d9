"""The ledger's recall records and message ids: what ``recall`` and ``status`` read, and records
this version does not know (a later version's) skipped rather than refused."""

from __future__ import annotations

import json
from pathlib import Path

from msgspec_dd.delivery.ledger import Entry, Ledger
from msgspec_dd.delivery.results import Reply
from msgspec_dd.dingtalk.errcodes import Kind


def sent(ledger: Ledger, identity: str, key: str | None, at: float = 1.0) -> None:
    ledger.attempt(identity, "announce", f"u-{key}", path="m/a.yaml")
    ledger.outcome("sent", identity, "announce", f"u-{key}", Reply(at, Kind.OK, message_id=key))


def test_the_latest_send_gives_the_message_id_also_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    ledger = Ledger.open(path)
    sent(ledger, "id1", "pqk-1")
    sent(ledger, "id1", "pqk-2", at=2.0)
    sent(ledger, "id2", None)
    assert (ledger.message_id("id1"), ledger.message_id("id2"), ledger.message_id("x")) == (
        "pqk-2", None, None)
    ledger.close()
    again = Ledger.open(path)
    assert again.message_id("id1") == "pqk-2"
    again.close()


def test_a_recall_is_recorded_and_changes_nothing_send_reads(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    ledger = Ledger.open(path)
    sent(ledger, "id1", "pqk-1")
    before = ledger.entry("id1")
    ledger.recall("id1", "announce", "pqk-1", recalled=False, reason="message already recalled")
    assert ledger.entry("id1") == before
    ledger.close()
    record = json.loads(path.read_text().splitlines()[-1])
    assert {k: v for k, v in record.items() if k != "at"} == {
        "event": "recall", "id": "id1", "robot": "announce", "messageId": "pqk-1",
        "recalled": False, "reason": "message already recalled", "v": 2}
    again = Ledger.open(path)
    assert again.entry("id1") == Entry(sent=True, msg_uuid="u-pqk-1")
    again.close()


def test_a_record_of_a_later_version_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    path.write_text('{"event": "attempt", "id": "id1", "robot": "r", "msgUuid": "u", "at": 1}\n'
                    '{"event": "reminded", "id": "id1", "robot": "r", "at": 2}\n'
                    '{"event": "sent", "id": "id1", "robot": "r", "msgUuid": "u", "at": 3}\n', "utf-8")
    ledger = Ledger.open(path)
    assert ledger.entry("id1") == Entry(sent=True, msg_uuid="u")
    assert ledger.replies("r") == [3.0]
    ledger.close()
