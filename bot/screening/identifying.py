"""Details in a text that could identify someone, so an anonymous author can be warned first.

Finds Discord user and role mentions, @everyone/@here, @handles, usernames with a discriminator
(``name#1234``), e-mail addresses, phone numbers, web addresses, Discord invites, street addresses
and named workplaces (``bot.screening.places``). It returns
spans and a kind, never a judgement: the author decides what to keep.

Phone numbers are digit runs of 7 to 15 digits with the usual separators; dates, year ranges and
times are not numbers anyone can call, so they are left alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import islice
from typing import NamedTuple

from bot.screening.places import find_addresses, find_workplaces

KINDS = (
    "user_mention", "role_mention", "everyone", "email", "invite", "url", "phone", "discord_tag",
    "handle", "street_address", "workplace",
)


class IdentifyingDetail(NamedTuple):
    start: int
    end: int
    kind: str


_USER = re.compile(r"<@!?\d{15,21}>")
_ROLE = re.compile(r"<@&\d{15,21}>")
_EVERYONE = re.compile(r"@(?:everyone|here)\b")
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}\b")
_INVITE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:discord(?:app)?\.com/invite|discord\.gg|dsc\.gg)/[\w-]+", re.IGNORECASE
)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_TLDS = (
    "com|net|org|io|gg|co|uk|us|ca|au|nz|ie|de|fr|es|it|nl|eu|me|info|biz|app|dev|ly|tv|xyz|"
    "edu|gov|health|link|site|online|page|social"
)
# A bare domain ("findahelpline.com", "my-blog.co.uk/about"): found from its ending.
_DOMAIN = re.compile(
    rf"\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.(?:{_TLDS})\b"
    r"(?:/[^\s<>\"'`]*)?",
    re.IGNORECASE,
)
_TLD_HINT = re.compile(rf"\.(?:{_TLDS})\b", re.IGNORECASE)
_TAG = re.compile(r"(?<![\w@#])[\w.]{2,32}#\d{4}\b")
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_.]{2,32}\b")
_PHONE = re.compile(r"[+(0-9][0-9 ().\-]{5,22}[0-9]")
_NOT_A_PHONE = re.compile(
    r"^(?:\d{4}[-.]\d{1,2}[-.]\d{1,2}"                      # 2026-11-21
    r"|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}"                       # 21.11.2026
    r"|(?:(?:19|20)\d\d[\s,.&-]*)+"                           # 1998-2004, 2019 2020 2021
    r"|\d{1,2}[.:]\d\d\s*-\s*\d{1,2}[.:]\d\d)$"             # 9.30-11.00
)
_TRAILING = ".,;:!?)]}'\""
# Past this many of one kind the author has been warned enough; it also bounds the work a
# 10,000-character message of nothing but addresses can cause.
MAX_PER_KIND = 50


def _phones(text: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for m in _PHONE.finditer(text):
        if len(found) >= MAX_PER_KIND:
            break
        start, end = m.start(), m.end()
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_/"):
            continue  # part of a word, a fraction or a code
        if end < len(text) and (text[end].isalnum() or text[end] in "_/%"):
            continue
        candidate = m.group()
        digits = sum(ch.isdigit() for ch in candidate)
        if not 7 <= digits <= 15 or _NOT_A_PHONE.match(candidate.strip()):
            continue
        if candidate.count("(") != candidate.count(")"):
            continue
        found.append((start, end))
    return found


def _trim_url(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return start, end


def find_identifying(text: str) -> list[IdentifyingDetail]:
    """Sorted, non-overlapping details; when two overlap the more specific kind wins."""
    if not text:
        return []
    candidates: list[tuple[str, int, int]] = []
    if "<@" in text:
        candidates += [("user_mention", *m.span()) for m in islice(_USER.finditer(text), MAX_PER_KIND)]
        candidates += [("role_mention", *m.span()) for m in islice(_ROLE.finditer(text), MAX_PER_KIND)]
    if "@" in text:
        candidates += [("everyone", *m.span()) for m in islice(_EVERYONE.finditer(text), MAX_PER_KIND)]
        candidates += [("email", *m.span()) for m in islice(_EMAIL.finditer(text), MAX_PER_KIND)]
    lowered = text.lower()
    if "discord" in lowered or "dsc.gg" in lowered:
        candidates += [("invite", *m.span()) for m in islice(_INVITE.finditer(text), MAX_PER_KIND)]
    if "http" in lowered or "www." in lowered:
        candidates += [("url", *_trim_url(text, *m.span())) for m in islice(_URL.finditer(text), MAX_PER_KIND)]
    if _TLD_HINT.search(text):
        candidates += [("url", *_trim_url(text, *m.span())) for m in islice(_DOMAIN.finditer(text), MAX_PER_KIND)]
    candidates += [("phone", s, e) for s, e in _phones(text)]
    if "#" in text:
        candidates += [("discord_tag", *m.span()) for m in islice(_TAG.finditer(text), MAX_PER_KIND)]
    if "@" in text:
        candidates += [("handle", *m.span()) for m in islice(_HANDLE.finditer(text), MAX_PER_KIND)
                       if m.group()[1:].lower() not in ("everyone", "here")]
    candidates += [("street_address", s, e) for s, e in find_addresses(text, MAX_PER_KIND)]
    candidates += [("workplace", s, e) for s, e in find_workplaces(text, MAX_PER_KIND)]
    # Most specific kind first: an e-mail is not also a handle and a URL, an invite not also a URL.
    rank = {kind: i for i, kind in enumerate(KINDS)}
    candidates.sort(key=lambda c: (rank[c[0]], c[1]))
    taken: list[IdentifyingDetail] = []  # sorted by start, never overlapping
    for kind, start, end in candidates:
        at = bisect_left(taken, (start,))
        if end <= start or (at > 0 and taken[at - 1].end > start) or (at < len(taken) and taken[at].start < end):
            continue
        taken.insert(at, IdentifyingDetail(start, end, kind))
    return taken
