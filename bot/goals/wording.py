"""Everything the goals capability says to members, in one place (warm, plain, never shaming)."""

from __future__ import annotations

MAX_GOALS = 10
MAX_GOAL_TEXT = 150
MAX_MINIMUM_TEXT = 150
MAX_NOTE = 1000
MAX_EVERY_DAYS = 30

CADENCES = {
    "daily": "every day",
    "weekdays": "on weekdays",
    "days": "on chosen days",
    "weekly": "once a week",
    "every": "every few days",
}
DELIVERIES = {
    "dm": "a private message",
    "circle": "my circle's channel",
    "dm_or_circle": "a private message (my circle's channel if my DMs are closed)",
}
ANSWERS = {
    "done": "Done",
    "minimum": "Did the minimum",
    "not_today": "Not today",
    "flare": "Flare day",
}
ANSWER_REPLIES = {
    "done": "Recorded: **done**. Well done for showing up today.",
    "minimum": "Recorded: **the minimum**. On a hard day that counts fully; you showed up.",
    "not_today": "Recorded: **not today**. That's fine; rest is part of this too.",
    "flare": "Recorded: **flare day**. Be gentle with yourself; rest days never count against you.",
}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

TOO_MANY = f"You already have {MAX_GOALS} active goals, the most you can have at once. Pause or delete one first."
GOAL_TOO_LONG = f"Please keep a goal short: at most {MAX_GOAL_TEXT} characters (yours has {{n}})."
MINIMUM_TOO_LONG = f"Please keep the hard-day minimum to at most {MAX_MINIMUM_TEXT} characters (yours has {{n}})."
GOAL_EMPTY = "Please write your goal in a few words, for example \u201cwalk 10 minutes\u201d."
NOTE_TOO_LONG = f"Please keep a note to at most {MAX_NOTE} characters."
NEED_DAYS = "Please choose the days, for example mon,wed,fri."
NEED_ONE_DAY = "For once a week, please choose one day, for example sat."
EVERY_RANGE = f"\u201cEvery N days\u201d takes a number from 2 to {MAX_EVERY_DAYS}."
NEED_CIRCLE = "To get pings in a circle channel, please choose one of your circles."
NOT_IN_CIRCLE = "You can only choose a circle you have a seat in."
END_IN_PAST = "The end date has already passed. Please choose a later one (or leave it empty)."
GOAL_SLUR = ("Your goal wasn't saved: it has words aimed at people that this server doesn't allow. Please"
             " write it again in your own kind words. Nothing was kept.")
GOAL_CRISIS = ("Your goal wasn't saved, and that's okay: what you wrote sounds like you might be going through"
               " something really hard right now. You don't have to carry it alone; the people below can help,"
               " and the moderators know you may need support (they were not shown your words).")
GOAL_CONCERN = "It sounds like things might be heavy right now. Go gently; the people below are there if you need them."
NO_GOAL = "I couldn't find that goal among yours. Pick one from the list as you type."
NOT_YOURS = "This button belongs to someone else's goal, so it does nothing for you."
ALREADY = "Already recorded: **{answer}**. Nothing else to do."
PASSED = "This one has passed and nothing is needed for it. Your next ping comes as usual."
NOTE_SAVED = "Your note is saved. Only you can see it."
# A modal's text label holds at most 45 characters; the placeholder (100) says the rest.
NOTE_LABEL = "Private: only you see it"
NOTE_PLACEHOLDER = ("If it sounds like you're in danger, moderators are told you may need support, never your"
                    " words.")
SNOOZED = "Snoozed. I'll nudge you again {when}."
PAUSED_DM_CLOSED = ("I couldn't send your goal pings because your DMs are closed to this server, so your goals"
                    " are paused for now. Open your DMs (Privacy settings) and use `/goal resume`, or choose your"
                    " circle's channel with `/goal edit`.")
MOVED_TO_CIRCLE = ("I couldn't send your goal pings by DM (your DMs are closed to this server), so they now go to"
                   " your circle's channel as you chose.")
NO_GOALS = ("You have no goals yet. `/goal set` starts one: something small and kind, like"
            " \u201cstretch before bed\u201d.")
