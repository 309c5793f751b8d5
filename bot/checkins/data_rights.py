"""The check-ins' tables in the personal-data registry: what each keeps about a member, and how it goes."""

from __future__ import annotations

from bot.core.personal_data import PersonalTable, delete_and_anonymise, not_personal, register

register(PersonalTable(
    "checkin_series", "checkins", "check-in series you scheduled or facilitate", "while the series exists",
    "the server's organisers and the circle's facilitators", ("created_by", "facilitator_id"),
    erase=delete_and_anonymise("checkin_series", (), ("created_by", "facilitator_id")),
))
register(PersonalTable(
    "checkin_optins", "checkins", "your reminder choices for each circle's check-ins", "until you change them",
    "only you", ("user_id",),
))
register(PersonalTable(
    "checkin_interest", "checkins", "sessions you pressed Interested on in Discord", "until the session is over",
    "only you (Discord shows the count)", ("user_id",),
))
register(PersonalTable(
    "checkin_voice", "checkins", "when you were in a circle's voice channel (times only)", "90 days",
    "the circle's facilitators and the server's organisers", ("user_id",),
    retention_setting="retention_attendance_days", age_column="joined_at",
))
register(PersonalTable(
    "checkin_pulse_pending", "checkins", "a how-are-you question after a session, and your answer,"
    " until its 24 hours close (then the answer is kept without your name)", "24 hours after the session",
    "nobody (only anonymous totals of 3 or more are shown)", ("user_id",),
))
not_personal("checkin_sessions", "sessions of a series: times and Discord event ids, no member")
not_personal("checkin_pulse_answers", "anonymous pulse answers: a score per session, no member id")
