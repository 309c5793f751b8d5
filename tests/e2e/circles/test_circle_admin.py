"""/circle-admin end to end: create (and roll back), edit, archive, facilitators, members, norms."""

from __future__ import annotations

from bot.circles.consent import members_of
from bot.circles.records import list_circles
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner
from emulator import state as S
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import create_circle, dms, has_role, join, press, set_up

EPHEMERAL = 1 << 6


def overwrites_of(emulator: DiscordEmulator, channel_id: int | None) -> dict[str, tuple[int, int]]:
    channel = emulator.world.channels[str(channel_id)]
    # str(): the emulator keeps ids from PATCH bodies as sent (ints); Discord answers strings.
    return {str(o["id"]): (int(o["allow"]), int(o["deny"])) for o in channel["permission_overwrites"]}


def bot_role_id(emulator: DiscordEmulator, server: Server) -> str:
    return emulator.world.guilds[server.guild_id].members[emulator.world.bot_id]["roles"][0]


async def test_create_makes_a_private_role_text_and_voice_channel(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                  server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends", capacity=6)
    world = emulator.world
    assert world.guilds[server.guild_id].roles[str(circle.role_id)]["name"] == "Fibro Friends"
    text = world.channels[str(circle.text_channel_id)]
    voice = world.channels[str(circle.voice_channel_id)]
    assert (text["name"], text["type"], text["parent_id"]) == ("fibro-friends", S.GUILD_TEXT, server.category_id)
    assert (voice["name"], voice["type"]) == ("Fibro Friends", S.GUILD_VOICE)
    ow = overwrites_of(emulator, circle.text_channel_id)
    assert ow[server.guild_id][1] & S.VIEW_CHANNEL, "@everyone can't see it"
    assert ow[str(circle.role_id)][0] & S.VIEW_CHANNEL
    assert ow[server.moderator_role_id][0] & S.VIEW_CHANNEL
    assert ow[world.bot_id][0] & S.VIEW_CHANNEL
    outsider = emulator.add_person(server.guild_id, "nosy")
    assert not world.channel_permissions(str(circle.text_channel_id), outsider) & S.VIEW_CHANNEL
    assert not world.channel_permissions(str(circle.voice_channel_id), outsider) & S.VIEW_CHANNEL
    assert circle.norms_version == 1 and circle.capacity == 6


async def test_create_with_a_stories_forum_and_an_existing_text_channel(runner: BotRunner,
                                                                        emulator: DiscordEmulator,
                                                                        server: Server) -> None:
    existing = emulator.world.add_channel(server.guild_id, "old-migraine", S.GUILD_TEXT)["id"]
    bot = await runner.start()
    await set_up(bot, server, stories_mode="forum")
    created_before = len(emulator.find_calls("POST", "/guilds/{guild_id}/channels"))
    circle = await create_circle(emulator, bot, server, "Migraine", topics="migraine", text_channel=existing)
    made = emulator.find_calls("POST", "/guilds/{guild_id}/channels")[created_before:]
    assert sorted(c.json["type"] for c in made) == [S.GUILD_VOICE, S.GUILD_FORUM], "only what is missing is made"
    assert circle.text_channel_id == int(existing)
    assert overwrites_of(emulator, existing)[server.guild_id][1] & S.VIEW_CHANNEL
    stories = emulator.world.channels[str(circle.stories_channel_id)]
    assert (stories["name"], stories["type"]) == ("migraine-stories", S.GUILD_FORUM)


async def test_names_collide_case_insensitively_and_markdown_is_neutralised(bot: PeerCirclesBot,
                                                                            emulator: DiscordEmulator,
                                                                            server: Server) -> None:
    await set_up(bot, server)
    await create_circle(emulator, bot, server, "Back Pain", topics="back pain")
    roles_before = len(emulator.world.guilds[server.guild_id].roles)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin create", name="**BACK  pain**",
                                        description="d", topics="back", language="en", capacity=5)).reply()
    assert "already a circle called **Back Pain**" in reply["content"]
    assert len(emulator.world.guilds[server.guild_id].roles) == roles_before, "nothing was made"

    circle = await create_circle(emulator, bot, server, "@everyone *Pelvic* __pain__", topics="pelvic pain")
    role_name = emulator.world.guilds[server.guild_id].roles[str(circle.role_id)]["name"]
    assert "@everyone" not in role_name and "@\u200beveryone" in role_name
    card = await (await emulator.slash(server.guild_id, server.owner_id, "circle list")).reply()
    assert r"\*Pelvic\* \_\_pain\_\_" in text_of(card)
    listing = await emulator.wait_for_call("POST", "/interactions/{interaction_id}/{interaction_token}/callback",
                                           where=lambda c: "Pelvic" in str(c.json))
    assert listing.json["data"]["allowed_mentions"] == {"parse": []}


async def test_bad_input_is_refused_plainly(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin create", name="Toes",
                                        description="d", topics="toe stubbing", language="en", capacity=5)).reply()
    assert "I don't know the topic 'toe stubbing'" in reply["content"] and reply["flags"] & EPHEMERAL
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin create", name="Toes",
                                        description="d", topics="general", language="Klingon", capacity=5)).reply()
    assert "I don't know the language" in reply["content"]
    assert not emulator.find_calls("POST", "/guilds/{guild_id}/roles")


async def test_missing_manage_roles_is_named_and_nothing_is_made(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                 server: Server) -> None:
    await set_up(bot, server)
    await emulator.set_role_permissions(server.guild_id, bot_role_id(emulator, server),
                                        S.BOT_DEFAULT & ~S.MANAGE_ROLES)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin create", name="Fibro",
                                        description="d", topics="fibro", language="en", capacity=5)).reply()
    assert "missing the **Manage Roles** permission in this server" in reply["content"]
    assert "Nothing was changed" in reply["content"]
    assert not emulator.find_calls("POST", "/guilds/{guild_id}/roles")
    assert await list_circles(bot.db, int(server.guild_id)) == []


async def test_channel_failure_removes_the_role_again(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                      server: Server) -> None:
    await set_up(bot, server)
    roles_before = set(emulator.world.guilds[server.guild_id].roles)
    emulator.inject_fault("POST", "/guilds/{guild_id}/channels", 403, 50013, times=1)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin create", name="Fibro",
                                        description="d", topics="fibro", language="en", capacity=5)).reply()
    assert "Manage Channels" in reply["content"] and "Circles" in reply["content"]
    assert "Nothing was changed" in reply["content"]
    created = emulator.find_calls("POST", "/guilds/{guild_id}/roles")
    assert len(created) == 1
    deleted = await emulator.wait_for_call("DELETE", "/guilds/{guild_id}/roles/{role_id}")
    assert deleted.params["role_id"] == created[0].response["id"]
    assert set(emulator.world.guilds[server.guild_id].roles) == roles_before
    assert await list_circles(bot.db, int(server.guild_id)) == []


async def test_voice_failure_removes_the_text_channel_and_role(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                               server: Server) -> None:
    await set_up(bot, server)
    channels_before = set(emulator.world.guilds[server.guild_id].channel_ids)
    roles_before = set(emulator.world.guilds[server.guild_id].roles)
    # The text channel is made; the voice channel is refused.
    emulator.inject_fault("POST", "/guilds/{guild_id}/channels", 403, 50013,
                          match=lambda req: (req.json or {}).get("type") == S.GUILD_VOICE)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin create", name="Fibro",
                                        description="d", topics="fibro", language="en", capacity=5)).reply()
    assert "Manage Channels" in reply["content"]
    await emulator.wait_until(lambda: set(emulator.world.guilds[server.guild_id].roles) == roles_before, 5,
                              "the role to be removed")
    assert set(emulator.world.guilds[server.guild_id].channel_ids) == channels_before
    assert len(emulator.find_calls("DELETE", "/channels/{channel_id}")) == 1
    assert await list_circles(bot.db, int(server.guild_id)) == []


async def test_hidden_category_is_named(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    await emulator.set_role_permissions(server.guild_id, bot_role_id(emulator, server),
                                        S.BOT_DEFAULT & ~S.MANAGE_CHANNELS)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin create", name="Fibro",
                                        description="d", topics="fibro", language="en", capacity=5)).reply()
    assert "missing the **Manage Channels** permission in **Circles**" in reply["content"]
    assert not emulator.find_calls("POST", "/guilds/{guild_id}/roles")


async def test_only_organisers_administer(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    member = emulator.add_person(server.guild_id, "mia")
    ix = await emulator.slash(server.guild_id, member, "circle-admin create", name="Mine",
                              description="d", topics="general", language="en", capacity=5)
    reply = await ix.reply()
    assert reply["content"] == (f"Only organisers can do that. If it needs doing, ask someone with the"
                                f" <@&{server.organiser_role_id}> role.")
    answer = emulator.find_calls("POST", "/interactions/{interaction_id}/{interaction_token}/callback",
                                 where=lambda c: c.params["interaction_id"] == ix.id)[0]
    mentions = answer.json["data"]["allowed_mentions"]
    assert mentions["parse"] == [] and not mentions.get("roles"), "the role is named, not pinged"
    organiser = emulator.add_person(server.guild_id, "ola", role_ids=[server.organiser_role_id])
    await emulator.set_roles(server.guild_id, organiser, [server.organiser_role_id])
    reply = await (await emulator.slash(server.guild_id, organiser, "circle-admin create", name="Ours",
                                        description="d", topics="general", language="en", capacity=5)).reply()
    assert reply["content"].startswith("Created **Ours**")


async def test_edit_renames_role_and_channels_and_frees_seats(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                              server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends", capacity=2)
    people = [await emulator.member_join(server.guild_id, n) for n in ("ann", "bea", "cat")]
    for p in people[:2]:
        await join(emulator, server, p, circle)
    full = await (await emulator.slash(server.guild_id, people[2], "circle join", circle=str(circle.id))).reply()
    await press(emulator, people[2], full, "Join the waitlist")

    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin edit", circle=str(circle.id),
                                        name="Fibro Fellows", capacity=3)).reply()
    assert "Updated **Fibro Fellows**: name, capacity." in reply["content"]
    world = emulator.world
    assert world.guilds[server.guild_id].roles[str(circle.role_id)]["name"] == "Fibro Fellows"
    assert world.channels[str(circle.text_channel_id)]["name"] == "fibro-fellows"
    assert world.channels[str(circle.voice_channel_id)]["name"] == "Fibro Fellows"
    await emulator.wait_until(lambda: any("A seat has opened in **Fibro Fellows**" in text_of(m)
                                          for m in dms(emulator, people[2])), 5, "the seat offer DM")

    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin edit", circle=str(circle.id),
                                        capacity=2)).reply()
    assert "can't go below 3" in reply["content"], "two members and a seat held for cat"


async def test_archive_keeps_history_removes_access_and_tells_members(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                     server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ann = await emulator.member_join(server.guild_id, "ann")
    await join(emulator, server, ann, circle)
    assert has_role(emulator, server, ann, circle.role_id)
    confirm = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin archive",
                                          circle=str(circle.id))).reply()
    assert "can't be undone" in confirm["content"]
    done = await press(emulator, server.owner_id, confirm, "Archive it")
    assert "Archived **Fibro Friends**. 1 member(s) and 0 waiting were told privately" in done["content"]
    assert str(circle.role_id) not in emulator.world.guilds[server.guild_id].roles, "the role is freed"
    assert str(circle.text_channel_id) in emulator.world.channels, "history is kept"
    await emulator.wait_until(lambda: any("has been closed" in text_of(m) for m in dms(emulator, ann)), 5,
                              "the archive notice")
    again = await (await emulator.slash(server.guild_id, ann, "circle join", circle="Fibro Friends")).reply()
    assert "has closed" in again["content"]


async def test_facilitators_get_channel_access_and_see_members(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                               server: Server, clock: FakeClock) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    fay = await emulator.member_join(server.guild_id, "fay")
    ann = await emulator.member_join(server.guild_id, "ann")
    await join(emulator, server, ann, circle)

    denied = await (await emulator.slash(server.guild_id, fay, "circle-facilitator members",
                                                    circle=str(circle.id))).reply()
    assert "Only this circle's facilitators and the server's organisers" in denied["content"]
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin facilitator-add",
                                        circle=str(circle.id), member=fay)).reply()
    assert "now facilitates **Fibro Friends**" in reply["content"]
    assert emulator.world.channel_permissions(str(circle.text_channel_id), fay) & S.VIEW_CHANNEL
    again = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin facilitator-add",
                                        circle=str(circle.id), member=fay)).reply()
    assert "already facilitates" in again["content"]

    listing = await (await emulator.slash(server.guild_id, fay, "circle-facilitator members",
                                                    circle=str(circle.id))).reply()
    assert listing["flags"] & EPHEMERAL
    assert f"<@{ann}>: joined <t:{int(clock.now().timestamp())}:D>, norms version 1" in text_of(listing)

    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin facilitator-remove",
                                        circle=str(circle.id), member=fay)).reply()
    assert "no longer facilitates" in reply["content"]
    assert not emulator.world.channel_permissions(str(circle.text_channel_id), fay) & S.VIEW_CHANNEL


