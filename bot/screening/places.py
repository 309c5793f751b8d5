"""Street addresses and workplaces in a text, for bot.screening.identifying's warnings.

A street address is a house number and a street word, in UK, US, Australian, Canadian and Irish
forms ("14 Elm Street", "flat 3, 22 Bridge Rd", "apt 4B 120 W 72nd St", "5/22 Smith St"), with a
town and postcode or ZIP code when one follows. A workplace is a named employer after words about
work ("I work at Tesco in Leeds", "my manager at Amazon", "I'm a nurse at St Mary's", "works for
the council"); a generic place ("at the hospital", "I work at home") is not a name.

Every pattern is bounded: gaps are at most a few spaces and words at most a few dozen characters,
so each match attempt reads a bounded stretch and a whole text is read in linear time
(tests/unit/screening/test_places.py times hostile input). The labelled sentences these were tuned
on, and the held-out ones that judged them, are in benchmarks/data/identifying/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GAP = r"[ \t]{1,4}"  # never an unbounded run: a long stretch of spaces is no address

# -- street addresses ---------------------------------------------------------------------------

_SUFFIX_FULL = (
    "street|road|avenue|lane|drive|close|crescent|court|place|terrace|way|boulevard|grove|gardens|"
    "square|parade|highway|row|mews|walk|hill|green|rise|vale|wynd|parkway|quay|esplanade|embankment"
)
_SUFFIX_SHORT = "st|rd|ave|av|ln|dr|cres|ct|pl|tce|terr|blvd|gdns|sq|pde|hwy|pkwy"
# A lower-case address ("22 oak street") ends in a word that is rarely anything but a street.
_SUFFIX_LOWER = {"street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "crescent", "terrace",
                 "boulevard", "blvd", "gardens", "gdns", "close"}
_NUMBER = r"\d{1,5}[A-Za-z]?(?![\w/])"
_UNIT = rf"(?:(?i:flat|apt\.?|apartment|unit|suite|ste\.?){_GAP}\d{{1,5}}[A-Za-z]?,?{_GAP}|\d{{1,5}}[A-Za-z]?/)"
_DIRECTION = rf"(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?{_GAP})"
# A street's own name: capitalised words ("St Mary's", "O'Connell", "The"), ordinals ("72nd"), or
# lower-case words (checked against _NOT_A_NAME afterwards).
_NAME_WORD = r"(?:[A-Za-z][\w'’.-]{0,24}|\d{1,3}(?:st|nd|rd|th))"
_ADDRESS = re.compile(
    rf"(?<![\w/.#-])(?P<unit>{_UNIT})?(?P<number>{_NUMBER}(?:-\d{{1,5}}[A-Za-z]?)?){_GAP}{_DIRECTION}?"
    rf"(?P<name>{_NAME_WORD}(?:{_GAP}{_NAME_WORD}){{0,2}}){_GAP}"
    rf"(?P<suffix>(?i:{_SUFFIX_FULL}|{_SUFFIX_SHORT}))\b\.?(?:{_GAP}(?:N|S|E|W|NE|NW|SE|SW)\b)?"
)
# Words that show a number is a count, a dose or a time, not a house ("2 miles down the road"),
# in any case ("10 Minute Walk"); and words that, in lower case, are a phrase, not a street's name.
_COUNT_WORDS = _words(
    "more less few whole half long short other same next last first every each best top good bad "
    "miles mile km metres meters yards steps laps lengths minutes minute min mins hours hour hrs days day "
    "weeks week months month years year times pm am mg ml pills tablets doses tips ways things reasons "
    "bus buses"
)
_NOT_A_NAME = _COUNT_WORDS | _words(
    "the a an my your our his her their this that of to in on at by up down along around from into for "
    "with and or but just goes went walked drove"
)
# A number that names a bus route or a film, not a house: "the 3 Bridge Rd bus", "seen 21 Jump Street".
_ROUTE_BEFORE = _words("the a number no no. route bus tram seen watched watching watch rewatched film "
                          "movie episode season")
_ROUTE_AFTER = _words("bus buses tram route service coach")
# A unit after the street ("Suite 400"), then the town and a postcode, ZIP or Eircode.
_POSTCODE = (
    r"(?:[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}"      # UK: LS6 2AB, SW1A 1AA, M5 3EX
    r"|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d"                 # Canada: M5H 2N2
    r"|[AC-FHKNPRTV-Y]\d[\dW][ \t]?[0-9AC-FHKNPRTV-Y]{4}"  # Ireland: D01 F5P2, T12 X8R6
    r"|\d{5}(?:-\d{4})?"                            # US ZIP: 45402, 45402-1234
    r"|\d{4})(?![\w])"                              # Australia: 3065 (after a town or state)
)
_TOWN = r"[A-Z][\w'’.-]{1,24}(?:[ \t][A-Z][\w'’.-]{1,24}){0,2}(?:[ \t]\d{1,2})?"
_STATE = r"[A-Z]{2,3}"
_AFTER_ADDRESS = re.compile(
    rf"(?:,?{_GAP}(?i:suite|ste\.?|unit|apt\.?|flat){_GAP}\d{{1,5}}[A-Za-z]?)?"
    rf"(?:,?{_GAP}{_TOWN})?(?:,?{_GAP}{_STATE})?,?{_GAP}{_POSTCODE}"
)
_WORD_BEFORE = re.compile(r"([\w.]{1,20})[ \t]{1,4}$")
_WORD_AFTER = re.compile(r"[ \t]{1,4}(\w{1,20})")


def _is_address(text: str, m: re.Match[str]) -> bool:
    words = m.group("name").split()
    if any(w.islower() for w in words) or m.group("suffix").islower():
        # Lower case anywhere: every word must look like a street's name, not a count or a phrase.
        if any(w.lower().strip(".") in _NOT_A_NAME for w in words):
            return False
        if m.group("suffix").lower() not in _SUFFIX_LOWER and not words[-1][:1].isupper():
            return False
    if any(w.lower() in _COUNT_WORDS for w in words):
        return False
    if m.group("unit") is None:
        before = _WORD_BEFORE.search(text, max(0, m.start() - 25), m.start())
        if before and before.group(1).lower() in _ROUTE_BEFORE:
            return False
    after = _WORD_AFTER.match(text, m.end())
    return not (after and after.group(1).lower() in _ROUTE_AFTER)


def find_addresses(text: str, limit: int) -> Iterator[tuple[int, int]]:
    """Spans of street addresses (with a following town and postcode), at most ``limit``."""
    if not any(ch.isdigit() for ch in text):
        return
    found = (m for m in _ADDRESS.finditer(text) if _is_address(text, m))
    for m in islice(found, limit):
        tail = _AFTER_ADDRESS.match(text, m.end())
        yield m.start(), tail.end() if tail else m.end()


# -- workplaces ---------------------------------------------------------------------------------

_ORG_WORD = r"(?:(?!I\b|I[’'])[A-Z][\w'’.-]{0,30})"  # not the pronoun: "at Tesco and I..."
_ORG = rf"{_ORG_WORD}(?:(?:{_GAP}(?:of|&|and|de|la|on|upon)){{0,1}}{_GAP}{_ORG_WORD}){{0,4}}"
_COUNCIL = r"(?:the[ \t]{1,4}(?:(?:local|city|county|borough|district|town|parish)[ \t]{1,4})?council)"
_PLACE_NOUN = (
    "plant|factory|warehouse|store|stores|shop|branch|depot|office|offices|site|hospital|school|academy|"
    "centre|center|call centre|restaurant|hotel|bank|surgery|practice|clinic|university|college"
)
_TRIGGER = re.compile(
    r"(?i:\b(?:(?P<verb>work(?:s|ed|ing)?|employed|teach(?:es|ing)?|taught|volunteer(?:s|ed|ing)?)"
    r"|(?:manager|boss|supervisor|colleagues?|co-?workers?|workmates?|employer|job|shifts?|HR|"
    r"head[ \t]office|occupational[ \t]health)"
    r"|(?P<role>(?:i'?m|i[ \t]am|she'?s|he'?s|they'?re|is|was|as)[ \t]{1,4}an?[ \t]{1,4}"
    r"(?:[a-z-]{1,20}[ \t]{1,4}){0,1}[a-z-]{1,20})(?=[ \t]{1,4}(?:at|for)\b))"
    r"[ \t]{1,4}(?P<prep>at|for|in|by)[ \t]{1,4}"
    r"|\bmy[ \t]{1,4}employer,?[ \t]{1,4})"
)
_OBJECT = re.compile(
    rf"(?P<council>{_COUNCIL}\b)"
    rf"|(?P<the>the[ \t]{{1,4}})?(?P<org>{_ORG})"
    rf"(?P<noun>[ \t]{{1,4}}(?:{_PLACE_NOUN})\b)?(?P<where>[ \t]{{1,4}}(?:in|on)[ \t]{{1,4}}{_ORG_WORD}"
    rf"(?:[ \t]{{1,4}}{_ORG_WORD}){{0,1}})?"
    r"|(?P<bare>[a-z][a-z'’&-]{1,24})\b"
)
# Capitalised words that are not employers: days, seasons, sectors, departments, generic places.
_GENERIC = _words(
    "home christmas easter monday tuesday wednesday thursday friday saturday sunday weekends weekend night "
    "nights it hr a&e retail healthcare hospitality finance admin sales marketing education construction "
    "hospital school office shop clinic surgery university uni college work the i gp nhs gym church "
    "least all times first last lunch"
)
# "I'm a patient at St Mary's": someone there, not working there.
_ROLE_NOT_WORK = _words("patient outpatient inpatient member regular customer guest visitor student "
                           "pupil resident tenant")


def _object_span(text: str, trigger: re.Match[str]) -> tuple[int, int] | None:
    obj = _OBJECT.match(text, trigger.end())
    if obj is None:
        return None
    if obj.group("council"):
        return obj.start(), obj.end()
    role = trigger.group("role")
    if role and role.split()[-1].lower() in _ROLE_NOT_WORK:
        return None
    prep = (trigger.group("prep") or "").lower()
    if obj.group("bare"):
        # "i work at asda": a lower-case word names a workplace only straight after "work at".
        word = obj.group("bare").lower()
        if not (trigger.group("verb") and prep == "at") or word in _GENERIC or word in _NOT_A_NAME:
            return None
        return obj.start(), obj.end()
    org = obj.group("org")
    if all(w.lower() in _GENERIC for w in org.split()):
        return None
    # "I work in London", "I work in IT": after "work in", only a named place of work counts
    # ("in the Argos warehouse", "in Dunnes Stores").
    if trigger.group("verb") and prep == "in" and not (obj.group("the") or obj.group("noun")
                                                         or org.split()[-1].lower() in _PLACE_NOUN.split("|")):
        return None
    start = obj.start("org") if obj.group("the") is None else obj.start()
    return start, obj.end()


def find_workplaces(text: str, limit: int) -> Iterator[tuple[int, int]]:
    """Spans of named workplaces (the name, with the town when one follows), at most ``limit``."""
    count = 0
    for trigger in _TRIGGER.finditer(text):
        span = _object_span(text, trigger)
        if span is not None:
            yield span
            count += 1
            if count >= limit:
                return
