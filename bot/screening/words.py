"""A server's own screening words: words it blocks on top of the default list, and words it allows.

Organisers try a list with ``python -m bot screen --guild ID`` before turning it on. Words are
normalised (lower case, accents and look-alikes folded, single spaces) and validated; every
query is scoped by guild id. A word is either blocked or allowed: adding it one way replaces
the other.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from typing import Literal

from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.screening.folding import IGNORABLE, fold
from bot.screening.profanity import WordSettings, prepare

WordKind = Literal["block", "allow"]
KINDS: tuple[WordKind, ...] = ("block", "allow")
MIN_LENGTH = 2
MAX_LENGTH = 40
MAX_WORDS_PER_SERVER = 200
MAX_WORDS_IN_PHRASE = 4
# Letters and digits, joined by single spaces, hyphens or apostrophes, plus the substitution
# symbols people spell words with ("sh!t", "@ss", "$hit").
_WORD = re.compile(r"^[\w@$*!]+(?:[ '\-][\w@$*!]+)*$")


def normalise_word(raw: str) -> str:
    """The stored form of a word, or UserFacingError saying what is wrong with it."""
    if not isinstance(raw, str):
        raise UserFacingError("A word must be text.")
    word = " ".join(fold(unicodedata.normalize("NFKC", raw)).replace(IGNORABLE, "").split())
    word = word.replace("\u2019", "'")
    if len(word) < MIN_LENGTH:
        raise UserFacingError(f"A word must be at least {MIN_LENGTH} characters long.")
    if len(word) > MAX_LENGTH:
        raise UserFacingError(f"A word or phrase can be at most {MAX_LENGTH} characters long.")
    if "_" in word or not _WORD.match(word):
        raise UserFacingError(
            "Use letters and numbers only (a phrase may have spaces, hyphens or apostrophes)."
        )
    if len(word.split()) > MAX_WORDS_IN_PHRASE:
        raise UserFacingError(f"A phrase can have at most {MAX_WORDS_IN_PHRASE} words.")
    return word


def _check_kind(kind: str) -> WordKind:
    if kind not in KINDS:
        raise UserFacingError("Choose whether to block or allow the word.")
    return kind


async def add_word(db: Database, clock: Clock, guild_id: int, raw: str, kind: str) -> str:
    """Block or allow a word on this server; returns the stored form."""
    kind = _check_kind(kind)
    word = normalise_word(raw)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT kind FROM screening_words WHERE guild_id = ? AND word = ?", (guild_id, word)
        )
        existing = await cursor.fetchone()
        if existing is None:
            cursor = await conn.execute(
                "SELECT COUNT(*) FROM screening_words WHERE guild_id = ?", (guild_id,)
            )
            (count,) = await cursor.fetchone()  # type: ignore[misc]
            if count >= MAX_WORDS_PER_SERVER:
                raise UserFacingError(
                    f"This server already has {MAX_WORDS_PER_SERVER} words; remove one before adding another."
                )
            await conn.execute(
                "INSERT INTO screening_words (guild_id, word, kind, created_at) VALUES (?, ?, ?, ?)",
                (guild_id, word, kind, utcnow_iso(clock)),
            )
        elif existing[0] != kind:
            await conn.execute(
                "UPDATE screening_words SET kind = ?, created_at = ? WHERE guild_id = ? AND word = ?",
                (kind, utcnow_iso(clock), guild_id, word),
            )
    return word


async def remove_word(db: Database, guild_id: int, raw: str) -> bool:
    """Forget a word on this server; False if it was not there."""
    word = normalise_word(raw)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM screening_words WHERE guild_id = ? AND word = ?", (guild_id, word)
        )
        return cursor.rowcount > 0


async def list_words(db: Database, guild_id: int) -> dict[WordKind, list[str]]:
    """{"block": [...], "allow": [...]}, each sorted."""
    rows = await db.fetchall(
        "SELECT word, kind FROM screening_words WHERE guild_id = ? ORDER BY word", (guild_id,)
    )
    words: dict[WordKind, list[str]] = {"block": [], "allow": []}
    for word, kind in rows:
        words[kind].append(word)
    return words


async def clear_words(db: Database, guild_id: int) -> int:
    """Remove every word of this server (e.g. when the bot leaves it); returns how many."""
    async with db.transaction() as conn:
        cursor = await conn.execute("DELETE FROM screening_words WHERE guild_id = ?", (guild_id,))
        return cursor.rowcount


async def word_settings(db: Database, guild_id: int) -> WordSettings:
    """The server's settings for ``screening.screen(text, words=...)``, compiled off the event loop."""
    words = await list_words(db, guild_id)
    settings = WordSettings(added=frozenset(words["block"]), allowed=frozenset(words["allow"]))
    if settings:
        # Compiling a server's patterns takes a few milliseconds: do it in a thread, once.
        await asyncio.to_thread(prepare, settings)
    return settings
