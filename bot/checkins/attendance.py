"""Who came to a session, from voice-state changes: time spent in circle voice channels.

``checkin_voice`` keeps only ids and times (who, which channel, joined, left), only for circles'
voice channels, for ``retention_attendance_days`` (90 by default; the privacy capability's daily
job deletes older rows). A session's attendance is the time each member spent in the circle's
voice channel during the session, with ``GRACE`` either side. It is shown only to that circle's
facilitators and the server's organisers, and counts who came, never who missed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.checkins.sessions import Session, sessions_where
from bot.core.clock import iso_utc, parse_iso_utc
from bot.core.db import Conn, read_all

GRACE = timedelta(minutes=10)
WEEKS_VIEW = timedelta(weeks=4)


@dataclass(frozen=True)
class Presence:
    user_id: int
    minutes: int


async def voice_moved(conn: Conn, now: datetime, guild_id: int, user_id: int,
                      left: int | None, joined: int | None, tracked: set[int]) -> None:
    """A member's voice channel changed from ``left`` to ``joined`` (either may be None); only
    ``tracked`` channels (circles' voice channels) are recorded."""
    stamp = iso_utc(now)
    # Close whatever is open for the member: a missed leave (e.g. while the bot was down) ends here too.
    await conn.execute("UPDATE checkin_voice SET left_at = ? WHERE guild_id = ? AND user_id = ? AND left_at IS NULL",
                       (stamp, guild_id, user_id))
    if joined is not None and joined in tracked:
        await conn.execute("INSERT INTO checkin_voice (guild_id, channel_id, user_id, joined_at) VALUES (?, ?, ?, ?)",
                           (guild_id, joined, user_id, stamp))


async def reconcile_voice(conn: Conn, now: datetime, guild_id: int, present: dict[int, int],
                          tracked: set[int]) -> tuple[int, int]:
    """Bring the open ``checkin_voice`` rows in line with who is in voice now (``present``: user ->
    channel), as seen when the bot becomes ready: after downtime a member who left meanwhile must
    not count as present at later sessions, and one already sitting in a circle's channel must.
    A missed leave is closed now (when it happened is unknown; the time the bot was down may be
    counted, never a later session). Returns (closed, opened)."""
    stamp = iso_utc(now)
    open_rows = await read_all(
        conn, "SELECT id, user_id, channel_id FROM checkin_voice WHERE guild_id = ? AND left_at IS NULL", (guild_id,))
    still = set()
    closed = 0
    for row_id, user_id, channel_id in open_rows:
        if present.get(user_id) == channel_id and channel_id in tracked and (user_id, channel_id) not in still:
            still.add((user_id, channel_id))
            continue
        await conn.execute("UPDATE checkin_voice SET left_at = ? WHERE guild_id = ? AND id = ?",
                           (stamp, guild_id, row_id))
        closed += 1
    opened = 0
    for user_id, channel_id in present.items():
        if channel_id in tracked and (user_id, channel_id) not in still:
            await conn.execute("INSERT INTO checkin_voice (guild_id, channel_id, user_id, joined_at)"
                               " VALUES (?, ?, ?, ?)", (guild_id, channel_id, user_id, stamp))
            opened += 1
    return closed, opened


async def session_attendance(conn: Conn, session: Session, channel_id: int,
                             now: datetime) -> list[Presence]:
    """Minutes each member spent in ``channel_id`` during the session window, most first."""
    start, end = session.starts_at - GRACE, min(session.ends_at + GRACE, now)
    rows = await read_all(
        conn, "SELECT user_id, joined_at, left_at FROM checkin_voice WHERE guild_id = ? AND channel_id = ?"
        " AND joined_at < ? AND (left_at IS NULL OR left_at > ?)",
        (session.guild_id, channel_id, iso_utc(end), iso_utc(start)),
    )
    seconds: dict[int, float] = defaultdict(float)
    for user_id, joined, left in rows:
        begin = max(parse_iso_utc(joined), start)
        finish = min(parse_iso_utc(left) if left else now, end)
        if finish > begin:
            seconds[user_id] += (finish - begin).total_seconds()
    found = [Presence(u, max(1, round(s / 60))) for u, s in seconds.items() if s > 0]
    return sorted(found, key=lambda p: (-p.minutes, p.user_id))


@dataclass(frozen=True)
class WeeksLine:
    user_id: int
    sessions: int
    minutes: int


async def four_weeks(conn: Conn, guild_id: int, circle_id: int, channel_id: int,
                     now: datetime) -> tuple[int, list[WeeksLine]]:
    """Over the circle's sessions of the last 4 weeks: how many there were, and per member who came
    how many they came to and for how long."""
    held = await sessions_where(conn, guild_id, "circle_id = ? AND status IN ('started', 'completed')"
                                " AND starts_at >= ? AND starts_at <= ?",
                                (circle_id, iso_utc(now - WEEKS_VIEW), iso_utc(now)))
    count: dict[int, int] = defaultdict(int)
    minutes: dict[int, int] = defaultdict(int)
    for session in held:
        for presence in await session_attendance(conn, session, channel_id, now):
            count[presence.user_id] += 1
            minutes[presence.user_id] += presence.minutes
    lines = [WeeksLine(u, count[u], minutes[u]) for u in count]
    return len(held), sorted(lines, key=lambda w: (-w.sessions, -w.minutes, w.user_id))
