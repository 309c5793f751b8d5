"""bot/circles/notices.py: the crisis card shown with norms follows the server's stored region."""

from __future__ import annotations

from dataclasses import replace

from bot.circles.notices import WELCOME_COPY_FALLBACK, welcome_copy_notice
from bot.core.guild_settings import GuildSettings, save_settings
from bot.core.messages import Card
from bot.safety.card import crisis_embed_for
from tests.unit.circles.support import GUILD, make_circle


def fields_text(embed: dict) -> str:
    return " ".join(f"{f['name']} {f['value']}" for f in embed.get("fields", []))


async def test_the_crisis_card_uses_the_region_chosen_in_setup(db, clock) -> None:
    await save_settings(db, clock, replace(GuildSettings(GUILD), crisis_region="GB", setup_done=True))
    embed = await crisis_embed_for(db, GUILD)
    assert embed["title"] == "In a crisis"
    assert "**999**" in embed["description"]


async def test_without_stored_settings_the_international_lines_are_shown_not_another_countrys(db, clock) -> None:
    embed = await crisis_embed_for(db, GUILD)
    assert "988" not in fields_text(embed) + embed["description"], "not the US lines by accident"
    assert "call your local emergency number" in embed["description"]


async def test_a_welcome_copy_names_its_fallback(db, clock) -> None:
    circle = await make_circle(db, clock)
    notice = welcome_copy_notice(circle, 42, Card("Welcome"), "2026-11-23T09:00:00Z")
    assert notice.fallback == WELCOME_COPY_FALLBACK and notice.target_kind == "dm" and notice.target_id == 42
