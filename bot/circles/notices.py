"""Private messages the bot sends about circles on its own, queued in the outbox.

Each notice has an idempotency key, so a retried transaction or a restart never sends it twice,
and is enqueued inside the transaction that made the change it reports: the member is told
exactly when the change happened, never about a change that was rolled back.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from bot.circles import wording
from bot.circles.cards import custom_id, norms_embed
from bot.circles.records import Circle
from bot.core.db import Conn
from bot.core.messages import SECONDARY, SUCCESS, Button, Card, timestamp
from bot.core.text import display
from bot.delivery.outbox import Outbox, TargetKind

log = logging.getLogger(__name__)

# When a member's DMs are closed, the request to agree to new norms is posted in the circle's own
# channel instead (they can still see it during the grace period), so no access pauses unannounced.
RECONSENT_FALLBACK = "circles_reconsent_in_channel"
# When a welcome copy cannot reach the member's DMs, the cog tells them under their welcome.
WELCOME_COPY_FALLBACK = "circles_welcome_copy_undelivered"
_RECONSENT_KEY = re.compile(r"^circle:(\d+):norms:(\d+):user:(\d+)$")


@dataclass(frozen=True)
class Notice:
    key: str
    kind: str
    guild_id: int
    target_id: int  # a member (DM) or, for target_kind "channel", a channel
    card: Card
    target_kind: TargetKind = "dm"
    fallback: str | None = None  # a registered outbox fallback, run if the DM cannot be delivered


async def enqueue_notice(conn: Conn, outbox: Outbox | None, notice: Notice) -> None:
    if outbox is None:
        # Only in tools and tests that run the domain without delivery.
        log.warning("circle notice not queued (no outbox) kind=%s guild=%s", notice.kind, notice.guild_id)
        return
    await outbox.enqueue(
        conn, key=notice.key, kind=notice.kind, guild_id=notice.guild_id, target_kind=notice.target_kind,
        target_id=notice.target_id, payload=notice.card.to_payload(), fallback=notice.fallback,
    )


def reconsent_notice(
    circle: Circle, version: int, text: str, user_id: int, due: datetime | None, crisis: dict | None = None,
) -> Notice:
    name = display(circle.name)
    if due is not None:
        content = wording.reconsent_with_time(name, version, timestamp(due))
    else:
        content = wording.reconsent_while_paused(name, version)
    embeds = [norms_embed(circle.name, version, text)]
    if crisis:
        embeds.append(crisis)
    card = Card(content, tuple(embeds), ((
        Button(custom_id("agree", circle.id, version, 0), "I agree", SUCCESS),
        Button(custom_id("leave", circle.id), "Leave the circle", SECONDARY),
    ),))
    return Notice(f"circle:{circle.id}:norms:{version}:user:{user_id}", "circles.reconsent", circle.guild_id,
                  user_id, card, fallback=RECONSENT_FALLBACK)


def access_paused_notice(circle: Circle, user_id: int) -> Notice:
    card = Card(
        wording.access_paused(display(circle.name), circle.norms_version),
        (), ((Button(custom_id("join", circle.id), "Read the norms", SUCCESS),
              Button(custom_id("leave", circle.id), "Leave the circle", SECONDARY)),),
    )
    return Notice(f"circle:{circle.id}:paused:{circle.norms_version}:user:{user_id}", "circles.access_paused",
                  circle.guild_id, user_id, card)


def seat_offer_notice(
    circle: Circle, version: int, text: str, user_id: int, waitlist_id: int, expires: datetime,
    crisis: dict | None = None,
) -> Notice:
    content = (
        f"A seat has opened in **{display(circle.name)}** and it's held for you until {timestamp(expires)}"
        f" ({timestamp(expires, 'R')}). To take it, read the norms below and press I agree."
    )
    embeds = [norms_embed(circle.name, version, text)]
    if crisis:
        embeds.append(crisis)
    card = Card(content, tuple(embeds), ((
        Button(custom_id("agree", circle.id, version, 0), "I agree, take the seat", SUCCESS),
        Button(custom_id("pass", circle.id), "Pass it on", SECONDARY),
    ),))
    return Notice(f"circle:{circle.id}:offer:{waitlist_id}", "circles.seat_offer", circle.guild_id, user_id, card)


def offer_expired_notice(circle: Circle, user_id: int, waitlist_id: int) -> Notice:
    card = Card(
        f"The seat held for you in **{display(circle.name)}** has passed to the next person, as 48 hours went by."
        " You're welcome to join the waitlist again any time with /circle join."
    )
    return Notice(f"circle:{circle.id}:offer_expired:{waitlist_id}", "circles.offer_expired", circle.guild_id,
                  user_id, card)


def circle_archived_notice(circle: Circle, user_id: int) -> Notice:
    card = Card(
        f"**{display(circle.name)}** has been closed by the organisers, so its channels are no longer open to you"
        " and its waitlist has ended. Nothing you did caused this. /circle list shows the circles that are open."
    )
    return Notice(f"circle:{circle.id}:archived:user:{user_id}", "circles.archived", circle.guild_id, user_id, card)


def welcome_copy_notice(circle: Circle, user_id: int, card: Card, consented_at: str) -> Notice:
    """The welcome sent to a member's DMs only because they ticked "also send this to my DMs"."""
    return Notice(f"circle:{circle.id}:welcome:user:{user_id}:{consented_at}", "circles.welcome_copy",
                  circle.guild_id, user_id, card, fallback=WELCOME_COPY_FALLBACK)


def role_problem_notice(circle: Circle, user_id: int, queue_channel_id: int, technical: str, at: str) -> Notice:
    """What an organiser must fix so a member can be let in, posted in the moderator queue channel."""
    card = Card(wording.role_problem_for_moderators(user_id, display(circle.name), technical))
    return Notice(f"circle:{circle.id}:roleproblem:user:{user_id}:{at}", "circles.role_problem", circle.guild_id,
                  queue_channel_id, card, target_kind="channel")


def welcome_post_notice(guild_id: int, channel_id: int, user_id: int, joined_at: str, card: Card) -> Notice:
    """The greeting in the server's chosen welcome channel (target is the channel, not the member)."""
    return Notice(f"circle-welcome:{guild_id}:{user_id}:{joined_at}", "circles.welcome_post", guild_id,
                  channel_id, card, target_kind="channel")


async def reconsent_channel_notice(conn: Conn, guild_id: int, key: str) -> Notice | None:
    """The in-circle stand-in for a re-consent DM that could not be delivered (see RECONSENT_FALLBACK)."""
    match = _RECONSENT_KEY.match(key)
    if match is None:
        return None
    circle_id, version, user_id = (int(g) for g in match.groups())
    async with conn.execute(
        "SELECT c.guild_id, c.name, c.text_channel_id, s.reconsent_due_at FROM circles c"
        " JOIN circle_seats s ON s.guild_id = c.guild_id AND s.circle_id = c.id AND s.user_id = ?"
        " WHERE c.guild_id = ? AND c.id = ? AND c.archived_at IS NULL AND c.norms_version = ?"
        " AND s.consent_version < ?",
        (user_id, guild_id, circle_id, version, version),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None or row["text_channel_id"] is None:
        return None  # already agreed, left, or the circle closed meanwhile
    card = Card(wording.reconsent_in_channel(user_id, display(row["name"]), version), mention_user_ids=(user_id,))
    return Notice(f"{key}:channel", "circles.reconsent_channel", row["guild_id"], row["text_channel_id"], card,
                  target_kind="channel")
