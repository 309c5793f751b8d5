"""/setup end to end: select menus over three pages, saved as chosen, gates organiser and member commands."""

from __future__ import annotations

from pathlib import Path

from bot.circles.settings import get_circle_settings
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.core.guild_settings import get_settings
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import find_component, iter_components, text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import set_up

EPHEMERAL = 1 << 6


async def test_setup_with_select_menus_then_circles_open(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                         server: Server) -> None:
    gid, owner = server.guild_id, server.owner_id
    member = emulator.add_person(gid, "mia")
    await emulator.set_roles(gid, member, [])

    before = await (await emulator.slash(gid, member, "circle list")).reply()
    assert "hasn't been set up" in before["content"] and before["flags"] & EPHEMERAL

    page1 = await (await emulator.slash(gid, owner, "setup")).reply()
    assert page1["flags"] & EPHEMERAL and "page 1 of 3" in page1["content"]
    types = [c["type"] for c in iter_components(page1["components"])]
    assert types.count(6) == 3, "roles are chosen with role selects, not typed ids"

    msg = await (await emulator.select(owner, page1, "circle:setup:organiser", [server.organiser_role_id])).reply()
    msg = await (await emulator.select(owner, msg, "circle:setup:moderator", [server.moderator_role_id])).reply()
    msg = await (await emulator.select(owner, msg, "circle:setup:oncall", [server.oncall_role_id])).reply()
    assert f"<@&{server.organiser_role_id}>" in text_of(msg)

    # Finishing early names what is missing, and nothing opens.
    msg = await (await emulator.click(owner, msg, label="Next")).reply()
    msg = await (await emulator.click(owner, msg, label="Next")).reply()
    msg = await (await emulator.click(owner, msg, label="Finish setup")).reply()
    assert "choose the moderator queue channel, circle category, crisis resources region first" in msg["content"]
    assert not (await get_settings(bot.db, int(gid))).setup_done

    assert "page 2 of 3" in msg["content"]
    msg = await (await emulator.select(owner, msg, "circle:setup:queue", [server.queue_id])).reply()
    msg = await (await emulator.select(owner, msg, "circle:setup:category", [server.category_id])).reply()
    msg = await (await emulator.select(owner, msg, "circle:setup:welcome", [server.general_id])).reply()
    assert find_component(msg, custom_id="circle:setup:category")["channel_types"] == [4]
    msg = await (await emulator.click(owner, msg, label="Next")).reply()
    msg = await (await emulator.select(owner, msg, "circle:setup:region", ["gb"])).reply()
    msg = await (await emulator.select(owner, msg, "circle:setup:grace", ["3"])).reply()
    msg = await (await emulator.select(owner, msg, "circle:setup:stories", ["forum"])).reply()
    done = await (await emulator.click(owner, msg, label="Finish setup")).reply()
    assert "Setup is finished" in done["content"]

    settings = await get_settings(bot.db, int(gid))
    assert settings.setup_done and settings.crisis_region == "GB"
    assert (settings.organiser_role_id, settings.moderator_role_id, settings.oncall_role_id) == (
        int(server.organiser_role_id), int(server.moderator_role_id), int(server.oncall_role_id))
    assert (settings.queue_channel_id, settings.circle_category_id) == (int(server.queue_id), int(server.category_id))
    circles = await get_circle_settings(bot.db, int(gid))
    assert (circles.grace_days, circles.welcome_channel_id, circles.stories_mode) == (3, int(server.general_id),
                                                                                       "forum")
    after = await (await emulator.slash(gid, member, "circle list")).reply()
    assert "no open circles yet" in after["content"]


async def test_before_setup_only_manage_server_may_organise(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                            server: Server) -> None:
    gid = server.guild_id
    organiser = emulator.add_person(gid, "oscar")
    await emulator.set_roles(gid, organiser, [server.organiser_role_id])
    reply = await (await emulator.slash(gid, organiser, "setup")).reply()
    assert "only members with **Manage Server**" in reply["content"]
    reply = await (await emulator.slash(gid, organiser, "circle-admin create", name="X", description="d",
                                        topics="general", language="en", capacity=5)).reply()
    assert "only members with **Manage Server**" in reply["content"]


