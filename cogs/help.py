"""/help: a short "start here" for the member's role, then a menu of areas (circles, check-ins, ...).

Each command says who it is for in ``extras={"audience": ...}`` (default: members); /help shows
only the commands the invoking member may use, checked in the bot like every other permission,
both in its first answer and each time an area is picked (the pick updates the same message).
Each command's area is its root command's (``AREAS``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.circles.records import facilitates_any
from bot.core.messages import custom_id
from bot.core.permissions import Role, server_role
from cogs.common.components import PersistentComponent
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


CRISIS_LINE = ("**In crisis or may be in danger?** /support shows crisis lines for your region now"
               " (it works in DMs too), with a way to reach a moderator privately.")
HELP_FOOTER = ("Pick an area in the menu below to see its commands; only you see this. In crisis? /support"
               " works any time, in DMs too.")

# (key, label, what it covers, root command names). A command whose root is in no area is under "More".
AREAS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("circles", "Circles", "Find, join and run small peer-support circles",
     ("circle", "circle-admin", "circle-facilitator")),
    ("checkins", "Check-ins", "Scheduled voice check-ins and reminders",
     ("checkin", "checkin-admin", "checkin-facilitator")),
    ("stories", "Stories", "Share your story anonymously, and story moderation", ("story", "story-admin")),
    ("goals", "Goals", "Gentle goals, partners and small wins", ("goal", "win")),
    ("support", "Support", "Crisis lines, reaching moderators, coping strategies and resources",
     ("support", "reach-out", "resources", "resources-admin", "strategy", "flare", "case", "case-admin")),
    ("privacy", "Privacy and you", "What the bot keeps about you, your time zone and quiet hours",
     ("privacy", "me")),
    ("server", "Server set-up", "Organisers: set-up, screening, settings and bot health",
     ("setup", "screening", "settings", "status")),
)
OTHER_AREA = ("other", "More", "Everything else")

# The 3-5 commands each role needs first.
START_HERE: dict[Role, tuple[str, ...]] = {
    Role.MEMBER: ("circle find", "circle join", "checkin upcoming", "story share", "goal set"),
    Role.FACILITATOR: ("circle-facilitator members", "checkin-facilitator list", "checkin-facilitator attendance",
                       "strategy pin", "resources-admin add"),
    Role.MODERATOR: ("case list", "case claim", "case on-duty", "case resolve", "story-admin remove"),
    Role.ORGANISER: ("setup", "circle-admin create", "checkin-admin schedule", "case-admin settings", "status"),
}
ROLE_NAMES = {Role.MEMBER: "member", Role.FACILITATOR: "facilitator", Role.MODERATOR: "moderator",
              Role.ORGANISER: "organiser"}
EMBED_LIMIT = 6000  # Discord's limit for all of an embed's text
FIELDS_MAX = 25


def area_of(command: app_commands.Command | app_commands.Group) -> str:
    root = command.root_parent or command
    for key, _, _, roots in AREAS:
        if root.name in roots:
            return key
    return OTHER_AREA[0]


def visible_commands(tree: app_commands.CommandTree, role: Role) -> list[app_commands.Command]:
    """Every slash command the role may use (not /help itself), in the tree's order."""
    allowed = {key for level, key, _ in AUDIENCES if level <= role}
    return [c for c in tree.walk_commands() if isinstance(c, app_commands.Command)
            and c.qualified_name != "help" and audience_of(c) in allowed]


def line_of(command: app_commands.Command) -> str:
    return f"`/{command.qualified_name}`: {command.description}"


def areas_for(commands: list[app_commands.Command]) -> list[tuple[str, str, str]]:
    """(key, label, description) of the areas with at least one of ``commands``, at most 25."""
    present = {area_of(c) for c in commands}
    return [(k, label, about) for k, label, about, _ in (*AREAS, (*OTHER_AREA, ())) if k in present][:25]


