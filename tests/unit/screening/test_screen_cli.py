"""bot/screening/cli.py: ``python -m bot screen``: lines in, one JSON verdict a line out."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.clock import FakeClock
from bot.core.config import parse_config
from bot.core.db import Database, table_names
from bot.screening.cli import run_screen
from bot.screening.words import add_word
from tests.engine import sqlite_only

GUILD = 1001


async def run(lines: str, config=None, guild=None) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    code = await run_screen(config, guild, io.StringIO(lines), out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


async def test_plain_and_json_lines_get_one_verdict_each() -> None:
    code, verdicts = await run('this fucking flare\n{"text": "I want to kill myself"}\n\nso use it\n')
    assert code == 0
    assert verdicts == [
        {"profane": True, "slur": False, "censored": "this f****** flare", "crisis": "none", "signal": None,
         "rule": None, "identifying": []},
        {"profane": False, "slur": False, "censored": "I want to kill myself", "crisis": "crisis",
         "signal": "rule+encoder", "rule": "kill_myself", "identifying": []},
        {"profane": False, "slur": False, "censored": "", "crisis": "none", "signal": None, "rule": None,
         "identifying": []},
        {"profane": False, "slur": False, "censored": "so use it", "crisis": "none", "signal": None, "rule": None,
         "identifying": []},
    ]


async def test_json_without_text_is_reported_in_its_place(capsys: pytest.CaptureFixture[str]) -> None:
    code, verdicts = await run('{"body": "x"}\n{not json but text\n')
    assert code == 1
    assert verdicts[0] == {"error": 'line 1: a JSON line needs a "text" field'}
    assert verdicts[1]["censored"] == "{not json but text"
    assert 'line 1: a JSON line needs a "text" field' in capsys.readouterr().err


async def test_guild_without_config_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, verdicts = await run("hello\n", guild=GUILD)
    assert (code, verdicts) == (2, [])
    assert "--guild needs --config" in capsys.readouterr().err


async def test_guild_words_come_from_the_database(tmp_path: Path) -> None:
    config = parse_config({"database": {"path": str(tmp_path / "bot.sqlite3")}})
    async with Database(config.database_path) as db:
        await db.migrate()
        await add_word(db, FakeClock(), GUILD, "flare", "block")
        await add_word(db, FakeClock(), GUILD, "damn", "allow")
    _, verdicts = await run("damn this flare\n", config=config, guild=GUILD)
    assert verdicts[0]["censored"] == "damn this f****"
    _, verdicts = await run("damn this flare\n", config=config, guild=GUILD + 1)
    assert verdicts[0]["censored"] == "d*** this flare"


@sqlite_only("a SQLite database is a file, which may be missing")
async def test_a_missing_database_is_reported_not_created_sqlite_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = parse_config({"database": {"path": str(tmp_path / "new.sqlite3")}})
    code, verdicts = await run("hello\n", config=config, guild=GUILD)
    assert (code, verdicts) == (2, [])
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "new.sqlite3").exists()


async def test_an_unmigrated_database_is_only_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = parse_config({"database": {"path": str(tmp_path / "old.sqlite3")}})
    async with Database(config.database_path) as db:
        await db.execute("CREATE TABLE unrelated (x INTEGER)")
    code, _ = await run("hello\n", config=config, guild=GUILD)
    assert code == 2 and "python -m bot migrate" in capsys.readouterr().err
    async with Database(config.database_path) as db:
        assert "schema_migrations" not in await table_names(db.reader)


def test_command_line_wiring(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("what a shit day\n"))
    assert main(["screen"]) == 0
    assert json.loads(capsys.readouterr().out)["censored"] == "what a s*** day"


async def test_the_deciding_signal_names_the_encoder() -> None:
    # Preparation and a farewell with no crisis word: the contextual encoder decides.
    code, [verdict] = await run("left letters for the kids in the drawer and my cat is with mum for good now. "
                                "thank you all for everything\n")
    assert code == 0
    assert verdict["crisis"] == "crisis" and "encoder" in verdict["signal"] and verdict["rule"] is None
