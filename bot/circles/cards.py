"""What members see about circles, as cards (bot.core.messages): norms, welcome, lists, seats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.circles import wording
from bot.circles.catalogue import language_name, topic_labels
from bot.core import messages
from bot.core.messages import DANGER, PRIMARY, SUCCESS, Button, Card, rows_of, timestamp
from bot.core.messages import embed as card_embed
from bot.core.text import display

CUSTOM_ID_PREFIX = "circle"


def custom_id(action: str, *args: object) -> str:
    """A circle component's custom_id: ``circle:<action>:<args>`` (members' DMs already hold these)."""
    return messages.custom_id(action, *args, prefix=CUSTOM_ID_PREFIX)


def norms_embed(circle_name: str, version: int, text: str) -> dict[str, Any]:
    # Embed titles and field names render markdown too: names are escaped there as in messages.
    return card_embed(f"Norms of {display(circle_name)} (version {version})", text)


# -- joining ----------------------------------------------------------------------------------------

def norms_card(
    *, circle_id: int, circle_name: str, version: int, text: str, seats_left: int | None,
    crisis: dict[str, Any] | None = None, dm_copy: bool = False, in_dm: bool = False,
    returning: bool = False, note: str = "",
) -> Card:
    """The card shown before joining (or agreeing again): norms, crisis card, I agree / Not now.

    ``seats_left`` None: a seat is held for this member (a waitlist offer).
    """
    if returning:
        intro = wording.norms_updated_intro(display(circle_name), version)
    elif seats_left is None:
        intro = f"A seat in **{display(circle_name)}** is held for you. Please read its norms."
    else:
        seats = "1 seat left" if seats_left == 1 else f"{seats_left} seats left"
        intro = f"Before you join **{display(circle_name)}** ({seats}), please read its norms."
    intro += " Agreeing means you'll follow them; you can leave any time with /circle leave."
    if note:
        intro = f"{note}\n{intro}"
    buttons = [Button(custom_id("agree", circle_id, version, int(dm_copy)), "I agree", SUCCESS)]
    if not in_dm:
        tick = "☑" if dm_copy else "☐"
        buttons.append(Button(custom_id("dmcopy", circle_id, version, int(not dm_copy)),
                              f"{tick} Also send the welcome to my DMs"))
    buttons.append(Button(custom_id("notnow", circle_id), "Not now"))
    embeds = [norms_embed(circle_name, version, text)]
    if crisis:
        embeds.append(crisis)
    return Card(intro, tuple(embeds), (tuple(buttons),))


def not_now_card(circle_name: str) -> Card:
    return Card(f"No problem: you haven't joined **{display(circle_name)}**."
                " /circle list shows it whenever you're ready.")


def full_card(*, circle_id: int, circle_name: str, position: int, just_taken: bool = False) -> Card:
    lead = "The last seat was just taken" if just_taken else f"**{display(circle_name)}** is full right now"
    text = (
        f"{lead}. You can join the waitlist: you'd be number {position}. When a seat frees, I'll message you"
        " privately and hold it for you for 48 hours."
    )
    return Card(text, (), ((Button(custom_id("wait", circle_id), "Join the waitlist", PRIMARY),
                            Button(custom_id("notnow", circle_id), "Not now")),))


def waitlisted_card(circle_name: str, position: int, already: bool = False) -> Card:
    verb = "You're already" if already else "You're now"
    return Card(
        f"{verb} number {position} on the waitlist for **{display(circle_name)}**. When a seat frees I'll message"
        " you privately and hold it for 48 hours. /circle leave takes you off the waitlist."
    )


def welcome_card(
    *, circle_name: str, text_channel_id: int | None, voice_channel_id: int | None,
    facilitator_ids: Sequence[int], next_checkin: datetime | None = None, returning: bool = False,
    resumed: bool = False,
) -> Card:
    """The private welcome after agreeing: where to go and what happens next."""
    if resumed:
        lines = [f"Thank you for agreeing to the new norms. Your access to **{display(circle_name)}** is back."]
    elif returning:
        lines = [f"Thank you for agreeing to the new norms. Your access to **{display(circle_name)}** continues."]
    else:
        lines = [wording.welcome_first_line(display(circle_name))]
    if text_channel_id:
        lines.append(f"• Say hello in <#{text_channel_id}> whenever you feel like it; there's no pressure to share.")
    if voice_channel_id:
        lines.append(f"• Voice check-ins happen in <#{voice_channel_id}>.")
    if next_checkin is not None:
        lines.append(f"• Next check-in: {timestamp(next_checkin)} ({timestamp(next_checkin, 'R')}).")
    if facilitator_ids:
        lines.append("• Facilitators: " + ", ".join(f"<@{u}>" for u in facilitator_ids) + ".")
    lines.append("• /circle mine shows your circles; /circle leave lets you step away at any time.")
    return Card("\n".join(lines))


def with_dm_copy_note(card: Card) -> Card:
    """The welcome as shown in the server when the member also asked for a copy in their DMs."""
    return Card(f"{card.content}\n• A copy is on its way to your DMs.", card.embeds, card.rows)


def welcome_copy_failed_card(*, dms_closed: bool) -> Card:
    """Said under the welcome when its copy could not be delivered to the member's DMs."""
    why = (" Discord says your direct messages from this server are closed (you can change that in the"
           " server's privacy settings)." if dms_closed else "")
    return Card(f"I couldn't send the copy of your welcome to your DMs.{why} Everything you need is in the"
                " welcome above, and /circle mine shows your circles any time.")


