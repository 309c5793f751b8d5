"""bot/circles/access.py: who may organise before and after /setup, and who sees a circle's members."""

from __future__ import annotations

import pytest

from bot.circles.access import (
    may_organise,
    require_facilitator_or_organiser,
    require_organiser,
    require_set_up,
)
from bot.core.errors import UserFacingError
from bot.core.guild_settings import GuildSettings
from bot.core.permissions import MANAGE_GUILD, Actor, NotAllowed

ORGANISERS, MODS = 10, 20
BEFORE = GuildSettings(guild_id=1, organiser_role_id=ORGANISERS, moderator_role_id=MODS, setup_done=False)
AFTER = GuildSettings(guild_id=1, organiser_role_id=ORGANISERS, moderator_role_id=MODS, setup_done=True)
MANAGER = Actor(1, frozenset(), MANAGE_GUILD)
ORGANISER = Actor(2, frozenset({ORGANISERS}), 0)
MODERATOR = Actor(3, frozenset({MODS}), 0)
MEMBER = Actor(4, frozenset(), 0)


def test_before_setup_only_manage_server_organises() -> None:
    require_organiser(MANAGER, BEFORE)
    with pytest.raises(NotAllowed, match="Until /setup is finished"):
        require_organiser(ORGANISER, BEFORE)  # a role picked half-way through setup does not count yet
    assert not may_organise(ORGANISER, BEFORE)


def test_after_setup_the_organiser_role_organises() -> None:
    require_organiser(ORGANISER, AFTER)
    require_organiser(MANAGER, AFTER)
    for actor in (MODERATOR, MEMBER):
        with pytest.raises(NotAllowed, match="Only organisers"):
            require_organiser(actor, AFTER)


def test_member_commands_explain_the_server_is_not_set_up() -> None:
    with pytest.raises(UserFacingError, match="hasn't been set up"):
        require_set_up(BEFORE)
    require_set_up(AFTER)


def test_members_list_is_for_facilitators_and_organisers_not_every_moderator() -> None:
    require_facilitator_or_organiser(MODERATOR, AFTER, facilitator_ids=[3])
    require_facilitator_or_organiser(ORGANISER, AFTER, facilitator_ids=[])
    with pytest.raises(NotAllowed):
        require_facilitator_or_organiser(MODERATOR, AFTER, facilitator_ids=[99])
    with pytest.raises(NotAllowed):
        require_facilitator_or_organiser(MEMBER, AFTER, facilitator_ids=[])
