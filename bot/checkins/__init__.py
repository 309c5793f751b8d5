"""Scheduled voice check-ins: series, their Discord events, reminders, attendance and the pulse.
Rules and SQL only; may use bot.circles and bot.members.
"""

from bot.checkins import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
