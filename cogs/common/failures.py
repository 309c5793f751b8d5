"""How every failed interaction is answered: one plain ephemeral message, bugs with an error id.

Used by the slash-command error handler and by component and modal handlers alike, so a member
sees the same kind of answer wherever something goes wrong. Logs carry ids and kinds only: never
the options a member typed, never message text.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import discord
from discord import app_commands

from bot.core import changes
from bot.core.errors import UserFacingError
from bot.core.log_format import traceback_without_text
from cogs.common.text import CONTENT_LIMIT, fit

log = logging.getLogger(__name__)

# Told of every unexpected error as (guild id or None, kind), e.g. 'command:privacy export:KeyError':
# where and which exception type, never its text. The privacy cog counts them for /status.
error_observers: list[Callable[[int | None, str], None]] = []


def observe_error(guild_id: int | None, kind: str) -> None:
    """Tell the observers; counting must never stand between a member and their answer."""
    for observe in error_observers:
        try:
            observe(guild_id, kind)
        except Exception:
            log.exception("error observer failed")


def new_error_id() -> str:
    return secrets.token_hex(4).upper()


def failure_text(interaction: discord.Interaction, cause: BaseException, what: str) -> str:
    """The member-facing words for ``cause``; unexpected errors are logged under a new id."""
    if isinstance(cause, UserFacingError):
        return str(cause)
    if isinstance(cause, app_commands.NoPrivateMessage):
        return "This works inside a server, not in direct messages."
    if isinstance(cause, app_commands.CommandOnCooldown):
        return f"Please wait {cause.retry_after:.0f} seconds before trying that again."
    if isinstance(cause, app_commands.CheckFailure):
        return "You don't have permission to use this command."
    if isinstance(cause, app_commands.TransformerError):
        return "One of the options you gave isn't valid here. Please check it and try again."
    error_id = new_error_id()
    # No user id: "what" names the command or button (a story's Post, a circle's join), and the
    # two together would tie a member to an anonymous story or reveal which circle they joined.
    log.error(
        "interaction failed error_id=%s what=%s guild_id=%s exception=%s\n%s",
        error_id, what, interaction.guild_id, type(cause).__name__, traceback_without_text(cause),
    )
    observe_error(interaction.guild_id, f"{what}:{type(cause).__name__}")
    made = changes.made()
    if made == 0:
        what_happened = "Sorry, something went wrong on our side and nothing was changed."
    elif made is None:
        what_happened = "Sorry, something went wrong on our side."
    else:
        # A commit (or a change on Discord) happened before the failure: saying "nothing was
        # changed" would be untrue.
        what_happened = ("Sorry, something went wrong on our side part-way through, after some of it was already "
                         "saved. Please look at what you see now before trying again.")
    return f"{what_happened} If it keeps happening, tell a server organiser the error id **{error_id}**."


async def tell(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral answer that never raises: the interaction may have expired or Discord be down."""
    text = fit(text, CONTENT_LIMIT)  # a message may echo what was typed (up to 6,000 characters)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
        else:
            await interaction.response.send_message(
                text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
    except discord.HTTPException as exc:
        log.warning("could not deliver a reply interaction_id=%s status=%s", interaction.id, exc.status)


async def answer_failure(interaction: discord.Interaction, cause: BaseException, what: str) -> None:
    await tell(interaction, failure_text(interaction, cause, what))
