"""Circle names and descriptions: cleaning, collision keys, channel slugs, safe display.

Names reach Discord as role and channel names and are shown back in messages, so they are
cleaned once on the way in (invisible characters gone, whitespace collapsed, mass mentions made
inert) and escaped for markdown on the way out.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.errors import UserFacingError

# Discord's limits: role names and channel names are 1-100 characters.
NAME_MIN = 2
NAME_MAX = 100
DESCRIPTION_MAX = 300  # shown in lists and select menus; short enough to read at a glance

ZWSP = "\u200b"
_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
# <@123>, <@!123>, <@&123>, <#123>: written as text they would still render as mentions.
_MENTION_TAG = re.compile(r"<(@[!&]?|#)(\d+)>")
_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()-])")
_SLUG_DROP = re.compile(r"[^\w]+", re.UNICODE)


def _strip_invisible(text: str) -> str:
    """Control and format characters (zero-width spaces, bidi marks) out; whitespace kept."""
    return "".join(
        ch for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs", "Cn")
    )


def neutralise_mentions(text: str) -> str:
    """Make @everyone, @here and <@id>-style tags inert wherever the text ends up."""
    text = _MENTION.sub(lambda m: "@" + ZWSP + m.group(1), text)
    return _MENTION_TAG.sub(lambda m: m.group(1) + ZWSP + m.group(2), text)


def clean_text(text: str) -> str:
    """NFC, invisible characters removed, whitespace collapsed, mentions neutralised."""
    text = unicodedata.normalize("NFC", text)
    text = " ".join(_strip_invisible(text).split())
    return neutralise_mentions(text)


def name_key(name: str) -> str:
    """The form two names collide in: case, accents' composition, punctuation and spacing folded."""
    folded = unicodedata.normalize("NFKC", _strip_invisible(name)).casefold()
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


def escape_markdown(text: str) -> str:
    """Backslash-escape Discord markdown so a name shows exactly as typed."""
    return _MARKDOWN.sub(r"\\\1", text)


def display(text: str) -> str:
    """Member-written text for message bodies: mentions inert and markdown escaped."""
    return escape_markdown(neutralise_mentions(text))
