"""Scheduled voice check-ins: series, their Discord events, reminders, attendance and the pulse.
Rules and SQL only; may use bot.circles and bot.members.
"""
