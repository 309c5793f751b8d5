"""Receipts (retract, status), the story's thread (anonymous author reply, Sending support)."""

from __future__ import annotations

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer
from tests.e2e.stories.helpers import reply_as_author, share, story_threads, story_world, wait_published


async def slash(emulator: DiscordEmulator, server: Server, user: str, path: str, channel_id: str | None = None,
                **options: object) -> dict:
    return await (await emulator.slash(server.guild_id, user, path, channel_id=channel_id, **options)).reply()


async def test_status_and_retract_with_the_receipt_and_a_reused_receipt_is_refused(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    _, receipt = await share(emulator, server, world.author, world.circle)
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    status = await slash(emulator, server, world.author, "story status", receipt=receipt.lower().replace("-", " "))
    assert f"is published in <#{thread['id']}>" in status["content"]
    assert "No one has pressed Sending support yet" in status["content"]
    wrong = await slash(emulator, server, world.author, "story status", receipt="ABCD-EFGH-JKLM-NPQR")
    assert "can't find a story with that receipt" in wrong["content"]

    done = await slash(emulator, server, world.author, "story retract", receipt=receipt)
    assert "taken down and its data deleted" in done["content"]
    assert story_threads(emulator, world.circle) == [], "the post and its thread are gone"
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0
    assert await bot.db.fetchval("SELECT action FROM story_audit ORDER BY id DESC LIMIT 1") == "retracted"
    assert await bot.db.fetchval("SELECT actor_id FROM story_audit WHERE action = 'retracted'") is None
    again = await slash(emulator, server, world.author, "story retract", receipt=receipt)
    assert "can't find a story with that receipt" in again["content"]
    garbage = await slash(emulator, server, world.author, "story retract", receipt="not a receipt")
    assert "can't find a story with that receipt" in garbage["content"]


async def test_the_author_replies_anonymously_in_the_thread_recognised_by_the_one_way_key(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    await share(emulator, server, world.author, world.circle)
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    post = emulator.world.messages[thread["id"]][thread["id"]]
    button = next(c for row in post["components"] for c in row["components"] if c["label"] == "Reply as the author")
    assert button["custom_id"] == "pc:storyreply:n1", "the per-server number, never the global id"
    sent = await reply_as_author(emulator, world.author, thread, "Thank you all, it means a lot.")
    assert "posted as **Story author**" in sent["content"]

    def replies() -> list[dict]:
        return [m for m in emulator.world.messages.get(thread["id"], {}).values() if m["id"] != thread["id"]
                and not int(m.get("flags") or 0) & 64]

    await emulator.wait_until(lambda: replies(), 5, "the author's reply")
    (posted,) = replies()
    assert "Story author" in text_of(posted) and "Thank you all" in text_of(posted)
    assert world.author not in str(posted)
    other = await (await emulator.click(world.reader, post, label="Reply as the author")).reply()
    assert "Only the story's author" in other["content"] and other["flags"] & 64
    outside = await slash(emulator, server, world.author, "story reply", channel_id=server.general_id)
    assert "works inside a story's thread" in outside["content"]
    # /story reply in the thread opens the same form (for posts made before the button existed).
    form = await emulator.slash(server.guild_id, world.author, "story reply", channel_id=thread["id"])
    assert (await form.modal())["custom_id"] == "pc:storyreplyform:n1"
    again = await (await emulator.submit_modal(world.author, form, {"reply": "And thank you again."})).reply()
    assert "posted as **Story author**" in again["content"]
    await emulator.wait_until(lambda: len(replies()) == 2, 5, "the second reply")


async def test_sending_support_counts_unique_supporters_and_the_author_sees_the_count(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    _, receipt = await share(emulator, server, world.author, world.circle)
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    post = emulator.world.messages[thread["id"]][thread["id"]]
    first = await answer(await emulator.click(world.reader, post, label="Sending support"))
    assert "1 member is sending support" in first["content"]
    again = await answer(await emulator.click(world.reader, post, label="Sending support"))
    assert "already sending support" in again["content"]
    third = await emulator.member_join(server.guild_id, "cat")
    await answer(await emulator.click(third, post, label="Sending support"))
    status = await slash(emulator, server, world.author, "story status", receipt=receipt)
    assert "2 members are sending you support" in status["content"]
    keys = [r[0] for r in await bot.db.fetchall("SELECT supporter_key FROM story_support")]
    assert len(keys) == 2 and all(world.reader not in k and third not in k and len(k) == 64 for k in keys)
