"""/goal set|list|edit|pause|resume|delete|progress|partner|partner-end|summary, the buttons on
goal pings and partner messages, the note and goal modals (answered in ``on_interaction`` so they
work after a restart), and the scheduler kinds and outbox fallback of goals."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import typed
from bot.core.errors import UserFacingError
from bot.core.messages import DANGER, SECONDARY, Button, Card, custom_id, embed, timestamp
from bot.core.text import display
from bot.delivery.scheduler import MissedPolicy, Occurrence
from bot.goals import partners, pings, wording
from bot.goals.departures import member_left
from bot.goals.goal_words import CrisisWords
from bot.goals.goal_words import respond as respond_to_words
from bot.goals.notes import save_note
from bot.goals.picture import render_png
from bot.goals.progress import goal_progress, totals
from bot.goals.records import (
    PING_KIND,
    Goal,
    GoalPlan,
    check_circle,
    check_plan,
    create_goal,
    delete_goal,
    edit_goal,
    get_goal,
    list_goals,
    own_goal,
    pause_goal,
    require_room,
    resume_goal,
    seated_circles,
)
from bot.members.prefs import get_prefs
from bot.members.timeparse import parse_date, parse_hhmm
from cogs.common.choices import choice
from cogs.common.components import Action, PersistentComponent, form, send_card
from cogs.common.context import guild_id_of, guild_settings, reply
from cogs.common.modals import modal_values

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot
    from bot.core.db import Conn
    from bot.delivery.outbox import OutboxRow

log = logging.getLogger(__name__)

# New note forms carry the server and the ping; older ones (still open somewhere) the ping alone.
CADENCE_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in wording.CADENCES.items()]
DELIVERY_CHOICES = [app_commands.Choice(name=label[:100], value=key) for key, label in wording.DELIVERIES.items()]
HELD_GRACE = timedelta(days=30)
DAY_CHOICES = [app_commands.Choice(name="off (no weekly recap)", value=-1)] + [
    app_commands.Choice(name=name, value=i) for i, name in enumerate(wording.WEEKDAY_NAMES)]


class Goals(commands.Cog):
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
        scheduler = self.bot.scheduler
        scheduler.register_kind(PING_KIND, self.on_ping_due, MissedPolicy.LATE, grace=pings.LATE_GRACE)
        scheduler.register_kind(pings.RELEASE_KIND, self.on_release_due, MissedPolicy.LATE, grace=pings.LATE_GRACE)
        scheduler.register_kind(partners.PARTNER_KIND, self.on_partner_week, MissedPolicy.LATE,
                                grace=pings.LATE_GRACE)
        scheduler.register_kind(partners.RECAP_KIND, self.on_recap_due, MissedPolicy.LATE, grace=pings.LATE_GRACE)
        # A held invitation or cheer is worth sending however late the bot wakes (it re-checks the recipient).
        scheduler.register_kind(partners.HELD_KIND, self.on_held_dm_due, MissedPolicy.LATE, grace=HELD_GRACE)
        self.bot.outbox.register_fallback(pings.DM_FALLBACK, self.on_dm_closed)

    # -- helpers ----------------------------------------------------------------------------------------

    async def _zone(self, guild_id: int) -> str:
        return (await guild_settings(self.bot, guild_id)).timezone

    def _server(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild else "your server"

    def _name(self, guild_id: int, user_id: int, fallback: str) -> str:
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        return member.display_name if member else fallback

    def _servers_for(self, interaction: discord.Interaction) -> list[int]:
        """Where an older button (one carrying no server) may come from."""
        return [interaction.guild_id] if interaction.guild_id else [g.id for g in self.bot.guilds]

    async def _ping_ref(self, interaction: discord.Interaction, args: list[str],
                        rest: int) -> tuple[int | None, int, list[str]]:
        """(server, ping id, the other args) of a ping button: new ones carry the server first."""
        if len(args) >= rest + 2:
            return int(args[0]), int(args[1]), args[2:]
        ping_id = int(args[0])
        gid = await pings.locate_ping(self.bot.db, self._servers_for(interaction), ping_id, interaction.user.id)
        return gid, ping_id, args[1:]

    async def _partner_ref(self, interaction: discord.Interaction, args: list[str],
                           rest: int) -> tuple[int | None, int, list[str]]:
        """(server, partnership id, the other args) of a partner button: new ones carry the server first."""
        if len(args) >= rest + 2:
            return int(args[0]), int(args[1]), args[2:]
        pid = int(args[0])
        gid = await partners.locate_partnership(self.bot.db, self._servers_for(interaction), pid, interaction.user.id)
        return gid, pid, args[1:]

    async def _tell_dm_notice(self, interaction: discord.Interaction, guild_id: int) -> None:
        """The closed-DMs notice, once, the next time the member uses the bot."""
        notice = await pings.take_dm_notice(self.bot.db, guild_id, interaction.user.id)
        if notice:
            await reply(interaction, notice)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        # Nudges, recaps and partner updates stop for someone who is no longer in the server.
        async with self.bot.db.transaction() as conn:
            await member_left(conn, self.bot.clock.now(), payload.guild_id, payload.user.id)

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: discord.Interaction, command: object) -> None:
        # Any slash command of any capability counts as "using the bot"; a modal answer cannot
        # take a follow-up, so those wait for the modal's submit (or the next command).
        if interaction.guild_id is None or not interaction.response.is_done():
            return
        if interaction.response.type is discord.InteractionResponseType.modal:
            return
        await self._tell_dm_notice(interaction, interaction.guild_id)

    async def _plan(self, interaction: discord.Interaction, base: GoalPlan | None, cadence: str | None,
                    time: str | None, days: str | None, every: int | None, delivery: str | None,
                    circle: str | None, end: str | None) -> GoalPlan:
        gid = guild_id_of(interaction)
        prefs = await get_prefs(self.bot.db, gid, interaction.user.id)
        today = self.bot.clock.now().astimezone(prefs.zone(await self._zone(gid))).date()
        weekdays = base.weekdays if base else frozenset()
        if days:
            weekdays = typed.weekdays(days)
        circle_id = base.circle_id if base else None
        if circle:
            circle_id = typed.typed_id(circle)
            if circle_id is None:
                raise UserFacingError(wording.NOT_IN_CIRCLE)
        end_date = base.end_date if base else None
        if end is not None:
            end_date = None if end.strip().lower() in ("", "none", "never", "no") else parse_date(end, today)
        plan = GoalPlan(
            cadence=cadence or (base.cadence if base else "daily"),
            local_time=parse_hhmm(time) if time else (base.local_time if base else "09:00"),
            weekdays=weekdays,
            every_days=every if every is not None else (base.every_days if base else 1),
            delivery=delivery or (base.delivery if base else "dm"),
            circle_id=circle_id,
            end_date=end_date,
        )
        plan = check_plan(plan, today)
        await check_circle(self.bot.db, gid, interaction.user.id, plan.circle_id if plan.delivery != "dm" else None)
        return plan

    def _goal_modal(self, custom: str, title: str, goal: Goal | None) -> discord.ui.Modal:
        modal = discord.ui.Modal(title=title, custom_id=custom, timeout=900)
        modal.add_item(discord.ui.TextInput(label="Your goal (small and kind)", custom_id="goal",
                                            placeholder="walk 10 minutes", max_length=wording.MAX_GOAL_TEXT,
                                            default=goal.text if goal else None))
        modal.add_item(discord.ui.TextInput(label="On hard days, this counts too (optional)", custom_id="minimum",
                                            placeholder="walk to the door and back", required=False,
                                            max_length=wording.MAX_MINIMUM_TEXT,
                                            default=goal.minimum if goal and goal.minimum else None))
        return modal

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

    async def save_new_goal_from_modal(self, interaction: discord.Interaction, args: list[str]) -> None:
        await self.save_goal_from_modal(interaction, "set", args)

    async def save_edited_goal_from_modal(self, interaction: discord.Interaction, args: list[str]) -> None:
        await self.save_goal_from_modal(interaction, "edit", args)

    async def save_goal_from_modal(self, interaction: discord.Interaction, mode: str, args: list[str]) -> None:
        gid = guild_id_of(interaction)
        try:
            goal_id, plan = int(args[0]), GoalPlan.decode(args[1:])
        except (ValueError, IndexError):
            raise UserFacingError("That form has expired. Please run the command again.") from None
        now, zone = self.bot.clock.now(), await self._zone(gid)
        values = modal_values(interaction)
        text, minimum = values.get("goal", ""), values.get("minimum", "")
        try:
            if mode == "set":
                saved = await create_goal(self.bot.db, now, gid, interaction.user.id, text, minimum, plan, zone)
                verb = "Saved"
            else:
                found = await get_goal(self.bot.db.reader, gid, goal_id)
                if found is None or found.user_id != interaction.user.id:
                    raise UserFacingError(wording.NO_GOAL)
                saved = await edit_goal(self.bot.db, now, found, text, minimum, plan, zone)
                verb = "Updated"
        except CrisisWords as crisis:
            # Nothing was kept; the member gets the crisis card privately, the moderators a case.
            response = await respond_to_words(self.bot.db, self.bot.clock, self.bot.outbox, crisis.verdict.level,
                                              guild_id=gid, user_id=interaction.user.id,
                                              server_name=self._server(gid))
            log.info("goal words screened guild_id=%s level=crisis case_id=%s", gid,
                     response.case_id if response else None)
            card = response.card if response is not None and response.show_card else None
            await send_card(interaction, Card(wording.GOAL_CRISIS, card.embeds if card else (),
                                              card.rows if card else ()))
            return
        goal, schedule = saved.goal, saved.schedule
        self.bot.scheduler.notify(schedule)
        log.info("goal saved guild_id=%s goal_id=%s mode=%s", gid, goal.id, mode)
        nxt = f" The first nudge comes {timestamp(schedule.next_fire_at, 'R')}." if schedule.next_fire_at else ""
        if goal.status != "active":
            nxt = " It is paused; `/goal resume` when you're ready."
        done = f"{verb} **{display(goal.text)}**, {goal.when()}.{nxt}"
        if saved.level == "concern":
            response = await respond_to_words(self.bot.db, self.bot.clock, self.bot.outbox,
                                              "concern", guild_id=gid, user_id=interaction.user.id,
                                              server_name=self._server(gid))
            if response is not None and response.show_card and response.card is not None:
                await send_card(interaction, Card(f"{done}\n{wording.GOAL_CONCERN}", response.card.embeds,
                                                  response.card.rows))
                await self._tell_dm_notice(interaction, gid)
                return
        await reply(interaction, done)
        await self._tell_dm_notice(interaction, gid)

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

    async def _refuse(self, interaction: discord.Interaction, result: pings.AnswerResult) -> bool:
        if result.status == "recorded":
            return False
        if result.status == "already" and result.answer:
            text = wording.ALREADY.format(answer=wording.ANSWERS[result.answer])
        else:
            text = {"not_yours": wording.NOT_YOURS, "passed": wording.PASSED}.get(result.status, wording.NO_GOAL)
        await reply(interaction, text)
        return True

    async def on_answer(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        gid, ping_id, rest = await self._ping_ref(interaction, args, 1)
        result = (pings.AnswerResult("gone") if gid is None else await pings.answer_ping(
            self.bot.db, self.bot.clock.now(), gid, ping_id, interaction.user.id, rest[0]))
        if await self._refuse(interaction, result):
            return
        assert result.goal is not None and result.answer is not None
        log.info("goal answered guild_id=%s goal_id=%s answer=%s", result.goal.guild_id, result.goal.id, result.answer)
        await send_card(interaction, pings.answered_card(result.goal, ping_id, result.answer), edit=True)

    async def on_snooze(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        gid, ping_id, rest = await self._ping_ref(interaction, args, 1)
        if gid is None:
            result, at = pings.AnswerResult("gone"), None
        else:
            result, at = await pings.snooze_ping(self.bot.db, self.bot.clock.now(), gid, ping_id, interaction.user.id,
                                                 rest[0], await self._zone(gid))
        if await self._refuse(interaction, result):
            return
        assert at is not None
        self.bot.scheduler.notify(at)
        await reply(interaction, wording.SNOOZED.format(when=timestamp(at, "R")))

    async def on_note_button(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        gid, ping_id, _ = await self._ping_ref(interaction, args, 0)
        ping = await pings.get_ping(self.bot.db.reader, gid, ping_id) if gid is not None else None
        if ping is None or ping.user_id != interaction.user.id:
            await reply(interaction, wording.NOT_YOURS if ping else wording.NO_GOAL)
            return
        modal = discord.ui.Modal(title="A private note", custom_id=custom_id("goalnotem", ping.guild_id, ping.id),
                                 timeout=900)
        # The label is true even when crisis screening alerts the moderators (never with the words).
        modal.add_item(discord.ui.TextInput(label=wording.NOTE_LABEL, custom_id="note",
                                            placeholder=wording.NOTE_PLACEHOLDER,
                                            style=discord.TextStyle.paragraph, max_length=wording.MAX_NOTE))
        await interaction.response.send_modal(modal)

    async def save_note_from_modal(self, interaction: discord.Interaction, args: list[str]) -> None:
        gid, ping_id = (int(args[0]) if len(args) > 1 else None), int(args[-1])
        if gid is None:  # an older form, opened before notes carried the server
            gid = await pings.locate_ping(self.bot.db, self._servers_for(interaction), ping_id, interaction.user.id)
        if gid is None:
            await reply(interaction, wording.NO_GOAL)
            return
        result = await save_note(self.bot.db, self.bot.clock, self.bot.outbox, gid, ping_id, interaction.user.id,
                                 modal_values(interaction).get("note", ""), server_name=self._server(gid))
        if result.status != "saved":
            await reply(interaction, wording.NOT_YOURS if result.status == "not_yours" else wording.NO_GOAL)
            return
        if result.response is not None:
            log.info("goal note screened guild_id=%s level=%s case_id=%s", result.guild_id, result.crisis,
                     result.case_id)
        if result.response is not None and result.response.show_card and result.response.card is not None:
            card = result.response.card
            await send_card(interaction, Card(wording.NOTE_SAVED, card.embeds, card.rows))
            return
        await reply(interaction, wording.NOTE_SAVED)

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

    async def on_partner_accept(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        gid, pid, _ = await self._partner_ref(interaction, args, 0)
        accepted = None if gid is None else await partners.accept(self.bot.db, self.bot.clock.now(), gid, pid,
                                                                  interaction.user.id, await self._zone(gid))
        if accepted is None:
            await send_card(interaction, Card(wording.PARTNER_GONE), edit=True)
            return
        # Weekly (or moved) schedules far ahead are picked up by the scheduler's 30-second sweep.
        owner = self.bot.get_user(accepted.owner_id)
        await send_card(interaction, Card(wording.PARTNER_ACCEPTED.format(
            owner=display(owner.display_name) if owner else "your fellow member")), edit=True)

    async def on_partner_decline(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        gid, pid, _ = await self._partner_ref(interaction, args, 0)
        if gid is not None:
            await partners.decline(self.bot.db, self.bot.clock.now(), gid, pid, interaction.user.id)
        await send_card(interaction, Card(wording.PARTNER_DECLINED), edit=True)

    async def on_partner_end_button(self, interaction: discord.Interaction, args: list[str],
                                    values: list[str]) -> None:
        gid, pid, _ = await self._partner_ref(interaction, args, 0)
        ended = gid is not None and await partners.end(self.bot.db, gid, pid, interaction.user.id)
        await send_card(interaction, Card(wording.PARTNER_ENDED if ended else wording.NO_PARTNER), edit=True)

    async def on_cheer(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        gid, pid, rest = await self._partner_ref(interaction, args, 1)
        status, held = ("gone", None) if gid is None else await partners.cheer(
            self.bot.db, self.bot.clock.now(), gid, pid, interaction.user.id, rest[0],
            partner_name=interaction.user.display_name, server=self._server(gid), outbox=self.bot.outbox,
            default_zone=await self._zone(gid))
        if held is not None:
            self.bot.scheduler.notify(held)
        # A cheer button only ever comes with an active partnership: gone means it has ended.
        await reply(interaction, {"sent": wording.CHEER_SENT, "already": wording.CHEER_ALREADY}.get(
            status, wording.PARTNERSHIP_ENDED))

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

    async def on_ping_due(self, conn: Conn, occurrence: Occurrence) -> None:
        zone = await self._zone(occurrence.guild_id)
        await pings.on_occurrence(
            conn, self.bot.clock.now(), self.bot.outbox, guild_id=occurrence.guild_id,
            goal_id=int(occurrence.payload["goal"]), key=occurrence.key, scheduled_at=occurrence.scheduled_at,
            local_date=occurrence.local_time.date().isoformat(), late=occurrence.late, default_zone=zone,
            server=self._server(occurrence.guild_id))

    async def on_release_due(self, conn: Conn, occurrence: Occurrence) -> None:
        await pings.on_release(
            conn, self.bot.clock.now(), self.bot.outbox, guild_id=occurrence.guild_id,
            ping_id=int(occurrence.payload["ping"]),
            suffix=str(occurrence.payload.get("suffix", "")), late=occurrence.late,
            default_zone=await self._zone(occurrence.guild_id), server=self._server(occurrence.guild_id))

    async def on_partner_week(self, conn: Conn, occurrence: Occurrence) -> None:
        gid = occurrence.guild_id
        found = await partners.get_partnership(conn, gid, occurrence.owner_id)
        await partners.partner_weekly(
            conn, self.bot.clock.now(), self.bot.outbox, guild_id=gid, pid=occurrence.owner_id, key=occurrence.key,
            default_zone=await self._zone(gid), server=self._server(gid),
            owner_name=self._name(gid, found.owner_id, "your partner") if found else "your partner")

    async def on_held_dm_due(self, conn: Conn, occurrence: Occurrence) -> None:
        gid = occurrence.guild_id
        found = await partners.get_partnership(conn, gid, occurrence.owner_id)
        if found is None:
            return
        outcome = await partners.release_held(
            conn, self.bot.clock.now(), self.bot.outbox, guild_id=gid, pid=found.id,
            what=str(occurrence.payload.get("what", "")), week=str(occurrence.payload.get("week", "")),
            owner_name=self._name(gid, found.owner_id, "A member"),
            partner_name=self._name(gid, found.partner_id, "Your partner"), server=self._server(gid),
            default_zone=await self._zone(gid))
        log.info("goal partner DM released guild_id=%s outcome=%s", gid, outcome)

    async def on_recap_due(self, conn: Conn, occurrence: Occurrence) -> None:
        await partners.recap(conn, self.bot.clock.now(), self.bot.outbox, guild_id=occurrence.guild_id,
                             user_id=occurrence.owner_id, key=occurrence.key,
                             default_zone=await self._zone(occurrence.guild_id),
                             server=self._server(occurrence.guild_id))

    async def on_dm_closed(self, conn: Conn, row: OutboxRow, reason: str) -> None:
        if reason != "dm_closed":
            return
        outcome = await pings.on_dm_closed(conn, self.bot.clock.now(), self.bot.outbox, row.guild_id, row.key,
                                           self._server(row.guild_id))
        log.info("goal ping undeliverable by DM guild_id=%s outcome=%s", row.guild_id, outcome)


__all__ = ["Goals"]
