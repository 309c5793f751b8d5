"""Goals and accountability pings: cadences, answers, streaks that pause on flare days, partners.
Rules and SQL only; may use bot.members, bot.circles and bot.cases.
"""

from bot.goals import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
