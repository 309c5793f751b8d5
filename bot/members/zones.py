"""IANA time zones for members: validating a name and suggesting names as a member types."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from bot.core.errors import UserFacingError
from bot.core.typed import zone_name
from bot.members import wording


@lru_cache(maxsize=1)
def all_zones() -> tuple[str, ...]:
    skip = ("Etc/", "SystemV/", "posix/", "right/")
    names = {z for z in available_timezones() if "/" in z and not z.startswith(skip)}
    return tuple(sorted(names | {"UTC"}))


def check_zone(name: str) -> str:
    """The zone's canonical spelling, or a clear error."""
    found = zone_name(name)
    if found is None:
        raise UserFacingError(wording.UNKNOWN_ZONE.format(zone=(name or "").strip()[:60]))
    return found


def suggest(typed: str, limit: int = 25) -> list[str]:
    """Zones containing what was typed (a city or region), best matches first."""
    needle = (typed or "").strip().lower().replace(" ", "_")
    if not needle:
        return list(all_zones()[:limit])
    starts = [z for z in all_zones() if z.lower().split("/")[-1].startswith(needle)]
    contains = [z for z in all_zones() if needle in z.lower() and z not in starts]
    return (starts + contains)[:limit]
