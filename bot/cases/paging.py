"""Whom a page reaches: one fallback chain for every page the bot makes.

moderators on duty -> the on-call role -> the moderator role -> the organiser role -> the server
owner by DM. The first link that reaches somebody is the page: a role nobody holds (or a role
deleted since /setup) reaches nobody, so the chain goes on past it. The queue post mentions whom
the page reaches; only when no link before the owner reaches anyone does the owner get a DM.

Which roles exist and who holds them is Discord's knowledge, not the database's: the cog gives
this module a ``Directory`` over its member cache (``use_directory``). Without one (unit tests,
tools) a configured role is taken to reach its holders, unnamed and uncounted.

Every page records in the case history whom it reached ("on-call role On call (3 members)"):
kinds, role names and counts, never message text (``Page.describe``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.cases.duty import on_duty
from bot.core.db import Conn, Database, DatabaseError, read_one

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox

CHAIN = ("duty", "oncall", "moderator", "organiser", "owner")
# A page adds people to a thread or DMs them one by one: at most this many (a role may hold hundreds).
MAX_PEOPLE = 10
STEP_NAMES = {"duty": "moderators on duty", "oncall": "on-call role", "moderator": "moderator role",
              "organiser": "organiser role", "owner": "the server owner by DM", "nobody": "nobody"}


@dataclass(frozen=True)
class RoleInfo:
    name: str
    member_ids: tuple[int, ...]


class Directory(Protocol):
    """What Discord knows about a server's people (the cog's member cache)."""

    def role(self, guild_id: int, role_id: int) -> RoleInfo | None:
        """The role's name and holders; None when the role no longer exists."""

    def owner_of(self, guild_id: int) -> int | None: ...


# One directory per process, set by the cases cog when it loads: pages are made deep inside
# transactions opened by every capability (open_case), which have no Discord client to ask.
_directory: Directory | None = None


def use_directory(directory: Directory | None) -> None:
    global _directory
    _directory = directory


def current_directory() -> Directory | None:
    return _directory


@dataclass(frozen=True)
class Roster:
    """A server's people to page: /setup's roles (with their holders when known), who is on duty,
    and the owner."""

    guild_id: int
    on_duty: tuple[int, ...] = ()
    oncall_role_id: int | None = None
    moderator_role_id: int | None = None
    organiser_role_id: int | None = None
    roles: tuple[tuple[int, RoleInfo | None], ...] = ()   # (role id, what Discord says; None: gone)
    owner_id: int | None = None
    known: bool = False   # a directory answered: ``roles`` is Discord's truth, not a guess

    def role_info(self, role_id: int) -> RoleInfo | None:
        return dict(self.roles).get(role_id)


@dataclass(frozen=True)
class Page:
    """Whom one page reaches."""

    step: str                       # the chain's link: duty, oncall, moderator, organiser, owner or nobody
    role_id: int | None = None
    role_name: str = ""
    user_ids: tuple[int, ...] = ()  # mentioned by id (those on duty)
    people: tuple[int, ...] = ()    # everyone the page reaches, as far as known (role holders, duty, owner)
    counted: bool = True            # ``people`` is complete (False: a role's holders are unknown)

    @property
    def owner_dm(self) -> int | None:
        """The owner, when the page is theirs: a DM (a mention in the queue would reach nobody)."""
        return self.people[0] if self.step == "owner" and self.people else None

    def mentions(self) -> str:
        if self.role_id is not None:
            return f"<@&{self.role_id}>"
        return " ".join(f"<@{u}>" for u in self.user_ids)

    def allowed_mentions(self) -> dict[str, Any]:
        return {"parse": [], "roles": [str(self.role_id)] if self.role_id is not None else [],
                "users": [str(u) for u in self.user_ids]}

    def describe(self) -> str:
        """For the case history: whom it reached, by kind, role name and count; never names of people."""
        what = STEP_NAMES[self.step]
        if self.role_id is not None and self.role_name:
            what += f" {self.role_name}"
        if self.step == "duty":
            return f"{what} ({len(self.user_ids)})"
        if self.role_id is not None and self.counted:
            count = len(self.people)
            return f"{what} ({count} member{'' if count == 1 else 's'})"
        return what


