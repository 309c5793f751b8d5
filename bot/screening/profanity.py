"""Profanity matching: better-profanity's word list, trimmed and compiled once into one regex.

better-profanity compares every token against ~900 entries and joins neighbouring words ("so use
it" reads as "souse"), which costs tens of milliseconds a message. Here the same list, minus the
reviewed allowlist in ``bot/data/profanity_allowlist.txt``, becomes one prefix-tree regex:

- each letter is a character class from better-profanity's substitution table ("a" -> a @ * 4),
  so leet-speak spellings match without generating them;
- a letter run three or more times still counts ("fuuuck"; doubled letters are ordinary spelling:
  "leech" is not "lech") and zero-width characters may sit inside a word; repeats are
  possessive and bounded, so no input can make the regex backtrack for long;
- a match must start and end at a word boundary ("Scunthorpe" and "so use it" are clean);
- entries of four letters or more also match their plural ("assholes");
- single letters spelled out ("f u c k", "s.h.i.t") are joined and checked as one word;
- "fuck" is also found inside longer words ("clusterfuck"), since no innocent word contains it.

Slurs (``bot/screening/data/slurs.txt``, reviewed by category): ableist and transphobic slurs
that better-profanity lacks are added to the list; ambiguous ones ("cripple", "spastic", "gimp")
count only when aimed at someone ("you spastic", "he's a cripple"), since members use some of
them about themselves; ``find_tagged`` says whether any hit is a slur aimed at people (listed
homophobic and racist slurs included). Animal names with a rude second sense ("cock", "ass",
"bitch", "tit") are cleared by a context word in the same sentence ("rooster", "donkey",
"puppy", "blue tit").

Servers add and allow words through :class:`WordSettings`; their small extra patterns are compiled
once per distinct setting and cached.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.screening.folding import IGNORABLE, fold

Span = tuple[int, int]
# (start, end, folded word) of one hit.
Candidate = tuple[int, int, str]

DATA_DIR = Path(__file__).resolve().parent / "data"
ALLOWLIST_PATH = DATA_DIR / "profanity_allowlist.txt"
SLURS_PATH = DATA_DIR / "slurs.txt"

# better-profanity 0.7's substitution table (``Profanity().CHARS_MAPPING``; a unit test checks the
# copy still matches). Importing the package would build its own 3.5 MB list, so it is copied.
SOURCE_SUBSTITUTIONS: dict[str, tuple[str, ...]] = {
    "a": ("a", "@", "*", "4"),
    "i": ("i", "*", "l", "1"),
    "o": ("o", "*", "0", "@"),
    "u": ("u", "*", "v"),
    "v": ("v", "*", "u"),
    "l": ("l", "1"),
    "e": ("e", "*", "3"),
    "s": ("s", "$", "5"),
    "t": ("t", "7"),
}
# Our one addition: "b!tch", "sh!t".
EXTRA_SUBSTITUTIONS: dict[str, tuple[str, ...]] = {"i": ("!",)}

# Found anywhere inside a word, not only as a whole word.
STEMS: tuple[str, ...] = ("fuck",)

# Longest run of one repeated letter (or zero-width characters) still read as that letter.
_MAX_REPEAT = 32
_WHITESPACE = frozenset(" \t\r\n")
# A match may not touch a letter or digit on either side (underscore counts as a separator).
# The left side is matched as one consumed character rather than a lookbehind: a pattern that
# starts with a character class lets the regex engine skip to candidates in a tight C loop, which
# makes scanning several times faster. Text is searched with a space in front (see ``_pad``).
_BEFORE = r"[\W_]"
_AFTER = r"(?![^\W_])"


def _substitutes(ch: str) -> frozenset[str]:
    return frozenset(SOURCE_SUBSTITUTIONS.get(ch, (ch,)) + EXTRA_SUBSTITUTIONS.get(ch, ()))


def _letter_class(ch: str, *, first: bool) -> frozenset[str]:
    if ch in _WHITESPACE:
        return _WHITESPACE
    chars = _substitutes(ch)
    # A match never starts with "*": "**bold**" markdown must not pull the asterisks in.
    return chars - {"*"} if first and ch != "*" else chars


def _render(chars: Iterable[str]) -> str:
    def esc(c: str) -> str:
        if c in "\\]^-[":
            return "\\" + c
        if not c.isprintable() or c.isspace():
            return f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
        return c

    items = sorted(chars)
    if len(items) == 1:
        return re.escape(items[0]) if items[0].isprintable() and not items[0].isspace() else esc(items[0])
    return "[" + "".join(esc(c) for c in items) + "]"


class _Node:
    __slots__ = ("children", "plural", "terminal")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.terminal = False
        self.plural = False


def _normalise_entry(word: str) -> str:
    # A trailing "*" in the source list ("masterbat*") is a wildcard its authors meant; the
    # spelled-out forms are listed separately, so the stem alone is kept.
    return " ".join(fold(word).replace(IGNORABLE, "").split()).rstrip("*")


def _takes_plural(word: str) -> bool:
    return len(word) >= 4 and word[-1].isalpha() and word[-1] != "s"


def _build_trie(words: Iterable[str]) -> _Node:
    root = _Node()
    for word in words:
        node = root
        for ch in word:
            node = node.children.setdefault(ch, _Node())
        node.terminal = True
        node.plural = node.plural or _takes_plural(word)
    return root


def _repeat(ch: str, follow: frozenset[str] | set[str]) -> str:
    """What may follow one letter inside a word: invisible characters, and the same letter again
    only as a run of three or more ("fuuuck"). Doubled letters are ordinary spelling ("leech"
    is not "lech", "assess" is not "asses"), so they do not count as repeats."""
    cap = f"{{0,{_MAX_REPEAT}}}+"
    if ch in _WHITESPACE:
        chars = (_WHITESPACE | {IGNORABLE}) - follow
        return _render(chars) + cap if chars else ""
    ignorable = IGNORABLE not in follow
    if not ch.isalnum() or ch in follow:
        return "\\x00" + cap if ignorable else ""
    letter = re.escape(ch)
    run = f"[{letter}\\x00]" + cap
    return f"(?:{letter}{letter}{run}|\\x00{run})?+" if ignorable else f"(?:{letter}{letter}{run})?+"


def _emit(node: _Node, *, bounded: bool, first: bool = False) -> str:
    """Regex for everything that may follow ``node`` (its children, or the end of a word)."""
    branches: list[str] = []
    for ch in sorted(node.children):
        child = node.children[ch]
        # Never absorb a character the next letter needs (so "ass" still needs two s's).
        follow = set().union(*(_letter_class(c, first=False) for c in child.children))
        if child.plural and child.terminal:
            follow |= _substitutes("s")
        piece = _render(_letter_class(ch, first=first)) + _repeat(ch, follow)
        branches.append(piece + _emit(child, bounded=bounded))
    if node.terminal:
        end = ""
        if node.plural:
            end += "(?:" + _render(_substitutes("s")) + _repeat("s", set()) + ")?"
        # Nor ends with "*" ("**shit**" is "shit" in bold, not "shite").
        branches.append(end + r"(?<!\*)" + (_AFTER if bounded else ""))
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def compile_words(words: Iterable[str], *, bounded: bool = True) -> re.Pattern[str] | None:
    """One regex matching any of ``words`` (with substitutions and repeats) in folded text."""
    entries = {_normalise_entry(w) for w in words}
    entries.discard("")
    if not entries:
        return None
    body = _emit(_build_trie(entries), bounded=bounded, first=True)
    return re.compile(f"{_BEFORE}({body})" if bounded else body)


def _pad(folded: str) -> str:
    """The folded text with a space in front, so a word at the very start has a left boundary.
    Spans found in the padded text are shifted back by one."""
    return " " + folded


def _is_word(pattern: re.Pattern[str] | None, word: str) -> bool:
    return pattern is not None and pattern.fullmatch(" " + word) is not None


# Three or more single letters (or substitution symbols) with one separator between each.
_UNIT = r"(?:[^\W_]|[@$*!])"
_SPACED = re.compile(rf"[\W_]({_UNIT}(?:[ .\-_]{_UNIT}(?![^\W_])){{2,}}+)")
_SEPARATOR_RUN = re.compile(r"[ .\-_]")


def _spaced_table() -> bytes:
    table = bytearray(b"x" * 256)
    for c in b"abcdefghijklmnopqrstuvwxyz0123456789@$*!":
        table[c] = ord("a")
    for c in b" .-_":
        table[c] = ord(" ")
    return bytes(table)


# Letters spelled out always contain " a a " once units become "a" and separators " ": a C-speed
# check that lets almost every message skip the spelled-out search.
_SPACED_TABLE = _spaced_table()
_SYMBOLS = frozenset("@$*!")


def _in_token(folded: str, i: int, step: int) -> bool:
    """Is ``folded[i]`` part of the word being widened (symbols only between letters)?"""
    ch = folded[i]
    if ch.isalnum() or ch == IGNORABLE:
        return True
    beyond = i + step
    return ch in _SYMBOLS and 0 <= beyond < len(folded) and folded[beyond].isalnum()


def _token_bounds(folded: str, start: int, end: int) -> Span:
    while start > 0 and _in_token(folded, start - 1, -1):
        start -= 1
    while end < len(folded) and _in_token(folded, end, 1):
        end += 1
    return start, end


def _trim(folded: str, start: int, end: int) -> Span:
    while end > start and folded[end - 1] == IGNORABLE:
        end -= 1
    return start, end


def read_source_words() -> list[str]:
    """better-profanity's default word list, read from its package without importing it."""
    spec = importlib.util.find_spec("better_profanity")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("better-profanity is not installed (it is a project dependency)")
    path = Path(next(iter(spec.submodule_search_locations))) / "profanity_wordlist.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_allowlist(path: Path = ALLOWLIST_PATH) -> dict[str, list[str]]:
    """The reviewed allowlist by category: ``{"medical": ["herpes", ...], ...}``."""
    categories: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("## category:"):
            current = categories.setdefault(line.split(":", 1)[1].strip(), [])
            continue
        entry = line.split("#", 1)[0].strip()
        if entry:
            if current is None:
                raise ValueError(f"{path.name}: {entry!r} comes before any '## category:' line")
            current.append(entry.lower())
    return categories


