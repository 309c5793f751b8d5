"""Everything the members capability says to members (time zone, quiet hours, flare mode)."""

from __future__ import annotations

FLARE_MIN_DAYS, FLARE_MAX_DAYS, FLARE_DEFAULT_DAYS = 1, 14, 3

UNKNOWN_ZONE = ("I don't know the time zone \u201c{zone}\u201d. Start typing a city (for example Berlin or"
                " New_York) and pick one from the list.")
ZONE_SAVED = "Saved: your time zone is **{zone}**. Your goal pings now follow it (it is {local} there now)."
# Says what really happens to each kind (docs/checkins.md, docs/goals.md): a check-in reminder
# can't wait past its session's start, so it is not sent, where a goal nudge can wait.
QUIET_SAVED = ("Saved: quiet hours from **{start}** to **{end}** ({zone}). During them:\n"
               "- goal nudges, partner invitations and cheers wait until they end;\n"
               "- check-in reminders, start-notice mentions and after-session questions are not sent"
               " (they can't wait: the session would have started);\n"
               "- a weekly recap or partner count that falls inside is skipped that week.")
QUIET_CLEARED = "Quiet hours are off: pings come at the times you chose."
QUIET_SAME = "Quiet hours need a different start and end time."
FLARE_DAYS = f"A flare break lasts {FLARE_MIN_DAYS} to {FLARE_MAX_DAYS} days."
FLARE_STARTED = ("Flare break on until {until}. Every goal ping and check-in reminder is paused. Rest as much as"
                 " you need; nothing piles up while you're away, and there is nothing to catch up on.")
FLARE_ENDED = "Welcome back. Your pings pick up from here, gently; no catching up needed."
FLARE_NOT_ON = "You're not on a flare break right now. `/flare start` pauses every ping when you need it."
FLARE_WELCOME_BACK = ("Welcome back from your flare break (from **{server}**). Your pings pick up from today;"
                      " nothing was saved up while you rested, and there is no catching up to do. Go gently.")


def show(zone: str | None, default_zone: str, quiet: str | None, flare_until: str | None) -> str:
    lines = [f"**Time zone:** {zone or f'{default_zone} (the server default; set yours with /me timezone)'}",
             f"**Quiet hours:** {quiet or 'off'}",
             f"**Flare break:** {'on until ' + flare_until if flare_until else 'off'}"]
    return "\n".join(lines)
