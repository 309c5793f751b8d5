"""The circles finder's meeting times, from check-in series (bot.circles.matching.MeetingTimes).

Each circle's next meetings are its active series' occurrences (computed in the series' zone,
DST-safe), with skipped sessions left out and moved ones at their new time. The finder compares
them with the days and parts of the day a member chose, in the member's own zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.checkins.series import list_series
from bot.checkins.sessions import next_starts
from bot.core.db import Database


class CheckinMeetingTimes:
    """Circles' upcoming check-ins for /circle find, /circle list and circle cards."""

    available = True

    async def upcoming(
        self, db: Database, guild_id: int, circle_ids: Sequence[int], now: datetime, per_circle: int,
    ) -> dict[int, list[datetime]]:
        wanted = set(circle_ids)
        found: dict[int, list[datetime]] = {}
        for series in await list_series(db.reader, guild_id, statuses=("active",)):
            if series.circle_id in wanted:
                found.setdefault(series.circle_id, []).extend(
                    await next_starts(db.reader, series, now, per_circle))
        return {cid: sorted(times)[:per_circle] for cid, times in found.items() if times}
