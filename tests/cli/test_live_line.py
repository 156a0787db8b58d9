"""The live line of a batch: what it says, and that other output makes way for it."""

from __future__ import annotations

import io

from msgspec_dd.cli.live_line import LiveLine
from msgspec_dd.delivery.pacing import Wait
from msgspec_dd.delivery.results import SendResult, Status


def test_it_counts_what_went_and_counts_down_the_next_wait() -> None:
    now = [100.0]
    line = LiveLine(io.StringIO(), clock=lambda: now[0], tick=3600)
    line.start(40)
    for status in [Status.SENT] * 7 + [Status.FAILED]:
        line.finished(SendResult("default", status, "u"))
    assert line.text() == "sent 7/40 · 1 failed"
    line.waiting(Wait(2.2))
    assert line.text() == "sent 7/40 · 1 failed · next in 3 s (rate)"
    now[0] += 1.5
    line.waiting(Wait(600.0, locked=True))
    assert line.text() == "sent 7/40 · 1 failed · next in 600 s (lock)"
    line.close()


def test_other_output_clears_the_line_and_draws_it_again() -> None:
    stream = io.StringIO()
    line = LiveLine(stream, tick=3600)  # no redraw of its own during the test
    line.start(2)
    with line.cleared():
        stream.write("m/a.yaml -> default: sent\n")
    line.close()
    assert stream.getvalue() == ("\r\x1b[2Ksent 0/2" "\r\x1b[2K" "m/a.yaml -> default: sent\n"
                                 "\r\x1b[2Ksent 0/2" "\r\x1b[2K")
