"""Plain spellings of the words that carry risk, so a disguised or misspelt word reads as the word.

    plain_words("gonna k1ll mysefl 2nite, want to dye") == "gonna kill myself 2nite, want to die"

Crisis screening reads ``plain_words(text)`` in every stage (rules, the fast model, the encoder),
so leetspeak and the common misspellings of the plain words reach the same verdict as the plain
spelling (issue 23's folding; ``tests/unit/screening/test_spelling.py`` checks each form):

- digits and symbols standing for letters inside a word ("k1ll", "d!e", "0verdose", "$uicide");
- a letter held down ("diiie", "killlll", "byeeee"): runs of three or more become one letter when
  that makes a key word, else two;
- one letter dropped, added, changed or two swapped ("suicde", "myslef", "overdoes", "goodbey")
  in a word of at least five letters that is within one edit of a key word, starts with the same
  letter, and is not itself a known English word (the encoder's whole-word vocabulary): "kills",
  "bridges", "spills" stay as they are;
- the homophone "dye" for "die", except where something is being dyed ("dye my hair", "hair dye");
- words spaced out letter by letter ("k i l l").

Nothing else changes: case, punctuation and every other word are left for the stages' own
normalisation. The text is not kept.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

_TOKENIZER = Path(__file__).resolve().parent / "data" / "encoder" / "tokenizer.json"

# The plain words that carry risk; a near-miss of one of these is read as it.
KEY_WORDS = frozenset({
    "kill", "killing", "killed", "myself", "suicide", "suicidal", "overdose", "overdosed", "overdosing",
    "goodbye", "goodbyes", "tonight", "pills", "tablets", "dying", "hanging", "unalive", "anymore", "forever",
    "everyone", "letters", "lethal", "stockpile", "stash", "bridge", "noose", "cutting", "burning", "razor",
    "blades", "insulin", "painkillers", "sleeping", "wrists", "bleeding", "swallowed", "funeral", "ending",
    "living", "alive", "existing", "exist", "burden",
})
# Short key words: only leet and held-down letters fold to these (an edit away is too common).
_SHORT_KEYS = frozenset({"die", "dead", "kms", "end", "cut", "od", "hang", "life"})

_LEET = {"1": "i", "!": "i", "3": "e", "0": "o", "4": "a", "@": "a", "$": "s", "5": "s", "7": "t", "*": "i",
         "|": "l"}
_SYMBOLS = frozenset("!@$*|")
# Candidate words: letters, digits and the symbols that stand for letters. A plain character class
# with one quantifier: linear on any input (decisions are made per word, in Python).
_TOKEN = re.compile(r"[A-Za-z0-9$@!*|]+")
_ALPHA = re.compile(r"[A-Za-z]+")
_RUN = re.compile(r"([a-z])\1{2,}", re.IGNORECASE)
_WORD = re.compile(r"[a-z]{5,14}", re.IGNORECASE)
# "dye" for "die", unless something is being dyed: a thing after it, or hair/box/food before it.
_DYE = re.compile(r"(?<!hair )(?<!box )(?<!food )(?<!tie )(?<!fabric )(?<!henna )\bdye\b"
                  r"(?!\s+(?:my|your|her|his|their|our|the|it|them|this|that|some|a|hair|roots|"
                  r"wool|yarn|fabric|eggs|clothes|shirts?|jeans|job|kit|pack))", re.IGNORECASE)
_SPACED = re.compile(r"\b(?:[a-z] ){3,}[a-z]\b", re.IGNORECASE)
_NUMBER_LIKE = re.compile(r"^[0-9.,:x%/-]+[a-z]{0,3}$", re.IGNORECASE)  # 20mg, 2am, 10x, 3rd
# Text-speak whose digits are syllables, not letters (crisis rules read them as words).
_TEXT_SPEAK = frozenset({"b4", "4ever", "2nite", "2night", "2day", "2moro", "2morrow", "gr8", "l8r", "m8", "h8",
                         "w8", "4get", "4got", "any1", "every1", "some1", "no1", "2"})


@cache
def _known_words() -> frozenset[str]:
    """Whole words of the encoder's vocabulary (about 24,700): real words are never 'corrected'."""
    try:
        vocab = json.loads(_TOKENIZER.read_text(encoding="utf-8"))["model"]["vocab"]
    except (OSError, ValueError, KeyError):
        return frozenset()
    return frozenset(w for w in vocab if w.isalpha())


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@cache
def _near_index() -> dict[str, str]:
    """Each key word and every one-letter deletion of it -> the key word (symmetric deletes: a
    word one edit away shares a form with the key word)."""
    index: dict[str, str] = {}
    for key in sorted(KEY_WORDS):
        for form in {key, *_deletes(key)}:
            index.setdefault(form, key)
    return index


def _near_key(word: str) -> str | None:
    low = word.lower()
    if low in KEY_WORDS or low in _known_words():
        return None
    index = _near_index()
    for form in (low, *_deletes(low)):
        key = index.get(form)
        # The first letter must agree: slips happen inside a word ("sucide", "myslef"), while a
        # different first letter is most often another word ("spills", "pilled", "fending").
        if key is not None and key[0] == low[0] and _one_edit(low, key):
            return key
    return None


def _one_edit(a: str, b: str) -> bool:
    """Damerau distance of at most one (a swap of neighbours counts as one)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _unleet(m: re.Match[str]) -> str:
    """A digit or symbol inside a word reads as the letter it stands for: a symbol only with a
    letter after it ("d!e", "$uicide"; not "die!" or "done*"), a digit with a letter on either
    side ("k1ll", "0verdose", "d1e"). Numbers ("20mg", "2am"), text-speak ("b4") and e-mail
    addresses are left alone."""
    word = m.group()
    if word.isalpha() or _NUMBER_LIKE.match(word) or word.lower() in _TEXT_SPEAK:
        return word
    if "@" in word and m.string[m.end():m.end() + 1] == ".":
        return word
    chars = list(word)
    for i, ch in enumerate(word):
        if ch not in _LEET:
            continue
        before = word[i - 1].isalpha() if i else False
        after = word[i + 1].isalpha() if i + 1 < len(word) else False
        if (ch in _SYMBOLS and after) or (ch.isdigit() and (before or after)):
            chars[i] = _LEET[ch]
    return "".join(chars)


def _unrun(m: re.Match[str]) -> str:
    """A letter held down ("diiie", "killlll"): one letter where that makes a word we know,
    else two."""
    word = m.group()
    if not _RUN.search(word):
        return word
    once = _RUN.sub(lambda r: r.group(1), word)
    low = once.lower()
    if low in KEY_WORDS or low in _SHORT_KEYS or low in _known_words():
        return once
    return _RUN.sub(lambda r: r.group(1) * 2, word)


def plain_words(text: str) -> str:
    """``text`` with disguised and misspelt key words written plainly (see the module doc)."""
    t = text
    if any(c.isdigit() or c in "$@!*|" for c in t):
        t = _TOKEN.sub(_unleet, t)
    if _RUN.search(t):
        t = _ALPHA.sub(_unrun, t)
    if "dye" in t.lower():
        t = _DYE.sub("die", t)
    if _SPACED.search(t):
        t = _SPACED.sub(lambda m: m.group().replace(" ", ""), t)
    return _WORD.sub(lambda m: _near_key(m.group()) or m.group(), t)
