"""Circle names and descriptions: cleaning, collision keys, channel slugs.

Names reach Discord as role and channel names and are shown back in messages, so they are
cleaned once on the way in (bot.core.text) and escaped for markdown on the way out.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.errors import UserFacingError
from bot.core.text import clean_text, strip_invisible

# Discord's limits: role names and channel names are 1-100 characters.
NAME_MIN = 2
NAME_MAX = 100
DESCRIPTION_MAX = 300  # shown in lists and select menus; short enough to read at a glance

_SLUG_DROP = re.compile(r"[^\w]+", re.UNICODE)


def name_key(name: str) -> str:
    """The form two names collide in: case, accents' composition, punctuation and spacing folded."""
    folded = unicodedata.normalize("NFKC", strip_invisible(name)).casefold()
    return _SLUG_DROP.sub("-", folded).replace("_", "-").strip("-")


def channel_slug(name: str) -> str:
    """A text-channel name (lowercase, dashes) within Discord's 100 characters."""
    return name_key(name)[:NAME_MAX].strip("-")


def clean_name(raw: str) -> str:
    """A circle name ready to store, or UserFacingError saying what to change."""
    name = clean_text(raw)
    if len(name) < NAME_MIN:
        raise UserFacingError(f"A circle name needs at least {NAME_MIN} characters.")
    if len(name) > NAME_MAX:
        raise UserFacingError(
            f"A circle name can be at most {NAME_MAX} characters (Discord's limit for roles and channels);"
            f" this one has {len(name)}."
        )
    if not name_key(name):
        raise UserFacingError("A circle name needs at least one letter or number.")
    return name


def clean_description(raw: str) -> str:
    text = clean_text(raw)
    if not text:
        raise UserFacingError("Add a short description so members know what the circle is for.")
    if len(text) > DESCRIPTION_MAX:
        raise UserFacingError(f"A description can be at most {DESCRIPTION_MAX} characters; this one has {len(text)}.")
    return text


