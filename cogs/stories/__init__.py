"""The stories capability in Discord: commands, views, modals and listeners (thin; rules live in bot.stories)."""
