-- Stories (issue 25). publish_problem: why Discord refused a story's post for good (for example
-- the bot may not create threads in the stories channel). A story with a problem stays 'ready'
-- but is not tried again until a moderator runs /story-admin retry; /story status shows the
-- problem to its author. The starter message of a text-channel post is recorded in message_id
-- before its thread is made, so a retry reuses it (or a retraction deletes it) instead of
-- posting a second copy.
ALTER TABLE stories ADD COLUMN publish_problem TEXT;

-- The random publishing delay is on by default now: servers that never chose a setting get it.
UPDATE story_settings SET delay = 1
 WHERE guild_id NOT IN (SELECT guild_id FROM story_audit WHERE action = 'settings');
