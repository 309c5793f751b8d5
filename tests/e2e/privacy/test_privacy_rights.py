"""/privacy show, export and delete through the real client: a member with data in every feature
on this branch, exported and erased, while another member and another server stay untouched."""

from __future__ import annotations

import json

from bot.client import PeerCirclesBot
from bot.demo.runner import BotRunner
from bot.members.prefs import MemberPrefs, save_prefs
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import create_circle, has_role, press, set_up
from tests.e2e.privacy.helpers import counts, export_of, give_data

EVERY_FEATURE = {"circle_seats", "consent_log", "circle_waitlist", "member_prefs", "cases", "case_events",
                 "outbox", "dm_unreachable"}


async def _world(emulator: DiscordEmulator, server: Server, runner: BotRunner
                 ) -> tuple[PeerCirclesBot, str, str, str, Server]:
    ann = emulator.add_person(server.guild_id, "ann")
    bea = emulator.add_person(server.guild_id, "bea")
    cat = emulator.add_person(server.guild_id, "cat")
    other = emulator.build_server("Elsewhere")
    emulator.world.add_member(other.guild_id, ann)
    bot = await runner.start()
    await set_up(bot, server)
    return bot, ann, bea, cat, other


async def _with_data(emulator: DiscordEmulator, server: Server, runner: BotRunner
                     ) -> tuple[PeerCirclesBot, str, str, Server, int]:
    bot, ann, bea, cat, other = await _world(emulator, server, runner)
    seats = await create_circle(emulator, bot, server, "Fibro Friends")
    wait = await create_circle(emulator, bot, server, "Migraine Mornings")
    await give_data(emulator, bot, server, ann, seats, wait, reporter=cat)
    await give_data(emulator, bot, server, bea, seats, wait, reporter=cat)
    # ann in another server: never shown, exported or erased from this one.
    await save_prefs(bot.db, MemberPrefs(int(other.guild_id), int(ann), "Asia/Tokyo"), bot.clock.now())
    return bot, ann, bea, other, seats.role_id or 0


async def test_show_says_what_is_kept_for_how_long_and_who_sees_it_with_counts(
        emulator: DiscordEmulator, server: Server, runner: BotRunner) -> None:
    _bot, ann, _bea, _other, _role = await _with_data(emulator, server, runner)
    text = text_of(await (await emulator.slash(server.guild_id, ann, "privacy show")).reply())
    assert "What Peer Circles keeps about you here" in text
    assert "Your seats in circles and the norms version you agreed to** (1): kept while you hold the seat" in text
    assert "Your places on circle waitlists and seat offers** (1)" in text
    assert "Your time zone, quiet hours and flare mode** (1)" in text
    assert "Cases you opened (reports, requests for help) or that are about you** (2)" in text
    assert "(this server: 365 days)" in text
    assert "seen by the server's moderators" in text

    nobody = emulator.add_person(server.guild_id, "dot")
    text = text_of(await (await emulator.slash(server.guild_id, nobody, "privacy show")).reply())
    assert "Nothing at all" in text


async def test_export_is_a_private_json_file_of_everything_in_this_server_only(
        emulator: DiscordEmulator, server: Server, runner: BotRunner) -> None:
    _bot, ann, bea, other, _role = await _with_data(emulator, server, runner)
    ix = await emulator.slash(server.guild_id, ann, "privacy export")
    message = await ix.followup(0)
    assert message["flags"] & 64, "the export is ephemeral"
    assert message["attachments"] and message["attachments"][0]["filename"].endswith(".json")
    document = export_of(emulator, ix.record.token)
    assert "Everything Peer Circles keeps about you" in document["about"]["what_this_is"]
    assert document["about"]["member_id"] == ann
    assert set(document["data"]) >= EVERY_FEATURE
    assert document["data"]["member_prefs"]["rows"][0]["timezone"] == "Europe/London"  # not Tokyo
    about = next(r for r in document["data"]["cases"]["rows"] if r["your_part"] == "it was about you")
    assert about["kind"] == "report" and "snapshot" not in about and "opened_by" not in about, "never who reported"
    flat = json.dumps(document)
    assert "Asia/Tokyo" not in flat and other.guild_id not in flat
    for rows in (t["rows"] for t in document["data"].values()):
        for row in rows:
            assert row.get("guild_id") in (None, server.guild_id)  # big ids are written as text
            assert bea not in (row.get("user_id"), row.get("target_id"), row.get("subject_user_id"))


