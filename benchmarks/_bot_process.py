"""One bot process as a host runs it (``python -m bot run``), for the benchmarks that need real OS
processes (``benchmarks/scale.py``: a SIGKILL must be a real one):

    DISCORD_TOKEN=... python -m benchmarks._bot_process CONFIG [--lease SECONDS]

The config points it at the emulator (``discord.api_base_url``/``gateway_url``), the shared
PostgreSQL database and the shared key. ``--lease`` shortens the claims' lease (60 s in the bot,
``bot.delivery.leases.DEFAULT_LEASE``, not a setting) so a test sees a takeover in seconds.
"""

from __future__ import annotations

import argparse
from datetime import timedelta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._bot_process", description=__doc__)
    parser.add_argument("config", help="the process's config.toml")
    parser.add_argument("--lease", type=float, default=None, help="lease seconds (default: the bot's 60)")
    args = parser.parse_args(argv)

    from bot.__main__ import setup_logging
    from bot.client import make_bot
    from bot.core.config import discord_token, load_config

    config = load_config(args.config)
    setup_logging(config.logging.level)
    bot = make_bot(config)
    if args.lease is not None:
        bot.leases.duration = timedelta(seconds=args.lease)
    bot.run(discord_token(), log_handler=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
