"""TOML configuration -> typed, validated settings.

Secrets never live in the file: the Discord token comes from ``DISCORD_TOKEN`` and the key that
hashes anonymous authors from ``PEER_CIRCLES_SECRET``. Every problem is reported as one
``ConfigError`` naming the file, the key and what was expected, so ``python -m bot`` can print it
on one line and exit 2.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DISCORD_API = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A configuration problem, worded for the person running the bot."""


@dataclass(frozen=True)
class DiscordSettings:
    api_base_url: str = DISCORD_API
    gateway_url: str = DISCORD_GATEWAY
    dev_guild_id: int | None = None
    # Discord's global limit, requests a second, shared by every request the bot starts itself
    # (bot/delivery/budget.py). Only a test server with other limits needs another figure.
    global_limit: int = 50


@dataclass(frozen=True)
class DatabaseSettings:
    path: str = "peer-circles.sqlite3"


@dataclass(frozen=True)
class LoggingSettings:
    level: str = "INFO"


@dataclass(frozen=True)
class BotSettings:
    # Time zone used when a server has not chosen one (e.g. for quiet hours and summaries).
    default_timezone: str = "UTC"
    # Crisis-resources region used until a server's /setup picks one.
    default_region: str = "US"


@dataclass(frozen=True)
class OutboxSettings:
    # The most the outbox may spend of the global budget, requests a second. It only ever gets
    # what other requests (role grants, channels) leave; interaction replies do not count.
    rate_per_second: float = 50.0
    max_attempts: int = 8


@dataclass(frozen=True)
class SchedulerSettings:
    # How far ahead occurrences are held as APScheduler jobs; the rest stay in the database.
    window_minutes: int = 60
    # How late a missed occurrence of a "late"-policy schedule may still be sent after downtime.
    late_grace_minutes: int = 720


@dataclass(frozen=True)
class Config:
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    bot: BotSettings = field(default_factory=BotSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    source: str = "<defaults>"

    @property
    def database_path(self) -> Path:
        """The database path, relative paths taken from the config file's folder."""
        path = Path(self.database.path)
        if path.is_absolute() or self.source.startswith("<"):
            return path
        return Path(self.source).resolve().parent / path


def _expect(value: Any, typ: Any, where: str) -> Any:
    if typ is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if typ is int or typ == (int | None):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected a whole number, got {value!r}")
        return value
    if typ is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if typ is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected text in quotes, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported setting type")  # pragma: no cover


def _section(cls: type, data: Any, file: str, name: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: [{name}] must be a table of settings")
    hints = get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(
                f"{file}: unknown key {name}.{key} (known keys in [{name}]: {', '.join(sorted(known))})"
            )
        values[key] = _expect(value, hints[key], f"{file}: {name}.{key}")
    return cls(**values)


def _check_url(value: str, schemes: tuple[str, ...], where: str) -> None:
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise ConfigError(f"{where}: expected a URL starting with {' or '.join(schemes)}://, got {value!r}")


def is_region_code(value: str) -> bool:
    """A two-letter country code in either case (isalpha alone would accept letters such as Ü)."""
    return len(value) == 2 and value.isascii() and value.isalpha()


def is_time_zone(value: str) -> bool:
    """An IANA time zone name this machine knows (tzdata ships them all)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_zone(value: str, where: str) -> None:
    if not is_time_zone(value):
        raise ConfigError(f"{where}: unknown time zone {value!r} (expected an IANA name such as Europe/Berlin)")


def parse_config(data: dict[str, Any], file: str = "<memory>") -> Config:
    sections = {
        f.name: f.type for f in dataclasses.fields(Config) if f.name != "source"
    }
    hints = get_type_hints(Config)
    built: dict[str, Any] = {}
    for key, value in data.items():
        if key not in sections:
            raise ConfigError(
                f"{file}: unknown section [{key}] (known sections: {', '.join(sorted(sections))})"
            )
        built[key] = _section(hints[key], value, file, key)
    config = Config(**built, source=file)

    _check_url(config.discord.api_base_url, ("http", "https"), f"{file}: discord.api_base_url")
    _check_url(config.discord.gateway_url, ("ws", "wss"), f"{file}: discord.gateway_url")
    if config.discord.dev_guild_id is not None and config.discord.dev_guild_id <= 0:
        raise ConfigError(f"{file}: discord.dev_guild_id: expected a server id (a positive number)")
    if not config.database.path.strip():
        raise ConfigError(f"{file}: database.path: expected a file path, got an empty string")
    if config.logging.level.upper() not in LOG_LEVELS:
        raise ConfigError(f"{file}: logging.level: expected one of {', '.join(LOG_LEVELS)}")
    _check_zone(config.bot.default_timezone, f"{file}: bot.default_timezone")
    if not is_region_code(config.bot.default_region):
        raise ConfigError(f"{file}: bot.default_region: expected a two-letter country code such as GB")
    # Stored in capitals, as /setup stores a server's region.
    config = dataclasses.replace(
        config, bot=dataclasses.replace(config.bot, default_region=config.bot.default_region.upper())
    )
    if not 0 < config.discord.global_limit <= 10_000:
        raise ConfigError(f"{file}: discord.global_limit: expected a whole number from 1 to 10000")
    if not 0 < config.outbox.rate_per_second <= config.discord.global_limit:
        raise ConfigError(f"{file}: outbox.rate_per_second: expected a number above 0 and at most "
                          f"discord.global_limit ({config.discord.global_limit})")
    if config.outbox.max_attempts < 1:
        raise ConfigError(f"{file}: outbox.max_attempts: expected at least 1")
    if config.scheduler.window_minutes < 1:
        raise ConfigError(f"{file}: scheduler.window_minutes: expected at least 1")
    if config.scheduler.late_grace_minutes < 0:
        raise ConfigError(f"{file}: scheduler.late_grace_minutes: expected 0 or more")
    return config


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
