"""The crisis-resources directory and the one crisis card every feature shows.

The directory ships as ``bot/data/crisis_resources.json`` (country code -> emergency number and
free services, each with the date it was last checked). A server picks its region in /setup and
may add its own entries (``bot/safety/local_resources.py``). ``crisis_card`` renders them as a
Discord embed in a plain dict (``discord.Embed.from_dict(card)``), kept within Discord's limits.

The card says the message is private, so send it only where it is: an ephemeral reply or a DM.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DIRECTORY_PATH = Path(__file__).resolve().parent / "data" / "crisis_resources.json"
INTERNATIONAL = "INTL"

# Discord embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
CARD_COLOUR = 0x5B8DEF  # a calm blue, not an alarm red


@dataclass(frozen=True)
class CrisisService:
    name: str
    phone: str | None = None
    text: str | None = None
    web: str | None = None
    email: str | None = None
    hours: str | None = None
    languages: tuple[str, ...] = ()
    last_checked: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CrisisService:
        languages = data.get("languages") or ()
        if isinstance(languages, str):
            languages = (languages,)
        return cls(
            name=str(data["name"]),
            phone=data.get("phone") or None,
            text=data.get("text") or None,
            web=data.get("web") or None,
            email=data.get("email") or None,
            hours=data.get("hours") or None,
            languages=tuple(str(x) for x in languages),
            last_checked=data.get("last_checked") or None,
        )


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    emergency: str | None
    services: tuple[CrisisService, ...]


class DirectoryError(ValueError):
    """The shipped directory file is malformed (a packaging bug, caught by the unit tests)."""


def parse_directory(data: Mapping[str, Any]) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for code, entry in data.get("regions", {}).items():
        services = tuple(CrisisService.from_mapping(s) for s in entry.get("services", ()))
        if not services:
            raise DirectoryError(f"region {code} lists no services")
        for service in services:
            if not (service.phone or service.text or service.web):
                raise DirectoryError(f"{code}: {service.name} has no way to reach it")
            if not service.last_checked:
                raise DirectoryError(f"{code}: {service.name} has no last_checked date")
        regions[code.upper()] = Region(code.upper(), str(entry["name"]), entry.get("emergency"), services)
    if INTERNATIONAL not in regions:
        raise DirectoryError("the directory needs an INTL entry")
    return regions


@lru_cache(maxsize=1)
def load_directory(path: Path = DIRECTORY_PATH) -> dict[str, Region]:
    """Region code -> Region, read once."""
    return parse_directory(json.loads(path.read_text(encoding="utf-8")))


def region_codes() -> list[str]:
    """The regions a server can choose, international last."""
    codes = sorted(c for c in load_directory() if c != INTERNATIONAL)
    return [*codes, INTERNATIONAL]


def region_for(code: str | None) -> Region:
    """The region for a country code; unknown codes get the international entry."""
    directory = load_directory()
    return directory.get((code or "").upper(), directory[INTERNATIONAL])


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _service_field(service: CrisisService) -> dict[str, Any]:
    lines = []
    if service.phone:
        lines.append(f"Call {service.phone}")
    if service.text:
        text = service.text
        lines.append(text if text.lower().startswith("text") else f"Text {text}")
    if service.web:
        lines.append(service.web)
    if service.email:
        lines.append(f"Email {service.email}")
    details = [d for d in (service.hours, ", ".join(service.languages) if service.languages else None) if d]
    if details:
        lines.append(" · ".join(details))
    return {
        "name": _clip(service.name, EMBED_FIELD_NAME_MAX),
        "value": _clip("\n".join(lines) or "-", EMBED_FIELD_VALUE_MAX),
        "inline": False,
    }


def _embed_size(card: Mapping[str, Any]) -> int:
    size = len(card.get("title", "")) + len(card.get("description", ""))
    size += len(card.get("footer", {}).get("text", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in card.get("fields", ()))
    return size


# The card's last line where only the member sees it (a DM, an ephemeral reply); a card shown
# elsewhere (a private thread with moderators) replaces it with its own truth.
PRIVATE_LINE = "This message is private: only you can see it."


def crisis_card(region: str | None, extra_entries: Iterable[CrisisService | Mapping[str, Any]] = ()) -> dict:
    """The crisis card: a Discord embed as a plain, JSON-able dict.

    ``region`` is the server's country code (unknown codes fall back to the international entry);
    ``extra_entries`` are the server's own services, shown first. Send it privately (ephemeral
    reply or DM): the card tells the member that only they can see it.
    """
    chosen = region_for(region)
    local = [e if isinstance(e, CrisisService) else CrisisService.from_mapping(e) for e in extra_entries]
    official = list(chosen.services)
    if chosen.code != INTERNATIONAL:
        official += list(region_for(INTERNATIONAL).services)
    local = local[: max(0, EMBED_FIELDS_MAX - len(official))]
    if chosen.emergency:
        emergency = (f"If you are in danger right now, or might act on these thoughts, call "
                     f"**{chosen.emergency}** for emergency services.")
    else:
        emergency = ("If you are in danger right now, or might act on these thoughts, call your local "
                     "emergency number.")
    description = (
        "It sounds like things are really hard right now. You don't have to carry this alone.\n\n"
        "If you're thinking about suicide or hurting yourself, you can talk to someone today. "
        "These services are free and confidential, the people there are trained to listen, and "
        "you don't need to be at breaking point to contact them.\n\n"
        f"{emergency}\n\n"
        f"{PRIVATE_LINE}"
    )
    dates = sorted({s.last_checked for s in official if s.last_checked})
    footer = "Outside these countries? findahelpline.com lists free helplines worldwide."
    if dates:
        footer = f"Contact details last checked {dates[0]}. " + footer
    card: dict[str, Any] = {
        "title": _clip("You don't have to go through this alone", EMBED_TITLE_MAX),
        "description": _clip(description, EMBED_DESCRIPTION_MAX),
        "color": CARD_COLOUR,
        "fields": [_service_field(s) for s in (*local, *official)],
        "footer": {"text": _clip(footer, EMBED_FOOTER_MAX)},
    }
    # Many long server entries could pass Discord's 6,000-character total: drop the server's
    # own entries from the end first, so the checked services always stay on the card.
    while _embed_size(card) > EMBED_TOTAL_MAX and local:
        card["fields"].pop(len(local) - 1)
        local.pop()
    return card
