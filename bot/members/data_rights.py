"""Member preferences in the personal-data registry; a member's flare-break end (schedule kind
``member_flare_off``, owned by their user id) is cancelled with their erasure."""

from __future__ import annotations

from bot.core.personal_data import PersonalTable, not_personal, register, register_member_schedule_kind

register(PersonalTable(
    "member_prefs", "members", "your time zone, quiet hours and flare mode", "until you change or delete them",
    "nobody but you", ("user_id",),
))
register_member_schedule_kind("member_flare_off")
register(PersonalTable(
    "member_servers", "members", "that you are a member of this server (so the bot can answer your direct messages"
    " with this server's support and moderators)", "while you are in the server",
    "nobody (the bot uses it to answer your direct messages)", ("user_id",),
))
not_personal("server_names", "each server's own name, as Discord shows it to its members; no member data")
