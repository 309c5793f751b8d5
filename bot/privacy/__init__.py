"""Members' data rights and operations: show, export and erase through the personal-data registry
(bot.core.personal_data), retention, server removal. Imports no capability.
"""
