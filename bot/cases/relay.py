"""The DM relay: a member who can't have a private thread (they reached out from DMs) talks to the
moderators through the bot. Their DMs to the bot go into a thread under the queue channel; what a
moderator writes in that thread goes to the member by DM. Both directions through the outbox, keyed
by the source message id (exactly once), never pinging anyone.

A relay is a reach-out case with ``snapshot.relay`` true and ``thread_id`` the relay thread; it
ends when the case is resolved. A member has at most one open relay per server (a second reach-out
from DMs reuses it); with relays open in several servers, each DM goes to the server they pick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cases.records import snapshot_of
from bot.core.db import Conn, Database, Row
from bot.core.text import neutralise_mentions

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox

RELAY_MAX = 1900


@dataclass(frozen=True)
class Relay:
    case_id: int
    guild_id: int
    user_id: int
    thread_id: int
    number: int  # the case's number in its server (what moderators see); case_id is internal


# The member's open reach-outs with a thread, newest first; the relays among them are those whose
# snapshot says ``relay`` (read in Python: the engines' JSON functions differ). A member has a few.
_OPEN_REACH_OUTS = (
    "SELECT id, guild_id, subject_user_id, thread_id, number, snapshot FROM cases WHERE status != 'resolved'"
    " AND source = 'reach_out' AND thread_id IS NOT NULL")


def _relays(rows: list[Row]) -> list[Relay]:
    return [Relay(*tuple(row)[:5]) for row in rows if snapshot_of(row[5]).get("relay") is True]


async def relay_of_member(db: Database, user_id: int) -> Relay | None:
    """The member's newest open relay in whichever server (``relays_of_member`` says whether there
    are several: then the member is asked which server a DM is for)."""
    relays = _relays(await db.fetchall(_OPEN_REACH_OUTS + " AND subject_user_id = ? ORDER BY id DESC", (user_id,)))
    return relays[0] if relays else None


async def relays_of_member(db: Database, user_id: int) -> list[Relay]:
    """The member's open relays, one per server (the newest there), newest first. Their DMs go to
    the one relay, or, with several, to the server they pick (never to another server's thread)."""
    rows = await db.fetchall(_OPEN_REACH_OUTS + " AND subject_user_id = ? ORDER BY id DESC", (user_id,))
    found: dict[int, Relay] = {}
    for relay in _relays(rows):
        found.setdefault(relay.guild_id, relay)
    return list(found.values())


async def relay_in_server(db: Database, guild_id: int, user_id: int) -> Relay | None:
    """The member's open relay in this server: one per (member, server), reused by a new reach-out."""
    relays = _relays(await db.fetchall(_OPEN_REACH_OUTS + " AND guild_id = ? AND subject_user_id = ? ORDER BY id DESC",
                                       (guild_id, user_id)))
    return relays[0] if relays else None


async def relay_of_thread(db: Database, guild_id: int, thread_id: int) -> Relay | None:
    relays = _relays(await db.fetchall(_OPEN_REACH_OUTS + " AND guild_id = ? AND thread_id = ? ORDER BY id DESC",
                                       (guild_id, thread_id)))
    return relays[0] if relays else None


def _text(text: str) -> str:
    return neutralise_mentions(text)[:RELAY_MAX]


async def relay_in(conn: Conn, outbox: Outbox, relay: Relay, message_id: int, text: str) -> bool:
    """The member's DM, into the relay thread."""
    return await outbox.enqueue(conn, key=f"case:{relay.case_id}:relay:in:{message_id}", kind="case_relay",
                                guild_id=relay.guild_id, target_kind="channel", target_id=relay.thread_id,
                                payload={"content": f"**<@{relay.user_id}>:** {_text(text)}",
                                         "allowed_mentions": {"parse": []}})


async def relay_out(conn: Conn, outbox: Outbox, relay: Relay, message_id: int, text: str,
                    server_name: str) -> bool:
    """A moderator's message in the relay thread, to the member by DM."""
    return await outbox.enqueue(conn, key=f"case:{relay.case_id}:relay:out:{message_id}", kind="case_relay",
                                guild_id=relay.guild_id, target_kind="dm", target_id=relay.user_id,
                                payload={"content": f"**A moderator of {server_name}:** {_text(text)}",
                                         "allowed_mentions": {"parse": []}})
