"""bot/screening/semantic.py: the learned model, read from the installed wordllama wheel only."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.screening import semantic
from bot.screening.semantic import CrisisModel, Head, ModelUnavailable

TRAINING = Path(semantic.__file__).resolve().parent / "training"


@pytest.fixture(scope="module")
def model() -> CrisisModel:
    return CrisisModel()


def test_loads_and_scores_without_network(no_network: list[str]) -> None:
    m = CrisisModel()
    assert 0.0 <= m.score("took every tablet in the box an hour ago") <= 1.0
    assert no_network == []


def test_building_the_model_never_imports_wordllama() -> None:
    """wordllama's own import chain costs ~35 MB and its loader may reach for the hub."""
    code = ("import sys; from bot.screening.semantic import CrisisModel; CrisisModel().score('hello'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('wordllama', 'requests', 'pydantic')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_reads_the_same_matrix_and_tokens_as_wordllama_itself(no_network: list[str]) -> None:
    """Our reader of the wheel's files gives what wordllama's own offline loader gives."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from wordllama import WordLlama  # its import calls logging.basicConfig: undone below

        pkg = semantic.wordllama_dir()
        wl = WordLlama.load(semantic.CONFIG, cache_dir=pkg, dim=semantic.DIM, disable_download=True)
    finally:
        for h in list(root.handlers):
            if h not in handlers:
                root.removeHandler(h)
        root.setLevel(level)
    weights, tokenizer = semantic.model_files()
    ours = np.asarray(semantic.open_matrix(weights), dtype=np.float32)
    assert np.array_equal(ours, wl.embedding)
    text = "i've been saving my pills, sorry everyone"
    assert semantic.load_tokenizer(tokenizer).encode(text, add_special_tokens=False).ids == \
        wl.tokenizer.encode(text, add_special_tokens=False).ids
    assert no_network == []


def test_missing_files_raise_instead_of_downloading(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable):
        semantic.model_files(tmp_path)


def test_another_wordllama_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semantic.importlib.metadata, "version", lambda name: "0.3.9")
    with pytest.raises(ModelUnavailable, match=r"trained on"):
        semantic.wordllama_dir()


def test_word_table_gives_the_tokenizers_own_ids(model: CrisisModel) -> None:
    """Tokenising word by word through the table equals tokenising the whole text."""
    rows = [json.loads(line) for line in (TRAINING / "crisis_train.jsonl").read_text().splitlines()[:150]]
    tokenizer = model.vocab.tokenizer
    for row in rows:
        words = [w for w in semantic.words_of(semantic.normalise(row["text"])) if w]
        ids = [t for word_ids in model.vocab.ids(words) for t in word_ids]
        assert ids == tokenizer.encode(" ".join(words), add_special_tokens=False).ids


def test_folded_head_equals_the_logistic_regression_on_its_features(model: CrisisModel) -> None:
    """The scorer folds embedding and lexicon into per-word scores; it must equal the head
    applied to the training path's features (mean embedding, words and word pairs)."""
    head = Head.load()
    weights, _ = semantic.model_files()
    matrix = np.asarray(semantic.open_matrix(weights), dtype=np.float32)
    assert head.lexicon and any(" " in key for key in head.lexicon)
    for text in ("i have saved up enough of my pills", "see you thursday", "this flare is killing me",
                 "my back, my knees. the pain, but, the pain!! my back"):
        chunks = semantic.chunk_features(matrix, model.vocab, text)
        reference = max(head.logit_of(c) for c in chunks[1:])
        assert abs(model.logit(text) - reference) < 1e-6


def test_fast_sentence_ends_equal_the_reference_chunking(model: CrisisModel) -> None:
    """The scorer finds sentence ends among table words only when a punctuation word is there,
    and word pairs without looking for ends at all; its max over chunks must equal the training
    path's, end markers, break words and punctuation stuck to words or not."""
    head = Head.load()
    weights, _ = semantic.model_files()
    matrix = np.asarray(semantic.open_matrix(weights), dtype=np.float32)
    texts = [
        "the flare was bad today . i took my tablets and slept ! see you all on thursday at the circle",
        "i have saved up my pills but. i am fine really ; the cat is asleep on the heat pad again ...",
        "no end marks here at all just words about the physio and the weather and my knees",
        "tired of it all?! maybe tomorrow is better ?? the snooker is on later, anyway",
        "but, anyway: yes. no",
    ]
    lines = (TRAINING / "crisis_train_t1_t7.jsonl").read_text().splitlines()[:300]
    texts += [json.loads(line)["text"] for line in lines]
    for text in texts:
        chunks = semantic.chunk_features(matrix, model.vocab, text)
        reference = max(head.logit_of(c) for c in chunks[1:])
        assert abs(model.logit(text) - reference) < 1e-6, text


def test_leet_hint_finds_what_the_letter_first_pattern_found() -> None:
    """The hint search starts at the digit (speed); it must say yes exactly when the plain
    letter-digit-letter / letter-digit-end pattern would."""
    import random
    import re

    plain = re.compile(r"[a-z][0-9!@$*][a-z]|[a-z][0-9]\b")
    rnd = random.Random(5)
    alphabet = "ak9!@$*1 .z_-'0\u00e9Z3"
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 9)))
        assert bool(semantic._LEET_HINT.search(text)) == bool(plain.search(text)), text
    assert semantic.normalise("i want to k1ll myself") == "i want to kill myself"
    assert semantic.normalise("took 300mg at 9") == "took 300mg at 9"


def test_short_fragments_never_decide_alone() -> None:
    assert semantic.chunks([12, 2, 9]) == [(0, 3), (0, 1), (0, 2), (2, 3), (1, 3)]
    assert (1, 2) not in semantic.chunks([12, 2, 9])
    assert semantic.chunks([3]) == [(0, 1)]  # a short message is its own chunk


def test_a_risky_sentence_inside_a_long_message_is_found(model: CrisisModel) -> None:
    filler = "The weather was lovely and we went to the garden centre for scones. " * 25
    risky = "I took all of my tablets about an hour ago and I feel strange."
    assert model.score(filler + risky + " " + filler) > model.score(filler)
    assert model.score(filler + risky + " " + filler) >= model.t_concern


def test_normalise_reads_digits_doubled_letters_and_spacing() -> None:
    assert semantic.normalise("I w4nt to k1ll myseeelf") == "i want to kill myseelf"
    assert semantic.normalise("k i l l myself") == "kill myself"
    assert semantic.normalise("took 300mg at 2pm") == "took 300mg at 2pm"


def test_head_file_is_small_and_its_thresholds_ordered() -> None:
    assert semantic.HEAD_PATH.stat().st_size < 800_000  # 727 KB after round 9 (18,637 lexicon keys)
    head = Head.load()
    assert 0.0 < head.t_concern < head.t_crisis < 1.0
