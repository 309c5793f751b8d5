"""The post-session pulse: one tap, 1 to 5 or skip, kept anonymous.

While a session's answer window is open, ``checkin_pulse_pending`` holds who was asked (so nobody
answers twice) and their answer. When the window closes, the answers move to
``checkin_pulse_answers`` with no member id and the pending rows are deleted. Aggregates show
only sessions with at least ``MIN_ANSWERS`` answers, so no one answer can be singled out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.checkins.sessions import Session
from bot.core.db import Conn, read_all

MIN_ANSWERS = 3


async def ask(conn: Conn, session: Session, user_id: int) -> bool:
    """Record that a member is asked; False if they already were."""
    cursor = await conn.execute(
        "INSERT INTO checkin_pulse_pending (guild_id, session_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (session.guild_id, session.id, user_id))
    return cursor.rowcount == 1


async def answer(conn: Conn, guild_id: int, session_id: int, user_id: int, score: int | None) -> bool:
    """Store an answer (None: skipped) while the window is open; False when closed or already answered."""
    if score is not None and not 1 <= score <= 5:
        return False
    cursor = await conn.execute(
        "UPDATE checkin_pulse_pending SET score = ?, answered = 1"
        " WHERE guild_id = ? AND session_id = ? AND user_id = ? AND answered = 0",
        (score, guild_id, session_id, user_id))
    return cursor.rowcount == 1


async def close(conn: Conn, session: Session) -> int:
    """End the window: answers become anonymous rows, the pending rows go. Returns answers kept."""
    cursor = await conn.execute(
        "INSERT INTO checkin_pulse_answers (guild_id, circle_id, session_id, score)"
        " SELECT guild_id, ?, session_id, score FROM checkin_pulse_pending"
        " WHERE guild_id = ? AND session_id = ? AND score IS NOT NULL ORDER BY score",
        (session.circle_id, session.guild_id, session.id))
    kept = cursor.rowcount
    await conn.execute("DELETE FROM checkin_pulse_pending WHERE guild_id = ? AND session_id = ?",
                       (session.guild_id, session.id))
    return kept


@dataclass(frozen=True)
class PulseLine:
    session_id: int
    starts_at: str
    count: int
    mean: float
    spread: tuple[int, int, int, int, int]  # answers per score 1..5


async def aggregates(conn: Conn, guild_id: int, circle_id: int, limit: int = 12) -> list[PulseLine]:
    """Per session (newest last), only sessions with at least MIN_ANSWERS answers."""
    rows = await read_all(
        conn, "SELECT a.session_id, s.starts_at, a.score FROM checkin_pulse_answers a"
        " JOIN checkin_sessions s ON s.id = a.session_id AND s.guild_id = a.guild_id"
        " WHERE a.guild_id = ? AND a.circle_id = ? ORDER BY s.starts_at",
        (guild_id, circle_id),
    )
    by_session: dict[int, tuple[str, Counter[int]]] = {}
    for session_id, starts_at, score in rows:
        by_session.setdefault(session_id, (starts_at, Counter()))[1][score] += 1
    lines = []
    for session_id, (starts_at, counts) in by_session.items():
        total = sum(counts.values())
        if total < MIN_ANSWERS:
            continue
        mean = sum(s * n for s, n in counts.items()) / total
        spread = (counts[1], counts[2], counts[3], counts[4], counts[5])
        lines.append(PulseLine(session_id, starts_at, total, mean, spread))
    return lines[-limit:]
