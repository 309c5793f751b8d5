"""Accountability partners and the weekly recap.

Partners: a member invites another member for one goal; the invitee is asked privately (a DM
with Accept / No thanks) and nothing more is said if they decline. An active partner gets a
weekly count for that goal (schedule kind ``goal_partner_weekly``: counts only, never notes) with
a one-tap cheer (once a week), and either side ends it at any time, quietly. The partner's count
holds numbers of showing-up days only: flare days are health information and are left out.

The invitee never opted in to anything, and the owner did not ask for a cheer at a given hour: the
invitation and the cheer go only when the recipient may be pinged (``MemberPrefs.may_ping``);
otherwise a one-off schedule (kind ``goal_partner_dm``, owned by the partnership) holds the DM
until their flare break and quiet hours are over, and checks again then.

Weekly recap (opt-in): a member picks a weekday; schedule kind ``goal_recap`` sends a short
private recap by outbox, text only, with a "Show my picture" button: the picture is drawn when
pressed and sent as the interaction's answer (outbox rows carry JSON only), so the recap is sent
exactly once and the picture is always current. Neither is sent during flare breaks or quiet hours
(that week's is skipped, not saved up).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.core.clock import iso_utc, parse_iso_utc
from bot.core.db import Conn, Database, read_one
from bot.core.errors import UserFacingError
from bot.core.messages import SECONDARY, SUCCESS, Button, Card, custom_id, embed, timestamp
from bot.core.text import display
from bot.delivery import schedules
from bot.delivery.outbox import Outbox
from bot.delivery.recurrence import Recurrence
from bot.goals import wording
from bot.goals.records import Goal, get_goal, member_zone
from bot.members.prefs import prefs_on

PARTNER_KIND = "goal_partner_weekly"
RECAP_KIND = "goal_recap"
HELD_KIND = "goal_partner_dm"
WEEKLY_AT = time(18, 0)
# After a decline the same member may not invite the same person again for this long: a "no"
# should not be met with the same question the next minute. The inviter is told until when.
DECLINE_HOLD = timedelta(days=30)


@dataclass(frozen=True)
class Partnership:
    id: int
    guild_id: int
    goal_id: int
    owner_id: int
    partner_id: int
    status: str


async def get_partnership(conn: Conn, guild_id: int, pid: int) -> Partnership | None:
    sql = "SELECT id, guild_id, goal_id, owner_id, partner_id, status FROM goal_partners WHERE guild_id = ? AND id = ?"
    row = await read_one(conn, sql, (guild_id, pid))
    return None if row is None else Partnership(*row)


async def locate_partnership(db: Database, guild_ids: Iterable[int], pid: int, user_id: int) -> int | None:
    """The server of a partnership named by an older button that carried no server: looked for only
    among ``guild_ids`` (the servers the bot is in) and only where the presser is one of the two."""
    ids = sorted(set(guild_ids))
    if not ids:
        return None
    marks = ", ".join("?" for _ in ids)
    row = await db.fetchone(
        f"SELECT guild_id FROM goal_partners WHERE guild_id IN ({marks}) AND id = ?"
        " AND (owner_id = ? OR partner_id = ?)",
        (*ids, pid, user_id, user_id))
    return None if row is None else int(row[0])


async def week_counts(conn: Conn, guild_id: int, goal_id: int, today: date) -> dict[str, int]:
    first = (today - timedelta(days=6)).isoformat()
    async with conn.execute(
        "SELECT answer, COUNT(*) FROM goal_pings WHERE guild_id = ? AND goal_id = ? AND local_date >= ?"
        " AND local_date <= ? AND answer IS NOT NULL GROUP BY answer",
        (guild_id, goal_id, first, today.isoformat()),
    ) as cursor:
        found = {r[0]: r[1] for r in await cursor.fetchall()}
    return {k: found.get(k, 0) for k in ("done", "minimum", "not_today", "flare")}


def invite_card(found: Partnership, goal: Goal, owner_name: str, server: str) -> Card:
    gid = found.guild_id
    return Card("", (embed("An invitation", wording.invite_text(display(owner_name), display(goal.text),
                                                                display(server))),),
                ((Button(custom_id("goalpyes", gid, found.id), "Accept", SUCCESS),
                  Button(custom_id("goalpno", gid, found.id), "No thanks", SECONDARY)),))


def cheer_card(goal: Goal, partner_name: str, server: str) -> Card:
    return Card(wording.CHEER_RECEIVED.format(partner=display(partner_name), goal=display(goal.text),
                                              server=display(server)))


async def _send_or_hold(conn: Conn, now: datetime, outbox: Outbox, found: Partnership, *,
                        recipient: int, what: str, week: str, card: Card,
                        default_zone: str) -> schedules.Schedule | None:
    """Queue the DM now if the recipient may be pinged, else hold it (one-off schedule). Returns the
    hold, if any."""
    prefs = await prefs_on(conn, found.guild_id, recipient)
    if prefs.may_ping(now, default_zone):
        key = f"goal_partner_invite:{found.id}" if what == "invite" else f"goal_cheer:{found.id}:{week}"
        await outbox.enqueue(conn, key=key, kind="goal_partner_invite" if what == "invite" else "goal_cheer",
                             guild_id=found.guild_id, target_kind="dm", target_id=recipient,
                             payload=card.to_payload())
        return None
    return await schedules.create(conn, now, guild_id=found.guild_id, kind=HELD_KIND, owner_id=found.id,
                                  rule=Recurrence.once(prefs.next_ping_time(now, default_zone)),
                                  payload={"what": what, "week": week})


async def invite(db: Database, now: datetime, goal: Goal, partner_id: int, *, owner_name: str, server: str,
                 outbox: Outbox, default_zone: str) -> tuple[Partnership, schedules.Schedule | None]:
    """Ask ``partner_id`` privately; held while they are on a flare break or in quiet hours."""
    if partner_id == goal.user_id:
        raise UserFacingError(wording.PARTNER_SELF)
    async with db.transaction() as conn:
        await _forget_old_declines(conn, goal.guild_id, now)
        async with conn.execute("SELECT held_until FROM goal_partner_declines WHERE guild_id = ? AND owner_id = ?"
                                " AND partner_id = ?", (goal.guild_id, goal.user_id, partner_id)) as cursor:
            hold = await cursor.fetchone()
        if hold is not None:
            raise UserFacingError(wording.PARTNER_HELD.format(
                partner=f"<@{partner_id}>", days=DECLINE_HOLD.days, when=timestamp(parse_iso_utc(hold[0]), "D")))
        cursor = await conn.execute(
            "INSERT INTO goal_partners (guild_id, goal_id, owner_id, partner_id, status, created_at)"
            " VALUES (?, ?, ?, ?, 'invited', ?) ON CONFLICT DO NOTHING",
            (goal.guild_id, goal.id, goal.user_id, partner_id, iso_utc(now)),
        )
        if cursor.rowcount != 1:
            raise UserFacingError(wording.PARTNER_EXISTS.format(partner=f"<@{partner_id}>"))
        found = await get_partnership(conn, goal.guild_id, cursor.lastrowid or 0)
        assert found is not None
        held = await _send_or_hold(conn, now, outbox, found, recipient=partner_id, what="invite", week="",
                                   card=invite_card(found, goal, owner_name, server), default_zone=default_zone)
    return found, held


async def release_held(conn: Conn, now: datetime, outbox: Outbox, *, guild_id: int, pid: int,
                       what: str, week: str, owner_name: str, partner_name: str, server: str,
                       default_zone: str) -> str:
    """A held invitation or cheer's time has come: send it, or hold it again if the recipient is
    (again) resting. Nothing when the partnership is gone or changed meanwhile."""
    found = await get_partnership(conn, guild_id, pid)
    wanted = "invited" if what == "invite" else "active"
    if found is None or found.status != wanted:
        return "gone"
    goal = await get_goal(conn, guild_id, found.goal_id)
    if goal is None:
        return "gone"
    if what == "invite":
        card, recipient = invite_card(found, goal, owner_name, server), found.partner_id
    else:
        card, recipient = cheer_card(goal, partner_name, server), found.owner_id
    held = await _send_or_hold(conn, now, outbox, found, recipient=recipient, what=what, week=week, card=card,
                               default_zone=default_zone)
    return "held" if held else "sent"


async def accept(db: Database, now: datetime, guild_id: int, pid: int, user_id: int,
                 default_zone: str) -> Partnership | None:
    found = await get_partnership(db.reader, guild_id, pid)
    if found is None or found.partner_id != user_id or found.status != "invited":
        return None
    async with db.transaction() as conn:
        await conn.execute("UPDATE goal_partners SET status = 'active', accepted_at = ? WHERE guild_id = ? AND id = ?",
                           (iso_utc(now), guild_id, pid))
        zone = await member_zone(conn, found.guild_id, user_id, default_zone)
        today = now.astimezone(_zone(zone)).date()
        rule = Recurrence.weekly(WEEKLY_AT, zone, {today.weekday()}, start=today + timedelta(days=1))
        await schedules.create(conn, now, guild_id=found.guild_id, kind=PARTNER_KIND, owner_id=pid, rule=rule,
                               payload={"partnership": pid})
    return found


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


async def decline(db: Database, now: datetime, guild_id: int, pid: int, user_id: int) -> bool:
    found = await get_partnership(db.reader, guild_id, pid)
    if found is None or found.partner_id != user_id or found.status != "invited":
        return False
    async with db.transaction() as conn:
        await schedules.delete_for_owner(conn, found.guild_id, HELD_KIND, pid)
        await conn.execute("DELETE FROM goal_partners WHERE id = ? AND guild_id = ?", (pid, found.guild_id))
        await _forget_old_declines(conn, found.guild_id, now)
        await conn.execute("DELETE FROM goal_partner_declines WHERE guild_id = ? AND owner_id = ? AND partner_id = ?",
                           (found.guild_id, found.owner_id, found.partner_id))
        await conn.execute("INSERT INTO goal_partner_declines (guild_id, owner_id, partner_id, held_until)"
                           " VALUES (?, ?, ?, ?)",
                           (found.guild_id, found.owner_id, found.partner_id, iso_utc(now + DECLINE_HOLD)))
    return True


async def _forget_old_declines(conn: Conn, guild_id: int, now: datetime) -> None:
    """A decline's hold is all it is kept for: gone once the hold has passed."""
    await conn.execute("DELETE FROM goal_partner_declines WHERE guild_id = ? AND held_until <= ?",
                       (guild_id, iso_utc(now)))


