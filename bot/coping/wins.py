"""Small wins: sharing one (screened, posted through the outbox), celebrating it (one per member),
and the weekly recap in the circle's channel.

The recap is a scheduler kind with one weekly schedule row per circle (created with the circle's
first win, Sundays 18:00 in the server's time zone). Its occurrence key is the outbox key, so each
week's recap is sent exactly once however often the bot wakes. Authors are named in the recap
only when they chose to be (``recap_name``); anonymous wins store no author at all.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from bot.cases.crisis import CrisisResponse
from bot.circles.records import Circle
from bot.coping import crisis, wording
from bot.coping.cards import WinView, recap_card, win_post
from bot.coping.strategies import Shared, check_text
from bot.coping.vetting import vet
from bot.core.clock import Clock, iso_utc, utcnow_iso
from bot.core.db import Conn, Database
from bot.core.errors import UserFacingError
from bot.core.text import display
from bot.delivery import schedules
from bot.delivery.outbox import Outbox
from bot.delivery.recurrence import Recurrence
from bot.delivery.scheduler import Occurrence
from bot.safety.card import server_crisis_card
from bot.screening.profanity import WordSettings

WIN_MAX = 300
OUTBOX_KIND = "coping_win"
RECAP_KIND = "coping_wins_recap"  # owner: the circle
RECAP_OUTBOX_KIND = "coping_recap"
RECAP_WEEKDAY = 6  # Sunday
RECAP_TIME = time(18, 0)
WEEK = timedelta(days=7)


async def ensure_recap_schedule(conn: Conn, clock: Clock, circle: Circle,
                                timezone: str) -> schedules.Schedule | None:
    """The circle's weekly recap schedule, created if missing; returns it when new (to notify the scheduler)."""
    async with conn.execute("SELECT 1 FROM schedules WHERE guild_id = ? AND kind = ? AND owner_id = ?",
                            (circle.guild_id, RECAP_KIND, circle.id)) as cursor:
        if await cursor.fetchone() is not None:
            return None
    now = clock.now()
    rule = Recurrence.weekly(RECAP_TIME, timezone, {RECAP_WEEKDAY}, start=now.date())
    return await schedules.create(conn, now, guild_id=circle.guild_id, kind=RECAP_KIND, owner_id=circle.id,
                                  rule=rule)


async def share_win(
    db: Database, clock: Clock, outbox: Outbox, *, circle: Circle, author_id: int, anonymous: bool,
    recap_name: bool, body: str, timezone: str, words: WordSettings | None = None, server_name: str = "",
) -> tuple[Shared, schedules.Schedule | None]:
    """Screen and post a win; returns the outcome and a newly made recap schedule (or None)."""
    body = check_text(body, WIN_MAX, required=True)
    verdict = await vet(body, words)
    stored_author = None if anonymous else author_id
    if verdict.outcome == "slur":
        return Shared(verdict), None
    level = "crisis" if verdict.outcome == "crisis" else "concern" if verdict.concern else "none"
    card: dict[str, Any] = {} if level == "none" else await server_crisis_card(db, circle.guild_id)
    if level == "crisis":
        async with db.transaction() as conn:
            held = await crisis.respond(
                conn, clock, outbox, level=level, guild_id=circle.guild_id, circle_id=circle.id, source="win",
                user_id=author_id, anonymous=anonymous, text=body, crisis_embed=card, server_name=server_name)
        return Shared(verdict, case_id=held.case_id, response=held), None
    if circle.text_channel_id is None:
        raise UserFacingError(wording.NO_CHANNEL.format(circle=display(circle.name)))
    response: CrisisResponse | None = None
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO coping_wins (guild_id, circle_id, author_id, recap_name, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (circle.guild_id, circle.id, stored_author, int(recap_name and not anonymous), verdict.text,
             utcnow_iso(clock)),
        )
        win_id = int(cursor.lastrowid or 0)
        await outbox.enqueue(conn, key=f"coping:win:{win_id}", kind=OUTBOX_KIND, guild_id=circle.guild_id,
                             target_kind="channel", target_id=circle.text_channel_id,
                             payload=win_post(WinView(win_id, stored_author, verdict.text, 0)).to_payload())
        schedule = await ensure_recap_schedule(conn, clock, circle, timezone)
        if level == "concern":
            response = await crisis.respond(
                conn, clock, outbox, level=level, guild_id=circle.guild_id, circle_id=circle.id, source="win",
                user_id=author_id, anonymous=anonymous, text=verdict.text, crisis_embed=card, server_name=server_name)
    return Shared(verdict, post_id=win_id, case_id=response.case_id if response else None,
                  response=response), schedule


async def get_win(db: Database, guild_id: int, win_id: int) -> tuple[int, WinView]:
    """(circle id, the win) for a win still shown."""
    row = await db.fetchone("SELECT circle_id, id, author_id, body, cheer_count FROM coping_wins"
                            " WHERE guild_id = ? AND id = ? AND removed_at IS NULL", (guild_id, win_id))
    if row is None:
        raise UserFacingError(wording.WIN_GONE)
    return int(row[0]), WinView(*tuple(row)[1:])


async def cheer(db: Database, clock: Clock, guild_id: int, win_id: int, user_id: int) -> tuple[bool, WinView]:
    """One celebrate per member and win; returns (new, the win with its count)."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO coping_cheers (guild_id, win_id, user_id, at)"
            " SELECT guild_id, id, ?, ? FROM coping_wins WHERE guild_id = ? AND id = ? AND removed_at IS NULL"
            " ON CONFLICT DO NOTHING",
            (user_id, utcnow_iso(clock), guild_id, win_id),
        )
        new = cursor.rowcount == 1
        if new:
            await conn.execute("UPDATE coping_wins SET cheer_count = cheer_count + 1 WHERE guild_id = ? AND id = ?",
                               (guild_id, win_id))
    _, win = await get_win(db, guild_id, win_id)
    return new, win


async def wins_between(conn: Conn, guild_id: int, circle_id: int, start: str,
                       end: str) -> list[tuple[str, int | None]]:
    """(text, author id if they chose to be named) of the wins shared in [start, end), oldest first."""
    async with conn.execute(
        "SELECT body, CASE WHEN recap_name = 1 THEN author_id END FROM coping_wins"
        " WHERE guild_id = ? AND circle_id = ? AND removed_at IS NULL AND created_at >= ? AND created_at < ?"
        " ORDER BY created_at, id", (guild_id, circle_id, start, end),
    ) as cursor:
        return [(r[0], r[1]) for r in await cursor.fetchall()]


async def send_recap(conn: Conn, outbox: Outbox, occurrence: Occurrence) -> bool:
    """The scheduler's handler body: enqueue this week's recap (nothing when no wins). True when enqueued."""
    async with conn.execute(
        "SELECT name, text_channel_id, archived_at FROM circles WHERE guild_id = ? AND id = ?",
        (occurrence.guild_id, occurrence.owner_id),
    ) as cursor:
        circle: Any = await cursor.fetchone()
    if circle is None or circle[2] is not None or circle[1] is None:
        return False
    end = occurrence.scheduled_at
    wins = await wins_between(conn, occurrence.guild_id, occurrence.owner_id, iso_utc(end - WEEK), iso_utc(end))
    if not wins:
        return False
    return await outbox.enqueue(conn, key=occurrence.key, kind=RECAP_OUTBOX_KIND, guild_id=occurrence.guild_id,
                                target_kind="channel", target_id=int(circle[1]),
                                payload=recap_card(circle[0], wins).to_payload())
