"""The privacy capability's tables in the personal-data registry (none holds member data)."""

from __future__ import annotations

from bot.core.personal_data import not_personal

not_personal("privacy_settings", "each server's retention days and grace period, chosen by organisers")
not_personal("guild_departures", "when the bot was removed from a server and when its data goes")
not_personal("error_counts", "counts of unexpected errors by kind and hour; no ids of members, no content")
