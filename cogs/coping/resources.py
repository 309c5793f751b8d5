"""/resources (the crisis card first, then the server's and a circle's trusted resources) and
/resources-admin add|remove|reorder for organisers (server list) and facilitators (their circle's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.circles.access import require_organiser, require_set_up
from bot.circles.records import Circle, get_circle, resolve_circle
from bot.coping import resources, wording
from bot.coping.access import require_curator, require_curator_somewhere
from bot.coping.cards import resources_card
from bot.core.guild_settings import GuildSettings
from bot.core.text import display
from bot.safety.card import crisis_embed_for
from bot.screening.words import word_settings
from cogs.common.choices import choice, circle_choices
from cogs.common.components import send_card
from cogs.common.context import actor_of, reply, settings_of

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


class Resources(commands.Cog):
    admin = app_commands.Group(
        name="resources-admin", description="Organisers and facilitators: curate trusted resources",
        guild_only=True, extras={"audience": "facilitator"},
    )

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    async def circle_autocomplete(self, interaction: discord.Interaction,
                                  current: str) -> list[app_commands.Choice[str]]:
        return await circle_choices(self.bot.db, interaction, current)

    async def resource_autocomplete(self, interaction: discord.Interaction,
                                    current: str) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        rows = await self.bot.db.fetchall(
            "SELECT id, title FROM coping_resources WHERE guild_id = ? AND instr(lower(title), lower(?)) > 0"
            " ORDER BY circle_id IS NOT NULL, position LIMIT 25", (interaction.guild_id, current.strip()))
        return [choice(f"#{r[0]} {r[1]}", int(r[0])) for r in rows]

    @app_commands.command(name="resources", description="Trusted resources, with crisis lines always first")
    @app_commands.describe(circle="Also show this circle's own resources")
    @app_commands.autocomplete(circle=circle_autocomplete)
    @app_commands.guild_only()
    async def show(self, interaction: discord.Interaction, circle: str | None = None) -> None:
        settings = await settings_of(self.bot, interaction)
        crisis = await crisis_embed_for(self.bot.db, settings.guild_id)
        server_list = await resources.list_resources(self.bot.db, settings.guild_id, None)
        circle_part = None
        if circle:
            found = await resolve_circle(self.bot.db, settings.guild_id, circle)
            circle_part = (found.name, await resources.list_resources(self.bot.db, settings.guild_id, found.id))
        await send_card(interaction, resources_card(crisis, server_list, circle_part))

    async def _may_change(self, interaction: discord.Interaction, settings: GuildSettings,
                          circle: Circle | None) -> None:
        if circle is None:
            require_organiser(actor_of(interaction), settings)
        else:
            await require_curator(self.bot.db, actor_of(interaction), settings, circle)

    @admin.command(name="add", description="Add a trusted resource for the whole server or one circle")
    @app_commands.describe(title="What it is called", url="Its web address (https://...)",
                           note="A short note on what it offers", circle="Only for this circle (empty: whole server)")
    @app_commands.autocomplete(circle=circle_autocomplete)
    async def add(self, interaction: discord.Interaction, title: str, url: str, note: str | None = None,
                  circle: str | None = None) -> None:
        settings = await settings_of(self.bot, interaction)
        await require_curator_somewhere(self.bot.db, actor_of(interaction), settings)  # before any lookup
        require_set_up(settings)
        found = await resolve_circle(self.bot.db, settings.guild_id, circle) if circle else None
        await self._may_change(interaction, settings, found)
        added = await resources.add_resource(
            self.bot.db, self.bot.clock, guild_id=settings.guild_id, circle_id=found.id if found else None,
            title=title, url=url, note=note, actor_id=interaction.user.id,
            words=await word_settings(self.bot.db, settings.guild_id))
        scope = (wording.RESOURCE_SCOPE_CIRCLE.format(circle=display(found.name)) if found
                 else wording.RESOURCE_SCOPE_SERVER)
        await reply(interaction, wording.RESOURCE_ADDED.format(title=display(added.title), id=added.id, scope=scope))

    async def _resource_circle(self, interaction: discord.Interaction, resource_id: int) -> GuildSettings:
        settings = await settings_of(self.bot, interaction)
        await require_curator_somewhere(self.bot.db, actor_of(interaction), settings)  # before the lookup
        found = await resources.get_resource(self.bot.db, settings.guild_id, resource_id)
        circle = None
        if found.circle_id is not None:
            circle = await get_circle(self.bot.db, settings.guild_id, found.circle_id)
        await self._may_change(interaction, settings, circle)
        return settings

    @admin.command(name="remove", description="Remove a resource from its list")
    @app_commands.describe(resource="The resource (start typing its title)")
    @app_commands.autocomplete(resource=resource_autocomplete)
    async def remove(self, interaction: discord.Interaction, resource: int) -> None:
        settings = await self._resource_circle(interaction, resource)
        await resources.remove_resource(self.bot.db, self.bot.clock, settings.guild_id, resource, interaction.user.id)
        await reply(interaction, wording.RESOURCE_REMOVED.format(id=resource))

    @admin.command(name="reorder", description="Move a resource to another place in its list")
    @app_commands.describe(resource="The resource (start typing its title)", position="Its new place (1 is first)")
    @app_commands.autocomplete(resource=resource_autocomplete)
    async def reorder(self, interaction: discord.Interaction, resource: int,
                      position: app_commands.Range[int, 1, 25]) -> None:
        settings = await self._resource_circle(interaction, resource)
        got = await resources.move_resource(self.bot.db, self.bot.clock, settings.guild_id, resource, position,
                                            interaction.user.id)
        await reply(interaction, wording.RESOURCE_MOVED.format(id=resource, position=got))
