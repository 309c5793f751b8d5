"""Autocomplete choices several cogs share (a server's open circles)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.circles.records import autocomplete_circles
from bot.core.db import Database


async def circle_choices(db: Database, interaction: discord.Interaction,
                         current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for a circle option: this server's open circles whose names contain what was typed."""
    if interaction.guild_id is None:
        return []
    pairs = await autocomplete_circles(db, interaction.guild_id, current)
    return [app_commands.Choice(name=name, value=value) for name, value in pairs]
