"""The learned crisis layer: wordllama's static token embeddings with a logistic head.

Loaded only from the installed ``wordllama==0.4.0.post1`` wheel, never from the network:
the wheel ships ``wordllama/weights/l2_supercat_256.safetensors`` (32000 x 256, float16) and
``wordllama/tokenizers/l2_supercat_tokenizer_config.json``. We read both files straight from the
package folder (found with ``importlib.util.find_spec``, without importing wordllama: its import
chain costs about 35 MB and its loader may try the Hugging Face hub for the tokenizer). The
matrix is read with the ``safetensors`` library (installed with wordllama; until round 7 a
hand-written header parser did it), and the tokenizer JSON is opened with
``tokenizers.Tokenizer.from_file``. Nothing here opens a
socket (a unit test refuses every connection while loading and scoring).

Features: the mean of the token embeddings of the normalised text, and a lexicon of words and
within-sentence word pairs (counts times idf, over the token count), both learned by one logistic
regression. The head is linear in both, so at load it is folded into one score per vocabulary
entry (``E @ w``, 128 KB) plus each word's lexicon weight, and the 32 MB matrix is dropped: a
chunk's logit is the sum of its tokens' scores over its token count, plus its words' and word
pairs' lexicon weights over max(token count, LEXICON_MIN_TOKENS), plus the bias. The embedding
carries meaning to wordings never seen; the lexicon learns the everyday words of a support server
that the embedding alone puts near risk.

Tokenising: the tokenizer (Llama 2's) splits text at spaces before anything else, so a text's
tokens are the tokens of its space-separated words in order. At load we tokenise the
vocabulary's own whole words once (a fixed table built from the wheel, not from any message);
a message's words are looked up there, trailing punctuation is looked up apart, and only the
remaining words go through the tokenizer. Training uses exactly the same function
(``Vocabulary.ids``), so the features at training and at run time are the same. Nothing of a
message is kept after the call.

Long texts: scores are taken per sentence; the logit is the max over the whole text (when short),
each sentence and each pair of adjacent sentences (prefix sums, so linear in the text).

Imports: stdlib, numpy and tokenizers only (the screening engine's import contract).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate, pairwise, repeat
from operator import add
from pathlib import Path
from typing import Any, cast

import numpy as np

from bot.screening.folding import IGNORABLE, fold

WORDLLAMA_PIN = "0.4.0.post1"
CONFIG = "l2_supercat"
DIM = 256
TENSOR_KEY = "embedding.weight"
HEAD_PATH = Path(__file__).resolve().parent / "data" / "crisis_head.json"
_ROWS_PER_BLOCK = 4096  # rows of the matrix read at a time while folding (keeps the peak small)


class ModelUnavailable(RuntimeError):
    """The model files are missing or not the pinned version (screening then runs on rules only)."""


# ---------------------------------------------------------------------------------------------
# Loading from the installed package
# ---------------------------------------------------------------------------------------------


def wordllama_dir() -> Path:
    """The installed wordllama package folder (holds ``weights/`` and ``tokenizers/``)."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise ModelUnavailable(f"wordllama is not installed (pin wordllama=={WORDLLAMA_PIN})")
    try:
        version = importlib.metadata.version("wordllama")
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelUnavailable("wordllama's metadata is missing") from exc
    if version != WORDLLAMA_PIN:
        raise ModelUnavailable(f"wordllama {version} is installed; the head was trained on {WORDLLAMA_PIN}")
    return Path(spec.origin).parent


def model_files(pkg: Path | None = None) -> tuple[Path, Path]:
    """(weights, tokenizer) inside the installed wheel; raises if either is missing."""
    pkg = pkg or wordllama_dir()
    weights = pkg / "weights" / f"{CONFIG}_{DIM}.safetensors"
    tokenizer = pkg / "tokenizers" / f"{CONFIG}_tokenizer_config.json"
    for path in (weights, tokenizer):
        if not path.is_file():
            raise ModelUnavailable(f"the wordllama wheel has no {path.name}")
    return weights, tokenizer


