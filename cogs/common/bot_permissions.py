"""What the bot itself may do in a server: checks before Discord calls, and plain words for refusals.

Missing Manage Roles, a role above the bot's, a channel gone: each is named for the organiser
with where to fix it, instead of Discord's error codes.
"""

from __future__ import annotations

import discord

from bot.core.errors import UserFacingError

MISSING_PERMISSIONS = 50013
MISSING_ACCESS = 50001
UNKNOWN_MESSAGE = 10008


class MissingPermission(UserFacingError):
    """Raised before (or instead of) a Discord call the bot lacks permission for, or whose target is gone."""


def bot_role_name(guild: discord.Guild) -> str:
    me = guild.me
    return discord.utils.escape_markdown(me.top_role.name if me and me.top_role else "Peer Circles")


def missing(guild: discord.Guild, permission: str, where: str, doing: str) -> MissingPermission:
    return MissingPermission(
        f"I couldn't {doing}: I'm missing the **{permission}** permission {where}. An organiser can give my "
        f"role (**{bot_role_name(guild)}**) {permission} in Server Settings and try again. Nothing was changed."
    )


def role_too_high(guild: discord.Guild, role_name: str, doing: str) -> MissingPermission:
    return MissingPermission(
        f"I couldn't {doing}: the role **{discord.utils.escape_markdown(role_name)}** is above my own role "
        f"(**{bot_role_name(guild)}**). An organiser can drag my role above it in Server Settings > Roles and "
        "try again. Nothing was changed."
    )


# Discord's 404 codes for things deleted behind the bot's back (its cache may not know yet).
_GONE = {10003: "a channel it needs no longer exists", 10011: "a role it needs no longer exists",
         10007: "that member is no longer in the server"}


def explain_http(exc: discord.HTTPException, guild: discord.Guild, permission: str, where: str,
                 doing: str) -> MissingPermission | None:
    """A plain message for a 403 (50013 Missing Permissions, 50001 Missing Access) or a 404 (deleted)."""
    if isinstance(exc, discord.NotFound):
        gone = _GONE.get(exc.code, "something it needs no longer exists in Discord")
        return MissingPermission(
            f"I couldn't {doing}: {gone} (it may have just been deleted). An organiser can check the circle's "
            "channels and role. Nothing was changed."
        )
    if isinstance(exc, discord.Forbidden) or exc.code in (MISSING_PERMISSIONS, MISSING_ACCESS):
        if exc.code == MISSING_ACCESS:
            return MissingPermission(
                f"I couldn't {doing}: I can't see {where}. An organiser can let my role "
                f"(**{bot_role_name(guild)}**) view it and try again. Nothing was changed."
            )
        return missing(guild, permission, where, doing)
    return None


def require_guild_permission(guild: discord.Guild, permission: str, doing: str) -> None:
    me = guild.me
    if me is None or not getattr(me.guild_permissions, permission):
        raise missing(guild, permission.replace("_", " ").title(), "in this server", doing)


def require_channel_permission(channel: discord.abc.GuildChannel, permission: str, doing: str,
                               label: str | None = None) -> None:
    me = channel.guild.me
    if me is None or not getattr(channel.permissions_for(me), permission):
        name = label or permission.replace("_", " ").title()
        raise missing(channel.guild, name, f"in **{discord.utils.escape_markdown(channel.name)}**", doing)


def require_role_below_me(guild: discord.Guild, role: discord.Role, doing: str) -> None:
    me = guild.me
    if me is None or role >= me.top_role:
        raise role_too_high(guild, role.name, doing)
