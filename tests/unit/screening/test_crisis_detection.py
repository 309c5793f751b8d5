"""bot/screening/crisis.py: crisis phrasings by category, slang and misspellings, and the pain
idioms, negations, clinical questions and third-person talk that must not fire."""

from __future__ import annotations

import json
from bisect import bisect_right
from pathlib import Path

import pytest

from bot.screening.crisis import RULES, detect, normalise

ROOT = Path(__file__).resolve().parents[3]
DEV_FILE = ROOT.parent / "shared" / "eval" / "screening-dev.jsonl"
OWN_FILES = sorted((ROOT / "benchmarks" / "data").glob("screening_*.jsonl"))


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


OWN_ROWS = [row for path in OWN_FILES for row in rows(path)]


@pytest.mark.parametrize(("text", "category"), [
    ("I want to kill myself", "explicit_ideation"),
    ("I've been thinking about ending my life", "explicit_ideation"),
    ("been feeling really suicidal this week", "explicit_ideation"),
    ("I have a plan to end it tonight", "intent_plan"),
    ("I've picked a date to end things", "intent_plan"),
    ("I've been cutting myself again", "self_harm"),
    ("the urge to self harm is really strong tonight", "self_harm"),
    ("nobody would miss me if I was gone", "passive_death_wish"),
    ("everyone would be better off without me", "passive_death_wish"),
    ("I wish I could go to sleep and never wake up", "passive_death_wish"),
    ("I don't want to be alive anymore", "passive_death_wish"),
    ("I've been saving up my pills", "method_means"),
    ("I'm going to take all my pills at once", "method_means"),
    ("how many of my gabapentin would it take to not wake up", "method_means"),
    ("I wrote goodbye letters to my kids", "farewell"),
])
def test_crisis_by_category(text: str, category: str) -> None:
    result = detect(text)
    assert (result.level, result.category) == ("crisis", category)
    assert result.rule


@pytest.mark.parametrize("text", [
    "kms fr this pain is unbearable",
    "i wanna unalive myself",
    "thinking about sewer slide again",
    "i want to kil myslef",
    "i want 2 die",
    "I want to k*ll myself",
    "suicidel thoughts all day",
    "sometimes I just want to end it all",
    "i'm gonna off myself",
    "ready to ctb",
])
def test_slang_and_misspellings(text: str) -> None:
    assert detect(text).level == "crisis"


@pytest.mark.parametrize("text", [
    "This flare is killing me",
    "my hips are killing me today",
    "I'd kill for a good night's sleep",
    "I'm dying to try the new stretching routine",
    "my phone died halfway through the call",
    "I was dead tired after physio",
    "my painkillers finally kicked in",
    "that joke killed me",
    "I nearly killed myself tripping over the dog",
    "I'm killing myself trying to keep up at work",
    "I wanted to die of embarrassment when I fell in the shop",
    "My knee wants to die on the stairs lol",
    "The doctor wants to kill the nerve with radiofrequency ablation",
    "we agreed to cut back my meds slowly",
    "I cut myself shaving because my hands shake",
    "I'm so tired of this pain but I'm hanging in there",
])
def test_pain_idioms_do_not_fire(text: str) -> None:
    assert detect(text).level == "none"


@pytest.mark.parametrize("text", [
    "I want the pain to end, not my life",
    "I don't want to die, I want the pain to stop",
    "no, I'm not suicidal, just exhausted",
    "I would never kill myself, my kids need me",
    "my doctor asked if I'd had any suicidal thoughts and I said no",
    "the nurse asked about self harm, I told her I've never done that",
])
def test_negations_and_clinical_questions_do_not_fire(text: str) -> None:
    assert detect(text).level == "none"


def test_a_clinical_question_answered_yes_is_a_crisis() -> None:
    result = detect("my doctor asked if I'd had any suicidal thoughts and I said yes")
    assert (result.level, result.rule) == ("crisis", "clinical_question_answered_yes")


@pytest.mark.parametrize("text", [
    "my uncle killed himself when I was young and it still hurts",
    "September is suicide prevention month, our circle is sharing resources",
    "my friend keeps saying she wants to die, how do I help her?",
])
def test_other_people_and_news_are_not_the_writer_in_crisis(text: str) -> None:
    assert detect(text).level == "none"


@pytest.mark.parametrize("text", [
    "I can't go on like this",
    "I can't do this anymore",
    "I'm such a burden to my family",
    "what's even the point anymore",
    "I want to die lol",
])
def test_ambiguous_passive_statements_are_concern(text: str) -> None:
    assert detect(text).level == "concern"


def test_rule_name_is_reported_and_text_is_not() -> None:
    result = detect("I want to kill myself")
    assert result.rule == "kill_myself"
    assert "kill myself" not in repr(result)


@pytest.mark.parametrize("text", ["", "   ", "\u200b", "🙂", "|||", "a" * 5000])
def test_empty_and_odd_text_is_none(text: str) -> None:
    assert detect(text).level == "none"


# Where the detector deliberately answers differently from how the sentence was first labelled.
DESIGNED_DIFFERENTLY = {
    # A warning sign, but people declutter too: asked about gently rather than alarmed.
    "I've started giving my stuff away": "concern",
    # Hyperbole that still mentions dying earns a gentle check.
    "I'd rather die than go back to that dentist lol": "concern",
}


@pytest.mark.parametrize("row", OWN_ROWS, ids=lambda row: row["text"][:40])
def test_own_sentences_get_their_written_level(row: dict) -> None:
    """Our own sentences (benchmarks/data/): each category, each idiom, written for this bot."""
    expected = DESIGNED_DIFFERENTLY.get(row["text"], row["level"])
    assert detect(row["text"]).level == expected


@pytest.mark.skipif(not DEV_FILE.exists(), reason=f"{DEV_FILE} not present (it lives in ../shared)")
def test_dev_file_recall_and_false_alarms() -> None:
    dev = rows(DEV_FILE)
    missed = [r["text"] for r in dev if r["crisis"] and detect(r["text"]).level != "crisis"]
    alarms = [r["text"] for r in dev if not r["crisis"] and detect(r["text"]).level == "crisis"]
    assert missed == []
    assert len(alarms) <= 1


def test_every_match_is_reachable_through_its_anchor_words() -> None:
    """The detector searches a clause only if it holds one of the rule's anchor words; a rule
    whose pattern can match without them would silently never run."""
    texts = [row["text"] for row in OWN_ROWS] + ([r["text"] for r in rows(DEV_FILE)] if DEV_FILE.exists() else [])
    unreachable = []
    for text in texts:
        norm = normalise(text)
        starts = [i for i, ch in enumerate(norm) if ch == "|"]
        for rule in RULES:
            for m in rule.pattern.finditer(norm):
                n = bisect_right(starts, m.start()) - 1
                clause = norm[starts[n]:starts[n + 1] + 1]
                words = set(clause.split())
                gated = (not rule.anchors.isdisjoint(words) or any(p in clause for p in rule.prefixes)) and (
                    not rule.also or not rule.also.isdisjoint(words))
                if not gated:
                    unreachable.append((rule.name, m.group()))
    assert unreachable == []


def test_normalise_expands_contractions_and_slang_and_marks_clauses() -> None:
    assert normalise("I can't; I'm done. kms") == "| i cannot | i am done | kill myself |"
    assert normalise("I don\u2019t want 2 die") == "| i do not want to die |"