def open_matrix(path: Path, key: str = TENSOR_KEY) -> np.ndarray:
    """The embedding matrix (float16), read with the ``safetensors`` library that comes with the
    pinned wordllama (and reads the encoder's file too); a missing, truncated or foreign file is
    ``ModelUnavailable``."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="np") as f:
            names = f.keys()  # safe_open has no __contains__
            if key not in names:
                raise ModelUnavailable(f"{path.name} has no tensor {key}")
            matrix: np.ndarray = f.get_tensor(key)
    except (OSError, SafetensorError) as exc:
        raise ModelUnavailable(f"{path.name} is unreadable ({type(exc).__name__})") from exc
    if matrix.dtype != np.float16 or matrix.ndim != 2:
        raise ModelUnavailable(f"unexpected tensor {matrix.dtype} {matrix.shape} in {path.name}")
    return matrix


def load_tokenizer(path: Path) -> Any:
    from tokenizers import Tokenizer  # the tokenizer wordllama itself uses; a Rust extension

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


# ---------------------------------------------------------------------------------------------
# Normalisation (light: the rules do the heavy lifting)
# ---------------------------------------------------------------------------------------------

_LEET = str.maketrans({"1": "i", "!": "i", "3": "e", "0": "o", "4": "a", "@": "a", "$": "s",
                       "5": "s", "7": "t", "*": "i"})
# A digit or symbol standing for a letter inside a word ("k1ll", "d!e", "su1c1dal"); not "300mg".
_LEET_CHAR = re.compile(r"(?<=[a-z])(?:[0-9](?=[a-z]|\b)|[!@$*](?=[a-z]))")
# Is there such a character at all: the same matches as r"[a-z][0-9!@$*][a-z]|[a-z][0-9]\b", but
# the search starts at the digit or symbol (a C-speed scan) and looks back for the letter.
_LEET_HINT = re.compile(r"[0-9!@$*](?:(?<=[a-z][0-9!@$*])(?=[a-z])|(?<=[a-z][0-9])\b)")
_REPEATS = re.compile(r"([a-z])\1\1+")
_SPACED = re.compile(r"\b(?:[a-z] ){3,}[a-z]\b")
_SPACED_HINT = re.compile(r" [a-z] [a-z] [a-z] ")
_LEET_CHARS = "0123456789!@$*"




def normalise(text: str, folded: str | None = None) -> str:
    """Folded (lower case, accents and look-alikes, see ``folding``), de-leet words mixing letters
    and digits/symbols ("k1ll", "d!e"), squeeze letters repeated 3+ times to 2 ("dieee" -> "diee"),
    join spaced-out letters ("k i l l"). ``folded`` is ``fold(text)`` when the caller has it."""
    t = fold(text) if folded is None else folded
    if not t.isascii():
        t = t.replace("\u2019", "'").replace("\u2018", "'").replace(IGNORABLE, "")
    t = " ".join(t.split())
    if any(ch in t for ch in _LEET_CHARS) and _LEET_HINT.search(t):
        t = _LEET_CHAR.sub(lambda m: m.group().translate(_LEET), t)
    t = _REPEATS.sub(r"\1\1", t)
    if _SPACED_HINT.search(" " + t + " "):
        t = _SPACED.sub(lambda m: m.group().replace(" ", ""), t)
    return t


# Punctuation after a word becomes a word of its own ("much." -> "much ."), so words repeat.
_PUNCT_AFTER = re.compile(r"([.,!?;:)\"]+)(?= |$)")
PUNCTUATION = (".", ",", "!", "?", "...", "..", ";", ":", ")", "!!", "??", "?!", "!?", ".)", "),", ").", "\"")


_PUNCT_CHARS = ".,!?;:)\""
_BREAKS = frozenset({"but", "anyway"})  # a new sentence starts (the word itself is left out)


def words_of(text: str) -> list[str]:
    """Normalised text as words, punctuation after a word split off as a word of its own."""
    return _PUNCT_AFTER.sub(r" \1", text).split(" ")


def ends_sentence(word: str) -> bool:
    return word[-1] in ".!?;" if word else False


def sentences(text: str) -> list[list[str]]:
    """Normalised text as sentences of words (ending at . ! ? ; and before "but", "anyway")."""
    out: list[list[str]] = [[]]
    for w in words_of(text):
        if w in _BREAKS:
            out.append([])
        elif w:
            out[-1].append(w)
            if ends_sentence(w):
                out.append([])
    return [s for s in out if s]


# ---------------------------------------------------------------------------------------------
# Words -> token ids (a fixed table from the wheel's vocabulary, the tokenizer for the rest)
# ---------------------------------------------------------------------------------------------


class Vocabulary:
    """``ids(words)``: the token ids of space-separated words, exactly as the tokenizer gives them
    for the words joined by spaces (Llama 2's tokenizer never merges across a space)."""

    def __init__(self, tokenizer: Any, extra_words: Iterable[str] = ()) -> None:
        self.tokenizer = tokenizer
        words = {w[1:] for w in tokenizer.get_vocab() if w.startswith("\u2581") and w[1:].isalpha()
                 and w[1:].islower()}
        words.update(extra_words)
        words.update(PUNCTUATION)
        words.discard("")
        # One word at a time: the batch encoder starts a thread pool (and its memory arenas).
        self.words = {w: tuple(tokenizer.encode(w, add_special_tokens=False).ids) for w in sorted(words)}

    def encode_missing(self, words: list[str]) -> list[tuple[int, ...]]:
        """Token ids of each word, with one call: every word starts with the marker token."""
        if not words:
            return []
        enc = self.tokenizer.encode(" ".join(words), add_special_tokens=False)
        out: list[list[int]] = []
        for token, i in zip(enc.tokens, enc.ids, strict=True):
            if token.startswith("\u2581") or not out:
                out.append([i])
            else:
                out[-1].append(i)
        if len(out) != len(words):  # cannot happen with this tokenizer; be exact all the same
            return [tuple(self.tokenizer.encode(w, add_special_tokens=False).ids) for w in words]
        return [tuple(o) for o in out]

    def ids(self, words: list[str]) -> list[tuple[int, ...]]:
        """Token ids of each word (the training path; the scorer folds the same table)."""
        table = self.words
        missing = [w for w in words if w and w not in table]
        found = dict(zip(missing, self.encode_missing(missing), strict=True))
        return [table.get(w) or found.get(w, ()) for w in words]


# ---------------------------------------------------------------------------------------------
# The head and the scorer
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    weights: np.ndarray   # (DIM,) on standardised features
    bias: float
    mean: np.ndarray      # feature standardisation
    scale: np.ndarray
    t_concern: float      # probability thresholds (chosen on train out-of-fold scores)
    t_crisis: float
    words: tuple[str, ...] = ()  # words tokenised once at load besides the vocabulary's own
    meta: dict[str, Any] = field(default_factory=dict)
    # word or "word word" -> its weight per occurrence (idf folded in); summed, then divided by
    # max(token count, LEXICON_MIN_TOKENS)
    lexicon: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = HEAD_PATH) -> Head:
        d = json.loads(path.read_text(encoding="utf-8"))
        return cls(np.asarray(d["weights"], dtype=np.float64), float(d["bias"]),
                   np.asarray(d["mean"], dtype=np.float64), np.asarray(d["scale"], dtype=np.float64),
                   float(d["t_concern"]), float(d["t_crisis"]), tuple(d.get("words", ())), d.get("meta", {}),
                   {k: float(v) for k, v in d.get("lexicon", {}).items()})

    def logit_of(self, chunk: Chunk) -> float:
        """The reference logit of one chunk (training path; the scorer folds the same sum)."""
        z = float(((chunk.mean - self.mean) / self.scale) @ self.weights + self.bias)
        return z + (sum(self.lexicon.get(g, 0.0) for g in grams(chunk.sentences))
                    / max(chunk.tokens, LEXICON_MIN_TOKENS))


