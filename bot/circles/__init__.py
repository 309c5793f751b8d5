"""Circles: records, consent to versioned norms, seats and waitlists, matching and the catalogue,
cards and private notices, deadlines. Rules and SQL only, no discord classes.
"""

from bot.circles import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
