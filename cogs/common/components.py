"""Persistent components and cards as replies, shared by every cog.

Every button and select the bot sends has a custom_id ``<prefix>:<action>:<args>``
(bot/core/messages.py). One DynamicItem matches them all, so they keep working after a restart
with no stored views; it hands each press to the cog that lists the action in
``component_actions``.

Who may press it is declared next to the handler and checked here, in one place, before the
handler runs: ``component_actions = {"archiveok": Action("on_archive_confirmed", "organiser")}``.
A plain string is an action for everyone (``"member"``). ``"moderator"`` and ``"organiser"`` are
the server roles set in /setup (owner and Manage Server count as organisers); ``"facilitator"``
asks the cog's ``async def may_facilitate(interaction, args) -> bool`` (organisers pass without
it; moderators do not, as with /circle-facilitator). See docs/permissions.md;
tests/e2e/test_permission_matrix.py presses every non-member action as a plain member.

Modals (forms) go through the same table: their custom_id is ``<prefix>:<action>:<args>`` too, and
``form("save_x", "organiser")`` declares the submit's handler ``(interaction, args)`` and its
audience, which a form must state. ``submit_modal`` (the bot's one listener for submits, so a form
still works after a restart) defers, checks the audience, then runs the handler
(``run_deferred``); the matrix test submits every form as a plain member too.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import discord
from discord.ui import DynamicItem, Item

from bot.core import changes
from bot.core.db import answer_soon, answered
from bot.core.messages import CUSTOM_ID_TEMPLATE, Card, parse_custom_id
from bot.core.permissions import NotAllowed, Role, server_role
from cogs.common.context import MODERATORS_ONLY, NO_PINGS, actor_of, settings_of
from cogs.common.failures import answer_failure

Audience = Literal["member", "facilitator", "moderator", "organiser"]
AUDIENCES: tuple[Audience, ...] = ("member", "facilitator", "moderator", "organiser")
_NEEDS = {"moderator": Role.MODERATOR, "organiser": Role.ORGANISER}
REFUSAL = {
    "moderator": MODERATORS_ONLY,
    "organiser": "Only organisers can do that.",
    "facilitator": "Only this circle's facilitators and the server's organisers can do that.",
}


@dataclass(frozen=True)
class Action:
    """A component action's handler (a method name on the cog) and who may use it."""

    method: str
    audience: Audience = "member"
    modal: bool = False   # a form's submit (handler ``(interaction, args)``), never a button press
    update: bool = False  # a form opened from a message's button: its answer replaces that message

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown audience {self.audience!r}")


def form(method: str, audience: Audience, *, update: bool = False) -> Action:
    """A modal's submit in a cog's ``component_actions``; its audience is always said."""
    return Action(method, audience, modal=True, update=update)


def as_action(entry: str | Action) -> Action:
    return entry if isinstance(entry, Action) else Action(entry)


class DuplicateAction(RuntimeError):
    """Two cogs claim one component action; raised while the second loads, so the bot never starts
    with a button whose handler depends on which cog happened to load last."""


def require_unique_actions(loaded: Iterable[Any], cog: Any) -> None:
    """Raise DuplicateAction if ``cog`` lists a component action one of the ``loaded`` cogs lists.

    A cog of the same name is left out: discord.py's ``add_cog(override=True)`` replaces it."""
    name_of = getattr(cog, "qualified_name", type(cog).__name__)
    claimed = {
        action: getattr(other, "qualified_name", type(other).__name__)
        for other in loaded if getattr(other, "qualified_name", type(other).__name__) != name_of
        for action in getattr(other, "component_actions", {})
    }
    clashes = sorted(a for a in getattr(cog, "component_actions", {}) if a in claimed)
    if clashes:
        raise DuplicateAction("component actions are unique across the bot; "
                              + ", ".join(f"{a!r} of cog {name_of} is already {claimed[a]}'s" for a in clashes))


def component_actions_of(bot: Any) -> dict[str, tuple[Any, Action]]:
    """Every component action the loaded cogs handle: action -> (cog, Action). Unique, because
    ``PeerCirclesBot.add_cog`` refuses a cog that repeats one (``require_unique_actions``)."""
    found: dict[str, tuple[Any, Action]] = {}
    for cog in bot.cogs.values():
        for name, entry in getattr(cog, "component_actions", {}).items():
            found[name] = (cog, as_action(entry))
    return found


async def require_audience(interaction: discord.Interaction, cog: Any, action: Action, args: list[str]) -> None:
    """Refuse (NotAllowed, shown as written) anyone outside the action's audience."""
    if action.audience == "member":
        return
    bot = interaction.client
    if interaction.guild_id is None:
        raise NotAllowed(REFUSAL[action.audience])
    role = server_role(actor_of(interaction), await settings_of(bot, interaction))  # type: ignore[arg-type]
    if action.audience == "facilitator":
        if role >= Role.ORGANISER:
            return
        check = getattr(cog, "may_facilitate", None)
        if check is not None and await check(interaction, args):
            return
        raise NotAllowed(REFUSAL["facilitator"])
    if role < _NEEDS[action.audience]:
        raise NotAllowed(REFUSAL[action.audience])

log = logging.getLogger(__name__)

_STYLES = {1: discord.ButtonStyle.primary, 2: discord.ButtonStyle.secondary, 3: discord.ButtonStyle.success,
           4: discord.ButtonStyle.danger}


