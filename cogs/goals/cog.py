"""The goals cog: /goal set|list|edit|pause|resume|delete|progress|partner|partner-end|summary, the
delete and progress buttons, and the listeners. All /goal subcommands share one app_commands Group,
so they stay in this one Cog class; the rest of its work comes from one module per job:
``forms`` (the goal form), ``ping_buttons`` (a nudge's buttons and the note form),
``partner_buttons`` (partner messages' buttons), ``deliveries`` (scheduler kinds, outbox fallback)."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import UserFacingError
from bot.core.messages import DANGER, SECONDARY, Button, Card, custom_id, embed, timestamp
from bot.core.text import display
from bot.goals import partners, wording
from bot.goals.departures import member_left
from bot.goals.picture import render_png
from bot.goals.progress import goal_progress, totals
from bot.goals.records import (
    Goal,
    delete_goal,
    get_goal,
    list_goals,
    own_goal,
    pause_goal,
    require_room,
    resume_goal,
    seated_circles,
)
from bot.members.prefs import get_prefs
from cogs.common.choices import choice
from cogs.common.components import Action, PersistentComponent, form, send_card
from cogs.common.context import guild_id_of, reply
from cogs.goals.deliveries import Deliveries
from cogs.goals.forms import GoalForms
from cogs.goals.partner_buttons import PartnerButtons
from cogs.goals.ping_buttons import PingButtons

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)

CADENCE_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in wording.CADENCES.items()]
DELIVERY_CHOICES = [app_commands.Choice(name=label[:100], value=key) for key, label in wording.DELIVERIES.items()]
DAY_CHOICES = [app_commands.Choice(name="off (no weekly recap)", value=-1)] + [
    app_commands.Choice(name=name, value=i) for i, name in enumerate(wording.WEEKDAY_NAMES)]


class Goals(GoalForms, PingButtons, PartnerButtons, Deliveries, commands.Cog):
    component_actions: ClassVar[dict[str, str | Action]] = {
        "goalans": "on_answer", "goalsnz": "on_snooze", "goalnote": "on_note_button", "goaldel": "on_delete_ok",
        "goalkeep": "on_keep", "goalpyes": "on_partner_accept", "goalpno": "on_partner_decline",
        "goalcheer": "on_cheer", "goalpend": "on_partner_end_button", "goalpic": "on_picture",
        # The forms: custom_id("goalsetm" / "goaleditm", goal id or 0, *the plan) and
        # custom_id("goalnotem", server, ping id) (older note forms carry the ping id only).
        "goalsetm": form("save_new_goal_from_modal", "member"),
        "goaleditm": form("save_edited_goal_from_modal", "member"),
        "goalnotem": form("save_note_from_modal", "member"),
    }

    goal = app_commands.Group(name="goal", description="Small, kind goals with a gentle nudge at your time",
                              guild_only=True)

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PersistentComponent)
        self.register_deliveries()

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        # Nudges, recaps and partner updates stop for someone who is no longer in the server (tried
        # again later if the database is busy: nobody else will ask for it).
        guild_id, user_id = payload.guild_id, payload.user.id

        async def write() -> None:
            async with self.bot.db.transaction() as conn:
                await member_left(conn, self.bot.clock.now(), guild_id, user_id)

        await self.bot.busy_retries.run(("goals.member_left", guild_id, user_id), "goals.member_left", guild_id, write)

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: discord.Interaction, command: object) -> None:
        # Any slash command of any capability counts as "using the bot"; a modal answer cannot
        # take a follow-up, so those wait for the modal's submit (or the next command).
        if interaction.guild_id is None or not interaction.response.is_done():
            return
        if interaction.response.type is discord.InteractionResponseType.modal:
            return
        await self._tell_dm_notice(interaction, interaction.guild_id)

    async def goal_autocomplete(self, interaction: discord.Interaction,
                                current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        goals = await list_goals(self.bot.db, interaction.guild_id, interaction.user.id)
        typed = current.lower()
        return [choice(g.text + (" (paused)" if g.status != "active" else ""),
                                    value=str(g.id)) for g in goals if typed in g.text.lower()][:25]

    async def circle_autocomplete(self, interaction: discord.Interaction,
                                  current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        rows = await seated_circles(self.bot.db, interaction.guild_id, interaction.user.id)
        return [choice(name, str(cid)) for cid, name in rows
                if current.lower() in name.lower()][:25]

    # -- /goal set, edit ------------------------------------------------------------------------------

    @goal.command(name="set", description="Start a small goal with a gentle nudge at a time you pick")
    @app_commands.describe(
        cadence="How often", time="Your local time for the nudge, e.g. 7pm or 19:30",
        days="For chosen days or once a week: e.g. mon,wed,fri", every="For every few days: the number of days",
        delivery="Where the nudge goes (a DM unless you choose)", circle="Your circle, for channel nudges",
        end="Optional last day, e.g. 2026-12-31 or next friday",
    )
    @app_commands.choices(cadence=CADENCE_CHOICES, delivery=DELIVERY_CHOICES)
    async def set_goal(self, interaction: discord.Interaction, cadence: str, time: str, days: str | None = None,
                       every: app_commands.Range[int, 2, 30] | None = None, delivery: str | None = None,
                       circle: str | None = None, end: str | None = None) -> None:
        gid = guild_id_of(interaction)
        await require_room(self.bot.db, gid, interaction.user.id)
        plan = await self._plan(interaction, None, cadence, time, days, every, delivery, circle, end)
        await interaction.response.send_modal(
            self._goal_modal(custom_id("goalsetm", 0, *plan.encode().split(":")), "A new goal", None))

    @set_goal.autocomplete("circle")
    async def _set_circle(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.circle_autocomplete(interaction, current)

    @goal.command(name="edit", description="Change one of your goals: its words, time, days or where it goes")
    @app_commands.describe(
        goal="Which goal", cadence="How often", time="Your local time, e.g. 7pm or 19:30",
        days="For chosen days or once a week: e.g. mon,wed,fri", every="For every few days: the number of days",
        delivery="Where the nudge goes", circle="Your circle, for channel nudges",
        end="Last day (e.g. 2026-12-31), or none",
    )
    @app_commands.choices(cadence=CADENCE_CHOICES, delivery=DELIVERY_CHOICES)
    async def edit(self, interaction: discord.Interaction, goal: str, cadence: str | None = None,
                   time: str | None = None, days: str | None = None,
                   every: app_commands.Range[int, 2, 30] | None = None, delivery: str | None = None,
                   circle: str | None = None, end: str | None = None) -> None:
        found = await own_goal(self.bot.db, guild_id_of(interaction), interaction.user.id, goal)
        plan = await self._plan(interaction, found.plan, cadence, time, days, every, delivery, circle, end)
        await interaction.response.send_modal(
            self._goal_modal(custom_id("goaleditm", found.id, *plan.encode().split(":")), "Edit your goal", found))

    @edit.autocomplete("goal")
    async def _edit_goal(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.goal_autocomplete(interaction, current)

    @edit.autocomplete("circle")
    async def _edit_circle(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.circle_autocomplete(interaction, current)

    # -- list, pause, resume, delete ------------------------------------------------------------------

    @goal.command(name="list", description="Your goals, their times and whether they're paused")
    async def list_command(self, interaction: discord.Interaction) -> None:
        gid = guild_id_of(interaction)
        goals = await list_goals(self.bot.db, gid, interaction.user.id)
        if not goals:
            await reply(interaction, wording.NO_GOALS)
        else:
            lines = []
            for g in goals:
                state = ""
                if g.status != "active":
                    state = {"dm_closed": " \u2014 paused (DMs closed)",
                             "left": " \u2014 paused (you had left the server)"}.get(g.paused_reason or "",
                                                                                  " \u2014 paused")
                minimum = f" (hard days: {display(g.minimum)})" if g.minimum else ""
                lines.append(f"\u2022 **{display(g.text)}**{minimum}: {g.when()}, {wording.DELIVERIES[g.delivery]}"
                             f"{state}")
            await send_card(interaction, Card("", (embed("Your goals", "\n".join(lines)),)))

    @goal.command(name="pause", description="Pause one goal's nudges; the days you showed up stay counted")
    @app_commands.describe(goal="Which goal")
    async def pause(self, interaction: discord.Interaction, goal: str) -> None:
        found = await own_goal(self.bot.db, guild_id_of(interaction), interaction.user.id, goal)
        await pause_goal(self.bot.db, self.bot.clock.now(), found)
        await reply(interaction, wording.PAUSED.format(goal=display(found.text)))

    @goal.command(name="resume", description="Resume a paused goal's nudges")
    @app_commands.describe(goal="Which goal")
    async def resume(self, interaction: discord.Interaction, goal: str) -> None:
        found = await own_goal(self.bot.db, guild_id_of(interaction), interaction.user.id, goal)
        schedule = await resume_goal(self.bot.db, self.bot.clock.now(), found)
        self.bot.scheduler.notify(schedule)
        when = timestamp(schedule.next_fire_at, "R") if schedule and schedule.next_fire_at else "as planned"
        await reply(interaction, wording.RESUMED.format(goal=display(found.text), when=when))

    @goal.command(name="delete", description="Delete one of your goals and its history (you'll be asked first)")
    @app_commands.describe(goal="Which goal")
    async def delete(self, interaction: discord.Interaction, goal: str) -> None:
        gid = guild_id_of(interaction)
        found = await own_goal(self.bot.db, gid, interaction.user.id, goal)
        card = Card(f"Delete **{display(found.text)}** and all its history? This can't be undone.", (),
                    ((Button(custom_id("goaldel", gid, found.id), "Delete it", DANGER),
                      Button(custom_id("goalkeep"), "Keep it", SECONDARY)),))
        await send_card(interaction, card)

    for _cmd in (pause, resume, delete):
        _cmd.autocomplete("goal")(goal_autocomplete)

    async def on_delete_ok(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        found = await get_goal(self.bot.db.reader, int(args[0]), int(args[1]))
        if found is None or found.user_id != interaction.user.id:
            await send_card(interaction, Card(wording.NO_GOAL), edit=True)
            return
        await delete_goal(self.bot.db, found)
        await send_card(interaction, Card(wording.DELETED.format(goal=display(found.text))), edit=True)

    async def on_keep(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        await send_card(interaction, Card(wording.KEPT), edit=True)

    # -- progress -------------------------------------------------------------------------------------

    @goal.command(name="progress", description="The last four weeks at a glance, with a picture")
    @app_commands.describe(goal="One goal (default: all of them)")
    async def progress(self, interaction: discord.Interaction, goal: str | None = None) -> None:
        gid = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        chosen = ([await own_goal(self.bot.db, gid, interaction.user.id, goal)] if goal
                  else await list_goals(self.bot.db, gid, interaction.user.id))
        await self.send_progress(interaction, gid, chosen)

    @progress.autocomplete("goal")
    async def _progress_goal(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.goal_autocomplete(interaction, current)

    async def send_progress(self, interaction: discord.Interaction, gid: int, chosen: list[Goal]) -> None:
        if not chosen:
            await reply(interaction, wording.NO_GOALS)
            return
        now = self.bot.clock.now()
        prefs = await get_prefs(self.bot.db, gid, interaction.user.id)
        today = now.astimezone(prefs.zone(await self._zone(gid))).date()
        items = [await goal_progress(self.bot.db, g, today, now) for g in chosen]
        png = await asyncio.to_thread(render_png, [p.states for p in items])  # Pillow off the event loop
        t = totals(items)
        line = wording.progress_line(t["done"], t["minimum"], t["not_today"], t["flare"],
                                     max(p.streak for p in items), len(items[0].states))
        legend = "Rows: " + "; ".join(f"{n + 1}. {display(p.goal.text)}" for n, p in enumerate(items))
        legend += "\nGreen: done \u00b7 light green: minimum \u00b7 blue-grey: not today \u00b7 lavender: flare day"
        await interaction.followup.send(f"{line}\n{legend}"[:2000], file=discord.File(io.BytesIO(png), "progress.png"),
                                        ephemeral=True, allowed_mentions=discord.AllowedMentions.none())

    async def on_picture(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        gid = int(args[0])
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.send_progress(interaction, gid, await list_goals(self.bot.db, gid, interaction.user.id))

    # -- the ping's buttons ---------------------------------------------------------------------------

    # -- partners -------------------------------------------------------------------------------------

    @goal.command(name="partner", description="Invite someone to be your accountability partner for a goal")
    @app_commands.describe(goal="Which goal", member="Who to invite (they'll be asked privately)")
    async def partner(self, interaction: discord.Interaction, goal: str, member: discord.Member) -> None:
        gid = guild_id_of(interaction)
        found = await own_goal(self.bot.db, gid, interaction.user.id, goal)
        if member.bot:
            raise UserFacingError(wording.PARTNER_BOT)
        _, held = await partners.invite(self.bot.db, self.bot.clock.now(), found, member.id,
                                        owner_name=interaction.user.display_name, server=self._server(gid),
                                        outbox=self.bot.outbox, default_zone=await self._zone(gid))
        if held is not None:
            self.bot.scheduler.notify(held)
        await reply(interaction, wording.PARTNER_INVITED.format(partner=member.mention))

    @goal.command(name="partner-end", description="End an accountability partnership for a goal, quietly")
    @app_commands.describe(goal="Which of your goals")
    async def partner_end(self, interaction: discord.Interaction, goal: str) -> None:
        gid = guild_id_of(interaction)
        found = await own_goal(self.bot.db, gid, interaction.user.id, goal)
        ended = [await partners.end(self.bot.db, gid, p.id, interaction.user.id)
                 for p in await partners.partnerships_of_goal(self.bot.db, gid, found.id)]
        await reply(interaction, wording.PARTNER_ENDED if any(ended) else wording.NO_PARTNER)

    for _partner_cmd in (partner, partner_end):
        _partner_cmd.autocomplete("goal")(goal_autocomplete)

    # -- weekly recap ---------------------------------------------------------------------------------

    @goal.command(name="summary", description="A short private weekly recap of your goals, on a day you choose")
    @app_commands.describe(day="Which day (or off)")
    @app_commands.choices(day=DAY_CHOICES)
    async def summary(self, interaction: discord.Interaction, day: int) -> None:
        gid = guild_id_of(interaction)
        weekday = None if day < 0 else day
        await partners.set_recap(self.bot.db, self.bot.clock.now(), gid, interaction.user.id, weekday,
                                 await self._zone(gid))
        # Weekly (or moved) schedules far ahead are picked up by the scheduler's 30-second sweep.
        await reply(interaction, "Weekly recap off." if weekday is None else
                    f"You'll get a short private recap every {wording.WEEKDAY_NAMES[weekday]} evening.")

    # -- scheduler kinds and the outbox fallback --------------------------------------------------------


__all__ = ["Goals"]
