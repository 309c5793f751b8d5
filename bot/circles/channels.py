"""Who may see a circle's channels: the permission overwrites the cog applies, as plain bits.

Private to the circle: @everyone cannot see the channels; the circle role, its facilitators,
the moderator role and the bot can. The bot may only grant permissions it holds itself (Discord
refuses the rest), so every allow is masked with the bot's own permissions in the category.
"""

from __future__ import annotations

from dataclasses import dataclass

ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
CONNECT = 1 << 20
SPEAK = 1 << 21
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38

ROLE, MEMBER = 0, 1  # overwrite target types
KINDS = ("text", "voice", "stories")

_MEMBER = {
    "text": VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | ADD_REACTIONS | EMBED_LINKS | ATTACH_FILES
    | SEND_MESSAGES_IN_THREADS,
    "voice": VIEW_CHANNEL | CONNECT | SPEAK,
    # Stories are posted by the bot; members answer in each story's thread.
    "stories": VIEW_CHANNEL | READ_MESSAGE_HISTORY | ADD_REACTIONS | SEND_MESSAGES_IN_THREADS,
}
_FACILITATOR_EXTRA = {"text": MANAGE_MESSAGES, "voice": 0, "stories": MANAGE_MESSAGES | MANAGE_THREADS}
_MODERATOR = {
    "text": VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | MANAGE_MESSAGES | SEND_MESSAGES_IN_THREADS,
    "voice": VIEW_CHANNEL | CONNECT,
    "stories": VIEW_CHANNEL | READ_MESSAGE_HISTORY | MANAGE_MESSAGES | MANAGE_THREADS | SEND_MESSAGES_IN_THREADS,
}
_BOT = {
    "text": VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | EMBED_LINKS | MANAGE_MESSAGES,
    "voice": VIEW_CHANNEL | CONNECT,
    "stories": VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | EMBED_LINKS | CREATE_PUBLIC_THREADS
    | MANAGE_THREADS | SEND_MESSAGES_IN_THREADS,
}
_EVERYONE_DENY = {"text": VIEW_CHANNEL, "voice": VIEW_CHANNEL | CONNECT, "stories": VIEW_CHANNEL}


@dataclass(frozen=True)
class Overwrite:
    target_id: int
    target_type: int  # ROLE or MEMBER
    allow: int
    deny: int = 0


def facilitator_overwrite(kind: str, user_id: int, bot_permissions: int) -> Overwrite:
    return Overwrite(user_id, MEMBER, (_MEMBER[kind] | _FACILITATOR_EXTRA[kind]) & bot_permissions)


def plan_overwrites(
    kind: str, *, everyone_id: int, circle_role_id: int, moderator_role_id: int | None,
    facilitator_ids: tuple[int, ...] | list[int], bot_id: int, bot_permissions: int,
) -> list[Overwrite]:
    """Overwrites for one of a circle's channels (kind: text, voice or stories)."""
    if kind not in KINDS:
        raise ValueError(f"unknown channel kind {kind!r}")
    plan = [
        Overwrite(everyone_id, ROLE, 0, _EVERYONE_DENY[kind] & bot_permissions),
        Overwrite(circle_role_id, ROLE, _MEMBER[kind] & bot_permissions),
    ]
    if moderator_role_id:
        plan.append(Overwrite(moderator_role_id, ROLE, _MODERATOR[kind] & bot_permissions))
    plan += [facilitator_overwrite(kind, uid, bot_permissions) for uid in facilitator_ids]
    plan.append(Overwrite(bot_id, MEMBER, _BOT[kind] & bot_permissions))
    return plan
