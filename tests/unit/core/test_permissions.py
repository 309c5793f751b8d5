"""bot/core/permissions.py: who counts as organiser, moderator or facilitator, before and after /setup."""

from __future__ import annotations

import pytest

from bot.core.errors import UserFacingError
from bot.core.guild_settings import GuildSettings
from bot.core.permissions import (
    ADMINISTRATOR,
    MANAGE_CHANNELS,
    MANAGE_GUILD,
    MANAGE_ROLES,
    MODERATE_MEMBERS,
    Actor,
    NotAllowed,
    Role,
    is_moderator,
    is_organiser,
    require,
    server_role,
)

GUILD = 1001
ORGANISERS = 11
MODERATORS = 12
OTHER_ROLE = 13
SEND_MESSAGES = 1 << 11

BEFORE_SETUP = GuildSettings(guild_id=GUILD)
AFTER_SETUP = GuildSettings(guild_id=GUILD, organiser_role_id=ORGANISERS, moderator_role_id=MODERATORS,
                            setup_done=True)


def actor(*role_ids: int, permissions: int = SEND_MESSAGES, owner: bool = False, user_id: int = 500) -> Actor:
    return Actor(user_id=user_id, role_ids=frozenset(role_ids), permissions=permissions, is_owner=owner)


CASES = [
    # (who, before setup, after setup)
    ("owner", actor(owner=True), Role.ORGANISER, Role.ORGANISER),
    ("administrator", actor(permissions=ADMINISTRATOR), Role.ORGANISER, Role.ORGANISER),
    ("manage server", actor(permissions=MANAGE_GUILD | SEND_MESSAGES), Role.ORGANISER, Role.ORGANISER),
    ("organiser role", actor(ORGANISERS), Role.MEMBER, Role.ORGANISER),
    ("moderator role", actor(MODERATORS), Role.MEMBER, Role.MODERATOR),
    ("both roles", actor(MODERATORS, ORGANISERS), Role.MEMBER, Role.ORGANISER),
    ("plain member", actor(OTHER_ROLE), Role.MEMBER, Role.MEMBER),
    ("no roles at all", actor(), Role.MEMBER, Role.MEMBER),
    # Powerful but not server-managing permissions do not make an organiser or a moderator.
    ("other staff permissions", actor(permissions=MANAGE_ROLES | MANAGE_CHANNELS | MODERATE_MEMBERS),
     Role.MEMBER, Role.MEMBER),
]


@pytest.mark.parametrize(("who", "member", "before", "after"), CASES, ids=[c[0] for c in CASES])
def test_server_role(who: str, member: Actor, before: Role, after: Role) -> None:
    assert server_role(member, BEFORE_SETUP) == before
    assert server_role(member, AFTER_SETUP) == after
    assert is_organiser(member, AFTER_SETUP) == (after == Role.ORGANISER)
    assert is_moderator(member, AFTER_SETUP) == (after >= Role.MODERATOR)


def test_roles_are_ordered() -> None:
    assert Role.MEMBER < Role.FACILITATOR < Role.MODERATOR < Role.ORGANISER


def test_organisers_count_as_moderators() -> None:
    assert is_moderator(actor(ORGANISERS), AFTER_SETUP)
    assert not is_organiser(actor(MODERATORS), AFTER_SETUP)


def test_roles_of_another_setup_do_not_count() -> None:
    # Role ids are the server's own: settings naming other roles give this member nothing.
    elsewhere = GuildSettings(guild_id=GUILD, organiser_role_id=77, moderator_role_id=78, setup_done=True)
    assert server_role(actor(ORGANISERS, MODERATORS), elsewhere) == Role.MEMBER


def test_require_raises_a_member_facing_error_only_when_not_allowed() -> None:
    require(True, "unused")
    with pytest.raises(NotAllowed, match=r"^Only moderators can do that\.$") as caught:
        require(False, "Only moderators can do that.")
    assert isinstance(caught.value, UserFacingError)
