"""/setup: choose the server's roles, channels, crisis region and circle options with select menus.

Three short pages (Discord allows five rows per message). Each choice is saved as it is made, so
nothing is lost if setup is left half-way or the bot restarts; "Finish setup" checks the required
choices and opens the server. Running /setup again shows the current choices to change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.cases.queue import queue_trouble
from bot.circles.access import require_organiser
from bot.circles.cards import custom_id
from bot.circles.settings import STORIES_MODES, CircleSettings, get_circle_settings, update_circle_setting
from bot.core.guild_settings import GuildSettings, update_setting
from bot.core.messages import PRIMARY, SECONDARY, SUCCESS, Button, Card
from bot.safety.regions import region_label, region_options
from cogs.common.components import Action, PersistentComponent, send_card
from cogs.common.context import actor_of, settings_of

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

PAGES = ("roles", "places", "circles")
GRACE_CHOICES = (1, 3, 7, 14, 30)
STORIES_LABELS = {"none": "No stories channel", "forum": "A forum channel per circle",
                  "threads": "A text channel per circle (a thread per story)"}
# Said plainly where the on-call role is chosen: leaving it out is fine, and this is what happens.
NO_ONCALL = ("none: urgent cases page moderators on duty, else the moderator role, else the organisers, "
             "else the server owner by DM")
REQUIRED = (("organiser_role_id", "organiser role"), ("moderator_role_id", "moderator role"),
            ("queue_channel_id", "moderator queue channel"), ("circle_category_id", "circle category"))


def _mention(kind: str, value: int | None) -> str:
    if value is None:
        return "not chosen"
    return f"<@&{value}>" if kind == "role" else f"<#{value}>"


def summary(settings: GuildSettings, circles: CircleSettings) -> dict[str, Any]:
    fields = [
        ("Organiser role", _mention("role", settings.organiser_role_id)),
        ("Moderator role", _mention("role", settings.moderator_role_id)),
        ("On-call role", _mention("role", settings.oncall_role_id) + " (optional)" if settings.oncall_role_id
         else NO_ONCALL),
        ("Moderator queue", _mention("channel", settings.queue_channel_id)),
        ("Circle category", _mention("channel", settings.circle_category_id)),
        ("Welcome posts", _mention("channel", circles.welcome_channel_id) if circles.welcome_channel_id
         else "off (optional)"),
        ("Crisis resources", region_label(settings.crisis_region) if region_chosen(settings, circles)
         else "not chosen yet"),
        ("Grace period for new norms", f"{circles.grace_days} days"),
        ("Stories channels", STORIES_LABELS[circles.stories_mode]),
    ]
    status = "Set up: members can use circles." if settings.setup_done else "Not finished yet."
    return {"title": "Peer Circles setup", "description": status, "color": 0x6A8CAF,
            "fields": [{"name": n, "value": v, "inline": True} for n, v in fields]}


def region_chosen(settings: GuildSettings, circles: CircleSettings) -> bool:
    """The config's default region is only a starting point: the organiser chooses (servers set up before
    this was asked count as having chosen)."""
    return circles.region_chosen or settings.setup_done


def missing_choices(settings: GuildSettings, circles: CircleSettings | None = None) -> list[str]:
    missing = [label for attr, label in REQUIRED if getattr(settings, attr) is None]
    if circles is not None and not region_chosen(settings, circles):
        missing.append("crisis resources region")
    return missing


class Setup(commands.Cog):
    component_actions: ClassVar[dict[str, str | Action]] = {
        "setup": Action("on_setup_select", "organiser"), "setuppage": Action("on_page", "organiser"),
        "setupdone": Action("on_finish", "organiser"),
    }

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PersistentComponent)

    @app_commands.command(name="setup", description="Organisers: choose roles, channels and options for Peer Circles",
                          extras={"audience": "organiser"})
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def setup_command(self, interaction: discord.Interaction) -> None:
        await self.show_page(interaction, "roles", edit=False)

    async def _settings(self, interaction: discord.Interaction) -> tuple[GuildSettings, CircleSettings]:
        settings = await settings_of(self.bot, interaction)
        require_organiser(actor_of(interaction), settings)
        return settings, await get_circle_settings(self.bot.db, settings.guild_id)

    async def show_page(self, interaction: discord.Interaction, page: str, *, edit: bool, note: str = "",
                        loaded: tuple[GuildSettings, CircleSettings] | None = None) -> None:
        """``loaded``: settings the caller already read (and checked the organiser against), saving a re-read."""
        settings, circles = loaded or await self._settings(interaction)
        number = PAGES.index(page) + 1
        intro = {
            "roles": "Who organises, who moderates, and who is paged when something is urgent.",
            "places": "Where moderators get their queue, where circle channels are made, and (optionally) "
                      "where new members are welcomed.",
            "circles": "Which crisis lines members are shown, how long members have to agree to changed norms "
                       "before their access pauses, and whether circles get a stories channel.",
        }[page]
        content = f"**Setup, page {number} of 3.** {intro} Each choice is saved as you make it."
        if note:
            content = f"{note}\n{content}"
        items = self._selects(page, settings, circles)
        nav: list[Button] = []
        if number > 1:
            nav.append(Button(custom_id("setuppage", PAGES[number - 2]), "Back", SECONDARY))
        if number < 3:
            nav.append(Button(custom_id("setuppage", PAGES[number]), "Next", PRIMARY))
        else:
            nav.append(Button(custom_id("setupdone"), "Finish setup", SUCCESS))
        card = Card(content, (summary(settings, circles),), (tuple(nav),))
        await send_card(interaction, card, edit=edit, extra=items)

    def _selects(self, page: str, settings: GuildSettings, circles: CircleSettings) -> list[discord.ui.Item[Any]]:
        def defaults(value: int | None) -> list[discord.Object]:
            return [discord.Object(value)] if value else []

        items: list[Any] = []
        if page == "roles":
            for row, (field, label, value) in enumerate((
                ("organiser", "Organiser role", settings.organiser_role_id),
                ("moderator", "Moderator role", settings.moderator_role_id),
                ("oncall", "On-call role (optional)", settings.oncall_role_id),
            )):
                items.append(discord.ui.RoleSelect(custom_id=custom_id("setup", field), placeholder=label,
                                                   min_values=0 if field == "oncall" else 1, max_values=1,
                                                   default_values=defaults(value), row=row))
        elif page == "places":
            for row, (field, label, value, types) in enumerate((
                ("queue", "Moderator queue channel", settings.queue_channel_id, [discord.ChannelType.text]),
                ("category", "Category for circle channels", settings.circle_category_id,
                 [discord.ChannelType.category]),
                ("welcome", "Welcome posts for new members (optional)", circles.welcome_channel_id,
                 [discord.ChannelType.text]),
            )):
                items.append(discord.ui.ChannelSelect(custom_id=custom_id("setup", field), placeholder=label,
                                                      channel_types=types, min_values=0 if field == "welcome" else 1,
                                                      max_values=1, default_values=defaults(value), row=row))
        else:
            chosen = settings.crisis_region if region_chosen(settings, circles) else None
            items.append(discord.ui.Select(
                custom_id=custom_id("setup", "region"), placeholder="Crisis resources region", row=0,
                options=[discord.SelectOption(label=label, value=code.lower(), default=code == chosen)
                         for code, label in region_options()]))
            items.append(discord.ui.Select(
                custom_id=custom_id("setup", "grace"), placeholder="Grace period for new norms", row=1,
                options=[discord.SelectOption(label=f"{d} day{'s' if d > 1 else ''}", value=str(d),
                                              default=d == circles.grace_days) for d in GRACE_CHOICES]))
            items.append(discord.ui.Select(
                custom_id=custom_id("setup", "stories"), placeholder="Stories channels", row=2,
                options=[discord.SelectOption(label=STORIES_LABELS[m], value=m, default=m == circles.stories_mode)
                         for m in STORIES_MODES]))
        return [PersistentComponent(item) for item in items]

    async def on_setup_select(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        settings, circles = await self._settings(interaction)
        field = args[0]
        value = int(values[0]) if values and values[0].isdigit() else None
        # Only the column this select stands for is written: another organiser saving another
        # setting at the same moment keeps theirs.
        page = "roles"
        column: str | None = None
        circle_column: str | None = None
        new_value: Any = value
        note = ""
        if field in ("organiser", "moderator", "oncall"):
            refusal = self.unusable_role(interaction, value)
            if refusal:
                await self.show_page(interaction, "roles", edit=True, note=refusal, loaded=(settings, circles))
                return
            column = {"organiser": "organiser_role_id", "moderator": "moderator_role_id",
                      "oncall": "oncall_role_id"}[field]
        elif field in ("queue", "category"):
            page = "places"
            column = "queue_channel_id" if field == "queue" else "circle_category_id"
            if field == "queue" and value is not None:
                refusal, warnings = queue_channel_check(interaction.guild, value, settings)
                if refusal:  # a queue the bot can't post in would swallow every crisis alert: not saved
                    await self.show_page(interaction, "places", edit=True, note=refusal, loaded=(settings, circles))
                    return
                note = "\n".join(warnings)
        elif field == "welcome":
            page = "places"
            circle_column = "welcome_channel_id"
        elif field == "region":
            page = "circles"
            column, new_value = "crisis_region", (values[0] if values else settings.crisis_region).upper()
            if values:  # choosing the region is part of finishing setup
                await update_circle_setting(self.bot.db, self.bot.clock, settings.guild_id, "crisis_region_chosen",
                                            True)
        elif field == "grace":
            page = "circles"
            circle_column, new_value = "grace_days", value or circles.grace_days
        elif field == "stories":
            page = "circles"
            circle_column, new_value = "stories_mode", values[0] if values else circles.stories_mode
        config = self.bot.config.bot
        if column is not None:
            settings = await update_setting(self.bot.db, self.bot.clock, settings.guild_id, column, new_value,
                                            config.default_region, config.default_timezone)
        if circle_column is not None:
            circles = await update_circle_setting(self.bot.db, self.bot.clock, settings.guild_id, circle_column,
                                                  new_value)
        else:
            circles = await get_circle_settings(self.bot.db, settings.guild_id)
        await self.show_page(interaction, page, edit=True, note=note, loaded=(settings, circles))

    @staticmethod
    def unusable_role(interaction: discord.Interaction, role_id: int | None) -> str | None:
        """Why a chosen role can't stand for a group of people (nothing is saved then), or None."""
        if role_id is None:
            return None
        if role_id == interaction.guild_id:
            return ("@everyone can't be chosen here: everyone in the server would get that role's powers. "
                    "Choose (or create) a role just for those people.")
        role = interaction.guild.get_role(role_id) if interaction.guild else None
        if role is not None and role.managed:
            return (f"**{discord.utils.escape_markdown(role.name)}** belongs to a bot or an integration, so it can't"
                    " be given to members. Choose (or create) a role just for those people.")
        return None

    async def on_page(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        page = args[0] if args and args[0] in PAGES else "roles"
        await self.show_page(interaction, page, edit=True)

    async def on_finish(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        settings, circles = await self._settings(interaction)
        missing = missing_choices(settings, circles)
        if missing:
            page = ("roles" if any(m.endswith(" role") for m in missing) else
                    "places" if any(m.endswith(("channel", "category")) for m in missing) else "circles")
            await self.show_page(interaction, page, edit=True,
                                 note=f"Almost there: choose the {', '.join(missing)} first.",
                                 loaded=(settings, circles))
            return
        first_time = not settings.setup_done
        config = self.bot.config.bot
        await update_setting(self.bot.db, self.bot.clock, settings.guild_id, "setup_done", True,
                             config.default_region, config.default_timezone)
        warnings = self.permission_warnings(interaction.guild, settings)
        if settings.queue_channel_id is not None:
            refusal, queue_warnings = queue_channel_check(interaction.guild, settings.queue_channel_id, settings)
            warnings += [refusal] if refusal else []
            warnings += queue_warnings
        trouble = await queue_trouble(self.bot.db.reader, settings.guild_id)
        if trouble is not None:
            warnings.append(trouble.describe())
        if settings.oncall_role_id is None:
            warnings.append(f"No on-call role: {NO_ONCALL.removeprefix('none: ')}.")
        lines = ["Setup is finished: members can now use /circle list, /circle find and /circle join."
                 if first_time else "Setup saved."]
        lines.append("Organisers create circles with /circle-admin create.")
        lines += warnings
        await send_card(interaction, Card("\n".join(lines), (summary(replace(settings, setup_done=True), circles),)),
                        edit=True)

    def permission_warnings(self, guild: discord.Guild | None, settings: GuildSettings) -> list[str]:
        """What the bot will need but lacks, said now rather than when an organiser hits it."""
        if guild is None or guild.me is None:
            return []
        out: list[str] = []
        me = guild.me
        if not me.guild_permissions.manage_roles:
            out.append("⚠ I'm missing **Manage Roles** in this server, so I can't create circle roles or let "
                       "members in. Give my role Manage Roles in Server Settings > Roles.")
        category = guild.get_channel(settings.circle_category_id or 0)
        if category is not None:
            perms = category.permissions_for(me)
            if not (perms.manage_channels and perms.view_channel):
                name = discord.utils.escape_markdown(category.name)
                out.append(f"⚠ I'm missing **Manage Channels** in the category **{name}**, so I can't make circle"
                           " channels there.")
        return out


def queue_channel_check(guild: discord.Guild | None, channel_id: int,
                        settings: GuildSettings) -> tuple[str | None, list[str]]:
    """Whether the moderator queue can be used: a refusal when I can't post there (alerts would be
    lost), and warnings when people other than the moderators can read it (cases name members)."""
    channel = guild.get_channel(channel_id) if guild is not None else None
    if guild is None or guild.me is None or not isinstance(channel, discord.TextChannel):
        return None, []
    name = discord.utils.escape_markdown(channel.name)
    mine = channel.permissions_for(guild.me)
    if not (mine.view_channel and mine.send_messages and mine.embed_links):
        return (f"⚠ I can't post in **#{name}** (I need View Channel, Send Messages and Embed Links there), so "
                "crisis alerts would never reach the moderators. Give my role those permissions in that channel, "
                "or choose another channel."), []
    staff = {settings.moderator_role_id, settings.organiser_role_id, settings.oncall_role_id}
    readers = [role for role in guild.roles if role.id not in staff and not role.managed
               and not role.permissions.administrator and channel.permissions_for(role).view_channel]
    if not readers:
        return None, []
    everyone = any(r.is_default() for r in readers)
    names = ", ".join("@everyone" if r.is_default() else f"**{discord.utils.escape_markdown(r.name)}**"
                      for r in readers[:5])
    return None, [f"⚠ **#{name}** can be read by {'everyone in the server' if everyone else names}"
                  f"{f' ({names})' if everyone and len(readers) > 1 else ''}. Cases name members and link what they"
                  " wrote: let only the moderator, organiser and on-call roles see this channel."]


async def setup(bot: PeerCirclesBot) -> None:
    await bot.add_cog(Setup(bot))