async def end(db: Database, guild_id: int, pid: int, user_id: int) -> bool:
    """Either side ends it; nobody is told."""
    found = await get_partnership(db.reader, guild_id, pid)
    if found is None or user_id not in (found.owner_id, found.partner_id):
        return False
    async with db.transaction() as conn:
        for kind in (PARTNER_KIND, HELD_KIND):
            await schedules.delete_for_owner(conn, found.guild_id, kind, pid)
        await conn.execute("DELETE FROM goal_partners WHERE id = ? AND guild_id = ?", (pid, found.guild_id))
    return True


async def partnerships_of_goal(db: Database, guild_id: int, goal_id: int) -> list[Partnership]:
    rows = await db.fetchall("SELECT id, guild_id, goal_id, owner_id, partner_id, status FROM goal_partners"
                             " WHERE guild_id = ? AND goal_id = ? ORDER BY id", (guild_id, goal_id))
    return [Partnership(*r) for r in rows]


async def partner_weekly(conn: Conn, now: datetime, outbox: Outbox, *, guild_id: int, pid: int,
                         key: str, default_zone: str, server: str, owner_name: str) -> str:
    found = await get_partnership(conn, guild_id, pid)
    if found is None or found.status != "active":
        return "gone"
    goal = await get_goal(conn, found.guild_id, found.goal_id)
    if goal is None:
        return "gone"
    prefs = await prefs_on(conn, found.guild_id, found.partner_id)
    if not prefs.may_ping(now, default_zone):
        return "skipped"
    today = now.astimezone(prefs.zone(default_zone)).date()
    counts = await week_counts(conn, found.guild_id, goal.id, today)
    text = wording.partner_summary(display(owner_name), display(goal.text), display(server), counts["done"],
                                   counts["minimum"])
    week = today.isoformat()
    gid = found.guild_id
    card = Card("", (embed("Weekly count", text),),
                ((Button(custom_id("goalcheer", gid, pid, week.replace("-", "")), "Cheer them on", SUCCESS),
                  Button(custom_id("goalpend", gid, pid), "End partnership", SECONDARY)),))
    await outbox.enqueue(conn, key=f"{key}:partner", kind=PARTNER_KIND, guild_id=found.guild_id,
                         target_kind="dm", target_id=found.partner_id, payload=card.to_payload())
    return "sent"


