"""The emulator's "Interested" presses on scheduled events and channel deletion in Discord's UI,
through the real client."""

from __future__ import annotations

from datetime import timedelta

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.server import DiscordEmulator


async def make_event(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> str:
    start = emulator.now() + timedelta(days=1)
    data = await bot.http.create_guild_scheduled_event(
        int(server.guild_id), name="Check-in", channel_id=int(server.lounge_voice_id), entity_type=2,
        privacy_level=2, scheduled_start_time=start.isoformat(),
        scheduled_end_time=(start + timedelta(hours=1)).isoformat())
    return str(data["id"])


async def test_interest_is_sent_as_user_add_and_remove_and_listed(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                  server: Server) -> None:
    event_id = await make_event(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    seen: list[tuple[str, int, int]] = []

    async def added(event, user) -> None:  # type: ignore[no-untyped-def]
        seen.append(("add", event.id, user.id))

    async def removed(event, user) -> None:  # type: ignore[no-untyped-def]
        seen.append(("remove", event.id, user.id))

    bot.add_listener(added, "on_scheduled_event_user_add")
    bot.add_listener(removed, "on_scheduled_event_user_remove")
    await emulator.event_interest(server.guild_id, ann, event_id)
    await emulator.wait_until(lambda: len(seen) == 1, 5, "the user add event")
    users = await bot.http.get_scheduled_event_users(int(server.guild_id), int(event_id), limit=100, with_member=False)
    assert [u["user"]["id"] for u in users] == [ann]
    await emulator.event_interest(server.guild_id, ann, event_id, interested=False)
    await emulator.wait_until(lambda: len(seen) == 2, 5, "the user remove event")
    assert seen == [("add", int(event_id), int(ann)), ("remove", int(event_id), int(ann))]
    left = await bot.http.get_scheduled_event_users(int(server.guild_id), int(event_id), limit=100, with_member=False)
    assert left == []


async def test_deleting_a_voice_channel_deletes_its_events(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                           server: Server) -> None:
    event_id = await make_event(bot, emulator, server)
    guild = bot.get_guild(int(server.guild_id))
    assert guild is not None
    await emulator.wait_until(lambda: guild.get_scheduled_event(int(event_id)) is not None, 5, "the event echo")
    await emulator.delete_channel(server.lounge_voice_id)
    await emulator.wait_until(lambda: guild.get_channel(int(server.lounge_voice_id)) is None, 5, "the delete")
    assert guild.get_scheduled_event(int(event_id)) is None
    assert event_id not in emulator.world.guilds[server.guild_id].scheduled_events
