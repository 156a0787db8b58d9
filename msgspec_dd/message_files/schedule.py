"""When a message goes out: a file's ``when:`` read into a :class:`Schedule`.

- ``change`` (the default): an announcement, sent when a push adds or modifies it, or when named.
- ``manual``: only when named on the command line as a file.
- ``{cron: EXPR | [EXPR...], grace: DURATION}``: a scheduled message. Each ``cron`` is a standard
  5-field expression in the configured timezone; ``grace`` (default ``1h``) is how long after an
  occurrence ``send --due`` may still send it (GitHub's scheduled jobs are often late).

Occurrences come from cronsim (Debian cron's rules, daylight-saving gaps included) and the words
from cron-descriptor; both are imported only when a schedule is used (CLI start-up time).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Literal

from msgspec_dd.config import Config
from msgspec_dd.errors import UsageError
from msgspec_dd.message_files import built_ins
from msgspec_dd.message_files.discovery import discover
from msgspec_dd.message_files.loader import LoadError, PathT, load_document

Kind = Literal["change", "manual", "cron"]
Language = Literal["en", "zh"]

DEFAULT_GRACE = timedelta(hours=1)
#: ``30m``, ``1h``, ``2h30m``, ``1d``: units largest first, each at most once.
_DURATION = re.compile(r"(?:([0-9]{1,5})d)?(?:([0-9]{1,5})h)?(?:([0-9]{1,5})m)?(?:([0-9]{1,5})s)?")
_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))
_KINDS = ("change", "manual")
#: Where ``--changed-since`` (and ``--due``) look when no path is given.
DEFAULT_PATHS = (Path("messages"),)


@dataclass(frozen=True)
class WhenIssue:
    """What is wrong with a ``when`` and where: ``path`` is inside the file (``("when", "cron", 1)``)."""

    message: str
    path: PathT = ("when",)
    key: bool = False  # the issue is the key at ``path`` itself (an unknown key), not its value


class WhenError(ValueError):
    """A ``when`` that cannot be read; ``issues`` say what and where."""

    def __init__(self, issues: Sequence[WhenIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(issue.message for issue in self.issues))


@dataclass(frozen=True)
class Schedule:
    """A file's ``when``. Occurrences are in ``tz``; a naive ``at`` is read in ``tz`` too."""

    kind: Kind = "change"
    crons: tuple[str, ...] = ()
    grace: timedelta = DEFAULT_GRACE
    tz: tzinfo = timezone.utc

    def latest_occurrence(self, at: datetime) -> datetime | None:
        """The latest occurrence at or before ``at`` (None for ``change``/``manual``)."""
        moments = [_latest(cron, self._local(at)) for cron in self.crons]
        return max((m for m in moments if m is not None), default=None, key=_utc)

    def due_occurrence(self, at: datetime) -> datetime | None:
        """The occurrence ``send --due`` at ``at`` sends: the latest one, when less than ``grace`` ago."""
        latest = self.latest_occurrence(at)
        if latest is None or _utc(self._local(at)) - _utc(latest) >= self.grace:
            return None
        return latest

    def describe(self, language: Language = "en") -> str:
        """The schedule in words, in English (``en``) or Chinese (``zh``)."""
        if self.kind != "cron":
            return _KIND_WORDS[self.kind][language]
        words = ("; " if language == "en" else "；").join(describe_cron(c, language) for c in self.crons)
        grace = format_duration(self.grace)
        if language == "zh":
            return f"{words}（{self.tz}），宽限 {grace}"
        return f"{words} ({self.tz}), grace {grace}"

    def _local(self, at: datetime) -> datetime:
        return at.replace(tzinfo=self.tz) if at.tzinfo is None else at.astimezone(self.tz)


_KIND_WORDS: dict[str, dict[Language, str]] = {
    "change": {"en": "sent when a push adds or changes it", "zh": "新增或修改后推送时发送"},
    "manual": {"en": "sent only when named on the command line", "zh": "仅在命令行指定该文件时发送"},
}


def _utc(moment: datetime) -> datetime:
    # Subtracting two datetimes that share a tzinfo ignores their offsets: compare in UTC.
    return moment.astimezone(timezone.utc)


# -- reading ``when`` -----------------------------------------------------------------------------

