"""What ``send`` prints while a batch runs: result lines as they come, notes, the live line.

A :class:`BatchPrinter` is the CLI's :class:`~msgspec_dd.delivery.events.BatchWatcher`. Each
result line goes to stdout the moment the delivery ends (``--quiet``: failures only; with
``--format json`` none, the document says it all); notes go to stderr (``--quiet``: none). On a
terminal a :class:`~msgspec_dd.cli.live_line.LiveLine` shows the progress under them.
"""

from __future__ import annotations

from collections.abc import Callable

from msgspec_dd.cli.live_line import LiveLine
from msgspec_dd.delivery.pacing import Wait
from msgspec_dd.delivery.results import SendResult, Status

#: Writes one line: to stderr when ``err`` (the CLI's redacting, escaping echo).
Echo = Callable[..., None]


class BatchPrinter:
    """Result lines and notes of one ``send`` run, printed around an optional live line."""

    def __init__(self, echo: Echo, *, quiet: bool = False, lines: bool = True,
                 live: LiveLine | None = None) -> None:
        self._echo, self.quiet, self._lines, self._live = echo, quiet, lines, live

    def started(self, total: int) -> None:
        if self._live is not None and total:
            self._live.start(total)

    def finished(self, result: SendResult) -> None:
        if self._live is not None:
            self._live.finished(result)
        if self._lines and (result.status is Status.FAILED or not self.quiet):
            self.write(result.format())

    def waiting(self, robot: str, wait: Wait) -> None:
        if self._live is not None:
            self._live.waiting(wait)

    def note(self, line: str) -> None:
        """A progress line or note on stderr (none with ``--quiet``)."""
        if not self.quiet:
            self.write(f"msgspec-dd: {line}", err=True)

    def write(self, text: str, *, err: bool = False, block: bool = False, nl: bool = True) -> None:
        """Any other output: the live line makes way for it."""
        if self._live is None:
            self._echo(text, err=err, block=block, nl=nl)
            return
        with self._live.cleared():
            self._echo(text, err=err, block=block, nl=nl)

    def close(self) -> None:
        """The batch is over: the live line goes."""
        if self._live is not None:
            self._live.close()
