"""The progress line of long commands: on a terminal only, after a second, erased at the end."""
import io

from mxconv._progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_nothing_is_shown_when_stderr_is_not_a_terminal():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, clock=clock)
    clock.now = 10
    progress("working")
    progress.close()
    assert stream.getvalue() == ""


def test_a_terminal_sees_one_line_after_the_delay_rewritten_in_place_then_erased():
    stream, clock = Terminal(), Clock()
    with Progress(stream, clock=clock) as progress:
        progress("quick")  # within the first second: nothing
        assert stream.getvalue() == ""
        clock.now = 1.5
        progress("seed 1 of 200")
        clock.now = 1.52
        progress("seed 2 of 200")  # within 0.1 s of the last: skipped
        clock.now = 1.7
        progress("seed 3 of 200")
    assert stream.getvalue() == "\rseed 1 of 200\x1b[K\rseed 3 of 200\x1b[K\r\x1b[K"


def test_a_closed_terminal_stops_the_line_not_the_work():
    class Gone(Terminal):
        def write(self, text):
            raise OSError("the terminal went away")

    clock = Clock()
    progress = Progress(Gone(), clock=clock)
    clock.now = 2
    progress("x")
    progress("y")
    assert not progress.active