def reach(roster: Roster, start: str = "duty") -> Page:
    """The first link of the chain from ``start`` that reaches somebody (see the module)."""
    for step in CHAIN[CHAIN.index(start):]:
        if step == "duty" and roster.on_duty:
            return Page("duty", user_ids=roster.on_duty, people=roster.on_duty)
        if step in ("oncall", "moderator", "organiser"):
            role_id = getattr(roster, f"{step}_role_id")
            if role_id is None:
                continue
            if not roster.known:
                return Page(step, role_id=role_id, counted=False)
            info = roster.role_info(role_id)
            if info is None or not info.member_ids:
                continue  # deleted since /setup, or nobody holds it: a mention would reach nobody
            return Page(step, role_id=role_id, role_name=info.name, people=info.member_ids)
        if step == "owner" and roster.owner_id is not None:
            return Page("owner", people=(roster.owner_id,))
    return Page("nobody")


async def roster_of(conn: Conn, guild_id: int, now: datetime) -> Roster:
    """The server's roster now: /setup's roles and who is on duty (on ``conn``, inside a transaction
    or ``db.reader``), with the directory's knowledge of roles and the owner."""
    row = await read_one(
        conn, "SELECT oncall_role_id, moderator_role_id, organiser_role_id FROM guild_settings WHERE guild_id = ?",
        (guild_id,),
    )
    oncall, moderator, organiser = (tuple(row) if row is not None else (None, None, None))
    duty = tuple(await on_duty(conn, guild_id, now))
    directory = _directory
    if directory is None:
        return Roster(guild_id, duty, oncall, moderator, organiser)
    roles = tuple((r, directory.role(guild_id, r)) for r in (oncall, moderator, organiser) if r is not None)
    return Roster(guild_id, duty, oncall, moderator, organiser, roles, directory.owner_of(guild_id), known=True)


def people_to_dm(page: Page, roster: Roster) -> tuple[int, ...]:
    """Whom a page reaches by DM when the queue channel can't carry it: the page's people (at most
    MAX_PEOPLE), or the owner when they are unknown."""
    people = page.people[:MAX_PEOPLE]
    if not people and roster.owner_id is not None:
        people = (roster.owner_id,)
    return people


async def record_page(conn: Conn, now: str, *, guild_id: int, case_id: int, what: str,
                      page: Page) -> None:
    """The case history's line for a page: what it was for and whom it reached."""
    await conn.execute(
        "INSERT INTO case_events (guild_id, case_id, actor_id, event, detail, at) VALUES (?, ?, NULL, 'paged', ?, ?)",
        (guild_id, case_id, f"{what}: reached {page.describe()}", now),
    )


async def dm_page(conn: Conn, outbox: Outbox, *, guild_id: int, key: str, people: tuple[int, ...],
                  text: str) -> int:
    """The same page by DM to each of ``people`` (keys ``<key>:<user>``: once each). Returns how many."""
    sent = 0
    for user_id in people:
        if await outbox.enqueue(conn, key=f"{key}:{user_id}", kind="case_page_dm", guild_id=guild_id,
                                target_kind="dm", target_id=user_id,
                                payload={"content": text, "allowed_mentions": {"parse": []}}):
            sent += 1
    return sent


async def thread_page(conn: Conn, guild_id: int, now: datetime, *, urgent: bool) -> Page:
    """Whom a reach-out's private thread brings in: an urgent one the chain's people (a role can't
    be mentioned into a private thread its holders can't see, so they are added by name); a
    normal one those on duty (the queue post pages the rest)."""
    roster = await roster_of(conn, guild_id, now)
    if urgent:
        return reach(roster)
    return Page("duty", user_ids=roster.on_duty, people=roster.on_duty) if roster.on_duty else Page("nobody")


async def emergency_page(db: Database, directory: Directory, guild_id: int) -> tuple[Page, int | None]:
    """Whom to page, and the queue channel, when the crisis response could not be written: read
    with single reads (they still work while writes are locked out); with no database at all, the
    owner. Nobody is on duty as far as this knows (a role or the owner is paged instead)."""
    try:
        row = await db.fetchone("SELECT queue_channel_id, oncall_role_id, moderator_role_id, organiser_role_id"
                                " FROM guild_settings WHERE guild_id = ?", (guild_id,))
    except DatabaseError:
        row = None
    queue, oncall, moderator, organiser = tuple(row) if row is not None else (None, None, None, None)
    roles = tuple((r, directory.role(guild_id, r)) for r in (oncall, moderator, organiser) if r is not None)
    roster = Roster(guild_id, (), oncall, moderator, organiser, roles, directory.owner_of(guild_id), known=True)
    return reach(roster), queue
