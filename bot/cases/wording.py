"""Every member- and moderator-facing string of the cases capability, in one place.

Warm and plain for members (people may read these on a bad day); short and factual for moderators.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.core.text import neutralise_mentions

if TYPE_CHECKING:
    from bot.cases.paging import Page

REPORT_CATEGORIES: dict[str, str] = {
    "harassment": "Harassment",
    "misinformation": "Medical misinformation",
    "worried": "Crisis concern for someone",
    "privacy": "Privacy breach",
    "other": "Something else",
}

KIND_NAMES = {"report": "report", "help": "request to talk", "crisis": "crisis", "concern": "concern",
              "slur": "slur", "review": "review"}

STATUS_NAMES = {"open": "Open, waiting for a moderator", "claimed": "Claimed", "resolved": "Resolved"}

# -- members ------------------------------------------------------------------------------------------

REPORT_THANKS = ("Thank you for telling us. The moderators have it now and will look at it; the person you "
                 "reported won't be told who reported them.")
REPORT_DUPLICATE = "Thank you: this message is already with the moderators, so there's nothing more you need to do."
REPORT_SELF = "That's your own message. If something is wrong, /reach-out reaches a moderator privately."
REPORT_BOT = ("That's one of my own messages. If something about it worries you, /reach-out reaches a"
              " moderator privately.")
STORY_REPORT_SUMMARY = "Story #{number} - {summary}"
REPORT_GONE = "That message can't be read any more (it may have been deleted), so it can't be reported."

REACH_OUT_THREAD = ("A private thread is open for you and the moderators: {thread}. Someone will be with you as "
                    "soon as they can. You're not a bother.")
REACH_OUT_URGENT_THREAD = ("A private thread is open for you and the moderators: {thread}. We've asked someone to "
                           "come now.")
REACH_OUT_RELAY = ("The moderators of **{server}** have your message. Write to me here in direct messages and "
                   "I'll pass it on to them; their replies come back here too. You're not a bother.")
REACH_OUT_NO_RELAY = ("The moderators of **{server}** have your message and one of them will message you directly "
                      "as soon as they can. You're not a bother.")
RELAY_OPENED = ("Relay for <@{user}> (case #{case_number}): what you write in this thread is sent to them by direct "
                "message, and their messages to the bot appear here.")
# A reach-out's thread is titled with the member's display name; their erasure renames it to one of
# these, which name nobody (the case number keeps it findable for the moderators).
ERASED_REACH_OUT_THREAD = "talking with a moderator (case #{number})"
ERASED_RELAY_THREAD = "Relay (case #{number})"
REACH_OUT_ALREADY = ("You already have a private conversation open with the moderators of **{server}**: {thread}. "
                     "Anything you write there reaches them. You're not a bother.")
REACH_OUT_RELAY_ALREADY = ("Your conversation with the moderators of **{server}** is still open. Write to me here in "
                           "direct messages and I'll pass it on to them; their replies come back here too.")
URGENT_COOLDOWN = ("You've asked for someone urgently a few times in a short while, so I can't open another request "
                   "right now. You can try again {when}. If you might be in danger, please contact one of these "
                   "services now.")
WORRIED_COOLDOWN = ("Thank you for looking out for people. You've sent a few of these in a short while, and the "
                    "moderators have the earlier ones. You can send another {when}. If someone is in danger right "
                    "now, please contact emergency services.")
RELAY_WHICH = ("You're talking with the moderators of more than one server. Which server is this message for? "
               "Only that server's moderators will see it.")
RELAY_PICKED = "Sent to the moderators of **{server}**. Your next messages go there too, for a while."
RELAY_GONE = "That conversation has ended, so the message wasn't sent. /support has help lines any time."
RELAY_MESSAGE_GONE = "I can't read that message any more (it may have been deleted), so it wasn't sent."
CRISIS_DM_SUMMARY = "crisis language in a direct message to the bot (the member chose this server's moderators)"
SUPPORT_PICK_SERVER = "Talk to a moderator of {server}"
REACH_OUT_NO_SERVER = ("I couldn't tell which server's moderators to ask. Please use /reach-out inside the server, "
                       "or /support there.")

SUPPORT_NOTE_SEVERAL = ("You're in more than one server with Peer Circles, so these are international lines. "
                        "Pick the server whose moderators you'd like to talk to below, or run /support inside a "
                        "server to see its local lines.")
SUPPORT_TITLE = "You're not alone"
SUPPORT_TEXT = ("If you might be in danger, please contact one of these services now. They're free and "
                "confidential. You can also talk to one of this server's moderators privately.")

CRISIS_TEXT = ("A moderator of **{server}** has been asked to check in with you privately. You matter, and "
               "the services below are there right now.")
CRISIS_TEXT_ANONYMOUS = ("The moderators of **{server}** have been alerted **without your name**. If you'd like one "
                         "of them to talk with you, press the button below: only then will they know it's you. "
                         "You matter, and the services below are there right now.")
CONCERN_TEXT = ("Just checking in after what you wrote in **{server}**. If things feel heavy, these services "
                "are free and there any time, and a moderator is one button away.")
CARD_TITLE_CRISIS = "Help is here, right now"
CARD_TITLE_CONCERN = "Checking in"
WORRIED_TEXT = ("Someone in **{server}** cares about you and wanted to make sure you have these. If anything is "
                "weighing on you, these services are free and confidential, and a moderator is one button away.")
TALK_NOW = "Talk to a moderator now"
# The first words in the private thread made when a crisis card could not be sent by DM (closed
# DMs): whom it is for and who can see it; never why (the thread's name says nothing either).
THREAD_CARD_TEXT = "I couldn't reach you by direct message, so I opened this private space for you."
THREAD_PRIVATE_LINE = "This thread is private: only you, the moderators added here and the bot can see it."
DM_SCREENED = ("Thank you for writing to me. It sounds like things are really hard right now, and you don't have to"
               " face this alone.")

PROFANITY_REMOVED = ("Your message in **{server}** was removed because this server keeps circle chat free of "
                     "swearing. Nothing else happens; you're welcome to post it again without those words.")

ACTION_TIMEOUT = "A moderator of **{server}** has paused your messages until {until}. Reason: {reason}"
ACTION_REMOVED = "A moderator of **{server}** removed you from the circle **{circle}**. Reason: {reason}"

COOLDOWN = "You've done that a few times in a short while. You can try again {when}."
NOT_SET_UP = "The moderators of this server haven't set up their queue yet. /support has help lines in the meantime."

# -- moderators ---------------------------------------------------------------------------------------

# Case numbers here are per server (Case.number), never the global id.
NO_SUCH_CASE = "There's no case #{case_number} in this server."
CASE_GONE = "There's no such case in this server."
ALREADY_RESOLVED = "Case #{case_number} is already resolved."


def page_text(step: str, case_number: int, kind: str, minutes: int) -> str:
    if step == "raise":
        return f"Case #{case_number} ({KIND_NAMES.get(kind, kind)}) has waited a day without a moderator."
    who = "on call" if step == "oncall" else "organisers"
    return (f"⏰ Urgent case #{case_number} ({KIND_NAMES.get(kind, kind)}) has waited {minutes} minutes without "
            f"anyone claiming it: {who}, please take a look.")


def new_urgent_text(case_number: int, kind: str) -> str:
    return f"🚨 New urgent case #{case_number} ({KIND_NAMES.get(kind, kind)}): please claim it."


def queue_headline(case_number: int, kind: str, urgency: str, status: str, claimed_by: int | None) -> str:
    """The queue message's first line, for the case's state now: only an open case asks to be
    claimed; a claimed one names who has it (a mention), a resolved one says so."""
    name = KIND_NAMES.get(kind, kind)
    if status == "resolved":
        return f"✅ Case #{case_number} ({name}) is resolved."
    if status == "claimed" and claimed_by:
        return f"🙋 Case #{case_number} ({name}) is claimed by <@{claimed_by}>."
    if urgency == "urgent":
        return new_urgent_text(case_number, kind)
    return f"Case #{case_number} ({name}) is waiting for a moderator."


def claim_detail(previous: int | None) -> str:
    """The 'claimed' event's detail: a takeover names the moderator taken over from (a mention)."""
    return f"took over from <@{previous}>" if previous else ""


