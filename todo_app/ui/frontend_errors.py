"""Frontend exception reports, logged without letting a browser flood or forge the log.

Reflex lets any socket report a "frontend exception" (the ``client_error``
socket event, or the ``handle_frontend_exception`` state event, which any
crafted message can call with any text) and hands it to the app's
``frontend_exception_handler``. Its default logs the whole text at error level,
newlines included: an unauthenticated socket wrote 10 MB of log in 2 s, forged
``[Reflex Backend Exception]`` lines among them. Here each report is one line,
escaped and truncated, and the process logs at most a few of them a minute.
"""

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

MAX_CHARS = 300
MAX_LINES_PER_WINDOW = 10
WINDOW_SECONDS = 60.0


def one_line(text: str, max_chars: int = MAX_CHARS) -> str:
    """``text`` as at most ``max_chars`` printable characters on one line.

    Backslashes and every non-printable character (newlines, carriage returns,
    ANSI escapes, Unicode line separators) are written as Python escapes, so no
    report can start a line of its own or pass for another one; the rest is cut
    off with a note of the original length.
    """
    # Only the head is ever looked at: the cost stays the same for 10 MB.
    out: list[str] = []
    length = 0
    for char in text[:max_chars]:
        if char == "\\":
            piece = "\\\\"
        elif char.isprintable():
            piece = char
        else:
            piece = char.encode("unicode_escape").decode("ascii")
        if length + len(piece) > max_chars:
            break
        out.append(piece)
        length += len(piece)
    line = "".join(out)
    if len(out) < len(text):  # one piece per character of text
        line += f"... [truncated, {len(text)} characters]"
    return line


class FrontendErrorLog:
    """Logs frontend reports, at most ``max_lines`` per window for the process;
    the next report after a window with dropped ones first logs how many."""

    def __init__(
        self,
        logger: logging.Logger = log,
        max_lines: int = MAX_LINES_PER_WINDOW,
        window_seconds: float = WINDOW_SECONDS,
        max_chars: int = MAX_CHARS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.max_lines = max_lines
        self.window_seconds = window_seconds
        self.max_chars = max_chars
        self.clock = clock
        self._lock = threading.Lock()
        self._window_start: float | None = None
        self._logged = 0
        self._suppressed = 0

    def report(self, exception: BaseException) -> None:
        with self._lock:
            now = self.clock()
            if self._window_start is None or now - self._window_start >= self.window_seconds:
                if self._suppressed:
                    self.logger.warning(
                        "%d frontend errors suppressed (more than %d in %.0f s)",
                        self._suppressed,
                        self.max_lines,
                        self.window_seconds,
                    )
                self._window_start = now
                self._logged = 0
                self._suppressed = 0
            if self._logged >= self.max_lines:
                self._suppressed += 1
                return
            self._logged += 1
        try:
            text = str(exception)
        except Exception:  # a report must never break the socket handler
            text = f"<unprintable {type(exception).__name__}>"
        self.logger.warning("Frontend error (reported by a browser): %s", one_line(text))


_frontend_errors = FrontendErrorLog()


def log_frontend_exception(exception: Exception) -> None:
    """``rx.App(frontend_exception_handler=...)``: Reflex 0.10.1 wants a named
    function taking ``exception: Exception`` and returning nothing."""
    _frontend_errors.report(exception)
