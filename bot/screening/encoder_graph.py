"""Write the encoder's ONNX graph (``minilm-l6-v2.onnx``) for the weights the bot ships.

    python -m bot.screening.encoder_graph [--data DIR]

The graph holds no weights of its own: each weight is an ONNX "external data" entry pointing at
its bytes inside ``minilm-l6-v2.f16.safetensors`` (a safetensors file is a JSON header followed by
the raw little-endian tensors, which is what ONNX external data is). So the repo carries the
weights once, in the file the manifest already pins, and a graph of ~30 KB beside it; onnxruntime
casts them to float32 and folds the transposes once, when the session is made.

The graph is the forward pass of ``bot.screening.encoder_reference`` op for op (the same tanh
gelu, layer-norm epsilon and attention mask), and this tool refuses to write one whose embeddings
differ from the reference's (cosine under ``MIN_COSINE`` on any of ``CHECK_SENTENCES``). It runs
whenever the weights are written (``build_encoder``, ``finetune``: the byte offsets follow the
safetensors header) and rewrites ``manifest.json``'s hash for the graph. Same weights file, same
graph bytes (a test rebuilds it). Needs the ``onnx`` package (the ``train`` and ``test`` extras);
the bot itself needs only onnxruntime.
"""

from __future__ import annotations

import argparse
import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np

from bot.screening.encoder import DATA, GRAPH, HEADS, HIDDEN, LAYERS, MANIFEST, WEIGHTS, sha256_of

OPSET = 20  # Gelu with approximate="tanh" arrived in opset 20
MIN_COSINE = 0.99999
QKV = ("query", "key", "value")
CHECK_SENTENCES = (
    "see you all at thursday's check-in",
    "I have given my dog to my sister and written letters for everyone",
    "flare day, staying in bed with the heat pad and a podcast. anyone else? " * 4,
    "ok",
)


