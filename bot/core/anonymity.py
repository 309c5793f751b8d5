"""The secret behind every one-way key: loading, creating, rotating, and ``keyed_hash``.

Anonymous features (stories, anonymous coping posts) must enforce blocks and limits on an author
without storing who the author is. They store ``keyed_hash(purpose, guild_id, user_id)``: an
HMAC-SHA256 whose secret lives outside the database, so the database alone never links a row to a
member. Where the secret comes from, first match wins:

1. the environment variable ``PEER_CIRCLES_ANONYMITY_KEY`` (any text of 32+ characters);
2. the key file named by ``[privacy] key_file`` in the config (default: next to the database, the
   database's file name plus ``.anonymity-key``), which must be readable by its owner only (0600);
3. none of these: a new random key is written to that file with 0600 permissions, and the caller
   is told where (``LoadedKey.created``), unless the database already holds rows only the old key
   matches, or several processes share the database (a shard range, or PostgreSQL: ``shared_by``).
   Then the process refuses to start: a key of its own would split members' anonymous rows between
   processes. ``python -m bot init-key`` creates the shared key once.

Rotating the key (``python -m bot rotate-key``) makes every past hash unmatched: past stories can
no longer be tied to anyone, including for blocks and limits.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "PEER_CIRCLES_ANONYMITY_KEY"
KEY_SUFFIX = ".anonymity-key"
MIN_KEY_CHARS = 32
_SEPARATOR = b"\x1f"


class AnonymityKeyError(Exception):
    """The key exists but cannot be used (too short, readable by others, unreadable), or it is
    missing while the database holds rows only it can match (``load_key(create=False)``)."""


def placement_warning(key_file: Path, database_path: Path, env: Mapping[str, str] | None = None) -> str | None:
    """A warning when the key file sits in the database's folder or below it: one copy of that
    folder (a backup, a stolen disk image) then carries both halves, and the one-way keys can be
    matched to members again. None when the key comes from the environment or lives elsewhere."""
    env = os.environ if env is None else env
    if env.get(ENV_VAR, "").strip():
        return None
    if not key_file.resolve().is_relative_to(database_path.resolve().parent):
        return None
    return (f"the anonymity key file {key_file} is in the database's folder: a copy of that folder carries"
            f" both the data and the key. Move it elsewhere ([privacy] key_file) or set {ENV_VAR}"
            " (see README, 'The anonymity key').")


@dataclass(frozen=True)
class LoadedKey:
    secret: bytes
    source: str  # "environment" or the key file's path
    created: bool = False  # True: a new key file was just written at ``source``

    def keyed_hash(self, purpose: str, *parts: object) -> str:
        """HMAC-SHA256 (hex) of ``purpose`` and ``parts``, e.g. ``("story_author", guild_id, user_id)``."""
        if not purpose:
            raise ValueError("a keyed hash needs a purpose")
        message = _SEPARATOR.join([purpose.encode("utf-8"), *(str(p).encode("utf-8") for p in parts)])
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def default_key_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + KEY_SUFFIX)


def _write_new(path: Path) -> bytes:
    secret = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    os.replace(tmp, path)
    return secret.encode("ascii")


def _read(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AnonymityKeyError(
            f"{path}: the anonymity key file must be readable by its owner only (run: chmod 600 {path})")
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < MIN_KEY_CHARS:
        raise AnonymityKeyError(f"{path}: the anonymity key is shorter than {MIN_KEY_CHARS} characters")
    return text.encode("utf-8")


def shared_key_missing(key_file: Path, shared_by: str) -> str:
    """Why a process that shares its database with others refuses to start without the key."""
    return (f"the anonymity key is missing ({key_file} does not exist and {ENV_VAR} is not set), and this"
            f" process must use the key every other process uses: {shared_by}. Refusing to start rather than"
            " make a key of its own, which would split members' anonymous stories, blocks and limits between"
            " processes. Create the key once with `python -m bot init-key --config PATH` and give every process"
            f" the same file ([privacy] key_file), or set {ENV_VAR} to the same value in each.")


def load_key(key_file: Path, env: Mapping[str, str] | None = None, *, create: bool = True,
             shared_by: str | None = None) -> LoadedKey:
    """The key from the environment, else the file, else a new file (see the module docstring).
    ``create=False`` (the database already holds keyed rows): a missing key is an error, since a
    new one would silently unlink every story from its author. ``shared_by`` (why several processes
    share this key, e.g. a shard range): a missing key is an error saying so, and no key is ever made."""
    env = os.environ if env is None else env
    create = create and shared_by is None
    value = env.get(ENV_VAR, "").strip()
    if value:
        if len(value) < MIN_KEY_CHARS:
            raise AnonymityKeyError(f"{ENV_VAR} is shorter than {MIN_KEY_CHARS} characters")
        return LoadedKey(value.encode("utf-8"), "environment")
    if key_file.exists():
        return LoadedKey(_read(key_file), str(key_file))
    if shared_by is not None:
        raise AnonymityKeyError(shared_key_missing(key_file, shared_by))
    if not create:
        raise AnonymityKeyError(
            f"the anonymity key is missing ({key_file} does not exist and {ENV_VAR} is not set), but the"
            " database holds anonymous stories only that key can match. Restore the key file from where"
            " you keep it (or set the variable) and start again. Refusing to start rather than create a new"
            " key, which would unlink every story from its author for good (blocks, limits, author replies).")
    return LoadedKey(_write_new(key_file), str(key_file), created=True)


def rotate_key(key_file: Path, env: Mapping[str, str] | None = None) -> LoadedKey:
    """Replace the key file with a new random key. Refused while the environment supplies the key."""
    env = os.environ if env is None else env
    if env.get(ENV_VAR, "").strip():
        raise AnonymityKeyError(f"the key comes from {ENV_VAR}: set a new random value there instead")
    return LoadedKey(_write_new(key_file), str(key_file), created=True)


# -- the process's key, installed once at start ---------------------------------------------------
_installed: LoadedKey | None = None


def install(key: LoadedKey) -> None:
    global _installed
    _installed = key


def keyed_hash(purpose: str, *parts: object) -> str:
    """The installed key's ``keyed_hash``; raises if the bot has not loaded a key yet."""
    if _installed is None:
        raise RuntimeError("no anonymity key is installed (bot.core.anonymity.install)")
    return _installed.keyed_hash(purpose, *parts)
