"""One-way keys and receipts: how the bot recognises an author without knowing who it is.

- ``author_key``: keyed hash of (server, member) with the anonymity secret (bot.core.anonymity);
  the same member gets the same key in one server, so blocks, limits and author replies work,
  while the database alone links nothing to anyone.
- ``member_block_key``: keyed hash of (server, member) with its own purpose, for a block placed on
  a *known* member from a case: it never equals the author key, so the block row (which a case
  ties to the member) cannot be matched to that member's stories.
- ``supporter_key``: keyed per story, so supports of two stories cannot be joined up.
- receipts: 80 random bits shown once to the author; only their SHA-256 is stored (unkeyed, so a
  key rotation does not lock authors out of retracting).
"""

from __future__ import annotations

import hashlib
import secrets

from bot.core import anonymity

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RECEIPT_CHARS = 16


def author_key(guild_id: int, user_id: int) -> str:
    return anonymity.keyed_hash("story_author", guild_id, user_id)


def member_block_key(guild_id: int, user_id: int) -> str:
    return anonymity.keyed_hash("story_member_block", guild_id, user_id)


def supporter_key(guild_id: int, story_id: int, user_id: int) -> str:
    return anonymity.keyed_hash("story_support", guild_id, story_id, user_id)


def new_receipt() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(RECEIPT_CHARS))
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_CHARS, 4))


def normalise_receipt(text: str) -> str | None:
    """The receipt as generated, from what the member typed (any case, spaces or dashes); None if malformed."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != RECEIPT_CHARS or any(ch not in _ALPHABET for ch in raw):
        return None
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_CHARS, 4))


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(("story_receipt:" + receipt).encode("ascii")).hexdigest()
