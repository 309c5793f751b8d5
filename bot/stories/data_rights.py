"""The stories' tables in the personal-data registry.

None of them holds a member's user id: authors appear only as a keyed one-way hash whose secret
is outside the database, supporters as a keyed hash per story. The bot cannot list a member's
stories from the database alone; a member finds, checks and retracts their own with the receipt.
"""

from __future__ import annotations

from bot.core.personal_data import not_personal

not_personal("story_settings", "a server's story settings (limits, review, delay); nothing about members")
not_personal("stories", "anonymous stories: no user id, the author only as a keyed one-way hash;"
             " a member retracts their own with the receipt")
not_personal("story_quota", "daily counts per keyed author hash, pruned after two days; no user id")
not_personal("story_blocks", "blocks by keyed author hash; moderators and the database never learn who")
not_personal("story_support", "support counts as keyed hashes per story; no supporter id in plain form")
not_personal("story_audit", "moderators' actions on stories by story number; names no author")