def read_when(data: Any, *, tz: tzinfo) -> Schedule:
    """The ``when`` of a parsed message file (``change`` when absent); WhenError when invalid."""
    issues = check_when(data)
    if issues:
        raise WhenError(issues)
    value = data.get("when", "change") if isinstance(data, Mapping) else "change"
    if isinstance(value, str):
        return Schedule(kind=value, tz=tz)  # type: ignore[arg-type]  # checked above
    crons = value["cron"]
    grace = parse_duration(value["grace"]) if "grace" in value else DEFAULT_GRACE
    return Schedule("cron", tuple([crons] if isinstance(crons, str) else crons), grace, tz)


def check_when(data: Any) -> list[WhenIssue]:
    """Everything wrong with a file's ``when`` (none when it is absent)."""
    if not isinstance(data, Mapping) or "when" not in data:
        return []
    value = data["when"]
    if isinstance(value, str):
        if value in _KINDS:
            return []
        return [WhenIssue(f"unknown when {value!r}; write change, manual, or a mapping with cron:")]
    if not isinstance(value, Mapping):
        return [WhenIssue("when is change, manual, or a mapping such as {cron: \"0 8 * * 5\", grace: 1h}")]
    return _mapping_issues(value)


def _mapping_issues(value: Mapping[Any, Any]) -> list[WhenIssue]:
    issues = [WhenIssue(f"unknown key {key!r} in when (it takes cron and grace)", ("when", key), key=True)
              for key in value if key not in ("cron", "grace")]
    if "cron" not in value:
        issues.append(WhenIssue("a scheduled when needs cron:, such as cron: \"0 8 * * 5\""))
    else:
        issues.extend(_cron_issues(value["cron"]))
    if "grace" in value:
        issues.extend(_grace_issues(value["grace"]))
    return issues


def _cron_issues(crons: Any) -> list[WhenIssue]:
    if isinstance(crons, str):
        return _one_cron_issues(crons, ("when", "cron"))
    if not isinstance(crons, list) or not crons:
        return [WhenIssue("cron is a cron expression or a non-empty list of them", ("when", "cron"))]
    issues: list[WhenIssue] = []
    for index, cron in enumerate(crons):
        issues.extend(_one_cron_issues(cron, ("when", "cron", index)))
    return issues


def _one_cron_issues(cron: Any, path: PathT) -> list[WhenIssue]:
    if not isinstance(cron, str):
        return [WhenIssue("a cron expression is a quoted string such as \"0 8 * * 5\"", path)]
    problem = cron_problem(cron)
    return [WhenIssue(problem, path)] if problem else []


def _grace_issues(grace: Any) -> list[WhenIssue]:
    try:
        parse_duration(grace)
    except ValueError as err:
        return [WhenIssue(str(err), ("when", "grace"))]
    return []


def cron_problem(cron: str) -> str | None:
    """Why ``cron`` is not a usable 5-field expression, or None when it is."""
    from cronsim import CronSim, CronSimError

    fields = cron.split()
    if len(fields) != 5:
        return (f"cron {cron!r} has {len(fields)} fields; write the 5 fields minute hour day month "
                "weekday, such as \"0 8 * * 5\"")
    start = datetime(2000, 1, 1, tzinfo=timezone.utc)
    try:
        next(iter(CronSim(cron, start)))
    except CronSimError as err:
        if "day-of-month" in str(err) and not _has_bad_day_syntax(fields[2]):
            return f"cron {cron!r} never fires: no month it allows has that day; check the day and month"
        return f"invalid cron {cron!r}: {str(err).lower()}; see `man 5 crontab` for the syntax"
    except StopIteration:
        return f"cron {cron!r} never fires; check the day, month and weekday fields"
    return None


def _has_bad_day_syntax(field: str) -> bool:
    """True when the day-of-month field is malformed, not merely impossible (``30`` in February)."""
    from cronsim import CronSimError
    from cronsim.cronsim import Field

    try:
        Field.DAY.parse(field.upper())
    except CronSimError:
        return True
    return False


def parse_duration(value: Any) -> timedelta:
    """``30m``, ``1h``, ``2h30m``, ``1d`` as a timedelta; ValueError saying how to write it."""
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if match is None or not any(match.groups()):
        raise ValueError(f"grace {value!r} is not a duration; write it like 30m, 1h, 2h30m or 1d")
    seconds = sum(int(amount) * size for amount, (_, size) in zip(match.groups(), _UNITS, strict=True)
                  if amount)
    if seconds == 0:
        raise ValueError("grace 0 means the message is never due; give a duration such as 1h")
    return timedelta(seconds=seconds)