async def test_setup_again_shows_current_choices_and_only_organisers_may(bot: PeerCirclesBot,
                                                                         emulator: DiscordEmulator,
                                                                         server: Server) -> None:
    await set_up(bot, server)
    gid = server.guild_id
    page = await (await emulator.slash(gid, server.owner_id, "setup")).reply()
    organiser_select = find_component(page, custom_id="circle:setup:organiser")
    assert [(int(v["id"]), v["type"]) for v in organiser_select["default_values"]] == [
        (int(server.organiser_role_id), "role")]
    member = emulator.add_person(gid, "mo")
    page_for_member = await (await emulator.slash(gid, member, "setup")).reply()
    assert page_for_member["content"].startswith("Only organisers can do that.")
    organiser = emulator.add_person(gid, "ola")
    await emulator.set_roles(gid, organiser, [server.organiser_role_id])
    page = await (await emulator.slash(gid, organiser, "setup")).reply()
    assert "page 1 of 3" in page["content"]
    # A member pressing an organiser's old setup menu changes nothing.
    refused = await (await emulator.select(member, page, "circle:setup:moderator", [server.oncall_role_id])).reply()
    assert "Only organisers" in refused["content"]
    assert (await get_settings(bot.db, int(gid))).moderator_role_id == int(server.moderator_role_id)



async def test_setup_starts_from_the_configured_region_and_time_zone(emulator: DiscordEmulator, server: Server,
                                                                     clock: FakeClock, tmp_path: Path) -> None:
    runner = BotRunner(emulator, clock, tmp_path / "bot.sqlite3",
                       bot={"default_region": "NZ", "default_timezone": "Pacific/Auckland"})
    try:
        bot = await runner.start()
        page1 = await (await emulator.slash(server.guild_id, server.owner_id, "setup")).reply()
        await (await emulator.select(server.owner_id, page1, "circle:setup:organiser",
                                     [server.organiser_role_id])).reply()
        settings = await get_settings(bot.db, int(server.guild_id))
        assert (settings.crisis_region, settings.timezone) == ("NZ", "Pacific/Auckland"), (
            "the first choice saved keeps the operator's defaults")
    finally:
        await runner.stop()


async def test_everyone_and_bot_roles_are_refused_and_nothing_saved(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                   server: Server) -> None:
    gid, owner = server.guild_id, server.owner_id
    page1 = await (await emulator.slash(gid, owner, "setup")).reply()
    refused = await (await emulator.select(owner, page1, "circle:setup:organiser", [gid])).reply()
    assert "@everyone can't be chosen here" in refused["content"]
    bot_role = emulator.world.guilds[gid].members[emulator.world.bot_id]["roles"][0]
    refused = await (await emulator.select(owner, refused, "circle:setup:moderator", [bot_role])).reply()
    assert "belongs to a bot or an integration" in refused["content"]
    settings = await get_settings(bot.db, int(gid))
    assert (settings.organiser_role_id, settings.moderator_role_id) == (None, None)
    assert "page 1 of 3" in refused["content"], "the organiser stays on the roles page to choose again"


async def test_two_organisers_choosing_at_once_both_keep_their_choice(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    import asyncio

    gid, owner = server.guild_id, server.owner_id
    pages = [await (await emulator.slash(gid, owner, "setup")).reply() for _ in range(3)]
    picks = [("circle:setup:organiser", server.organiser_role_id), ("circle:setup:moderator", server.moderator_role_id),
             ("circle:setup:oncall", server.oncall_role_id)]
    # Three organisers' cards, three selects landing together: each save must keep the others'.
    asks = await asyncio.gather(*(emulator.select(owner, page, custom_id, [value])
                                  for page, (custom_id, value) in zip(pages, picks, strict=True)))
    for ask in asks:
        await ask.reply()
    settings = await get_settings(bot.db, int(gid))
    assert (settings.organiser_role_id, settings.moderator_role_id, settings.oncall_role_id) == (
        int(server.organiser_role_id), int(server.moderator_role_id), int(server.oncall_role_id))
