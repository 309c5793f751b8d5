"""Member preferences several capabilities share: time zone, quiet hours, flare mode.
Imports only bot.core (and bot.delivery).
"""

from bot.members import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
