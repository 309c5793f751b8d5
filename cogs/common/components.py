"""Persistent components and cards as replies, shared by every cog.

Every button and select the bot sends has a custom_id ``<prefix>:<action>:<args>``
(bot/core/messages.py). One DynamicItem matches them all, so they keep working after a restart
with no stored views; it hands each press to the cog that lists the action in
``component_actions``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from typing import Any

import discord
from discord.ui import DynamicItem, Item

from bot.core import changes
from bot.core.messages import CUSTOM_ID_TEMPLATE, Card, parse_custom_id
from cogs.common.context import NO_PINGS
from cogs.common.failures import answer_failure

log = logging.getLogger(__name__)

_STYLES = {1: discord.ButtonStyle.primary, 2: discord.ButtonStyle.secondary, 3: discord.ButtonStyle.success,
           4: discord.ButtonStyle.danger}


class PersistentComponent(DynamicItem[Item[Any]], template=CUSTOM_ID_TEMPLATE):
    """Any circle button or select, old or new: parsed from its custom_id at press time."""

    def __init__(self, item: Item[Any]) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Item[Any], match: Any, /,
    ) -> PersistentComponent:
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
    changes.track()
    try:
        await work
    except Exception as exc:
        await answer_failure(interaction, exc, what)


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
            view.add_item(PersistentComponent(discord.ui.Button(
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