class PersistentComponent(DynamicItem[Item[Any]], template=CUSTOM_ID_TEMPLATE):
    """Any circle button or select, old or new: parsed from its custom_id at press time."""

    def __init__(self, item: Item[Any]) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Item[Any], match: Any, /,
    ) -> PersistentComponent:
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        parsed = parse_custom_id(self.custom_id)
        if parsed is None:
            return
        action, args = parsed
        values = [str(v.id) if hasattr(v, "id") else str(v) for v in getattr(self.item, "values", [])]
        handled = component_actions_of(interaction.client).get(action)
        if handled is None:
            log.warning("no handler for circle component action=%s", action)
            return
        cog, declared = handled
        if declared.modal:
            log.warning("a component named a form's action action=%s", action)
            return
        await run_safely(interaction, self._checked(interaction, cog, declared, args, values), f"component:{action}")

    @staticmethod
    async def _checked(interaction: discord.Interaction, cog: Any, action: Action, args: list[str],
                       values: list[str]) -> None:
        await require_audience(interaction, cog, action, args)
        await getattr(cog, action.method)(interaction, args, values)


# A form's custom_id: a component's, except that its arguments may be any text (a form is never
# rebuilt from its id by discord.py, so e.g. a crisis service's languages can travel in it).
FORM_ID = re.compile(r"^(?:circle|pc):(?P<action>[a-z]+)(?::(?P<args>.*))?$", re.DOTALL)


async def submit_modal(interaction: discord.Interaction) -> None:
    """Every form's submit, by its custom_id's action (registered once, by the bot): deferred at
    once, the action's audience checked, then its handler."""
    if interaction.type is not discord.InteractionType.modal_submit:
        return
    match = FORM_ID.match(str(dict(interaction.data or {}).get("custom_id", "")))
    if match is None:
        return  # a form some other code answers (Modal.on_submit)
    action, args = match["action"], (match["args"].split(":") if match["args"] is not None else [])
    handled = component_actions_of(interaction.client).get(action)
    if handled is None or not handled[1].modal:
        log.warning("no handler for form action=%s", action)
        return
    cog, declared = handled

    async def checked() -> None:
        await require_audience(interaction, cog, declared, args)
        await getattr(cog, declared.method)(interaction, args)

    # An update needs the message the form came from (a submit without one is answered privately).
    update = declared.update and interaction.message is not None
    await run_deferred(interaction, checked(), f"modal:{action}", update=update)


async def run_safely(interaction: discord.Interaction, work: Awaitable[None], what: str) -> None:
    """Component and modal handlers: the same plain answers the slash-command error handler gives
    (a write that found the database busy for too long: a kind "try again", ``DatabaseBusy``)."""
    changes.track()
    answer_soon()
    try:
        await work
    except Exception as exc:
        await answer_failure(interaction, exc, what)


async def run_deferred(interaction: discord.Interaction, work: Awaitable[None], what: str, *,
                       update: bool = False) -> None:
    """Modal submits whose work touches the database: deferred at once, so what the member typed is
    never lost to Discord's 3 seconds while another process holds the write lock; the work then
    waits for the database patiently and answers with a follow-up (``send_card``/``reply`` see the
    deferral). ``update``: the modal was opened from a message's button and its answer replaces
    that message (a deferred update, then an edit); otherwise an ephemeral "thinking" deferral."""
    changes.track()
    answer_soon()  # until the deferral is sent, a failure must still be answered in time
    try:
        if update:
            await interaction.response.defer()
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)
    except Exception as exc:
        if inspect.iscoroutine(work):
            work.close()
        await answer_failure(interaction, exc, what)
        return
    answered()  # the member has an answer: the writes may wait out a busy database
    try:
        await work
    except Exception as exc:
        await answer_failure(interaction, exc, what)


# -- cards ------------------------------------------------------------------------------------------

def card_view(card: Card, extra: Sequence[Item[Any]] = ()) -> discord.ui.View | None:
    """The card's buttons (and any extra selects) as a View of persistent components."""
    if not card.rows and not extra:
        return None
    view = discord.ui.View(timeout=None)
    # Each extra item is a select, a whole row; the discord.py view places them in order.
    row_offset = len(extra)
    for item in extra:
        view.add_item(item)
    for index, row in enumerate(card.rows):
        for button in row:
            view.add_item(PersistentComponent(discord.ui.Button(
                style=_STYLES[button.style], label=button.label[:80], custom_id=button.custom_id,
                row=row_offset + index,
            )))
    return view


def _mentions(card: Card) -> discord.AllowedMentions:
    if not card.mention_user_ids:
        return NO_PINGS
    return discord.AllowedMentions(everyone=False, roles=False, replied_user=False,
                                   users=[discord.Object(u) for u in card.mention_user_ids])


async def send_card(
    interaction: discord.Interaction, card: Card, *, edit: bool = False, ephemeral: bool = True,
    extra: Sequence[Item[Any]] = (),
) -> None:
    """Reply with a card, or (edit=True) replace the message the pressed component is on."""
    embeds = [discord.Embed.from_dict(e) for e in card.embeds]
    view = card_view(card, extra)
    kwargs: dict[str, Any] = {"content": card.content or None, "embeds": embeds,
                              "allowed_mentions": _mentions(card)}
    if edit:
        kwargs["view"] = view
        if interaction.response.is_done():
            await interaction.edit_original_response(**kwargs)
        else:
            await interaction.response.edit_message(**kwargs)
        return
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
