"""The write-ahead JSON Lines ledger."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from msgspec_dd.delivery.ledger import Entry, Ledger, message_identity
from msgspec_dd.delivery.results import Reply
from msgspec_dd.dingtalk.errcodes import Cause, Kind
from msgspec_dd.errors import DeliveryError, UsageError

OK = Reply(at=100.0, kind=Kind.OK, errcode=0, errmsg="ok", http_status=200)
TIMEOUT = Reply(at=101.0, kind=Kind.RETRYABLE, error="no answer within 10s (timeout)",
                no_answer=Cause.UNCERTAIN)
KEYWORDS = Reply(at=102.0, kind=Kind.PERMANENT, errcode=310000, errmsg="keywords not in content",
                 http_status=200)
TOO_FAST = Reply(at=103.0, kind=Kind.RATE_LIMITED, errcode=130101, errmsg="send too fast",
                 http_status=200)
REFUSED = Reply(at=104.0, kind=Kind.RETRYABLE, error="network error: ConnectionError",
                no_answer=Cause.UNSENT)


def clock() -> float:
    return 99.0


def reopen(path: Path) -> Ledger:
    return Ledger.open(path, clock=clock)


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_identity_depends_on_file_content_robot_and_variables_only() -> None:
    base = message_identity("m/a.yaml", "c1", "default", {"week": 48, "x": "y"})
    assert base == message_identity("m/a.yaml", "c1", "default", {"x": "y", "week": 48})
    others = {
        message_identity("m/b.yaml", "c1", "default", {"week": 48, "x": "y"}),
        message_identity("m/a.yaml", "c2", "default", {"week": 48, "x": "y"}),
        message_identity("m/a.yaml", "c1", "ops", {"week": 48, "x": "y"}),
        message_identity("m/a.yaml", "c1", "default", {"week": 49, "x": "y"}),
    }
    assert base not in others and len(others) == 4


def test_records_are_written_before_and_after_each_post(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = reopen(path)
    ledger.attempt("id1", "default", "u1", path="m/a.yaml")
    assert [r["event"] for r in records(path)] == ["attempt"]  # on disk before the POST
    ledger.outcome("sent", "id1", "default", "u1", OK)
    ledger.close()
    first, second = records(path)
    assert first == {"event": "attempt", "id": "id1", "robot": "default", "path": "m/a.yaml",
                     "msgUuid": "u1", "at": 99.0, "v": 2}
    assert second["event"] == "sent" and second["errcode"] == 0 and second["at"] == 100.0
    assert second["uncertain"] is False


def test_a_sent_message_is_known_as_sent_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = reopen(path)
    ledger.attempt("id1", "default", "u1", path=None)
    ledger.outcome("sent", "id1", "default", "u1", OK)
    ledger.close()
    entry = reopen_entry(path, "id1")
    assert entry.sent and entry.reusable_uuid is None
    assert reopen_entry(path, "unknown") == Entry()


def reopen_entry(path: Path, identity: str) -> Entry:
    ledger = reopen(path)
    try:
        return ledger.entry(identity)
    finally:
        ledger.close()


def test_an_attempt_without_outcome_gives_its_msguuid_back(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = reopen(path)
    ledger.attempt("id1", "default", "u1", path=None)
    ledger.close()  # as if killed during the POST
    entry = reopen_entry(path, "id1")
    assert not entry.sent and entry.open and entry.reusable_uuid == "u1"


def test_an_unknown_outcome_stays_reusable_even_after_a_later_refusal(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = reopen(path)
    ledger.attempt("id1", "default", "u1", path=None)
    ledger.outcome("retry", "id1", "default", "u1", TIMEOUT)
    ledger.attempt("id1", "default", "u1", path=None)
    ledger.outcome("failed", "id1", "default", "u1", KEYWORDS)
    ledger.close()
    assert reopen_entry(path, "id1").reusable_uuid == "u1"


def test_a_certain_refusal_is_sent_afresh_under_a_new_msguuid(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = reopen(path)
    ledger.attempt("id1", "default", "u1", path=None)
    ledger.outcome("failed", "id1", "default", "u1", KEYWORDS)
    ledger.close()
    entry = reopen_entry(path, "id1")
    assert not entry.sent and entry.reusable_uuid is None


def test_replies_and_rate_limit_answers_seed_the_pacer(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = reopen(path)
    for identity, reply in (("a", OK), ("b", TOO_FAST)):
        ledger.attempt(identity, "default", identity, path=None)
        ledger.outcome("failed" if reply.errcode else "sent", identity, "default", identity, reply)
    ledger.attempt("c", "ops", "c", path=None)  # cut off: counts from its attempt
    ledger.close()
    again = reopen(path)
    assert again.replies("default") == [100.0, 103.0]
    assert again.locks("default") == [103.0]
    assert again.replies("ops") == [99.0] and again.locks("ops") == []
    again.close()


def test_a_torn_last_line_is_dropped_and_appending_continues_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = reopen(path)
    ledger.attempt("id1", "default", "u1", path=None)
    ledger.outcome("sent", "id1", "default", "u1", OK)
    ledger.close()
    with path.open("ab") as handle:
        handle.write(b'{"event": "attempt", "id": "id2", "ro')
    ledger = reopen(path)
    assert ledger.entry("id2") == Entry() and ledger.entry("id1").sent
    ledger.attempt("id2", "default", "u2", path=None)
    ledger.close()
    assert [r["id"] for r in records(path)] == ["id1", "id1", "id2"]


def test_a_foreign_file_is_a_usage_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text('{"event": "attempt", "id": "x", "at": 1}\nhello\n{"x": 1}\n', "utf-8")
    with pytest.raises(UsageError, match=r"notes.txt:2: not a msgspec-dd ledger record"):
        Ledger.open(path)


def test_two_runs_cannot_share_a_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    first = reopen(path)
    try:
        with pytest.raises(UsageError, match="in use by another msgspec-dd send"):
            Ledger.open(path)
    finally:
        first.close()
    reopen(path).close()  # free again once closed


def test_an_unopenable_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot open the ledger"):
        Ledger.open(tmp_path / "missing-dir" / "ledger.jsonl")


def test_a_refused_connection_is_certain_and_not_counted_for_the_rate(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = reopen(path)
    ledger.attempt("id1", "default", "u1", path=None)
    ledger.outcome("failed", "id1", "default", "u1", REFUSED)
    ledger.close()
    (record,) = (r for r in records(path) if r["event"] == "failed")
    assert record["uncertain"] is False and record["posted"] is False
    again = reopen(path)
    assert again.entry("id1").reusable_uuid is None  # nothing arrived: a new msgUuid is safe
    assert again.replies("default") == []
    again.close()


def test_identity_of_mappings_with_mixed_key_types_never_raises_nor_collides() -> None:
    mixed = message_identity("m/a.yaml", "c1", "default", {"d": {1: "x", "a": "y"}})
    assert mixed == message_identity("m/a.yaml", "c1", "default", {"d": {"a": "y", 1: "x"}})
    others = {
        message_identity("m/a.yaml", "c1", "default", {"d": {"1": "x", "a": "y"}}),
        message_identity("m/a.yaml", "c1", "default", {"d": {True: "x", "a": "y"}}),
        message_identity("m/a.yaml", "c1", "default", {"d": [{1: "x", None: "y"}]}),
    }
    assert mixed not in others and len(others) == 3


def test_identity_of_string_keyed_variables_is_unchanged_by_key_canonicalisation() -> None:
    # Identities already in ledgers must stay the same, or a re-run would send again.
    document = ["m/a.yaml", "c1", "default", {"d": {"b": 1, "a": [2]}}]
    expected = hashlib.sha256(
        json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    assert message_identity("m/a.yaml", "c1", "default", {"d": {"b": 1, "a": [2]}}) == expected
    tagged_lookalike = message_identity("p", "c", "r", {"\0int:1": "x"})
    assert tagged_lookalike != message_identity("p", "c", "r", {1: "x"})


def test_a_fifo_is_a_usage_error_and_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "ledger.fifo"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match=r"ledger\.fifo: the ledger must be a regular file .* "
                                         r"not a FIFO"):
        reopen(fifo)


def test_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a directory"):
        reopen(tmp_path)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux's")
def test_a_device_is_a_usage_error_not_read_forever() -> None:
    with pytest.raises(UsageError, match=r"/dev/full: the ledger must be a regular file .* "
                                         r"not a device"):
        reopen(Path("/dev/full"))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux's")
def test_a_failed_write_is_a_delivery_error_and_closing_after_it_does_not_raise() -> None:
    # A ledger whose disk is full: /dev/full accepts the open and fails every write (ENOSPC).
    ledger = Ledger(Path("/dev/full"), open("/dev/full", "r+b"), clock=clock)  # noqa: SIM115
    with pytest.raises(DeliveryError, match=r"cannot write the ledger .*; stopped sending"):
        ledger.attempt("id1", "default", "u1", path="m/a.yaml")
    assert ledger.entry("id1") == Entry()  # nothing recorded, so nothing may be posted
    ledger.close()


def test_a_message_id_is_recorded_when_the_robot_returns_one(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = reopen(path)
    ledger.outcome("sent", "id1", "announce", "u1", replace(OK, message_id="pqk-1"))
    ledger.outcome("sent", "id2", "default", "u2", OK)
    ledger.close()
    first, second = records(path)
    assert first["messageId"] == "pqk-1" and "messageId" not in second
