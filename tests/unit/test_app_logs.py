"""A failed test's report of the app's logs: the lines that warn or fail, bounded."""

from __future__ import annotations

from pathlib import Path

from tests.support.app_logs import HEAD_CHARS, TAIL_CHARS, logs_in, problems


def test_warnings_errors_and_tracebacks_are_found_in_each_log_format() -> None:
    text = "\n".join(
        [
            '{"time": "t", "level": "INFO", "message": "event ok"}',
            '{"time": "t", "level": "WARNING", "message": "slow"}',
            '{"time": "t", "level": "ERROR", "message": "boom", "exc": "Traceback (most..."}',
            "INFO  started",
            "ERROR unhandled KeyError in an event handler",
            "Traceback (most recent call last):",
            "2026/12/01 08:00:00 [error] 12#12: *3 connect() failed",
            '127.0.0.1 - - "GET /ping HTTP/1.1" 200',
        ]
    )
    assert problems(text, max_lines=100) == [
        '{"time": "t", "level": "WARNING", "message": "slow"}',
        '{"time": "t", "level": "ERROR", "message": "boom", "exc": "Traceback (most..."}',
        "ERROR unhandled KeyError in an event handler",
        "Traceback (most recent call last):",
        "2026/12/01 08:00:00 [error] 12#12: *3 connect() failed",
    ]


def test_only_the_last_lines_and_of_a_long_one_its_start_and_end() -> None:
    long = "ERROR start " + "x" * 5_000 + " KeyError: 'the end'"
    found = problems("\n".join([f"ERROR {n}" for n in range(10)] + [long]), max_lines=3)
    assert found[:2] == ["ERROR 8", "ERROR 9"]
    assert found[2].startswith("ERROR start ") and found[2].endswith("KeyError: 'the end'")
    assert len(found[2]) == HEAD_CHARS + TAIL_CHARS + len(" … ")


def test_logs_in_a_directory_are_read_with_their_names(tmp_path: Path) -> None:
    (tmp_path / "backend-0.log").write_text("ERROR a\n")
    (tmp_path / "error.log").write_text("[error] b\n")
    (tmp_path / "notes.txt").write_text("ERROR not a log\n")
    text = logs_in(tmp_path)
    assert "--- backend-0.log\nERROR a" in text and "--- error.log\n[error] b" in text
    assert "not a log" not in text
