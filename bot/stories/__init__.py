"""Anonymous stories: screening, pseudonyms, receipts, the one-way author key, review, blocks.
Rules and SQL only; may use bot.circles and bot.cases.

For other capabilities: ``block_author_of_story`` (bot.stories.moderation) blocks the author of a
story by its one-way key, e.g. from a case action; ``block_member`` blocks a known member (a
case's subject) by their own block key.
"""

from bot.stories import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
from bot.stories.moderation import block_author_of_story, block_member

__all__ = ["block_author_of_story", "block_member"]
