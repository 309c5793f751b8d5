"""bot/circles/settings.py: circle settings share guild_settings' row without overwriting it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.circles.settings import CircleSettings, get_circle_settings, save_circle_settings
from bot.core.errors import UserFacingError
from bot.core.guild_settings import get_settings, save_settings
from tests.unit.circles.support import GUILD, OTHER_GUILD


async def test_defaults_then_saved_values(db, clock) -> None:
    assert await get_circle_settings(db, GUILD) == CircleSettings(GUILD, 7, None, "none")
    await save_circle_settings(db, clock, CircleSettings(GUILD, 3, 123, "forum"))
    assert await get_circle_settings(db, GUILD) == CircleSettings(GUILD, 3, 123, "forum")
    assert await get_circle_settings(db, OTHER_GUILD) == CircleSettings(OTHER_GUILD)


async def test_saving_either_keeps_the_other(db, clock) -> None:
    base = await get_settings(db, GUILD)
    await save_settings(db, clock, replace(base, moderator_role_id=55, setup_done=True))
    await save_circle_settings(db, clock, CircleSettings(GUILD, 10, None, "threads"))
    assert (await get_settings(db, GUILD)).moderator_role_id == 55
    await save_settings(db, clock, replace(await get_settings(db, GUILD), organiser_role_id=66))
    assert (await get_circle_settings(db, GUILD)).grace_days == 10


@pytest.mark.parametrize("bad", [CircleSettings(GUILD, 0), CircleSettings(GUILD, 31),
                                 CircleSettings(GUILD, 7, None, "blog")])
async def test_bad_values_change_nothing(db, clock, bad) -> None:
    with pytest.raises(UserFacingError):
        await save_circle_settings(db, clock, bad)
    assert await get_circle_settings(db, GUILD) == CircleSettings(GUILD)
