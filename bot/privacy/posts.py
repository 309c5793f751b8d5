"""Discord posts that carry a member's own words, found at erasure so they can be deleted too, and
threads named after the member, found so they can be renamed.

A capability whose rows are also posts in a channel (coping's named strategies and wins) registers
a lookup here: ``register_post_lookup(name, lookup)``, where ``lookup(conn, guild_id, user_id)``
returns the (channel id, message id) of the member's posts in that server. ``erase_member`` calls
every lookup inside its transaction, before any row is erased (afterwards nothing links a post to
the member), and the privacy cog deletes the posts from Discord after the commit.

Threads work the same way: ``register_thread_lookup(name, lookup)``, where ``lookup(conn, guild_id,
user_id)`` returns (thread id, neutral name) for each thread whose title names the member (a
reach-out's private thread); the privacy cog renames them after the commit.

bot.privacy imports no capability, and the personal-data registry (bot.core.personal_data) has no
such hook, so the capability's *cog* registers its lookup (cogs may import bot.privacy).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.db import Conn

PostLookup = Callable[[Conn, int, int], Awaitable[list[tuple[int, int]]]]
ThreadLookup = Callable[[Conn, int, int], Awaitable[list[tuple[int, str]]]]

_LOOKUPS: dict[str, PostLookup] = {}
_THREAD_LOOKUPS: dict[str, ThreadLookup] = {}


def register_post_lookup(name: str, lookup: PostLookup) -> None:
    """Declare where a capability's posts of a member are (registering a name again replaces it)."""
    _LOOKUPS[name] = lookup


def post_lookups() -> dict[str, PostLookup]:
    return dict(_LOOKUPS)


async def member_posts(conn: Conn, guild_id: int, user_id: int) -> list[tuple[int, int]]:
    """Every registered capability's posts of the member in this server, without repeats."""
    found: dict[tuple[int, int], None] = {}
    for lookup in _LOOKUPS.values():
        for post in await lookup(conn, guild_id, user_id):
            found[post] = None
    return list(found)


def register_thread_lookup(name: str, lookup: ThreadLookup) -> None:
    """Declare where a capability's threads titled with a member's name are (again: replaces)."""
    _THREAD_LOOKUPS[name] = lookup


async def member_threads(conn: Conn, guild_id: int, user_id: int) -> dict[int, str]:
    """Thread id -> the neutral name to give it, for every thread in this server named after the member."""
    found: dict[int, str] = {}
    for lookup in _THREAD_LOOKUPS.values():
        for thread_id, name in await lookup(conn, guild_id, user_id):
            found.setdefault(thread_id, name)
    return found
