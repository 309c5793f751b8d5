"""Who may share, browse and curate in a circle: its members (active seat), its facilitators, organisers.

Checked in the bot for every command and button, on top of Discord's own settings.
"""

from __future__ import annotations

from bot.circles.access import may_organise
from bot.circles.consent import seat_of
from bot.circles.records import Circle, facilitates_any, facilitator_ids
from bot.coping import wording
from bot.core.db import Database
from bot.core.guild_settings import GuildSettings
from bot.core.permissions import Actor, NotAllowed
from bot.core.text import display


async def may_curate(db: Database, actor: Actor, settings: GuildSettings, circle: Circle) -> bool:
    """The circle's facilitators and the server's organisers."""
    if actor.user_id in await facilitator_ids(db, circle.guild_id, circle.id):
        return True
    return may_organise(actor, settings)


async def require_curator(db: Database, actor: Actor, settings: GuildSettings, circle: Circle) -> None:
    if not await may_curate(db, actor, settings, circle):
        raise NotAllowed(wording.NOT_FACILITATOR)


async def require_curator_somewhere(db: Database, actor: Actor, settings: GuildSettings,
                                    refusal: str = wording.NOT_CURATOR) -> None:
    """The gate before any curating command looks anything up: organisers, and members who facilitate
    at least one open circle here. Everyone else is refused the same way, whatever they named."""
    if may_organise(actor, settings) or await facilitates_any(db, settings.guild_id, actor.user_id):
        return
    raise NotAllowed(refusal)


async def require_participant(db: Database, actor: Actor, settings: GuildSettings, circle: Circle) -> None:
    """Members with an active seat, and the circle's curators."""
    seat = await seat_of(db, circle.guild_id, circle.id, actor.user_id)
    if seat is not None and seat["status"] == "active":
        return
    if await may_curate(db, actor, settings, circle):
        return
    raise NotAllowed(wording.NOT_A_MEMBER.format(circle=display(circle.name)))