@dataclass(frozen=True)
class Chunk:
    """One scored span of a text: its mean token embedding, its sentences' words, its tokens."""
    mean: np.ndarray
    sentences: tuple[tuple[str, ...], ...]
    tokens: int


def grams(sents: Iterable[Iterable[str]]) -> list[str]:
    """A chunk's lexicon keys: every word, and every pair of adjacent words in one sentence."""
    out: list[str] = []
    for sentence in sents:
        s = list(sentence)
        out.extend(s)
        out.extend(f"{a} {b}" for a, b in pairwise(s))
    return out


# The lexicon's sum is divided by max(tokens, this): in a three-word message one word's weight
# would otherwise count as much as a sentence's (short everyday messages then scored wildly).
LEXICON_MIN_TOKENS = 12
MIN_CHUNK_TOKENS = 5       # a sentence shorter than this counts only with its neighbour
WHOLE_TEXT_TOKENS = 120    # up to this the whole text is also a chunk


def chunks(counts: list[int]) -> list[tuple[int, int]]:
    """Sentence ranges ``[i, j)`` scored on their own: the whole text when short, each sentence
    of at least MIN_CHUNK_TOKENS tokens, each pair of adjacent sentences reaching that size.
    (One or two tokens alone say little and score wildly, so they never decide by themselves.)"""
    total = sum(counts)
    out: list[tuple[int, int]] = []
    if total and (total <= WHOLE_TEXT_TOKENS or len(counts) == 1):
        out.append((0, len(counts)))
    for i, c in enumerate(counts):
        if c >= MIN_CHUNK_TOKENS:
            out.append((i, i + 1))
        if i and c + counts[i - 1] >= MIN_CHUNK_TOKENS:
            out.append((i - 1, i + 1))
    if not out and total:
        out.append((0, len(counts)))
    return out


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def chunk_features(matrix: np.ndarray, vocab: Vocabulary, text: str) -> list[Chunk]:
    """The text as a whole first, then each chunk as ``CrisisModel`` scores them (training path,
    so out-of-fold texts are scored the way the bot will score them). Empty: no tokens at all."""
    sums: list[np.ndarray] = []
    counts: list[int] = []
    kept: list[tuple[str, ...]] = []
    for sentence in sentences(normalise(text)):
        ids = [t for word_ids in vocab.ids(sentence) for t in word_ids]
        if ids:
            sums.append(np.asarray(matrix[np.asarray(ids, dtype=np.int64)], dtype=np.float64).sum(axis=0))
            counts.append(len(ids))
            kept.append(tuple(sentence))
    if not counts:
        return []

    def chunk(i: int, j: int) -> Chunk:
        tokens = sum(counts[i:j])
        return Chunk(np.sum(sums[i:j], axis=0) / tokens, tuple(kept[i:j]), tokens)

    return [chunk(0, len(counts))] + [chunk(i, j) for i, j in chunks(counts)]


