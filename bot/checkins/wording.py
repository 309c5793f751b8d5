"""Every member-facing string of check-ins, in one place so they can be read together (and later
translated). Warm and plain: people may read these on a bad day. Attendance counts who came,
never who missed; reminders and notices never mention anyone who did not ask for it.
"""

from __future__ import annotations

# -- bad input (ephemeral; nothing was changed) ---------------------------------------------------
BAD_TIME = ("I couldn't read the time {text!r}. Please use a 24-hour time such as 19:00 or 07:30, "
            "or a 12-hour one such as 7pm or 7:30am. Nothing was changed.")
BAD_DATE = "I couldn't read the date {text!r}. Please use the form 2026-12-03. Nothing was changed."
BAD_ZONE = ("{text!r} isn't a time zone I know. Please pick one from the list (an IANA name such as "
            "Europe/London or America/New_York). Nothing was changed.")
BAD_DURATION = "A session lasts between 15 and 240 minutes. Nothing was changed."
BAD_EVERY = "Sessions can repeat every 1 to 4 weeks. Nothing was changed."
BAD_TITLE = "Titles can be up to {limit} characters (this one has {length}). Nothing was changed."
BAD_NOTE = "Notes can be up to {limit} characters. Nothing was changed."
BAD_OFFSET = "{text!r} isn't one of the reminder times. Please choose from: {choices}. Nothing was changed."
PAST_DATE = "That date is already in the past. Please choose today or a later date. Nothing was changed."
PAST_TIME = "That time has already passed. Please choose a time still to come. Nothing was changed."
NO_SESSION_ON = "**{circle}** has no check-in on {date}, so there's nothing to {verb}. Nothing was changed."
NOT_SCHEDULED = "That session is not waiting to happen any more (it was {status}). Nothing was changed."
NO_VOICE = "**{circle}** has no voice channel, so check-ins can't be held there yet. Nothing was changed."
SERIES_NOT_FOUND = "I couldn't find that check-in series in this server. Please pick one from the list."
NOTHING_TO_EDIT = "Please choose what to change: the time, the duration or the facilitator."
NOT_FACILITATOR_OR_ORGANISER = "Only this circle's facilitators and the server's organisers can see that."
NO_SEAT = ("Reminders are for members of **{circle}**. If you'd like to join, /circle join shows its "
           "norms first.")

# -- organisers ------------------------------------------------------------------------------------
SCHEDULED = "Scheduled **{title}** for **{circle}**: {rule}. The next five sessions (shown in your own time):"
SCHEDULED_ONCE = "Scheduled **{title}** for **{circle}** on {when}{open}."
OPEN_NOTE = ", open to people who are not members yet (they can join the circle from the event)"
NO_MANAGE_EVENTS = ("\nI can't create Discord events here because I lack the **Manage Events** permission. "
                    "Reminders and the start notice still work; give me that permission to see the "
                    "sessions in the server's Events list.")
LIST_EMPTY = "No check-ins are scheduled in this server yet. /checkin-admin schedule sets one up."
LIST_LINE = "**{title}** ({circle}), #{id}: {rule}, {duration} min{status}. Next: {next}"
SKIPPED = "The session on {date} is skipped. Its Discord event is cancelled{told}."
SKIPPED_TOLD = " and the circle's channel is told"
MOVED = "The session on {date} now starts at {when} (everyone sees it in their own time)."
CANCELLED_SERIES = "**{title}** is cancelled: no more sessions, and its upcoming Discord events are cancelled."
EDITED = "**{title}** is updated. Upcoming sessions: {next}"
PAUSED_DM = ("**{title}** ({circle}, in {guild}) is paused: {why}. Its upcoming Discord events are cancelled. "
             "Schedule it again with /checkin-admin schedule when the circle is ready.")
PAUSED_ARCHIVED = "the circle was archived"
PAUSED_NO_VOICE = "the circle's voice channel was deleted"
SERIES_STATUS = {"active": "", "paused": " (paused)", "cancelled": " (cancelled)"}

