"""Timing and delivery: DST-safe recurrence, schedules kept in the database, the scheduler that
wakes for them, the exactly-once outbox and its status report. Imports only bot.core.
"""

from bot.delivery import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
