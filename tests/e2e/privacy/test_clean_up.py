"""Issue 25: what PRIVACY.md and the registry promise to delete is deleted, on the bot's own
schedule with a moved clock: declined stories after the server's setting, and the daily clean-up
of spent outbox rows and one-off schedules."""

from __future__ import annotations

from datetime import timedelta

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock, iso_utc
from bot.delivery import schedules
from bot.delivery.recurrence import Recurrence
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import set_up
from tests.e2e.privacy.helpers import eventually


async def _story(bot: PeerCirclesBot, gid: int, number: int, state: str, clock: FakeClock) -> int:
    async with bot.db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO stories (guild_id, circle_id, number, author_key, receipt_hash, state, decline_reason,"
            " created_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?)",
            (gid, number, f"author{number}", f"receipt{number}", state,
             "names a person" if state == "declined" else None, iso_utc(clock.now())))
        story_id = int(cursor.lastrowid or 0)
        if state == "declined":
            await conn.execute("INSERT INTO story_audit (guild_id, story_id, number, actor_id, action, detail, at)"
                               " VALUES (?, ?, ?, 42, 'declined', 'names a person', ?)",
                               (gid, story_id, number, iso_utc(clock.now())))
    return story_id


async def test_declined_stories_are_deleted_after_the_servers_setting(
        emulator: DiscordEmulator, server: Server, bot: PeerCirclesBot, clock: FakeClock) -> None:
    await set_up(bot, server)
    gid = int(server.guild_id)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "settings change",
                                        setting="retention_declined_stories_days", days=10)).reply()
    assert "is now **10**" in reply["content"]
    declined = await _story(bot, gid, 1, "declined", clock)
    waiting = await _story(bot, gid, 2, "review", clock)

    async def ids() -> set[int]:
        return {int(r[0]) for r in await bot.db.fetchall("SELECT id FROM stories WHERE guild_id = ?", (gid,))}

    clock.advance(days=9)
    await bot.scheduler.run_due()
    assert await ids() == {declined, waiting}  # 9 days: kept
    clock.advance(days=2)

    async def gone() -> bool:
        return await ids() == {waiting}

    await eventually(gone, "the declined story to be deleted")


async def test_the_daily_clean_up_deletes_spent_outbox_rows_and_one_off_schedules(
        emulator: DiscordEmulator, server: Server, bot: PeerCirclesBot, clock: FakeClock) -> None:
    await set_up(bot, server)
    gid = int(server.guild_id)
    now = clock.now()
    async with bot.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO outbox (key, guild_id, kind, target_kind, target_id, state, next_attempt_at, created_at,"
            " sent_at, message_id) VALUES ('case:card:test', ?, 'case_card_crisis', 'dm', 77, 'sent', ?, ?, ?, 9)",
            (gid, iso_utc(now), iso_utc(now), iso_utc(now)))
        once = await schedules.create(conn, now, guild_id=gid, kind="privacy_purge", owner_id=0,
                                      rule=Recurrence.once(now + timedelta(days=400)))
        # Spent: fired (no next time), as the scheduler leaves a one-off it has run.
        await conn.execute("UPDATE schedules SET next_fire_at = NULL WHERE id = ?", (once.id,))

    async def left() -> tuple[int, int]:
        rows = await bot.db.fetchval("SELECT COUNT(*) FROM outbox WHERE key = 'case:card:test'")
        spent = await bot.db.fetchval("SELECT COUNT(*) FROM schedules WHERE id = ?", (once.id,))
        return int(rows), int(spent)

    clock.advance(days=2)  # a day and more: the one-off goes, the outbox row stays (30 days)
    await bot.scheduler.run_due()

    async def schedule_gone() -> bool:
        return await left() == (1, 0)

    await eventually(schedule_gone, "the spent one-off schedule to be deleted")
    clock.advance(days=29)

    async def row_gone() -> bool:
        return await left() == (0, 0)

    await eventually(row_gone, "the sent outbox row to be deleted after 30 days")
