"""bot/core/log_format.py: tracebacks in logs show where and what kind, never the exception's text."""

from __future__ import annotations

import io
import logging

from bot.core.log_format import SafeFormatter, traceback_without_text

# Built at run time so the words appear nowhere in this file's source lines (which tracebacks show).
SECRET = " ".join(["my", "private", "words"])


def failing_parse(text: str) -> int:
    return int(text)


def test_a_chain_keeps_frames_and_types_but_not_messages() -> None:
    try:
        try:
            failing_parse(SECRET)
        except ValueError as exc:
            raise RuntimeError(f"while handling {SECRET}") from exc
    except RuntimeError as exc:
        text = traceback_without_text(exc)
    assert "failing_parse" in text and "ValueError" in text and "RuntimeError" in text
    assert SECRET not in text


def test_the_formatter_applies_to_every_logged_exception() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter("%(levelname)s %(message)s"))
    log = logging.getLogger("test.safe_formatter")
    log.addHandler(handler)
    log.propagate = False
    try:
        failing_parse(SECRET)
    except ValueError:
        log.exception("worker failed row=%s", 7)
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    assert "worker failed row=7" in out and "ValueError" in out and "failing_parse" in out
    assert SECRET not in out
