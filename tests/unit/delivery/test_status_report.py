"""`python -m bot status`: what the operator sees, and never any message content."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.core.clock import FakeClock
from bot.core.config import Config, OutboxSettings, parse_config
from bot.core.db import Database
from bot.delivery import schedules
from bot.delivery.outbox import Outbox, OutboxRow, Pacer, SendResult
from bot.delivery.recurrence import Recurrence
from bot.delivery.status import print_status, render_status
from tests.engine import sqlite_only

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECRET = "my flare started after the funeral"


def config_for(path: Path) -> Config:
    return parse_config({"database": {"path": str(path)}})


class ScriptedSender:
    async def send(self, row: OutboxRow, pacer: Pacer) -> SendResult:
        return SendResult.failed("dm_closed", "http 403 code 50007") if row.key == "c" else SendResult.sent(77)


async def fill(path: Path) -> None:
    async with Database(path) as db:
        await db.migrate()
        clock = FakeClock(NOW)
        outbox = Outbox(db, clock, OutboxSettings(), sender=ScriptedSender(), pacer=Pacer(1e6))

        async def enqueue(*keys: str) -> None:
            async with db.transaction() as conn:
                for key in keys:
                    await outbox.enqueue(conn, key=key, kind="goal_ping", guild_id=1, target_kind="dm",
                                         target_id=5, payload={"content": SECRET})

        async with db.transaction() as conn:
            for n in range(12):
                await schedules.create(conn, NOW, guild_id=1, kind="goal_ping", owner_id=n,
                                       rule=Recurrence.daily(time(10, n), "UTC", start=date(2026, 11, 1)),
                                       payload={"goal_id": n})
            paused = await schedules.create(conn, NOW, guild_id=2, kind="checkin_start", owner_id=1,
                                            rule=Recurrence.daily(time(8, 0), "UTC", start=date(2026, 11, 1)))
            await schedules.set_active(conn, NOW, 2, paused.id, False)
            await schedules.record_occurrences(conn, NOW - timedelta(hours=1), [schedules.OccurrenceRecord(
                paused, "checkin_start:13:2026-11-22T08:00", NOW - timedelta(days=1), "missed")])
        await enqueue("b", "c")
        outbox.start()
        await outbox.drain()
        await outbox.stop()
        await enqueue("a", "d")


async def test_status_shows_counts_fire_times_and_failures_without_content(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await fill(path)
    out = io.StringIO()
    async with Database(path) as db, db.snapshot() as conn:
        await render_status(conn, out, NOW)
    text = out.getvalue()
    assert SECRET not in text and "funeral" not in text

    sections = dict(part.split("\n", 1) for part in text.split("\n\n")[1:])
    kinds = sections["Schedules by kind"]
    assert kinds.splitlines()[1].split() == ["checkin_start", "0", "1", "0", "0"]
    assert kinds.splitlines()[2].split() == ["goal_ping", "12", "0", "0", "0", "2026-11-23T10:00:00Z"]
    states = sections["Outbox rows by state"]
    assert [line.split() for line in states.splitlines()[1:5]] == [
        ["pending", "2"], ["sending", "0"], ["sent", "1"], ["failed", "1"]]
    fires = sections["Next 10 fire times"].splitlines()[1:]
    assert len(fires) == 10
    assert fires[0].split()[:2] == ["2026-11-23T10:00:00Z", "goal_ping"]
    assert fires[-1].split()[0] == "2026-11-23T10:09:00Z"
    failures = sections["Failed deliveries by reason"]
    assert failures.splitlines()[1].split()[:3] == ["dm_closed", "goal_ping", "1"]
    assert "members unreachable by DM: 1" in failures
    assert sections["Occurrences not sent on time, last 7 days"].splitlines()[1].split() == [
        "checkin_start", "missed", "1"]


async def test_print_status_reads_the_configured_database(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await fill(path)
    out = io.StringIO()
    assert await print_status(config_for(path), out) == 0
    assert "Outbox rows by state" in out.getvalue() and SECRET not in out.getvalue()


@sqlite_only("a SQLite database is a file, which may be missing")
async def test_a_missing_database_is_explained_sqlite_only(tmp_path: Path) -> None:
    out = io.StringIO()
    assert await print_status(config_for(tmp_path / "nowhere.sqlite3"), out) == 1
    assert "no database at" in out.getvalue()
    assert not (tmp_path / "nowhere.sqlite3").exists(), "status creates nothing"


async def test_an_unmigrated_database_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    async with Database(path):  # an empty database: no tables
        pass
    out = io.StringIO()
    assert await print_status(config_for(path), out) == 1
    assert "python -m bot migrate" in out.getvalue()


async def test_the_operator_sees_the_heartbeat_size_and_errors_and_an_organiser_only_their_server(
        tmp_path: Path) -> None:
    from bot.delivery.status import META_HEARTBEAT, META_LATENCY, META_STARTED, Runtime, status_text
    from bot.privacy.errors_seen import record_error

    path = tmp_path / "bot.sqlite3"
    await fill(path)
    async with Database(path) as db, db.transaction() as conn:
        await conn.executemany("INSERT INTO bot_meta (key, value) VALUES (?, ?)", [
            (META_STARTED, "2026-11-22T07:00:00Z"), (META_HEARTBEAT, "2026-11-23T08:59:00Z"),
            (META_LATENCY, "42.4")])
        await record_error(conn, 1, "command:privacy show:RuntimeError", NOW - timedelta(hours=2))
        await record_error(conn, 1, "command:privacy show:RuntimeError", NOW - timedelta(hours=1))
        await record_error(conn, 2, "component:privdelgo:KeyError", NOW - timedelta(hours=1))
        await record_error(conn, 1, "command:old:ValueError", NOW - timedelta(hours=30))  # over a day ago
    out = io.StringIO()
    assert await print_status(config_for(path), out, NOW) == 0
    text = out.getvalue()
    assert "gateway latency: 42 ms" in text and "up since: 2026-11-22T07:00:00Z (1d 2h 0m)" in text
    assert "last heartbeat: 2026-11-23T08:59:00Z" in text and "database size:" in text
    assert re.search(r"command:privacy show:RuntimeError +2", text)
    assert re.search(r"component:privdelgo:KeyError +1", text)
    assert "command:old" not in text

    async with Database(path) as db:
        mine = await status_text(db, NOW, guild_id=2, runtime=Runtime(12.0, NOW - timedelta(minutes=5)))
    assert "status for server 2" in mine and "gateway latency: 12 ms" in mine and "(0h 5m)" in mine
    assert re.search(r"component:privdelgo:KeyError +1", mine) and "RuntimeError" not in mine
    assert "goal_ping" not in mine  # server 1's schedules and outbox rows
    assert SECRET not in mine
