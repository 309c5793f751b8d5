"""What the logs say about members: the event and the circle, or the member, never both together
(a reader could tell which condition someone lives with). Read through the real formatter, every logger."""

from __future__ import annotations

import io
import re

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.server import DiscordEmulator

from .helpers import create_circle, join, set_up


def circle_marks(circle_id: int, *ids: int | None) -> list[re.Pattern[str]]:
    """Ways a log line can name a circle: its id as a field, its role or channel ids."""
    marks = [re.compile(rf"circle(_id)?[= ]{circle_id}\b")]
    marks += [re.compile(rf"\b{i}\b") for i in ids if i]
    return marks


async def test_no_log_line_names_a_member_together_with_a_circle(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, written_logs: io.StringIO) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ana = await emulator.member_join(server.guild_id, "ana")
    await join(emulator, server, ana, circle)
    ix = await emulator.slash(server.guild_id, ana, "circle leave", circle=str(circle.id))
    await ix.reply()
    lines = written_logs.getvalue().splitlines()
    assert any("circle joined" in line for line in lines), "the join itself is logged (the test can see logs)"
    marks = circle_marks(circle.id, circle.role_id, circle.text_channel_id, circle.voice_channel_id)
    both = [line for line in lines if re.search(rf"\b{ana}\b", line) and any(m.search(line) for m in marks)]
    assert both == []
