"""The queue message reflects the case's state as a whole, its first line included: only an open
case asks to be claimed. A takeover names the moderator (a mention), never a raw user id."""

from __future__ import annotations

import re

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import queue_message, ready, wait_queue_message
from tests.e2e.cases.test_queue import a_report


async def test_claimed_and_resolved_cards_stop_asking_to_be_claimed_and_a_takeover_names_the_moderator(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    mod = await ready(bot, emulator, server)
    other = await emulator.member_join(server.guild_id, "max-moderator")
    await emulator.set_roles(server.guild_id, other, [server.moderator_role_id])
    case, _ann, _bob = await a_report(emulator, server, bot, category="worried")
    queued = await wait_queue_message(emulator, server, case.number)
    assert "please claim it" in queued["content"], "an open urgent case asks"

    await (await emulator.click(mod, queued, label="Claim")).reply()
    await emulator.wait_until(lambda: f"Claimed by <@{mod}>" in text_of(queue_message(emulator, server, case.number)
                                                                        or {}),
                              5, "the claim shown")
    claimed = queue_message(emulator, server, case.number) or {}
    assert "please claim" not in text_of(claimed), "the headline follows the state"
    assert f"claimed by <@{mod}>" in claimed["content"]

    took = await (await emulator.slash(server.guild_id, other, "case claim", id=case.number)).reply()
    assert f"taken over case #{case.number} from <@{mod}>" in took["content"]
    shown = text_of(await (await emulator.slash(server.guild_id, other, "case show", id=case.number)).reply())
    assert f"took over from <@{mod}>" in shown
    assert not re.search(r"took over from \d", shown) and "\u200b" not in shown.split("took over from")[1][:4]
    await emulator.wait_until(lambda: f"claimed by <@{other}>" in (queue_message(emulator, server, case.number) or {})
                              .get("content", ""), 5, "the new claimer in the headline")

    ix = await emulator.click(other, queue_message(emulator, server, case.number) or {}, label="Resolve")
    await (await emulator.submit_modal(other, ix, {"outcome": "checked in, safe"})).reply()
    await emulator.wait_until(lambda: "is resolved" in (queue_message(emulator, server, case.number) or {})
                              .get("content", ""), 5, "the resolved headline")
    resolved = queue_message(emulator, server, case.number) or {}
    assert "please claim" not in text_of(resolved) and "Resolved: checked in, safe" in text_of(resolved)
