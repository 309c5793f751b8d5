"""/screening end to end: words, the try preview, and the server's own crisis services."""

from __future__ import annotations

import logging
from typing import Any

from bot.client import PeerCirclesBot
from bot.demo.runner import BotRunner
from bot.safety.local_resources import MAX_PER_SERVER, add_entry, list_entries, validate_entry
from bot.safety.resources import region_for
from bot.screening.words import MAX_WORDS_PER_SERVER, add_word, list_words
from emulator import state as S
from emulator.events import Server
from emulator.interactions import Interaction, text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import set_up

EPHEMERAL = 1 << 6
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
NIGHT_LINE = {"name": "Riverside Night Line", "phone": "+44 20 7946 0000", "hours": "8pm to 8am"}


async def run(emulator: DiscordEmulator, server: Server, user: str, path: str, **options: Any) -> dict[str, Any]:
    """A person runs a /screening command; returns the (ephemeral) answer they see."""
    answer = await (await emulator.slash(server.guild_id, user, f"screening {path}", **options)).reply()
    assert answer["flags"] & EPHEMERAL, answer
    return answer


async def add_resource(emulator: DiscordEmulator, server: Server, user: str, values: dict[str, str],
                       **options: Any) -> Interaction:
    """/screening resource-add, then the modal filled in and submitted."""
    ix = await emulator.slash(server.guild_id, user, "screening resource-add", **options)
    return await emulator.submit_modal(user, ix, values)


async def test_commands_are_organiser_only_in_discord_and_in_the_bot(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                     server: Server) -> None:
    synced = next(c for scope in emulator.world.commands.values() for c in scope if c["name"] == "screening")
    assert int(synced["default_member_permissions"]) == S.MANAGE_GUILD
    subs = {o["name"]: o for o in synced["options"]}
    assert set(subs) == {"word-block", "word-allow", "word-remove", "words", "try", "resource-add",
                         "resource-remove", "resources"}
    for sub in subs.values():
        assert sub["description"] and all(o["description"] for o in sub.get("options", []))

    await set_up(bot, server)
    gid = int(server.guild_id)
    mia = emulator.add_person(server.guild_id, "mia")
    refused = [
        await run(emulator, server, mia, "word-block", word="spoons"),
        await run(emulator, server, mia, "word-allow", word="crap"),
        await run(emulator, server, mia, "word-remove", word="spoons"),
        await run(emulator, server, mia, "words"),
        await run(emulator, server, mia, "try", text="hello"),
        await run(emulator, server, mia, "resource-add"),
        await run(emulator, server, mia, "resource-remove", entry="1"),
        await run(emulator, server, mia, "resources"),
    ]
    assert all(r["content"].startswith("Only organisers can do that.") for r in refused)
    assert not any(r.get("embeds") for r in refused)
    assert await list_words(bot.db, gid) == {"block": [], "allow": []}
    assert await list_entries(bot.db, gid) == []
    # Autocomplete doesn't show the list to them either.
    await add_word(bot.db, bot.clock, gid, "spoons", "block")
    choices = await (await emulator.autocomplete(server.guild_id, mia, "screening word-remove", "word",
                                                 word="sp")).choices()
    assert choices == []

    ola = emulator.add_person(server.guild_id, "ola")
    await emulator.set_roles(server.guild_id, ola, [server.organiser_role_id])
    done = await run(emulator, server, ola, "word-block", word="Flare Juice")
    assert done["content"].startswith("Blocked `flare juice` on this server")
    assert "This server has 2 of 200 words" in done["content"]


async def test_before_setup_only_manage_server_counts(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                      server: Server) -> None:
    gid = server.guild_id
    oscar = emulator.add_person(gid, "oscar")
    await emulator.set_roles(gid, oscar, [server.organiser_role_id])
    refused = await run(emulator, server, oscar, "word-block", word="spoons")
    assert "only members with **Manage Server**" in refused["content"]
    assert await list_words(bot.db, int(gid)) == {"block": [], "allow": []}

    manager_role = emulator.world.add_role(gid, "Admins", S.EVERYONE_DEFAULT | S.MANAGE_GUILD)["id"]
    mona = emulator.add_person(gid, "mona")
    await emulator.set_roles(gid, mona, [manager_role])
    done = await run(emulator, server, mona, "word-block", word="spoons")
    assert done["content"].startswith("Blocked `spoons`")
    assert await list_words(bot.db, int(gid)) == {"block": ["spoons"], "allow": []}


