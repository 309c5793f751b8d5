"""Goals made safe (review findings): the goal's words screened, a member's erasure taking every
schedule of theirs, partner DMs and the welcome back held for rest, circle pings only with an active
seat, buttons that carry their server (older ones still work), and honest, kind wording."""

from __future__ import annotations

import copy

from emulator.interactions import text_of
from tests.e2e.circles.helpers import create_circle, dms, join, press, set_up
from tests.e2e.goals.helpers import pings_to, set_goal, tick

GOAL_KINDS = ("goal_ping", "goal_release", "goal_partner_weekly", "goal_partner_dm", "goal_recap", "member_flare_off")


async def _say(emulator, server, user, path, **options):
    return await (await emulator.slash(server.guild_id, user, path, **options)).reply()


def _channel(emulator, circle):
    return [m for m in emulator.world.messages.get(str(circle.text_channel_id), {}).values()
            if "Goal check-in" in text_of(m)]


# -- 1. the goal's words are screened --------------------------------------------------------------

async def test_a_goal_with_crisis_words_keeps_nothing_and_gets_the_card_and_an_urgent_case(
        emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_up(bot, server)
    answer = await set_goal(emulator, server, alex, text="I want to kill myself tonight", minimum="")
    assert answer["flags"] & 64, "private"
    assert "wasn't saved" in answer["content"] and answer["embeds"], "kind words and the crisis card at once"
    assert any(b.get("label") == "Talk to a moderator now" for row in answer["components"] for b in row["components"])
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goals") == 0
    assert await bot.db.fetchval("SELECT COUNT(*) FROM schedules WHERE kind = 'goal_ping'") == 0
    case = await bot.db.fetchone("SELECT kind, urgency, source, subject_user_id, summary FROM cases")
    assert tuple(case[:4]) == ("crisis", "urgent", "goal_text", int(alex))
    assert "kill" not in case[4]
    # A hard-day minimum is screened too, and an edit keeps the old words when refused.
    await set_goal(emulator, server, alex, text="walk the dog", minimum="")
    goal = str(await bot.db.fetchval("SELECT id FROM goals"))
    ix = await emulator.slash(server.guild_id, alex, "goal edit", goal=goal)
    edited = await (await emulator.submit_modal(alex, ix, {"goal": "walk the dog",
                                                          "minimum": "I want to kill myself tonight"})).reply()
    assert "wasn't saved" in edited["content"]
    assert tuple(await bot.db.fetchone("SELECT text, minimum FROM goals")) == ("walk the dog", None)


async def test_a_goal_of_concern_is_kept_with_a_gentle_check_in(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    answer = await set_goal(emulator, server, alex, text="I dont want to live like this anymore", minimum="")
    assert answer["content"].startswith("Saved") and answer["embeds"], "kept, with the check-in card"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goals") == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM cases") == 0, "no case unless the server opts in"


async def test_a_slur_is_declined_and_profanity_is_kept_censored_and_mentions_stay_inert(
        emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server)
    await join(emulator, server, alex, circle)
    declined = await set_goal(emulator, server, alex, text="stretch, what a mong", minimum="")
    assert "wasn't saved" in declined["content"] and "Nothing was kept" in declined["content"]
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goals") == 0
    saved = await set_goal(emulator, server, alex, text="walk the damn dog @everyone", minimum="<@123> once",
                           time="10:00", delivery="circle", circle=str(circle.id))
    assert saved["content"].startswith("Saved")
    assert await bot.db.fetchval("SELECT text FROM goals") == "walk the d*** dog @everyone"
    await tick(bot, clock, hours=1)
    [posted] = _channel(emulator, circle)
    shown = text_of(posted)
    assert "d\\*\\*\\*" in shown and "damn" not in shown  # censored (and its stars escaped as markdown)
    assert "@everyone" not in shown and "<@123>" not in shown, "mentions are inert in the channel"


# -- 2. erasure takes every schedule of theirs --------------------------------------------------------

async def test_privacy_delete_leaves_no_goal_partner_recap_or_flare_schedule_and_nothing_is_sent(
        emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    sam = emulator.add_person(server.guild_id, "sam")
    kim = emulator.add_person(server.guild_id, "kim")
    bot = await runner.start()
    gid = int(server.guild_id)
    await set_goal(emulator, server, alex, time="10:00")
    await set_goal(emulator, server, alex, text="stretch", time="12:00")
    goal = str(await bot.db.fetchval("SELECT MIN(id) FROM goals"))
    await _say(emulator, server, alex, "goal partner", goal=goal, member=sam)
    await bot.outbox.drain()
    await press(emulator, sam, next(m for m in dms(emulator, sam) if "accountability partner" in text_of(m)),
                "Accept")
    await _say(emulator, server, kim, "flare start", days=5)
    await _say(emulator, server, alex, "goal partner", goal=goal, member=kim)  # held for kim's flare
    await _say(emulator, server, alex, "goal summary", day=2)
    await _say(emulator, server, alex, "me quiet-hours", start="11:30", end="13:00")
    await tick(bot, clock, hours=3, minutes=5)  # 12:05: the stretch ping is held by quiet hours
    await _say(emulator, server, alex, "flare start", days=2)
    kinds = {r[0] for r in await bot.db.fetchall("SELECT DISTINCT kind FROM schedules WHERE guild_id = ?", (gid,))}
    assert kinds >= set(GOAL_KINDS), kinds - set(GOAL_KINDS)

    first = await _say(emulator, server, alex, "privacy delete")
    second = await press(emulator, alex, first, "Continue")
    done = await press(emulator, alex, second, "Delete everything about me")
    assert "erased" in text_of(done)
    left = await bot.db.fetchall(
        f"SELECT kind, owner_id FROM schedules WHERE guild_id = ? AND kind IN ({', '.join('?' * len(GOAL_KINDS))})",
        (gid, *GOAL_KINDS))
    assert [tuple(r) for r in left] == [("member_flare_off", int(kim))], "only kim's own flare end is left"
    before = {u: len(dms(emulator, u)) for u in (alex, sam, kim)}
    await tick(bot, clock, days=7)
    await tick(bot, clock, days=1)
    assert len(dms(emulator, alex)) == before[alex], "nothing more to alex"
    assert len(dms(emulator, sam)) == before[sam], "no weekly count of an erased member's goal"
    assert not [m for m in dms(emulator, kim) if "accountability partner" in text_of(m)], \
        "the invitation held for kim's flare break went with the erasure"


# -- 3. partner DMs wait for the recipient's rest --------------------------------------------------

async def test_partner_invite_waits_for_quiet_hours_and_a_flare_break_and_so_does_a_cheer(
        emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    sam = emulator.add_person(server.guild_id, "sam")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")
    goal = str(await bot.db.fetchval("SELECT id FROM goals"))
    await _say(emulator, server, sam, "me quiet-hours", start="09:00", end="11:00")  # UTC; the clock is 09:00
    invited = await _say(emulator, server, alex, "goal partner", goal=goal, member=sam)
    assert "Invited" in invited["content"]
    await tick(bot, clock, minutes=30)
    assert not [m for m in dms(emulator, sam) if "accountability partner" in text_of(m)], "held in quiet hours"
    await tick(bot, clock, hours=1, minutes=30)  # 11:00: quiet hours are over
    invite = [m for m in dms(emulator, sam) if "accountability partner" in text_of(m)]
    assert len(invite) == 1
    await press(emulator, sam, invite[0], "Accept")
    # The owner's flare day is theirs: it never shows in the partner's weekly count.
    await press(emulator, alex, pings_to(emulator, alex)[-1], "Flare day")
    await tick(bot, clock, days=1)
    await press(emulator, alex, pings_to(emulator, alex)[-1], "Done")
    await _say(emulator, server, alex, "flare start", days=2)
    await tick(bot, clock, days=6, hours=7)  # next Monday 18:00, the weekday sam accepted on
    [count] = [m for m in dms(emulator, sam) if "Weekly count" in text_of(m)]
    assert "showed up 1 time" in text_of(count) and "flare" not in text_of(count).lower()
    await _say(emulator, server, alex, "flare start", days=1)  # resting when sam cheers
    before = len(dms(emulator, alex))
    cheer = await (await emulator.click(sam, count, label="Cheer them on")).reply()
    assert "Sent your cheer" in cheer["content"]
    again = await (await emulator.click(sam, count, label="Cheer them on")).reply()
    assert "already cheered" in again["content"]
    await tick(bot, clock, hours=23)
    assert not [m for m in dms(emulator, alex)[before:] if "cheering you on" in text_of(m)], "held during flare"
    await tick(bot, clock, hours=1)
    assert len([m for m in dms(emulator, alex)[before:] if "cheering you on" in text_of(m)]) == 1


# -- 4. circle pings need an active seat ----------------------------------------------------------

async def test_circle_pings_fall_back_to_dm_after_leaving_or_a_paused_seat_and_autocomplete_offers_active_seats(
        emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server)
    other = await create_circle(emulator, bot, server, name="Pacing Pals")
    await join(emulator, server, alex, circle)
    await join(emulator, server, alex, other)
    await set_goal(emulator, server, alex, time="10:00", delivery="circle", circle=str(circle.id))
    await tick(bot, clock, hours=1)
    assert len(_channel(emulator, circle)) == 1 and pings_to(emulator, alex) == []
    # A paused seat (newer norms not yet agreed): no more channel pings, a DM instead.
    await bot.db.execute("UPDATE circle_seats SET status = 'paused' WHERE guild_id = ? AND circle_id = ?",
                         (int(server.guild_id), circle.id))
    choices = await (await emulator.autocomplete(server.guild_id, alex, "goal set", "circle", cadence="daily",
                                                 time="10:00", circle="")).choices()
    assert [c["name"] for c in choices] == ["Pacing Pals"], "only circles with an active seat"
    await tick(bot, clock, days=1)
    assert len(_channel(emulator, circle)) == 1
    assert len(pings_to(emulator, alex)) == 1, "the ping went by DM"
    # Leaving the circle: still DMs, never the channel.
    await bot.db.execute("UPDATE circle_seats SET status = 'active' WHERE guild_id = ?", (int(server.guild_id),))
    await press(emulator, alex, await _say(emulator, server, alex, "circle leave", circle=str(circle.id)),
                "Yes, leave")
    await tick(bot, clock, days=1)
    assert len(_channel(emulator, circle)) == 1
    assert len(pings_to(emulator, alex)) == 2


# -- 5. the welcome back waits for quiet hours ------------------------------------------------------

async def test_the_flare_welcome_back_waits_until_quiet_hours_end(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await _say(emulator, server, alex, "me quiet-hours", start="08:00", end="10:30")  # UTC; the clock is 09:00
    await _say(emulator, server, alex, "flare start", days=1)
    await tick(bot, clock, days=1)  # the break ends at 09:00, inside quiet hours
    assert await bot.db.fetchval("SELECT flare_until FROM member_prefs") is None, "the break itself is over"
    assert not [m for m in dms(emulator, alex) if "Welcome back" in text_of(m)]
    await tick(bot, clock, minutes=89)
    assert not [m for m in dms(emulator, alex) if "Welcome back" in text_of(m)]
    await tick(bot, clock, minutes=1)  # 10:30
    assert len([m for m in dms(emulator, alex) if "Welcome back" in text_of(m)]) == 1
    await tick(bot, clock, days=1)
    assert len([m for m in dms(emulator, alex) if "Welcome back" in text_of(m)]) == 1


# -- 6. honest wording ------------------------------------------------------------------------------

async def test_the_note_form_says_what_privacy_means_and_nothing_speaks_of_broken_streaks(
        emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")
    await tick(bot, clock, hours=1)
    ping = pings_to(emulator, alex)[-1]
    flare = await press(emulator, alex, ping, "Flare day")
    assert "streak" not in text_of(flare).lower()
    modal = await (await emulator.click(alex, ping, label="Add a note")).modal()
    [field] = [c for row in modal["components"] for c in row.get("components", [row.get("component")]) if c]
    assert field["label"] == "Private: only you see it" and len(field["label"]) <= 45
    assert "moderators are told you may need support, never your words" in field["placeholder"]
    goal = str(await bot.db.fetchval("SELECT id FROM goals"))
    paused = await _say(emulator, server, alex, "goal pause", goal=goal)
    assert "streak" not in paused["content"].lower()


# -- 8. buttons carry their server; older buttons still work ---------------------------------------

def _old_form(message):
    """The same message as it was sent before buttons carried the server (``pc:goalans:<ping>:<code>``)."""
    old = copy.deepcopy(message)
    for row in old["components"]:
        for button in row["components"]:
            parts = button["custom_id"].split(":")
            button["custom_id"] = ":".join(parts[:2] + parts[3:])
    return old


async def test_ping_buttons_carry_the_server_and_older_buttons_without_it_still_work(
        emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")
    await tick(bot, clock, hours=1)
    ping = pings_to(emulator, alex)[-1]
    ping_id = await bot.db.fetchval("SELECT id FROM goal_pings")
    ids = [b["custom_id"] for row in ping["components"] for b in row["components"]]
    assert f"pc:goalans:{server.guild_id}:{ping_id}:done" in ids
    # A forged button naming another server finds nothing there.
    forged = copy.deepcopy(ping)
    forged["components"][0]["components"][0]["custom_id"] = f"pc:goalans:1:{ping_id}:done"
    refused = await (await emulator.click(alex, forged, label="Done")).reply()
    assert "couldn't find" in refused["content"]
    assert await bot.db.fetchval("SELECT answer FROM goal_pings") is None
    old = _old_form(ping)
    ix = await emulator.click(alex, old, label="Add a note")
    saved = await (await emulator.submit_modal(alex, ix, {"note": "older button"})).reply()
    assert "saved" in saved["content"]
    assert "Recorded: **done**" in text_of(await press(emulator, alex, old, "Done"))
    assert await bot.db.fetchval("SELECT note FROM goal_pings") == "older button"
