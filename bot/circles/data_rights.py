"""The circles' tables in the personal-data registry: what each keeps about a member, and how it goes."""

from __future__ import annotations

from bot.core.db import Conn
from bot.core.personal_data import PersonalTable, delete_and_anonymise, register
from bot.delivery.housekeeping import keep_sent_kind
from bot.delivery.outbox import sent_channel_posts

# Notices naming a member are found through their sent rows at the member's erasure.
keep_sent_kind("circles.role_problem")


async def _erase_consent_history(conn: Conn, guild_id: int, user_id: int) -> int:
    # consent_log is append-only; recording the member's own erasure request first is the only
    # thing its trigger lets a delete through for. The request itself goes with the rows.
    await conn.execute(
        "INSERT INTO consent_erasures (guild_id, user_id, erased_at) VALUES (?, ?, CURRENT_TIMESTAMP)"
        " ON CONFLICT (guild_id, user_id) DO NOTHING",
        (guild_id, user_id),
    )
    cursor = await conn.execute("DELETE FROM consent_log WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
    await conn.execute("DELETE FROM consent_erasures WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
    return cursor.rowcount


async def _erase_server_consent_history(conn: Conn, guild_id: int) -> int:
    # The server is gone past its grace period: every member's consent history goes with it.
    await conn.execute(
        "INSERT INTO consent_erasures (guild_id, user_id, erased_at)"
        " SELECT DISTINCT guild_id, user_id, CURRENT_TIMESTAMP FROM consent_log WHERE guild_id = ?"
        " ON CONFLICT (guild_id, user_id) DO NOTHING",
        (guild_id,),
    )
    cursor = await conn.execute("DELETE FROM consent_log WHERE guild_id = ?", (guild_id,))
    await conn.execute("DELETE FROM consent_erasures WHERE guild_id = ?", (guild_id,))
    return cursor.rowcount


register(PersonalTable(
    "circles", "circles", "circles you created as an organiser", "while the circle exists (archived circles too)",
    "the server's organisers and moderators", ("created_by",),
    erase=delete_and_anonymise("circles", (), ("created_by",)),
))
register(PersonalTable(
    "circle_facilitators", "circles", "circles you facilitate", "while you facilitate them",
    "members of the circle", ("user_id", "added_by"),
    erase=delete_and_anonymise("circle_facilitators", ("user_id",), ("added_by",)),
))
register(PersonalTable(
    "circle_norms", "circles", "norms you wrote as an organiser", "while the circle exists",
    "members of the circle", ("created_by",),
    erase=delete_and_anonymise("circle_norms", (), ("created_by",)),
))
register(PersonalTable(
    "circle_seats", "circles", "your seats in circles and the norms version you agreed to", "while you hold the seat",
    "the circle's facilitators and the server's organisers", ("user_id",),
    grants_roles="SELECT c.role_id FROM circle_seats s JOIN circles c ON c.id = s.circle_id"
                 " WHERE s.guild_id = :guild_id AND c.guild_id = :guild_id AND s.user_id = :user_id",
))
register(PersonalTable(
    "consent_log", "circles", "when you agreed to, left or paused each circle's norms",
    "while the server keeps the bot (a record of consent)", "the server's organisers", ("user_id",),
    erase=_erase_consent_history, erase_guild=_erase_server_consent_history,
))
register(PersonalTable(
    "consent_erasures", "circles",
    "nothing after an erasure (a request to erase consent history, held only while it runs)",
    "only during the erasure", "nobody", ("user_id",),
))
register(PersonalTable(
    "circle_waitlist", "circles", "your places on circle waitlists and seat offers",
    "until you get a seat or leave the list",
    "the circle's facilitators", ("user_id",),
))


async def member_notice_posts(conn: Conn, guild_id: int, user_id: int) -> list[tuple[int, int]]:
    """(channel id, message id) of the moderators' notices that name the member (a circle role the
    bot could not give them); ``cogs/circles`` registers this with bot.privacy.posts."""
    return await sent_channel_posts(conn, guild_id, patterns=[f"circle:%:roleproblem:user:{user_id}:%"])