async def cheer(db: Database, now: datetime, guild_id: int, pid: int, user_id: int, week: str, *, partner_name: str,
                server: str, outbox: Outbox, default_zone: str) -> tuple[str, schedules.Schedule | None]:
    """The partner's one cheer a week; held while the owner rests (flare break, quiet hours)."""
    found = await get_partnership(db.reader, guild_id, pid)
    if found is None or found.partner_id != user_id or found.status != "active":
        return "gone", None
    goal = await get_goal(db.reader, found.guild_id, found.goal_id)
    if goal is None:
        return "gone", None
    async with db.transaction() as conn:
        waiting = await schedules.list_schedules(conn, found.guild_id, kind=HELD_KIND, owner_id=pid)
        if any(s.payload.get("week") == week for s in waiting):
            return "already", None
        async with conn.execute("SELECT 1 FROM outbox WHERE guild_id = ? AND key = ?",
                                (found.guild_id, f"goal_cheer:{pid}:{week}")) as cursor:
            if await cursor.fetchone() is not None:
                return "already", None
        held = await _send_or_hold(conn, now, outbox, found, recipient=found.owner_id, what="cheer", week=week,
                                   card=cheer_card(goal, partner_name, server), default_zone=default_zone)
    return "sent", held


# -- the member's weekly recap -----------------------------------------------------------------

