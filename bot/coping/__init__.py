"""Shared coping strategies, curated resources and small wins.
Rules and SQL only; may use bot.circles and bot.stories (anonymity).
"""
