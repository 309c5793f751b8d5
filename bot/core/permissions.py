"""Who may do what: the bot's own check behind every moderator and organiser action.

Discord's ``default_permissions`` only hides commands in the UI and server admins can change it,
so every cog checks again here. Pure functions over ids and permission flags: no discord classes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.core.errors import UserFacingError
from bot.core.guild_settings import GuildSettings

# Discord permission bits we reason about.
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
MANAGE_ROLES = 1 << 28
MANAGE_CHANNELS = 1 << 4
MODERATE_MEMBERS = 1 << 40


class Role(enum.IntEnum):
    """Ordered: each role may do everything the ones below it may."""

    MEMBER = 0
    FACILITATOR = 1
    MODERATOR = 2
    ORGANISER = 3


@dataclass(frozen=True)
class Actor:
    """The invoking member as the domain sees them."""

    user_id: int
    role_ids: frozenset[int]
    permissions: int  # the member's resolved guild permission bits
    is_owner: bool = False

    @property
    def manages_server(self) -> bool:
        return self.is_owner or bool(self.permissions & (ADMINISTRATOR | MANAGE_GUILD))


def server_role(actor: Actor, settings: GuildSettings) -> Role:
    """The highest server-wide role the actor holds (facilitation is per circle, see below).

    Until /setup has chosen roles, only members who can manage the server count as organisers,
    and nobody else is a moderator.
    """
    if actor.manages_server:
        return Role.ORGANISER
    if settings.organiser_role_id and settings.organiser_role_id in actor.role_ids:
        return Role.ORGANISER
    if settings.moderator_role_id and settings.moderator_role_id in actor.role_ids:
        return Role.MODERATOR
    return Role.MEMBER


def is_organiser(actor: Actor, settings: GuildSettings) -> bool:
    return server_role(actor, settings) >= Role.ORGANISER


def is_moderator(actor: Actor, settings: GuildSettings) -> bool:
    return server_role(actor, settings) >= Role.MODERATOR


class NotAllowed(UserFacingError):
    """Raised by domain code; the cog turns it into a plain ephemeral message."""


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)