# -- what members see ------------------------------------------------------------------------------
EVENT_DESCRIPTION = ("A voice check-in of {circle}. Come as you are: listening is joining too. "
                     "Stay as long as feels right.")
EVENT_DESCRIPTION_OPEN = (" Not a member yet? You're welcome: /circle join {circle} shows the circle's norms "
                          "first.")
REMINDER = "Reminder: **{title}** ({circle}, in {guild}) starts {when} ({relative}) in {voice}."
REMINDER_JOIN = ("\nNot a member of **{circle}** yet? Its voice channel opens once you join: /circle join"
                 " {circle} shows the circle's norms first.")
REMINDER_LATE = "\n(This reminder comes a little late: I was offline for a while.)"
REMINDER_CANT = "Can't make it"
CANT_THANKS = "Thanks for letting us know. I've told the facilitator privately. Take care of yourself."
CANT_TOO_LATE = "That session has already started or ended, so there's nothing to tell. Take care."
CANT_NOTICE = "{member} can't make it to **{title}** ({circle}, in {guild}) on {when}. No reason needed."
START_NOTICE = "**{title}** is starting now in {voice}. Come as you are."
SKIP_NOTICE = "There's no check-in on {date} ({title}). See you at the next one."
SKIP_NOTICE_NOTE = " A note from the organisers: {note}"
MOVE_NOTICE = "The check-in on {date} ({title}) moves to {when}."
UPCOMING_EMPTY = "You have no check-ins coming up. /circle mine shows your circles."
UPCOMING_HEAD = "Your next check-ins (in your own time):"
UPCOMING_LINE = "{when} ({relative}): **{title}** ({circle})"
REMINDERS_ON = ("Reminders for **{circle}** are on: a DM {offsets} before each session{start}{pulse}. "
                "Turn them off any time with /checkin reminders.")
REMINDERS_START = ", a mention when it starts"
REMINDERS_PULSE = ", and a short how-are-you after sessions you came to"
REMINDERS_OFF = "Reminders for **{circle}** are off. You're still welcome at every session."
INTEREST_DM = ("You pressed Interested on **{title}** ({circle}, in {guild}): I'll remind you {offsets} before. "
               "Un-press it in Discord to stop.")

# -- pulse -----------------------------------------------------------------------------------------
# Anonymity is said before the answer, so nobody answers thinking their name goes with it.
PULSE_ASK = ("How are you feeling after today's circle? ({circle}, in {guild}) Your answer is kept without your"
             " name, and facilitators only see averages of 3 or more answers. Tap one (1 low, 5 good), or skip.")
PULSE_SKIP = "Skip"
PULSE_THANKS = "Thank you. Your answer is kept without your name."
PULSE_SKIPPED = "No problem. Take care of yourself."
PULSE_CLOSED = "This question has closed. Thank you all the same."
PULSE_TOO_FEW = "Fewer than 3 people answered, so there's nothing to show yet (answers stay anonymous)."
PULSE_HEAD = "How people felt after **{circle}** (1 low, 5 good; anonymous, sessions with 3 or more answers):"
PULSE_LINE = "{date}: {bars} average {mean:.1f} from {count} answers"

# -- attendance (facilitators and organisers only) ---------------------------------------------------
ATTENDANCE_HEAD = "Who came to **{circle}** on {date} (in voice during the session, 10 minutes' grace):"
ATTENDANCE_LINE = "{member}: {minutes} min"
ATTENDANCE_NONE = "Nobody was in the voice channel during that session."
ATTENDANCE_NO_SESSION = "**{circle}** has had no sessions on that date yet."
ATTENDANCE_WEEKS_HEAD = "Last 4 weeks in **{circle}** ({sessions} sessions), who came:"
ATTENDANCE_WEEKS_LINE = "{member}: came to {count} ({minutes} min in all)"
ATTENDANCE_WEEKS_NONE = "No sessions of **{circle}** in the last 4 weeks yet."
ATTENDANCE_FOOTER = "Private to you. It counts who came, to help you welcome people; it is never a register."
