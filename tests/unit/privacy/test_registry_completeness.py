"""Issue 25, "done when": a table holding a member id that export, erasure or retention misses
fails here. The schema is read after every migration; nothing is listed by hand except the
columns that look like a member's id and are not one (each with its reason)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.core import personal_data
from bot.core.db import Database, column_names, table_names
from tests.engine import Column, standalone_rows, table_columns
from tests.unit.privacy.test_schema_classification import _import_every_bot_package

G = 10
MEMBER = 738_291_046_518_273_049

# Column names that hold a Discord user id wherever they appear.
MEMBER_ID = re.compile(r"^(user_id|\w+_user_id|author_id|actor_id|owner_id|partner_id|facilitator_id|target_id"
                       r"|\w+_by)$")

# Columns named like a member id that hold something else, or a member id handled another way.
NOT_A_MEMBER_COLUMN = {
    ("schedules", "owner_id"): "the schedule's owner row (a goal, a ping, a story) or, for the kinds declared"
                               " with register_member_schedule_kind, the member: those are erased and exported",
    ("coping_audit", "target_id"): "the strategy's or resource's id",
}

# How rows of a personal table without a retention setting end (asserted to be said for each).
ENDS = {
    "case_crisis_threads": "with its case",
    "case_duty": "when the moderator goes off duty",
    "case_duty_windows": "when the moderator removes them",
    "case_member_state": "when the member leaves the server (bot.cases.crisis.forget_member)",
    "checkin_interest": "when the session is over",
    "checkin_optins": "when the member changes them",
    "checkin_pulse_pending": "24 hours after the session",
    "checkin_series": "with the series",
    "circle_facilitators": "when they stop facilitating",
    "circle_norms": "with the circle",
    "circle_seats": "when the seat is given up",
    "circle_waitlist": "when a seat is offered or they leave the list",
    "circles": "with the circle",
    "consent_erasures": "at the end of the erasure",
    "consent_log": "with the server (a record of consent)",
    "coping_audit": "with the server",
    "coping_cheers": "with the win",
    "coping_helped": "with the strategy",
    "coping_resources": "when removed",
    "coping_saved": "when the member removes them",
    "coping_strategies": "when removed",
    "coping_wins": "with the circle",
    "dm_unreachable": "when a message reaches the member",
    "goal_members": "when the member changes them",
    "goal_partner_declines": "after 30 days",
    "goal_partners": "when either ends it, or one leaves the server",
    "goals": "when the member deletes them",
    "member_prefs": "when the member changes them",
    "member_servers": "when the member leaves the server, or the bot does (bot.members.servers.left, forget_server)",
    "outbox": "the daily clean-up (bot.delivery.housekeeping)",
    "story_audit": "with the server",
}


async def _member_columns(db: Database) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table in await table_names(db.reader):
        for column in await column_names(db.reader, table):
            if MEMBER_ID.match(column):
                found.setdefault(table, []).append(column)
    return found


async def test_every_column_holding_a_member_id_is_a_declared_member_column(db: Database) -> None:
    _import_every_bot_package()
    declared = {t.table: t for t in personal_data.personal_tables()}
    missing = []
    for table, columns in (await _member_columns(db)).items():
        for column in columns:
            if (table, column) in NOT_A_MEMBER_COLUMN:
                continue
            if table not in declared or column not in declared[table].member_columns:
                missing.append(f"{table}.{column}")
    assert not missing, f"member ids that /privacy show, export and delete would not find: {missing}"


def test_every_personal_table_says_how_its_rows_end() -> None:
    _import_every_bot_package()
    silent = [t.table for t in personal_data.personal_tables()
              if t.member_columns and t.retention_setting is None and t.table not in ENDS]
    assert not silent, f"personal tables with no retention setting and no known end: {silent}"
    stale = sorted(set(ENDS) - {t.table for t in personal_data.personal_tables()})
    assert not stale, stale


def _value(column: Column) -> Any:
    return 1 if "INT" in column.type else "2026-01-01T00:00:00Z"


async def _insert(db: Database, table: str, member_column: str, index: int) -> None:
    values: dict[str, Any] = {"guild_id": G, member_column: MEMBER}
    for column in await table_columns(db, table):
        if column.name in values:
            continue
        if column.numbered:
            continue  # a rowid or identity: the database numbers it
        if column.pk:
            values[column.name] = index if "INT" in column.type else f"key{index}"
        elif column.notnull and column.default is None:
            values[column.name] = _value(column)
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    await db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(values.values()))


@pytest.mark.parametrize("member_column_index", [0, 1, 2])
async def test_a_row_in_any_member_column_is_shown_exported_and_erased(db: Database, member_column_index: int
                                                                      ) -> None:
    """A synthetic row per personal table and member column: /privacy show counts it, the export
    carries it, the erasure leaves the member's id in no member column of it."""
    _import_every_bot_package()
    # Rows stand alone here: their parents (a circle, a case) and state checks are not the point.
    await standalone_rows(db)
    for index, table in enumerate(personal_data.personal_tables(), start=1):
        if len(table.member_columns) <= member_column_index:
            continue
        column = table.member_columns[member_column_index]
        await _insert(db, table.table, column, index)
        async with db.transaction() as conn:
            assert await table.count_rows(conn, G, MEMBER) >= 1, f"{table.table}.{column}: not counted"
            assert await table.export_rows(conn, G, MEMBER), f"{table.table}.{column}: not exported"
            await table.erase_rows(conn, G, MEMBER)
            assert await table.count_rows(conn, G, MEMBER) == 0, f"{table.table}.{column}: not erased"


async def test_the_exceptions_name_columns_the_schema_has(db: Database) -> None:
    columns = {(t, c) for t, cs in (await _member_columns(db)).items() for c in cs}
    assert set(NOT_A_MEMBER_COLUMN) <= columns
