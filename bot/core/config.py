"""TOML configuration -> typed, validated settings.

Secrets never live in the file: the Discord token comes from ``DISCORD_TOKEN`` and the key that
hashes anonymous authors from ``PEER_CIRCLES_ANONYMITY_KEY`` or a 0600 key file (``[privacy] key_file``,
see bot/core/anonymity.py). Every problem is reported as one
``ConfigError`` naming the file, the key and what was expected, so ``python -m bot`` can print it
on one line and exit 2.
"""

from __future__ import annotations

import math
import os
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.core.postgres import is_postgres_url
from bot.core.typed import zone_name

DISCORD_API = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Discord asks for a shard per 2,500 servers at most; this bound only keeps typos out.
MAX_SHARD_COUNT = 4096


class ConfigError(Exception):
    """A configuration problem, worded for the person running the bot."""


class _Section(BaseModel):
    # Typed as written (no "45" for 45, no true for 1), no unknown keys, never changed after loading.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def is_region_code(value: str) -> bool:
    """A two-letter country code in either case (isalpha alone would accept letters such as Ü)."""
    return len(value) == 2 and value.isascii() and value.isalpha()


def is_time_zone(value: str) -> bool:
    """An IANA time zone name this machine knows (tzdata ships them all), spelt as listed."""
    return zone_name(value) == value


def shard_range(text: str) -> tuple[int, int]:
    """``"0-3"`` -> (0, 3); ``"2"`` -> (2, 2). Raises ValueError saying what is expected."""
    expected = f"expected a shard range such as \"0-3\" (first-last, counting from 0) or one shard \"2\", got {text!r}"
    parts = text.strip().split("-")
    if len(parts) > 2 or not all(part.strip().isascii() and part.strip().isdigit() for part in parts):
        raise ValueError(expected)
    first, last = int(parts[0]), int(parts[-1])
    if first > last:
        raise ValueError(f"{expected}: the first shard comes after the last")
    return first, last


def _url(value: str, schemes: tuple[str, ...]) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise ValueError(f"expected a URL starting with {' or '.join(schemes)}://, got {value!r}")
    return value


class DiscordSettings(_Section):
    api_base_url: str = DISCORD_API
    gateway_url: str = DISCORD_GATEWAY
    dev_guild_id: int | None = Field(default=None, gt=0)
    # Discord's global limit, requests a second, shared by every request the bot starts itself
    # (bot/delivery/budget.py). Only a test server with other limits needs another figure.
    global_limit: int = Field(default=50, ge=1, le=10_000)

    @field_validator("api_base_url")
    @classmethod
    def _api(cls, value: str) -> str:
        return _url(value, ("http", "https"))

    @field_validator("gateway_url")
    @classmethod
    def _gateway(cls, value: str) -> str:
        return _url(value, ("ws", "wss"))


class DatabaseSettings(_Section):
    path: str = "peer-circles.sqlite3"
    # Empty: the SQLite file ``path``. Else a SQLite file path, or ``postgresql://user@host:port/db``
    # (the ``postgres`` extra installs its driver, asyncpg) for several bot processes on one database.
    url: str = ""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("expected a file path, got an empty string")
        return value


