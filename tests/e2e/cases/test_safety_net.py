"""Issue 24 in circle chat: a flood is one case and one page; a concern card never holds back a
crisis card."""

from __future__ import annotations

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import CONCERN, CRISIS, queue_messages, ready, wait_cases, wait_events
from tests.e2e.cases.test_crisis import member_in_circle
from tests.e2e.circles.helpers import dms


async def test_ten_crisis_messages_make_one_case_one_page_and_one_card(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    for n in range(10):
        await emulator.send_message(str(circle.text_channel_id), ann, f"{CRISIS} ({n})")
    await wait_events(bot, server, "gathered", 9)
    [case] = await wait_cases(bot, server, 1)
    await bot.outbox.drain()
    pings = [m for m in queue_messages(emulator, server) if "<@&" in m.get("content", "")]
    assert len(pings) == 1, "paged once"
    assert len(dms(emulator, ann)) == 1
    assert await bot.db.fetchval("SELECT count(*) FROM schedules WHERE kind = 'case_ladder'") == 2
    clock.advance(minutes=5)
    await emulator.wait_until(lambda: len([m for m in queue_messages(emulator, server)
                                           if "<@&" in m.get("content", "")]) == 2, 5, "one re-page")
    assert case.kind == "crisis"


async def test_a_concern_card_does_not_hold_back_a_crisis_card(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    await emulator.send_message(str(circle.text_channel_id), ann, CONCERN)
    await emulator.wait_until(lambda: dms(emulator, ann), 5, "the check-in")
    clock.advance(minutes=10)
    await emulator.send_message(str(circle.text_channel_id), ann, CRISIS)
    await emulator.wait_until(lambda: len(dms(emulator, ann)) == 2, 5, "the crisis card after the check-in")
    assert "Help is here" in text_of(dms(emulator, ann)[1])
