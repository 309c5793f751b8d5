"""Discord-facing cogs: thin translators between Discord and the domain code in bot/."""