class LoggingSettings(_Section):
    level: str = "INFO"

    @field_validator("level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return value


class BotSettings(_Section):
    # Time zone used when a server has not chosen one (e.g. for quiet hours and summaries).
    default_timezone: str = "UTC"
    # Crisis-resources region used until a server's /setup picks one (stored in capitals).
    default_region: str = "US"
    # Several processes by shard range: this process runs shards ``shards`` ("0-3", or one: "2") of
    # ``shard_count``. Both unset: one process, all of the bot's servers (no sharding). Only
    # ``shard_count``: this one process runs all of that many shards.
    shards: str = ""
    shard_count: int | None = Field(default=None, ge=1, le=MAX_SHARD_COUNT)

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not is_time_zone(value):
            raise ValueError(f"unknown time zone {value!r} (expected an IANA name such as Europe/Berlin)")
        return value

    @field_validator("default_region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not is_region_code(value):
            raise ValueError("expected a two-letter country code such as GB")
        return value.upper()

    @field_validator("shards")
    @classmethod
    def _shards(cls, value: str) -> str:
        if value.strip():
            shard_range(value)  # raises ValueError with what was expected
        return value.strip()

    @property
    def shard_ids(self) -> list[int] | None:
        """The shards this process runs, or None: not sharded (one process, every server)."""
        if self.shard_count is None:
            return None
        first, last = shard_range(self.shards) if self.shards else (0, self.shard_count - 1)
        return list(range(first, last + 1))

    @property
    def runs_some_shards(self) -> bool:
        """True when other processes run the rest of the shards (this one covers only part)."""
        ids = self.shard_ids
        return ids is not None and self.shard_count is not None and len(ids) < self.shard_count


class OutboxSettings(_Section):
    # The most the outbox may spend of the global budget, requests a second. It only ever gets
    # what other requests (role grants, channels) leave; interaction replies do not count.
    rate_per_second: float = 50.0
    max_attempts: int = Field(default=8, ge=1)


class SchedulerSettings(_Section):
    # How far ahead fire instants are held in memory as wake-ups; the rest stay in the database.
    window_minutes: int = Field(default=60, ge=1)
    # How late a missed occurrence of a "late"-policy schedule may still be sent after downtime.
    late_grace_minutes: int = Field(default=720, ge=0)


class PrivacySettings(_Section):
    # The file holding the anonymity key (bot/core/anonymity.py); empty: next to the database.
    key_file: str = ""


class Config(_Section):
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    bot: BotSettings = Field(default_factory=BotSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    source: str = "<defaults>"

    @model_validator(mode="after")
    def _outbox_within_budget(self) -> Config:
        rate, limit = self.outbox.rate_per_second, self.discord.global_limit
        if not (math.isfinite(rate) and 0 < rate <= limit):
            raise ValueError(f"outbox.rate_per_second: expected a number above 0 and at most "
                             f"discord.global_limit ({limit})")
        return self

    @model_validator(mode="after")
    def _shards_within_count(self) -> Config:
        if not self.bot.shards:
            return self
        if self.bot.shard_count is None:
            raise ValueError(f"bot.shards: {self.bot.shards!r} needs bot.shard_count, the number of shards every"
                             " process together runs (for example shard_count = 4)")
        _first, last = shard_range(self.bot.shards)
        if last >= self.bot.shard_count:
            raise ValueError(f"bot.shards: {self.bot.shards!r} is outside bot.shard_count = {self.bot.shard_count}"
                             f" (shard ids run from 0 to {self.bot.shard_count - 1})")
        return self

    @property
    def database_url(self) -> str:
        """What the bot opens: ``database.url`` when it is a PostgreSQL URL, else the SQLite file."""
        if is_postgres_url(self.database.url):
            return self.database.url
        return str(self.database_path)

    @property
    def uses_postgres(self) -> bool:
        return is_postgres_url(self.database.url)

    @property
    def database_shown(self) -> str:
        """The database as messages name it: the SQLite file, never a PostgreSQL URL (it may hold a password)."""
        return "the PostgreSQL database (database.url)" if self.uses_postgres else str(self.database_path)

    @property
    def shared_key_reason(self) -> str | None:
        """Why this process must find the anonymity key another process shares (and never make its
        own): other processes run the remaining shards, or the database is PostgreSQL, which any
        number of processes may share. None: one process on its own SQLite file."""
        if self.bot.runs_some_shards:
            return (f"bot.shards = \"{self.bot.shards}\" of bot.shard_count = {self.bot.shard_count}"
                    " (other processes run the rest)")
        if self.uses_postgres:
            return "database.url is PostgreSQL (every process on it must use one key)"
        return None

    @property
    def database_path(self) -> Path:
        """The SQLite database path, relative paths taken from the config file's folder (with a
        PostgreSQL ``database.url``, the folder beside which the anonymity key is kept)."""
        url = self.database.url.strip()
        path = Path(url if url and not is_postgres_url(url) else self.database.path)
        if path.is_absolute() or self.source.startswith("<"):
            return path
        return Path(self.source).resolve().parent / path

    @property
    def anonymity_key_path(self) -> Path:
        """The anonymity key file: ``privacy.key_file`` (relative to the config's folder) or next to the database."""
        if not self.privacy.key_file:
            return self.database_path.with_name(self.database_path.name + ".anonymity-key")
        path = Path(self.privacy.key_file)
        if path.is_absolute() or self.source.startswith("<"):
            return path
        return Path(self.source).resolve().parent / path


SECTIONS: dict[str, type[_Section]] = {
    name: field.annotation for name, field in Config.model_fields.items()  # type: ignore[misc]
    if name != "source"
}

# What each pydantic error type means, in the words a person editing the file needs.
_EXPECTED = {
    "int_type": "expected a whole number", "int_from_float": "expected a whole number",
    "float_type": "expected a number", "string_type": "expected text in quotes",
    "bool_type": "expected true or false", "list_type": "expected a list [ ... ]",
    "enum": "expected one of the listed values", "literal_error": "expected one of the listed values",
}


def _one_line(error: Any, file: str) -> str:
    """One pydantic error as the one line `python -m bot` prints."""
    loc = [str(part) for part in error["loc"]]
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        if len(loc) == 1:
            return f"{file}: unknown section [{loc[0]}] (known sections: {', '.join(sorted(SECTIONS))})"
        section = SECTIONS.get(loc[0])
        known = ", ".join(sorted(section.model_fields)) if section else ""
        return f"{file}: unknown key {'.'.join(loc)} (known keys in [{loc[0]}]: {known})"
    if kind in ("model_type", "model_attributes_type", "dict_type") and len(loc) == 1:
        return f"{file}: [{loc[0]}] must be a table of settings"
    key = ".".join(loc)
    where = f"{file}: {key}: " if key else f"{file}: "
    if kind in _EXPECTED:
        return f"{where}{_EXPECTED[kind]}, got {value!r}"
    if kind == "value_error":
        return f"{where}{error['ctx']['error']}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {"greater_than": "above", "greater_than_equal": "at least", "less_than": "below",
                 "less_than_equal": "at most"}[kind]
        bound = next(iter(error["ctx"].values()))
        return f"{where}expected a value {words} {bound}, got {value!r}"
    return f"{where}{error['msg']}"


def parse_config(data: dict[str, Any], file: str = "<memory>") -> Config:
    """Validate parsed TOML; raise ConfigError with one line naming the file, the key and what
    is expected (the first problem found)."""
    try:
        return Config.model_validate({**data, "source": file})
    except ValidationError as exc:
        raise ConfigError(_one_line(exc.errors()[0], file)) from None


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML config file; raise ConfigError with a one-line reason."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{file}: file not found (copy config.example.toml to {file} and edit it)") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot be read ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: is not valid TOML ({exc})") from None
    return parse_config(data, file)


def discord_token() -> str:
    """The bot token, only ever from the environment."""
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "DISCORD_TOKEN is not set: export your bot token (never put it in a file in the repo), "
            "or run `python -m bot demo` to see the bot offline"
        )
    return token
