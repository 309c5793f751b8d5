"""Shared steps for the privacy e2e tests: a member with data in every feature on this branch."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from bot.cases.records import open_case
from bot.circles.records import Circle
from bot.client import PeerCirclesBot
from bot.core.personal_data import personal_tables
from bot.members.prefs import MemberPrefs, save_prefs
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import join


async def eventually(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 5.0) -> None:
    """Wait until an async check holds (scheduler passes run in the background after a clock move)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def give_data(emulator: DiscordEmulator, bot: PeerCirclesBot, server: Server, user_id: str,
                    seat_in: Circle, waitlist_for: Circle, reporter: str) -> None:
    """Data in each feature: a seat and consent history (through the real join), a waitlist place,
    preferences, a case about them and one they opened, a DM in the outbox, closed DMs."""
    gid, uid = int(server.guild_id), int(user_id)
    await join(emulator, server, user_id, seat_in)
    clock = bot.clock
    await save_prefs(bot.db, MemberPrefs(gid, uid, "Europe/London", "22:00", "07:00"), clock.now())
    async with bot.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO circle_waitlist (guild_id, circle_id, user_id, added_at) VALUES (?, ?, ?, ?)",
            (gid, waitlist_for.id, uid, "2026-11-23T09:00:00Z"))
        await open_case(conn, clock, guild_id=gid, kind="report", urgency="normal", source="report",
                        subject_user_id=uid, opened_by=int(reporter), summary="reported message",
                        snapshot={"content": f"words of {user_id}", "author_id": user_id},
                        dedupe_key=f"report:{user_id}")
        await open_case(conn, clock, guild_id=gid, kind="help", urgency="normal", source="help_request",
                        opened_by=uid, summary="asked for help")
        await bot.outbox.enqueue(conn, key=f"test:{user_id}", kind="test_notice", guild_id=gid, target_kind="dm",
                                 target_id=uid, payload={"content": "hello"})

    async def sent() -> bool:
        state = await bot.db.fetchval("SELECT state FROM outbox WHERE key = ?", (f"test:{user_id}",))
        return bool(state == "sent")

    # A DM that goes through clears dm_unreachable: mark it closed only after the send.
    await eventually(sent, "the test DM to be sent")
    async with bot.db.transaction() as conn:
        await conn.execute("INSERT INTO dm_unreachable (guild_id, user_id, reason, since) VALUES (?, ?, ?, ?)",
                           (gid, uid, "dm_closed", "2026-11-23T09:00:00Z"))


async def counts(bot: PeerCirclesBot, guild_id: int, user_id: int) -> dict[str, int]:
    """Rows that still name the member, by table, across every declared table."""
    found = {}
    for table in personal_tables():
        n = await table.count_rows(bot.db.conn, guild_id, user_id)
        if n:
            found[table.table] = n
    return found


def export_of(emulator: DiscordEmulator, token: str) -> dict[str, Any]:
    """The JSON file the bot attached to the follow-up of the interaction with ``token``."""
    calls = emulator.find_calls("POST", "/webhooks/{application_id}/{webhook_token}",
                                where=lambda c: c.params["webhook_token"] == token)
    files = [f for c in calls for f in c.files if f.get("filename", "").endswith(".json")]
    assert len(files) == 1, calls
    return json.loads(files[0]["data"])