async def test_block_allow_and_try(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    owner = server.owner_id
    before = await run(emulator, server, owner, "try", text="My flare juice is crap today")
    assert "Profanity: **yes**" in before["content"] and "My flare juice is c***" in before["content"]

    await run(emulator, server, owner, "word-block", word="flare juice")
    allowed = await run(emulator, server, owner, "word-allow", word="CRAP")
    assert allowed["content"].startswith("Allowed `crap` on this server")

    preview = await run(emulator, server, owner, "try", text="My flare juice is crap today")
    text = preview["content"]
    assert "only you can see this. Nothing was stored, logged or sent" in text
    assert "Profanity: **yes** (1 found)" in text
    assert "My f**** ***** is crap today" in text, "the blocked phrase is censored, the allowed word passes"
    assert "Crisis language: **none**" in text and "Identifying details: none found" in text
    assert "1 blocked and 1 allowed word(s)" in text

    clean = await run(emulator, server, owner, "try", text="This flare is crap but the juice helps")
    assert "Profanity: **no**: the text is unchanged." in clean["content"]

    # A word moves from allowed to blocked, and back off the list.
    moved = await run(emulator, server, owner, "word-block", word="crap")
    assert "It was allowed before" in moved["content"]
    assert await list_words(bot.db, int(server.guild_id)) == {"block": ["crap", "flare juice"], "allow": []}
    again = await run(emulator, server, owner, "word-block", word="crap")
    assert "was already blocked on this server; nothing changed" in again["content"]

    choices = await (await emulator.autocomplete(server.guild_id, owner, "screening word-remove", "word",
                                                 word="fla")).choices()
    assert choices == [{"name": "flare juice (blocked)", "value": "flare juice"}]
    removed = await run(emulator, server, owner, "word-remove", word="flare juice")
    assert removed["content"].startswith("Removed `flare juice` from the blocked words")
    missing = await run(emulator, server, owner, "word-remove", word="flare juice")
    assert "isn't on this server's list, so nothing changed" in missing["content"]
    after = await run(emulator, server, owner, "try", text="My flare juice is fine")
    assert "Profanity: **no**" in after["content"]


async def test_try_reports_crisis_identifying_details_and_medical_words_pass(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    owner = server.owner_id
    medical = await run(emulator, server, owner, "try", text="The rectal exam hurt and my vagina pain flared")
    assert "Profanity: **no**" in medical["content"] and "Crisis language: **none**" in medical["content"]
    idiom = await run(emulator, server, owner, "try", text="this pain is killing me")
    assert "Crisis language: **none**" in idiom["content"]
    crisis = await run(emulator, server, owner, "try", text="I want to end my life")
    assert "Crisis language: **crisis**, decided by `rule" in crisis["content"]
    assert "(rule `end_my_life`)" in crisis["content"]
    assert not crisis.get("embeds"), "a preview, not the card itself"
    details = await run(emulator, server, owner, "try", text="ring me on 07700 900123 or bob@example.com")
    assert "a phone number `07700 900123`" in details["content"]
    assert "an e-mail address `bob@example.com`" in details["content"]
    # Nothing from a preview is kept.
    assert await list_words(bot.db, int(server.guild_id)) == {"block": [], "allow": []}


async def test_try_text_is_never_logged(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server,
                                        caplog: Any) -> None:
    await set_up(bot, server)
    caplog.set_level("DEBUG")
    secret = "zebra-secret-sentence I want to end my life"
    await run(emulator, server, server.owner_id, "try", text=secret)
    # The bot's own loggers at any level, and everything at INFO and above. (discord.py's gateway
    # logs raw events at DEBUG: a deployment must not run the discord logger at DEBUG.)
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("bot", "cogs") or r.levelno >= logging.INFO]
    assert not any("zebra-secret" in r.getMessage() for r in ours)


async def test_bad_words_and_the_word_limit_are_refused(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                        server: Server) -> None:
    await set_up(bot, server)
    gid, owner = int(server.guild_id), server.owner_id
    short = await run(emulator, server, owner, "word-block", word="x")
    assert "at least 2 characters" in short["content"]
    odd = await run(emulator, server, owner, "word-allow", word="a_b")
    assert "Use letters and numbers only" in odd["content"]
    long = await run(emulator, server, owner, "word-block", word="one two three four five")
    assert "at most 4 words" in long["content"]
    assert await list_words(bot.db, gid) == {"block": [], "allow": []}

    for i in range(MAX_WORDS_PER_SERVER):
        await add_word(bot.db, bot.clock, gid, f"word{i}", "block")
    full = await run(emulator, server, owner, "word-block", word="onemore")
    assert f"already has {MAX_WORDS_PER_SERVER} words" in full["content"]
    words = await list_words(bot.db, gid)
    assert "onemore" not in words["block"] and len(words["block"]) == MAX_WORDS_PER_SERVER

    # The full list still reaches the organiser, in messages Discord accepts.
    ix = await emulator.slash(server.guild_id, owner, "screening words")
    first = await ix.reply()
    assert f"{MAX_WORDS_PER_SERVER} of {MAX_WORDS_PER_SERVER} used" in first["content"]
    await ix.followup(0)
    shown = "\n".join(m["content"] for m in [first, *ix.followups])
    assert all(f"`word{i}`" in shown for i in range(MAX_WORDS_PER_SERVER))
    assert all(len(m["content"]) <= 2000 and m["flags"] & EPHEMERAL for m in [first, *ix.followups])


async def test_words_lists_both_kinds_with_counts_and_limits(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                             server: Server) -> None:
    await set_up(bot, server)
    owner = server.owner_id
    empty = await run(emulator, server, owner, "words")
    assert "0 of 200 used" in empty["content"] and "(0):\nnone" in empty["content"]
    for word in ("spoons", "flare juice"):
        await run(emulator, server, owner, "word-block", word=word)
    await run(emulator, server, owner, "word-allow", word="bloody")
    listing = (await run(emulator, server, owner, "words"))["content"]
    assert "3 of 200 used" in listing
    assert "Blocked, screened on top of the default list** (2):\n`flare juice`, `spoons`" in listing
    assert "Allowed, never screened even if the default list has them** (1):\n`bloody`" in listing
    assert "A word is 2 to 40 characters; a phrase has at most 4 words" in listing


async def test_resource_added_in_the_modal_shows_on_the_card(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                             server: Server) -> None:
    await set_up(bot, server)
    owner = server.owner_id
    ix = await emulator.slash(server.guild_id, owner, "screening resource-add", language="English, Welsh")
    modal = await ix.modal()
    assert len(modal["title"]) <= 45
    inputs = [c for row in modal["components"] for c in row.get("components", [row.get("component")]) if c]
    assert [c["custom_id"] for c in inputs] == ["name", "phone", "text", "web", "hours"]
    assert all(len(c["label"]) <= 45 and c["max_length"] for c in inputs)
    done = await (await emulator.submit_modal(owner, ix, NIGHT_LINE)).reply()
    assert done["flags"] & EPHEMERAL
    assert "Added **Riverside Night Line** to this server's crisis card" in done["content"]
    assert "1 of 10" in done["content"]

    shown = await run(emulator, server, owner, "resources")
    assert "exactly as they see it" in shown["content"] and "United States" in shown["content"]
    card = shown["embeds"][0]
    assert card["fields"][0] == {"name": "Riverside Night Line",
                                 "value": "Call +44 20 7946 0000\n8pm to 8am · English, Welsh", "inline": False}
    official = [f["name"] for f in card["fields"][1:]]
    assert official[0] == region_for("US").services[0].name
    assert "only you can see it" in text_of(shown)

    choices = await (await emulator.autocomplete(server.guild_id, owner, "screening resource-remove", "entry",
                                                 entry="river")).choices()
    assert choices == [{"name": "Riverside Night Line (+44 20 7946 0000)", "value": choices[0]["value"]}]
    removed = await run(emulator, server, owner, "resource-remove", entry=choices[0]["value"])
    assert "Removed **Riverside Night Line** from this server's crisis card" in removed["content"]
    assert await list_entries(bot.db, int(server.guild_id)) == []
    gone = await run(emulator, server, owner, "resource-remove", entry=choices[0]["value"])
    assert "no service like that" in gone["content"]
    card = (await run(emulator, server, owner, "resources"))["embeds"][0]
    assert "Riverside Night Line" not in str(card)

    # A name typed without picking from the list works too.
    await (await add_resource(emulator, server, owner, NIGHT_LINE)).reply()
    by_name = await run(emulator, server, owner, "resource-remove", entry="riverside night line")
    assert by_name["content"].startswith("Removed **Riverside Night Line**")
    assert await list_entries(bot.db, int(server.guild_id)) == []


async def test_bad_resources_and_the_limit_are_refused(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                       server: Server) -> None:
    await set_up(bot, server)
    gid, owner = int(server.guild_id), server.owner_id
    for values, reason in (
        ({"name": "Night Line"}, "Add at least one way to reach the service"),
        ({"name": "Night Line", "phone": "call us"}, "The phone number can only have digits"),
        ({"name": "Night Line", "web": "http://example.org"}, "must start with https://"),
    ):
        refused = await (await add_resource(emulator, server, owner, values)).reply()
        assert reason in refused["content"] and refused["flags"] & EPHEMERAL
    assert await list_entries(bot.db, gid) == []

    # A member who lost the organiser role between opening the modal and submitting it.
    ola = emulator.add_person(server.guild_id, "ola")
    await emulator.set_roles(server.guild_id, ola, [server.organiser_role_id])
    ix = await emulator.slash(server.guild_id, ola, "screening resource-add")
    await ix.modal()
    await emulator.set_roles(server.guild_id, ola, [])
    late = await (await emulator.submit_modal(ola, ix, NIGHT_LINE)).reply()
    assert late["content"].startswith("Only organisers can do that.")
    assert await list_entries(bot.db, gid) == []

    for i in range(MAX_PER_SERVER):
        await add_entry(bot.db, bot.clock, gid, validate_entry(f"Line {i}", phone="123 456"))
    full = await run(emulator, server, owner, "resource-add")
    assert f"already has {MAX_PER_SERVER} of its own services" in full["content"]
    assert len(await list_entries(bot.db, gid)) == MAX_PER_SERVER


async def test_another_server_sees_none_of_this_servers_settings(runner: BotRunner, emulator: DiscordEmulator,
                                                                 server: Server) -> None:
    elsewhere = emulator.build_server("Elsewhere")
    bot = await runner.start()
    await set_up(bot, server)
    await set_up(bot, elsewhere)
    await run(emulator, server, server.owner_id, "word-block", word="flare juice")
    await (await add_resource(emulator, server, server.owner_id, NIGHT_LINE)).reply()

    other = elsewhere.owner_id
    listing = await run(emulator, elsewhere, other, "words")
    assert "0 of 200 used" in listing["content"] and "flare juice" not in listing["content"]
    preview = await run(emulator, elsewhere, other, "try", text="My flare juice")
    assert "Profanity: **no**" in preview["content"]
    card = await run(emulator, elsewhere, other, "resources")
    assert "Riverside" not in text_of(card) and "hasn't added services of its own" in card["content"]
    for path, option, typed in (("word-remove", "word", "fl"), ("resource-remove", "entry", "ri")):
        choices = await (await emulator.autocomplete(elsewhere.guild_id, other, f"screening {path}", option,
                                                     **{option: typed})).choices()
        assert choices == []
    entry_id = (await list_entries(bot.db, int(server.guild_id)))[0][0]
    refused = await run(emulator, elsewhere, other, "resource-remove", entry=str(entry_id))
    assert "no service like that" in refused["content"]
    refused = await run(emulator, elsewhere, other, "word-remove", word="flare juice")
    assert "isn't on this server's list" in refused["content"]
    assert len(await list_entries(bot.db, int(server.guild_id))) == 1
    assert (await list_words(bot.db, int(server.guild_id)))["block"] == ["flare juice"]
