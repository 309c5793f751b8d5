"""Goals and accountability pings: cadences, answers, streaks that pause on flare days, partners.
Rules and SQL only; may use bot.members, bot.circles and bot.cases.
"""