async def test_delete_asks_twice_then_erases_everything_of_theirs_and_nobody_elses(
        emulator: DiscordEmulator, server: Server, runner: BotRunner) -> None:
    bot, ann, bea, other, role_id = await _with_data(emulator, server, runner)
    gid = int(server.guild_id)
    assert set(await counts(bot, gid, int(ann))) >= EVERY_FEATURE
    bea_before = await counts(bot, gid, int(bea))
    assert has_role(emulator, server, ann, role_id)

    first = await (await emulator.slash(server.guild_id, ann, "privacy delete")).reply()
    assert first["flags"] & 64
    assert "Moderation records (reports and cases) keep only what happened and when" in text_of(first)
    assert "365 days after the case is resolved" in text_of(first)
    assert await counts(bot, gid, int(ann))  # nothing happens before the second confirmation
    second = await press(emulator, ann, first, "Continue")
    assert "Are you sure?" in text_of(second)
    done = await press(emulator, ann, second, "Delete everything about me")
    assert "Everything about you in this server is erased" in text_of(done)

    assert await counts(bot, gid, int(ann)) == {}
    assert await counts(bot, gid, int(bea)) == bea_before
    await emulator.wait_until(lambda: not has_role(emulator, server, ann, role_id), 5, "ann's circle role removed")
    assert has_role(emulator, server, bea, role_id)
    # The report about ann stays as what happened and when, with ann a placeholder and her words gone;
    # its key (the test's own, naming ann) no longer holds her id.
    assert await bot.db.fetchval("SELECT COUNT(*) FROM cases WHERE dedupe_key = ?", (f"report:{ann}",)) == 0
    row = await bot.db.fetchone("SELECT subject_user_id, snapshot, summary, kind, created_at FROM cases"
                                " WHERE guild_id = ? AND dedupe_key LIKE 'report:erased%'", (gid,))
    assert row is not None and (row[0], row[1], row[2], row[3]) == (0, "{}", "", "report") and row[4]
    # Nothing in any table mentions ann's id in this server any more; her other server is untouched.
    assert await bot.db.fetchval("SELECT COUNT(*) FROM consent_log WHERE guild_id = ? AND user_id = ?",
                                 (gid, int(ann))) == 0
    assert await bot.db.fetchval("SELECT timezone FROM member_prefs WHERE guild_id = ? AND user_id = ?",
                                 (int(other.guild_id), int(ann))) == "Asia/Tokyo"
    # consent_log is still append-only for everyone else.
    try:
        await bot.db.execute("DELETE FROM consent_log WHERE guild_id = ? AND user_id = ?", (gid, int(bea)))
    except Exception as exc:
        assert "append-only" in str(exc)
    else:
        raise AssertionError("consent_log let a delete through without an erasure request")

    # Export after deletion: nothing of hers in this server.
    ix = await emulator.slash(server.guild_id, ann, "privacy export")
    await ix.followup(0)
    assert export_of(emulator, ix.record.token)["data"] == {}


async def test_keep_my_data_changes_nothing_and_only_the_member_can_confirm(
        emulator: DiscordEmulator, server: Server, runner: BotRunner) -> None:
    bot, ann, bea, _other, _role = await _with_data(emulator, server, runner)
    gid = int(server.guild_id)
    before = await counts(bot, gid, int(ann))
    first = await (await emulator.slash(server.guild_id, ann, "privacy delete")).reply()
    kept = await press(emulator, ann, first, "Keep my data")
    assert "Nothing was deleted" in text_of(kept)
    second = await press(emulator, ann, await (await emulator.slash(server.guild_id, ann, "privacy delete")).reply(),
                         "Continue")
    # Someone else pressing ann's button (e.g. a forged custom id) erases nothing.
    refused = await press(emulator, bea, second, "Delete everything about me")
    assert "for someone else" in text_of(refused)
    assert await counts(bot, gid, int(ann)) == before
