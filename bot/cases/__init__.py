"""Moderator cases: reports, requests for help, crisis and concern alerts, the queue and its ladder.
Rules and SQL only; may use bot.circles.
"""

from bot.cases import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
