"""bot.members.servers: who is in which server, as the DM features of any process read it."""

from __future__ import annotations

from bot.core.db import Database
from bot.members import servers


async def test_joins_leaves_refreshes_and_the_bot_leaving(db: Database) -> None:
    async with db.transaction() as conn:
        await servers.refresh_server(conn, 10, "Zebra Peers", [1, 2, 2])
        await servers.refresh_server(conn, 20, "apple circle", [1])
        await servers.joined(conn, 30, 1)  # a server whose name no process recorded yet
        await servers.joined(conn, 10, 1)  # again: no second row
    found = await servers.servers_of(db, 1)
    assert [(s.guild_id, s.name) for s in found] == [(30, ""), (20, "apple circle"), (10, "Zebra Peers")]
    assert await servers.is_member(db, 10, 2) and not await servers.is_member(db, 20, 2)
    async with db.transaction() as conn:
        await servers.left(conn, 10, 1)
        await servers.rename_server(conn, 20, "Apple Circle")
        # A refresh replaces the server's whole list: member 2 was missed leaving while it was down.
        await servers.refresh_server(conn, 10, "Zebra Peers", [3])
    assert [s.guild_id for s in await servers.servers_of(db, 1)] == [30, 20]
    assert await servers.server_name(db, 20) == "Apple Circle"
    assert not await servers.is_member(db, 10, 2) and await servers.is_member(db, 10, 3)
    async with db.transaction() as conn:
        await servers.forget_server(conn, 20)
    assert [s.guild_id for s in await servers.servers_of(db, 1)] == [30]
    assert await servers.server_name(db, 20) is None
