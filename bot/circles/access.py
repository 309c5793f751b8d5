"""Who may use the circle commands, on top of bot/core/permissions.py.

Until /setup is done, only members who can manage the server count as organisers (a role chosen
half-way through setup does not yet), and member commands explain the server isn't set up.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.circles import wording
from bot.core.errors import UserFacingError
from bot.core.guild_settings import GuildSettings
from bot.core.permissions import Actor, NotAllowed, is_organiser, require

NOT_SET_UP = (
    "This server hasn't been set up for Peer Circles yet. Someone with **Manage Server** can run /setup;"
    " circles open once it's done."
)


def require_set_up(settings: GuildSettings) -> None:
    if not settings.setup_done:
        raise UserFacingError(NOT_SET_UP)


def may_organise(actor: Actor, settings: GuildSettings) -> bool:
    if not settings.setup_done:
        return actor.manages_server
    return is_organiser(actor, settings)


def require_organiser(actor: Actor, settings: GuildSettings) -> None:
    if not settings.setup_done and not actor.manages_server:
        raise NotAllowed(
            "Until /setup is finished, only members with **Manage Server** can use organiser commands."
        )
    require(is_organiser(actor, settings), wording.organisers_only(settings.organiser_role_id))


def require_facilitator_or_organiser(actor: Actor, settings: GuildSettings, facilitator_ids: Collection[int]) -> None:
    """The circle's facilitators and the server's organisers (not every moderator)."""
    if actor.user_id in facilitator_ids:
        return
    if not may_organise(actor, settings):
        raise NotAllowed("Only this circle's facilitators and the server's organisers can see its members.")