def add_fields(embed: discord.Embed, name: str, lines: list[str]) -> None:
    """Fields of ``lines`` under ``name``, within Discord's field, count and embed-size limits."""
    for index, value in enumerate(chunk(sorted(lines))):
        title = name if index == 0 else f"{name} (more)"
        if len(embed.fields) >= FIELDS_MAX or len(embed) + len(title) + len(value) > EMBED_LIMIT:
            return
        embed.add_field(name=title, value=value, inline=False)


def help_view(commands: list[app_commands.Command], chosen: str | None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    select: discord.ui.Select[discord.ui.View] = discord.ui.Select(
        custom_id=custom_id("help"), placeholder="More commands: pick an area",
        options=[discord.SelectOption(label=label, value=key, description=about[:100], default=key == chosen)
                 for key, label, about in areas_for(commands)],
    )
    view.add_item(PersistentComponent(select))
    return view


class Help(commands.Cog):
    component_actions: ClassVar[dict[str, str]] = {"help": "on_area"}

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    async def role_of(self, interaction: discord.Interaction) -> tuple[Role, str]:
        """The member's role here (facilitation included), and a note if the server isn't set up."""
        if interaction.guild_id is None:
            return Role.MEMBER, ""
        settings = await settings_of(self.bot, interaction)
        actor = actor_of(interaction)
        role = server_role(actor, settings)
        # Facilitation is per circle, so server_role can't see it: ask the circles.
        if role < Role.FACILITATOR and await facilitates_any(self.bot.db, settings.guild_id, actor.user_id):
            role = Role.FACILITATOR
        if settings.setup_done:
            return role, ""
        return role, ("\n\nThis server hasn't been set up yet. Someone with **Manage Server** can start with "
                      "`/setup`; until then most commands will say so.")

    def embed_for(self, role: Role, note: str) -> discord.Embed:
        embed = discord.Embed(
            title="Peer Circles",
            description=(
                CRISIS_LINE + "\n\nSmall, scheduled peer-support circles for people living with chronic pain: "
                "join a circle (/circle find), come to voice check-ins (/checkin upcoming), share your story "
                "anonymously (/story share), and set gentle goals (/goal set). To reach the moderators "
                "privately use /reach-out, or **Report to moderators** in a message's Apps menu." + note
            ),
            colour=discord.Colour.teal(),
        )
        embed.set_footer(text=HELP_FOOTER)
        return embed

    @app_commands.command(name="help", description="What Peer Circles can do for you, and how to start")
    async def help(self, interaction: discord.Interaction) -> None:
        role, note = await self.role_of(interaction)
        commands_ = visible_commands(self.bot.tree, role)
        by_name = {c.qualified_name: c for c in commands_}
        embed = self.embed_for(role, note)
        first = [line_of(by_name[name]) for name in START_HERE[role] if name in by_name]
        embed.add_field(name=f"Start here ({ROLE_NAMES[role]})", value="\n".join(first)[:1024], inline=False)
        await reply(interaction, embed=embed, view=help_view(commands_, None))

    async def on_area(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        """A pick in /help's menu: the same message, now showing that area's commands for this member."""
        role, note = await self.role_of(interaction)
        commands_ = visible_commands(self.bot.tree, role)
        chosen = values[0] if values else ""
        labels = {key: label for key, label, _ in areas_for(commands_)}
        embed = self.embed_for(role, note)
        in_area = [c for c in commands_ if area_of(c) == chosen]
        for level, key, heading in AUDIENCES:
            if level <= role:
                add_fields(embed, f"{labels.get(chosen, 'Commands')}: {heading.lower()}",
                           [line_of(c) for c in in_area if audience_of(c) == key])
        if not embed.fields:
            embed.add_field(name="Nothing here", value="There are no commands for you in that area.", inline=False)
        await interaction.response.edit_message(embed=embed, view=help_view(commands_, chosen))


async def setup(bot: PeerCirclesBot) -> None:
    await bot.add_cog(Help(bot))
