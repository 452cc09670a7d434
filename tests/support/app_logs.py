"""What the app's processes logged, for a failed test to report: the lines that
say something went wrong, not the whole log (a CI report shows only so much)."""

from __future__ import annotations

import re
from pathlib import Path

# JSON lines (the rehearsals, the images), readable lines (``reflex run``),
# nginx's error log, and the first line of any traceback.
PROBLEM = re.compile(
    r'"level": ?"(WARNING|ERROR|CRITICAL)"|^(WARNING|ERROR|CRITICAL)\b|\[(error|crit|alert|emerg)\]'
    r"|Traceback|unhandled"
)
MAX_LINES = 6
# Of a longer line, its start (time, logger, message) and its end (a traceback's
# last frames and the exception).
HEAD_CHARS, TAIL_CHARS = 300, 1_200


def logs_in(directory: Path) -> str:
    """Every ``*.log`` of a directory (the process rehearsal's backends and nginx)."""
    return "".join(
        f"--- {path.name}\n{path.read_text(errors='replace')}"
        for path in sorted(directory.glob("*.log"))
    )


def problems(text: str, max_lines: int = MAX_LINES) -> list[str]:
    """The last lines that warn or fail, each cut to a readable length."""
    found = [line for line in text.splitlines() if PROBLEM.search(line)]
    return [
        line
        if len(line) <= HEAD_CHARS + TAIL_CHARS
        else f"{line[:HEAD_CHARS]} … {line[-TAIL_CHARS:]}"
        for line in found[-max_lines:]
    ]
