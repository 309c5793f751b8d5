"""Discord plumbing the circle cogs share: persistent components, cards as replies, and plain
messages for missing permissions.

Every circle button and select has a custom_id ``circle:<action>:<args>`` (bot/circle_cards.py).
One DynamicItem matches them all, so they keep working after a restart with no stored views;
it hands each press to the cog that lists the action in ``component_actions``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ui import DynamicItem, Item

from bot.circles.cards import CUSTOM_ID_TEMPLATE, Card, parse_custom_id
from bot.circles.records import autocomplete_circles
from bot.core.db import Database
from bot.core.errors import UserFacingError
from cogs.common.context import NO_PINGS
from cogs.common.failures import answer_failure

log = logging.getLogger(__name__)

MISSING_PERMISSIONS = 50013
MISSING_ACCESS = 50001
_STYLES = {1: discord.ButtonStyle.primary, 2: discord.ButtonStyle.secondary, 3: discord.ButtonStyle.success,
           4: discord.ButtonStyle.danger}


class CircleComponent(DynamicItem[Item[Any]], template=CUSTOM_ID_TEMPLATE):
    """Any circle button or select, old or new: parsed from its custom_id at press time."""

    def __init__(self, item: Item[Any]) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Item[Any], match: Any, /) -> CircleComponent:
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        parsed = parse_custom_id(self.custom_id)
        if parsed is None:
            return
        action, args = parsed
        values = [str(v.id) if hasattr(v, "id") else str(v) for v in getattr(self.item, "values", [])]
        bot = interaction.client
        for cog in bot.cogs.values():  # type: ignore[attr-defined]
            method = getattr(cog, "component_actions", {}).get(action)
            if method is not None:
                await run_safely(interaction, getattr(cog, method)(interaction, args, values), f"component:{action}")
                return
        log.warning("no handler for circle component action=%s", action)


async def run_safely(interaction: discord.Interaction, work: Awaitable[None], what: str) -> None:
    """Component and modal handlers: the same plain answers the slash-command error handler gives."""
    try:
        await work
    except Exception as exc:
        await answer_failure(interaction, exc, what)


async def circle_choices(db: Database, interaction: discord.Interaction,
                         current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for a circle option: this server's open circles whose names contain what was typed."""
    if interaction.guild_id is None:
        return []
    pairs = await autocomplete_circles(db, interaction.guild_id, current)
    return [app_commands.Choice(name=name, value=value) for name, value in pairs]


# -- cards ------------------------------------------------------------------------------------------

def card_view(card: Card, extra: Sequence[Item[Any]] = ()) -> discord.ui.View | None:
    """The card's buttons (and any extra selects) as a View of persistent components."""
    if not card.rows and not extra:
        return None
    view = discord.ui.View(timeout=None)
    # Each extra item is a select, a whole row; the discord.py view places them in order.
    row_offset = len(extra)
    for item in extra:
        view.add_item(item)
    for index, row in enumerate(card.rows):
        for button in row:
            view.add_item(CircleComponent(discord.ui.Button(
                style=_STYLES[button.style], label=button.label[:80], custom_id=button.custom_id,
                row=row_offset + index,
            )))
    return view


def _mentions(card: Card) -> discord.AllowedMentions:
    if not card.mention_user_ids:
        return NO_PINGS
    return discord.AllowedMentions(everyone=False, roles=False, replied_user=False,
                                   users=[discord.Object(u) for u in card.mention_user_ids])


async def send_card(
    interaction: discord.Interaction, card: Card, *, edit: bool = False, ephemeral: bool = True,
    extra: Sequence[Item[Any]] = (),
) -> None:
    """Reply with a card, or (edit=True) replace the message the pressed component is on."""
    embeds = [discord.Embed.from_dict(e) for e in card.embeds]
    view = card_view(card, extra)
    kwargs: dict[str, Any] = {"content": card.content or None, "embeds": embeds,
                              "allowed_mentions": _mentions(card)}
    if edit:
        kwargs["view"] = view
        if interaction.response.is_done():
            await interaction.edit_original_response(**kwargs)
        else:
            await interaction.response.edit_message(**kwargs)
        return
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


# -- permissions ------------------------------------------------------------------------------------

class MissingPermission(UserFacingError):
    """Raised before (or instead of) a Discord call the bot lacks permission for, or whose target is gone."""


def bot_role_name(guild: discord.Guild) -> str:
    me = guild.me
    return discord.utils.escape_markdown(me.top_role.name if me and me.top_role else "Peer Circles")


def missing(guild: discord.Guild, permission: str, where: str, doing: str) -> MissingPermission:
    return MissingPermission(
        f"I couldn't {doing}: I'm missing the **{permission}** permission {where}. An organiser can give my "
        f"role (**{bot_role_name(guild)}**) {permission} in Server Settings and try again. Nothing was changed."
    )


def role_too_high(guild: discord.Guild, role_name: str, doing: str) -> MissingPermission:
    return MissingPermission(
        f"I couldn't {doing}: the role **{discord.utils.escape_markdown(role_name)}** is above my own role "
        f"(**{bot_role_name(guild)}**). An organiser can drag my role above it in Server Settings > Roles and "
        "try again. Nothing was changed."
    )


# Discord's 404 codes for things deleted behind the bot's back (its cache may not know yet).
_GONE = {10003: "a channel it needs no longer exists", 10011: "a role it needs no longer exists",
         10007: "that member is no longer in the server"}


def explain_http(exc: discord.HTTPException, guild: discord.Guild, permission: str, where: str,
                 doing: str) -> MissingPermission | None:
    """A plain message for a 403 (50013 Missing Permissions, 50001 Missing Access) or a 404 (deleted)."""
    if isinstance(exc, discord.NotFound):
        gone = _GONE.get(exc.code, "something it needs no longer exists in Discord")
        return MissingPermission(
            f"I couldn't {doing}: {gone} (it may have just been deleted). An organiser can check the circle's "
            "channels and role. Nothing was changed."
        )
    if isinstance(exc, discord.Forbidden) or exc.code in (MISSING_PERMISSIONS, MISSING_ACCESS):
        if exc.code == MISSING_ACCESS:
            return MissingPermission(
                f"I couldn't {doing}: I can't see {where}. An organiser can let my role "
                f"(**{bot_role_name(guild)}**) view it and try again. Nothing was changed."
            )
        return missing(guild, permission, where, doing)
    return None


def require_guild_permission(guild: discord.Guild, permission: str, doing: str) -> None:
    me = guild.me
    if me is None or not getattr(me.guild_permissions, permission):
        raise missing(guild, permission.replace("_", " ").title(), "in this server", doing)


def require_channel_permission(channel: discord.abc.GuildChannel, permission: str, doing: str,
                               label: str | None = None) -> None:
    me = channel.guild.me
    if me is None or not getattr(channel.permissions_for(me), permission):
        name = label or permission.replace("_", " ").title()
        raise missing(channel.guild, name, f"in **{discord.utils.escape_markdown(channel.name)}**", doing)


def require_role_below_me(guild: discord.Guild, role: discord.Role, doing: str) -> None:
    me = guild.me
    if me is None or role >= me.top_role:
        raise role_too_high(guild, role.name, doing)
