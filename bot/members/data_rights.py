"""Member preferences in the personal-data registry; a member's flare-break end (schedule kind
``member_flare_off``, owned by their user id) is cancelled with their erasure."""

from __future__ import annotations

from bot.core.personal_data import PersonalTable, register, register_member_schedule_kind

register(PersonalTable(
    "member_prefs", "members", "your time zone, quiet hours and flare mode", "until you change or delete them",
    "nobody but you", ("user_id",),
))
register_member_schedule_kind("member_flare_off")
