"""bot.core.anonymity: where the key comes from, its file's permissions, keyed hashes, rotation."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from bot.__main__ import setup_logging
from bot.core import anonymity
from bot.core.anonymity import ENV_VAR, AnonymityKeyError, load_key, rotate_key
from bot.core.config import parse_config


def test_a_missing_key_file_is_created_0600_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "bot.anonymity-key"
    first = load_key(path, env={})
    assert first.created and first.source == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = load_key(path, env={})
    assert not second.created and second.secret == first.secret
    assert first.keyed_hash("story_author", 1, 2) == second.keyed_hash("story_author", 1, 2)


def test_the_environment_wins_and_short_keys_are_refused(tmp_path: Path) -> None:
    key = load_key(tmp_path / "k", env={ENV_VAR: "x" * 40})
    assert key.source == "environment" and not (tmp_path / "k").exists()
    with pytest.raises(AnonymityKeyError):
        load_key(tmp_path / "k", env={ENV_VAR: "short"})
    with pytest.raises(AnonymityKeyError, match=ENV_VAR):
        rotate_key(tmp_path / "k", env={ENV_VAR: "x" * 40})


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    path.write_text("y" * 64)
    path.chmod(0o644)
    with pytest.raises(AnonymityKeyError, match="chmod 600"):
        load_key(path, env={})


def test_keyed_hashes_depend_on_purpose_parts_and_key_and_rotation_changes_them(tmp_path: Path) -> None:
    path = tmp_path / "k"
    key = load_key(path, env={})
    one = key.keyed_hash("story_author", 10, 20)
    assert len(one) == 64 and "20" not in one[:0]
    assert one != key.keyed_hash("story_support", 10, 20)
    assert one != key.keyed_hash("story_author", 10, 21)
    assert one != key.keyed_hash("story_author", 102, 0), "parts are separated, not concatenated"
    rotated = rotate_key(path, env={})
    assert rotated.keyed_hash("story_author", 10, 20) != one
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_installed_key_serves_the_module_level_keyed_hash(tmp_path: Path) -> None:
    key = load_key(tmp_path / "k", env={})
    anonymity.install(key)
    assert anonymity.keyed_hash("coping", 1, 2) == key.keyed_hash("coping", 1, 2)


def test_the_key_file_defaults_next_to_the_database_or_follows_the_config(tmp_path: Path) -> None:
    config = parse_config({"database": {"path": str(tmp_path / "bot.sqlite3")}})
    assert config.anonymity_key_path == tmp_path / "bot.sqlite3.anonymity-key"
    config = parse_config({"privacy": {"key_file": str(tmp_path / "secret.key")}})
    assert config.anonymity_key_path == tmp_path / "secret.key"


def test_setup_logging_keeps_sql_and_gateway_logs_out_even_at_debug() -> None:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger("discord").level,
             logging.getLogger("aiosqlite").level)
    try:
        setup_logging("DEBUG")
        assert logging.getLogger("aiosqlite").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("discord").getEffectiveLevel() == logging.INFO
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        logging.getLogger("discord").setLevel(saved[2])
        logging.getLogger("aiosqlite").setLevel(saved[3])


def test_a_missing_key_is_refused_when_the_database_holds_keyed_rows(tmp_path: Path) -> None:
    path = tmp_path / "bot.anonymity-key"
    with pytest.raises(AnonymityKeyError, match="Refusing to start rather than create a new key"):
        load_key(path, env={}, create=False)
    assert not path.exists(), "no new key was written"
    assert load_key(path, env={ENV_VAR: "y" * 40}, create=False).source == "environment"


def test_a_key_in_the_database_s_folder_is_warned_about(tmp_path: Path) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    database.parent.mkdir()
    beside = anonymity.default_key_path(database)
    warning = anonymity.placement_warning(beside, database, env={})
    assert warning is not None and "database's folder" in warning and ENV_VAR in warning
    assert anonymity.placement_warning(tmp_path / "secrets" / "key", database, env={}) is None
    below = database.parent / "keys" / "anonymity.key"  # a copy of the folder carries it too
    assert anonymity.placement_warning(below, database, env={}) is not None
    assert anonymity.placement_warning(beside, database, env={ENV_VAR: "z" * 40}) is None


def test_run_bot_exits_non_zero_with_a_clear_message_when_the_key_is_missing(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from discord.ext import commands

    from bot import client
    from bot.core.config import Config

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise commands.ExtensionFailed("cogs.stories", AnonymityKeyError("the anonymity key is missing"))

    monkeypatch.setenv("DISCORD_TOKEN", "token")
    monkeypatch.setattr(client.PeerCirclesBot, "run", refuse)
    assert client.run_bot(Config()) == 1
    assert "error: the anonymity key is missing" in capsys.readouterr().err


def test_python_m_bot_status_warns_about_the_key_beside_the_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    monkeypatch.delenv(ENV_VAR, raising=False)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "data" / "bot.sqlite3"}"\n')
    main(["status", "--config", str(config)])
    assert "Warning: the anonymity key file" in capsys.readouterr().out
    config.write_text(f'[database]\npath = "{tmp_path / "data" / "bot.sqlite3"}"\n'
                      f'[privacy]\nkey_file = "{tmp_path / "elsewhere" / "key"}"\n')
    main(["status", "--config", str(config)])
    assert "Warning" not in capsys.readouterr().out


# -- several processes share one key (issue 28) ---------------------------------------------------


def test_a_process_sharing_the_key_never_makes_one_and_names_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "bot.anonymity-key"
    config = parse_config({"bot": {"shards": "0-1", "shard_count": 4}})
    assert config.shared_key_reason is not None
    # create=True is overruled: a key of its own would split members' rows between processes.
    with pytest.raises(AnonymityKeyError) as refused:
        load_key(path, env={}, create=True, shared_by=config.shared_key_reason)
    message = str(refused.value)
    assert 'bot.shards = "0-1" of bot.shard_count = 4' in message
    assert "python -m bot init-key" in message and ENV_VAR in message and str(path) in message
    assert not path.exists(), "no key was made"
    # The shared key, once there (file or environment), is used as it is.
    made = load_key(path, env={})
    assert load_key(path, env={}, shared_by=config.shared_key_reason).secret == made.secret
    assert load_key(tmp_path / "none", env={ENV_VAR: "s" * 40}, shared_by="x").source == "environment"


def test_which_setups_need_a_shared_key(tmp_path: Path) -> None:
    assert parse_config({}).shared_key_reason is None
    # One process running every shard of the count is still alone on its SQLite file.
    assert parse_config({"bot": {"shard_count": 4}}).shared_key_reason is None
    assert parse_config({"bot": {"shards": "0-3", "shard_count": 4}}).shared_key_reason is None
    partial = parse_config({"bot": {"shards": "2-3", "shard_count": 4}}).shared_key_reason
    assert partial is not None and "bot.shards" in partial
    postgres = parse_config({"database": {"url": "postgresql://bot@db:5432/pc"}}).shared_key_reason
    assert postgres is not None and "database.url" in postgres


def test_check_config_refuses_a_shard_range_without_the_shared_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    monkeypatch.delenv(ENV_VAR, raising=False)
    key = tmp_path / "secrets" / "anonymity-key"
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "bot.sqlite3"}"\n[bot]\nshards = "0-1"\nshard_count = 4\n'
                      f'[privacy]\nkey_file = "{key}"\n')
    assert main(["check-config", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {config}: the anonymity key is missing") and 'bot.shards = "0-1"' in err
    assert not key.exists(), "check-config never makes a key"
    # init-key makes it once (the database holds no stories yet); then check-config passes.
    assert main(["init-key", "--config", str(config)]) == 0
    assert "wrote a new anonymity key to" in capsys.readouterr().out
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert main(["check-config", str(config)]) == 0
    assert main(["init-key", "--config", str(config)]) == 0
    assert "already there" in capsys.readouterr().out


async def test_init_key_refuses_when_stories_need_the_missing_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import _init_key
    from bot.core.db import Database

    monkeypatch.delenv(ENV_VAR, raising=False)
    config = parse_config({"database": {"path": str(tmp_path / "bot.sqlite3")},
                           "privacy": {"key_file": str(tmp_path / "k")}})
    async with Database(config.database_url) as db:
        await db.migrate()
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO story_blocks (guild_id, author_key, until, story_id, created_at)"
                               " VALUES (1, 'a', 'later', 1, 'now')")
    assert await _init_key(config) == 1
    assert "Refusing to start" in capsys.readouterr().err
    assert not (tmp_path / "k").exists()
