"""Which channels' messages the bot screens for crisis language, slurs and profanity: a circle's
own channels, and the threads under a circle's text channel or stories channel (story threads,
forum posts, circle threads). Answers the case's ``source`` ("chat" or "story_thread")."""

from __future__ import annotations

from bot.circles.records import circle_using_channel, list_circles
from bot.core.db import Database


async def screened_source(db: Database, guild_id: int, channel_id: int, parent_id: int | None) -> str | None:
    """``parent_id``: the thread's parent channel (None for a message outside a thread)."""
    if parent_id is None:
        return "chat" if await circle_using_channel(db, guild_id, channel_id) is not None else None
    for listing in await list_circles(db, guild_id):
        circle = listing.circle
        if parent_id == circle.text_channel_id:
            return "chat"
        if parent_id == circle.stories_channel_id:
            return "story_thread"
    return None
