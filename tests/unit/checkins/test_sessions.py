"""Series and sessions: occurrences in local time across DST, the horizon, skip/move/edit, scoping."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.checkins.attendance import GRACE, session_attendance, voice_moved
from bot.checkins.meeting_times import CheckinMeetingTimes
from bot.checkins.pulse import MIN_ANSWERS, aggregates, answer, ask, close
from bot.checkins.series import Series, SeriesDraft, get_series, insert_series
from bot.checkins.sessions import HORIZON, materialise, sessions_where
from bot.core.clock import FakeClock
from bot.core.db import Database
from bot.delivery import schedules

GUILD, OTHER_GUILD = 111, 222


def draft(**changes: object) -> SeriesDraft:
    values: dict[str, object] = {
        "guild_id": GUILD, "circle_id": 1, "kind": "weekly", "title": "Check-in", "timezone": "Europe/London",
        "local_time": time(19, 0), "weekdays": frozenset({0, 3}), "every_weeks": 1,
        "start_date": date(2026, 11, 23), "duration_minutes": 60, "facilitator_id": None, "open_to_all": False,
        "created_by": 5}
    values.update(changes)
    return SeriesDraft(**values)  # type: ignore[arg-type]


async def make(db: Database, clock: FakeClock, **changes: object) -> Series:
    async with db.transaction() as conn:
        series = await insert_series(conn, clock.now(), draft(**changes))
        await materialise(conn, clock.now(), series)
    return series


def local(series: Series, instant: datetime) -> str:
    return instant.astimezone(series.rule.zone).strftime("%a %Y-%m-%d %H:%M")


async def test_occurrences_keep_local_time_across_dst(clock: FakeClock) -> None:
    series = Series(1, GUILD, 1, "weekly", "t", "America/New_York", time(19, 0), frozenset({0}), 1,
                    date(2027, 3, 1), 60, None, False, "active", None, 5)
    instants = series.next_instants(datetime(2027, 3, 1, tzinfo=UTC), 3)
    assert [i.strftime("%m-%d %H:%M") for i in instants] == ["03-02 00:00", "03-09 00:00", "03-15 23:00"]
    assert all(local(series, i).endswith("19:00") for i in instants), "EST, EST, then EDT from 14 March"


async def test_every_two_weeks_and_a_one_off(db: Database, clock: FakeClock) -> None:
    fortnightly = await make(db, clock, weekdays=frozenset({3}), every_weeks=2)
    days = [i.date().isoformat() for i in fortnightly.next_instants(clock.now(), 3)]
    assert days == ["2026-11-26", "2026-12-10", "2026-12-24"]
    once = await make(db, clock, kind="once", start_date=date(2026, 12, 1), weekdays=frozenset({1}))
    assert [i.isoformat() for i in once.next_instants(clock.now(), 3)] == ["2026-12-01T19:00:00+00:00"]


async def test_the_horizon_keeps_two_upcoming_sessions_and_skipped_ones_do_not_count(
        db: Database, clock: FakeClock) -> None:
    series = await make(db, clock)
    made = await sessions_where(db.conn, GUILD, "series_id = ?", (series.id,))
    assert [s.local_date for s in made] == ["2026-11-23", "2026-11-26"] and HORIZON == 2
    async with db.transaction() as conn:
        await conn.execute("UPDATE checkin_sessions SET status = 'skipped' WHERE local_date = '2026-11-26'")
        assert [s.local_date for s in await materialise(conn, clock.now(), series)] == ["2026-11-30"]
        assert await materialise(conn, clock.now(), series) == [], "making them again makes nothing"
    jobs = await schedules.list_schedules(db.conn, GUILD, kind="checkin_remind")
    # One per offset still to come: for today's 19:00 session the 48 h, 24 h and 12 h times have passed.
    assert len(jobs) == 6 + 9 + 9


async def test_everything_is_scoped_to_its_server(db: Database, clock: FakeClock) -> None:
    series = await make(db, clock)
    assert await get_series(db.conn, OTHER_GUILD, series.id) is None
    assert await sessions_where(db.conn, OTHER_GUILD, "1 = 1") == []
    times = await CheckinMeetingTimes().upcoming(db, OTHER_GUILD, [1], clock.now(), 3)
    assert times == {}
    mine = await CheckinMeetingTimes().upcoming(db, GUILD, [1], clock.now(), 3)
    assert [t.isoformat() for t in mine[1]] == ["2026-11-23T19:00:00+00:00", "2026-11-26T19:00:00+00:00",
                                                "2026-11-30T19:00:00+00:00"]


async def test_attendance_overlaps_the_session_window_with_grace(db: Database, clock: FakeClock) -> None:
    await make(db, clock)
    (session, *_) = await sessions_where(db.conn, GUILD, "1 = 1")
    start = session.starts_at
    tracked = {900}
    moves = [  # (minutes from start, user, left, joined)
        (-30, 1, None, 900), (-5, 2, None, 900), (20, 1, 900, None), (30, 3, None, 901), (35, 3, 901, 900),
        (50, 3, 900, None), (120, 2, 900, None),
    ]
    async with db.transaction() as conn:
        for offset, user, left, joined in moves:
            await voice_moved(conn, start + timedelta(minutes=offset), GUILD, user, left, joined, tracked)
        found = {p.user_id: p.minutes for p in await session_attendance(conn, session, 900, start + timedelta(hours=3))}
    grace = int(GRACE.total_seconds() // 60)
    assert found == {1: 20 + grace, 2: 5 + 60 + grace, 3: 15}


async def test_pulse_answers_lose_the_member_id_and_show_from_three(db: Database, clock: FakeClock) -> None:
    await make(db, clock)
    (session, *_) = await sessions_where(db.conn, GUILD, "1 = 1")
    async with db.transaction() as conn:
        for user in (1, 2, 3):
            assert await ask(conn, session, user)
        assert not await ask(conn, session, 1), "asked once"
        assert await answer(conn, GUILD, session.id, 1, 5)
        assert not await answer(conn, GUILD, session.id, 1, 1), "answered once"
        assert not await answer(conn, OTHER_GUILD, session.id, 2, 3), "not from another server"
        assert await answer(conn, GUILD, session.id, 2, None)
        assert not await answer(conn, GUILD, session.id, 3, 9)
        assert await close(conn, session) == 1
        assert await aggregates(conn, GUILD, 1) == [], f"under {MIN_ANSWERS} answers nothing shows"
        assert not await answer(conn, GUILD, session.id, 3, 4), "the window is closed"


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Australia/Sydney"])
async def test_a_time_in_the_spring_gap_moves_forward(db: Database, clock: FakeClock, zone: str) -> None:
    series = Series(1, GUILD, 1, "weekly", "t", zone, time(2, 30), frozenset({6}), 1, date(2026, 1, 1), 60, None,
                    False, "active", None, 5)
    gap_day = {"Europe/Berlin": datetime(2027, 3, 27, tzinfo=UTC),
               "Australia/Sydney": datetime(2026, 10, 3, tzinfo=UTC)}[zone]
    (instant,) = series.next_instants(gap_day, 1)
    assert local(series, instant).endswith("03:00"), "02:30 does not exist that night: first valid time"
