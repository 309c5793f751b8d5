"""The buttons on a goal's nudge (done, partly, not today, flare day, snooze, a note) and the note form."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.core.messages import Card, custom_id, timestamp
from bot.goals import pings, wording
from bot.goals.notes import save_note
from cogs.common.components import send_card
from cogs.common.context import reply
from cogs.common.modals import modal_values
from cogs.goals.base import GoalsBase

if TYPE_CHECKING:

    pass

log = logging.getLogger(__name__)


class PingButtons(GoalsBase):
    async def _ping_ref(self, interaction: discord.Interaction, args: list[str],
                        rest: int) -> tuple[int | None, int, list[str]]:
        """(server, ping id, the other args) of a ping button: new ones carry the server first."""
        if len(args) >= rest + 2:
            return int(args[0]), int(args[1]), args[2:]
        ping_id = int(args[0])
        gid = await pings.locate_ping(self.bot.db, self._servers_for(interaction), ping_id, interaction.user.id)
        return gid, ping_id, args[1:]

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