@dataclass(frozen=True)
class WordSettings:
    """A server's own words: ``added`` are screened too, ``allowed`` never are."""

    added: frozenset[str] = frozenset()
    allowed: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.allowed)


class ProfanityMatcher:
    """The compiled default list. Build once (``default_matcher()``) and share."""

    def __init__(self, words: Iterable[str], stems: Iterable[str] = STEMS) -> None:
        self.words = frozenset(_normalise_entry(w) for w in words) - {""}
        self.pattern = compile_words(self.words)
        self.stem_pattern = compile_words(stems, bounded=False)

    def candidates(self, folded: str, extra: re.Pattern[str] | None = None,
                   stems: bool = True) -> list[tuple[int, int, str]]:
        """(start, end, folded word) for each hit in already-folded text."""
        return self.word_hits(folded, extra, stems) + self.spaced_hits(folded, extra)

    def word_hits(self, folded: str, extra: re.Pattern[str] | None = None,
                  stems: bool = True) -> list[Candidate]:
        """Hits of the list, the server's words and the stems (everything but spelled-out words)."""
        found: list[Candidate] = []
        padded = _pad(folded)
        for pattern in (self.pattern, extra):
            if pattern is not None:
                for m in pattern.finditer(padded):
                    start, end = _trim(folded, m.start(1) - 1, m.end(1) - 1)
                    found.append((start, end, folded[start:end]))
        if stems and self.stem_pattern is not None:
            for m in self.stem_pattern.finditer(folded):
                start, end = _token_bounds(folded, m.start(), m.end())
                found.append((start, end, m.group()))
        return found

    def spaced_hits(self, folded: str, extra: re.Pattern[str] | None = None) -> list[Candidate]:
        """Single letters spelled out ("f u c k") that join into a listed word."""
        padded = _pad(folded)
        if b" a a " not in padded.encode("ascii", "replace").translate(_SPACED_TABLE):
            return []
        found: list[Candidate] = []
        for m in _SPACED.finditer(padded):
            joined = _SEPARATOR_RUN.sub("", m.group(1))
            if _is_word(self.pattern, joined) or _is_word(extra, joined):
                found.append((m.start(1) - 1, m.end(1) - 1, joined))
        return found


