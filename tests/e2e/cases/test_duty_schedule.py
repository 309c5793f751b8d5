"""/case duty add|list|remove: a moderator's weekly duty windows. An urgent case pages the
moderators whose window covers now (the clock moved there), not those whose window doesn't."""

from __future__ import annotations

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import pages, ready, wait_cases, wait_queue_message

MONDAY = 0


async def _slash(emulator: DiscordEmulator, server: Server, user: str, path: str, **options: object) -> str:
    return text_of(await (await emulator.slash(server.guild_id, user, path, **options)).reply())


async def test_an_urgent_case_pages_the_moderator_whose_weekly_window_covers_now(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    # The clock starts on Monday 2026-11-23 09:00 UTC.
    night = await ready(bot, emulator, server)
    day = await emulator.member_join(server.guild_id, "dee-moderator")
    await emulator.set_roles(server.guild_id, day, [server.moderator_role_id])

    zones = await (await emulator.autocomplete(server.guild_id, night, "case duty add", "timezone", day=MONDAY,
                                               start="20:00", end="02:00", timezone="lond")).choices()
    assert "Europe/London" in [c["value"] for c in zones]
    added = await _slash(emulator, server, night, "case duty add", day=MONDAY, start="20:00", end="02:00",
                         timezone="Europe/London")
    assert "Monday 20:00 to 02:00 (Tuesday) Europe/London" in added
    added = await _slash(emulator, server, day, "case duty add", day=MONDAY, start="08:00", end="10:00")
    assert "Monday 08:00 to 10:00 UTC" in added, "the server's time zone by default"

    # Checked in the bot, and bad input changes nothing.
    ann = await emulator.member_join(server.guild_id, "ann")
    assert "Only moderators and organisers" in await _slash(emulator, server, ann, "case duty add", day=MONDAY,
                                                           start="08:00", end="10:00")
    assert "24-hour clock" in await _slash(emulator, server, night, "case duty add", day=MONDAY, start="8pm",
                                           end="02:00")
    assert "isn't a time zone" in await _slash(emulator, server, night, "case duty add", day=MONDAY, start="20:00",
                                               end="22:00", timezone="Mars/Olympus")
    assert await bot.db.fetchval("SELECT count(*) FROM case_duty_windows") == 2

    listed = await _slash(emulator, server, night, "case duty list")
    assert "Monday 20:00 to 02:00 (Tuesday) Europe/London" in listed and "not on duty right now" in listed

    clock.advance(hours=14)  # Monday 23:00 in London (GMT in November): inside the night window only
    assert "on duty right now" in await _slash(emulator, server, night, "case duty list")
    await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent")).reply()
    [case] = await wait_cases(bot, server, 1)
    queued = await wait_queue_message(emulator, server, case.number)
    assert f"<@{night}>" in queued["content"] and f"<@{day}>" not in queued["content"]
    assert f"<@&{server.oncall_role_id}>" not in queued["content"], "someone is on duty: they are paged first"

    clock.advance(minutes=5)
    await emulator.wait_until(lambda: pages(emulator, server, case.number), 5, "the re-page")
    assert f"<@{night}>" in pages(emulator, server, case.number)[0]
    assert f"<@{day}>" not in pages(emulator, server, case.number)[0]


async def test_a_window_can_be_removed_and_then_nobody_is_on_duty(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    mod = await ready(bot, emulator, server)
    await _slash(emulator, server, mod, "case duty add", day=MONDAY, start="08:00", end="10:00")
    window_id = await bot.db.fetchval("SELECT id FROM case_duty_windows")
    other = await emulator.member_join(server.guild_id, "mo-two")
    await emulator.set_roles(server.guild_id, other, [server.moderator_role_id])
    assert "no duty window" in await _slash(emulator, server, other, "case duty remove", window=window_id)
    choices = await (await emulator.autocomplete(server.guild_id, mod, "case duty remove", "window",
                                                 window="")).choices()
    assert [c["value"] for c in choices] == [window_id]
    assert "Removed" in await _slash(emulator, server, mod, "case duty remove", window=window_id)
    assert "no weekly duty windows" in await _slash(emulator, server, mod, "case duty list")

    ann = await emulator.member_join(server.guild_id, "ann")
    await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent")).reply()
    [case] = await wait_cases(bot, server, 1)
    queued = await wait_queue_message(emulator, server, case.number)
    assert f"<@&{server.oncall_role_id}>" in queued["content"] and f"<@{mod}>" not in queued["content"]
