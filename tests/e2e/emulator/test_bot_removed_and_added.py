"""The emulator removes the bot from a guild (GUILD_DELETE without unavailable) and adds it back
(GUILD_CREATE without unavailable), as Discord does; the real client sees a remove and a join."""

from __future__ import annotations

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.server import DiscordEmulator


async def test_remove_then_add_the_bot(emulator: DiscordEmulator, server: Server, bot: PeerCirclesBot) -> None:
    gid = int(server.guild_id)
    assert bot.get_guild(gid) is not None
    removed: list[int] = []
    joined: list[int] = []

    async def on_guild_remove(guild: object) -> None:
        removed.append(guild.id)  # type: ignore[attr-defined]

    async def on_guild_join(guild: object) -> None:
        joined.append(guild.id)  # type: ignore[attr-defined]

    bot.add_listener(on_guild_remove)
    bot.add_listener(on_guild_join)
    await emulator.remove_bot(server.guild_id)
    await emulator.wait_until(lambda: removed, 5, "on_guild_remove")
    assert bot.get_guild(gid) is None and removed == [gid]
    assert server.guild_id not in emulator.world.guilds_with_bot()

    await emulator.add_bot(server.guild_id)
    await emulator.wait_until(lambda: joined, 5, "on_guild_join")
    guild = bot.get_guild(gid)
    assert guild is not None and joined == [gid]
    assert guild.me is not None and any(r.managed for r in guild.me.roles)
