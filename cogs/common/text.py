"""Splitting long text to fit Discord's embed limits."""

from __future__ import annotations

FIELD_LIMIT = 1024  # Discord's limit for an embed field's value


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
