"""bot/screening/profanity.py: the trimmed list passes medical, identity and everyday words, respects word
boundaries, catches leet-speak, censors keeping the word's shape, and takes server words."""

from __future__ import annotations

import pytest

from bot.screening import profanity
from bot.screening.profanity import WordSettings, censor, contains, find, read_allowlist, read_source_words

ALLOWLIST = read_allowlist()


def test_substitution_table_is_better_profanitys_own() -> None:
    from better_profanity import Profanity

    assert Profanity().CHARS_MAPPING == profanity.SOURCE_SUBSTITUTIONS


def test_allowlist_has_the_reviewed_categories() -> None:
    assert {"medical", "medications and substances", "anatomy", "sexual and reproductive health",
            "identity", "everyday words and names"} <= set(ALLOWLIST)


def test_every_allowlist_entry_is_a_word_of_the_source_list() -> None:
    source = {w.lower() for w in read_source_words()}
    assert [w for words in ALLOWLIST.values() for w in words if w not in source] == []


@pytest.mark.parametrize("category", sorted(ALLOWLIST))
def test_allowlisted_words_pass_in_a_sentence(category: str) -> None:
    flagged = [w for w in ALLOWLIST[category] if contains(f"my {w} has been sore since Tuesday")]
    assert flagged == []


@pytest.mark.parametrize("text", [
    "anal fissure recovery is brutal",
    "rectal pain after the colonoscopy",
    "I have vulvodynia and vaginal pain, and my vagina hurts",
    "penile pain after surgery; my penis is numb",
    "my uterus is on fire with endometriosis",
    "my ovary cyst burst last month",
    "HIV neuropathy in my feet is worse at night",
    "the herpes flare made my nerve pain worse",
    "I had a stroke last year",
    "my doctor prescribed valium for muscle spasms",
    "opiate withdrawal was brutal",
    "menstruation makes my pain worse",
    "it hurts to pee and my testicles ache",
    "tampons make my cramps worse and my breasts hurt",
    "a niggling pain in my hip",
    "the wound is oozing puss",
])
def test_medical_and_anatomical_words_pass(text: str) -> None:
    assert not contains(text)


@pytest.mark.parametrize("text", [
    "I'm gay and my partner helps with my meds",
    "as a queer person with fibromyalgia I felt seen today",
    "our lesbians and queers meet on Thursday",
    "I'm transsexual and my pain is real",
])
def test_identity_words_pass(text: str) -> None:
    assert not contains(text)


@pytest.mark.parametrize("text", [
    "so use it when you need it",          # better-profanity reads "souse"
    "he be here at nine to drive me",      # ... and "hebe"
    "my appointment at Scunthorpe hospital",
    "a cocktail of meds every morning",
    "the analysis came back fine",
    "my class assessment is next week",
    "I'm reading Dickens",
    "leech therapy, really",                # not "lech" with a repeated e
    "I assume the assistant is busy",
    "titanium rods in my spine",
    "cumulative fatigue is real",
    "I can't drink vodka on these meds anyway",
    "a flare from hell",
])
def test_joined_and_embedded_words_pass(text: str) -> None:
    assert not contains(text)


@pytest.mark.parametrize("text", [
    "this fucking flare won't stop",
    "the insurance company is full of shit",
    "what a bunch of assholes at the clinic",   # plural of a listed word
    "sh1t day, pain at 8/10",
    "the receptionist was a b!tch",
    "f*ck this",
    "my GP is an a$$hole",
    "fuuuuck my back",
    "f u c k this flare",
    "S.H.I.T. happens",
    "ｆｕｃｋ full-width",
    "Fück accents",
    "f\u200bu\u200bck with zero-width spaces",
    "a total clusterfuck",
    "fu\u0441k with a Cyrillic look-alike",
    "**fuck** in bold",
])
def test_profanity_and_leet_speak_caught(text: str) -> None:
    assert contains(text)


def test_spans_point_at_the_words() -> None:
    text = "well shit, that fucking hurt"
    assert [text[s:e] for s, e in find(text)] == ["shit", "fucking"]


@pytest.mark.parametrize(("text", "expected"), [
    ("fuck", "f***"),
    ("Shit happens", "S*** happens"),
    ("**fuck** it", "**f***** it"),
    ("f.u.c.k", "f.*.*.*"),
    ("bull shit", "b*** ****"),
    ("a$$hole", "a******"),
])
def test_censor_keeps_length_and_shape(text: str, expected: str) -> None:
    assert censor(text) == expected


def test_censored_words_no_longer_match() -> None:
    words = profanity.default_matcher().words
    still = [w for w in words if contains(censor(w))]
    assert still == []


def test_every_remaining_source_word_is_caught() -> None:
    missed = [w for w in profanity.default_matcher().words if not contains(w)]
    assert missed == []


def test_server_can_add_a_word_and_its_leet_spellings() -> None:
    words = WordSettings(added=frozenset({"flare"}))
    assert contains("this fl4re again", words)
    assert not contains("this fl4re again")
    assert censor("what a flare", words) == "what a f****"


def test_server_can_allow_a_word() -> None:
    words = WordSettings(allowed=frozenset({"damn"}))
    assert contains("damn this pain")
    assert not contains("damn this pain", words)
    assert not contains("d@mn this pain", words)
    assert contains("damn this shit", words)


def test_allowing_a_word_leaves_its_longer_relatives_blocked() -> None:
    words = WordSettings(allowed=frozenset({"fuck"}))
    assert not contains("fuck", words)
    assert contains("motherfucker", words)


def test_added_word_wins_over_allowed_spelling_of_itself() -> None:
    words = WordSettings(added=frozenset({"crap"}), allowed=frozenset({"crap"}))
    assert contains("crap day", words)


def test_empty_and_whitespace_text() -> None:
    assert find("") == []
    assert censor("   ") == "   "


# Long text: a swear word among many clean words, two-word entries across spacing, server words.

_FILLER = "my back pain is bad today and the flare will not stop so I rest "


def test_clean_chunks_are_remembered_and_a_new_swear_word_among_them_is_still_found() -> None:
    text = _FILLER * 3
    assert find(text) == []
    swearing = _FILLER + "this shit again " + _FILLER
    start = swearing.index("shit")
    assert find(swearing) == [(start, start + 4)]
    assert censor(swearing) == swearing.replace("shit", "s***")


def test_a_two_word_entry_is_caught_across_chunks_already_known_clean() -> None:
    # "three" and "some" are each clean alone, and remembered as such first.
    assert find(_FILLER + "three weeks and some days " + _FILLER) == []
    text = _FILLER + "a three  some night " + _FILLER
    start = text.index("three")
    assert find(text) == [(start, start + len("three  some"))]
    # Across a tab and an invisible character too, at the very end of the text.
    tail = _FILLER + "she\t\u200bmale"
    assert find(tail) == [(len(_FILLER), len(tail))]


def test_a_server_word_is_not_remembered_as_clean_for_other_servers() -> None:
    words = WordSettings(added=frozenset({"flarewords"}))
    text = _FILLER + "flarewords " + _FILLER
    assert find(text) == []  # the default list: clean, and remembered as such
    start = text.index("flarewords")
    assert find(text, words) == [(start, start + len("flarewords"))]
    assert find(text) == []


def test_a_server_allowing_a_stem_gets_its_own_memory() -> None:
    text = _FILLER + "clusterfuck " + _FILLER
    allows = WordSettings(allowed=frozenset({"fuck"}))
    assert find(text, allows) == []
    start = text.index("clusterfuck")
    assert find(text) == [(start, start + len("clusterfuck"))]
