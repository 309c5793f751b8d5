"""Shared coping strategies, curated resources and small wins.
Rules and SQL only; may use bot.circles and bot.stories (anonymity).

Modules: vetting (screening verdicts), access (who may share and curate), strategies, wins (and the
weekly recap), resources, audit, crisis (urgent cases), cards (what members see), wording (every
member-facing word), data_rights (the personal-data registry).
"""

from bot.coping import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