DELETED = "Deleted **{goal}** and its history."
KEPT = "Kept. Nothing was deleted."
PAUSED = "Paused **{goal}**. No pings until you `/goal resume` it; the days you showed up stay counted."
RESUMED = "Resumed **{goal}**. The next ping comes {when}."
LATE_NOTE = "(A little later than planned: the bot was offline. No pressure.)"
HELD_NOTE = ""

PARTNER_SELF = "You can't be your own accountability partner, but it's a lovely idea."
PARTNER_BOT = "Please choose a person from this server."
PARTNER_INVITED = ("Invited {partner}. They'll be asked privately; if they accept they'll get a weekly count for"
                   " this goal (never your notes). You can end it any time with `/goal partner-end`.")
PARTNER_EXISTS = "{partner} is already your partner (or invited) for this goal."
PARTNER_ACCEPTED = "You're now {owner}'s accountability partner for one goal. You'll get a short weekly count."
PARTNER_DECLINED = "No problem; nobody was told anything more."
PARTNER_GONE = "This invitation is no longer open."
PARTNER_HELD = ("{partner} was asked recently, so I'll hold off on asking them again for now: a new invitation"
                " to the same person can go from {when} ({days} days after their answer). Nothing was sent."
                " Someone else may be glad to be asked.")
PARTNERSHIP_ENDED = "This partnership has ended, so there's nobody to cheer here any more. Thank you for caring."
PARTNER_ENDED = "Ended quietly. Nobody was notified."
NO_PARTNER = "There is no partnership to end there."
CHEER_SENT = "Sent your cheer. It reaches them at a good moment for them."
CHEER_ALREADY = "You already cheered for this week. Thank you!"
CHEER_RECEIVED = "\U0001F4E3 {partner} is cheering you on with **{goal}** (from **{server}**)."


def when_text(cadence: str, weekdays: list[int], every_days: int, local_time: str) -> str:
    days = ", ".join(WEEKDAY_NAMES[d][:3] for d in weekdays)
    if cadence == "daily":
        return f"every day at {local_time}"
    if cadence == "weekdays":
        return f"on weekdays at {local_time}"
    if cadence == "days":
        return f"on {days} at {local_time}"
    if cadence == "weekly":
        return f"every {WEEKDAY_NAMES[weekdays[0]] if weekdays else '?'} at {local_time}"
    return f"every {every_days} days at {local_time}"


def progress_line(done: int, minimum: int, not_today: int, flare: int, streak: int, days: int) -> str:
    shown = done + minimum
    parts = [f"In the last {days} days you showed up **{shown}** time{'s' if shown != 1 else ''}"
             f" (done {done}, minimum {minimum})."]
    if flare:
        parts.append(f"{flare} flare day{'s' if flare != 1 else ''} set apart: they never count against you.")
    if streak >= 2:
        parts.append(f"The last **{streak}** times you were nudged, you showed up.")
    if shown == 0:
        parts.append("Every small step counts, whenever you're ready.")
    elif shown >= 3:
        parts.append("That's real, steady care for yourself.")
    else:
        parts.append("Each of those counts.")
    return " ".join(parts)


def invite_text(owner: str, goal: str, server: str) -> str:
    return (f"{owner} (in **{server}**) asked if you'd be their accountability partner for the goal **{goal}**."
            " You'd get a short weekly count (never their notes) and can send a one-tap cheer. Say yes only if"
            " you'd like to; saying no tells them nothing more.")


def partner_summary(owner: str, goal: str, server: str, done: int, minimum: int) -> str:
    """Counts of showing up only: flare days are the owner's health information, never shared."""
    return (f"Weekly count from **{server}**: {owner}'s goal **{goal}**: showed up {done + minimum} time"
            f"{'s' if done + minimum != 1 else ''} this week (done {done}, minimum {minimum}).")


def recap_text(server: str, lines: list[str]) -> str:
    if not lines:
        return f"Your weekly recap from **{server}**: no goals this week. Whenever you're ready, no rush."
    return f"Your weekly recap from **{server}**, for you only:\n" + "\n".join(lines)
