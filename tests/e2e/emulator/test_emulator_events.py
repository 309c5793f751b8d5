"""The emulator's events and REST through the real discord.py client: context menus, voice, joins
and leaves, threads, timeouts and scheduled events, each with the gateway echo the bot's cache needs.

A test-only cog does what capabilities will do (create threads, add members, time out, run a
scheduled event through its life); the tests assert the REST calls recorded and what the bot's
own cache saw afterwards, which is only what the emulator echoed over the gateway.
"""

from __future__ import annotations

import re
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import PeerCirclesBot
from emulator import state as S
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator

EPHEMERAL = 1 << 6
THREAD_MEMBERS = "/channels/{channel_id}/thread-members/{user_id}"
EVENTS = "/guilds/{guild_id}/scheduled-events"
EVENT = "/guilds/{guild_id}/scheduled-events/{event_id}"
MEMBER = "/guilds/{guild_id}/members/{user_id}"


class Probe(commands.Cog):
    """Does in Discord what later capabilities will, and remembers the events it saw."""

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot
        self.voice_moves: list[tuple[int, int | None, int | None]] = []
        self.joined: list[int] = []
        self.left: list[int] = []
        self.welcome_threads: dict[int, int] = {}

    @app_commands.command(name="probe-private-thread", description="A private thread with you in it")
    async def private_thread(self, interaction: discord.Interaction) -> None:
        assert isinstance(interaction.channel, discord.TextChannel)
        thread = await interaction.channel.create_thread(name="just us", type=discord.ChannelType.private_thread,
                                                         invitable=False)
        await thread.add_user(interaction.user)
        await interaction.response.send_message(f"thread {thread.id}", ephemeral=True)

    @app_commands.command(name="probe-timeout", description="Times a member out for ten minutes")
    async def timeout(self, interaction: discord.Interaction, member: discord.Member) -> None:
        await member.timeout(timedelta(minutes=10), reason="probe")
        await interaction.response.send_message("done", ephemeral=True)

    @app_commands.command(name="probe-events", description="Runs scheduled events through their lives")
    async def events(self, interaction: discord.Interaction, channel: discord.VoiceChannel) -> None:
        await interaction.response.defer(ephemeral=True)
        guild = interaction.guild
        assert guild is not None
        start = self.bot.clock.now() + timedelta(days=1)

        async def create(name: str) -> discord.ScheduledEvent:
            return await guild.create_scheduled_event(
                name=name, start_time=start, channel=channel, entity_type=discord.EntityType.voice,
                privacy_level=discord.PrivacyLevel.guild_only)

        held = await create("Check-in")
        held = await held.edit(name="Monday check-in", description="Bring tea")
        held = await held.start()
        held = await held.end()
        called_off = await (await create("Skipped check-in")).cancel()
        gone = await create("Mistake")
        await gone.delete()
        await interaction.followup.send(f"held {held.id} called_off {called_off.id} gone {gone.id}", ephemeral=True)

    @commands.Cog.listener()
    async def on_voice_state_update(self, member: discord.Member, before: discord.VoiceState,
                                    after: discord.VoiceState) -> None:
        self.voice_moves.append((member.id, before.channel and before.channel.id, after.channel and after.channel.id))

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        self.joined.append(member.id)
        general = discord.utils.get(member.guild.text_channels, name="general")
        assert general is not None
        thread = await general.create_thread(name=f"welcome {member.id}", type=discord.ChannelType.private_thread)
        await thread.add_user(member)
        self.welcome_threads[member.id] = thread.id

    @commands.Cog.listener()
    async def on_member_remove(self, member: discord.Member) -> None:
        self.left.append(member.id)


async def thread_from_message(interaction: discord.Interaction, message: discord.Message) -> None:
    thread = await message.create_thread(name="about this message")
    await interaction.response.send_message(f"thread {thread.id}", ephemeral=True)


async def add_probe(bot: PeerCirclesBot) -> Probe:
    probe = Probe(bot)
    await bot.add_cog(probe)
    bot.tree.add_command(app_commands.ContextMenu(name="Start a thread here", callback=thread_from_message))
    await bot.sync_commands()
    return probe


def number_after(word: str, text: str) -> int:
    match = re.search(rf"{word} (\d+)", text)
    assert match, text
    return int(match.group(1))