_TOOK_OVER = re.compile(r"^took over from (?:<@)?(\d+)>?$")


def event_detail(event: str, detail: str) -> str:
    """A case event's detail as shown to moderators: member-written text with mentions made inert;
    a takeover (also one recorded with a bare id before) as a mention of that moderator."""
    found = _TOOK_OVER.match(detail) if event == "claimed" else None
    if found is not None:
        return f"took over from <@{found.group(1)}>"
    return neutralise_mentions(detail)


def escalated_text(case_number: int, by: int) -> str:
    return f"⬆️ Case #{case_number} was escalated by <@{by}>: organisers, please take a look."

# -- blocking from stories (the block is the stories capability's) ----------------------------------
BLOCK_STORY_AUTHOR = "the author of story #{number}"
BLOCKED_STORY_AUTHOR = (
    "The author of story #{number} can't share stories until {until}. Nobody, you included, learns who they are."
    " Recorded on case #{case_number}."
)
BLOCKED_MEMBER = "<@{user}> can't share stories until {until}. Recorded on case #{case_number}."
BLOCK_NEEDS_STORY = (
    "Case #{case_number} isn't about a known member. Give the story's number (`story:`) to block its author"
    " without learning who they are."
)

# -- weekly duty schedule (moderators) ----------------------------------------------------------------
DUTY_BAD_TIME = "`{text}` isn't a time I can read. Please use the 24-hour clock, like `09:00` or `22:30`."
DUTY_BAD_DAY = "That isn't a day of the week. Please pick one from the list, like Monday."
DUTY_BAD_ZONE = "`{zone}` isn't a time zone I know. Please pick one from the list, like Europe/London."
DUTY_SAME_TIMES = "A duty window needs an end different from its start (for a whole day, use 00:00 to 23:59)."
DUTY_TOO_MANY = "You have {limit} duty windows already. Please remove one first with `/case duty remove`."
DUTY_ADDED = "Added: you're on duty every {window}. The ladder pages you first then. `/case duty list` shows all."
DUTY_NONE = "You have no weekly duty windows. Add one with `/case duty add`."
DUTY_LIST = "**Your weekly duty windows** (you're on duty inside them, or whenever `/case on-duty on`):\n{lines}"
DUTY_REMOVED = "Removed that window."
DUTY_NO_SUCH = "You have no duty window #{window_id}. `/case duty list` shows yours."
DUTY_NOW = "You're on duty right now."
DUTY_NOT_NOW = "You're not on duty right now."

