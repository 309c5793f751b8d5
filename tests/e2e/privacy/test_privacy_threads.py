"""Issue 25: /privacy delete renames the moderators' thread opened for the member's reach-out (its
title was their display name) to a neutral one with the case number; another member's thread keeps
its title; a relay thread is renamed too; a refused rename is said, and the erasure still holds."""

from __future__ import annotations

from typing import Any

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import ready, wait_cases
from tests.e2e.circles.helpers import press

RENAME = "/channels/{channel_id}"


async def erase(emulator: DiscordEmulator, server: Server, user: str) -> str:
    first = await (await emulator.slash(server.guild_id, user, "privacy delete")).reply()
    assert "renamed so its title no longer shows your name" in text_of(first), "said before confirming"
    second = await press(emulator, user, first, "Continue")
    done: dict[str, Any] = await press(emulator, user, second, "Delete everything about me")
    assert "Everything about you in this server is erased" in text_of(done)
    return text_of(done)


def title(emulator: DiscordEmulator, thread_id: int | None) -> str:
    return str(emulator.world.channels[str(thread_id)]["name"])


async def test_erasure_renames_the_members_reach_out_thread_and_no_one_elses(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    bea = await emulator.member_join(server.guild_id, "bea")
    await (await emulator.slash(server.guild_id, ann, "reach-out", what="rough week")).reply()
    await (await emulator.slash(server.guild_id, bea, "reach-out", what="me too")).reply()
    cases = await wait_cases(bot, server, 2)
    mine = next(c for c in cases if c.opened_by == int(ann))
    theirs = next(c for c in cases if c.opened_by == int(bea))
    assert title(emulator, mine.thread_id) == "talking with a moderator (ann)"

    told = await erase(emulator, server, ann)
    assert "could not rename" not in told
    assert title(emulator, mine.thread_id) == f"talking with a moderator (case #{mine.number})"
    assert title(emulator, theirs.thread_id) == "talking with a moderator (bea)", "another member's thread stays"
    [call] = emulator.find_calls("PATCH", RENAME)
    assert call.params["channel_id"] == str(mine.thread_id) and set(call.json) == {"name"}


async def test_a_relay_thread_is_renamed_and_a_refused_rename_is_said(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    cat = await emulator.member_join(server.guild_id, "cat")
    # No permission for a private thread: both reach-outs get a relay thread under the queue channel.
    emulator.inject_fault("POST", "/channels/{channel_id}/threads", 403, 50013, times=2,
                          match=lambda req: (req.json or {}).get("type") == 12)
    await (await emulator.slash(server.guild_id, ann, "reach-out", what="can we talk")).reply()
    await (await emulator.slash(server.guild_id, cat, "reach-out", what="me as well")).reply()
    cases = await wait_cases(bot, server, 2)
    ann_case = next(c for c in cases if c.opened_by == int(ann))
    cat_case = next(c for c in cases if c.opened_by == int(cat))
    assert title(emulator, ann_case.thread_id) == "Relay with ann"

    told = await erase(emulator, server, ann)
    assert "could not rename" not in told
    assert title(emulator, ann_case.thread_id) == f"Relay (case #{ann_case.number})"

    emulator.inject_fault("PATCH", RENAME, 403, 50013, times=1)
    told = await erase(emulator, server, cat)
    assert "could not rename the moderators' thread" in told and "ask a moderator to rename or delete it" in told
    assert title(emulator, cat_case.thread_id) == "Relay with cat", "Discord refused: the title is unchanged"
    assert await bot.db.fetchval("SELECT count(*) FROM cases WHERE opened_by = ?", (int(cat),)) == 0, \
        "the erasure itself holds"


async def test_a_thread_already_deleted_is_nothing_to_rename(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    await (await emulator.slash(server.guild_id, ann, "reach-out", what="rough week")).reply()
    [case] = await wait_cases(bot, server, 1)
    emulator.inject_fault("PATCH", RENAME, 404, 10003, times=1)
    told = await erase(emulator, server, ann)
    assert "could not rename" not in told, "a deleted thread shows no name: nothing to tell"
    [call] = emulator.find_calls("PATCH", RENAME)
    assert call.status == 404 and call.params["channel_id"] == str(case.thread_id)
