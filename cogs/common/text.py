"""Fitting text into Discord's limits: one helper for every echo of what a member typed.

Discord refuses a whole request when one string is too long (400 / 50035: the member sees "This
interaction failed"), and a member can type up to 6,000 characters into a string option. Whatever
the bot says back that may carry their text goes through ``fit`` (or ``chunk`` for embed fields).
"""

from __future__ import annotations

FIELD_LIMIT = 1024  # Discord's limit for an embed field's value
CONTENT_LIMIT = 2000  # a message's content
CHOICE_LIMIT = 100  # an autocomplete choice's name, and a string choice's value
ELLIPSIS = "\u2026"


def fit(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def chunk(lines: list[str], limit: int = FIELD_LIMIT) -> list[str]:
    """Split lines into embed field values under Discord's 1,024-character limit."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:limit]
    if current:
        chunks.append(current)
    return chunks