# -- paging down the chain (bot/cases/paging.py) ----------------------------------------------------
QUEUE_FAILURE_REASONS = {"missing_access": "I'm not allowed to post there", "unknown_target": "the channel is gone"}


def owner_page_text(text: str) -> str:
    """A page that reached nobody before the owner: the same words by DM, and why it came to them."""
    return (f"{text}\nNobody else could be paged: nobody is on duty and no on-call, moderator or organiser role "
            "has members. Please look at the moderator queue, or choose roles with /setup.")


def queue_failed_text(case_number: int, kind: str, reason: str) -> str:
    why = QUEUE_FAILURE_REASONS.get(reason, "Discord refused it")
    return (f"🚨 Case #{case_number} ({KIND_NAMES.get(kind, kind)}) couldn't be posted in the moderator queue channel "
            f"({why}). Please take a look with `/case show id:{case_number}` and fix the queue channel in /setup.")


def queue_trouble_text(reason: str, failed: int, at: str) -> str:
    why = QUEUE_FAILURE_REASONS.get(reason, "Discord refused it")
    return (f"⚠ Moderator queue channel: {failed} post{'' if failed == 1 else 's'} or page{'' if failed == 1 else 's'}"
            f" refused, the latest queued {at} ({why}); they went to moderators by DM instead. Fix the queue"
            " channel in /setup.")


def thread_greeting(case_number: int, page: Page, added: int) -> str:
    """A reach-out thread's first message: who was brought in, and how many of a role when not all."""
    text = f"This is a private space for case #{case_number}. A moderator will be here soon."
    if page.role_id is not None and page.people:
        role = page.role_name or "the role"
        text += (f" I added {added} of the {len(page.people)} members of {role}"
                 f"{' (the first few; the queue has paged the rest)' if added < len(page.people) else ''}.")
    return text


def emergency_text(user_id: int, link: str) -> str:
    """The page sent straight to the queue when the crisis response could not be recorded: who and
    where (a link), never what they wrote."""
    return (f"🚨 Crisis language from <@{user_id}> in circle chat ({link}), and I couldn't record a case (the "
            "database is failing). They were sent the crisis card directly. Please check in with them.")