# Slur entries too common as plain words to match at all: moderators judge these.
NOT_MATCHED = frozenset({"it", "trap", "mutilated"})
# Who a slur is aimed at: "you spastic", "he's a cripple", "what a gimp", "bunch of cretins".
_AIMED_BEFORE = (r"(?:\byou(?:'re| are| r)?|\bur|\bu r|\bhe'?s|\bshe'?s|\bthey'?re|\bhe is|\bshe is|\bthey are|"
                 r"\bwhat an?|\bsuch an?|\bbunch of|\bstupid|\bfucking|\blittle|\bbloody|\bugly|\bdumb)"
                 r"\s+(?:(?:an?|the|such an?|fucking|bloody|stupid|little|total|dumb|utter)\s+)*")
_SENTENCE_EDGE = re.compile(r"[.!?\n]")
_CONTEXT_CHARS = 120


@dataclass(frozen=True)
class SlurList:
    """The reviewed list (``data/slurs.txt``) by use."""

    screened: dict[str, str]   # word -> category: screened everywhere (added to the list)
    aimed: dict[str, str]      # ambiguous: screened when aimed at someone
    listed: dict[str, str]     # already in better-profanity's list; a slur all the same
    animals: frozenset[str]    # a rude second sense, cleared by ``clears`` in the same sentence
    clears: frozenset[str]

    def categories(self) -> set[str]:
        return set(self.screened.values()) | set(self.aimed.values()) | set(self.listed.values())


