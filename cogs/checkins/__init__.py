"""The checkins capability in Discord: commands, views, modals and listeners (thin; rules live in bot.checkins)."""
