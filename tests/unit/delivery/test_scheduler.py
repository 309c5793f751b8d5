"""The scheduler: occurrences fire once at the right instant, missed ones follow their policy,
and a crash or restart at any point neither loses nor repeats one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import Clock, FakeClock
from bot.core.config import OutboxSettings, SchedulerSettings
from bot.core.db import Conn, Database
from bot.delivery import schedules
from bot.delivery.outbox import Outbox, Pacer
from bot.delivery.recurrence import Recurrence
from bot.delivery.scheduler import MissedPolicy, Occurrence, Scheduler
from tests.unit.delivery.test_outbox import FakeDiscord, eventually

GUILD = 111
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class Bot:
    """The scheduler and outbox wired as the bot wires them, around one database file."""

    path: Path
    clock: Clock
    settings: SchedulerSettings = field(default_factory=SchedulerSettings)
    discord: FakeDiscord = field(default_factory=FakeDiscord)
    fired: list[Occurrence] = field(default_factory=list)
    fail_owner: int | None = None
    kill_owner: int | None = None
    # (entered, release): the handler signals it is running, then waits, its transaction open
    hold: tuple[asyncio.Event, asyncio.Event] | None = None
    db: Database | None = None
    outbox: Outbox | None = None
    scheduler: Scheduler | None = None

    async def boot(self, *, start: bool = True, **scheduler_options: int) -> Scheduler:
        self.db = await Database(self.path).connect()
        await self.db.migrate()
        self.outbox = Outbox(self.db, self.clock, OutboxSettings(), sender=self.discord, pacer=Pacer(1e6))
        self.scheduler = Scheduler(self.db, self.clock, self.settings, outbox=self.outbox, **scheduler_options)
        self.scheduler.register_kind("goal_ping", self.ping, MissedPolicy.LATE)
        self.scheduler.register_kind("checkin_start", self.ping, MissedPolicy.SKIP)
        if start:
            await self.scheduler.start()
            await self.scheduler.caught_up()
        return self.scheduler

    async def ping(self, conn: Conn, occurrence: Occurrence) -> None:
        assert self.outbox is not None
        if self.hold is not None:
            self.hold[0].set()
            await self.hold[1].wait()
        if occurrence.owner_id == self.kill_owner:
            raise asyncio.CancelledError  # the process dies mid-transaction
        await self.outbox.enqueue(conn, key=occurrence.key, kind=occurrence.kind, guild_id=occurrence.guild_id,
                                  target_kind="dm", target_id=occurrence.owner_id,
                                  payload={"content": "late" if occurrence.late else "on time"})
        if occurrence.owner_id == self.fail_owner:
            raise ValueError("private goal text that must not reach the logs")
        self.fired.append(occurrence)

    async def add(self, rule: Recurrence, *, kind: str = "goal_ping", owner: int = 7) -> schedules.Schedule:
        assert self.db is not None
        async with self.db.transaction() as conn:
            created = await schedules.create(conn, self.clock.now(), guild_id=GUILD, kind=kind, owner_id=owner,
                                             rule=rule)
        if self.scheduler is not None:
            self.scheduler.notify(created)
        return created

    async def get(self, schedule_id: int) -> schedules.Schedule:
        assert self.db is not None
        found = await schedules.get(self.db.conn, GUILD, schedule_id)
        assert found is not None
        return found

    async def outbox_keys(self) -> list[str]:
        assert self.db is not None
        return [r[0] for r in await self.db.fetchall("SELECT key FROM outbox ORDER BY id")]

    async def kill(self) -> None:
        assert self.db is not None and self.scheduler is not None and self.outbox is not None
        await self.scheduler.shutdown()
        await self.outbox.stop(grace=0)
        await self.db.close()
        self.scheduler = None


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    b = Bot(tmp_path / "bot.sqlite3", FakeClock(MONDAY_9))
    yield b
    if b.scheduler is not None:
        await b.scheduler.shutdown()
    if b.outbox is not None:
        await b.outbox.stop(grace=1)
    if b.db is not None:
        await b.db.close()


def daily(hour: int, minute: int = 0, zone: str = "UTC", start: date = date(2026, 11, 1)) -> Recurrence:
    return Recurrence.daily(time(hour, minute), zone, start=start)


async def test_an_occurrence_fires_once_when_the_clock_reaches_it(bot: Bot) -> None:
    scheduler = await bot.boot()
    s = await bot.add(daily(10))
    assert isinstance(bot.clock, FakeClock)
    bot.clock.set(utc(2026, 11, 23, 9, 59, 59))
    await scheduler.run_due()
    assert bot.fired == []
    bot.clock.set(utc(2026, 11, 23, 10))
    await scheduler.run_due()
    await scheduler.run_due()
    assert [(o.scheduled_at, o.late, o.key) for o in bot.fired] == [
        (utc(2026, 11, 23, 10), False, f"goal_ping:{s.id}:2026-11-23T10:00")]
    assert await bot.outbox_keys() == [f"goal_ping:{s.id}:2026-11-23T10:00"]
    after = await bot.get(s.id)
    assert (after.next_fire_at, after.fired_count) == (utc(2026, 11, 24, 10), 1)


async def test_moving_the_fake_clock_is_enough_to_fire_and_deliver(bot: Bot) -> None:
    await bot.boot()
    assert bot.outbox is not None and isinstance(bot.clock, FakeClock)
    bot.outbox.start()
    await bot.add(daily(10))
    bot.clock.set(utc(2026, 11, 23, 10))
    await eventually(lambda: len(bot.discord.messages) == 1)
    assert [m["content"] for m in bot.discord.messages.values()] == ["on time"]


DST_WINDOWS = [
    ("Europe/Berlin", time(2, 30), utc(2026, 3, 27), [utc(2026, 3, 27, 1, 30), utc(2026, 3, 28, 1, 30),
                                                       utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)]),
    ("Europe/Berlin", time(2, 30), utc(2026, 10, 23), [utc(2026, 10, 23, 0, 30), utc(2026, 10, 24, 0, 30),
                                                        utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]),
    ("America/New_York", time(2, 30), utc(2026, 3, 6), [utc(2026, 3, 6, 7, 30), utc(2026, 3, 7, 7, 30),
                                                         utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)]),
    ("America/New_York", time(1, 30), utc(2026, 10, 30), [utc(2026, 10, 30, 5, 30), utc(2026, 10, 31, 5, 30),
                                                           utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]),
]


@pytest.mark.parametrize(("zone", "at", "begin", "expected"), DST_WINDOWS,
                         ids=["berlin-spring", "berlin-autumn", "new-york-spring", "new-york-autumn"])
async def test_daily_schedules_across_dst_fire_once_a_day_at_the_right_instant(
    tmp_path: Path, zone: str, at: time, begin: datetime, expected: list[datetime]
) -> None:
    clock = FakeClock(begin)
    bot = Bot(tmp_path / "dst.sqlite3", clock)
    scheduler = await bot.boot()
    await bot.add(Recurrence.daily(at, zone, start=begin.date()))
    fired_at: list[datetime] = []
    while clock.now() < begin + timedelta(days=4):
        clock.advance(minutes=30)
        before = len(bot.fired)
        await scheduler.run_due()
        fired_at += [clock.now()] * (len(bot.fired) - before)
    assert [o.scheduled_at for o in bot.fired] == expected
    assert fired_at == expected, "each fired at its own instant, not a step later"
    assert not any(o.late for o in bot.fired)
    assert len({o.key for o in bot.fired}) == 4
    await bot.kill()


async def test_a_weekly_schedule_across_a_year_fires_every_occurrence_once(tmp_path: Path) -> None:
    clock = FakeClock(utc(2025, 12, 31, 12))
    bot = Bot(tmp_path / "weekly.sqlite3", clock)
    scheduler = await bot.boot()
    s = await bot.add(Recurrence.weekly(time(18, 0), "Europe/Berlin", {0, 3}, start=date(2026, 1, 1)))
    while True:
        upcoming = (await bot.get(s.id)).next_fire_at
        assert upcoming is not None
        if upcoming.year > 2026:
            break
        before = len(bot.fired)
        clock.set(upcoming - timedelta(seconds=1))
        await scheduler.run_due()
        assert len(bot.fired) == before
        clock.set(upcoming)
        await scheduler.run_due()
        await scheduler.run_due()
        assert len(bot.fired) == before + 1
    berlin = ZoneInfo("Europe/Berlin")
    locals_ = [o.scheduled_at.astimezone(berlin) for o in bot.fired]
    assert len(bot.fired) == 105
    assert {t.strftime("%a %H:%M") for t in locals_} == {"Mon 18:00", "Thu 18:00"}
    assert len({t.date() for t in locals_}) == 105
    assert len(await bot.outbox_keys()) == 105
    await bot.kill()


async def test_26_hours_down_late_sends_one_and_skip_sends_none(bot: Bot) -> None:
    assert isinstance(bot.clock, FakeClock)
    bot.clock.set(utc(2026, 11, 22, 12))  # Sunday: both next fire Monday 08:00
    await bot.boot(start=False)
    late = await bot.add(daily(8), kind="goal_ping", owner=1)
    skip = await bot.add(daily(8), kind="checkin_start", owner=2)
    assert bot.db is not None
    await bot.db.close()

    # Down from Monday 07:00 to Tuesday 09:00: Monday 08:00 and Tuesday 08:00 fell while down.
    bot.clock.set(utc(2026, 11, 24, 9))
    await bot.boot()
    assert bot.outbox is not None
    bot.outbox.start()
    await bot.outbox.drain()

    assert [(o.schedule_id, o.scheduled_at, o.late) for o in bot.fired] == [(late.id, utc(2026, 11, 24, 8), True)]
    assert list(bot.discord.messages.values()) == [{"content": "late", "allowed_mentions": {"parse": []}}]
    assert bot.db is not None
    assert await schedules.occurrences(bot.db.conn, GUILD, late.id) == [
        (f"goal_ping:{late.id}:2026-11-23T08:00", "2026-11-23T08:00:00Z", "missed"),
        (f"goal_ping:{late.id}:2026-11-24T08:00", "2026-11-24T08:00:00Z", "late"),
    ]
    assert await schedules.occurrences(bot.db.conn, GUILD, skip.id) == [
        (f"checkin_start:{skip.id}:2026-11-23T08:00", "2026-11-23T08:00:00Z", "missed"),
        (f"checkin_start:{skip.id}:2026-11-24T08:00", "2026-11-24T08:00:00Z", "missed"),
    ]
    for s, missed in ((late, 1), (skip, 2)):
        now = await bot.get(s.id)
        assert (now.next_fire_at, now.missed_count) == (utc(2026, 11, 25, 8), missed)

    # Both are back to normal at the next occurrence.
    bot.clock.set(utc(2026, 11, 25, 8))
    assert bot.scheduler is not None
    await bot.scheduler.run_due()
    assert [(o.schedule_id, o.late) for o in bot.fired[1:]] == [(late.id, False), (skip.id, False)]


async def test_a_late_occurrence_past_its_grace_is_only_recorded(bot: Bot) -> None:
    bot.settings = SchedulerSettings(late_grace_minutes=60)
    assert isinstance(bot.clock, FakeClock)
    await bot.boot(start=False)
    s = await bot.add(daily(10))
    bot.clock.set(utc(2026, 11, 23, 13))
    assert bot.scheduler is not None
    await bot.scheduler.start()
    assert await bot.scheduler.caught_up() == 1
    assert bot.fired == []
    assert bot.db is not None
    assert [o[2] for o in await schedules.occurrences(bot.db.conn, GUILD, s.id)] == ["missed"]


async def test_a_few_minutes_late_still_counts_as_on_time(bot: Bot) -> None:
    scheduler = await bot.boot()
    await bot.add(daily(10))
    assert isinstance(bot.clock, FakeClock)
    bot.clock.set(utc(2026, 11, 23, 10, 4))
    await scheduler.run_due()
    assert [o.late for o in bot.fired] == [False]


async def test_restart_between_fire_and_delivery_delivers_once(bot: Bot) -> None:
    scheduler = await bot.boot()
    s = await bot.add(daily(10))
    assert isinstance(bot.clock, FakeClock)
    bot.clock.set(utc(2026, 11, 23, 10))
    await scheduler.run_due()
    await bot.kill()  # fired and committed, never sent

    await bot.boot()
    assert bot.outbox is not None
    bot.outbox.start()
    await bot.outbox.drain()
    assert len(bot.fired) == 1, "not fired again after the restart"
    assert bot.discord.calls_for(f"goal_ping:{s.id}:2026-11-23T10:00") == 1
    assert len(bot.discord.messages) == 1


async def test_a_crash_mid_batch_rolls_back_and_every_occurrence_happens_once_after_restart(bot: Bot) -> None:
    await bot.boot(start=False)
    for owner in (1, 2, 3):
        await bot.add(daily(10), owner=owner)
    assert isinstance(bot.clock, FakeClock) and bot.scheduler is not None
    bot.kill_owner = 2
    bot.clock.set(utc(2026, 11, 23, 10))
    await bot.scheduler.start()
    with pytest.raises(asyncio.CancelledError):
        await bot.scheduler.caught_up()
    assert await bot.outbox_keys() == [], "the half-done batch left nothing behind"
    await bot.kill()

    bot.kill_owner = None
    bot.fired.clear()
    await bot.boot()
    assert bot.outbox is not None
    bot.outbox.start()
    await bot.outbox.drain()
    assert sorted(o.owner_id for o in bot.fired) == [1, 2, 3]
    assert len(bot.discord.messages) == 3 and len(bot.discord.calls) == 3


async def test_a_failing_handler_is_recorded_and_does_not_stop_the_others(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.delivery.scheduler")
    scheduler = await bot.boot()
    first = await bot.add(daily(10), owner=2)
    bad = await bot.add(daily(10), owner=1)
    last = await bot.add(daily(10), owner=3)
    bot.fail_owner = 1
    assert isinstance(bot.clock, FakeClock)
    bot.clock.set(utc(2026, 11, 23, 10))
    await scheduler.run_due()
    assert await bot.outbox_keys() == [f"goal_ping:{first.id}:2026-11-23T10:00",
                                       f"goal_ping:{last.id}:2026-11-23T10:00"], "the failed one's row rolled back"
    assert bot.db is not None
    assert [o[2] for o in await schedules.occurrences(bot.db.conn, GUILD, bad.id)] == ["error"]
    assert (await bot.get(bad.id)).next_fire_at == utc(2026, 11, 24, 10)
    assert "private goal text" not in caplog.text
    assert f"schedule={bad.id}" in caplog.text


async def test_many_due_at_once_are_handled_in_batches_exactly_once(bot: Bot) -> None:
    scheduler = await bot.boot(batch_size=40)
    for owner in range(150):
        await bot.add(daily(10), owner=owner + 1)
    assert isinstance(bot.clock, FakeClock)
    bot.clock.set(utc(2026, 11, 23, 10))
    await scheduler.run_due()
    assert sorted(o.owner_id for o in bot.fired) == list(range(1, 151))
    assert len(await bot.outbox_keys()) == 150


async def backlog(bot: Bot, count: int, **options: int) -> Scheduler:
    """A bot that was down over ``count`` schedules' 10:00 occurrence, booted but not started."""
    assert isinstance(bot.clock, FakeClock)
    scheduler = await bot.boot(start=False, **options)
    for owner in range(count):
        await bot.add(daily(10), owner=owner + 1)
    bot.clock.set(utc(2026, 11, 23, 10, 1))
    return scheduler