def read_slurs(path: Path = SLURS_PATH) -> SlurList:
    screened: dict[str, str] = {}
    aimed: dict[str, str] = {}
    listed: dict[str, str] = {}
    animals: set[str] = set()
    clears: set[str] = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        category, word, note = ([*raw.split("\t"), "", ""])[:3]
        if category == "category":  # the header line
            continue
        word = word.strip().lower()
        if category == "ambiguous":
            animals.add(word)
        elif category == "clears":
            clears.add(word)
        elif category == "listed":
            listed[word] = note.strip()
        elif word not in NOT_MATCHED:
            ambiguous = note.strip().startswith(("ambiguous", "phrase"))
            (aimed if ambiguous else screened)[word] = category
    return SlurList(screened, aimed, listed, frozenset(animals), frozenset(clears))


@lru_cache(maxsize=1)
def slur_list() -> SlurList:
    return read_slurs()


@lru_cache(maxsize=1)
def _slur_patterns() -> tuple[re.Pattern[str] | None, re.Pattern[str]]:
    """(any slur as a whole word, the words before a slur that aim it at someone)."""
    slurs = slur_list()
    return compile_words([*slurs.screened, *slurs.listed, *slurs.aimed]), re.compile(_AIMED_BEFORE + "$")


@lru_cache(maxsize=1)
def default_matcher() -> ProfanityMatcher:
    allowed = {_normalise_entry(w) for words in read_allowlist().values() for w in words}
    source = [w for w in read_source_words() if _normalise_entry(w) not in allowed]
    return ProfanityMatcher([*source, *slur_list().screened])


def _animal_cleared(folded: str, start: int, end: int, word: str) -> bool:
    """Is this hit an animal's name in its sentence ("the cock crowed at the farm")?"""
    slurs = slur_list()
    plain = _normalise_entry(word)
    if plain not in slurs.animals and plain.rstrip("s") not in slurs.animals:
        return False
    lo = max(0, start - _CONTEXT_CHARS)
    before = folded[lo:start]
    edge = max((m.end() for m in _SENTENCE_EDGE.finditer(before)), default=0)
    after = folded[end:end + _CONTEXT_CHARS]
    stop = _SENTENCE_EDGE.search(after)
    context = before[edge:] + " " + (after[:stop.start()] if stop else after)
    return not slurs.clears.isdisjoint(re.findall(r"[a-z]+", context))


