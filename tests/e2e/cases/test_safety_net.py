"""Issue 24 in circle chat: a flood is one case and one page; a concern card never holds back a
crisis card."""

from __future__ import annotations

import sqlite3

import pytest

from bot.cases import chat
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


async def test_an_edit_that_adds_crisis_words_is_answered_once_per_tier(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    channel = str(circle.text_channel_id)
    sent = await emulator.send_message(channel, ann, CONCERN)
    await emulator.wait_until(lambda: dms(emulator, ann), 5, "the check-in for the message as first written")
    await emulator.edit_message(channel, sent["id"], CRISIS)
    [case] = await wait_cases(bot, server, 1)
    assert case.snapshot.get("edited") and case.snapshot["message_id"] == int(sent["id"])
    await emulator.wait_until(lambda: len(dms(emulator, ann)) == 2, 5, "the crisis card after the edit")
    assert "Help is here" in text_of(dms(emulator, ann)[1])
    await emulator.edit_message(channel, sent["id"], CRISIS + " still")
    await emulator.edit_message(channel, sent["id"], CONCERN + " still")
    await emulator.send_message(channel, ann, "a later ordinary message")
    await bot.outbox.drain()
    assert await bot.db.fetchval("SELECT count(*) FROM case_events WHERE event = 'gathered'") == 0, "once per tier"
    assert len(dms(emulator, ann)) == 2


async def test_a_database_that_keeps_failing_still_gets_the_member_the_card_and_pages_the_chain(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    tries: list[int] = []

    async def locked(*args: object, **kwargs: object) -> None:
        tries.append(1)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(chat, "respond_to_crisis", locked)
    await emulator.send_message(str(circle.text_channel_id), ann, CRISIS)
    await emulator.wait_until(lambda: dms(emulator, ann), 5, "the card, sent directly")
    assert "Help is here" in text_of(dms(emulator, ann)[0])
    await emulator.wait_until(lambda: [m for m in queue_messages(emulator, server)
                                       if "couldn't record a case" in m.get("content", "")], 5, "the direct page")
    [page] = [m for m in queue_messages(emulator, server) if "couldn't record a case" in m["content"]]
    assert f"<@&{server.oncall_role_id}>" in page["content"] and "end my life" not in page["content"]
    assert len(tries) == chat.ATTEMPTS
