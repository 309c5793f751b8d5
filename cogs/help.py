"""/help: what the bot can do, grouped for members, facilitators, moderators and organisers.

Each command says who it is for in ``extras={"audience": ...}`` (default: members); /help shows
only the groups the invoking member may use, checked in the bot like every other permission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.circles.records import facilitates_any
from bot.core.permissions import Role, server_role
from cogs.common.context import actor_of, reply, settings_of
from cogs.common.text import chunk

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

AUDIENCES: tuple[tuple[Role, str, str], ...] = (
    (Role.MEMBER, "member", "For everyone"),
    (Role.FACILITATOR, "facilitator", "For circle facilitators"),
    (Role.MODERATOR, "moderator", "For moderators"),
    (Role.ORGANISER, "organiser", "For organisers"),
)


def audience_of(command: app_commands.Command | app_commands.Group) -> str:
    node: app_commands.Command | app_commands.Group | None = command
    while node is not None:
        if "audience" in node.extras:
            return str(node.extras["audience"])
        node = node.parent
    return "member"


def command_lines(tree: app_commands.CommandTree) -> dict[str, list[str]]:
    """'/name sub - description' lines by audience, for every slash command in the tree."""
    lines: dict[str, list[str]] = {}
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        lines.setdefault(audience_of(command), []).append(
            f"`/{command.qualified_name}`: {command.description}"
        )
    for group in lines.values():
        group.sort()
    return lines


HELP_FOOTER = ("If you are in crisis or may be in danger, /support shows crisis lines for your region now"
               " (it works in DMs too), with a way to reach a moderator privately.")


class Help(commands.Cog):
    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What Peer Circles can do for you, and how to start")
    async def help(self, interaction: discord.Interaction) -> None:
        role = Role.MEMBER
        setup_note = ""
        if interaction.guild_id is not None:
            settings = await settings_of(self.bot, interaction)
            actor = actor_of(interaction)
            role = server_role(actor, settings)
            # Facilitation is per circle, so server_role can't see it: ask the circles.
            if role < Role.FACILITATOR and await facilitates_any(self.bot.db, settings.guild_id, actor.user_id):
                role = Role.FACILITATOR
            if not settings.setup_done:
                setup_note = (
                    "\n\nThis server hasn't been set up yet. Someone with **Manage Server** can start with "
                    "`/setup`; until then most commands will say so."
                )
        embed = discord.Embed(
            title="Peer Circles",
            description=(
                "Small, scheduled peer-support circles for people living with chronic pain: join a circle "
                "(/circle find), come to voice check-ins (/checkin upcoming), share your story anonymously "
                "(/story share), and set gentle goals (/goal set). To reach the moderators privately use "
                "/reach-out, or **Report to moderators** in a message's Apps menu. "
                "Everything the bot says back to you here is private to you." + setup_note
            ),
            colour=discord.Colour.teal(),
        )
        lines = command_lines(self.bot.tree)
        for level, key, heading in AUDIENCES:
            if level > role or not lines.get(key):
                continue
            parts = chunk(lines[key])
            for index, value in enumerate(parts):
                embed.add_field(name=heading if index == 0 else f"{heading} (more)", value=value, inline=False)
        embed.set_footer(text=HELP_FOOTER)
        await reply(interaction, embed=embed)


async def setup(bot: PeerCirclesBot) -> None:
    await bot.add_cog(Help(bot))
