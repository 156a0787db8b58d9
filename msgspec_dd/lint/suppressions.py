"""``# msgspec-dd: disable=RULE[,RULE]`` comments in a message file, as yamllint's comments work.

- at the end of a line, ``disable=`` silences those rules on that line (and, when the line starts
  a string that spans several lines, such as ``text: |``, on all of its lines);
- alone on a line, ``disable=`` applies to the next line that is not a comment;
- ``disable-file=`` on a comment line silences those rules in the whole file.

PyYAML drops comments, so they are found in the raw text; a ``#`` inside a string (quoted, plain
or a block) is not a comment, which the scanner's string tokens tell apart. A comment that names
an unknown rule, a rule ``send`` enforces, or no ``disable``/``disable-file`` at all is reported
as a ``rule-setting`` warning at the spot.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from msgspec_dd.lint import levels
from msgspec_dd.lint.rules import rule_setting
from msgspec_dd.message_files.loader import Document, line_starts
from msgspec_dd.problems import Problem

MARKER = "msgspec-dd:"
#: A comment starts a line or follows a blank; the directive's body runs to the end of the line.
#: Zero-width, so a '#' inside a string does not hide a real comment later on its line.
_COMMENT = re.compile(r"(?:^|(?<=[ \t]))(?=#[ \t]*msgspec-dd:[ \t]*(?P<body>[^\n]*))", re.MULTILINE)
_DIRECTIVE = re.compile(r"(?P<kind>disable(?:-file)?)[ \t]*=[ \t]*(?P<rules>\S*)")
_Scanner: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Suppressions:
    """Which rules the comments of one file silence, by line and for the whole file."""

    lines: Mapping[int, frozenset[str]] = field(default_factory=dict)
    file: frozenset[str] = frozenset()
    #: ``rule-setting`` warnings about the comments themselves.
    problems: tuple[Problem, ...] = ()

    def silences(self, problem: Problem) -> bool:
        """True when a comment silences ``problem`` (a rule send enforces is never silenced)."""
        if problem.rule in levels.ENFORCED:
            return False
        return problem.rule in self.file or problem.rule in self.lines.get(problem.line, ())


NONE = Suppressions()


def read(document: Document) -> Suppressions:
    """The suppressions written in ``document``'s comments (JSON has no comments)."""
    if MARKER not in document.text or document.path.lower().endswith(".json"):
        return NONE
    return _Reader(document).read()


@dataclass
class _Comment:
    """One ``# msgspec-dd:`` comment: where it is and what it says."""

    offset: int
    body: str
    body_offset: int


class _Reader:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.text = document.text
        self.starts = line_starts(self.text)
        self.strings = list(_strings(self.text))
        #: For each line, the lines of every string that starts or ends on it.
        self.spans: dict[int, set[int]] = {}
        for string in self.strings:
            first, last = self._line(string.written), self._line(max(string.start, string.end - 1))
            for end in {first, last}:
                self.spans.setdefault(end, set()).update(range(first, last + 1))
        self.lines: dict[int, set[str]] = {}
        self.file: set[str] = set()
        self.problems: list[Problem] = []

    def read(self) -> Suppressions:
        for comment in self._comments():
            self._apply(comment)
        return Suppressions({line: frozenset(rules) for line, rules in self.lines.items()},
                            frozenset(self.file), tuple(self.problems))

    def _comments(self) -> Iterator[_Comment]:
        starts = [string.start for string in self.strings]
        for match in _COMMENT.finditer(self.text):
            index = bisect.bisect_right(starts, match.start()) - 1
            if index >= 0 and self.strings[index].end > match.start():
                continue  # a '#' inside a string
            yield _Comment(match.start(), match.group("body").rstrip(), match.start("body"))

    def _apply(self, comment: _Comment) -> None:
        directive = _DIRECTIVE.match(comment.body)
        if directive is None:
            self._warn(comment.offset, f"unknown comment {'# ' + MARKER + ' ' + comment.body!r}; "
                                       "write disable=RULE[,RULE] or disable-file=RULE[,RULE]")
            return
        rules = self._rules(directive.group("rules"), comment.body_offset + directive.start("rules"))
        if directive.group("kind") == "disable-file":
            self.file.update(rules)
            return
        for line in self._covered(self._target_line(comment.offset)):
            self.lines.setdefault(line, set()).update(rules)

    def _rules(self, written: str, offset: int) -> list[str]:
        """The rule ids of a directive, each checked; a warning for each that does nothing."""
        if not written.strip(","):
            self._warn(offset, "name the rules to disable: disable=RULE[,RULE]")
            return []
        rules = []
        for rule in written.split(","):
            why = levels.ignored(rule, lowers=True) if rule else None
            if why:
                self._warn(offset, f"{why}; this comment does not silence it")
            rules.append(rule)
            offset += len(rule) + 1
        return rules

    def _target_line(self, offset: int) -> int:
        """The comment's own line, or, for a comment alone on its line, the next line with content."""
        line = self._line(offset)
        if self.text[self.starts[line - 1]:offset].strip():
            return line
        return self._next_content[line - 1]

    @functools.cached_property
    def _next_content(self) -> list[int]:
        """For each line (0-based), the first later line with content that is not a comment (the
        last line when there is none): one pass from the end, for any number of comments."""
        found, following = [0] * len(self.starts), len(self.starts)
        for index in range(len(self.starts) - 1, -1, -1):
            found[index] = following
            content = self._line_text(index + 1).strip()
            if content and not content.startswith("#"):
                following = index + 1
        return found

    def _covered(self, line: int) -> set[int]:
        """``line`` and every line of a string that starts or ends on it (``text: |``)."""
        return {line} | self.spans.get(line, set())

    def _line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def _line_text(self, line: int) -> str:
        end = self.text.find("\n", self.starts[line - 1])
        return self.text[self.starts[line - 1]:] if end < 0 else self.text[self.starts[line - 1]:end]

    def _warn(self, offset: int, message: str) -> None:
        line = self._line(offset)
        column = offset - self.starts[line - 1] + 1
        self.problems.append(Problem(self.document.path, line, column, rule_setting.ID,
                                     rule_setting.LEVEL, message))


@dataclass(frozen=True)
class _String:
    """Where a string is in the text (character offsets): a '#' from ``start`` to ``end`` is in
    it; ``written`` is where it is written, its block indicator (``|``, ``>``) for a block."""

    written: int
    start: int
    end: int


def _strings(text: str) -> Iterator[_String]:
    """The strings in ``text``, in order. A block's text starts on the line after its indicator,
    where a comment may be. Scanning stops at a syntax error, which the loader reports."""
    try:
        for token in yaml.scan(text, Loader=_Scanner):
            if isinstance(token, yaml.ScalarToken):
                written = start = token.start_mark.index
                if token.style in ("|", ">"):
                    newline = text.find("\n", start)
                    start = len(text) if newline < 0 else newline + 1
                yield _String(written, start, token.end_mark.index)
    except yaml.YAMLError:
        return
