"""bot/core/guild_settings.py: defaults before /setup, saving and updating, one server never sees another's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.clock import FakeClock
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.core.guild_settings import GuildSettings, get_settings, save_settings

GUILD = 1001
OTHER = 2002




def configured(guild_id: int = GUILD, **changes: object) -> GuildSettings:
    settings = GuildSettings(
        guild_id=guild_id, organiser_role_id=11, moderator_role_id=12, queue_channel_id=13,
        oncall_role_id=14, crisis_region="GB", circle_category_id=15, timezone="Europe/London",
        setup_done=True,
    )
    return replace(settings, **changes)  # type: ignore[arg-type]


async def stored_rows(db: Database) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await db.fetchall("SELECT * FROM guild_settings ORDER BY guild_id")]


async def test_defaults_before_setup(db: Database) -> None:
    settings = await get_settings(db, GUILD)
    assert settings == GuildSettings(guild_id=GUILD)
    assert settings.setup_done is False
    assert settings.organiser_role_id is None and settings.moderator_role_id is None
    assert settings.crisis_region == "US"
    assert settings.timezone == "UTC"
    assert await stored_rows(db) == [], "reading defaults stores nothing"


async def test_defaults_before_setup_follow_the_configured_region_and_time_zone(db: Database) -> None:
    settings = await get_settings(db, GUILD, default_region="GB", default_timezone="Europe/London")
    assert (settings.crisis_region, settings.timezone, settings.setup_done) == ("GB", "Europe/London", False)


async def test_save_then_get_round_trips(db: Database, clock: FakeClock) -> None:
    saved = await save_settings(db, clock, configured())
    assert saved == configured()
    assert await get_settings(db, GUILD) == configured()
    # Once set up, the server's own choices win over the configured defaults.
    assert await get_settings(db, GUILD, default_region="US", default_timezone="UTC") == configured()
    assert await db.fetchval("SELECT updated_at FROM guild_settings WHERE guild_id = ?", (GUILD,)) == (
        "2026-11-23T09:00:00Z"
    )


async def test_update_replaces_the_row_and_its_timestamp(db: Database, clock: FakeClock) -> None:
    await save_settings(db, clock, configured())
    clock.advance(hours=2)
    changed = configured(moderator_role_id=99, queue_channel_id=None, timezone="America/Chicago")
    await save_settings(db, clock, changed)
    assert await get_settings(db, GUILD) == changed
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 1
    assert await db.fetchval("SELECT updated_at FROM guild_settings WHERE guild_id = ?", (GUILD,)) == (
        "2026-11-23T11:00:00Z"
    )


async def test_region_is_stored_in_capitals(db: Database, clock: FakeClock) -> None:
    saved = await save_settings(db, clock, configured(crisis_region="ie"))
    assert saved.crisis_region == "IE"
    assert (await get_settings(db, GUILD)).crisis_region == "IE"


async def test_two_servers_do_not_see_each_other(db: Database, clock: FakeClock) -> None:
    await save_settings(db, clock, configured(GUILD))
    other = configured(OTHER, organiser_role_id=21, moderator_role_id=22, crisis_region="AU",
                       timezone="Australia/Sydney")
    await save_settings(db, clock, other)
    assert await get_settings(db, GUILD) == configured(GUILD)
    assert await get_settings(db, OTHER) == other
    # Changing one leaves the other alone.
    await save_settings(db, clock, replace(other, setup_done=False, organiser_role_id=None))
    assert await get_settings(db, GUILD) == configured(GUILD)
    assert await get_settings(db, 3003) == GuildSettings(guild_id=3003)


@pytest.mark.parametrize("region", ["", "G", "GBR", "1A", "ÉE", "G "])
async def test_bad_region_is_refused_and_nothing_stored(db: Database, clock: FakeClock, region: str) -> None:
    await save_settings(db, clock, configured(OTHER))
    before = await stored_rows(db)
    with pytest.raises(UserFacingError, match="two-letter country code"):
        await save_settings(db, clock, configured(crisis_region=region))
    with pytest.raises(UserFacingError, match="two-letter country code"):
        await save_settings(db, clock, configured(OTHER, crisis_region=region))
    assert await stored_rows(db) == before


@pytest.mark.parametrize("zone", ["", "Europe/Londn", "GMT+25", "../../etc/passwd"])
async def test_bad_time_zone_is_refused_and_nothing_stored(db: Database, clock: FakeClock, zone: str) -> None:
    await save_settings(db, clock, configured(OTHER))
    before = await stored_rows(db)
    with pytest.raises(UserFacingError, match="time zone name such as"):
        await save_settings(db, clock, configured(timezone=zone))
    with pytest.raises(UserFacingError, match="time zone name such as"):
        await save_settings(db, clock, configured(OTHER, timezone=zone))
    assert await stored_rows(db) == before
