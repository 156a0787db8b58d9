"""when: reading it, occurrences at an injected time, due and grace, words in English and Chinese."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from msgspec_dd.config import default_config
from msgspec_dd.errors import UsageError
from msgspec_dd.message_files.schedule import (
    Due,
    Schedule,
    WhenError,
    check_when,
    files_due,
    files_to_send,
    format_duration,
    parse_duration,
    read_at,
    read_when,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def weekly(grace: str | None = None, tz: ZoneInfo = SHANGHAI) -> Schedule:
    when: dict[str, str] = {"cron": "0 8 * * 5"}
    if grace:
        when["grace"] = grace
    return read_when({"when": when, "message": {}}, tz=tz)


def test_absent_when_is_change() -> None:
    schedule = read_when({"message": {}}, tz=SHANGHAI)
    assert schedule.kind == "change"
    assert schedule.latest_occurrence(datetime(2026, 12, 4, 8, tzinfo=SHANGHAI)) is None
    assert schedule.due_occurrence(datetime(2026, 12, 4, 8, tzinfo=SHANGHAI)) is None


def test_manual_and_change_are_read() -> None:
    assert read_when({"when": "manual"}, tz=SHANGHAI).kind == "manual"
    assert read_when({"when": "change"}, tz=SHANGHAI).kind == "change"


def test_cron_is_read_with_its_grace() -> None:
    schedule = read_when({"when": {"cron": ["0 8 * * 5", "0 9 * * 1"], "grace": "2h30m"}}, tz=SHANGHAI)
    assert schedule == Schedule("cron", ("0 8 * * 5", "0 9 * * 1"), timedelta(hours=2, minutes=30), SHANGHAI)


def test_grace_defaults_to_an_hour() -> None:
    assert weekly().grace == timedelta(hours=1)


def test_due_at_the_occurrence_and_within_grace() -> None:
    friday_8 = datetime(2026, 12, 4, 8, 0, tzinfo=SHANGHAI)  # a Friday
    schedule = weekly()
    assert schedule.latest_occurrence(friday_8) == friday_8
    assert schedule.due_occurrence(friday_8) == friday_8
    assert schedule.due_occurrence(friday_8 + timedelta(minutes=59, seconds=59)) == friday_8


def test_not_due_past_grace_or_before_the_occurrence() -> None:
    friday_8 = datetime(2026, 12, 4, 8, 0, tzinfo=SHANGHAI)
    assert weekly().due_occurrence(friday_8 + timedelta(hours=1)) is None
    assert weekly().latest_occurrence(friday_8 - timedelta(seconds=1)) == friday_8 - timedelta(days=7)
    assert weekly().due_occurrence(friday_8 - timedelta(seconds=1)) is None
    assert weekly("1d").due_occurrence(friday_8 + timedelta(hours=23)) == friday_8


def test_the_configured_timezone_decides_the_occurrence() -> None:
    # 00:30 UTC on Friday is 08:30 in Shanghai: due there; in New York it is still Thursday.
    at = datetime(2026, 12, 4, 0, 30, tzinfo=timezone.utc)
    assert weekly(tz=SHANGHAI).due_occurrence(at) == datetime(2026, 12, 4, 8, tzinfo=SHANGHAI)
    assert weekly(tz=NEW_YORK).due_occurrence(at) is None
    assert weekly(tz=NEW_YORK).latest_occurrence(at) == datetime(2026, 11, 27, 8, tzinfo=NEW_YORK)


def test_a_naive_time_is_read_in_the_configured_zone() -> None:
    assert weekly().due_occurrence(datetime(2026, 12, 4, 8, 30)) == datetime(2026, 12, 4, 8, tzinfo=SHANGHAI)
    assert read_at("2026-12-04T08:30", tz=SHANGHAI) == datetime(2026, 12, 4, 8, 30, tzinfo=SHANGHAI)
    assert read_at("2026-12-04T00:30+00:00", tz=SHANGHAI).utcoffset() == timedelta(0)
    assert read_at("2026-12-04T00:30Z", tz=SHANGHAI) == datetime(2026, 12, 4, 0, 30, tzinfo=timezone.utc)


def test_a_malformed_at_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not an ISO-8601 time"):
        read_at("next friday", tz=SHANGHAI)


def test_latest_of_several_crons() -> None:
    schedule = read_when({"when": {"cron": ["0 8 * * 5", "0 9 * * 1"]}}, tz=SHANGHAI)
    monday = datetime(2026, 12, 7, 9, 30, tzinfo=SHANGHAI)
    assert schedule.latest_occurrence(monday) == datetime(2026, 12, 7, 9, tzinfo=SHANGHAI)
    friday = datetime(2026, 12, 11, 8, 30, tzinfo=SHANGHAI)
    assert schedule.latest_occurrence(friday) == datetime(2026, 12, 11, 8, tzinfo=SHANGHAI)


def test_dst_gap_fires_when_the_clock_jumps_like_cron() -> None:
    # 2026-03-08 02:30 does not exist in New York; cron runs the job at 03:00 instead.
    daily = read_when({"when": {"cron": "30 2 * * *"}}, tz=NEW_YORK)
    before = datetime(2026, 3, 8, 1, 59, tzinfo=NEW_YORK)
    assert daily.latest_occurrence(before) == datetime(2026, 3, 7, 2, 30, tzinfo=NEW_YORK)
    occurrence = datetime(2026, 3, 8, 3, 0, tzinfo=NEW_YORK)
    assert daily.due_occurrence(datetime(2026, 3, 8, 3, 59, tzinfo=NEW_YORK)) == occurrence
    assert daily.due_occurrence(datetime(2026, 3, 8, 4, 0, tzinfo=NEW_YORK)) is None


def test_grace_counts_real_time_across_a_dst_change() -> None:
    # Fall back on 2026-11-01: 01:00-02:00 happens twice, so 23:30 -> 01:30 (second) is 3 real hours.
    nightly = read_when({"when": {"cron": "30 23 * * *", "grace": "2h30m"}}, tz=NEW_YORK)
    occurrence = datetime(2026, 10, 31, 23, 30, tzinfo=NEW_YORK)
    first, second = (datetime(2026, 11, 1, 1, 30, fold=fold, tzinfo=NEW_YORK) for fold in (0, 1))
    assert nightly.latest_occurrence(second) == occurrence
    assert nightly.due_occurrence(first) == occurrence  # 2 real hours after it
    assert nightly.due_occurrence(second) is None  # 3 real hours after it
    almost = occurrence.astimezone(timezone.utc) + timedelta(hours=2, minutes=29)
    assert nightly.due_occurrence(almost) == occurrence
    assert nightly.due_occurrence(almost + timedelta(minutes=1)) is None


def test_describe_in_english_and_chinese() -> None:
    schedule = weekly("2h")
    assert schedule.describe() == "At 08:00, only on Friday (Asia/Shanghai), grace 2h"
    assert schedule.describe("zh") == "在 08:00, 仅在 星期五（Asia/Shanghai），宽限 2h"
    assert read_when({"when": "manual"}, tz=SHANGHAI).describe("zh") == "仅在命令行指定该文件时发送"


def test_chinese_words_name_months_in_chinese() -> None:
    words = read_when({"when": {"cron": "0 9 1 1 *"}}, tz=SHANGHAI).describe("zh")
    assert "1月" in words
    assert not any(name in words for name in ("January", "Monday"))


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("1h", 3600), ("2h30m", 9000), ("1d", 86400),
                                               ("45s", 45)])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)
    assert format_duration(timedelta(seconds=seconds)) == text


@pytest.mark.parametrize("text", ["", "1", "1x", "h1", "1m1h", "0m", "99999999d", 3600])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError, match="grace"):
        parse_duration(text)


@pytest.mark.parametrize(("when", "path", "words"), [
    ("weekly", ("when",), "unknown when 'weekly'"),
    (5, ("when",), "change, manual, or a mapping"),
    ({"grace": "1h"}, ("when",), "needs cron"),
    ({"cron": []}, ("when", "cron"), "non-empty list"),
    ({"cron": ["0 8 * * 5", 8]}, ("when", "cron", 1), "quoted string"),
    ({"cron": "0 8 30 2 *"}, ("when", "cron"), "never fires"),
    ({"cron": "0 8 * * 5 2026"}, ("when", "cron"), "has 6 fields"),
    ({"cron": "0 25 * * *"}, ("when", "cron"), "bad hour"),
    ({"cron": "0 8 * * 5", "grace": "soon"}, ("when", "grace"), "not a duration"),
])
def test_invalid_when_is_located(when: object, path: tuple[object, ...], words: str) -> None:
    [issue] = check_when({"when": when})
    assert issue.path == path
    assert words in issue.message
    with pytest.raises(WhenError):
        read_when({"when": when}, tz=SHANGHAI)


def write(path: Path, when: str | None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f"when: {when}\n" if when else ""
    path.write_text(line + "message: {msgtype: text, text: {content: hi}}\n", encoding="utf-8")
    return path


def test_a_directory_gives_its_change_files_and_names_the_others(tmp_path: Path) -> None:
    news = write(tmp_path / "m" / "news.yaml", None)
    fix = write(tmp_path / "m" / "sub" / "fix.yaml", "change")
    weekly_file = write(tmp_path / "m" / "weekly.yaml", "{cron: '0 8 * * 5'}")
    hand = write(tmp_path / "m" / "hand.yaml", "manual")
    broken = write(tmp_path / "m" / "broken.yaml", "sometimes")
    selection = files_to_send([tmp_path / "m"], tz=SHANGHAI)
    assert selection.files == (broken, news, fix)
    assert [path for path, _ in selection.held] == [hand, weekly_file]
    notes = selection.notes()
    assert notes[0] == f"not sent: {hand} is when: manual (name the file to send it)"
    assert notes[1].startswith(f"not sent: {weekly_file} is when: cron (At 08:00, only on Friday")


def test_a_file_named_explicitly_is_taken_whatever_its_when(tmp_path: Path) -> None:
    weekly_file = write(tmp_path / "m" / "weekly.yaml", "{cron: '0 8 * * 5'}")
    selection = files_to_send([weekly_file, tmp_path / "m"], tz=SHANGHAI)
    assert selection.files == (weekly_file,)
    assert selection.held == ()


def test_files_due_are_the_scheduled_files_within_grace(tmp_path: Path) -> None:
    config = dataclasses.replace(default_config(), timezone="Asia/Shanghai")
    weekly_file = write(tmp_path / "m" / "weekly.yaml", "{cron: '0 8 * * 5', grace: 2h}")
    write(tmp_path / "m" / "daily.yaml", "{cron: '0 7 * * *'}")  # 07:00 is over an hour ago at 09:30
    write(tmp_path / "m" / "news.yaml", None)
    write(tmp_path / "m" / "hand.yaml", "manual")
    broken = write(tmp_path / "m" / "broken.yaml", "{cron: '0 8 30 2 *'}")
    at = datetime(2026, 12, 4, 9, 30)  # a Friday, read in Asia/Shanghai
    due, unreadable = files_due([tmp_path / "m"], config, at=at)
    assert due == [Due(weekly_file, weekly("2h"), datetime(2026, 12, 4, 8, tzinfo=SHANGHAI))]
    assert unreadable == [broken]
    assert files_due([tmp_path / "m"], config, at=at + timedelta(hours=1))[0] == []
