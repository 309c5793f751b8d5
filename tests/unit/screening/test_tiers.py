"""Crisis tiers (issue 10): each kind of risk, the hard negatives, and which signal decided.

Sentences here were written for these tests (none is in the held-out set: a test checks); they
are regression checks, not estimates. The estimates are the held-out figures in
benchmarks/data/crisis/eval_log.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.screening import crisis_level, screen
from bot.screening.tiers import combine

HELDOUT = sorted((Path(__file__).resolve().parents[3] / "benchmarks" / "data" / "crisis")
                 .glob("crisis_heldout_v*.jsonl"))

AT_RISK = {  # kind -> sentences that must reach concern or above
    "ideation that comes and goes": [
        "the suicidal thoughts come back every few weeks and then drift off again",
        "thoughts of dying keep circling back when the flare peaks",
    ],
    "no reason to go on": [
        "there is no reason for me to keep going anymore",
        "i honestly can't find a reason to carry on",
        "nothing left worth getting up for",
    ],
    "wishing not to exist": [
        "i wish i could just stop existing for a while",
        "i'd give anything to simply not be here",
        "i want to disappear and never come back",
    ],
    "overdose already taken": [
        "i swallowed all of my oxycodone an hour ago",
        "took a whole bottle of paracetamol tonight, feeling weird",
        "i took way more of my pills than i should have on purpose",
    ],
    "self-harm in own words": [
        "i carved into my arm again last night",
        "burned my wrist with a cigarette on purpose",
        "i've been hitting myself when the pain gets bad",
        "i scratched my legs raw last night",
    ],
    "digits, doubled letters, sound-alikes": [
        "i w4nt to d1e",
        "wanna kms tbh",
        "i want to diiiie",
        "thinking about sewerslide again",
    ],
    "a pain patient's death wish": [
        "if this is the rest of my life i'd rather not have the rest of my life",
        "I can't do another thirty years of this pain",
        "i wish the surgery had killed me",
        "i keep wishing the car crash had finished me off",
    ],
    "means and method": [
        "how many tramadol would it take to not wake up",
        "i've been saving my morphine for weeks",
        "i know which bridge i'd use",
    ],
    "veiled plan": [
        "i've decided, it'll be over by the weekend",
        "once the kids are at their dad's i'm going to end things",
    ],
    "goodbye to the group": [
        "this is my last post. thank you all for everything. goodbye",
        "i just wanted to say goodbye to everyone here, you've been so kind",
        "saying my goodbyes tonight, look after each other",
    ],
    "possessions given away": [
        "i'm giving away all my things, i won't need them",
        "gave my cat to my sister, she'll look after her better than i can. won't need anything soon",
    ],
    "feeling a burden": [
        "i'm just a burden to everyone around me",
        "my family would be better off without me",
    ],
    "affairs in order": [
        "i've sorted my will and written letters to everyone i love",
        "put all my affairs in order this week, ready now",
    ],
}

NOT_AT_RISK = {  # kind -> sentences that must stay at none
    "recovery story": [
        "i used to self harm as a teenager, 12 years clean now",
        "my overdose was in 2010, therapy helped and i'm doing well",
    ],
    "idiom on a violent verb": [
        "this flare is killing me",
        "i could murder a cup of tea",
        "my knees are dying on these stairs lol",
    ],
    "painkillers kept for flares": [
        "i keep ibuprofen in every bag for flares",
        "there are painkillers in my car and desk in case a flare hits",
    ],
    "clinical talk": [
        "the nurse asked if i'd had thoughts of suicide and i said no",
        "is it normal for pregabalin to make you dizzy?",
    ],
    "ordinary chat": [
        "see you all thursday!",
        "my cat knocked my tea over again",
        "does anyone have a recipe for an easy soup",
        "the physio gave me new stretches",
    ],
    "dark humour": [
        "my spine and i are no longer on speaking terms",
        "i'm held together by coffee and ibuprofen",
    ],
    "worry about someone else": ["worried about my friend, she's been talking about ending it"],
    "news": [
        "the news covered the inquest today",
        "new stats out on suicide rates in people with crps, grim reading",
        "there's a podcast about self-harm and chronic illness, link in resources",
    ],
}


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(kind, text) for kind, texts in table.items() for text in texts]


def test_no_test_sentence_is_a_held_out_sentence() -> None:
    assert len(HELDOUT) >= 2
    held = {json.loads(line)["text"].lower() for path in HELDOUT for line in path.read_text().splitlines() if line}
    for _, text in _cases(AT_RISK) + _cases(NOT_AT_RISK):
        assert text.lower() not in held


# Every signal name a verdict can carry: rule, model, both (rule and model), encoder, and combinations.
SIGNALS = ("rule", "model", "both", "encoder", "rule+encoder", "model+encoder", "both+encoder")


@pytest.mark.parametrize(("kind", "text"), _cases(AT_RISK))
def test_each_kind_of_risk_reaches_concern_or_above(kind: str, text: str) -> None:
    result = screen(text)
    assert result.crisis in ("concern", "crisis"), kind
    assert result.signal in SIGNALS


@pytest.mark.parametrize(("kind", "text"), _cases(NOT_AT_RISK))
def test_hard_negatives_stay_none(kind: str, text: str) -> None:
    result = screen(text)
    assert (result.crisis, result.signal) == ("none", None), kind


@pytest.mark.parametrize("text", [
    "I want to kill myself",
    "I've picked a date to end things",
    "I've been saving up my pills",
    "I wrote goodbye letters to my kids",
    "took a whole bottle of paracetamol tonight, feeling weird",
])
def test_intent_plan_means_farewell_and_acts_are_crisis(text: str) -> None:
    assert screen(text).crisis == "crisis"


@pytest.mark.parametrize("text", [
    "I don't want to be alive anymore",
    "everyone would be better off without me",
    "I wish I could go to sleep and never wake up",
    "been feeling really suicidal this week",
])
def test_passive_wishes_and_the_word_suicidal_are_concern(text: str) -> None:
    """Issue 10's tiers: no intent, plan, means, farewell or act: a private check-in, not a case.
    (The rules alone call these "crisis": ``bot.screening.crisis.detect`` keeps its own level.)"""
    assert screen(text).crisis == "concern"


@pytest.mark.parametrize("text", [
    "watched a documentary about suicide last night and honestly i feel suicidal too",
    "the article on suicide rates got to me, been having suicidal thoughts all week",
])
def test_news_does_not_clear_what_the_member_says_of_themself(text: str) -> None:
    """News words clear the bare word "suicide", never a first-person statement beside them."""
    assert screen(text).crisis in ("concern", "crisis")


def test_a_passive_rule_naming_a_plan_stays_crisis() -> None:
    assert screen("I'm going to commit suicide tonight").crisis == "crisis"


def test_the_verdict_names_the_signal_never_the_text() -> None:
    result = crisis_level("i swallowed all of my oxycodone an hour ago")
    # an overdose already taken, without the word: crisis, on the learned layers (no rule)
    assert (result.level, result.signal, result.rule) == ("crisis", "model+encoder", None)
    verdict = screen("i swallowed all of my oxycodone an hour ago").to_json()
    assert verdict["signal"] == "model+encoder" and verdict["rule"] is None


def test_combine_signals_and_cues() -> None:
    t = {"t_concern": 0.4, "t_crisis": 0.7}
    assert combine("crisis", "kill_myself", 0.1, cue={}, **t) == ("crisis", "rule")
    assert combine("none", None, 0.8, cue={}, **t) == ("crisis", "model")
    assert combine("none", None, 0.5, cue={}, **t) == ("concern", "model")
    assert combine("concern", "burden", 0.5, cue={}, **t) == ("concern", "both")
    assert combine("concern", "burden", 0.9, cue={}, **t) == ("crisis", "both")
    # a passive-wish rule is concern; with the model at crisis level both agree on crisis
    assert combine("crisis", "stop_existing", 0.5, cue={}, **t) == ("concern", "both")
    assert combine("crisis", "stop_existing", 0.1, cue={}, **t) == ("concern", "rule")
    assert combine("crisis", "stop_existing", 0.9, cue={}, **t) == ("crisis", "both")
    assert combine("crisis", "stop_existing", 0.1, cue={"intent": True}, **t) == ("crisis", "rule")
    # ideation said to come and go is concern
    assert combine("crisis", "want_to_die", 0.1, cue={"episodic": True}, **t) == ("concern", "rule")
    # lowering cues act on the model: idiom, third person, news, clinical lower one tier...
    assert combine("none", None, 0.8, cue={"idiom": True}, **t) == ("concern", "model")
    assert combine("none", None, 0.5, cue={"third_person": True}, **t) == ("none", None)
    # ...negation, recovered and "asked, answered no" take it to none
    assert combine("none", None, 0.8, cue={"negation": True}, **t) == ("none", None)
    assert combine("none", None, 0.8, cue={"past_recovered": True}, **t) == ("none", None)
    # a rule crisis told as past and recovered becomes concern
    assert combine("crisis", "end_my_life", 0.1, cue={"past_recovered": True}, **t) == ("concern", "rule")
    # naming suicide about oneself is at least concern
    assert combine("none", None, 0.1, cue={"self_word": True}, **t) == ("concern", "rule")
