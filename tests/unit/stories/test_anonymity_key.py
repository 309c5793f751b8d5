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