def format_duration(duration: timedelta) -> str:
    """A timedelta written the way ``grace`` is (``2h30m``)."""
    rest = int(duration.total_seconds())
    parts: list[str] = []
    for unit, size in _UNITS:
        amount, rest = divmod(rest, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"


# -- occurrences ----------------------------------------------------------------------------------

def _latest(cron: str, at: datetime) -> datetime | None:
    from cronsim import CronSim

    # cronsim's reverse iteration yields matches strictly before its start, one second past ``at``.
    start = at.replace(microsecond=0) + timedelta(seconds=1)
    return next(iter(CronSim(cron, start, reverse=True)), None)


# -- words ----------------------------------------------------------------------------------------

#: cron-descriptor takes day and month names from ``calendar``, i.e. the process locale (English
#: in the C locale Python starts with), even for zh_CN: those names are translated here.
_ZH_NAMES = {
    **dict(zip(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
               ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"), strict=True)),
    **dict(zip(("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"),
               [f"{n}月" for n in range(1, 13)], strict=True)),
}
_ZH_NAME = re.compile("|".join(_ZH_NAMES))


def describe_cron(cron: str, language: Language = "en") -> str:
    """One cron expression in words (24-hour times)."""
    from cron_descriptor import ExpressionDescriptor, Options

    options = Options()
    options.locale_code = "zh_CN" if language == "zh" else "en_US"
    options.use_24hour_time_format = True
    try:
        words = str(ExpressionDescriptor(cron, options).get_description())
    except Exception:  # noqa: BLE001  # words are a courtesy: cronsim, not this, decides validity
        return cron
    if language == "zh":
        words = _ZH_NAME.sub(lambda m: _ZH_NAMES[m.group(0)], words)
    return words


# -- which files a send takes ---------------------------------------------------------------------

@dataclass(frozen=True)
class SendSelection:
    """The files a send takes, and the files it leaves to their schedule or to a person."""

    files: tuple[Path, ...]
    held: tuple[tuple[Path, Schedule], ...] = ()
    nothing: str = "no message files found; nothing to send"  # what to say when ``files`` is empty

    def notes(self) -> list[str]:
        """One line per file left out, saying why (for stderr or a summary)."""
        return [f"not sent: {path} is when: {schedule.kind}" + _held_reason(schedule)
                for path, schedule in self.held]

    def summary_lines(self, display: Callable[[Path], str] = str) -> list[str]:
        """Markdown lines for a job summary: each file left out and when it goes out, in English
        and Chinese (``display`` turns a path into what the reader should see)."""
        return [f"`{display(path)}` waits: {schedule.describe()} / {schedule.describe('zh')}"
                if schedule.kind == "cron" else
                f"`{display(path)}` is when: manual, sent only when named / {schedule.describe('zh')}"
                for path, schedule in self.held]


def select_for_send(paths: Sequence[Path], config: Config, *, changed_since: str | None = None,
                    cwd: Path | None = None) -> SendSelection:
    """The files ``send PATH... [--changed-since REF]`` takes (see :func:`files_to_send` and
    :func:`files_changed_since`); ``--changed-since`` looks under ``messages/`` by default."""
    tz = built_ins.configured_timezone(config)
    if changed_since is not None:
        roots = list(paths) or list(DEFAULT_PATHS)
        return files_changed_since(changed_since, roots, tz=tz, cwd=cwd or _git_cwd(roots))
    if not paths:
        raise UsageError("send needs a PATH (a message file or folder), or --changed-since REF")
    return files_to_send(paths, tz=tz)


def hold_back(files: Sequence[Path], config: Config, *, named: Sequence[Path] = ()) -> SendSelection:
    """``files`` (already chosen, such as the Action's changed files) less their scheduled and
    manual ones; a file in ``named`` was named explicitly and stays whatever its ``when``."""
    explicit = {path.resolve() for path in named if path.is_file()}
    tz = built_ins.configured_timezone(config)
    taken, held = split_by_when([f for f in files if f.resolve() not in explicit], tz=tz)
    kept = set(taken) | {f for f in files if f.resolve() in explicit}
    return SendSelection(tuple(f for f in files if f in kept), tuple(held))


def _git_cwd(roots: Sequence[Path]) -> Path:
    """Where to ask git: the first existing root's folder, so a job run from $HOME finds the repo."""
    for root in roots:
        if root.exists():
            return root if root.is_dir() else root.parent
    return Path.cwd()


def _held_reason(schedule: Schedule) -> str:
    if schedule.kind == "manual":
        return " (name the file to send it)"
    return f" ({schedule.describe()}; send --due sends it, or name the file)"


def files_to_send(paths: Sequence[Path], *, tz: tzinfo) -> SendSelection:
    """The message files ``send PATH...`` takes: every file named, and from each directory its
    ``when: change`` files. A file whose ``when`` cannot be read is taken, so send reports it."""
    files: list[Path] = []
    held: list[tuple[Path, Schedule]] = []
    for path in paths:
        if path.is_dir():
            taken, left = split_by_when(discover([path]), tz=tz)
            files.extend(taken)
            held.extend(left)
        else:
            files.append(path)
    taken = discover(files)
    named = {file.resolve() for file in taken}  # also in a directory: it is sent, not held
    where = ", ".join(map(str, paths))
    nothing = (f"no message file in {where} is sent on change; nothing to send" if held
               else f"no message files found in {where}; nothing to send")
    return SendSelection(tuple(taken), tuple((f, s) for f, s in held if f.resolve() not in named), nothing)


def split_by_when(files: Iterable[Path], *, tz: tzinfo) -> tuple[list[Path], list[tuple[Path, Schedule]]]:
    """``files`` split into those that are ``when: change`` (or unreadable) and the others."""
    taken: list[Path] = []
    held: list[tuple[Path, Schedule]] = []
    for file in files:
        schedule = schedule_of(file, tz=tz)
        if schedule is None or schedule.kind == "change":
            taken.append(file)
        else:
            held.append((file, schedule))
    return taken, held


def schedule_of(file: Path, *, tz: tzinfo) -> Schedule | None:
    """The schedule of the message file ``file``; None when it cannot be read (send says why)."""
    try:
        return read_when(load_document(file).data, tz=tz)
    except (LoadError, WhenError):
        return None


def files_changed_since(ref: str, paths: Sequence[Path], *, tz: tzinfo, cwd: Path) -> SendSelection:
    """``send --changed-since REF``: the ``when: change`` message files under ``paths`` that git
    shows as added or modified between ``REF`` and ``HEAD`` (see :mod:`msgspec_dd.git_diff`)."""
    from msgspec_dd.git_diff import changes_since

    changes = changes_since(ref, cwd)
    roots = [path.resolve() for path in paths]
    changed = changes.changed(roots)
    candidates = [file for file in discover(p for p in paths if p.exists()) if file.resolve() in changed]
    taken, held = split_by_when(candidates, tz=tz)
    where = ", ".join(map(str, paths))
    nothing = f"no when: change message file in {where} changed since {ref}; nothing to send"
    return SendSelection(tuple(taken), tuple(held), nothing)


@dataclass(frozen=True)
class Due:
    """A scheduled file that ``send --due`` sends, for ``occurrence`` (also its ``now``)."""

    path: Path
    schedule: Schedule
    occurrence: datetime


def files_due(paths: Sequence[Path], config: Config, *, at: datetime,
              files: Sequence[Path] | None = None) -> tuple[list[Due], list[Path]]:
    """``send --due``: the scheduled files under ``paths`` (default ``messages/``) whose latest
    occurrence at or before ``at`` is less than ``grace`` ago, and the files whose ``when`` could
    not be read (to report: they would otherwise never be sent). The ledger, not this, knows
    which occurrences were already sent. ``files``: the message files under ``paths``, when the
    caller has discovered them already."""
    tz = built_ins.configured_timezone(config)
    due: list[Due] = []
    unreadable: list[Path] = []
    for file in discover(list(paths) or list(DEFAULT_PATHS)) if files is None else files:
        schedule = schedule_of(file, tz=tz)
        if schedule is None:
            unreadable.append(file)
            continue
        occurrence = schedule.due_occurrence(at)
        if occurrence is not None:
            due.append(Due(file, schedule, occurrence))
    return due, unreadable


def read_at(text: str, *, tz: tzinfo) -> datetime:
    """``--at ISO-8601``: without an offset the time is read in ``tz``; UsageError when malformed."""
    try:
        # Python 3.10's fromisoformat does not read the common "Z" suffix.
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError as err:
        raise UsageError(f"--at {text!r} is not an ISO-8601 time; write it like 2026-12-04T08:05 "
                         "or 2026-12-04T08:05+08:00") from err
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment
