"""/case block-stories: the stories capability's real block, placed from a case. For a case about
a story, by the story's number (its author stays unknown); for a case about a known member, by
that member's own block key. Either way the blocked member's /story share is refused kindly."""

from __future__ import annotations

from bot.cases.records import case_events, open_case
from bot.client import PeerCirclesBot
from bot.stories.keys import author_key, member_block_key
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import wait_cases
from tests.e2e.stories.helpers import open_form, share, story_world, wait_published

PAUSED = "Sharing stories is paused for you in this server"


async def _moderator(emulator: DiscordEmulator, server: Server) -> str:
    mod = await emulator.member_join(server.guild_id, "mo-moderator")
    await emulator.set_roles(server.guild_id, mod, [server.moderator_role_id])
    return mod


async def _slash(emulator: DiscordEmulator, server: Server, user: str, path: str, **options: object) -> str:
    return text_of(await (await emulator.slash(server.guild_id, user, path, **options)).reply())


async def test_a_case_about_a_story_blocks_its_unknown_author_by_the_story_number(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    mod = await _moderator(emulator, server)
    await share(emulator, server, world.author, world.circle)
    await wait_published(emulator, world.circle, bot=bot)
    gid = int(server.guild_id)
    async with bot.db.transaction() as conn:  # what a report of Story #1 opens: no member named
        opened = await open_case(conn, bot.clock, guild_id=gid, kind="report", urgency="normal", source="story",
                                 summary="Story #1 names a clinic's staff", snapshot={"story_number": 1})
    case_id = opened.case_id

    refused = await _slash(emulator, server, world.reader, "case block-stories", id=case_id, days=7, reason="x",
                           story=1)
    assert "Only moderators and organisers" in refused
    assert await bot.db.fetchval("SELECT count(*) FROM story_blocks") == 0, "nothing changed"
    unknown = await _slash(emulator, server, mod, "case block-stories", id=case_id, days=7, reason="x", story=9)
    assert "no story #9" in unknown
    assert await bot.db.fetchval("SELECT count(*) FROM case_events WHERE event = 'action'") == 0

    done = await _slash(emulator, server, mod, "case block-stories", id=case_id, days=7,
                        reason="named people", story=1)
    assert "The author of story #1 can't share stories until" in done and world.author not in done
    block = await bot.db.fetchone("SELECT author_key, story_id FROM story_blocks")
    assert block["author_key"] == author_key(gid, int(world.author)) and block["story_id"] > 0
    events = await case_events(bot.db, gid, case_id)
    (action,) = [e for e in events if e.event == "action"]
    assert "the author of story #1" in action.detail and "named people" in action.detail
    assert world.author not in action.detail, "the case never names the author"

    assert PAUSED in await _slash(emulator, server, world.author, "story share", circle=str(world.circle.id))
    form = await open_form(emulator, server, world.reader, world.circle)
    assert await form.response_type() == 9, "others still share (they get the form)"


async def test_a_case_about_a_known_member_blocks_that_member_from_sharing(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    mod = await _moderator(emulator, server)
    gid = int(server.guild_id)
    message = await emulator.send_message(server.general_id, world.author, "you are all pathetic")
    ix = await emulator.message_command(server.guild_id, world.reader, "Report to moderators", message)
    await (await emulator.submit_modal(world.reader, ix, {"category": ["harassment"]})).reply()
    [case] = await wait_cases(bot, server, 1)
    assert case.subject_user_id == int(world.author)

    done = await _slash(emulator, server, mod, "case block-stories", id=case.number, days=3, reason="harassment")
    assert f"<@{world.author}> can't share stories until" in done
    block = await bot.db.fetchone("SELECT author_key, story_id FROM story_blocks")
    assert block["author_key"] == member_block_key(gid, int(world.author)) and block["story_id"] == 0
    assert block["author_key"] != author_key(gid, int(world.author)), "not matchable to their stories"
    refused = await _slash(emulator, server, world.author, "story share", circle=str(world.circle.id))
    assert PAUSED in refused and "ask a moderator" in refused
    events = await case_events(bot.db, gid, case.id)
    assert any(e.event == "action" and "from sharing stories" in e.detail and "harassment" in e.detail
               for e in events)

    # A case about nobody known, without a story number: a clear answer, nothing blocked.
    async with bot.db.transaction() as conn:
        anon = (await open_case(conn, bot.clock, guild_id=gid, kind="report", urgency="normal",
                                source="story")).case_id
    needs = await _slash(emulator, server, mod, "case block-stories", id=anon, days=3, reason="x")
    assert "isn't about a known member" in needs
    assert await bot.db.fetchval("SELECT count(*) FROM story_blocks") == 1
