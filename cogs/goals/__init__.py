"""The goals capability in Discord: /goal commands, the ping buttons, note modal, partner buttons,
and the scheduler kinds and outbox fallback goals use (thin; rules live in bot.goals)."""

from __future__ import annotations

from discord.ext import commands

from cogs.goals.cog import Goals


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Goals(bot))  # type: ignore[arg-type]
