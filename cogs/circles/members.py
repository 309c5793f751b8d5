"""/circle list|find|join|leave|mine, the buttons on circle cards and DMs, member join/leave
listeners, deadline wake-ups, and keeping circle roles in line with the database.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.circles import wording
from bot.circles.access import require_set_up
from bot.circles.cards import (
    CircleLine,
    circle_list_card,
    custom_id,
    full_card,
    leave_confirm_card,
    my_circles_card,
    norms_card,
    not_now_card,
    waitlisted_card,
    welcome_card,
    welcome_copy_failed_card,
    welcome_post_card,
    with_dm_copy_note,
)
from bot.circles.catalogue import LANGUAGES, TOPICS, language_name
from bot.circles.consent import (
    AgreeResult,
    agree,
    leave,
    may_use_from_dm,
    member_left_server,
    my_circles,
    role_states,
    seat_of,
    should_hold_role,
    undo_join,
)
from bot.circles.deadlines import GRACE_KIND, OFFER_KIND
from bot.circles.due import process_due
from bot.circles.matching import (
    PARTS_OF_DAY,
    WEEKDAYS,
    MeetingTimes,
    Preferences,
    find_matches,
    next_meetings,
)
from bot.circles.norms import get_norms
from bot.circles.notices import (
    RECONSENT_FALLBACK,
    WELCOME_COPY_FALLBACK,
    enqueue_notice,
    reconsent_channel_notice,
    role_problem_notice,
    welcome_copy_notice,
    welcome_post_notice,
)
from bot.circles.records import (
    Circle,
    RoleChange,
    facilitator_ids,
    get_circle,
    list_circles,
    resolve_circle,
    seats_taken,
)
from bot.circles.settings import get_circle_settings
from bot.circles.waitlist import join_waitlist, leave_waitlist, next_position, position_of, waitlist_entry
from bot.core.clock import iso_utc
from bot.core.errors import UserFacingError
from bot.core.messages import Card
from bot.core.text import display
from bot.delivery.scheduler import MissedPolicy, Occurrence
from bot.members.prefs import get_prefs
from bot.safety.card import crisis_embed_for
from cogs.common.bot_permissions import MissingPermission, explain_http, require_guild_permission, require_role_below_me
from cogs.common.choices import choice, circle_choices
from cogs.common.components import PersistentComponent, run_safely, send_card
from cogs.common.context import guild_id_of, guild_settings, settings_of
from cogs.common.modals import custom_id_of

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot
    from bot.core.db import Conn
    from bot.delivery.outbox import OutboxRow
    from cogs.circles.admin import CircleAdmin

log = logging.getLogger(__name__)

# Deadlines are enforced however late the bot wakes (e.g. after downtime): never skipped.
ALWAYS = timedelta(days=3650)
# How often circle roles are compared with the database even when nothing asked for it.
RECONCILE_EVERY = timedelta(hours=1)
TOPIC_KEYS = tuple(TOPICS)
PART_KEYS = tuple(PARTS_OF_DAY)


# -- the finder's state lives in its selects' custom_ids, so it survives restarts ---------------------

def _mask(keys: frozenset[str] | frozenset[int], universe: tuple[Any, ...]) -> str:
    return format(sum(1 << universe.index(k) for k in keys if k in universe), "x")


def _unmask(text: str, universe: tuple[Any, ...]) -> frozenset[Any]:
    try:
        bits = int(text or "0", 16)
    except ValueError:
        bits = 0
    return frozenset(u for i, u in enumerate(universe) if bits >> i & 1)


def finder_state(args: list[str]) -> Preferences:
    topics, lang, days, parts = [*args, "", "", "", ""][:4]
    return Preferences(
        topics=_unmask(topics, TOPIC_KEYS),
        language=lang if lang in LANGUAGES else None,
        days=_unmask(days, tuple(range(7))),
        parts_of_day=_unmask(parts, PART_KEYS),
    )


def finder_args(prefs: Preferences) -> list[str]:
    return [_mask(prefs.topics, TOPIC_KEYS), prefs.language or "any", _mask(prefs.days, tuple(range(7))),
            _mask(prefs.parts_of_day, PART_KEYS)]


class Circles(commands.Cog):
    component_actions: ClassVar[dict[str, str]] = {
        "join": "on_join_button", "agree": "on_agree", "dmcopy": "on_dm_copy", "notnow": "on_not_now",
        "wait": "on_wait", "pass": "on_pass", "leave": "on_leave_button", "leaveok": "on_leave_confirmed",
        "stay": "on_stay", "list": "on_list_button", "findt": "on_find_select", "findl": "on_find_select",
        "findd": "on_find_select", "findp": "on_find_select",
    }

    circle = app_commands.Group(name="circle", description="Find, join and leave peer-support circles",
                                guild_only=True)

    def __init__(self, bot: PeerCirclesBot, admin: CircleAdmin) -> None:
        self.bot = bot
        self.admin = admin  # facilitator access is the admin side's; a member leaving drops it
        self._reconcile_guilds: set[int] = set()
        self._reconcile_task: asyncio.Task[None] | None = None
        # Role changes are serialised per (server, member); each re-reads the seat first.
        self._role_locks: weakref.WeakValueDictionary[tuple[int, int], asyncio.Lock] = weakref.WeakValueDictionary()
        self._periodic: asyncio.Task[None] | None = None
        # Welcome copies queued for members' DMs, by outbox key, so a failed one can be explained to the
        # member within the interaction's 15 minutes. Memory only: after a restart nobody is waiting.
        self._copy_requests: dict[str, discord.Interaction] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PersistentComponent)
        for kind in (GRACE_KIND, OFFER_KIND):
            self.bot.scheduler.register_kind(kind, self.on_deadline, MissedPolicy.LATE, grace=ALWAYS)
        self.bot.outbox.register_fallback(RECONSENT_FALLBACK, self.on_reconsent_undeliverable)
        self.bot.outbox.register_fallback(WELCOME_COPY_FALLBACK, self.on_welcome_copy_undelivered)
        self._periodic = asyncio.create_task(self._reconcile_periodically(), name="circle-roles-hourly")

    async def cog_unload(self) -> None:
        for task in (self._reconcile_task, self._periodic):
            if task is not None:
                task.cancel()

    @property
    def meeting_times(self) -> MeetingTimes:
        return self.bot.meeting_times

    # -- /circle list ------------------------------------------------------------------------------

    @circle.command(name="list", description="Open circles with free seats and a Join button for each")
    @app_commands.describe(topic="Only show circles about this")
    @app_commands.choices(topic=[app_commands.Choice(name=label, value=key) for key, label in TOPICS.items()])
    async def list_circles_command(self, interaction: discord.Interaction,
                                   topic: app_commands.Choice[str] | None = None) -> None:
        require_set_up(await settings_of(self.bot, interaction))
        await send_card(interaction, await self.list_card(guild_id_of(interaction), topic.value if topic else None))

    async def list_card(self, guild_id: int, topic: str | None = None) -> Card:
        listings = await list_circles(self.bot.db, guild_id, topic=topic)
        meetings = await next_meetings(self.bot.db, guild_id, [li.circle.id for li in listings],
                                       now=self.bot.clock.now(), source=self.meeting_times)
        lines = [CircleLine(li.circle.id, li.circle.name, li.circle.description, li.circle.topics,
                            li.circle.language, li.seats_left, meetings.get(li.circle.id)) for li in listings]
        empty = ("No open circles about that topic yet." if topic else
                 "There are no open circles yet. Organisers can create one with /circle-admin create.")
        return circle_list_card(lines, title="Circles" + (f": {TOPICS[topic]}" if topic else ""), empty=empty)

    async def on_list_button(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        require_set_up(await settings_of(self.bot, interaction))
        await send_card(interaction, await self.list_card(guild_id_of(interaction)))

    # -- /circle find ------------------------------------------------------------------------------

    @circle.command(name="find", description="Answer a few questions and see the circles that suit you best")
    async def find(self, interaction: discord.Interaction) -> None:
        require_set_up(await settings_of(self.bot, interaction))
        await self.show_finder(interaction, Preferences(), edit=False)

    async def on_find_select(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        action = custom_id_of(interaction).split(":")[1]
        prefs = finder_state(args)
        if action == "findt":
            prefs = Preferences(frozenset(v for v in values if v in TOPICS), prefs.language, prefs.days,
                                prefs.parts_of_day)
        elif action == "findl":
            lang = values[0] if values and values[0] in LANGUAGES else None
            prefs = Preferences(prefs.topics, lang, prefs.days, prefs.parts_of_day)
        elif action == "findd":
            prefs = Preferences(prefs.topics, prefs.language, frozenset(int(v) for v in values if v.isdigit()),
                                prefs.parts_of_day)
        else:
            prefs = Preferences(prefs.topics, prefs.language, prefs.days,
                                frozenset(v for v in values if v in PARTS_OF_DAY))
        await self.show_finder(interaction, prefs, edit=True)

    async def show_finder(self, interaction: discord.Interaction, prefs: Preferences, *, edit: bool) -> None:
        guild_id = guild_id_of(interaction)
        source = self.meeting_times
        if source.available and prefs.timezone is None:
            # Days and parts of the day are the member's own: their zone, else the server's.
            zone = (await get_prefs(self.bot.db, guild_id, interaction.user.id)).timezone
            prefs = replace(prefs, timezone=zone or (await settings_of(self.bot, interaction)).timezone,
                            zone_is_own=zone is not None)
        matches = await find_matches(self.bot.db, guild_id, prefs, now=self.bot.clock.now(), source=source)
        lines = [CircleLine(m.listing.circle.id, m.listing.circle.name, m.listing.circle.description,
                            m.listing.circle.topics, m.listing.circle.language, m.listing.seats_left,
                            m.meetings[0] if m.meetings else None, m.reasons) for m in matches]
        asked = bool(prefs.topics or prefs.language or prefs.days or prefs.parts_of_day)
        card = circle_list_card(
            lines, title="Circles that may suit you" if asked else "Open circles",
            intro=wording.FINDER_INTRO + ("" if prefs.zone_is_own or not source.available
                                          else wording.FINDER_ZONE.format(zone=prefs.timezone)),
            empty="No open circle matches those choices yet. Try fewer choices, or /circle list for all circles.",
        )
        if not lines:
            card = Card(card.content)
        state = finder_args(prefs)
        selects: list[discord.ui.Item[Any]] = []
        topics: discord.ui.Select[discord.ui.View] = discord.ui.Select(
            custom_id=custom_id("findt", *state), placeholder=wording.FINDER_TOPICS,
            min_values=0, max_values=len(TOPICS), row=0,
            options=[discord.SelectOption(label=label, value=key, default=key in prefs.topics)
                     for key, label in TOPICS.items()],
        )
        selects.append(PersistentComponent(topics))
        languages = sorted({li.circle.language for li in await list_circles(self.bot.db, guild_id)}
                           | ({prefs.language} if prefs.language else set()))
        if languages:
            lang: discord.ui.Select[discord.ui.View] = discord.ui.Select(
                custom_id=custom_id("findl", *state), placeholder="Which language?", min_values=0, max_values=1,
                row=1, options=[discord.SelectOption(label=language_name(code), value=code,
                                                     default=code == prefs.language) for code in languages][:25],
            )
            selects.append(PersistentComponent(lang))
        if source.available:
            # Only once circles have schedules: which days and times suit the member.
            selects.append(PersistentComponent(discord.ui.Select(
                custom_id=custom_id("findd", *state), placeholder="Which days suit you?", min_values=0,
                max_values=7, row=2, options=[discord.SelectOption(label=d, value=str(i), default=i in prefs.days)
                                              for i, d in enumerate(WEEKDAYS)])))
            selects.append(PersistentComponent(discord.ui.Select(
                custom_id=custom_id("findp", *state), placeholder="Which times of day?", min_values=0,
                max_values=len(PARTS_OF_DAY), row=3,
                options=[discord.SelectOption(label=p.title(), value=p, default=p in prefs.parts_of_day)
                         for p in PARTS_OF_DAY])))
        rows = card.rows[: 5 - len(selects)]
        card = Card(card.content, card.embeds, rows)
        await send_card(interaction, card, edit=edit, extra=selects)

    # -- joining -----------------------------------------------------------------------------------

    @circle.command(name="join", description="Read a circle's norms and join it if they feel right")
    @app_commands.describe(circle="The circle to join (start typing its name)")
    async def join(self, interaction: discord.Interaction, circle: str) -> None:
        settings = await settings_of(self.bot, interaction)
        require_set_up(settings)
        found = await resolve_circle(self.bot.db, settings.guild_id, circle)
        await self.show_join(interaction, found.guild_id, found.id)

    @join.autocomplete("circle")
    async def join_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await circle_choices(self.bot.db, interaction, current)

    async def _guild_for(self, interaction: discord.Interaction, circle_id: int) -> int:
        """The circle's server: the interaction's, or for DM buttons, one where the person has a place."""
        if interaction.guild_id is not None:
            return interaction.guild_id
        return await may_use_from_dm(self.bot.db, circle_id, interaction.user.id)

    async def on_join_button(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle_id = int(args[0])
        guild_id = await self._guild_for(interaction, circle_id)
        if interaction.guild_id is not None:
            require_set_up(await settings_of(self.bot, interaction))
        await self.show_join(interaction, guild_id, circle_id)

    async def show_join(self, interaction: discord.Interaction, guild_id: int, circle_id: int, *,
                        dm_copy: bool = False, edit: bool = False, note: str = "") -> None:
        """The norms card (or, for a full circle, the waitlist offer) for this member."""
        db, user_id = self.bot.db, interaction.user.id
        circle = await get_circle(db, guild_id, circle_id, allow_archived=False)
        seat = await seat_of(db, guild_id, circle_id, user_id)
        if seat and seat["status"] == "active" and seat["consent_version"] == circle.norms_version:
            raise UserFacingError(self._already_in(circle))
        entry = await waitlist_entry(db, guild_id, circle_id, user_id)
        held = entry is not None and entry.holds_offer
        taken = await seats_taken(db, guild_id, circle_id)
        if seat is None and not held and taken >= circle.capacity:
            position = await position_of(db, guild_id, circle_id, user_id)
            card = (waitlisted_card(circle.name, position, already=True) if position else
                    full_card(circle_id=circle_id, circle_name=circle.name,
                              position=await next_position(db, guild_id, circle_id)))
        else:
            norms = await get_norms(db, guild_id, circle_id)
            card = norms_card(
                circle_id=circle_id, circle_name=circle.name, version=norms.version, text=norms.text,
                seats_left=None if held else circle.capacity - taken, crisis=await crisis_embed_for(db, guild_id),
                dm_copy=dm_copy, in_dm=interaction.guild_id is None, returning=seat is not None, note=note,
            )
        await send_card(interaction, card, edit=edit)

    @staticmethod
    def _already_in(circle: Circle) -> str:
        where = f" Its channel is <#{circle.text_channel_id}>." if circle.text_channel_id else ""
        return f"You're already in **{display(circle.name)}**.{where}"

    async def on_dm_copy(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle_id = int(args[0])
        await self.show_join(interaction, await self._guild_for(interaction, circle_id), circle_id,
                             dm_copy=args[2] == "1", edit=True)

    async def on_not_now(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle_id = int(args[0])
        guild_id = await self._guild_for(interaction, circle_id)
        circle = await get_circle(self.bot.db, guild_id, circle_id)
        await send_card(interaction, not_now_card(circle.name), edit=True)

    async def on_agree(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle_id, version, dm_copy = int(args[0]), int(args[1]), args[2] == "1"
        guild_id = await self._guild_for(interaction, circle_id)
        db, clock, user_id = self.bot.db, self.bot.clock, interaction.user.id
        await interaction.response.defer()  # granting the role may take a moment
        result = await agree(db, clock, guild_id, circle_id, user_id, version)
        circle = result.circle
        if result.kind == "stale":
            await self.show_join(interaction, guild_id, circle_id, dm_copy=dm_copy, edit=True,
                                 note=f"The norms changed while this card was open. Here is version {result.version}.")
            return
        if result.kind == "full":
            await send_card(interaction, full_card(circle_id=circle_id, circle_name=circle.name,
                                                   position=result.position or 1, just_taken=True), edit=True)
            return
        if result.role_change is not None:
            await self._grant_or_undo(result, user_id)
        if result.kind == "already":
            await send_card(interaction, Card(self._already_in(circle)), edit=True)
            return
        meetings = await next_meetings(db, guild_id, [circle_id], now=clock.now(), source=self.meeting_times)
        card = welcome_card(
            circle_name=circle.name, text_channel_id=circle.text_channel_id,
            voice_channel_id=circle.voice_channel_id, facilitator_ids=await facilitator_ids(db, guild_id, circle_id),
            next_checkin=meetings.get(circle_id), returning=result.kind == "reconsented", resumed=result.resumed,
        )
        await send_card(interaction, with_dm_copy_note(card) if dm_copy else card, edit=True)
        if dm_copy:
            # The member ticked "also send this to my DMs": the only reason the bot DMs a welcome.
            # Queued after the welcome is shown, so a failure notice can only come after it.
            notice = welcome_copy_notice(circle, user_id, card, iso_utc(clock.now()))
            self._copy_requests = {k: i for k, i in self._copy_requests.items() if not i.is_expired()}
            self._copy_requests[notice.key] = interaction
            async with db.transaction() as conn:
                await enqueue_notice(conn, self.bot.outbox, notice)
        # The event and the circle, never the member too: together they would say who lives with what.
        log.info("circle joined guild_id=%s circle_id=%s kind=%s", guild_id, circle_id, result.kind)

    async def _grant_or_undo(self, result: AgreeResult, user_id: int) -> None:
        """Apply the role agreeing earned; if Discord refuses, a new seat is given back, and the member is
        told plainly what happened and what to do."""
        assert result.role_change is not None
        circle = result.circle
        try:
            await self.apply_role(result.role_change, doing=f"give a member access to {circle.name}")
            return
        except MissingPermission as exc:
            # The member is told kindly; the technical words go to the moderators' queue channel.
            text = wording.role_blocked(display(circle.name), result.kind)
            await self._tell_moderators_role_problem(circle, user_id, str(exc))
        except discord.HTTPException as exc:
            # 5xx, or 429s left after discord.py's own retries: Discord is having trouble.
            log.warning("circle role grant failed guild_id=%s circle_id=%s status=%s", circle.guild_id, circle.id,
                        exc.status)
            text = wording.role_discord_trouble(display(circle.name), result.kind)
        if result.kind == "joined":
            await undo_join(self.bot.db, self.bot.clock, circle.guild_id, circle.id, user_id, self.bot.outbox)
        raise UserFacingError(text)

    async def _tell_moderators_role_problem(self, circle: Circle, user_id: int, technical: str) -> None:
        """Post what an organiser must fix in the moderator queue channel /setup chose (if any)."""
        queue_id = (await guild_settings(self.bot, circle.guild_id)).queue_channel_id
        if queue_id is None:
            return
        notice = role_problem_notice(circle, user_id, queue_id, technical, iso_utc(self.bot.clock.now()))
        async with self.bot.db.transaction() as conn:
            await enqueue_notice(conn, self.bot.outbox, notice)

    async def on_welcome_copy_undelivered(self, conn: Conn, row: OutboxRow, reason: str) -> None:
        """A welcome copy couldn't reach the member's DMs: say so under the welcome they already have."""
        interaction = self._copy_requests.pop(row.key, None)
        if interaction is None or interaction.is_expired():
            return  # a restart or 15 minutes passed: the welcome itself was shown, nothing more to do
        card = welcome_copy_failed_card(dms_closed=reason == "dm_closed")
        task = asyncio.create_task(run_safely(interaction, send_card(interaction, card), "welcome_copy_failed"))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- waitlist ----------------------------------------------------------------------------------

    async def on_wait(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle_id = int(args[0])
        guild_id = await self._guild_for(interaction, circle_id)
        result = await join_waitlist(self.bot.db, self.bot.clock, guild_id, circle_id, interaction.user.id)
        if result.kind in ("offered", "seat_free"):
            note = "A seat is free for you now." if result.kind == "seat_free" else ""
            await self.show_join(interaction, guild_id, circle_id, edit=True, note=note)
            return
        await send_card(interaction, waitlisted_card(result.circle.name, result.position or 1,
                                                     already=result.kind == "already"), edit=True)

    async def on_pass(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle_id = int(args[0])
        guild_id = await self._guild_for(interaction, circle_id)
        circle = await get_circle(self.bot.db, guild_id, circle_id)
        if not await leave_waitlist(self.bot.db, self.bot.clock, guild_id, circle_id, interaction.user.id,
                                    self.bot.outbox):
            raise UserFacingError(f"You're not on the waitlist for **{display(circle.name)}** any more.")
        await send_card(interaction, Card(
            wording.passed_on(display(circle.name))), edit=True)

    # -- leaving -----------------------------------------------------------------------------------

    @circle.command(name="leave", description="Leave a circle (or its waitlist); you can come back later")
    @app_commands.describe(circle="The circle to leave (start typing its name)")
    async def leave_command(self, interaction: discord.Interaction, circle: str) -> None:
        settings = await settings_of(self.bot, interaction)
        require_set_up(settings)
        found = await resolve_circle(self.bot.db, settings.guild_id, circle, allow_archived=True)
        await self.show_leave(interaction, found.guild_id, found.id, edit=False)

    @leave_command.autocomplete("circle")
    async def leave_autocomplete(self, interaction: discord.Interaction,
                                 current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        mine = await my_circles(self.bot.db, interaction.guild_id, interaction.user.id)
        needle = current.casefold()
        return [choice(li.name, str(li.circle_id)) for li in mine
                if needle in li.name.casefold()][:25]

    async def on_leave_button(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle_id = int(args[0])
        await self.show_leave(interaction, await self._guild_for(interaction, circle_id), circle_id, edit=False)

    async def show_leave(self, interaction: discord.Interaction, guild_id: int, circle_id: int, *, edit: bool) -> None:
        db, user_id = self.bot.db, interaction.user.id
        circle = await get_circle(db, guild_id, circle_id)
        seat = await seat_of(db, guild_id, circle_id, user_id)
        waiting = await waitlist_entry(db, guild_id, circle_id, user_id) is not None
        if seat is None and not waiting:
            raise UserFacingError(f"You're not in **{display(circle.name)}** or on its waitlist.")
        await send_card(interaction, leave_confirm_card(circle_id=circle_id, circle_name=circle.name,
                                                        waiting=seat is None), edit=edit)

    async def on_leave_confirmed(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle_id = int(args[0])
        guild_id = await self._guild_for(interaction, circle_id)
        await interaction.response.defer()
        result = await leave(self.bot.db, self.bot.clock, guild_id, circle_id, interaction.user.id, self.bot.outbox)
        name = display(result.circle.name)
        if result.kind == "left_waitlist":
            await send_card(interaction, Card(f"You're off the waitlist for **{name}**."), edit=True)
            return
        text = wording.left_circle(name)
        if result.role_change is not None:
            try:
                await self.apply_role(result.role_change, doing=f"remove your access to {result.circle.name}")
            except (MissingPermission, discord.HTTPException) as exc:
                log.warning("circle role removal failed guild_id=%s circle_id=%s error=%s", guild_id, circle_id,
                            type(exc).__name__)
                # The database says they left; reconciling retries the removal (and again at every start).
                self.request_reconcile({guild_id})
                text += (" I couldn't remove your access role just now, so you may still see the circle's channels"
                         " for a little while; I'll try again, and an organiser can remove it too.")
        await send_card(interaction, Card(text), edit=True)

    async def on_stay(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        circle_id = int(args[0])
        circle = await get_circle(self.bot.db, await self._guild_for(interaction, circle_id), circle_id)
        await send_card(interaction, Card(f"Glad you're staying in **{display(circle.name)}**."), edit=True)

    # -- /circle mine ------------------------------------------------------------------------------

    @circle.command(name="mine", description="Your circles, when you agreed to their norms, and waitlist places")
    async def mine(self, interaction: discord.Interaction) -> None:
        settings = await settings_of(self.bot, interaction)
        require_set_up(settings)
        lines = await my_circles(self.bot.db, settings.guild_id, interaction.user.id)
        meetings = await next_meetings(self.bot.db, settings.guild_id, [li.circle_id for li in lines],
                                       now=self.bot.clock.now(), source=self.meeting_times)
        lines = [replace(li, next_meeting=meetings[li.circle_id]) if li.circle_id in meetings else li
                 for li in lines]
        await send_card(interaction, my_circles_card(lines))

    # -- roles -------------------------------------------------------------------------------------

    async def apply_role(self, change: RoleChange, *, doing: str) -> None:
        """Grant or remove one circle role now; MissingPermission says plainly what's missing.

        Changes for one member of one server run one at a time, and each first re-reads the seat:
        a change decided before the member agreed, left or was paused meanwhile is not applied
        (the later decision's own change, or the reconcile, puts the role right)."""
        key = (change.guild_id, change.user_id)
        lock = self._role_locks.get(key)
        if lock is None:
            lock = self._role_locks[key] = asyncio.Lock()
        async with lock:
            wanted = await should_hold_role(self.bot.db, change.guild_id, change.circle_id, change.user_id)
            if wanted != change.add:
                log.info("circle role change outdated, not applied guild_id=%s circle_id=%s reason=%s",
                         change.guild_id, change.circle_id, change.reason)
                return
            await self._apply_role_now(change, doing=doing)

    async def _apply_role_now(self, change: RoleChange, *, doing: str) -> None:
        guild = self.bot.get_guild(change.guild_id)
        if guild is None:
            raise UserFacingError("I'm not in that server any more.")
        role = guild.get_role(change.role_id)
        if role is None:
            raise MissingPermission(
                f"I couldn't {doing}: the circle's role no longer exists. An organiser can archive the circle and "
                "create it again.")
        member = guild.get_member(change.user_id)
        if member is None:
            try:
                member = await guild.fetch_member(change.user_id)
            except discord.NotFound:
                return  # they left the server; the leave listener frees their seat
        require_guild_permission(guild, "manage_roles", doing)
        require_role_below_me(guild, role, doing)
        reason = f"circle {change.circle_id}: {change.reason}"
        try:
            if change.add:
                await member.add_roles(role, reason=reason)
            else:
                await member.remove_roles(role, reason=reason)
        except discord.HTTPException as exc:
            explained = explain_http(exc, guild, "Manage Roles", "in this server", doing)
            if explained is None:
                raise
            raise explained from None

    def request_reconcile(self, guild_ids: set[int] | list[int]) -> None:
        """Bring circle roles in line with the database soon (after the caller's transaction)."""
        self._reconcile_guilds.update(guild_ids)
        if self._reconcile_task is None or self._reconcile_task.done():
            self._reconcile_task = asyncio.create_task(self._reconcile_loop(), name="circle-roles")

    async def _reconcile_periodically(self) -> None:
        """Every hour, bring roles in line with the database (cheap when nothing differs: it reads
        the database and the member cache and makes no request)."""
        await self.bot.wait_until_ready()
        while True:
            await self.bot.clock.sleep_until(self.bot.clock.now() + RECONCILE_EVERY)
            self.request_reconcile([g.id for g in self.bot.guilds])

    async def _reconcile_loop(self) -> None:
        while self._reconcile_guilds:
            guild_id = self._reconcile_guilds.pop()
            try:
                await self.reconcile_roles(guild_id)
            except Exception:
                log.exception("circle role reconcile failed guild_id=%s", guild_id)

    async def reconcile_roles(self, guild_id: int) -> int:
        """Grant roles active seats should have and remove those paused or withdrawn. Returns changes."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return 0
        # Read inside a transaction: it waits for any transaction in progress (e.g. the scheduler's).
        async with self.bot.db.transaction():
            states = await role_states(self.bot.db, guild_id)
        changed = 0
        for state in states:
            role = guild.get_role(state.role_id)
            if role is None:
                log.warning("circle role missing guild_id=%s circle_id=%s", guild_id, state.circle_id)
                continue
            current = {m.id for m in role.members}
            wanted = [RoleChange(guild_id, uid, state.role_id, True, state.circle_id, "reconcile")
                      for uid in sorted(state.holders - current) if guild.get_member(uid) is not None]
            wanted += [RoleChange(guild_id, uid, state.role_id, False, state.circle_id, "reconcile")
                       for uid in sorted(current & state.revoked)]
            for change in wanted:
                try:
                    await self.apply_role(change, doing="update circle roles")
                    changed += 1
                except (MissingPermission, discord.HTTPException) as exc:
                    log.warning("circle role change failed guild_id=%s circle_id=%s error=%s", guild_id,
                                state.circle_id, type(exc).__name__)
        return changed

    # -- deadlines (scheduler) -----------------------------------------------------------------------

    async def on_deadline(self, conn: Conn, occurrence: Occurrence) -> None:
        """Grace periods ending and held seats expiring: state and DMs now, roles after the commit."""
        result = await process_due(self.bot.db, conn, self.bot.clock, self.bot.outbox)
        if result.role_changes:
            self.request_reconcile(result.guild_ids)

    async def on_reconsent_undeliverable(self, conn: Conn, row: OutboxRow, reason: str) -> None:
        notice = await reconsent_channel_notice(conn, row.guild_id, row.key)
        if notice is not None:
            await enqueue_notice(conn, self.bot.outbox, notice)

    # -- listeners ---------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Role changes decided before a restart but not yet applied are applied now.
        self.request_reconcile([g.id for g in self.bot.guilds])

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        settings = await get_circle_settings(self.bot.db, member.guild.id)
        if settings.welcome_channel_id is None:
            return
        if not (await guild_settings(self.bot, member.guild.id)).setup_done:
            return
        joined = iso_utc(member.joined_at or self.bot.clock.now())
        notice = welcome_post_notice(member.guild.id, settings.welcome_channel_id, member.id, joined,
                                     welcome_post_card(member.id))

        async def write() -> None:
            async with self.bot.db.transaction() as conn:
                await enqueue_notice(conn, self.bot.outbox, notice)

        await self.bot.busy_retries.run(("circles.welcome", member.guild.id, member.id), "circles.welcome",
                                        member.guild.id, write)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        # Seats, waitlist places and facilitation go: tried again later if the database is busy.
        guild_id, user_id = payload.guild_id, payload.user.id
        await self.bot.busy_retries.run(("circles.member_left", guild_id, user_id), "circles.member_left", guild_id,
                                        lambda: self._member_left(guild_id, user_id))

    async def _member_left(self, guild_id: int, user_id: int) -> None:
        result = await member_left_server(self.bot.db, self.bot.clock, guild_id, user_id, self.bot.outbox)
        log.info("member left server guild_id=%s seats_freed=%d waitlists_left=%d", guild_id,
                 len(result.freed_circle_ids), len(result.waitlists_left))
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return
        for circle_id in result.facilitated_circle_ids:
            await self.admin.drop_facilitator_access(guild, circle_id, user_id)

