"""The circles finder's meeting times, from check-in series (bot.circles.matching.MeetingTimes).

Each circle's next meetings are its active series' occurrences (computed in the series' zone,
DST-safe), with skipped sessions left out and moved ones at their new time. The finder compares
them with the days and parts of the day a member chose, in the member's own zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.checkins.series import list_series
from bot.checkins.sessions import session_on
from bot.core.db import Database


class CheckinMeetingTimes:
    """Circles' upcoming check-ins for /circle find, /circle list and circle cards."""

    available = True

    async def upcoming(
        self, db: Database, guild_id: int, circle_ids: Sequence[int], now: datetime, per_circle: int,
    ) -> dict[int, list[datetime]]:
        wanted = set(circle_ids)
        found: dict[int, list[datetime]] = {}
        for series in await list_series(db.conn, guild_id, statuses=("active",)):
            if series.circle_id not in wanted:
                continue
            times = found.setdefault(series.circle_id, [])
            current = series.rule.next_after(now)
            looked = 0
            while current is not None and looked < per_circle + 8:
                looked += 1
                session = await session_on(db.conn, series, series.rule.nominal(current).date().isoformat())
                if session is None:
                    times.append(current)
                elif session.status == "scheduled" and session.starts_at > now:
                    times.append(session.starts_at)
                if len(times) >= per_circle * 2:
                    break
                current = series.rule.next_after(current)
        return {cid: sorted(times)[:per_circle] for cid, times in found.items() if times}
