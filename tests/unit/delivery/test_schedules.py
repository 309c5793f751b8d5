"""Schedule rows: create/update/delete/list, next-fire bookkeeping, guild scoping."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.core.db import Database
from bot.delivery import schedules
from bot.delivery.recurrence import Recurrence, RecurrenceError

GUILD = 111
OTHER_GUILD = 222
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)



def daily(hour: int, zone: str = "UTC", start: date = date(2026, 11, 1)) -> Recurrence:
    return Recurrence.daily(time(hour, 0), zone, start=start)


async def test_create_sets_the_first_fire_at_or_after_now(db: Database) -> None:
    async with db.transaction() as conn:
        later_today = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=7, rule=daily(10))
        right_now = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=7, rule=daily(9))
        passed = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=7, rule=daily(8))
    assert later_today.next_fire_at == utc(2026, 11, 23, 10)
    assert right_now.next_fire_at == utc(2026, 11, 23, 9)
    assert passed.next_fire_at == utc(2026, 11, 24, 8)
    assert later_today.active and later_today.fired_count == 0 and later_today.version == 0


async def test_every_rule_survives_the_round_trip_through_the_database(db: Database) -> None:
    rules = [
        Recurrence.once(utc(2026, 12, 1, 12, 30, 15)),
        Recurrence.daily(time(7, 45), "America/New_York", start=date(2026, 11, 2), every_days=2,
                         until=date(2027, 1, 1)),
        Recurrence.weekly(time(18, 0), "Europe/Berlin", {0, 3, 6}, start=date(2026, 11, 2), every_weeks=2),
    ]
    async with db.transaction() as conn:
        for rule in rules:
            created = await schedules.create(conn, NOW, guild_id=GUILD, kind="checkin", owner_id=1, rule=rule,
                                             payload={"series_id": 5})
            loaded = await schedules.get(conn, GUILD, created.id)
            assert loaded is not None and loaded.rule == rule and loaded.payload == {"series_id": 5}
            assert loaded.next_fire_at == rule.next_after(NOW - timedelta(seconds=1))


async def test_a_one_off_in_the_past_keeps_its_instant_for_the_missed_policy(db: Database) -> None:
    async with db.transaction() as conn:
        s = await schedules.create(conn, NOW, guild_id=GUILD, kind="repage", owner_id=3,
                                   rule=Recurrence.once(NOW - timedelta(minutes=2)))
    assert s.next_fire_at == NOW - timedelta(minutes=2)


async def test_schedules_of_one_server_are_invisible_to_another(db: Database) -> None:
    async with db.transaction() as conn:
        s = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=7, rule=daily(10))
        await schedules.create(conn, NOW, guild_id=OTHER_GUILD, kind="goal_ping", owner_id=7, rule=daily(10))
        assert await schedules.get(conn, OTHER_GUILD, s.id) is None
        assert await schedules.update(conn, NOW, OTHER_GUILD, s.id, rule=daily(11)) is None
        assert await schedules.set_active(conn, NOW, OTHER_GUILD, s.id, False) is None
        assert not await schedules.delete(conn, OTHER_GUILD, s.id)
        assert [x.id for x in await schedules.list_schedules(conn, GUILD)] == [s.id]
        unchanged = await schedules.get(conn, GUILD, s.id)
    assert unchanged == s


async def test_list_filters_by_kind_and_owner(db: Database) -> None:
    async with db.transaction() as conn:
        a = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=1, rule=daily(10))
        b = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=2, rule=daily(10))
        c = await schedules.create(conn, NOW, guild_id=GUILD, kind="checkin", owner_id=1, rule=daily(10))
        assert [s.id for s in await schedules.list_schedules(conn, GUILD, kind="goal_ping")] == [a.id, b.id]
        assert [s.id for s in await schedules.list_schedules(conn, GUILD, owner_id=1)] == [a.id, c.id]
        assert await schedules.delete_for_owner(conn, GUILD, "goal_ping", 1) == 1
        assert [s.id for s in await schedules.list_schedules(conn, GUILD)] == [b.id, c.id]


async def test_update_restarts_the_rule_from_now_and_bumps_the_version(db: Database) -> None:
    async with db.transaction() as conn:
        s = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=7, rule=daily(10))
        moved = await schedules.update(conn, NOW, GUILD, s.id, rule=daily(8, "Europe/Berlin"))
        assert moved is not None
        assert moved.next_fire_at == utc(2026, 11, 24, 7)  # 08:00 CET tomorrow; today's has passed
        assert moved.version == s.version + 1
        relabelled = await schedules.update(conn, NOW, GUILD, s.id, payload={"goal_id": 9})
    assert relabelled is not None and relabelled.payload == {"goal_id": 9}
    assert relabelled.next_fire_at == moved.next_fire_at


async def test_pause_and_resume_never_catch_up_on_the_pause(db: Database) -> None:
    async with db.transaction() as conn:
        s = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=7, rule=daily(10))
        paused = await schedules.set_active(conn, NOW, GUILD, s.id, False)
        assert paused is not None and not paused.active
        assert await schedules.due(conn, NOW + timedelta(days=5), ["goal_ping"], 10) == []
        resumed = await schedules.set_active(conn, NOW + timedelta(days=5), GUILD, s.id, True)
    assert resumed is not None and resumed.active
    assert resumed.next_fire_at == utc(2026, 11, 28, 10)


async def test_bad_input_is_refused_and_changes_nothing(db: Database) -> None:
    async with db.transaction() as conn:
        for kwargs in (
            {"guild_id": 0, "kind": "goal_ping", "owner_id": 1},
            {"guild_id": GUILD, "kind": "goal ping!", "owner_id": 1},
        ):
            with pytest.raises(RecurrenceError):
                await schedules.create(conn, NOW, rule=daily(10), **kwargs)  # type: ignore[arg-type]
        with pytest.raises(RecurrenceError, match="plain JSON"):
            await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=1, rule=daily(10),
                                   payload={"when": NOW})
        assert await schedules.list_schedules(conn, GUILD) == []


async def test_advance_skips_a_schedule_changed_since_it_was_read(db: Database) -> None:
    async with db.transaction() as conn:
        s = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=7, rule=daily(10))
        other = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=8, rule=daily(10))
        await schedules.update(conn, NOW, GUILD, s.id, payload={"goal_id": 1})
        tomorrow = utc(2026, 11, 24, 10)
        moved = await schedules.advance(conn, NOW, [
            schedules.Advance(s, s.next_fire_at, "k", tomorrow, fired=1, missed=0),
            schedules.Advance(other, other.next_fire_at, "k2", tomorrow, fired=1, missed=2),
        ])
        assert moved == 1
        edited = await schedules.get(conn, GUILD, s.id)
        advanced = await schedules.get(conn, GUILD, other.id)
    assert edited is not None and edited.next_fire_at == utc(2026, 11, 23, 10) and edited.last_key is None
    assert advanced is not None
    assert (advanced.next_fire_at, advanced.last_key, advanced.fired_count, advanced.missed_count) == (
        tomorrow, "k2", 1, 2)


async def test_due_and_upcoming_queries(db: Database) -> None:
    async with db.transaction() as conn:
        a = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=1, rule=daily(10))
        b = await schedules.create(conn, NOW, guild_id=OTHER_GUILD, kind="goal_ping", owner_id=1, rule=daily(10))
        c = await schedules.create(conn, NOW, guild_id=GUILD, kind="checkin", owner_id=1, rule=daily(11))
        at_ten = utc(2026, 11, 23, 10)
        assert [s.id for s in await schedules.due(conn, at_ten, ["goal_ping", "checkin"], 10)] == [a.id, b.id]
        assert [s.id for s in await schedules.due(conn, at_ten, ["goal_ping"], 1)] == [a.id]
        assert await schedules.due(conn, at_ten, [], 10) == []
        assert await schedules.upcoming_instants(conn, NOW, NOW + timedelta(hours=3), 10) == [
            at_ten, utc(2026, 11, 23, 11)]
        assert await schedules.upcoming_instants(conn, NOW, NOW + timedelta(hours=1), 10) == [at_ten]
        assert await schedules.next_fires(conn, 2) == [(at_ten, "goal_ping", a.id, GUILD),
                                                       (at_ten, "goal_ping", b.id, OTHER_GUILD)]
        assert c.kind == "checkin"


async def test_occurrence_log_records_and_prunes(db: Database) -> None:
    async with db.transaction() as conn:
        s = await schedules.create(conn, NOW, guild_id=GUILD, kind="goal_ping", owner_id=1, rule=daily(10))
        instant = utc(2026, 11, 23, 10)
        key = s.occurrence_key(instant)
        assert key == f"goal_ping:{s.id}:2026-11-23T10:00"
        record = schedules.OccurrenceRecord(s, key, instant, "missed")
        await schedules.record_occurrences(conn, NOW, [record, record])  # idempotent
        assert await schedules.occurrences(conn, GUILD, s.id) == [(key, "2026-11-23T10:00:00Z", "missed")]
        assert await schedules.occurrences(conn, OTHER_GUILD, s.id) == []
        with pytest.raises(ValueError, match="outcome"):
            schedules.OccurrenceRecord(s, key, instant, "exploded")
        assert await schedules.prune_occurrences(conn, NOW) == 0
        assert await schedules.prune_occurrences(conn, NOW + timedelta(seconds=1)) == 1
