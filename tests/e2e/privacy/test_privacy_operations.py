"""Retention with a moved clock, the bot removed from a server and added back, /settings and /status."""

from __future__ import annotations

import re

import pytest

from bot.cases.records import open_case
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock, iso_utc
from bot.core.db import column_names, table_names
from bot.demo.runner import BotRunner
from bot.members.prefs import MemberPrefs, save_prefs
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import create_circle, join, set_up
from tests.e2e.privacy.helpers import eventually


async def _case_ids(bot: PeerCirclesBot, gid: int) -> set[int]:
    return {int(r[0]) for r in await bot.db.fetchall("SELECT id FROM cases WHERE guild_id = ?", (gid,))}


async def test_resolved_cases_go_after_the_servers_retention_with_a_moved_clock(
        emulator: DiscordEmulator, server: Server, bot: PeerCirclesBot, clock: FakeClock) -> None:
    await set_up(bot, server)
    gid = int(server.guild_id)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "settings change",
                                        setting="retention_cases_days", days=30)).reply()
    assert "is now **30**" in reply["content"]
    async with bot.db.transaction() as conn:
        old = await open_case(conn, clock, guild_id=gid, kind="report", urgency="normal", source="report",
                              subject_user_id=5, opened_by=6)
        still_open = await open_case(conn, clock, guild_id=gid, kind="help", urgency="normal", source="help",
                                     opened_by=7)
        await conn.execute("UPDATE cases SET status = 'resolved', resolved_at = ? WHERE id = ?",
                           (iso_utc(clock.now()), old.case_id))
    clock.advance(days=29)
    await bot.scheduler.run_due()
    assert await _case_ids(bot, gid) == {old.case_id, still_open.case_id}  # 29 days: kept

    clock.advance(days=2)

    async def expired() -> bool:
        return await _case_ids(bot, gid) == {still_open.case_id}

    await eventually(expired, "the resolved case to expire")
    # Its events went with it; the open case keeps its own.
    events = {int(r[0]) for r in await bot.db.fetchall("SELECT case_id FROM case_events WHERE guild_id = ?", (gid,))}
    assert events == {still_open.case_id}


async def _server_rows(bot: PeerCirclesBot, gid: int) -> int:
    total = 0
    for name in await table_names(bot.db.reader):
        if "guild_id" in await column_names(bot.db.reader, name):
            total += int(await bot.db.fetchval(f"SELECT COUNT(*) FROM {name} WHERE guild_id = ?", (gid,)))
    return total


async def test_removed_bot_keeps_data_through_the_grace_period_and_a_return_restores_it(
        emulator: DiscordEmulator, server: Server, runner: BotRunner, clock: FakeClock) -> None:
    ann = emulator.add_person(server.guild_id, "ann")
    other = emulator.build_server("Elsewhere")
    bot = await runner.start()
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server)
    await join(emulator, server, ann, circle)
    gid = int(server.guild_id)
    await save_prefs(bot.db, MemberPrefs(int(other.guild_id), int(ann), "Asia/Tokyo"), clock.now())
    before = await _server_rows(bot, gid)
    assert before > 5

    await emulator.remove_bot(server.guild_id)

    async def departed() -> bool:
        return bool(await bot.db.fetchval("SELECT 1 FROM guild_departures WHERE guild_id = ?", (gid,)))

    await eventually(departed, "the departure to be recorded")
    clock.advance(days=29)
    await bot.scheduler.run_due()
    assert await bot.db.fetchval("SELECT COUNT(*) FROM circle_seats WHERE guild_id = ?", (gid,)) == 1

    await emulator.add_bot(server.guild_id)

    async def returned() -> bool:
        return not await departed()

    await eventually(returned, "the departure to be cancelled")
    clock.advance(days=5)  # past the first grace period: nothing is purged
    await bot.scheduler.run_due()
    assert await bot.db.fetchval("SELECT COUNT(*) FROM circle_seats WHERE guild_id = ?", (gid,)) == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM consent_log WHERE guild_id = ?", (gid,)) >= 1


