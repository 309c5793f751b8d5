"""/privacy export with receipts: the member's anonymous stories appear only when they paste them."""

from __future__ import annotations

from typing import Any

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.privacy.helpers import export_of
from tests.e2e.stories.helpers import share, starter, story_world, wait_published


async def _export(emulator: DiscordEmulator, server: Server, user: str, **options: str) -> dict[str, Any]:
    ix = await emulator.slash(server.guild_id, user, "privacy export", **options)
    await ix.reply()
    return export_of(emulator, ix.record.token)


async def test_export_with_a_receipt_includes_the_story_and_without_it_nothing(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    _, receipt = await share(emulator, server, world.author, world.circle, title="Tea in the garden")
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    supported = await emulator.click(world.reader, starter(emulator, thread),
                                     label="Sending support")
    await supported.reply()

    without = await _export(emulator, server, world.author)
    assert without["anonymous_by_receipt"] == {}, "no receipt, no story"
    assert "Tea in the garden" not in str(without)

    pasted = receipt.lower()  # as a member might type it
    document = await _export(emulator, server, world.author, receipts=f"{pasted} NOT-A-RECEIPT")
    (row,) = document["anonymous_by_receipt"]["stories"]
    assert row["number"] == 1 and row["title"] == "Tea in the garden" and row["state"] == "published"
    assert row["support_count"] == 1 and row["created_at"] and row["published_at"]
    assert set(row) == {"number", "title", "content_warning", "body", "state", "decline_reason", "created_at",
                        "published_at", "support_count"}, "no keys, fingerprints or other members"
    assert world.reader not in str(document["anonymous_by_receipt"])
