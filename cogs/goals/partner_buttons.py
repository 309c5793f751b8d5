"""The buttons on partner messages: accept or decline an invitation, end a partnership, cheer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.core.messages import Card
from bot.core.text import display
from bot.goals import partners, wording
from cogs.common.components import send_card
from cogs.common.context import reply
from cogs.goals.base import GoalsBase

if TYPE_CHECKING:

    pass

log = logging.getLogger(__name__)


class PartnerButtons(GoalsBase):
    async def _partner_ref(self, interaction: discord.Interaction, args: list[str],
                           rest: int) -> tuple[int | None, int, list[str]]:
        """(server, partnership id, the other args) of a partner button: new ones carry the server first."""
        if len(args) >= rest + 2:
            return int(args[0]), int(args[1]), args[2:]
        pid = int(args[0])
        gid = await partners.locate_partnership(self.bot.db, self._servers_for(interaction), pid, interaction.user.id)
        return gid, pid, args[1:]

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
