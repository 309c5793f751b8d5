"""Messages as data: cards (text, embeds, buttons), the custom_id scheme, Discord timestamps.

One renderer for both paths: a cog turns a Card into an interaction reply with a View, and the
outbox sends ``card.to_payload()`` as a message. No discord classes here. Every button's
custom_id follows the scheme below, so buttons keep working after a restart (cogs.common registers
one persistent handler for the whole scheme and hands each press to the cog that owns the action).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.clock import parse_iso_utc
from bot.core.text import display

# -- custom_id scheme: "<prefix>:<action>[:<arg>...]" -----------------------------------------------
# "circle" is the first capability's prefix and already sits in members' DMs; "pc" is everyone
# else's. Actions are unique across capabilities: the dispatcher finds the owner by action.
CUSTOM_ID_PREFIXES = ("circle", "pc")
CUSTOM_ID_TEMPLATE = re.compile(r"^(?:circle|pc):(?P<action>[a-z]+)(?P<args>(?::[0-9a-z_,.-]*)*)$")

PRIMARY, SECONDARY, SUCCESS, DANGER = 1, 2, 3, 4
EMBED_COLOUR = 0x6A8CAF  # calm blue
BUTTONS_PER_ROW = 5
ROWS_MAX = 5


def custom_id(action: str, *args: object, prefix: str = "pc") -> str:
    if prefix not in CUSTOM_ID_PREFIXES:
        raise ValueError(f"unknown custom_id prefix {prefix!r}")
    value = ":".join([prefix, action, *(str(a) for a in args)])
    if len(value) > 100 or not CUSTOM_ID_TEMPLATE.match(value):
        raise ValueError(f"bad custom_id {value!r}")
    return value


def parse_custom_id(value: str) -> tuple[str, list[str]] | None:
    match = CUSTOM_ID_TEMPLATE.match(value)
    if match is None:
        return None
    args = match.group("args")
    return match.group("action"), (args[1:].split(":") if args else [])


@dataclass(frozen=True)
class Button:
    custom_id: str
    label: str
    style: int = SECONDARY

    def to_component(self) -> dict[str, Any]:
        return {"type": 2, "style": self.style, "label": self.label[:80], "custom_id": self.custom_id}


@dataclass(frozen=True)
class Card:
    content: str = ""
    embeds: tuple[dict[str, Any], ...] = ()
    rows: tuple[tuple[Button, ...], ...] = ()
    # User ids the message may ping (a welcome post names the new member); nobody else.
    mention_user_ids: tuple[int, ...] = field(default=())

    def to_payload(self) -> dict[str, Any]:
        """A Discord message body, as the outbox sends it."""
        payload: dict[str, Any] = {
            "content": self.content,
            "allowed_mentions": {"parse": [], "users": [str(u) for u in self.mention_user_ids]},
        }
        if self.embeds:
            payload["embeds"] = list(self.embeds)
        if self.rows:
            payload["components"] = [
                {"type": 1, "components": [b.to_component() for b in row]} for row in self.rows
            ]
        return payload

    @property
    def buttons(self) -> list[Button]:
        return [b for row in self.rows for b in row]


def rows_of(buttons: Iterable[Button], max_rows: int = ROWS_MAX) -> tuple[tuple[Button, ...], ...]:
    items = list(buttons)[: BUTTONS_PER_ROW * max_rows]
    return tuple(tuple(items[i:i + BUTTONS_PER_ROW]) for i in range(0, len(items), BUTTONS_PER_ROW))


def timestamp(when: datetime | str, style: str = "F") -> str:
    """A Discord timestamp: each member sees it in their own time zone."""
    if isinstance(when, str):
        when = parse_iso_utc(when)
    return f"<t:{int(when.timestamp())}:{style}>"


def from_server_line(server_name: str) -> str:
    """The small first line of every DM the bot sends: a member may share several servers with it."""
    return f"-# From **{display(server_name)[:100]}**"


def with_server_line(payload: dict[str, Any], server_name: str) -> dict[str, Any]:
    """A DM body with the server named above its text (kept within Discord's 2000 characters)."""
    line = from_server_line(server_name)
    content = str(payload.get("content") or "")
    text = f"{line}\n{content}" if content else line
    return {**payload, "content": text[:2000]}


def embed(title: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"title": title[:256], "description": description[:4096], "color": EMBED_COLOUR, **extra}
