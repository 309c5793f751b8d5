"""Autocomplete choices: ``choice`` (every dynamic choice is made by it, so none breaks Discord's
limits) and those several cogs share (a server's open circles)."""

from __future__ import annotations

from typing import TypeVar

import discord
from discord import app_commands

from bot.circles.records import autocomplete_circles
from bot.core.db import Database
from cogs.common.text import CHOICE_LIMIT, ELLIPSIS, fit

V = TypeVar("V", str, int, float)


def choice(name: str, value: V) -> app_commands.Choice[V]:
    """A choice whose name (1-100 characters) and string value (up to 100) Discord accepts, even
    when they echo what the member typed."""
    shown = fit(" ".join(name.split()), CHOICE_LIMIT) or ELLIPSIS
    return app_commands.Choice(name=shown, value=fit(value, CHOICE_LIMIT) if isinstance(value, str) else value)


async def circle_choices(db: Database, interaction: discord.Interaction,
                         current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for a circle option: this server's open circles whose names contain what was typed."""
    if interaction.guild_id is None:
        return []
    pairs = await autocomplete_circles(db, interaction.guild_id, current)
    return [choice(name, value) for name, value in pairs]
