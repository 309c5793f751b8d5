"""Every table in the schema is declared in the personal-data registry, and each declaration works."""

from __future__ import annotations

import importlib
import pkgutil

import bot
from bot.core import personal_data
from bot.core.db import Database, column_names, table_names


def _import_every_bot_package() -> None:
    # Packages declare their tables when imported; the bot imports them all through its cogs.
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        if info.ispkg:
            importlib.import_module(info.name)


async def test_every_table_is_declared_as_personal_or_not(db: Database) -> None:
    _import_every_bot_package()
    tables = set(await table_names(db.reader))
    missing = sorted(tables - personal_data.declared())
    assert not missing, f"tables not declared in bot.core.personal_data (register or not_personal): {missing}"
    stale = sorted(personal_data.declared() - tables)
    assert not stale, f"declared tables that the schema does not have: {stale}"


async def test_each_personal_table_exports_counts_and_erases_with_its_declared_columns(db: Database) -> None:
    _import_every_bot_package()
    for table in personal_data.personal_tables():
        async with db.transaction() as conn:
            assert await table.export_rows(conn, 1, 2) == []
            assert await table.count_rows(conn, 1, 2) == 0
            assert await table.erase_rows(conn, 1, 2) == 0


def test_every_retention_setting_named_by_a_table_is_one_the_server_settings_have() -> None:
    from bot.privacy.settings import PrivacySettings

    _import_every_bot_package()
    known = set(PrivacySettings(1).retention_days())
    assert known == set(personal_data.RETENTION_SETTINGS)
    for table in personal_data.personal_tables():
        if table.retention_setting is not None:
            assert table.retention_setting in known, (table.table, table.retention_setting)
            assert table.age_column or table.retention_where, f"{table.table}: retention needs an age or a rule"


async def test_every_table_with_rows_per_server_has_a_guild_id_so_a_purge_reaches_it(db: Database) -> None:
    _import_every_bot_package()
    unscoped = set()
    for name in await table_names(db.reader):
        if "guild_id" not in await column_names(db.reader, name):
            unscoped.add(name)
    # The bot's own state only (its processes' heartbeats among it); every personal table is per server.
    assert unscoped == {"bot_meta", "schema_migrations", "bot_processes"}