class CrisisModel:
    """``score(text) -> probability`` that the writer is at risk (concern or crisis).

    Build once (a fraction of a second; off the event loop); ``score`` keeps nothing of the text."""

    MAX_CHARS = 10_000          # longer messages are cut (the rules still read all of it)

    def __init__(self, head: Head | None = None, pkg: Path | None = None) -> None:
        self.head = head or Head.load()
        weights_path, tokenizer_path = model_files(pkg)
        self.vocab = Vocabulary(load_tokenizer(tokenizer_path), self.head.words)
        w_eff = self.head.weights / self.head.scale
        matrix = open_matrix(weights_path)
        scores = np.empty(matrix.shape[0], dtype=np.float64)
        for at in range(0, matrix.shape[0], _ROWS_PER_BLOCK):
            block = np.asarray(matrix[at:at + _ROWS_PER_BLOCK], dtype=np.float64)
            scores[at:at + _ROWS_PER_BLOCK] = block @ w_eff
        del matrix
        self.token_scores = scores
        self.score_list: list[float] = scores.tolist()  # plain floats: faster one at a time
        self.bias = float(self.head.bias - self.head.mean @ w_eff)
        self.t_concern = self.head.t_concern
        self.t_crisis = self.head.t_crisis
        # Each table word folded to (sum of its tokens' scores, token count).
        # (Sentence breaks stay out of the table: the loop in ``logit`` meets them as misses.)
        lexicon = self.head.lexicon
        self.word_scores = {w: (float(scores[list(ids)].sum()), len(ids))
                            for w, ids in self.vocab.words.items() if w not in _BREAKS}
        # Lexicon weights of single words (summed apart: divided by max(tokens, floor)).
        self.word_lex = {g: v for g, v in lexicon.items() if " " not in g}
        # Word pairs: looked up over the message's words in order. A pair across a sentence end
        # is never a key (training pairs stay inside a sentence, and an end or a break word
        # always stands between two sentences), so no boundary check is needed.
        self.pairs = {cast("tuple[str, str]", tuple(g.split(" "))): v for g, v in lexicon.items() if " " in g}
        # The same, split in two: looked up a whole message at a time with map() (C speed).
        self.word_score = {w: v[0] for w, v in self.word_scores.items()}
        self.word_count = {w: v[1] for w, v in self.word_scores.items()}
        self.sentence_enders = frozenset(w for w in self.word_score if w and w[-1] in ".!?;")

    def logit(self, text: str, folded: str | None = None) -> float:
        return self.assess(text, folded)[0]

    def assess(self, text: str, folded: str | None = None) -> tuple[float, str]:
        """(logit, the deciding chunk's normalised words): the chunk is for context cues only,
        and goes no further than the caller.

        Equivalent to scoring ``sentences(normalise(text))`` chunk by chunk (a test checks it
        against the embeddings), but written for speed: the words are looked up with ``map``;
        only words not in the table (mostly a word with punctuation after it) are looked at one
        by one, and words the table lacks go through the tokenizer in one call."""
        if len(text) > self.MAX_CHARS:
            text, folded = text[: self.MAX_CHARS], None
        norm = normalise(text, folded)
        if not norm:
            return -math.inf, ""
        words = norm.split(" ")
        n = len(words)
        # None where the table lacks the word: each is replaced in the loop below.
        score = cast("list[float]", list(map(self.word_score.get, words)))
        count = cast("list[int]", list(map(self.word_count.get, words)))
        lex = list(map(self.word_lex.get, words, repeat(0.0)))
        # A sentence ends after i when words[i] ends in . ! ? ; : of the table's words only the
        # punctuation entries do (looked for only when one is there); the rest are misses below.
        boundaries: set[int] = set()
        if not self.sentence_enders.isdisjoint(words):
            enders = self.sentence_enders
            boundaries = {i for i, w in enumerate(words) if w in enders}
        encode: list[tuple[int, str]] = []
        split: dict[int, tuple[str, ...]] = {}  # word index -> its parts, where it has more than one
        for i in [i for i, v in enumerate(score) if v is None]:
            w = words[i]
            score[i], count[i] = 0.0, 0
            if not w:
                continue
            if w[-1] in ".!?;":
                boundaries.add(i)
            if w in _BREAKS:
                boundaries.add(i)
                continue
            head = w.rstrip(_PUNCT_CHARS)
            tail = w[len(head):]
            if tail:
                split[i] = (head, tail) if head else (tail,)
            if head in _BREAKS:  # "but," : the sentence ends before it
                boundaries.add(i - 1)
                head = ""
            for part in (head, tail) if tail else (w,):
                if not part:
                    continue
                lex[i] += self.word_lex.get(part, 0.0)
                hit = self.word_scores.get(part)
                if hit is None:
                    encode.append((i, part))
                else:
                    score[i] += hit[0]
                    count[i] += hit[1]
        if encode:
            token_scores = self.score_list
            unique = list(dict.fromkeys(w for _, w in encode))
            found = {w: (sum(token_scores[t] for t in ids), len(ids))
                     for w, ids in zip(unique, self.vocab.encode_missing(unique), strict=True)}
            for i, w in encode:
                v, c = found[w]
                score[i] += v
                count[i] += c
        if self.pairs and n > 1:
            self._add_pairs(words, split, lex)
        pre_s = [0.0, *accumulate(score)]
        pre_l = [0.0, *accumulate(lex)]
        pre_c = [0, *accumulate(count)]
        sums: list[float] = []
        lexes: list[float] = []
        counts: list[int] = []
        spans: list[tuple[int, int]] = []
        start = 0
        for end in [*sorted(b + 1 for b in boundaries if 0 <= b < n - 1), n]:
            if end <= start:
                continue
            c = pre_c[end] - pre_c[start]
            if c:
                sums.append(pre_s[end] - pre_s[start])
                lexes.append(pre_l[end] - pre_l[start])
                counts.append(c)
                spans.append((start, end))
            start = end
        if not counts:
            return -math.inf, ""
        cs = [0.0, *accumulate(sums)]
        cl = [0.0, *accumulate(lexes)]
        cc = [0, *accumulate(counts)]
        best, best_span = -math.inf, (0, 1)
        floor = LEXICON_MIN_TOKENS
        for i, j in chunks(counts):
            tokens = cc[j] - cc[i]
            z = (cs[j] - cs[i]) / tokens + (cl[j] - cl[i]) / (tokens if tokens > floor else floor)
            if z > best:
                best, best_span = z, (i, j)
        i, j = best_span
        return best + self.bias, " ".join(words[spans[i][0]:spans[j - 1][1]])

    def _add_pairs(self, words: list[str], split: dict[int, tuple[str, ...]], lex: list[float]) -> None:
        """Add each word pair's lexicon weight to the lexicon sum of the pair's second word."""
        parts = words
        spans: list[tuple[int, int]] = []  # (first part, number of parts) of each split word
        if split:
            parts, at = [], 0
            for i in sorted(split):
                parts.extend(words[at:i])
                spans.append((len(parts), len(split[i])))
                parts.extend(split[i])
                at = i + 1
            parts.extend(words[at:])
        # weight of the pair ending at each part (C-speed lookups; most pairs are not in the lexicon)
        ending = [0.0, *map(self.pairs.get, pairwise(parts), repeat(0.0))]
        for first, size in reversed(spans):  # a split word's parts back into one entry
            ending[first:first + size] = [sum(ending[first:first + size])]
        lex[:] = map(add, lex, ending)

    def score(self, text: str, folded: str | None = None) -> float:
        z = self.logit(text, folded)
        return 0.0 if z == -math.inf else _sigmoid(z)

    def score_and_chunk(self, text: str, folded: str | None = None) -> tuple[float, str]:
        z, chunk = self.assess(text, folded)
        return (0.0 if z == -math.inf else _sigmoid(z)), chunk