def _aimed_hits(folded: str) -> list[Candidate]:
    """Ambiguous slurs aimed at someone: each occurrence as a whole word (or its plural), with
    an aiming phrase just before it."""
    found: list[Candidate] = []
    aimed_before = _slur_patterns()[1]
    for word in slur_list().aimed:
        at = folded.find(word)
        while at >= 0:
            end = at + len(word)
            for plural in ("es", "s"):
                if folded.startswith(plural, end):
                    end += len(plural)
                    break
            whole = (at == 0 or not folded[at - 1].isalnum()) and (end == len(folded) or not folded[end].isalnum())
            if whole and aimed_before.search(folded, max(0, at - 40), at):
                found.append((at, end, folded[at:end]))
            at = folded.find(word, at + 1)
    return found


@lru_cache(maxsize=512)
def _server_pattern(words: frozenset[str]) -> re.Pattern[str] | None:
    return compile_words(words)


def prepare(words: WordSettings | None = None) -> None:
    """Compile the default list and a server's own words now, so no later call pays for it.

    The default list takes a few hundred milliseconds to compile: call this (in a thread) at start.
    """
    default_matcher()
    _slur_patterns()
    if words and words.added:
        _server_pattern(words.added)
    if words and words.allowed:
        _server_pattern(words.allowed)


def _finds_stems(words: WordSettings | None) -> bool:
    """Are stems ("fuck" inside longer words) looked for, or does the server allow them?"""
    allowed = _server_pattern(words.allowed) if words and words.allowed else None
    return not any(_is_word(allowed, s) for s in STEMS)


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def find(text: str, words: WordSettings | None = None, folded: str | None = None) -> list[Span]:
    """Sorted, non-overlapping ``(start, end)`` spans of profanity in ``text``.

    ``folded`` is ``fold(text)`` when the caller already has it (screening folds once)."""
    return find_tagged(text, words, folded)[0]


def find_tagged(text: str, words: WordSettings | None = None,
                folded: str | None = None) -> tuple[list[Span], bool]:
    """``find``, and whether any hit is a slur aimed at people (ableist, transphobic,
    homophobic, racist: ``data/slurs.txt``)."""
    if not text:
        return [], False
    matcher = default_matcher()
    if folded is None:
        folded = fold(text)
    added = _server_pattern(words.added) if words and words.added else None
    allowed = _server_pattern(words.allowed) if words and words.allowed else None
    stems = _finds_stems(words)
    hits = matcher.word_hits(folded, added, stems)
    spans = []
    slur = False
    every_slur = _slur_patterns()[0]
    for start, end, word in hits + matcher.spaced_hits(folded, added):
        if _is_word(allowed, word) and not _is_word(added, word):
            continue
        if _animal_cleared(folded, start, end, word):
            continue
        spans.append((start, end))
        slur = slur or _is_word(every_slur, word)
    for start, end, word in _aimed_hits(folded):
        if _is_word(allowed, word):
            continue
        spans.append((start, end))
        slur = True
    return _merge(spans), slur


def contains(text: str, words: WordSettings | None = None) -> bool:
    return bool(find(text, words))


def censor_spans(text: str, spans: Iterable[Span]) -> str:
    """Keep each span's length, first character and separators: "fuck" -> "f***", "f.u.c.k" ->
    "f.*.*.*"; letters, digits, substitution symbols and invisible characters become "*"."""
    chars = list(text)
    for start, end in spans:
        for i in range(start + 1, end):
            ch = chars[i]
            if ch.isalnum() or ch in _SYMBOLS or fold(ch) == IGNORABLE:
                chars[i] = "*"
    return "".join(chars)


def censor(text: str, words: WordSettings | None = None) -> str:
    return censor_spans(text, find(text, words))