async def test_start_returns_before_the_catch_up_which_runs_in_the_background(bot: Bot) -> None:
    scheduler = await backlog(bot, 30, batch_size=10)
    await scheduler.start()
    assert bot.fired == [], "start() settled nothing itself"
    assert await scheduler.caught_up() == 30
    assert sorted(o.owner_id for o in bot.fired) == list(range(1, 31))
    assert not any(o.late for o in bot.fired)
    assert await scheduler.caught_up() == 30, "asking again does not wait or run it again"


async def test_the_catch_up_lets_other_writers_in_between_its_batches(bot: Bot) -> None:
    scheduler = await backlog(bot, 100, batch_size=10)
    await scheduler.start()
    await eventually(lambda: len(bot.fired) >= 10)
    assert bot.db is not None
    async with bot.db.transaction():  # an interaction's write, waiting for the lock
        seen = len(bot.fired)
    assert 10 <= seen < 100, "the writer got in before the catch-up ended"
    await scheduler.caught_up()
    assert sorted(o.owner_id for o in bot.fired) == list(range(1, 101))


async def test_a_stop_mid_catch_up_leaves_the_rest_for_the_next_start_exactly_once(bot: Bot) -> None:
    scheduler = await backlog(bot, 100, batch_size=10)
    await scheduler.start()
    await eventually(lambda: len(bot.fired) >= 10)
    await bot.kill()  # stops after the batch in progress
    first = sorted(o.owner_id for o in bot.fired)
    assert 10 <= len(first) < 100

    await bot.boot()  # boots and waits for the catch-up
    assert sorted(o.owner_id for o in bot.fired) == list(range(1, 101)), "each once, none lost"
    assert len(await bot.outbox_keys()) == 100


