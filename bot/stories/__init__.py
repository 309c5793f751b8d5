"""Anonymous stories: screening, pseudonyms, receipts, the one-way author key, review, blocks.
Rules and SQL only; may use bot.circles and bot.cases.
"""