def welcome_post_card(user_id: int) -> Card:
    """The optional greeting in the organiser's chosen channel (never an unsolicited DM)."""
    return Card(
        f"Welcome, <@{user_id}>! This server runs small peer-support circles for people living with chronic"
        " pain. Press the button to see the circles privately; only you will see the list.",
        (), ((Button(custom_id("list"), "See the circles", PRIMARY),),), mention_user_ids=(user_id,),
    )


# -- member lists -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CircleLine:
    """One circle as a member sees it in a list or among finder results."""

    circle_id: int
    name: str
    description: str
    topics: tuple[str, ...]
    language: str
    seats_left: int
    next_meeting: datetime | None = None
    reasons: tuple[str, ...] = ()


def _circle_field(line: CircleLine) -> dict[str, Any]:
    seats = "full (waitlist open)" if line.seats_left == 0 else (
        "1 seat left" if line.seats_left == 1 else f"{line.seats_left} seats left")
    parts = [display(line.description),
             f"Topics: {', '.join(topic_labels(line.topics))} · {language_name(line.language)} · {seats}"]
    if line.next_meeting is not None:
        parts.append(f"Next check-in: {timestamp(line.next_meeting)}")
    if line.reasons:
        parts.append("Why: " + "; ".join(line.reasons))
    return {"name": display(line.name)[:256], "value": "\n".join(parts)[:1024], "inline": False}


def circle_list_card(lines: Sequence[CircleLine], *, title: str, empty: str, intro: str = "") -> Card:
    """Up to 20 circles, each with a Join button (Discord allows 25 fields and 25 buttons)."""
    if not lines:
        return Card(empty)
    shown = list(lines)[:20]
    embed = card_embed(title, intro or "Press Join to read a circle's norms before deciding.",
                   fields=[_circle_field(li) for li in shown])
    more = "" if len(lines) <= 20 else f"Showing 20 of {len(lines)} circles: choose a topic to narrow the list."
    buttons = [Button(custom_id("join", li.circle_id), f"Join {li.name}"[:80], PRIMARY) for li in shown]
    return Card(more, (embed,), rows_of(buttons, 4))


@dataclass(frozen=True)
class MyCircleLine:
    circle_id: int
    name: str
    status: str                 # active, paused, waiting, offered
    consented_at: str | None = None
    consent_version: int | None = None
    current_version: int | None = None
    reconsent_due_at: str | None = None
    position: int | None = None
    offer_expires_at: str | None = None
    next_meeting: datetime | None = None


def my_circles_card(lines: Sequence[MyCircleLine]) -> Card:
    if not lines:
        return Card("You're not in any circle yet. /circle list or /circle find will help you choose one.")
    out: list[str] = []
    buttons: list[Button] = []
    for li in lines:
        name = f"**{display(li.name)}**"
        if li.status == "waiting":
            out.append(f"{name}: number {li.position} on the waitlist.")
            continue
        if li.status == "offered":
            out.append(f"{name}: a seat is held for you until {timestamp(li.offer_expires_at or '')}.")
            buttons.append(Button(custom_id("join", li.circle_id), f"Take my seat in {li.name}"[:80], SUCCESS))
            continue
        line = f"{name}: agreed to norms version {li.consent_version} on {timestamp(li.consented_at or '', 'D')}."
        if li.status == "paused":
            line += wording.paused_line(li.current_version)
            buttons.append(Button(custom_id("join", li.circle_id), f"Read the norms of {li.name}"[:80], PRIMARY))
        elif li.reconsent_due_at:
            line += wording.agree_by_line(li.current_version, timestamp(li.reconsent_due_at))
            buttons.append(Button(custom_id("join", li.circle_id), f"Read the norms of {li.name}"[:80], PRIMARY))
        if li.next_meeting is not None:
            line += f" Next check-in: {timestamp(li.next_meeting)}."
        out.append(line)
    return Card("\n".join(out)[:2000], (), rows_of(buttons))


# -- leaving ----------------------------------------------------------------------------------------

def leave_confirm_card(*, circle_id: int, circle_name: str, waiting: bool) -> Card:
    text = (f"Leave the waitlist for **{display(circle_name)}**?" if waiting else
            wording.leave_confirm(display(circle_name)))
    return Card(text, (), ((Button(custom_id("leaveok", circle_id), "Yes, leave", DANGER),
                            Button(custom_id("stay", circle_id), "Stay")),))


# -- organisers and facilitators ---------------------------------------------------------------------

@dataclass(frozen=True)
class MemberLine:
    user_id: int
    status: str
    joined_at: str
    consent_version: int
    reconsent_due_at: str | None


def members_card(circle_name: str, capacity: int, current_version: int, members: Sequence[MemberLine],
                 waiting: Sequence[int]) -> Card:
    if not members:
        body = "No members yet."
    else:
        lines = []
        for m in members:
            line = f"<@{m.user_id}>: joined {timestamp(m.joined_at, 'D')}, norms version {m.consent_version}"
            if m.status == "paused":
                line += wording.member_paused_line(current_version)
            elif m.reconsent_due_at:
                line += f" (asked to agree to version {current_version} by {timestamp(m.reconsent_due_at, 'D')})"
            lines.append(line)
        body = "\n".join(lines)
    if waiting:
        body += f"\nWaitlist: {len(waiting)} waiting."
    embed = card_embed(f"{display(circle_name)}: {len(members)} of {capacity} seats", body,
                   footer={"text": f"Current norms: version {current_version}"})
    return Card("", (embed,))
