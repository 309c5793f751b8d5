"""Logs say where and what kind of failure, never what members wrote.

An exception's message can carry member text (``int("...")`` on an option echoes it back, a
library may quote a request body), so tracebacks are written as frames and exception types only.
``SafeFormatter`` applies that to every log line with exc_info, including discord.py's own.
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def traceback_without_text(cause: BaseException) -> str:
    """Where it failed (frames and exception types) but not the exceptions' messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = cause
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append("".join(traceback.format_tb(current.__traceback__)) + type(current).__qualname__)
        current = current.__cause__ or current.__context__
    # Innermost cause first, as Python prints a chain.
    return "\nwhich caused:\n".join(reversed(parts))


class SafeFormatter(logging.Formatter):
    def formatException(self, ei: ExcInfo) -> str:
        return traceback_without_text(ei[1]) if ei[1] is not None else ""
