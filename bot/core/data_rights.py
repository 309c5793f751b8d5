"""The core's tables in the personal-data registry (server-level settings, no member data)."""

from __future__ import annotations

from bot.core.personal_data import not_personal

not_personal("bot_meta", "the bot's own state (command-sync hash)")
not_personal("schema_migrations", "which migrations ran")
not_personal("guild_settings", "server settings: role and channel ids chosen in /setup")