async def test_a_server_that_does_not_bring_the_bot_back_is_purged_after_the_grace_period(
        emulator: DiscordEmulator, server: Server, runner: BotRunner, clock: FakeClock) -> None:
    ann = emulator.add_person(server.guild_id, "ann")
    other = emulator.build_server("Elsewhere")
    bot = await runner.start()
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server)
    await join(emulator, server, ann, circle)
    gid, oid = int(server.guild_id), int(other.guild_id)
    await save_prefs(bot.db, MemberPrefs(oid, int(ann), "Asia/Tokyo"), clock.now())
    other_before = await _server_rows(bot, oid)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "settings change",
                                        setting="departure_grace_days", days=10)).reply()
    assert "is now **10**" in reply["content"]

    await emulator.remove_bot(server.guild_id)

    async def departed() -> bool:
        return bool(await bot.db.fetchval("SELECT 1 FROM guild_departures WHERE guild_id = ?", (gid,)))

    await eventually(departed, "the departure to be recorded")
    clock.advance(days=9)
    await bot.scheduler.run_due()
    assert await _server_rows(bot, gid) > 0
    clock.advance(days=1, minutes=1)

    async def purged() -> bool:
        return await _server_rows(bot, gid) == 0

    await eventually(purged, "every row of the server to be deleted")
    # The other server keeps everything (its own daily clean-up has added schedule rows meanwhile).
    assert await _server_rows(bot, oid) >= other_before
    assert await bot.db.fetchval("SELECT timezone FROM member_prefs WHERE guild_id = ?", (oid,)) == "Asia/Tokyo"


async def test_settings_show_and_change_are_for_organisers_and_check_their_input(
        emulator: DiscordEmulator, server: Server, runner: BotRunner) -> None:
    ann = emulator.add_person(server.guild_id, "ann")
    bot = await runner.start()
    await set_up(bot, server)
    refused = await (await emulator.slash(server.guild_id, ann, "settings show")).reply()
    assert "Only organisers" in refused["content"]
    refused = await (await emulator.slash(server.guild_id, ann, "settings change",
                                          setting="retention_cases_days", days=2)).reply()
    assert "Only organisers" in refused["content"]
    shown = await (await emulator.slash(server.guild_id, server.owner_id, "settings show")).reply()
    text = shown["content"]
    assert f"Organiser role: <@&{server.organiser_role_id}>" in text
    assert "Check-in attendance kept (days): 90" in text
    assert "Goal answers kept (days): 365" in text
    assert "Resolved cases kept (days): 365" in text
    assert "Declined stories kept (days): 30" in text
    assert "Data kept after the bot is removed (days): 30" in text
    assert shown["flags"] & 64
    bad = await (await emulator.slash(server.guild_id, server.owner_id, "settings change",
                                      setting="departure_grace_days", days=400)).reply()
    assert "between 1 and 365" in bad["content"]
    assert (await bot.db.fetchval("SELECT COUNT(*) FROM privacy_settings")) == 0


async def test_status_shows_health_backlog_and_errors_by_kind_for_organisers_only(
        emulator: DiscordEmulator, server: Server, runner: BotRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    ann = emulator.add_person(server.guild_id, "ann")
    bot = await runner.start()
    await set_up(bot, server)
    refused = await (await emulator.slash(server.guild_id, ann, "status")).reply()
    assert "Only organisers" in text_of(refused)

    import cogs.privacy.member as member_cog

    async def broken(*_args: object) -> None:
        raise RuntimeError("secret words of a member")

    monkeypatch.setattr(member_cog, "inventory", broken)
    failed = await (await emulator.slash(server.guild_id, ann, "privacy show")).reply()
    assert "error id" in failed["content"]
    monkeypatch.undo()

    async def counted() -> bool:
        return bool(await bot.db.fetchval("SELECT SUM(count) FROM error_counts WHERE guild_id = ?",
                                          (int(server.guild_id),)))

    await eventually(counted, "the error to be counted")
    ix = await emulator.slash(server.guild_id, server.owner_id, "status")
    report = text_of(await ix.followup(0))
    assert f"Peer Circles status for server {server.guild_id}" in report
    for section in ("gateway latency", "up since", "database size", "Outbox rows by state",
                    "Failed deliveries by reason", "Next 10 fire times", "Unexpected errors by kind"):
        assert section in report, section
    assert re.search(r"command:privacy show:RuntimeError +1", report)
    assert "secret words" not in report
    assert "privacy_retention" in report  # the daily clean-up is the next job
