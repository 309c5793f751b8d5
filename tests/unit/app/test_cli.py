"""bot/__main__.py: what someone running ``python -m bot`` sees, and the exit codes scripts rely on."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import bot.client
from bot.__main__ import main
from bot.core.db import Database, discover_migrations, table_names
from tests.engine import on_postgresql, sqlite_only

REPO = Path(__file__).resolve().parents[3]
SUBCOMMANDS = ["run", "demo", "migrate", "check-config", "backup", "status", "screen", "rotate-key", "init-key"]


def write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\npath = "data/bot.sqlite3"\n{extra}', encoding="utf-8")
    return path


async def _tables(path: Path) -> list[str]:
    async with Database(path) as db:
        return await table_names(db.reader)


async def _insert_marker(path: Path) -> None:
    async with Database(path) as db:
        await db.execute("INSERT INTO bot_meta (key, value) VALUES ('marker', 'kept')")


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {err!r}"
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    return lines[0]


# -- check-config ---------------------------------------------------------------------------------


def test_check_config_of_a_missing_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.toml"
    assert main(["check-config", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    line = one_error_line(err)
    assert str(missing) in line and "not found" in line


def test_check_config_of_a_missing_file_as_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(tmp_path / "missing.toml")],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    line = one_error_line(result.stderr)
    assert "missing.toml: file not found" in line


def test_check_config_of_a_good_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path)
    assert main(["check-config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"{path}: ok" in out
    assert str(tmp_path / "data" / "bot.sqlite3") in out
    assert not (tmp_path / "data").exists(), "checking a config creates nothing"


def test_check_config_with_an_unknown_key_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, "[logging]\nlevle = 'DEBUG'\n")
    assert main(["check-config", str(path)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert str(path) in line and "logging.levle" in line


# -- migrate --------------------------------------------------------------------------------------


def test_migrate_creates_the_database_and_says_what_it_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path)
    database = tmp_path / "data" / "bot.sqlite3"
    assert not database.exists()

    assert main(["migrate", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert on_postgresql() or database.exists()  # on PostgreSQL the "file" is a schema
    assert {"schema_migrations", "bot_meta"} <= set(asyncio.run(_tables(database)))
    assert out.splitlines() == [f"applied {m.path.name}" for m in discover_migrations()]

    assert main(["migrate", "--config", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "database is up to date"


def test_migrate_with_a_bad_config_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, "[outbox]\nrate_per_second = 500\n")
    assert main(["migrate", "--config", str(path)]) == 2
    assert "outbox.rate_per_second" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "data").exists()


# -- backup ---------------------------------------------------------------------------------------


def test_backup_writes_a_copy_and_refuses_an_existing_destination(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path)
    assert main(["migrate", "--config", str(path)]) == 0
    database = tmp_path / "data" / "bot.sqlite3"
    live = None
    if on_postgresql():  # pg_dump runs beside the server's other sessions anyway
        asyncio.run(_insert_marker(database))
    else:
        live = sqlite3.connect(database)
        live.execute("INSERT INTO bot_meta (key, value) VALUES ('marker', 'kept')")
        live.commit()
    capsys.readouterr()

    dest = tmp_path / "backup.sqlite3"
    # The live connection stays open: backups are taken while the bot runs.
    assert main(["backup", str(dest), "--config", str(path)]) == 0
    assert "backed up" in capsys.readouterr().out
    assert dest.stat().st_mode & 0o777 == 0o600  # members' words: the operator's eyes only
    if live is None:  # pg_dump's plain SQL: the row is a line of bot_meta's COPY block
        assert "marker\tkept" in dest.read_text(encoding="utf-8").splitlines()
    else:
        assert database.stat().st_mode & 0o777 == 0o600
        copy = sqlite3.connect(dest)
        assert copy.execute("SELECT value FROM bot_meta WHERE key = 'marker'").fetchone() == ("kept",)
        copy.close()
        live.close()

    before = dest.read_bytes()
    assert main(["backup", str(dest), "--config", str(path)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert str(dest) in line and "already exists" in line
    assert dest.read_bytes() == before


@sqlite_only("a SQLite database is a file, which may be missing")
def test_backup_without_a_database_refuses_and_creates_nothing_sqlite_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path)
    dest = tmp_path / "backup.sqlite3"
    assert main(["backup", str(dest), "--config", str(path)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "no database" in line and "database.path" in line
    assert not dest.exists()
    assert not (tmp_path / "data" / "bot.sqlite3").exists()


# -- help and usage -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_works_for_every_subcommand(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m bot {command}")


def test_top_level_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in SUBCOMMANDS:
        assert command in out


def test_no_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "usage:" in capsys.readouterr().err


# -- run ------------------------------------------------------------------------------------------


def test_run_without_a_token_exits_2_without_connecting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)

    def no_connecting(*args: object, **kwargs: object) -> None:
        raise AssertionError("run must not build a client without a token")

    monkeypatch.setattr(bot.client, "PeerCirclesBot", no_connecting)
    path = write_config(tmp_path)
    assert main(["run", "--config", str(path)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "DISCORD_TOKEN is not set" in line
    assert not (tmp_path / "data").exists()


def test_run_with_a_missing_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml: file not found" in one_error_line(capsys.readouterr().err)


def test_debug_logging_keeps_discord_py_from_logging_member_text() -> None:
    import logging

    from bot.__main__ import setup_logging

    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger("discord").level)
    try:
        setup_logging("DEBUG")
        assert logging.getLogger("bot").isEnabledFor(logging.DEBUG)
        # discord.py's DEBUG lines carry raw gateway payloads and request bodies.
        assert not logging.getLogger("discord.gateway").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("discord.http").isEnabledFor(logging.DEBUG)
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        logging.getLogger("discord").setLevel(saved[2])


# -- every kind of bad config, every command that reads one ------------------------------------------

BAD_CONFIGS = [
    pytest.param(None, "file not found", id="missing-file"),
    pytest.param("[discord]\napi_base_url = \n", "is not valid TOML", id="not-toml"),
    pytest.param("[discord]\ntoken = 'abc'\n", "unknown key discord.token", id="unknown-key"),
    pytest.param("[discord]\ndev_guild_id = '12'\n", "discord.dev_guild_id: expected a whole number", id="wrong-type"),
    pytest.param("[discord]\napi_base_url = 'discord.com/api'\n", "discord.api_base_url: expected a URL",
                 id="bad-url"),
    pytest.param("[discord]\ngateway_url = 'https://gateway.example'\n", "discord.gateway_url: expected a URL",
                 id="bad-gateway-url"),
    pytest.param("[bot]\ndefault_timezone = 'Mars/Olympus'\n", "bot.default_timezone: unknown time zone",
                 id="unknown-time-zone"),
]


@pytest.mark.parametrize("command", ["run", "start", "migrate", "check-config", "backup", "status"])
@pytest.mark.parametrize(("text", "reason"), BAD_CONFIGS)
def test_every_bad_config_exits_2_with_one_line_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    command: str, text: str | None, reason: str,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "a-token")  # `start` reads the config only when a token is set

    def no_connecting(*args: object, **kwargs: object) -> None:
        raise AssertionError("a bad config must stop the bot before it connects")

    monkeypatch.setattr(bot.client, "PeerCirclesBot", no_connecting)
    path = tmp_path / "config.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    args = {"check-config": [command, str(path)], "backup": [command, str(tmp_path / "b.sqlite3"), "--config",
                                                              str(path)]}.get(command, [command, "--config", str(path)])
    assert main(args) == 2
    out, err = capsys.readouterr()
    line = one_error_line(err)
    assert line.startswith(f"error: {path}: ") and reason in line, line
    assert out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == (["config.toml"] if text is not None else [])


# -- start: only the default config path may be absent ------------------------------------------------


def test_start_without_config_toml_in_the_folder_runs_on_the_built_in_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "a-token")
    monkeypatch.chdir(tmp_path)
    seen: list[object] = []
    monkeypatch.setattr(bot.client, "run_bot", lambda config: seen.append(config) or 0)
    assert main(["start"]) == 0
    assert len(seen) == 1 and seen[0].source == "<defaults>"


def test_start_with_config_toml_in_the_folder_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "a-token")
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path)
    seen: list[object] = []
    monkeypatch.setattr(bot.client, "run_bot", lambda config: seen.append(config) or 0)
    assert main(["start"]) == 0
    assert seen[0].source == "config.toml"


# -- start-up failures end in one line -----------------------------------------------------------------


@pytest.mark.parametrize(("error", "words"), [
    pytest.param(lambda: __import__("aiohttp").ClientConnectorDNSError(
        __import__("unittest.mock").mock.Mock(host="discord.invalid", port=443, ssl=True),
        OSError(-2, "Name or service not known")), "could not reach", id="dns"),
    pytest.param(lambda: ConnectionRefusedError(111, "Connection refused"), "could not reach", id="refused"),
    pytest.param(lambda: TimeoutError(), "could not reach", id="timeout"),
])
def test_start_up_network_failures_end_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    error: object, words: str,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "a-token")

    class Failing:
        def __init__(self, config: object) -> None:
            pass

        def run(self, token: str, **kwargs: object) -> None:
            raise error()  # type: ignore[operator]

    monkeypatch.setattr(bot.client, "PeerCirclesBot", Failing)
    path = write_config(tmp_path)
    assert main(["run", "--config", str(path)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert words in line


# -- jsonschema is a test/demo extra, not a runtime dependency -------------------------------------------

NO_JSONSCHEMA = ("import sys\n"
                 "for name in ('jsonschema', 'referencing'):\n"
                 "    sys.modules[name] = None  # as if not installed\n")


def test_the_bot_imports_without_jsonschema() -> None:
    code = NO_JSONSCHEMA + "import bot.__main__, bot.client, bot.demo.walkthrough, emulator.server\nprint('ok')\n"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "jsonschema" not in str(
        __import__("tomllib").loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])


def test_the_emulator_without_jsonschema_says_validation_is_off() -> None:
    code = NO_JSONSCHEMA + ("from emulator.server import load_validator\n"
                            "validator, why = load_validator()\n"
                            "print(validator, why)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("None off: jsonschema is not installed")
