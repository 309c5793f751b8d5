-- A declined partnership invitation holds repeat invitations from the same member to the same
-- person until held_until (bot/goals/partners.py: DECLINE_HOLD). Ids and a time only: nothing
-- says which goal, and the invitee is never named to anyone by it.
CREATE TABLE goal_partner_declines (
    guild_id    INTEGER NOT NULL,
    owner_id    INTEGER NOT NULL,
    partner_id  INTEGER NOT NULL,
    held_until  TEXT NOT NULL,
    PRIMARY KEY (guild_id, owner_id, partner_id)
);
