"""Member preferences in the personal-data registry."""

from __future__ import annotations

from bot.core.personal_data import PersonalTable, register

register(PersonalTable(
    "member_prefs", "members", "your time zone, quiet hours and flare mode", "until you change or delete them",
    "nobody but you", ("user_id",),
))
