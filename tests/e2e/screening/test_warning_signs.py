"""Warning signs in circle chat reach a human: a farewell told without a single crisis word gets the
member the crisis card privately and the moderators an urgent case (the contextual encoder decides,
in its worker thread); an ordinary goodbye with the same words gets nothing."""

from __future__ import annotations

from typing import Any

from bot import screening
from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import CRISIS, ready, wait_cases, wait_queue_message
from tests.e2e.circles.helpers import create_circle, dms, join

# Written for this test (not from any held-out set): preparation and a farewell, no death word.
VEILED = ("Took Biscuit round to my sister's tonight, she'll keep him for good now. "
          "Thank you all for everything, you were the best part of these last years x")
ORDINARY = "Off to my sister's for the weekend with Biscuit, thanks everyone for the tips, see you monday x"


async def circle_with(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, *names: str) -> tuple[Any, ...]:
    """A set-up server, a circle, and members who joined it: (circle, *member ids)."""
    await ready(bot, emulator, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    members = []
    for name in names:
        member = await emulator.member_join(server.guild_id, name)
        await join(emulator, server, member, circle)
        members.append(member)
    return (circle, *members)


async def test_a_veiled_farewell_gets_the_card_and_an_urgent_case(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, ann = await circle_with(bot, emulator, server, "ann")
    verdict = await screening.screen_async(VEILED)
    assert verdict.crisis == "crisis" and "encoder" in (verdict.signal or "")

    channel = str(circle.text_channel_id)
    await emulator.send_message(channel, ann, VEILED)
    await emulator.wait_until(lambda: dms(emulator, ann), 5, "the crisis card by DM")
    assert "Help is here" in text_of(dms(emulator, ann)[0])
    [case] = await wait_cases(bot, server, 1)
    assert (case.kind, case.urgency, case.subject_user_id) == ("crisis", "urgent", int(ann))
    queued = await wait_queue_message(emulator, server, case.number)
    assert "Biscuit" not in text_of(queued), "the queue never quotes the member"
    public = [m for m in emulator.world.messages[channel].values() if m["author"]["id"] == emulator.world.bot_id]
    assert public == [], "never a public reply"


async def test_an_ordinary_goodbye_gets_nothing(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, bea, cal = await circle_with(bot, emulator, server, "bea", "cal")
    assert (await screening.screen_async(ORDINARY)).crisis == "none"
    await emulator.send_message(str(circle.text_channel_id), bea, ORDINARY)
    # A second member's crisis message after it: once its case is there, bea's message was read too.
    await emulator.send_message(str(circle.text_channel_id), cal, CRISIS)
    [case] = await wait_cases(bot, server, 1)
    assert case.subject_user_id == int(cal)
    await emulator.wait_until(lambda: dms(emulator, cal), 5, "cal's card")
    assert dms(emulator, bea) == [], "an ordinary goodbye sends nothing"
