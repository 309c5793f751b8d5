"""Moderators' side of cases: /case list|show|claim|note|resolve|escalate|on-duty, actions on a
member, the queue message's buttons and modals, /case-admin settings, and the ladder's wake-ups."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.cases.duty import (
    DAYS,
    add_window,
    duty_list,
    on_duty,
    remove_window,
    set_on_duty,
    windows_of,
)
from bot.cases.paging import current_directory, use_directory
from bot.cases.queue import (
    ANNOUNCE_KIND,
    LADDER_KIND,
    QUEUE_FALLBACK,
    ladder_step,
    post_queue_message,
    queue_failed_fallback,
)
from bot.cases.records import KINDS, Case, case_events, get_case, get_case_by_number, list_cases, read_case
from bot.cases.settings import PROFANITY_MODES, update_case_settings
from bot.cases.wording import (
    BLOCK_NEEDS_STORY,
    BLOCK_STORY_AUTHOR,
    BLOCKED_MEMBER,
    BLOCKED_STORY_AUTHOR,
    CASE_GONE,
    DUTY_ADDED,
    DUTY_LIST,
    DUTY_NO_SUCH,
    DUTY_NONE,
    DUTY_NOT_NOW,
    DUTY_NOW,
    DUTY_REMOVED,
    KIND_NAMES,
    NO_SUCH_CASE,
    STATUS_NAMES,
    event_detail,
)
from bot.cases.workflow import (
    action_dm_states,
    add_note,
    block_from_stories,
    case_for_action,
    claim,
    escalate,
    record_action,
    removed_text,
    resolve,
    timeout_length,
    timeout_text,
)
from bot.circles.access import require_organiser
from bot.circles.consent import leave
from bot.circles.records import resolve_circle
from bot.core.clock import iso_utc
from bot.core.errors import UserFacingError
from bot.core.messages import SECONDARY, Button, Card, custom_id, embed, timestamp
from bot.core.text import display, neutralise_mentions
from bot.delivery.scheduler import MissedPolicy, Occurrence
from bot.members.zones import suggest
from bot.stories import block_author_of_story, block_member
from bot.stories.moderation import MAX_BLOCK_DAYS
from cogs.cases.common import GuildDirectory, refresh_queue_message
from cogs.common.choices import circle_choices
from cogs.common.components import Action, PersistentComponent, form, send_card
from cogs.common.context import actor_of, reply, require_moderator, settings_of
from cogs.common.modals import modal_values

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot
    from bot.core.db import Conn

log = logging.getLogger(__name__)

ALWAYS = timedelta(days=3650)  # a re-page is sent however late the bot wakes: never dropped
PAGE_SIZE = 8
STATUS_CHOICES = [app_commands.Choice(name=v, value=k) for k, v in
                  {"open": "open", "claimed": "claimed", "resolved": "resolved"}.items()]
DAY_CHOICES = [app_commands.Choice(name=name, value=index) for index, name in enumerate(DAYS)]
KIND_CHOICES = [app_commands.Choice(name=KIND_NAMES[k], value=k) for k in KINDS]


def list_card(cases: list[Case], page: int, status: str, kind: str) -> Card:
    pages = max(1, -(-len(cases) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = cases[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    lines = [f"**#{c.number}** {KIND_NAMES.get(c.kind, c.kind)} · {'🚨 urgent' if c.urgency == 'urgent' else 'normal'}"
             f" · {STATUS_NAMES[c.status] if c.status != 'claimed' else f'claimed by <@{c.claimed_by}>'}"
             f" · opened {timestamp(c.created_at, 'R')}" for c in shown]
    body = embed(f"Cases ({status or 'not resolved'}{', ' + kind if kind else ''})",
                 "\n".join(lines) or "No cases here. 🌿", footer={"text": f"Page {page + 1} of {pages}"})
    buttons = []
    if page > 0:
        buttons.append(Button(custom_id("caselist", page - 1, status, kind), "Previous", SECONDARY))
    if page < pages - 1:
        buttons.append(Button(custom_id("caselist", page + 1, status, kind), "Next", SECONDARY))
    return Card(embeds=(body,), rows=(tuple(buttons),) if buttons else ())


class CaseModerators(commands.Cog):
    # Declared beside the handlers and checked by the one dispatcher before they run (the handlers
    # check again against the case's own server).
    component_actions: ClassVar[dict[str, str | Action]] = {
        "caseclaim": Action("on_claim_button", "moderator"), "casenote": Action("on_note_button", "moderator"),
        "caseresolve": Action("on_resolve_button", "moderator"),
        "caseescalate": Action("on_escalate_button", "moderator"), "caselist": Action("on_list_page", "moderator"),
        # The note and resolve forms: custom_id("casenoted" / "caseresolved", case id).
        "casenoted": form("note_from_modal", "moderator"), "caseresolved": form("resolve_from_modal", "moderator"),
    }

    case = app_commands.Group(
        name="case", description="Moderators: the case queue (reports, requests to talk, crisis alerts)",
        guild_only=True, default_permissions=discord.Permissions(moderate_members=True),
        extras={"audience": "moderator"})
    admin = app_commands.Group(
        name="case-admin", description="Organisers: settings of the moderator queue and its escalation ladder",
        guild_only=True, default_permissions=discord.Permissions(manage_guild=True), extras={"audience": "organiser"})

    duty = app_commands.Group(name="duty", description="Your weekly duty schedule: the ladder pages you first then",
                              parent=case)

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PersistentComponent)
        self.bot.scheduler.register_kind(ANNOUNCE_KIND, self.on_announce, MissedPolicy.LATE, grace=ALWAYS)
        self.bot.scheduler.register_kind(LADDER_KIND, self.on_ladder, MissedPolicy.LATE, grace=ALWAYS)
        self._directory = GuildDirectory(self.bot)
        use_directory(self._directory)
        self.bot.outbox.register_fallback(QUEUE_FALLBACK, queue_failed_fallback(self.bot.clock, self.bot.outbox))

    async def cog_unload(self) -> None:
        if current_directory() is self._directory:
            use_directory(None)

    # -- wake-ups ---------------------------------------------------------------------------------

    async def on_announce(self, conn: Conn, occurrence: Occurrence) -> None:
        case = await read_case(conn, occurrence.guild_id, occurrence.owner_id)
        if case is not None:
            await post_queue_message(conn, self.bot.clock, self.bot.outbox, case)

    async def on_ladder(self, conn: Conn, occurrence: Occurrence) -> None:
        paged = await ladder_step(conn, self.bot.clock, self.bot.outbox, guild_id=occurrence.guild_id,
                                  case_id=occurrence.owner_id, step=str(occurrence.payload.get("step")),
                                  scheduled_at=occurrence.scheduled_at)
        log.info("case ladder step guild_id=%s case_id=%s step=%s paged=%s late=%s", occurrence.guild_id,
                 occurrence.owner_id, occurrence.payload.get("step"), paged, occurrence.late)

    # -- /case list, show -------------------------------------------------------------------------

    @case.command(name="list", description="Cases in this server's queue (not resolved unless you ask)")
    @app_commands.describe(status="Only cases with this status", kind="Only cases of this kind")
    @app_commands.choices(status=STATUS_CHOICES, kind=KIND_CHOICES)
    async def list_command(self, interaction: discord.Interaction, status: app_commands.Choice[str] | None = None,
                           kind: app_commands.Choice[str] | None = None) -> None:
        await require_moderator(self.bot, interaction)
        await self.show_list(interaction, 0, status.value if status else "", kind.value if kind else "", edit=False)

    async def show_list(self, interaction: discord.Interaction, page: int, status: str, kind: str, *,
                        edit: bool) -> None:
        assert interaction.guild_id is not None
        cases = await list_cases(self.bot.db, interaction.guild_id, status=status or None, kind=kind or None)
        await send_card(interaction, list_card(cases, page, status, kind), edit=edit)

    async def on_list_page(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        await require_moderator(self.bot, interaction)
        page, status, kind = [*args, "0", "", ""][:3]
        await self.show_list(interaction, int(page or 0), status, kind, edit=True)

    @case.command(name="show", description="One case: what happened, its snapshot and its history")
    @app_commands.describe(id="The case number")
    async def show(self, interaction: discord.Interaction, id: int) -> None:
        settings = await require_moderator(self.bot, interaction)
        case = await self._by_number(settings.guild_id, id)
        events = await case_events(self.bot.db, settings.guild_id, case.id)
        dm_states = await action_dm_states(self.bot.db, settings.guild_id, case.id)
        lines = []
        for e in events:
            who = f"<@{e.actor_id}>" if e.actor_id else "the bot"
            detail = f": {event_detail(e.event, e.detail)[:200]}" if e.detail else ""
            lines.append(f"{timestamp(e.at, 'f')} {who} **{e.event}**{detail}")
        for event_id, state in sorted(dm_states.items()):
            lines.append(f"member told (action {event_id}): {state}")
        fields = [{"name": "Status", "value": STATUS_NAMES[case.status] if case.status != "claimed"
                   else f"claimed by <@{case.claimed_by}>", "inline": True},
                  {"name": "Urgency", "value": case.urgency, "inline": True},
                  {"name": "From", "value": case.source.replace("_", " "), "inline": True}]
        if case.subject_user_id:
            fields.append({"name": "About", "value": f"<@{case.subject_user_id}>", "inline": True})
        if case.opened_by and case.opened_by != case.subject_user_id:
            fields.append({"name": "Raised by", "value": f"<@{case.opened_by}>", "inline": True})
        snap = case.snapshot
        if snap.get("content") or snap.get("text"):
            quoted = display(str(snap.get("content") or snap.get("text")))[:900]
            author = f" by <@{snap['author_id']}>" if snap.get("author_id") else ""
            fields.append({"name": f"Snapshot{author}", "value": f">>> {quoted}", "inline": False})
        if snap.get("link"):
            fields.append({"name": "Link", "value": str(snap["link"]), "inline": False})
        if case.thread_id:
            fields.append({"name": "Thread", "value": f"<#{case.thread_id}>", "inline": False})
        history = "\n".join(lines[-15:])
        body = embed(f"Case #{case.number}: {KIND_NAMES.get(case.kind, case.kind)}",
                     (neutralise_mentions(case.summary)[:1500] or "(no summary)") + "\n\n**History**\n" + history,
                     fields=fields)
        await send_card(interaction, Card(embeds=(body,)))

    # Commands take a case's number in this server (``_by_number``); buttons and modals carry its
    # internal id (``_case``). Both are scoped to the server.
    async def _case(self, guild_id: int, case_id: int) -> Case:
        case = await get_case(self.bot.db, guild_id, case_id)
        if case is None:
            raise UserFacingError(CASE_GONE)
        return case

    async def _by_number(self, guild_id: int, number: int) -> Case:
        case = await get_case_by_number(self.bot.db, guild_id, number)
        if case is None:
            raise UserFacingError(NO_SUCH_CASE.format(case_number=number))
        return case

    async def _target(self, guild_id: int, *, number: int | None, case_id: int | None) -> Case:
        if number is not None:
            return await self._by_number(guild_id, number)
        assert case_id is not None
        return await self._case(guild_id, case_id)

    # -- claim, note, resolve, escalate -------------------------------------------------------------

    @case.command(name="claim", description="Take a case: the ladder stops paging for it")
    @app_commands.describe(id="The case number")
    async def claim_command(self, interaction: discord.Interaction, id: int) -> None:
        await self.do_claim(interaction, number=id)

    async def on_claim_button(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        await self.do_claim(interaction, case_id=int(args[0]))

    async def do_claim(self, interaction: discord.Interaction, *, number: int | None = None,
                       case_id: int | None = None) -> None:
        settings = await require_moderator(self.bot, interaction)
        before = await self._target(settings.guild_id, number=number, case_id=case_id)
        await claim(self.bot.db, self.bot.clock, settings.guild_id, before.id, interaction.user.id)
        if before.claimed_by and before.claimed_by != interaction.user.id:
            await reply(interaction, f"You've taken over case #{before.number} from <@{before.claimed_by}>. The "
                                     "ladder has stopped paging for it.")
        else:
            await reply(interaction, f"You've claimed case #{before.number}. The ladder has stopped paging for it.")
        await refresh_queue_message(self.bot, settings, before.id)

    @case.command(name="note", description="Add a note to a case's history")
    @app_commands.describe(id="The case number", text="The note (moderators only see it)")
    async def note_command(self, interaction: discord.Interaction, id: int,
                           text: app_commands.Range[str, 1, 1000]) -> None:
        settings = await require_moderator(self.bot, interaction)
        case = await self._by_number(settings.guild_id, id)
        await add_note(self.bot.db, self.bot.clock, settings.guild_id, case.id, interaction.user.id, text)
        await reply(interaction, f"Note added to case #{case.number}.")
        await refresh_queue_message(self.bot, settings, case.id)

    async def on_note_button(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        settings = await require_moderator(self.bot, interaction)
        case = await self._case(settings.guild_id, int(args[0]))
        modal = discord.ui.Modal(title=f"Note on case #{case.number}", custom_id=custom_id("casenoted", case.id))
        modal.add_item(discord.ui.TextInput(label="Note", custom_id="note", style=discord.TextStyle.paragraph,
                                            max_length=1000))
        await interaction.response.send_modal(modal)

    @case.command(name="resolve", description="Close a case with its outcome")
    @app_commands.describe(id="The case number", outcome="What happened, in a few words")
    async def resolve_command(self, interaction: discord.Interaction, id: int,
                              outcome: app_commands.Range[str, 1, 300]) -> None:
        settings = await require_moderator(self.bot, interaction)
        case = await self._by_number(settings.guild_id, id)
        await resolve(self.bot.db, self.bot.clock, settings.guild_id, case.id, interaction.user.id, outcome)
        await reply(interaction, f"Case #{case.number} is resolved.")
        await refresh_queue_message(self.bot, settings, case.id)

    async def on_resolve_button(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        settings = await require_moderator(self.bot, interaction)
        case = await self._case(settings.guild_id, int(args[0]))
        modal = discord.ui.Modal(title=f"Resolve case #{case.number}", custom_id=custom_id("caseresolved", case.id))
        modal.add_item(discord.ui.TextInput(label="Outcome", custom_id="outcome", max_length=300))
        await interaction.response.send_modal(modal)

    @case.command(name="escalate", description="Make a case urgent and page the organisers now")
    @app_commands.describe(id="The case number", reason="Why (optional)")
    async def escalate_command(self, interaction: discord.Interaction, id: int,
                               reason: app_commands.Range[str, 0, 300] = "") -> None:
        await self.do_escalate(interaction, reason, number=id)

    async def on_escalate_button(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        await self.do_escalate(interaction, "", case_id=int(args[0]))

    async def do_escalate(self, interaction: discord.Interaction, reason: str, *, number: int | None = None,
                          case_id: int | None = None) -> None:
        settings = await require_moderator(self.bot, interaction)
        target = await self._target(settings.guild_id, number=number, case_id=case_id)
        case = await escalate(self.bot.db, self.bot.clock, self.bot.outbox, settings.guild_id, target.id,
                              interaction.user.id, reason)
        await reply(interaction, f"Case #{case.number} is now urgent and the organisers have been paged.")
        await refresh_queue_message(self.bot, settings, case.id)

    async def note_from_modal(self, interaction: discord.Interaction, args: list[str]) -> None:
        case_id = int(args[0])
        settings = await require_moderator(self.bot, interaction)
        case = await add_note(self.bot.db, self.bot.clock, settings.guild_id, case_id, interaction.user.id,
                              str(modal_values(interaction).get("note", "")))
        await reply(interaction, f"Note added to case #{case.number}.")
        await refresh_queue_message(self.bot, settings, case_id)

    async def resolve_from_modal(self, interaction: discord.Interaction, args: list[str]) -> None:
        case_id = int(args[0])
        settings = await require_moderator(self.bot, interaction)
        case = await resolve(self.bot.db, self.bot.clock, settings.guild_id, case_id, interaction.user.id,
                             str(modal_values(interaction).get("outcome", "")))
        await reply(interaction, f"Case #{case.number} is resolved.")
        await refresh_queue_message(self.bot, settings, case_id)

    # -- on duty -------------------------------------------------------------------------------------

    @case.command(name="on-duty", description="Say you're on duty (the ladder pages you first) or off")
    @app_commands.describe(state="on or off")
    @app_commands.choices(state=[app_commands.Choice(name="on", value="on"),
                                 app_commands.Choice(name="off", value="off")])
    async def on_duty(self, interaction: discord.Interaction, state: app_commands.Choice[str]) -> None:
        settings = await require_moderator(self.bot, interaction)
        await set_on_duty(self.bot.db, self.bot.clock, settings.guild_id, interaction.user.id, state.value == "on")
        on = await duty_list(self.bot.db, settings.guild_id, self.bot.clock.now())
        names = ", ".join(f"<@{u}>" for u in on) or "nobody"
        await reply(interaction, f"You're {'on' if state.value == 'on' else 'off'} duty. On duty now: {names}.")

    @duty.command(name="add", description="Add a weekly window when you're on duty (the end may be after midnight)")
    @app_commands.describe(day="The day the window starts", start="When it starts, 24-hour clock (e.g. 18:00)",
                           end="When it ends, 24-hour clock (e.g. 22:00, or 02:00 for after midnight)",
                           timezone="Your time zone (start typing a city); the server's if you leave it out")
    @app_commands.choices(day=DAY_CHOICES)
    async def duty_add(self, interaction: discord.Interaction, day: app_commands.Choice[int],
                       start: app_commands.Range[str, 1, 8], end: app_commands.Range[str, 1, 8],
                       timezone: app_commands.Range[str, 1, 64] | None = None) -> None:
        settings = await require_moderator(self.bot, interaction)
        window = await add_window(self.bot.db, self.bot.clock, guild_id=settings.guild_id, user_id=interaction.user.id,
                                  weekday=day.value, start=start, end=end, timezone=timezone or settings.timezone)
        log.info("case duty window added guild_id=%s window_id=%s", settings.guild_id, window.id)
        await reply(interaction, DUTY_ADDED.format(window=window.describe()))

    @duty_add.autocomplete("timezone")
    async def duty_zone_autocomplete(self, interaction: discord.Interaction,
                                     current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=zone, value=zone) for zone in suggest(current)]

    @duty.command(name="list", description="Your weekly duty windows, and whether you're on duty now")
    async def duty_list_command(self, interaction: discord.Interaction) -> None:
        settings = await require_moderator(self.bot, interaction)
        windows = await windows_of(self.bot.db, settings.guild_id, interaction.user.id)
        now = await on_duty(self.bot.db.reader, settings.guild_id, self.bot.clock.now())
        status = DUTY_NOW if interaction.user.id in now else DUTY_NOT_NOW
        if not windows:
            await reply(interaction, f"{DUTY_NONE} {status}")
            return
        lines = "\n".join(f"**#{w.id}** {w.describe()}" for w in windows)
        await reply(interaction, DUTY_LIST.format(lines=lines) + f"\n{status}")

    @duty.command(name="remove", description="Remove one of your weekly duty windows")
    @app_commands.describe(window="The window's number, from /case duty list")
    async def duty_remove(self, interaction: discord.Interaction, window: int) -> None:
        settings = await require_moderator(self.bot, interaction)
        if not await remove_window(self.bot.db, guild_id=settings.guild_id, user_id=interaction.user.id,
                                   window_id=window):
            raise UserFacingError(DUTY_NO_SUCH.format(window_id=window))
        await reply(interaction, DUTY_REMOVED)

    @duty_remove.autocomplete("window")
    async def duty_window_autocomplete(self, interaction: discord.Interaction,
                                       current: str) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        windows = await windows_of(self.bot.db, interaction.guild_id, interaction.user.id)
        return [app_commands.Choice(name=f"#{w.id} {w.describe()}"[:100], value=w.id) for w in windows
                if current.strip().lower() in w.describe().lower() or current.strip() in str(w.id)][:25]

    # -- actions on a member ---------------------------------------------------------------------------

    async def _subject(self, interaction: discord.Interaction, number: int) -> tuple[Case, discord.Member]:
        assert interaction.guild is not None
        case = await self._by_number(interaction.guild.id, number)
        if case.subject_user_id is None:
            raise UserFacingError(f"Case #{case.number} isn't about a known member, so there's nobody to act on.")
        member = interaction.guild.get_member(case.subject_user_id)
        if member is None:
            raise UserFacingError("That member isn't in the server any more.")
        return case, member

    @case.command(name="timeout", description="Time out the member a case is about (1 minute to 28 days)")
    @app_commands.describe(id="The case number", minutes="How long, in minutes (1 to 40320)",
                           reason="Why (recorded on the case; told to the member if the server chose that)")
    async def timeout_command(self, interaction: discord.Interaction, id: int,
                              minutes: app_commands.Range[int, 1, 40320],
                              reason: app_commands.Range[str, 1, 300]) -> None:
        settings = await require_moderator(self.bot, interaction)
        length = timeout_length(minutes)
        case, member = await self._subject(interaction, id)
        until = self.bot.clock.now() + length
        try:
            await member.timeout(until, reason=f"case {case.number}: timeout")
        except discord.Forbidden:
            raise UserFacingError("Discord didn't let me time out that member: my role needs **Timeout Members** and "
                                  "must be above theirs (owners and admins can't be timed out).") from None
        assert interaction.guild is not None
        told = await record_action(self.bot.db, self.bot.clock, self.bot.outbox, guild_id=settings.guild_id,
                                   case_id=case.id, moderator_id=interaction.user.id, action="timeout",
                                   member_id=member.id, reason=reason, server_name=interaction.guild.name,
                                   detail=f"until {iso_utc(until)}",
                                   tell=timeout_text(interaction.guild.name, iso_utc(until)))
        await reply(interaction, f"{member.mention} is timed out until {timestamp(until)}. "
                    + ("They'll be told privately; `/case show` says whether the message arrived." if told
                       else "They weren't messaged (server setting)."))
        await refresh_queue_message(self.bot, settings, case.id)

    @case.command(name="remove-from-circle", description="Remove the member a case is about from a circle")
    @app_commands.describe(id="The case number", circle="The circle", reason="Why (recorded on the case)")
    async def remove_from_circle(self, interaction: discord.Interaction, id: int, circle: str,
                                 reason: app_commands.Range[str, 1, 300]) -> None:
        settings = await require_moderator(self.bot, interaction)
        case, member = await self._subject(interaction, id)
        found = await resolve_circle(self.bot.db, settings.guild_id, circle)
        outbox: Any = self.bot.outbox  # circles types its outbox as its own Protocol
        result = await leave(self.bot.db, self.bot.clock, settings.guild_id, found.id, member.id, outbox)
        assert interaction.guild is not None
        if result.role_change is not None and found.role_id:
            role = interaction.guild.get_role(found.role_id)
            if role is not None:
                try:
                    await member.remove_roles(role, reason=f"case {case.number}: removed from circle {found.id}")
                except discord.HTTPException as exc:
                    log.warning("circle role not removed case_id=%s status=%s", case.id, exc.status)
        told = await record_action(self.bot.db, self.bot.clock, self.bot.outbox, guild_id=settings.guild_id,
                                   case_id=case.id, moderator_id=interaction.user.id, action="removed from circle",
                                   member_id=member.id, reason=reason, server_name=interaction.guild.name,
                                   detail=f"circle {found.id}",
                                   tell=removed_text(interaction.guild.name, display(found.name)))
        await reply(interaction, f"{member.mention} was removed from **{display(found.name)}**."
                    + (" They'll be told privately." if told else ""))
        await refresh_queue_message(self.bot, settings, case.id)

    @remove_from_circle.autocomplete("circle")
    async def circle_autocomplete(self, interaction: discord.Interaction,
                                  current: str) -> list[app_commands.Choice[str]]:
        return await circle_choices(self.bot.db, interaction, current)

    @case.command(name="block-stories",
                  description="Stop a story's (unknown) author, or the member a case is about, sharing stories")
    @app_commands.describe(id="The case number", days=f"How many days the block lasts (1 to {MAX_BLOCK_DAYS})",
                           reason="Why (recorded on the case)",
                           story="For a case about a story: its number (Story #N); its author stays unknown")
    async def block_stories(self, interaction: discord.Interaction, id: int,
                            days: app_commands.Range[int, 1, MAX_BLOCK_DAYS], reason: app_commands.Range[str, 1, 300],
                            story: app_commands.Range[int, 1] | None = None) -> None:
        settings = await require_moderator(self.bot, interaction)
        gid, moderator = settings.guild_id, interaction.user.id
        target = await self._by_number(gid, id)
        async with self.bot.db.transaction() as conn:
            case = await case_for_action(conn, gid, target.id)
            if story is not None:
                _found, until = await block_author_of_story(conn, self.bot.clock, guild_id=gid, number=story, days=days,
                                                            moderator_id=moderator, reason=f"case #{case.number}")
                whom = BLOCK_STORY_AUTHOR.format(number=story)
                text = BLOCKED_STORY_AUTHOR.format(number=story, until=timestamp(until), case_number=case.number)
            elif case.subject_user_id is not None:
                until = await block_member(conn, self.bot.clock, guild_id=gid, user_id=case.subject_user_id, days=days)
                whom = f"<@{case.subject_user_id}>"
                text = BLOCKED_MEMBER.format(user=case.subject_user_id, until=timestamp(until),
                                             case_number=case.number)
            else:
                raise UserFacingError(BLOCK_NEEDS_STORY.format(case_number=case.number))
            await block_from_stories(conn, self.bot.clock, guild_id=gid, case_id=case.id, moderator_id=moderator,
                                     reason=reason, whom=whom, until=until)
        log.info("case action stories block guild_id=%s case_id=%s by_story=%s days=%s", gid, case.id,
                 story is not None, days)
        await reply(interaction, text)
        await refresh_queue_message(self.bot, settings, case.id)

    # -- /case-admin settings ---------------------------------------------------------------------------

    @admin.command(name="settings", description="See or change the escalation ladder and chat moderation settings")
    @app_commands.describe(
        repage_minutes="Re-page on call when an urgent case is unclaimed this long (default 5)",
        organiser_minutes="Page organisers when an urgent case is unclaimed this long (default 15)",
        normal_raise_hours="Raise a normal case unclaimed this long (default 24)",
        profanity="Swearing in circle chat: off (Discord AutoMod covers it) or remove and tell the member",
        concern_opens_case="Open a case for a 'concern' (not only a crisis)",
        tell_member_of_actions="Tell members privately about actions taken on them")
    @app_commands.choices(profanity=[app_commands.Choice(name=m, value=m) for m in PROFANITY_MODES])
    async def settings(self, interaction: discord.Interaction, repage_minutes: int | None = None,
                       organiser_minutes: int | None = None, normal_raise_hours: int | None = None,
                       profanity: app_commands.Choice[str] | None = None, concern_opens_case: bool | None = None,
                       tell_member_of_actions: bool | None = None) -> None:
        settings = await settings_of(self.bot, interaction)
        require_organiser(actor_of(interaction), settings)
        async with self.bot.db.transaction() as conn:
            saved = await update_case_settings(
                conn, self.bot.clock, settings.guild_id, repage_minutes=repage_minutes,
                organiser_minutes=organiser_minutes, normal_raise_hours=normal_raise_hours,
                profanity_mode=profanity.value if profanity else None, concern_opens_case=concern_opens_case,
                tell_member_of_actions=tell_member_of_actions)
        await reply(interaction, (
            f"Urgent cases re-page on call after **{saved.repage_minutes} min** and page organisers after "
            f"**{saved.organiser_minutes} min**; normal cases are raised after **{saved.normal_raise_hours} h**. "
            f"Profanity in circle chat: **{saved.profanity_mode}**. A concern opens a case: "
            f"**{'yes' if saved.concern_opens_case else 'no'}**. Members told of actions: "
            f"**{'yes' if saved.tell_member_of_actions else 'no'}**."))
