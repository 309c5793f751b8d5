"""The privacy capability in Discord: commands, views, modals and listeners (thin; rules live in bot.privacy)."""
