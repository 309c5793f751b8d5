"""Command line: ``python -m bot start|run|demo|migrate|check-config|backup|status|screen|rotate-key|init-key``.

Configuration problems print one line naming the file, key and what is expected, and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.core.config import Config, ConfigError, load_config
from bot.core.db import Database, MigrationError
from bot.core.log_format import SafeFormatter

EXIT_CONFIG = 2
DEFAULT_CONFIG = "config.toml"


def log_handler(stream: TextIO) -> logging.Handler:
    """The one handler the bot logs through (tests install the same one to read what is written)."""
    handler = logging.StreamHandler(stream)
    # Tracebacks as frames and exception types only: an exception's text may quote a member.
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


def setup_logging(level: str) -> None:
    numeric = getattr(logging, level.upper(), logging.INFO)
    logging.basicConfig(level=numeric, handlers=[log_handler(sys.stderr)], force=True)
    # discord.py logs raw gateway events and request bodies at DEBUG, which would put what members
    # write into the logs: its loggers stay at INFO or above whatever level is asked for.
    logging.getLogger("discord").setLevel(max(numeric, logging.INFO))
    # aiosqlite logs every statement with its parameters at DEBUG (story text, member ids): the same.
    logging.getLogger("aiosqlite").setLevel(max(numeric, logging.INFO))


def _fail(message: str, code: int = EXIT_CONFIG) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


async def _migrate(config: Config) -> int:
    async with Database(config.database_url) as db:
        applied = await db.migrate()
    if applied:
        for migration in applied:
            print(f"applied {migration.path.name}")
    else:
        print("database is up to date")
    return 0


async def _backup(config: Config, dest: Path) -> int:
    async with Database(config.database_url) as db:
        await db.backup(dest)
    print(f"backed up {config.database_shown} to {dest}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.client import run_bot

    config = load_config(args.config)
    setup_logging(config.logging.level)
    return run_bot(config)


def cmd_start(args: argparse.Namespace) -> int:
    """The README's first command: the real bot when a token is set, else the offline demo."""
    if not os.environ.get("DISCORD_TOKEN", "").strip():
        print("DISCORD_TOKEN is not set: playing the offline demo against the built-in Discord emulator.\n"
              "Set DISCORD_TOKEN (and write config.toml from config.example.toml) to run the real bot.\n")
        args.verbose = False
        return cmd_demo(args)
    from bot.client import run_bot

    # Only the default path may be absent (built-in defaults then); a path someone typed must exist.
    if args.config is None:
        config = load_config(DEFAULT_CONFIG) if Path(DEFAULT_CONFIG).exists() else Config()
    else:
        config = load_config(args.config)
    setup_logging(config.logging.level)
    return run_bot(config)


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo.walkthrough import run_demo

    # The transcript is for people; expected failures the scenes provoke are not news.
    setup_logging("ERROR")
    return asyncio.run(run_demo(verbose=args.verbose))