async def test_norms_edit_asks_members_again_and_pauses_access_after_the_grace_period(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await set_up(bot, server, grace_days=7)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ann = await emulator.member_join(server.guild_id, "ann")
    bea = await emulator.member_join(server.guild_id, "bea")
    for person in (ann, bea):
        await join(emulator, server, person, circle)

    ix = await emulator.slash(server.guild_id, server.owner_id, "circle-admin norms", circle=str(circle.id))
    modal = await ix.modal()
    assert modal["title"] == "Norms of Fibro Friends"
    new_text = "Version two: what is shared here stays here. Be gentle with each other."
    saved = await (await emulator.submit_modal(server.owner_id, ix, {"norms_text": new_text})).reply()
    assert "version 2" in saved["content"] and "2 member(s) were asked privately" in saved["content"]

    await emulator.wait_until(lambda: dms(emulator, ann) and dms(emulator, bea), 5, "re-consent requests")
    request = dms(emulator, ann)[-1]
    assert "have been updated (version 2)" in request["content"] and new_text in text_of(request)

    clock.advance(days=3)
    welcome = await press(emulator, ann, request, "I agree")
    assert "Thank you for agreeing to the new norms" in text_of(welcome)

    clock.advance(days=4)  # bea's grace period is over
    removal = await emulator.wait_for_call("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    assert removal.params["user_id"] == bea
    assert has_role(emulator, server, ann, circle.role_id) and not has_role(emulator, server, bea, circle.role_id)
    await emulator.wait_until(lambda: any("is paused" in text_of(m) for m in dms(emulator, bea)), 5,
                              "the paused notice")
    members = {m.user_id: m for m in await members_of(bot.db, int(server.guild_id), circle.id)}
    assert members[int(bea)].status == "paused", "the seat is kept"

    paused_notice = next(m for m in dms(emulator, bea) if "is paused" in text_of(m))
    card = await press(emulator, bea, paused_notice, "Read the norms")
    back = await press(emulator, bea, card, "I agree")
    assert "access to **Fibro Friends** is back" in text_of(back)
    await emulator.wait_until(lambda: has_role(emulator, server, bea, circle.role_id), 5, "access restored")


async def test_closed_dms_get_the_norms_request_in_the_circle_channel(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    cal = await emulator.member_join(server.guild_id, "cal")
    await join(emulator, server, cal, circle)
    emulator.world.dms_closed.add(cal)
    ix = await emulator.slash(server.guild_id, server.owner_id, "circle-admin norms", circle=str(circle.id))
    new_norms = {"norms_text": "New norms: be gentle, keep confidences."}
    await (await emulator.submit_modal(server.owner_id, ix, new_norms)).reply()
    post = await emulator.wait_for_call("POST", "/channels/{channel_id}/messages",
                                        where=lambda c: c.params["channel_id"] == str(circle.text_channel_id))
    assert f"<@{cal}>, the norms of **Fibro Friends** have been updated" in post.json["content"]
    assert "DM" not in post.json["content"], "a member's closed DMs are nobody else's business"
    assert post.json["allowed_mentions"] == {"parse": [], "users": [cal]}


async def test_a_circle_channel_deleted_behind_the_bots_back_is_named_and_nothing_recorded(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    gil = await emulator.member_join(server.guild_id, "gil")
    # Discord answers 404 Unknown Channel: the channel went before the bot's cache heard of it.
    emulator.inject_fault("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", 404, 10003, times=1)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin facilitator-add",
                                        circle=str(circle.id), member=gil)).reply()
    assert "a channel it needs no longer exists" in reply["content"]
    assert "Nothing was changed" in reply["content"] and "went wrong on our side" not in reply["content"]
    assert reply["flags"] & EPHEMERAL
    denied = await (await emulator.slash(server.guild_id, gil, "circle-facilitator members",
                                                    circle=str(circle.id))).reply()
    assert "Only this circle's facilitators" in denied["content"], "gil was not recorded as a facilitator"
    assert not emulator.world.channel_permissions(str(circle.voice_channel_id), gil) & S.VIEW_CHANNEL
