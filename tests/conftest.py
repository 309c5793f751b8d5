"""Test-wide settings."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.spec import SpecValidator, default_spec_path
from tests import postgres_cluster


def pytest_report_header(config: pytest.Config) -> list[str]:
    engine = "database: PostgreSQL (a throwaway cluster)" if _cluster is not None else "database: SQLite"
    if SpecValidator.load() is None:
        return ["discord-api-spec: not found; the emulator's request validation is SKIPPED", engine]
    return [f"discord-api-spec: {default_spec_path()} (every request body is validated)", engine]


@pytest.fixture
def written_logs() -> Iterator[io.StringIO]:
    """Everything every logger writes, through the bot's real handler and formatter, at the most
    verbose level a deployment can ask for (`logging.level = "DEBUG"`: discord.py stays at INFO)."""
    from bot.__main__ import log_handler

    out = io.StringIO()
    handler = log_handler(out)
    root, discord_logger = logging.getLogger(), logging.getLogger("discord")
    saved = (root.level, discord_logger.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    discord_logger.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        discord_logger.setLevel(saved[1])


# -- The suite on PostgreSQL (PEER_CIRCLES_TEST_DATABASE=postgresql) -------------------------------
# One throwaway cluster for the run; every database file a test opens (``Database(path)``) is a
# schema of its own there, the same path the same schema (so reopening a "file" finds its data).

_cluster: postgres_cluster.Cluster | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _cluster
    config.addinivalue_line(
        "markers", "sqlite_only(reason): checks what only SQLite has; skipped on PostgreSQL (tests/engine.py)")
    if postgres_cluster.wanted():
        reason = postgres_cluster.why_missing()
        if reason is not None:
            raise pytest.UsageError(f"{postgres_cluster.ENV}=postgresql, but {reason}")
        _cluster = postgres_cluster.start()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A SQLite-only test says so twice: ``_sqlite_only`` in its name and ``sqlite_only(reason)``;
    on PostgreSQL it is skipped with that reason, never silently."""
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        named = "_sqlite_only" in getattr(item, "originalname", item.name)
        if named != (marker is not None) or (marker is not None and not marker.args):
            raise pytest.UsageError(
                f"{item.nodeid}: a SQLite-only test is named ..._sqlite_only and marked sqlite_only(reason)")
        if marker is not None and _cluster is not None:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {marker.args[0]}"))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _cluster is not None:
        _cluster.stop()


@pytest.fixture(autouse=True)
def _database_on_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    if _cluster is None:
        return
    from bot.core import db as db_module

    cluster = _cluster
    schemas: dict[str, str] = {}
    original = db_module.Database.__init__

    def on_postgres(self: db_module.Database, path: str | Path) -> None:
        text = str(path)
        if text == ":memory:" or text.startswith(("postgresql://", "postgres://")):
            original(self, path)
            return
        key = str(Path(text).resolve())
        if key not in schemas:
            schemas[key] = cluster.new_schema()
        original(self, cluster.url(schemas[key]))

    monkeypatch.setattr(db_module.Database, "__init__", on_postgres)


@pytest.fixture
def postgres_url() -> str:
    """A fresh, empty PostgreSQL schema's URL; skips (with its reason) where PostgreSQL is missing."""
    if _cluster is None:
        pytest.skip(postgres_cluster.why_missing() or f"set {postgres_cluster.ENV}=postgresql to run")
    return _cluster.url(_cluster.new_schema())
