"""/screening: organisers set this server's screening words and crisis services, and try them out.

word-block, word-allow, word-remove, words: the server's own words (bot/screening/words.py).
try: how this server's settings screen a piece of text; a preview that is never stored or logged.
resource-add (a modal), resource-remove, resources: the server's own crisis services and the
crisis card members get (bot/safety/local_resources.py, bot/safety/resources.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import screening
from bot.circles.access import may_organise, require_organiser
from bot.core.errors import UserFacingError
from bot.core.guild_settings import GuildSettings
from bot.safety.local_resources import (
    MAX_CONTACT,
    MAX_DETAIL,
    MAX_NAME,
    MAX_PER_SERVER,
    MAX_WEB,
    add_entry,
    list_entries,
    remove_entry,
    require_room,
    validate_entry,
)
from bot.safety.regions import region_label
from bot.safety.resources import CrisisService, crisis_card
from bot.screening.identifying import IdentifyingDetail
from bot.screening.words import (
    MAX_LENGTH,
    MAX_WORDS_IN_PHRASE,
    MAX_WORDS_PER_SERVER,
    MIN_LENGTH,
    WordKind,
    add_word,
    list_words,
    normalise_word,
    remove_word,
    word_settings,
)
from cogs.common.components import Action, form
from cogs.common.context import actor_of, reply, settings_of
from cogs.common.modals import modal_values
from cogs.common.text import chunk

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)

MESSAGE_MAX = 2000
TRY_MAX = 1000  # leaves room in one message for the verdict around the censored text
SHOWN_DETAILS = 5
# The modal carries the language typed in the slash command (a modal holds only five inputs).
# The crisis-service form: "pc:screenres:<languages as typed>" (a form's id may carry free text).
RESOURCE_MODAL = "pc:screenres:"
RESOURCE_INPUTS = ("name", "phone", "text", "web", "hours")
KIND_NAMES: dict[WordKind, str] = {"block": "blocked", "allow": "allowed"}
DETAIL_NAMES = {
    "user_mention": "a member mention", "role_mention": "a role mention", "everyone": "@everyone or @here",
    "email": "an e-mail address", "invite": "a Discord invite", "url": "a web address",
    "phone": "a phone number", "discord_tag": "a Discord username with a tag", "handle": "an @handle",
    "street_address": "a street address", "workplace": "a named workplace",
}


def code(text: str) -> str:
    """Inline code that stays inline code whatever the text holds."""
    return "`" + text.replace("`", "'") + "`"


def code_block(text: str) -> str:
    return "```\n" + text.replace("```", "`\u200b``") + "\n```"


def word_lines(words: list[str], limit: int = 900) -> list[str]:
    """Words as inline code, several to a line, never splitting a phrase across lines."""
    lines: list[str] = []
    current = ""
    for word in words:
        item = code(word)
        if current and len(current) + 2 + len(item) > limit:
            lines.append(current)
            current = ""
        current = f"{current}, {item}" if current else item
    if current:
        lines.append(current)
    return lines


def detail_text(text: str, details: tuple[IdentifyingDetail, ...]) -> str:
    if not details:
        return "none found"
    shown = [f"{DETAIL_NAMES.get(d.kind, d.kind)} {code(text[d.start:d.end][:40])}" for d in details[:SHOWN_DETAILS]]
    more = len(details) - SHOWN_DETAILS
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def service_summary(service: CrisisService) -> str:
    """A one-line label for a service, for autocomplete (Discord allows 100 characters)."""
    contact = service.phone or service.text or service.web or ""
    label = f"{service.name} ({contact})" if contact else service.name
    return label if len(label) <= 100 else label[:99] + "…"


class ScreeningAdmin(commands.Cog):
    component_actions: ClassVar[dict[str, str | Action]] = {"screenres": form("save_resource", "organiser")}

    group = app_commands.Group(
        name="screening", description="Organisers: this server's screening words and crisis services",
        guild_only=True, default_permissions=discord.Permissions(manage_guild=True),
        extras={"audience": "organiser"},
    )

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    async def _organiser(self, interaction: discord.Interaction) -> GuildSettings:
        # Discord's default_permissions only hides the commands; this is the check that counts.
        settings = await settings_of(self.bot, interaction)
        require_organiser(actor_of(interaction), settings)
        return settings

    async def _may_organise(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            return False
        return may_organise(actor_of(interaction), await settings_of(self.bot, interaction))

    # -- autocomplete ------------------------------------------------------------------------------

    async def word_autocomplete(self, interaction: discord.Interaction,
                                current: str) -> list[app_commands.Choice[str]]:
        # The list is for organisers only: autocomplete must not show it to anyone else.
        if not await self._may_organise(interaction):
            return []
        typed = current.strip().lower()
        words = await list_words(self.bot.db, interaction.guild_id or 0)
        choices = [app_commands.Choice(name=f"{word} ({KIND_NAMES[kind]})", value=word)
                   for kind in KIND_NAMES for word in words[kind] if typed in word]
        return sorted(choices, key=lambda c: c.value)[:25]

    async def resource_autocomplete(self, interaction: discord.Interaction,
                                    current: str) -> list[app_commands.Choice[str]]:
        if not await self._may_organise(interaction):
            return []
        typed = current.strip().lower()
        entries = await list_entries(self.bot.db, interaction.guild_id or 0)
        return [app_commands.Choice(name=service_summary(service), value=str(entry_id))
                for entry_id, service in entries if typed in service.name.lower()][:25]

    # -- words -------------------------------------------------------------------------------------

    async def _set_word(self, interaction: discord.Interaction, raw: str, kind: WordKind) -> None:
        settings = await self._organiser(interaction)
        gid = settings.guild_id
        before = await list_words(self.bot.db, gid)
        word = await add_word(self.bot.db, self.bot.clock, gid, raw, kind)
        other: WordKind = "allow" if kind == "block" else "block"
        # Derived from ``before`` as word_remove does: add_word only inserts a word that was on neither list.
        is_new = word not in before["block"] and word not in before["allow"]
        used = sum(len(v) for v in before.values()) + is_new
        on_default = screening.contains(word)
        if word in before[kind]:
            head = f"{code(word)} was already {KIND_NAMES[kind]} on this server; nothing changed."
        elif kind == "block":
            head = f"Blocked {code(word)} on this server: text using it is now screened like profanity."
        else:
            head = f"Allowed {code(word)} on this server: it is no longer screened as profanity here."
        notes = []
        if word in before[other]:
            notes.append(f"It was {KIND_NAMES[other]} before; a word is either blocked or allowed.")
        if kind == "block" and on_default:
            notes.append("The default list already screens it, so it was screened before too.")
        if kind == "allow" and not on_default:
            notes.append("It isn't on the default list, so it wasn't being screened anyway.")
        notes.append(f"This server has {used} of {MAX_WORDS_PER_SERVER} words. Try it with /screening try.")
        log.info("screening word set guild_id=%s kind=%s words=%d", gid, kind, used)
        await reply(interaction, "\n".join([head, *notes]))

    @group.command(name="word-block", description="Screen a word or phrase as profanity on this server")
    @app_commands.describe(word=f"The word or phrase to block ({MIN_LENGTH} to {MAX_LENGTH} characters, "
                                f"up to {MAX_WORDS_IN_PHRASE} words)")
    async def word_block(self, interaction: discord.Interaction, word: app_commands.Range[str, 1, 100]) -> None:
        await self._set_word(interaction, word, "block")

    @group.command(name="word-allow",
                       description="Never screen a word or phrase as profanity on this server, even if listed")
    @app_commands.describe(word=f"The word or phrase to allow ({MIN_LENGTH} to {MAX_LENGTH} characters, "
                                f"up to {MAX_WORDS_IN_PHRASE} words)")
    async def word_allow(self, interaction: discord.Interaction, word: app_commands.Range[str, 1, 100]) -> None:
        await self._set_word(interaction, word, "allow")

    @group.command(name="word-remove", description="Take a word off this server's blocked or allowed list")
    @app_commands.describe(word="The word or phrase to remove")
    @app_commands.autocomplete(word=word_autocomplete)
    async def word_remove(self, interaction: discord.Interaction, word: app_commands.Range[str, 1, 100]) -> None:
        settings = await self._organiser(interaction)
        gid = settings.guild_id
        stored = normalise_word(word)
        before = await list_words(self.bot.db, gid)
        if not await remove_word(self.bot.db, gid, stored):
            raise UserFacingError(f"{code(stored)} isn't on this server's list, so nothing changed. "
                                  "/screening words shows the list.")
        if stored in before["block"]:
            message = (f"Removed {code(stored)} from the blocked words: it is screened again only if the "
                       "default list has it.")
        else:
            message = (f"Removed {code(stored)} from the allowed words: it is screened again if the "
                       "default list has it.")
        left = sum(len(v) for v in before.values()) - 1
        log.info("screening word removed guild_id=%s words=%d", gid, left)
        await reply(interaction, f"{message}\nThis server has {left} of {MAX_WORDS_PER_SERVER} words.")

    @group.command(name="words", description="This server's blocked and allowed words, and the limits")
    async def words(self, interaction: discord.Interaction) -> None:
        settings = await self._organiser(interaction)
        words = await list_words(self.bot.db, settings.guild_id)
        total = sum(len(v) for v in words.values())
        lines = [f"**This server's screening words**: {total} of {MAX_WORDS_PER_SERVER} used."]
        for kind, heading in (("block", "Blocked, screened on top of the default list"),
                              ("allow", "Allowed, never screened even if the default list has them")):
            found = words[kind]  # type: ignore[index]
            lines.append(f"**{heading}** ({len(found)}):")
            lines += word_lines(found) or ["none"]
        lines.append(f"A word is {MIN_LENGTH} to {MAX_LENGTH} characters; a phrase has at most "
                     f"{MAX_WORDS_IN_PHRASE} words. Medical and identity words are already allowed by default. "
                     "Change the list with /screening word-block, word-allow and word-remove; try it with "
                     "/screening try.")
        for message in chunk(lines, MESSAGE_MAX):
            await reply(interaction, message)

    @group.command(name="try", description="Preview how this server's settings screen some text (not stored)")
    @app_commands.describe(text=f"A sentence or message to try (up to {TRY_MAX:,} characters); it is not stored")
    async def try_text(self, interaction: discord.Interaction, text: app_commands.Range[str, 1, TRY_MAX]) -> None:
        settings = await self._organiser(interaction)
        words = await word_settings(self.bot.db, settings.guild_id)
        # Never log the text or the verdict's details: the preview exists only in this reply.
        result = await screening.screen_async(text, words)
        if result.profane:
            profanity = (f"**yes** ({len(result.profanity_spans)} found). Censored:\n"
                         f"{code_block(result.censored)}")
        else:
            profanity = "**no**: the text is unchanged."
        # Which signals decided (rule, model, encoder...): organisers see why a sentence is flagged.
        crisis = (f"**{result.crisis}**" + (f", decided by {code(result.signal)}" if result.signal else "")
                  + (f" (rule {code(result.rule)})" if result.rule else ""))
        lines = [
            "**Screening preview**: only you can see this. Nothing was stored, logged or sent to anyone.",
            f"Profanity: {profanity}",
            f"Crisis language: {crisis}",
            f"Identifying details: {detail_text(text, result.identifying)}",
            f"Screened with the default list plus this server's {len(words.added)} blocked and "
            f"{len(words.allowed)} allowed word(s).",
        ]
        await reply(interaction, "\n".join(lines))

    # -- crisis services ---------------------------------------------------------------------------

    @group.command(name="resource-add", description="Add a local crisis service to this server's crisis card")
    @app_commands.describe(language="Languages the service speaks, if worth saying (e.g. English, Welsh)")
    async def resource_add(self, interaction: discord.Interaction,
                           language: app_commands.Range[str, 1, MAX_DETAIL] | None = None) -> None:
        settings = await self._organiser(interaction)
        await require_room(self.bot.db, settings.guild_id)
        # 15 minutes: as long as Discord accepts the submit; a later submit still reaches submit_modal.
        modal = discord.ui.Modal(title="Add a crisis service to your card",
                                 custom_id=f"{RESOURCE_MODAL}{language or ''}", timeout=900)
        for custom_id, label, limit, placeholder, required in (
            ("name", "Name of the service", MAX_NAME, "e.g. Riverside Night Line", True),
            ("phone", "Phone number (optional)", MAX_CONTACT, "e.g. +44 20 7946 0000", False),
            ("text", "Text line (optional)", MAX_CONTACT, "e.g. Text TALK to 85258", False),
            ("web", "Web address (optional)", MAX_WEB, "https://...", False),
            ("hours", "Opening hours (optional)", MAX_DETAIL, "e.g. 24/7, or 8pm to 8am every night", False),
        ):
            modal.add_item(discord.ui.TextInput(label=label, custom_id=custom_id, max_length=limit,
                                                placeholder=placeholder, required=required))
        await interaction.response.send_modal(modal)

    async def save_resource(self, interaction: discord.Interaction, args: list[str]) -> None:
        language = ":".join(args) or None
        settings = await self._organiser(interaction)
        values = modal_values(interaction)
        entry = validate_entry(values.get("name", ""), phone=values.get("phone"), text=values.get("text"),
                               web=values.get("web"), hours=values.get("hours"), language=language)
        entry_id = await add_entry(self.bot.db, self.bot.clock, settings.guild_id, entry)
        count = len(await list_entries(self.bot.db, settings.guild_id))
        log.info("crisis service added guild_id=%s entry_id=%s entries=%d", settings.guild_id, entry_id, count)
        await reply(interaction, (
            f"Added **{discord.utils.escape_markdown(entry.name)}** to this server's crisis card: members see it "
            f"first, above the services for {region_label(settings.crisis_region)}. "
            f"This server has {count} of {MAX_PER_SERVER} of its own services. See the card with /screening resources."
        ))

    @group.command(name="resource-remove", description="Take one of this server's own services off its crisis card")
    @app_commands.describe(entry="The service to remove")
    @app_commands.autocomplete(entry=resource_autocomplete)
    async def resource_remove(self, interaction: discord.Interaction, entry: app_commands.Range[str, 1, 100]) -> None:
        settings = await self._organiser(interaction)
        gid = settings.guild_id
        entries = await list_entries(self.bot.db, gid)
        typed = entry.strip()
        found = next((e for e in entries if str(e[0]) == typed), None) or next(
            (e for e in entries if e[1].name.lower() == typed.lower()), None)
        if found is None or not await remove_entry(self.bot.db, gid, found[0]):
            raise UserFacingError("This server has no service like that on its crisis card, so nothing changed. "
                                  "/screening resources shows the card.")
        log.info("crisis service removed guild_id=%s entry_id=%s", gid, found[0])
        await reply(interaction, (
            f"Removed **{discord.utils.escape_markdown(found[1].name)}** from this server's crisis card. "
            f"This server has {len(entries) - 1} of {MAX_PER_SERVER} of its own services."
        ))

    @group.command(name="resources", description="See the crisis card members get, with this server's services")
    async def resources(self, interaction: discord.Interaction) -> None:
        settings = await self._organiser(interaction)
        services = [service for _, service in await list_entries(self.bot.db, settings.guild_id)]
        card = crisis_card(settings.crisis_region, services)
        # The card drops the server's own entries first when it would pass Discord's size limit.
        left_off = len(services) - (len(card["fields"]) - len(crisis_card(settings.crisis_region)["fields"]))
        parts = [f"This is the crisis card members get, exactly as they see it. Region: "
                 f"**{region_label(settings.crisis_region)}** (chosen in /setup)."]
        if services:
            parts.append(f"This server's own services come first: {len(services)} of {MAX_PER_SERVER}.")
        else:
            parts.append("This server hasn't added services of its own; add a local line with "
                         "/screening resource-add.")
        if left_off > 0:
            parts.append(f"{left_off} of them didn't fit within Discord's size limit for a card; "
                         "shorter entries would.")
        await reply(interaction, " ".join(parts), embed=discord.Embed.from_dict(card))


async def setup(bot: PeerCirclesBot) -> None:
    await bot.add_cog(ScreeningAdmin(bot))

