"""The rebuild's progress: redrawn in place on a terminal, a line per notch in a log."""

from __future__ import annotations

import io

from community_common.rebuild import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_is_redrawn_in_place_with_rate_and_eta() -> None:
    out = Terminal()
    progress = Progress("rebuild feed", 1000, out)
    progress.REDRAW_S = 0.0
    for _ in range(10):
        progress.advance(100)
    progress.finish()
    text = out.getvalue()
    assert text.count("\r") == 11 and text.endswith("\n") and text.count("\n") == 1
    last = text.split("\r")[-1]
    assert "100%" in last and "1,000/1,000 events" in last and "/s ETA 0s" in last


def test_in_a_log_it_prints_one_line_per_tenth() -> None:
    out = io.StringIO()
    progress = Progress("rebuild feed", 1000, out)
    for _ in range(1000):
        progress.advance(1)
    progress.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) == Progress.NOTCHES
    assert [line.split("]")[1].split()[0] for line in lines] == [f"{n}0%" for n in range(1, 10)] + [
        "100%"
    ]


def test_a_total_that_was_an_estimate_grows_with_what_was_done() -> None:
    out = io.StringIO()
    progress = Progress("rebuild membership", 10, out)
    progress.advance(25)
    assert progress.total == 25 and "25/25 events" in out.getvalue()


def test_a_total_that_was_too_high_still_ends_at_a_hundred_percent() -> None:
    out = io.StringIO()
    progress = Progress("rebuild feed", 100, out)
    progress.advance(40)
    progress.finish()
    lines = out.getvalue().splitlines()
    assert "100%" in lines[-1] and "40/40 events" in lines[-1]
