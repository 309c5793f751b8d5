"""all-MiniLM-L6-v2's forward pass written out in numpy: the reference the shipped graph is checked against.

The bot runs the encoder in onnxruntime (``bot.screening.encoder``; why, measured, in
docs/screening.md). This module is what that graph must equal: ``python -m
bot.screening.encoder_graph`` refuses to write a graph whose embeddings differ from these, and a
test checks the shipped one. It was itself checked against transformers' float32 model (a cosine
of 0.999999 per sentence embedding with the package's own weights, docs/screening.md).

It reads the same files (the float16 safetensors, the tokenizer) and pools as the runtime does
(``bot.screening.encoder.pool``), so the two differ only in who multiplies the matrices.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.screening.encoder import DATA, HEADS, HIDDEN, LAYERS, TOKENIZER, WEIGHTS, load_tokenizer, padded, pool

_EPS = 1e-12
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


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


def gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact gelu is x * Phi(x); numpy has no erf, and the tanh form differs from it by
    # under 1e-3 in the activations (the pooled embedding by a cosine above 0.99999). The graph
    # uses the same tanh form (ONNX Gelu, approximate="tanh"), so the thresholds chosen on this
    # pass hold for it unchanged.
    return 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))


class ReferenceEncoder:
    """The forward pass in numpy; ``embed`` as ``Encoder.embed``. Slower (docs/screening.md)."""

    def __init__(self, data: Path = DATA) -> None:
        from safetensors.numpy import load_file

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
        self.tokenizer = load_tokenizer(data / TOKENIZER.name)

    def hidden(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's (n, L, 384) states for padded ``tokens`` (padding masked out)."""
        n, length = tokens.shape
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
            h = gelu(x @ lay.up_w + lay.up_b)
            x = _layer_norm(x + h @ lay.down_w + lay.down_b, lay.ln2_g, lay.ln2_b)
        return x

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, HIDDEN), np.float32)
        tokens, mask = padded([e.ids for e in self.tokenizer.encode_batch(list(texts))])
        return pool(self.hidden(tokens, mask), mask)
