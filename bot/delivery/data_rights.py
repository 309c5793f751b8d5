"""The delivery core's tables in the personal-data registry."""

from __future__ import annotations

from bot.core.personal_data import PersonalTable, not_personal, register, register_id_text

register(PersonalTable(
    "outbox", "delivery", "messages the bot is sending you (their text is cleared once sent)",
    "ids and delivery state for 30 days after sending, then the daily clean-up deletes them (posts the bot"
    " edits or deletes later, such as a case's queue card or your named strategies, are kept while they"
    " and their case or story exist)",
    "nobody (the bot's own delivery queue)", ("target_id",),
))
register(PersonalTable(
    "dm_unreachable", "delivery", "that your direct messages are closed to the bot", "until a message reaches you",
    "nobody (the bot uses it to choose another way to reach you)", ("user_id",),
))
# Schedules and their occurrences belong to the capability that made them (a goal's pings, a
# circle's check-ins): that capability's erasure cancels the member's own schedules.
not_personal("schedules", "timing rows owned by capabilities; a member's own schedules are erased by their owner")
not_personal("schedule_occurrences", "occurrence keys of schedules; erased with their schedule")
not_personal("bot_processes", "live bot processes: a shard range and heartbeat times, no member data")
# A key may name a member other than the one it is sent to (``checkin_cant:<session>:<member>:
# <facilitator>``), and a message still waiting may mention them: a member's erasure rewrites both.
register_id_text("outbox", "key", unique_by="id")
register_id_text("outbox", "payload")
register_id_text("schedules", "payload")
