"""Members' data rights and operations: show, export and erase through the personal-data registry
(bot.core.personal_data), retention, server removal. Imports no capability.
"""

from bot.privacy import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