async def set_recap(db: Database, now: datetime, guild_id: int, user_id: int, weekday: int | None,
                    default_zone: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO goal_members (guild_id, user_id, summary_weekday) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET summary_weekday = excluded.summary_weekday",
            (guild_id, user_id, weekday),
        )
        await schedules.delete_for_owner(conn, guild_id, RECAP_KIND, user_id)
        if weekday is not None:
            zone = await member_zone(conn, guild_id, user_id, default_zone)
            today = now.astimezone(_zone(zone)).date()
            await schedules.create(conn, now, guild_id=guild_id, kind=RECAP_KIND, owner_id=user_id,
                                   rule=Recurrence.weekly(WEEKLY_AT, zone, {weekday}, start=today),
                                   payload={"member": user_id})


async def recap(conn: Conn, now: datetime, outbox: Outbox, *, guild_id: int, user_id: int, key: str,
                default_zone: str, server: str) -> str:
    prefs = await prefs_on(conn, guild_id, user_id)
    if not prefs.may_ping(now, default_zone):
        return "skipped"
    today = now.astimezone(prefs.zone(default_zone)).date()
    async with conn.execute("SELECT id, text FROM goals WHERE guild_id = ? AND user_id = ? ORDER BY id",
                            (guild_id, user_id)) as cursor:
        goals = list(await cursor.fetchall())
    lines = []
    for goal_id, text in goals:
        c = await week_counts(conn, guild_id, goal_id, today)
        line = (f"\u2022 **{display(text)}**: showed up {c['done'] + c['minimum']}"
                f" (done {c['done']}, minimum {c['minimum']})")
        if c["flare"]:
            line += f", flare days {c['flare']} set apart"
        lines.append(line)
    card = Card("", (embed("Your week, gently", wording.recap_text(display(server), lines)),),
                ((Button(custom_id("goalpic", guild_id), "Show my picture"),),))
    await outbox.enqueue(conn, key=f"{key}:recap", kind=RECAP_KIND, guild_id=guild_id, target_kind="dm",
                         target_id=user_id, payload=card.to_payload())
    return "sent"