async def test_schedules_of_an_unregistered_kind_wait_untouched(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    await bot.boot(start=False)
    s = await bot.add(daily(10), kind="retention_sweep")
    assert isinstance(bot.clock, FakeClock) and bot.scheduler is not None
    bot.clock.set(utc(2026, 11, 23, 11))
    with caplog.at_level(logging.WARNING, logger="bot.delivery.scheduler"):
        await bot.scheduler.start()
        await bot.scheduler.caught_up()
    assert "kind=retention_sweep" in caplog.text
    assert (await bot.get(s.id)).next_fire_at == utc(2026, 11, 23, 10)


async def test_an_occurrence_already_handled_is_never_handled_again(bot: Bot) -> None:
    scheduler = await bot.boot()
    s = await bot.add(daily(10))
    assert isinstance(bot.clock, FakeClock) and bot.db is not None
    bot.clock.set(utc(2026, 11, 23, 10))
    await scheduler.run_due()
    # Re-saving the same rule in the same second points next_fire_at back at 10:00 today.
    async with bot.db.transaction() as conn:
        again = await schedules.update(conn, bot.clock.now(), GUILD, s.id, rule=daily(10))
    assert again is not None and again.next_fire_at == utc(2026, 11, 23, 10)
    await scheduler.run_due()
    assert len(bot.fired) == 1
    assert (await bot.get(s.id)).next_fire_at == utc(2026, 11, 24, 10)


async def test_a_one_off_fires_once_and_ends(bot: Bot) -> None:
    scheduler = await bot.boot()
    s = await bot.add(Recurrence.once(utc(2026, 11, 23, 9, 30)))
    assert isinstance(bot.clock, FakeClock)
    bot.clock.set(utc(2026, 11, 23, 12))  # down for two and a half hours: within the grace
    await scheduler.run_due()
    assert [(o.late, o.key) for o in bot.fired] == [(True, f"goal_ping:{s.id}:once")]
    assert (await bot.get(s.id)).next_fire_at is None


async def test_with_the_real_clock_one_wake_up_is_held_per_instant_in_the_window(bot: Bot) -> None:
    bot.clock = Clock()
    now = bot.clock.now().replace(microsecond=0)
    scheduler = await bot.boot(start=False)
    soon = now + timedelta(minutes=10)
    for owner in range(3):
        await bot.add(Recurrence.once(soon), owner=owner)
    await bot.add(Recurrence.once(now + timedelta(minutes=20)))
    await bot.add(Recurrence.once(now + timedelta(hours=3)))  # outside the 60-minute window
    await scheduler.start()
    assert scheduler.wake_ups() == [soon, now + timedelta(minutes=20)]

    # A schedule added later inside the window gets its own wake-up.
    await bot.add(Recurrence.once(now + timedelta(minutes=30)))
    assert scheduler.wake_ups() == [soon, now + timedelta(minutes=20), now + timedelta(minutes=30)]

    # A wake-up that comes runs a pass: a one-off due in a moment fires through it, on real time,
    # with nothing calling run_due().
    moment = (bot.clock.now() + timedelta(seconds=1)).replace(microsecond=0)  # stored to the second
    await bot.add(Recurrence.once(moment), owner=99)
    assert moment in scheduler.wake_ups()
    await eventually(lambda: [o.owner_id for o in bot.fired] == [99], within=3.0)
    assert scheduler.wake_ups() == [soon, now + timedelta(minutes=20), now + timedelta(minutes=30)]


async def test_the_window_of_wake_ups_is_capped(bot: Bot) -> None:
    bot.clock = Clock()
    now = bot.clock.now().replace(microsecond=0)
    scheduler = await bot.boot(start=False, max_wake_jobs=5)
    for n in range(20):
        await bot.add(Recurrence.once(now + timedelta(minutes=1 + n)))
    await scheduler.start()
    assert scheduler.wake_ups() == [now + timedelta(minutes=1 + n) for n in range(5)]  # the five earliest


async def test_a_failing_safety_handler_is_retried_with_backoff_until_it_succeeds(bot: Bot) -> None:
    """A ladder page whose handler fails is not dropped: it stays due and is retried, 5 s then 10 s
    later, and goes out once when the handler works again."""
    scheduler = await bot.boot()
    scheduler.register_kind("case_ladder", bot.ping, MissedPolicy.LATE)
    page = await bot.add(Recurrence.once(utc(2026, 11, 23, 9, 5)), kind="case_ladder", owner=1)
    bot.fail_owner = 1
    assert isinstance(bot.clock, FakeClock) and bot.db is not None
    bot.clock.set(utc(2026, 11, 23, 9, 5))
    await scheduler.run_due()
    assert await bot.outbox_keys() == []
    assert (await bot.get(page.id)).next_fire_at == utc(2026, 11, 23, 9, 5, 5), "retried 5 s later"
    bot.clock.set(utc(2026, 11, 23, 9, 5, 5))
    await scheduler.run_due()
    assert (await bot.get(page.id)).next_fire_at == utc(2026, 11, 23, 9, 5, 15), "then 10 s later"
    bot.fail_owner = None
    bot.clock.set(utc(2026, 11, 23, 9, 5, 15))
    await scheduler.run_due()
    await scheduler.run_due()
    assert await bot.outbox_keys() == [f"case_ladder:{page.id}:once"], "sent once, when the handler worked"
    after = await bot.get(page.id)
    assert (after.next_fire_at, after.fired_count) == (None, 1)
    assert [o[2] for o in await schedules.occurrences(bot.db.conn, GUILD, page.id)] == ["error"]


async def test_a_failing_safety_handler_stops_retrying_when_its_schedule_is_deleted(bot: Bot) -> None:
    """A claim deletes the case's ladder: the retries end with it."""
    scheduler = await bot.boot()
    scheduler.register_kind("case_ladder", bot.ping, MissedPolicy.LATE)
    page = await bot.add(Recurrence.once(utc(2026, 11, 23, 9, 5)), kind="case_ladder", owner=1)
    bot.fail_owner = 1
    assert isinstance(bot.clock, FakeClock) and bot.db is not None
    bot.clock.set(utc(2026, 11, 23, 9, 5))
    await scheduler.run_due()
    async with bot.db.transaction() as conn:
        await schedules.delete_for_owner(conn, GUILD, "case_ladder", 1)
    bot.fail_owner = None
    bot.clock.set(utc(2026, 11, 23, 9, 10))
    await scheduler.run_due()
    assert await bot.outbox_keys() == [] and bot.fired == []
    assert await schedules.get(bot.db.conn, GUILD, page.id) is None


async def test_two_processes_never_run_one_occurrence_twice(tmp_path: Path) -> None:
    """Several bot processes share one database and each runs the scheduler. While one process's
    batch holds due schedules (its handler still running, its transaction open), another's pass
    must not run them again: on PostgreSQL it skips the rows the first holds; on SQLite it waits
    for the first's write lock and then finds them moved on."""
    clock = FakeClock(MONDAY_9)
    first, second = Bot(tmp_path / "bot.sqlite3", clock), Bot(tmp_path / "bot.sqlite3", clock)
    await first.boot(start=False)
    await second.boot(start=False)
    assert first.scheduler is not None and second.scheduler is not None
    try:
        await first.add(daily(10), owner=7)
        await first.add(daily(10), owner=8)
        entered, release = asyncio.Event(), asyncio.Event()
        first.hold = (entered, release)
        clock.set(utc(2026, 11, 23, 10))
        one = asyncio.create_task(first.scheduler.run_due())
        await entered.wait()
        two = asyncio.create_task(second.scheduler.run_due())
        # PostgreSQL: the second pass finds nothing it may take and returns. SQLite: it waits for
        # the first's write lock (a bounded wait in real time; the schedule's time is the fake clock).
        await asyncio.wait({two}, timeout=1.0)
        release.set()
        await asyncio.gather(one, two)
        fired = sorted(o.owner_id for o in first.fired + second.fired)
        assert fired == [7, 8], "each occurrence ran once, in one of the two processes"
        assert len(await first.outbox_keys()) == 2
    finally:
        for b in (first, second):
            if b.scheduler is not None:
                await b.scheduler.shutdown()
            assert b.outbox is not None and b.db is not None
            await b.outbox.stop(grace=0)
            await b.db.close()
