"""Fold text for matching without moving any character: one code point in, one code point out.

Screening finds spans in the folded text and reports them against the original, so folding must
keep every index where it was. Folding lower-cases, strips accents ("fück" -> "fuck"), maps
full-width and styled letters to plain ones (NFKD), maps a few Cyrillic and Greek look-alikes to
Latin, and turns zero-width and combining characters into ``IGNORABLE``, which the matchers skip
inside words ("f\u200bu\u200bck" still reads as "fuck").
"""

from __future__ import annotations

import re
import unicodedata

# Stands in for characters that are invisible inside a word (zero-width space, joiners, soft
# hyphen, combining marks). NUL never appears in a Discord message, so it cannot collide.
IGNORABLE = "\x00"

# Look-alike letters that NFKD leaves alone (Cyrillic/Greek homoglyphs used to dodge filters).
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
    "ј": "j", "ԁ": "d", "ɡ": "g", "ı": "i", "ο": "o", "α": "a", "ν": "v", "ι": "i",
    "κ": "k", "ρ": "p", "τ": "t", "υ": "u", "ε": "e",
}


def _fold_char(ch: str) -> str:
    if unicodedata.category(ch) in ("Cf", "Mn", "Me"):
        return IGNORABLE
    lower = ch.lower()
    if len(lower) == 1 and lower in _CONFUSABLES:
        return _CONFUSABLES[lower]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
    folded = base if len(base) == 1 else lower if len(lower) == 1 else ch
    folded = _CONFUSABLES.get(folded, folded)
    # fold() lower-cases the whole string afterwards; the result must survive that unchanged.
    return folded if folded.lower() == folded else IGNORABLE


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table filled on first sight of each code point (C-speed afterwards)."""

    def __missing__(self, codepoint: int) -> str:
        folded = _fold_char(chr(codepoint))
        self[codepoint] = folded
        return folded


_ASCII = {cp: chr(cp).lower() for cp in range(128)}
_TABLE = _FoldTable(_ASCII)
# Bound the table so a flood of distinct rare code points cannot grow memory without limit.
_TABLE_LIMIT = 50_000


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_match(match: re.Match[str]) -> str:
    return _TABLE[ord(match.group())]


def fold(text: str) -> str:
    """Lower-case, accent-free, look-alike-free copy of ``text`` with the same length."""
    if text.isascii():
        return text.lower()
    if len(_TABLE) > _TABLE_LIMIT:
        _TABLE.clear()
        _TABLE.update(_ASCII)
    # Mostly-English text with a few curly quotes or emoji: replace just those, then lower-case
    # in C. Text in other scripts: one translate pass is cheaper than a callback per character.
    extra_bytes = len(text.encode("utf-8", "surrogatepass")) - len(text)
    if extra_bytes * 8 < len(text):
        return _NON_ASCII.sub(_fold_match, text).lower()
    return text.translate(_TABLE)
