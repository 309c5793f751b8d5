"""The goal form: /goal set and /goal edit read the plan from their options, the form asks for the words,
and its submit saves the goal (screened for crisis words first)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.core import typed
from bot.core.errors import UserFacingError
from bot.core.messages import Card, timestamp
from bot.core.text import display
from bot.goals import wording
from bot.goals.goal_words import CrisisWords
from bot.goals.goal_words import respond as respond_to_words
from bot.goals.records import Goal, GoalPlan, check_circle, check_plan, create_goal, edit_goal, get_goal
from bot.members.prefs import get_prefs
from bot.members.timeparse import parse_date, parse_hhmm
from cogs.common.components import send_card
from cogs.common.context import guild_id_of, reply
from cogs.common.modals import modal_values
from cogs.goals.base import GoalsBase

if TYPE_CHECKING:

    pass

log = logging.getLogger(__name__)


class GoalForms(GoalsBase):
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
