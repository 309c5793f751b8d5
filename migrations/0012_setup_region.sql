-- Whether the organiser has chosen the crisis-resources region in /setup (until then /setup shows
-- "not chosen yet" rather than the config's default, and finishing setup asks for it).
-- Servers that already finished setup keep the region they had as chosen.
ALTER TABLE guild_settings ADD COLUMN crisis_region_chosen INTEGER NOT NULL DEFAULT 0;
UPDATE guild_settings SET crisis_region_chosen = 1 WHERE setup_done = 1;
