"""Crisis resources: the directory by region, a server's own lines, and the crisis card members get.
Imports only bot.core.
"""

from bot.safety import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
