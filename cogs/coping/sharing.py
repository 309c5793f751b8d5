"""/strategy share|browse|saved|pin|unpin|remove and /win share: modals, buttons, the weekly recap kind.

Thin: parse, check who may act (in the bot), call bot.coping, render. The forms' submits are
actions of ``component_actions`` (``form``), so a submit still works after a restart.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.circles.access import require_set_up
from bot.circles.records import Circle, get_circle, resolve_circle
from bot.coping import strategies, wins, wording
from bot.coping.access import require_curator, require_curator_somewhere, require_participant
from bot.coping.cards import browse_card, saved_card, win_post
from bot.coping.strategies import Shared
from bot.core.messages import Card, custom_id
from bot.core.text import display
from bot.delivery.scheduler import MissedPolicy, Occurrence
from bot.screening.words import word_settings
from cogs.common.choices import circle_choices
from cogs.common.components import Action, PersistentComponent, form, send_card
from cogs.common.context import actor_of, guild_id_of, reply, settings_of

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot
    from bot.core.db import Conn

log = logging.getLogger(__name__)

TEXT_INPUT, HELPS_INPUT = "coping_text", "coping_helps"
CATEGORY_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in wording.CATEGORIES.items()]


def _server_name(interaction: discord.Interaction) -> str:
    return interaction.guild.name if interaction.guild is not None else ""


def _modal_values(interaction: discord.Interaction) -> dict[str, str]:
    values: dict[str, str] = {}
    data: dict[str, Any] = dict(interaction.data or {})
    for row in data.get("components", []):
        for comp in [row.get("component"), *row.get("components", [])]:
            if comp and comp.get("custom_id"):
                values[comp["custom_id"]] = comp.get("value") or ""
    return values


class Sharing(commands.Cog):
    component_actions: ClassVar[dict[str, str | Action]] = {
        "copehelped": "on_helped", "copesave": "on_save", "copepage": "on_page", "copeunsave": "on_unsave",
        "copecheer": "on_cheer",
        # custom_id("copestrat", circle id, category, anonymous 0/1) / ("copewin", circle id, anonymous, name in recap)
        "copestrat": form("submit_strategy", "member"), "copewin": form("submit_win", "member"),
    }

    strategy = app_commands.Group(name="strategy", description="Share and find what helps with living with pain",
                                  guild_only=True)
    win = app_commands.Group(name="win", description="Share a small win with your circle", guild_only=True)

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PersistentComponent)
        self.bot.scheduler.register_kind(wins.RECAP_KIND, self.on_recap, MissedPolicy.LATE)

    async def circle_autocomplete(self, interaction: discord.Interaction,
                                  current: str) -> list[app_commands.Choice[str]]:
        return await circle_choices(self.bot.db, interaction, current)

    async def _circle_for_member(self, interaction: discord.Interaction, text: str | None = None,
                                 circle_id: int | None = None) -> Circle:
        settings = await settings_of(self.bot, interaction)
        require_set_up(settings)
        if circle_id is not None:
            circle = await get_circle(self.bot.db, settings.guild_id, circle_id, allow_archived=False)
        else:
            circle = await resolve_circle(self.bot.db, settings.guild_id, text or "")
        await require_participant(self.bot.db, actor_of(interaction), settings, circle)
        return circle

    # -- sharing -----------------------------------------------------------------------------------

    @strategy.command(name="share", description="Share something that helped you; lived experience, not advice")
    @app_commands.describe(circle="The circle to share it in", category="What kind of strategy it is",
                           anonymous="Post it without your name")
    @app_commands.choices(category=CATEGORY_CHOICES)
    @app_commands.autocomplete(circle=circle_autocomplete)
    async def share(self, interaction: discord.Interaction, circle: str, category: app_commands.Choice[str],
                    anonymous: bool = False) -> None:
        found = await self._circle_for_member(interaction, circle)
        modal = discord.ui.Modal(title=wording.STRATEGY_MODAL_TITLE,
                                 custom_id=custom_id("copestrat", found.id, category.value, int(anonymous)),
                                 timeout=900)
        modal.add_item(discord.ui.TextInput(
            label=wording.STRATEGY_TEXT_LABEL, custom_id=TEXT_INPUT, style=discord.TextStyle.paragraph,
            placeholder=wording.STRATEGY_TEXT_PLACEHOLDER, min_length=1, max_length=strategies.BODY_MAX))
        modal.add_item(discord.ui.TextInput(
            label=wording.STRATEGY_HELPS_LABEL, custom_id=HELPS_INPUT, required=False,
            placeholder=wording.STRATEGY_HELPS_PLACEHOLDER, max_length=strategies.HELPS_MAX))
        await interaction.response.send_modal(modal)

    @win.command(name="share", description="Share a small victory, like walking to the mailbox")
    @app_commands.describe(circle="The circle to share it in", anonymous="Post it without your name",
                           name_in_recap="Name you in the circle's weekly recap of wins (off unless you choose)")
    @app_commands.autocomplete(circle=circle_autocomplete)
    async def share_win(self, interaction: discord.Interaction, circle: str, anonymous: bool = False,
                        name_in_recap: bool = False) -> None:
        found = await self._circle_for_member(interaction, circle)
        modal = discord.ui.Modal(title=wording.WIN_MODAL_TITLE,
                                 custom_id=custom_id("copewin", found.id, int(anonymous), int(name_in_recap)),
                                 timeout=900)
        modal.add_item(discord.ui.TextInput(
            label=wording.WIN_TEXT_LABEL, custom_id=TEXT_INPUT, style=discord.TextStyle.paragraph,
            placeholder=wording.WIN_TEXT_PLACEHOLDER, min_length=1, max_length=wins.WIN_MAX))
        await interaction.response.send_modal(modal)

    async def submit_strategy(self, interaction: discord.Interaction, args: list[str]) -> None:
        circle_id, category, anonymous = int(args[0]), args[1], args[2] == "1"
        circle = await self._circle_for_member(interaction, circle_id=circle_id)
        values = _modal_values(interaction)
        shared = await strategies.share_strategy(
            self.bot.db, self.bot.clock, self.bot.outbox, circle=circle, author_id=interaction.user.id,
            anonymous=anonymous, category=category, body=values.get(TEXT_INPUT, ""),
            helps_with=values.get(HELPS_INPUT, ""), words=await word_settings(self.bot.db, circle.guild_id),
            server_name=_server_name(interaction))
        await self._answer_shared(interaction, circle, shared, anonymous, wording.STRATEGY_SHARED, "strategy")

    async def submit_win(self, interaction: discord.Interaction, args: list[str]) -> None:
        circle_id, anonymous, recap_name = int(args[0]), args[1] == "1", args[2] == "1"
        circle = await self._circle_for_member(interaction, circle_id=circle_id)
        settings = await settings_of(self.bot, interaction)
        shared, schedule = await wins.share_win(
            self.bot.db, self.bot.clock, self.bot.outbox, circle=circle, author_id=interaction.user.id,
            anonymous=anonymous, recap_name=recap_name, body=_modal_values(interaction).get(TEXT_INPUT, ""),
            timezone=settings.timezone, words=await word_settings(self.bot.db, circle.guild_id),
            server_name=_server_name(interaction))
        if schedule is not None:
            self.bot.scheduler.notify(schedule)
        await self._answer_shared(interaction, circle, shared, anonymous, wording.WIN_SHARED, "win")

    async def _answer_shared(self, interaction: discord.Interaction, circle: Circle, shared: Shared,
                             anonymous: bool, done: str, what: str) -> None:
        verdict = shared.verdict
        log.info("coping %s outcome=%s guild_id=%s post_id=%s case_id=%s", what, verdict.outcome, circle.guild_id,
                 shared.post_id, shared.case_id)
        if verdict.outcome == "slur":
            await reply(interaction, wording.SLUR_DECLINED)
            return
        # The one crisis response's card ("Talk to a moderator now"), unless one was shown within the hour.
        card = shared.response.card if shared.response is not None and shared.response.show_card else None
        if verdict.outcome == "crisis":
            if card is None:
                await send_card(interaction, Card(wording.CRISIS_HELD_AGAIN.format(
                    told=wording.TOLD_ANON if anonymous else wording.TOLD_NAMED)))
                return
            text = wording.CRISIS_HELD_ANON if anonymous else wording.CRISIS_HELD
            await send_card(interaction, Card(text, card.embeds, card.rows))
            return
        text = done.format(circle=display(circle.name), anon=wording.ANON_NOTE if anonymous else "")
        if verdict.censored:
            text += wording.CENSORED_NOTE
        if verdict.has_links:
            text += wording.LINK_NOTE
        if card is not None:
            await send_card(interaction, Card(text + "\n\n" + wording.CONCERN_NOTE, card.embeds, card.rows))
            return
        await send_card(interaction, Card(text))

    # -- browsing, helped, saving ------------------------------------------------------------------

    @strategy.command(name="browse", description="What helped other members, most 'this helped me too' first")
    @app_commands.describe(circle="The circle whose strategies to read", category="Only this kind of strategy")
    @app_commands.choices(category=CATEGORY_CHOICES)
    @app_commands.autocomplete(circle=circle_autocomplete)
    async def browse(self, interaction: discord.Interaction, circle: str,
                     category: app_commands.Choice[str] | None = None) -> None:
        found = await self._circle_for_member(interaction, circle)
        await send_card(interaction, await self._browse_card(found, category.value if category else None, 0))

    async def _browse_card(self, circle: Circle, category: str | None, page: int) -> Card:
        items, page, pages = await strategies.browse(self.bot.db, circle.guild_id, circle.id, category, page)
        return browse_card(circle.name, category, items, circle_id=circle.id, page=page, pages=pages)

    async def on_page(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle = await self._circle_for_member(interaction, circle_id=int(args[0]))
        category = args[1] if args[1] in wording.CATEGORIES else None
        await send_card(interaction, await self._browse_card(circle, category, int(args[2])), edit=True)

    async def _strategy_for_member(self, interaction: discord.Interaction, strategy_id: int) -> int:
        strategy = await strategies.get_strategy(self.bot.db, guild_id_of(interaction), strategy_id)
        await self._circle_for_member(interaction, circle_id=strategy.circle_id)
        return strategy.id

    async def on_helped(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        strategy_id = await self._strategy_for_member(interaction, int(args[0]))
        new = await strategies.mark_helped(self.bot.db, self.bot.clock, guild_id_of(interaction), strategy_id,
                                           interaction.user.id)
        await reply(interaction, wording.HELPED_THANKS if new else wording.HELPED_ALREADY)

    async def on_save(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        strategy_id = await self._strategy_for_member(interaction, int(args[0]))
        now_saved = await strategies.toggle_save(self.bot.db, self.bot.clock, guild_id_of(interaction), strategy_id,
                                                 interaction.user.id)
        await reply(interaction, wording.SAVED if now_saved else wording.UNSAVED)

    @strategy.command(name="saved", description="Your private list of strategies you saved")
    async def saved(self, interaction: discord.Interaction) -> None:
        await send_card(interaction, saved_card(
            await strategies.saved(self.bot.db, guild_id_of(interaction), interaction.user.id)))

    async def on_unsave(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        guild_id = guild_id_of(interaction)
        await strategies.unsave(self.bot.db, guild_id, int(args[0]), interaction.user.id)
        await send_card(interaction, saved_card(await strategies.saved(self.bot.db, guild_id, interaction.user.id)),
                        edit=True)

    # -- celebrating ---------------------------------------------------------------------------------

    async def on_cheer(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle_id, _ = await wins.get_win(self.bot.db, guild_id_of(interaction), int(args[0]))
        await self._circle_for_member(interaction, circle_id=circle_id)
        new, win = await wins.cheer(self.bot.db, self.bot.clock, guild_id_of(interaction), int(args[0]),
                                    interaction.user.id)
        if not new:
            await reply(interaction, wording.CHEERED_ALREADY)
            return
        await send_card(interaction, win_post(win), edit=True)  # the post's count goes up for everyone

    async def on_recap(self, conn: Conn, occurrence: Occurrence) -> None:
        sent = await wins.send_recap(conn, self.bot.outbox, occurrence)
        log.info("coping wins recap guild_id=%s schedule_id=%s enqueued=%s", occurrence.guild_id,
                 occurrence.schedule_id, sent)

    # -- facilitators --------------------------------------------------------------------------------

    async def _curate(self, interaction: discord.Interaction, strategy_id: int) -> Circle:
        settings = await settings_of(self.bot, interaction)
        await require_curator_somewhere(self.bot.db, actor_of(interaction), settings,  # before the lookup
                                        wording.NOT_CURATOR_STRATEGIES)
        strategy = await strategies.get_strategy(self.bot.db, settings.guild_id, strategy_id)
        circle = await get_circle(self.bot.db, settings.guild_id, strategy.circle_id)
        await require_curator(self.bot.db, actor_of(interaction), settings, circle)
        return circle

    @strategy.command(name="pin", description="Facilitators: pin a strategy to the top of the circle's list",
                      extras={"audience": "facilitator"})
    @app_commands.describe(strategy="The strategy's number (#) shown in /strategy browse")
    async def pin(self, interaction: discord.Interaction, strategy: app_commands.Range[int, 1]) -> None:
        circle = await self._curate(interaction, strategy)
        await strategies.set_pinned(self.bot.db, self.bot.clock, circle.guild_id, strategy, interaction.user.id, True)
        await reply(interaction, wording.PIN_DONE.format(id=strategy, circle=display(circle.name)))

    @strategy.command(name="unpin", description="Facilitators: unpin a strategy", extras={"audience": "facilitator"})
    @app_commands.describe(strategy="The strategy's number (#) shown in /strategy browse")
    async def unpin(self, interaction: discord.Interaction, strategy: app_commands.Range[int, 1]) -> None:
        circle = await self._curate(interaction, strategy)
        await strategies.set_pinned(self.bot.db, self.bot.clock, circle.guild_id, strategy, interaction.user.id, False)
        await reply(interaction, wording.UNPIN_DONE.format(id=strategy))

    @strategy.command(name="remove", description="Facilitators: take a strategy off the circle's list",
                      extras={"audience": "facilitator"})
    @app_commands.describe(strategy="The strategy's number (#) shown in /strategy browse")
    async def remove(self, interaction: discord.Interaction, strategy: app_commands.Range[int, 1]) -> None:
        circle = await self._curate(interaction, strategy)
        await strategies.remove(self.bot.db, self.bot.clock, circle.guild_id, strategy, interaction.user.id)
        deleted = await self._delete_post(circle.guild_id, strategy)
        done = wording.REMOVE_DONE if deleted else wording.REMOVE_POST_KEPT
        await reply(interaction, done.format(id=strategy, circle=display(circle.name)))

    async def _delete_post(self, guild_id: int, strategy_id: int) -> bool:
        """Delete the strategy's post; True when it is gone (deleted now, or never sent)."""
        posted = await strategies.posted_message(self.bot.db, guild_id, strategy_id)
        if posted is None:
            return True
        try:
            await self.bot.http.delete_message(posted[0], posted[1], reason=f"coping strategy {strategy_id} removed")
        except discord.NotFound:
            return True
        except discord.HTTPException as exc:
            log.warning("coping post not deleted guild_id=%s strategy_id=%s status=%s", guild_id, strategy_id,
                        exc.status)
            return False
        return True
