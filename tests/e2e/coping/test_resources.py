"""Resources end to end: organisers curate the server's list, facilitators their circle's, members read
them with the crisis card always first; bad input changes nothing; every change is audited."""

from __future__ import annotations

from bot.circles.records import add_facilitator
from bot.client import PeerCirclesBot
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import create_circle
from tests.e2e.coping.helpers import circle_with, slash

EPHEMERAL = 1 << 6


async def test_resources_are_curated_in_order_and_shown_after_the_crisis_card(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, (ann, fay) = await circle_with(bot, emulator, server, "ann", "fay")
    await add_facilitator(bot.db, bot.clock, circle, int(fay), int(server.owner_id))
    owner = server.owner_id

    empty = await slash(emulator, server, ann, "resources")
    assert empty["flags"] & EPHEMERAL
    assert "988" in text_of({"embeds": empty["embeds"][:1]}), "the crisis card comes first even with no resources"
    assert "No resources have been added yet" in text_of(empty)

    added = await slash(emulator, server, owner, "resources-admin add", title="Pain toolkit",
                        url="https://www.paintoolkit.org", note="Twelve practical tools")
    assert "resource #" in added["content"] and "for the whole server" in added["content"]
    await slash(emulator, server, owner, "resources-admin add", title="Mind", url="https://www.mind.org.uk")
    circle_added = await slash(emulator, server, fay, "resources-admin add", title="Our pacing sheet",
                               url="https://example.org/pacing.pdf", circle=str(circle.id))
    assert "for Fibro Friends" in circle_added["content"]

    # Members and facilitators may not change the server's list; members not a circle's.
    refused = await slash(emulator, server, fay, "resources-admin add", title="X", url="https://example.org")
    assert "Only organisers" in refused["content"]
    refused = await slash(emulator, server, ann, "resources-admin add", title="X", url="https://example.org",
                          circle=str(circle.id))
    assert "Only the server's organisers and circle facilitators" in refused["content"]
    for bad in ("javascript:alert(1)", "example.org", "https://exa mple.org", "https://" + "a" * 600 + ".org"):
        answer = await slash(emulator, server, owner, "resources-admin add", title="Bad", url=bad)
        assert "full web address" in answer["content"], bad
    profane = await slash(emulator, server, owner, "resources-admin add", title="Shit list", url="https://example.org")
    assert "free of swearing" in profane["content"]
    assert await bot.db.fetchval("SELECT COUNT(*) FROM coping_resources") == 3, "bad input changed nothing"

    ids = {r[1]: r[0] for r in await bot.db.fetchall("SELECT id, title FROM coping_resources")}
    choices = await (await emulator.autocomplete(server.guild_id, owner, "resources-admin remove", "resource",
                                                 resource="mind")).choices()
    assert choices == [{"name": f"#{ids['Mind']} Mind", "value": ids["Mind"]}]
    moved = await slash(emulator, server, owner, "resources-admin reorder", resource=ids["Mind"], position=1)
    assert "position 1" in moved["content"]

    shown = await slash(emulator, server, ann, "resources", circle=str(circle.id))
    crisis, listing = shown["embeds"]
    assert "988" in text_of({"embeds": [crisis]}), "the crisis card always comes first"
    text = text_of({"embeds": [listing]})
    assert text.index("Mind") < text.index("Pain toolkit") < text.index("Our pacing sheet")
    assert "[Pain toolkit](https://www.paintoolkit.org)" in text, "facilitators' links are real links"

    refused = await slash(emulator, server, ann, "resources-admin remove", resource=ids["Our pacing sheet"])
    assert "Only the server's organisers and circle facilitators" in refused["content"]
    gone = await slash(emulator, server, fay, "resources-admin remove", resource=ids["Our pacing sheet"])
    assert "Removed resource" in gone["content"]
    missing = await slash(emulator, server, fay, "resources-admin remove", resource=9999)
    assert "can't find resource #9999" in missing["content"]

    trail = await bot.db.fetchall("SELECT actor_id, action FROM coping_audit ORDER BY id")
    assert [tuple(r) for r in trail] == [
        (int(owner), "resource_add"), (int(owner), "resource_add"), (int(fay), "resource_add"),
        (int(owner), "resource_move"), (int(fay), "resource_remove")]


async def test_resources_of_one_server_are_not_seen_from_another(
        runner: BotRunner, emulator: DiscordEmulator, server: Server) -> None:
    other = emulator.build_server("Elsewhere")
    bot = await runner.start()
    await circle_with(bot, emulator, server)
    await slash(emulator, server, server.owner_id, "resources-admin add", title="Ours", url="https://example.org")
    rid = await bot.db.fetchval("SELECT id FROM coping_resources")
    shown = await slash(emulator, other, other.owner_id, "resources")
    assert "Ours" not in text_of(shown)
    refused = await slash(emulator, other, other.owner_id, "resources-admin remove", resource=rid)
    assert "can't find resource" in refused["content"]


async def test_a_member_who_curates_nothing_is_refused_before_any_lookup(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    """Permission first: a plain member learns nothing about which resources exist, and a facilitator
    of one circle may not change another circle's list."""
    circle, (ann, fay) = await circle_with(bot, emulator, server, "ann", "fay")
    second = await create_circle(emulator, bot, server, "Migraine Mates", capacity=10)
    await add_facilitator(bot.db, bot.clock, second, int(fay), int(server.owner_id))
    added = await slash(emulator, server, server.owner_id, "resources-admin add", title="Our sheet",
                        url="https://example.org/sheet", circle=str(circle.id))
    resource_id = int(added["content"].split("resource #")[1].split(" ")[0])

    for command, options in (("resources-admin remove", {"resource": resource_id}),
                             ("resources-admin remove", {"resource": 9999}),
                             ("resources-admin reorder", {"resource": 9999, "position": 1}),
                             ("resources-admin add", {"title": "X", "url": "https://example.org"})):
        refused = await slash(emulator, server, ann, command, **options)
        assert refused["flags"] & EPHEMERAL
        assert "Only the server's organisers and circle facilitators" in refused["content"], (command, options)
        assert "can't find" not in refused["content"]

    not_hers = await slash(emulator, server, fay, "resources-admin remove", resource=resource_id)
    assert "Only this circle's facilitators" in not_hers["content"], "facilitating one circle is not every circle"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM coping_resources") == 1
