"""What "anonymous" promises, checked on the raw database file, the logs and every message sent;
and the one-way key: its file, and rotating it unlinks past stories."""

from __future__ import annotations

import logging
import stat
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.client import PeerCirclesBot
from bot.core.anonymity import ENV_VAR
from bot.core.db import Database, column_names, table_names
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer
from tests.e2e.stories.helpers import share, starter, story_world, wait_published
from tests.engine import sqlite_only

# Written before any story: the seat and the consent record when the member joined the circle, and
# that they are in the server (member_servers, for the bot's DM features) when they joined it.
CIRCLE_TABLES = {"circle_seats", "consent_log", "member_servers"}


def raw_bytes(db_path: Path) -> bytes:
    data = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def occurrences(data: bytes, user_id: str) -> tuple[int, int]:
    """(as text, as the 8-byte big-endian integer SQLite stores)."""
    return data.count(user_id.encode()), data.count(int(user_id).to_bytes(8, "big"))


async def tables_holding(db: Database, user_id: str) -> set[str]:
    found = set()
    for table in await table_names(db.reader):
        for column in await column_names(db.reader, table):
            hit = await db.fetchval(
                f"SELECT 1 FROM {table} WHERE {column} = ? OR CAST({column} AS TEXT) LIKE ? LIMIT 1",
                (int(user_id), f"%{user_id}%"))
            if hit:
                found.add(table)
    return found


async def rows_containing(db: Database, text: str) -> list[str]:
    """``table.column`` of every value that holds ``text``."""
    found = []
    for table in await table_names(db.reader):
        for column in await column_names(db.reader, table):
            if await db.fetchval(f"SELECT 1 FROM {table} WHERE CAST({column} AS TEXT) LIKE ? LIMIT 1",
                                 (f"%{text}%",)):
                found.append(f"{table}.{column}")
    return found


@dataclass
class Published:
    """A story shared, approved by a moderator, published and supported, with what it left."""

    author: str
    receipt: str
    done: dict[str, Any]
    thread: dict[str, Any]
    calls_before: int


async def publish_and_support(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server,
                              before: Callable[[str], Awaitable[None]]) -> Published:
    """The whole life of a story, with ``before(author)`` run just before the member shares it."""
    world = await story_world(bot, emulator, server, review_mode="all")
    mod = await emulator.member_join(server.guild_id, "mo")
    await emulator.set_roles(server.guild_id, mod, [server.moderator_role_id])
    assert await tables_holding(bot.db, world.author) == CIRCLE_TABLES
    await before(world.author)
    calls_before = len(emulator.calls)
    done, receipt = await share(emulator, server, world.author, world.circle)
    await emulator.wait_until(lambda: emulator.world.messages.get(server.queue_id), 5, "the review card")
    (card,) = [m for m in emulator.world.messages[server.queue_id].values() if m.get("components")]
    await answer(await emulator.click(mod, card, label="Approve"))
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    await answer(await emulator.click(world.reader, starter(emulator, thread), label="Sending support"))
    await bot.outbox.drain()
    return Published(world.author, receipt, done, thread, calls_before)


async def test_after_publishing_the_author_id_is_in_no_new_row_log_or_message(
        runner: BotRunner, emulator: DiscordEmulator, server: Server, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    # As `python -m bot` logs at its most verbose (setup_logging keeps these two at INFO; a unit test
    # checks that): everything else at DEBUG.
    caplog.set_level(logging.INFO, logger="discord")
    caplog.set_level(logging.INFO, logger="aiosqlite")
    bot = await runner.start()

    async def clear_logs(author: str) -> None:
        caplog.clear()

    story = await publish_and_support(bot, emulator, server, clear_logs)

    assert await tables_holding(bot.db, story.author) == CIRCLE_TABLES, "no new table knows the author"
    key = bot.config.anonymity_key_path.read_bytes().strip().decode("latin-1")
    assert await rows_containing(bot.db, key) == [], "the secret is never in the database"
    assert await rows_containing(bot.db, story.receipt) == [], "only the receipt's hash is kept"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "story published" in logged and story.author not in logged, "logs carry story ids, never the author"
    sent = [c for c in emulator.calls[story.calls_before:] if c.json is not None]
    story_bodies = [str(c.json) for c in sent]
    assert story_bodies, "the bot sent the post and the review card"
    assert not [b for b in story_bodies if story.author in b], "no message about the story names the author"
    assert story.author not in text_of(story.done) and story.author not in str(starter(emulator, story.thread))


@sqlite_only("the bytes of SQLite's database file and write-ahead log")
async def test_after_publishing_the_author_id_is_nowhere_in_the_database_file_sqlite_only(
        runner: BotRunner, emulator: DiscordEmulator, server: Server, tmp_path: Path) -> None:
    bot = await runner.start()
    db_path = tmp_path / "bot.sqlite3"
    counted: list[tuple[int, int]] = []

    async def count_before(author: str) -> None:
        await bot.db.checkpoint()
        counted.append(occurrences(raw_bytes(db_path), author))

    story = await publish_and_support(bot, emulator, server, count_before)

    await bot.db.checkpoint()
    assert occurrences(raw_bytes(db_path), story.author) == counted[0], "not one new copy of the id, as text or bytes"
    key = bot.config.anonymity_key_path.read_bytes().strip()
    assert key not in raw_bytes(db_path), "the secret is never in the database"
    assert story.receipt not in raw_bytes(db_path).decode("latin-1"), "only the receipt's hash is kept"


async def test_the_key_file_is_created_0600_and_rotating_it_unlinks_past_stories(
        runner: BotRunner, emulator: DiscordEmulator, server: Server, caplog: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    bot = await runner.start()
    key_path = bot.config.anonymity_key_path
    assert key_path.exists() and stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert str(key_path) in caplog.text, "the bot says where it wrote the key"
    world = await story_world(bot, emulator, server)
    await share(emulator, server, world.author, world.circle)
    (thread,) = await wait_published(emulator, world.circle, bot=bot)

    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "bot.sqlite3"}"\n')
    assert main(["rotate-key", "--config", str(config)]) == 0
    assert str(key_path) in capsys.readouterr().out
    bot = await runner.restart()

    post = emulator.world.messages[thread["id"]][thread["id"]]
    reply = await (await emulator.click(world.author, post, label="Reply as the author")).reply()
    assert "Only the story's author" in reply["content"], "the old story no longer knows its author"
    blocked = await (await emulator.slash(server.guild_id, server.owner_id, "story-admin block", story=1,
                                          duration=30)).reply()
    assert "can't share stories until" in blocked["content"]
    form = await emulator.slash(server.guild_id, world.author, "story share", circle=str(world.circle.id))
    assert (await form.modal())["title"], "a block placed from a pre-rotation story reaches no one"
