"""Words shared across the bot: one wording for one thing, and the line naming a DM's server."""

from __future__ import annotations

from discord import app_commands

from bot.circles import wording
from bot.core.messages import from_server_line, with_server_line
from cogs.common.failures import failure_text


def test_server_only_commands_say_it_in_the_same_words_everywhere() -> None:
    said = failure_text(None, app_commands.NoPrivateMessage(), "test")  # type: ignore[arg-type]
    assert said == "This works inside a server, not in direct messages."


def test_the_server_line_escapes_its_name_and_keeps_a_dm_within_discords_limit() -> None:
    assert from_server_line("*Pain* Peers") == r"-# From **\*Pain\* Peers**"
    long = with_server_line({"content": "x" * 2000, "allowed_mentions": {"parse": []}}, "Pain Peers")
    assert long["content"].startswith("-# From **Pain Peers**\n") and len(long["content"]) == 2000
    assert long["allowed_mentions"] == {"parse": []}
    assert with_server_line({"content": "", "embeds": [{}]}, "P")["content"] == "-# From **P**"


def test_organisers_only_names_the_role_to_ask_or_says_who_else() -> None:
    assert "<@&42>" in wording.organisers_only(42)
    assert "manages this server" in wording.organisers_only(None)