def _safetensors_header(path: Path) -> tuple[int, dict[str, Any]]:
    """Where the tensors' bytes start, and each tensor's dtype, shape and byte range after that."""
    with path.open("rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header: dict[str, Any] = json.loads(f.read(size))
    header.pop("__metadata__", None)
    return 8 + size, header


def graph_bytes(weights: Path) -> bytes:
    """The serialised graph whose weights are the tensors of ``weights`` (a float16 safetensors file
    in the same folder as the graph will be)."""
    from onnx import TensorProto, numpy_helper
    from onnx import helper as oh

    start, header = _safetensors_header(weights)
    initializers: dict[str, Any] = {}
    nodes: list[Any] = []

    def node(op: str, inputs: list[str], **attrs: Any) -> str:
        out = f"{op.lower()}_{len(nodes)}"
        nodes.append(oh.make_node(op, inputs, [out], **attrs))
        return out

    def stored(name: str) -> str:
        """A shipped tensor as it is stored (float16), read from the weights file."""
        if name not in initializers:
            info = header[name]
            if info["dtype"] != "F16":
                raise ValueError(f"{weights.name}: {name} is {info['dtype']}, not F16")
            t = TensorProto(name=name, data_type=TensorProto.FLOAT16, dims=info["shape"],
                            data_location=TensorProto.EXTERNAL)
            begin, end = info["data_offsets"]
            where = (("location", weights.name), ("offset", str(start + begin)), ("length", str(end - begin)))
            for key, value in where:
                entry = t.external_data.add()
                entry.key, entry.value = key, value
            initializers[name] = t
        return name

    def weight(name: str) -> str:
        """A shipped tensor as float32 (the cast is folded once, when the session is made)."""
        return node("Cast", [stored(name)], to=TensorProto.FLOAT)

    def const(name: str, value: Any) -> str:
        initializers[name] = numpy_helper.from_array(np.asarray(value), name)
        return name

    def linear(x: str, prefix: str) -> str:  # x @ W.T + b, as torch's Linear
        return node("Add", [node("MatMul", [x, node("Transpose", [weight(prefix + ".weight")], perm=[1, 0])]),
                            weight(prefix + ".bias")])

    def layer_norm(x: str, prefix: str) -> str:
        return node("LayerNormalization", [x, weight(prefix + ".weight"), weight(prefix + ".bias")], axis=-1,
                    epsilon=1e-12)

    d = HIDDEN // HEADS
    const("scale", np.float32(1.0 / math.sqrt(d)))
    const("heads_shape", np.array([0, 0, HEADS, d], np.int64))
    const("hidden_shape", np.array([0, 0, HIDDEN], np.int64))
    length = node("Slice", [node("Shape", ["input_ids"]), const("one", np.array([1], np.int64)),
                            const("two", np.array([2], np.int64))])
    positions = node("Slice", [weight("embeddings.position_embeddings.weight"), const("zero", np.array([0], np.int64)),
                               length, "zero"])
    type0 = node("Gather", [weight("embeddings.token_type_embeddings.weight"), const("first", np.int64(0))], axis=0)
    # The word table (30,522 x 384) stays float16 in memory: the rows a text needs are gathered and
    # then cast, the same values as a cast table, without a 47 MB float32 copy of it.
    words = node("Cast", [node("Gather", [stored("embeddings.word_embeddings.weight"), "input_ids"])],
                 to=TensorProto.FLOAT)
    x = node("Add", [node("Add", [words, positions]), type0])
    x = layer_norm(x, "embeddings.LayerNorm")

    def heads(t: str) -> str:  # (n, L, 384) -> (n, H, L, d)
        return node("Transpose", [node("Reshape", [t, "heads_shape"])], perm=[0, 2, 1, 3])

    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        a = p + "attention."
        # Query, key and value in one product (the concatenated weights are folded once, at load).
        qkv_w = node("Concat", [node("Transpose", [weight(a + f"self.{n}.weight")], perm=[1, 0]) for n in QKV], axis=1)
        qkv_b = node("Concat", [weight(a + f"self.{n}.bias") for n in QKV], axis=0)
        qkv = node("Add", [node("MatMul", [x, qkv_w]), qkv_b])
        split = [f"{qkv}_{n}" for n in QKV]
        nodes.append(oh.make_node("Split", [qkv], split, axis=-1, num_outputs=3))
        q, k, v = (heads(s) for s in split)
        scores = node("Add", [node("Mul", [node("MatMul", [q, node("Transpose", [k], perm=[0, 1, 3, 2])]), "scale"]),
                              "attention_bias"])
        ctx = node("MatMul", [node("Softmax", [scores], axis=-1), v])
        ctx = node("Reshape", [node("Transpose", [ctx], perm=[0, 2, 1, 3]), "hidden_shape"])
        x = layer_norm(node("Add", [x, linear(ctx, a + "output.dense")]), a + "output.LayerNorm")
        h = node("Gelu", [linear(x, p + "intermediate.dense")], approximate="tanh")
        x = layer_norm(node("Add", [x, linear(h, p + "output.dense")]), p + "output.LayerNorm")
    nodes.append(oh.make_node("Identity", [x], ["hidden"]))
    graph = oh.make_graph(
        nodes, "minilm-l6-v2",
        [oh.make_tensor_value_info("input_ids", TensorProto.INT64, ["n", "L"]),
         oh.make_tensor_value_info("attention_bias", TensorProto.FLOAT, ["n", 1, 1, "L"])],
        [oh.make_tensor_value_info("hidden", TensorProto.FLOAT, ["n", "L", HIDDEN])],
        initializer=[initializers[name] for name in sorted(initializers)])
    model = oh.make_model(graph, opset_imports=[oh.make_opsetid("", OPSET)], producer_name="peer-circles")
    model.ir_version = 10  # what onnxruntime 1.32 reads; make_model would stamp the onnx package's newest
    return bytes(model.SerializeToString(deterministic=True))


def check_against_reference(data: Path) -> float:
    """The lowest cosine between the graph's and the numpy reference's embeddings; raises when it is
    under ``MIN_COSINE``."""
    from bot.screening.encoder import Encoder
    from bot.screening.encoder_reference import ReferenceEncoder

    texts = list(CHECK_SENTENCES)
    ours, reference = Encoder(data).embed(texts), ReferenceEncoder(data).embed(texts)
    lowest = float(np.min(np.sum(ours * reference, axis=1)))
    if lowest < MIN_COSINE:
        raise ValueError(f"the graph's embeddings differ from the reference's (lowest cosine {lowest:.6f})")
    return lowest


def write_graph(data: Path = DATA) -> str:
    """Write the graph beside ``data``'s weights, pin it in the manifest, check it; its sha256."""
    import onnx

    (data / GRAPH.name).write_bytes(graph_bytes(data / WEIGHTS.name))
    onnx.checker.check_model(str(data / GRAPH.name))  # by path: it reads the external data beside it
    manifest_path = data / MANIFEST.name
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"][GRAPH.name] = sha256_of(data / GRAPH.name)
    manifest["files"] = dict(sorted(manifest["files"].items()))
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    check_against_reference(data)
    return str(manifest["files"][GRAPH.name])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the encoder's folder (default: the shipped one)")
    args = parser.parse_args(argv)
    digest = write_graph(args.data)
    print(f"wrote {args.data / GRAPH.name} (sha256 {digest}); it matches the numpy reference")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
