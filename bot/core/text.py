"""Member-written text made safe to show: invisible characters, mentions, markdown.

One place for each: anything the bot shows back from what a member or organiser typed goes
through ``display`` (or ``clean_text`` on the way in), so no one can ping @everyone through the
bot or break a message's formatting.
"""

from __future__ import annotations

import re
import unicodedata

ZWSP = "\u200b"
_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
# <@123>, <@!123>, <@&123>, <#123>: written as text they would still render as mentions.
_MENTION_TAG = re.compile(r"<(@[!&]?|#)(\d+)>")
_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()-])")


def strip_invisible(text: str) -> str:
    """Control and format characters (zero-width spaces, bidi marks) out; whitespace kept."""
    return "".join(
        ch for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs", "Cn")
    )


def neutralise_mentions(text: str) -> str:
    """Make @everyone, @here and <@id>-style tags inert wherever the text ends up."""
    text = _MENTION.sub(lambda m: "@" + ZWSP + m.group(1), text)
    return _MENTION_TAG.sub(lambda m: "<" + m.group(1) + ZWSP + m.group(2) + ">", text)


def clean_text(text: str) -> str:
    """NFC, invisible characters removed, whitespace collapsed, mentions neutralised."""
    text = unicodedata.normalize("NFC", text)
    text = " ".join(strip_invisible(text).split())
    return neutralise_mentions(text)


def escape_markdown(text: str) -> str:
    """Backslash-escape Discord markdown so a name shows exactly as typed."""
    return _MARKDOWN.sub(r"\\\1", text)


def display(text: str) -> str:
    """Member-written text for message bodies: mentions inert and markdown escaped."""
    return escape_markdown(neutralise_mentions(text))
