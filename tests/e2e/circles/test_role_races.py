"""Role changes never leave a member with a role that contradicts the database: they run one at a
time per member, each re-reads the seat, and roles are reconciled hourly."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.circles.consent import members_of
from bot.circles.records import RoleChange
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.server import DiscordEmulator

from .helpers import answer, create_circle, has_role, join, set_up


def circles_cog(bot: PeerCirclesBot):  # type: ignore[no-untyped-def]
    cog = bot.get_cog("Circles")
    assert cog is not None
    return cog


async def seated(bot: PeerCirclesBot, server: Server, circle_id: int, user: str) -> bool:
    return int(user) in {m.user_id for m in await members_of(bot.db, int(server.guild_id), circle_id)}


async def test_a_grant_decided_before_the_member_left_is_not_applied(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ana = await emulator.member_join(server.guild_id, "ana")
    await join(emulator, server, ana, circle)
    confirm = await (await emulator.slash(server.guild_id, ana, "circle leave", circle=str(circle.id))).reply()
    await answer(await emulator.click(ana, confirm, label="Yes, leave"))
    assert not has_role(emulator, server, ana, circle.role_id)
    # The grant from the join, arriving late (a slow Discord, a retry): the seat says no.
    assert circle.role_id is not None
    stale = RoleChange(int(server.guild_id), int(ana), circle.role_id, True, circle.id, "joined")
    await circles_cog(bot).apply_role(stale, doing="give you access")
    assert not has_role(emulator, server, ana, circle.role_id)


async def test_agree_leave_and_reconcile_at_once_end_as_the_database_says(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends", capacity=30)
    assert circle.role_id is not None
    cog = circles_cog(bot)
    gid = int(server.guild_id)
    for rnd in range(3):
        leaving = [await emulator.member_join(server.guild_id, f"l{rnd}{n}") for n in range(3)]
        joining = [await emulator.member_join(server.guild_id, f"j{rnd}{n}") for n in range(3)]
        for person in leaving:
            await join(emulator, server, person, circle)
        leave_cards = [await (await emulator.slash(server.guild_id, p, "circle leave", circle=str(circle.id))).reply()
                       for p in leaving]
        join_cards = [await (await emulator.slash(server.guild_id, p, "circle join", circle=str(circle.id))).reply()
                      for p in joining]
        # Stale changes from earlier decisions (the opposite of what comes), leaves, agrees and a
        # reconcile, all at once.
        stale = [cog.apply_role(RoleChange(gid, int(p), circle.role_id, p in leaving, circle.id, "stale"),
                                doing="update circle roles") for p in leaving + joining]
        clicks = [emulator.click(p, card, label="Yes, leave") for p, card in zip(leaving, leave_cards, strict=True)]
        clicks += [emulator.click(p, card, label="I agree") for p, card in zip(joining, join_cards, strict=True)]
        asks = await asyncio.gather(*clicks)
        await asyncio.gather(*stale, cog.reconcile_roles(gid), *(answer(a) for a in asks))
        if cog._reconcile_task is not None:
            await cog._reconcile_task
        for p in leaving + joining:
            assert has_role(emulator, server, p, circle.role_id) == await seated(bot, server, circle.id, p), p
            assert await seated(bot, server, circle.id, p) == (p in joining)


async def test_roles_that_drifted_are_put_right_within_the_hour(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ana = await emulator.member_join(server.guild_id, "ana")
    await join(emulator, server, ana, circle)
    # Someone removes the role by hand in Discord; nothing tells the bot's circle logic.
    await emulator.set_roles(server.guild_id, ana, [])
    await asyncio.sleep(0.05)
    assert not has_role(emulator, server, ana, circle.role_id)
    clock.advance(timedelta(minutes=61))
    await emulator.wait_until(lambda: has_role(emulator, server, ana, circle.role_id), 5, "the role restored")