def cmd_migrate(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    setup_logging(config.logging.level)
    return asyncio.run(_migrate(config))


def cmd_check_config(args: argparse.Namespace) -> int:
    from bot.core.anonymity import AnonymityKeyError, load_key
    from bot.screening.detector import model_files_problem

    config = load_config(args.path)
    # Several processes share one anonymity key; a process without it would refuse to start.
    if config.shared_key_reason is not None:
        try:
            load_key(config.anonymity_key_path, shared_by=config.shared_key_reason)
        except AnonymityKeyError as exc:
            return _fail(f"{args.path}: {exc}", 2)
    # The crisis models are part of a working install: a missing or altered file is an error here,
    # not a quiet fallback (the running bot would screen without it and say so in /status).
    problem = model_files_problem()
    if problem:
        return _fail(f"crisis model: not loaded: {problem}", 2)
    print(f"{args.path}: ok (database {config.database_path}, api {config.discord.api_base_url}; "
          "crisis models present and checked)")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    dest = Path(args.dest)
    if dest.exists():
        return _fail(f"{dest}: already exists; choose a new file name", 1)
    # Connecting would create an empty database and "back up" that instead.
    if not Database(config.database_url).exists():
        return _fail(f"{config.database_path}: no database there to back up (see database.path in {args.config})", 1)
    return asyncio.run(_backup(config, dest))


def cmd_status(args: argparse.Namespace) -> int:
    from bot.delivery.status import print_status
    from bot.screening.detector import availability

    config = load_config(args.config)
    code = asyncio.run(print_status(config, sys.stdout))
    print(f"crisis model: {availability()}")
    return code


def cmd_screen(args: argparse.Namespace) -> int:
    from bot.screening.cli import run_screen

    config = load_config(args.config) if args.config else None
    return asyncio.run(run_screen(config, args.guild, sys.stdin, sys.stdout))


def cmd_rotate_key(args: argparse.Namespace) -> int:
    from bot.core.anonymity import AnonymityKeyError, rotate_key

    config = load_config(args.config) if Path(args.config).exists() else Config()
    try:
        key = rotate_key(config.anonymity_key_path)
    except AnonymityKeyError as exc:
        return _fail(str(exc), 1)
    print(f"wrote a new anonymity key to {key.source}; restart the bot. Past stories can no longer be"
          " linked to their authors (blocks and daily limits start afresh).")
    return 0


async def _init_key(config: Config) -> int:
    from bot.core.anonymity import AnonymityKeyError, load_key
    from bot.stories.records import any_keyed_rows

    async with Database(config.database_url) as db:
        await db.migrate()
        keyed = await any_keyed_rows(db)
    try:
        # The same rule as a lone bot at start: a new key only while no stored row needs the old one.
        key = load_key(config.anonymity_key_path, create=not keyed)
    except AnonymityKeyError as exc:
        return _fail(str(exc), 1)
    if key.created:
        print(f"wrote a new anonymity key to {key.source}; give every bot process this same file "
              "([privacy] key_file) and back it up apart from the database.")
    else:
        where = "the environment" if key.source == "environment" else key.source
        print(f"an anonymity key is already there ({where}); nothing changed.")
    return 0


def cmd_init_key(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    setup_logging(config.logging.level)
    return asyncio.run(_init_key(config))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Peer Circles: a Discord bot for chronic-pain peer-support circles.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def config_option(p: argparse.ArgumentParser, default: str | None = "config.toml") -> None:
        p.add_argument(
            "--config", default=default, metavar="PATH",
            help=f"configuration file (default: {default or 'none, built-in defaults'})",
        )

    p = sub.add_parser("start", help="run the bot if DISCORD_TOKEN is set, else the offline demo",
                       description="Run the bot with the token in DISCORD_TOKEN (config.toml if present, "
                       "else built-in defaults), or play the offline demo when no token is set.")
    p.add_argument(
        "--config", default=None, metavar="PATH",
        help=f"configuration file (default: {DEFAULT_CONFIG} if present, else built-in defaults; "
        "a path given here must exist)",
    )
    p.set_defaults(func=cmd_start)

    p = sub.add_parser("run", help="connect to Discord and serve (token from DISCORD_TOKEN)",
                       description="Connect to Discord (or the server in discord.api_base_url) and serve.")
    config_option(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="offline walk-through against the built-in Discord emulator",
                       description="Start the local Discord emulator and the bot, play a scripted "
                       "walk-through and print what members would see. No token or network needed.")
    p.add_argument("--verbose", action="store_true", help="also print every REST call the bot made")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("migrate", help="apply pending database migrations",
                       description="Apply pending numbered SQL migrations from migrations/.")
    config_option(p)
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("check-config", help="validate a configuration file",
                       description="Validate a configuration file and exit 0, or print why not and exit 2.")
    p.add_argument("path", nargs="?", default="config.toml", help="file to check (default: config.toml)")
    p.set_defaults(func=cmd_check_config)

    p = sub.add_parser("backup", help="copy the database safely while the bot runs",
                       description="Copy the database with SQLite's online backup API.")
    p.add_argument("dest", help="the new backup file")
    config_option(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("status", help="schedules, outbox and failures at a glance (no content)",
                       description="Print schedules by kind, outbox rows by state, the next 10 fire "
                       "times and failures by reason. Never prints message content.")
    config_option(p)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("screen", help="screen text from standard input, one JSON verdict per line",
                       description="Read messages from standard input (one per line, or JSON lines "
                       "with a text field) and print one JSON verdict per line.")
    config_option(p, default=None)
    p.add_argument("--guild", type=int, default=None, metavar="ID",
                   help="use this server's added and allowed words (needs --config)")
    p.set_defaults(func=cmd_screen)

    p = sub.add_parser("rotate-key", help="replace the anonymity key (unlinks all past anonymous stories)",
                       description="Write a new random anonymity key to the key file ([privacy] key_file, "
                       "default next to the database). Every past story's one-way author key stops "
                       "matching anyone: blocks and limits start afresh. Restart the bot afterwards.")
    config_option(p)
    p.set_defaults(func=cmd_rotate_key)

    p = sub.add_parser("init-key", help="create the anonymity key that several bot processes share",
                       description="Bring the database up to date, then write a new random anonymity key "
                       "to the key file ([privacy] key_file) unless one exists. Run it once before starting "
                       "several processes (bot.shards, or PostgreSQL), which never create a key themselves. "
                       "Refused when the database holds anonymous stories and the key is missing.")
    config_option(p)
    p.set_defaults(func=cmd_init_key)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        return _fail(str(exc))
    except MigrationError as exc:
        return _fail(str(exc), 1)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
