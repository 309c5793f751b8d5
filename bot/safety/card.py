"""The crisis card for one server: its region's lines plus the server's own, and its wordings."""

from __future__ import annotations

from typing import Any

from bot.core.db import Database
from bot.core.guild_settings import get_settings
from bot.safety.local_resources import list_entries
from bot.safety.resources import INTERNATIONAL, crisis_card, region_for


async def server_crisis_card(db: Database, guild_id: int) -> dict[str, Any]:
    """The crisis card (an embed) for this server's region, with the lines its organisers added.

    Should the settings row be gone, the international lines are shown rather than another
    country's.
    """
    settings = await get_settings(db, guild_id, default_region=INTERNATIONAL)
    extra = [service for _, service in await list_entries(db, guild_id)]
    return crisis_card(settings.crisis_region, extra)


async def crisis_embed_for(db: Database, guild_id: int) -> dict[str, Any]:
    """The server's crisis card, worded for where norms are shown (not as a reply to a crisis).

    Circles exist only in servers that finished /setup, which stores the region chosen there (or
    the config's default at that time), so no default applies here. Should the settings row be
    gone, the international lines are shown rather than another country's.
    """
    settings = await get_settings(db, guild_id, default_region=INTERNATIONAL)
    card = await server_crisis_card(db, guild_id)
    emergency = region_for(settings.crisis_region).emergency
    now = f"call **{emergency}** for emergency services" if emergency else "call your local emergency number"
    return {**card, "title": "In a crisis", "description": (
        f"If you or someone in the circle may be in danger right now, {now}. These services are free and "
        "confidential, and you don't need to be at breaking point to contact them. /support shows these "
        "lines again at any time, even in DMs, and /reach-out lets you talk with a moderator privately."
    )}
