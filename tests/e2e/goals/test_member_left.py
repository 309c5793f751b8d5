"""Issue 25: a member who leaves the server gets no more goal pings, recaps or partner updates, and
the crisis-card times kept "until you leave the server" go."""

from __future__ import annotations

from tests.e2e.circles.helpers import dms
from tests.e2e.goals.helpers import pings_to, set_goal, tick
from tests.e2e.privacy.helpers import eventually


async def test_leaving_the_server_stops_pings_recaps_and_partnerships(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    sam = emulator.add_person(server.guild_id, "sam")
    bot = await runner.start()
    gid = int(server.guild_id)
    await set_goal(emulator, server, alex)
    await (await emulator.slash(server.guild_id, alex, "goal summary", day=1)).reply()
    goal_id = await bot.db.fetchval("SELECT id FROM goals WHERE guild_id = ? AND user_id = ?", (gid, int(alex)))
    async with bot.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO goal_partners (guild_id, goal_id, owner_id, partner_id, status, created_at, accepted_at)"
            " VALUES (?, ?, ?, ?, 'active', '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z')",
            (gid, goal_id, int(alex), int(sam)))
        await conn.execute("INSERT INTO case_member_state (guild_id, user_id, last_card_at) VALUES (?, ?, ?)",
                           (gid, int(alex), "2026-11-23T08:00:00Z"))
    await tick(bot, clock, hours=10, minutes=30)  # 19:30 UTC: the first ping
    assert len(pings_to(emulator, alex)) == 1

    await emulator.member_leave(server.guild_id, alex)

    async def stopped() -> bool:
        left = await bot.db.fetchval("SELECT COUNT(*) FROM case_member_state WHERE user_id = ?", (int(alex),))
        status = await bot.db.fetchval("SELECT status FROM goals WHERE id = ?", (goal_id,))
        return left == 0 and status == "paused"
    await eventually(stopped, "the leave to be handled")
    before = len(dms(emulator, alex))
    await tick(bot, clock, days=8)  # a week of pings and a recap day go by
    assert len(pings_to(emulator, alex)) == 1
    assert len(dms(emulator, alex)) == before, "no recap or other goal DM after leaving"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goal_partners WHERE guild_id = ?", (gid,)) == 0
    assert await bot.db.fetchval(
        "SELECT COUNT(*) FROM schedules WHERE guild_id = ? AND active = 1 AND kind LIKE 'goal%'", (gid,)) == 0
    # The goal itself stays (paused) for a member who comes back; /privacy delete erases it.
    assert await bot.db.fetchval("SELECT paused_reason FROM goals WHERE id = ?", (goal_id,)) == "left"


async def test_export_lists_the_weekly_recap_schedule(emulator, server, clock, runner):
    """Issue 25: /privacy export includes the member's weekly recap (schedule kind goal_recap)."""
    from tests.e2e.privacy.helpers import export_of

    alex = emulator.add_person(server.guild_id, "alex")
    await runner.start()
    await (await emulator.slash(server.guild_id, alex, "goal summary", day=4)).reply()
    ix = await emulator.slash(server.guild_id, alex, "privacy export")
    await ix.followup(0)
    document = export_of(emulator, ix.record.token)
    recaps = [s for s in document["your_schedules"] if s["kind"] == "goal_recap"]
    assert len(recaps) == 1 and recaps[0]["frequency"] == "weekly"
    assert document["data"]["goal_members"]["rows"][0]["summary_weekday"] == 4