async def test_a_message_context_menu_starts_a_thread_the_bot_then_knows(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    probe = await add_probe(bot)
    assert probe
    synced = {(c["name"], c["type"]) for c in emulator.world.commands[None]}
    assert ("Start a thread here", 3) in synced
    ann = await emulator.member_join(server.guild_id, "ann")
    message = await emulator.send_message(server.general_id, ann, "has anyone tried pacing?")
    reply = await (await emulator.message_command(server.guild_id, ann, "Start a thread here", message)).reply()
    assert reply["flags"] & EPHEMERAL
    thread_id = number_after("thread", reply["content"])
    call = await emulator.wait_for_call("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    assert call.params == {"channel_id": server.general_id, "message_id": message["id"]}
    thread = bot.get_guild(int(server.guild_id)).get_thread(thread_id)
    assert thread is not None and thread.type is discord.ChannelType.public_thread
    assert thread.parent_id == int(server.general_id)


async def test_a_private_thread_and_its_member_reach_the_bots_cache(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await add_probe(bot)
    ann = await emulator.member_join(server.guild_id, "ann")
    reply = await (await emulator.slash(server.guild_id, ann, "probe-private-thread")).reply()
    thread_id = number_after("thread", reply["content"])
    created = emulator.find_calls("POST", "/channels/{channel_id}/threads", where=lambda c: c.json["name"] == "just us")
    assert [(c.json["type"], c.json["invitable"]) for c in created] == [(12, False)]
    added = await emulator.wait_for_call("PUT", THREAD_MEMBERS,
                                         where=lambda c: c.params["channel_id"] == str(thread_id))
    assert added.params["user_id"] == ann
    assert emulator.world.thread_members[str(thread_id)] == {emulator.world.bot_id, ann}
    guild = bot.get_guild(int(server.guild_id))
    thread = guild.get_thread(thread_id)
    assert thread is not None and thread.type is discord.ChannelType.private_thread
    await emulator.wait_until(lambda: int(ann) in {m.id for m in thread.members},
                              what="THREAD_MEMBERS_UPDATE in the cache")


async def test_a_private_thread_needs_create_private_threads(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await add_probe(bot)
    bot_role = emulator.world.guilds[server.guild_id].members[emulator.world.bot_id]["roles"][0]
    await emulator.set_role_permissions(server.guild_id, bot_role, S.BOT_DEFAULT & ~S.CREATE_PRIVATE_THREADS)
    await emulator.wait_until(lambda: not bot.get_guild(int(server.guild_id)).me.guild_permissions
                              .create_private_threads, what="the role update")
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "probe-private-thread")).reply()
    assert "error id" in reply["content"]
    created = emulator.find_calls("POST", "/channels/{channel_id}/threads")
    assert [(c.status, c.response["code"]) for c in created] == [(403, 50013)]
    assert not emulator.find_calls("PUT", THREAD_MEMBERS)


async def test_a_timeout_is_recorded_and_echoed_to_the_cache(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await add_probe(bot)
    ann = await emulator.member_join(server.guild_id, "ann")
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "probe-timeout", member=ann)).reply()
    assert reply["content"] == "done"
    call = await emulator.wait_for_call("PATCH", MEMBER)
    assert call.params["user_id"] == ann and call.reason == "probe"
    until = emulator.world.guilds[server.guild_id].members[ann]["communication_disabled_until"]
    assert until is not None
    member = bot.get_guild(int(server.guild_id)).get_member(int(ann))
    await emulator.wait_until(lambda: member.timed_out_until is not None, what="GUILD_MEMBER_UPDATE")
    assert member.is_timed_out()


async def test_discord_refuses_to_time_out_the_owner_an_admin_or_anyone_ranked_at_or_above_the_bot(
        runner, emulator: DiscordEmulator, server: Server) -> None:
    admin_role = emulator.world.add_role(server.guild_id, "Admins", S.ADMINISTRATOR)
    admin = emulator.add_person(server.guild_id, "ada", [admin_role["id"]])
    bot_role = emulator.world.guilds[server.guild_id].members[emulator.world.bot_id]["roles"][0]
    high_role = emulator.world.add_role(server.guild_id, "Senior", 0)
    emulator.world.guilds[server.guild_id].roles[high_role["id"]]["position"] = (
        emulator.world.guilds[server.guild_id].roles[bot_role]["position"] + 1)
    senior = emulator.add_person(server.guild_id, "sam", [high_role["id"]])
    bot = await runner.start()
    await add_probe(bot)
    for target in (server.owner_id, admin, senior):
        reply = await (await emulator.slash(server.guild_id, server.owner_id, "probe-timeout", member=target)).reply()
        assert "error id" in reply["content"]
    refused = emulator.find_calls("PATCH", MEMBER)
    assert [(c.status, c.response["code"]) for c in refused] == [(403, 50013)] * 3
    for target in (server.owner_id, admin, senior):
        assert emulator.world.guilds[server.guild_id].members[target]["communication_disabled_until"] is None


async def test_scheduled_events_are_created_edited_started_ended_cancelled_and_deleted(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await add_probe(bot)
    ix = await emulator.slash(server.guild_id, server.owner_id, "probe-events", channel=server.lounge_voice_id)
    text = text_of(await ix.reply())
    held, called_off, gone = (number_after(w, text) for w in ("held", "called_off", "gone"))
    creates = emulator.find_calls("POST", EVENTS)
    assert [c.status for c in creates] == [200] * 3
    assert all(c.json["privacy_level"] == 2 and c.json["entity_type"] == 2 for c in creates)
    statuses = [c.json.get("status") for c in emulator.find_calls("PATCH", EVENT)]
    assert statuses == [None, 2, 3, 4]
    assert [c.params["event_id"] for c in emulator.find_calls("DELETE", EVENT)] == [str(gone)]

    stored = emulator.world.guilds[server.guild_id].scheduled_events
    assert stored[str(held)]["name"] == "Monday check-in" and stored[str(held)]["status"] == 3
    assert stored[str(called_off)]["status"] == 4 and str(gone) not in stored

    guild = bot.get_guild(int(server.guild_id))
    await emulator.wait_until(lambda: guild.get_scheduled_event(gone) is None
                              and guild.get_scheduled_event(called_off) is not None
                              and guild.get_scheduled_event(called_off).status is discord.EventStatus.cancelled,
                              what="the event echoes")
    event = guild.get_scheduled_event(held)
    assert event is not None and event.status is discord.EventStatus.completed
    assert event.name == "Monday check-in" and event.description == "Bring tea"
    assert event.channel_id == int(server.lounge_voice_id)


async def test_an_ended_event_cannot_be_started_again(emulator: DiscordEmulator, server: Server,
                                                      bot: PeerCirclesBot) -> None:
    await add_probe(bot)
    await (await emulator.slash(server.guild_id, server.owner_id, "probe-events",
                                channel=server.lounge_voice_id)).reply()
    held = next(e for e in emulator.world.guilds[server.guild_id].scheduled_events.values() if e["status"] == 3)
    guild = bot.get_guild(int(server.guild_id))
    event = guild.get_scheduled_event(int(held["id"]))
    try:
        await bot.http.edit_scheduled_event(guild.id, event.id, status=2)
    except discord.HTTPException as exc:
        assert (exc.status, exc.code) == (400, 180000)
    else:
        raise AssertionError("Discord refuses to restart a completed event")


async def test_voice_joins_moves_and_leaves_reach_listeners_and_the_cache(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    probe = await add_probe(bot)
    ann = await emulator.member_join(server.guild_id, "ann")
    guild = bot.get_guild(int(server.guild_id))
    lounge = int(server.lounge_voice_id)
    await emulator.voice(server.guild_id, ann, server.lounge_voice_id)
    await emulator.wait_until(lambda: probe.voice_moves, what="the voice join")
    assert probe.voice_moves == [(int(ann), None, lounge)]
    assert guild.get_member(int(ann)).voice.channel.id == lounge
    assert [m.id for m in guild.get_channel(lounge).members] == [int(ann)]
    await emulator.voice(server.guild_id, ann, None)
    await emulator.wait_until(lambda: len(probe.voice_moves) == 2, what="the voice leave")
    assert probe.voice_moves[1] == (int(ann), lounge, None)
    assert guild.get_member(int(ann)).voice is None


async def test_member_join_and_leave_reach_listeners_which_can_act_on_them(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    probe = await add_probe(bot)
    guild = bot.get_guild(int(server.guild_id))
    ann = await emulator.member_join(server.guild_id, "ann")
    await emulator.wait_until(lambda: probe.welcome_threads, what="the listener's welcome thread")
    added = emulator.find_calls("PUT", THREAD_MEMBERS)
    assert probe.joined == [int(ann)] and [c.params["user_id"] for c in added] == [ann]
    assert guild.get_member(int(ann)) is not None
    thread = guild.get_thread(probe.welcome_threads[int(ann)])
    assert thread is not None
    await emulator.wait_until(lambda: int(ann) in {m.id for m in thread.members}, what="the welcome thread's member")

    await emulator.member_leave(server.guild_id, ann)
    await emulator.wait_until(lambda: probe.left, what="the member leaving")
    assert probe.left == [int(ann)] and guild.get_member(int(ann)) is None
