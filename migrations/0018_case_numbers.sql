-- Case numbers per server (issue 24): moderators see "Case #1, #2, ..." within their own server,
-- never the global id (which told them how many cases other servers have). The id stays the
-- internal key (foreign keys, button custom_ids, outbox keys). Existing cases are numbered per
-- server in id order. Portable SQL (SQLite and PostgreSQL): a correlated subquery, no window
-- functions or UPDATE ... FROM.
ALTER TABLE cases ADD COLUMN number INTEGER;
UPDATE cases SET number = (SELECT COUNT(*) FROM cases c2 WHERE c2.guild_id = cases.guild_id AND c2.id <= cases.id);
CREATE UNIQUE INDEX cases_guild_number ON cases (guild_id, number);
