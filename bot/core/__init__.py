"""The core every package stands on: config, database, clock, errors, log format, server settings,
server-wide permissions, safe text, messages as data and the personal-data registry.
Imports no other bot package and no discord classes.
"""

from bot.core import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
