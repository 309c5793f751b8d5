"""Every member- and moderator-facing sentence of the stories capability, in one place.

Plain and warm: people read these on bad days. Nothing here names an author.
"""

from __future__ import annotations

PSEUDONYM = "Anonymous member - Story #{number}"
PSEUDONYM_UNNUMBERED = "Anonymous member"  # the preview: the number is given on Post
AUTHOR_NAME = "Story author"

WHAT_IS_KEPT = (
    "**What is kept:** moderators cannot see who wrote this. The bot keeps no link between you and"
    " the story, except a one-way key it uses to enforce blocks and daily limits. After you post,"
    " you get a receipt code: it is your only way to retract the story or check on it."
)
PREVIEW_INTRO = (
    "Here is exactly how your story will appear; its number (Story #N) is given when you post."
    " Nothing is posted until you press **Post**.")
IDENTIFYING_INTRO = (
    "**These details could identify you or someone else.** You might want to remove them with"
    " **Edit** before posting:"
)
IDENTIFYING_KINDS = {
    "user_mention": "a mention of a member", "role_mention": "a mention of a role", "everyone": "@everyone or @here",
    "email": "an e-mail address", "invite": "a Discord invite", "url": "a link", "phone": "a phone number",
    "discord_tag": "a name with a discriminator", "handle": "an @handle",
    "street_address": "a street address (a house number and street, with any postcode)",
    "workplace": "a named workplace (where you or someone works)",
}
CONCERN_NOTE = (
    "It sounds like things may be really hard right now. You're not alone: the people below are there"
    " to listen, any time, and you can also ask a moderator for help privately."
)

PREVIEW_EXPIRED = (
    "This preview expired (the bot restarted or too much time passed), so nothing was posted."
    " Please share again with /story share."
)
CANCELLED = "Cancelled. Nothing was shared and nothing was kept."

EMPTY = "Your story is empty. Write a few words and try again."
TOO_LONG = "Stories can be up to {limit:,} characters; yours has {length:,}. Please shorten it and try again."
TOO_SHORT = "Stories in this server need at least {minimum} characters. Please add a little more and try again."
FIELD_TOO_LONG = "The {field} can be up to {limit} characters. Please shorten it and try again."
NOT_A_MEMBER = (
    "You can share stories only in circles you have joined and agreed to the norms of."
    " /circle mine shows your circles."
)
STORIES_OFF = "Stories are turned off in **{circle}**: it has no stories channel. Nothing was shared."
DAILY_LIMIT = (
    "You've shared {limit} {stories} today, which is this server's daily limit. You're welcome to"
    " share again tomorrow (UTC). Nothing was posted."
)
BLOCKED = (
    "Sharing stories is paused for you in this server until {until}. Nothing was posted."
    " If you think this is a mistake, you can ask a moderator."
)
AIMED_SLUR = (
    "Your story wasn't posted: it has words aimed at people that the circles don't allow. Your"
    " feelings are welcome here, but please tell your story without slurs or insults at others."
    " Nothing was kept."
)

CRISIS_HELD = (
    "Thank you for trusting us with this. It sounds like you might be going through something really"
    " painful right now. Your story **will not be posted automatically**: the people below can help"
    " right now, and a moderator has been alerted **without your name**. If you'd like a moderator to"
    " talk with you, press **Connect me with a moderator** (only then will they know it's you)."
    " You can still press **Post** to send your story to the moderators to read first."
)
CRISIS_HELD_CARD_SHOWN = (
    "Thank you for trusting us with this. It sounds like you might be going through something really"
    " painful right now. Your story **will not be posted automatically**, and a moderator has been alerted"
    " **without your name**. The crisis lines I showed you a little while ago are there any time (/support"
    " shows them again). If you'd like a moderator to talk with you, press **Connect me with a moderator**"
    " (only then will they know it's you). You can still press **Post** to send your story to the moderators"
    " to read first."
)
REPLY_CRISIS_HELD = (
    "Thank you for trusting us with this. It sounds like you might be going through something really"
    " painful right now. Your reply **was not posted**: the people below can help right now, and a moderator"
    " has been alerted **without your name**. If you'd like a moderator to talk with you, press"
    " **Connect me with a moderator** (only then will they know it's you)."
)
REPLY_CRISIS_HELD_CARD_SHOWN = (
    "Thank you for trusting us with this. Your reply **was not posted**, and a moderator has been alerted"
    " **without your name**. The crisis lines I showed you a little while ago are there any time (/support"
    " shows them again). If you'd like a moderator to talk with you, press **Connect me with a moderator**"
    " (only then will they know it's you)."
)
CONNECT_BUTTON = "Connect me with a moderator"
CONNECTED = (
    "A moderator will reach out to you privately soon. You did the right thing by asking."
    " If you are in danger right now, please use the numbers in the crisis card."
)

RECEIPT = (
    "**Your receipt:** `{receipt}`\n"
    "Copy it somewhere safe: it is shown only this once, and the bot keeps only a one-way fingerprint"
    " of it. Use it with /story status to check on your story and /story retract to take it down."
)
POSTED = "Thank you for sharing. Your story is being published as **{pseudonym}**."
POSTED_LATER = (
    "Thank you for sharing. Your story will appear as **{pseudonym}** within about ten minutes"
    " (a random delay, so the time does not point to you)."
)
IN_REVIEW = "Thank you for sharing. A moderator will read your story before it appears. They won't see who wrote it."

BAD_RECEIPT = "I can't find a story with that receipt in this server. Receipts look like `ABCD-EFGH-JKLM-NPQR`."
RETRACTED = "Your story was taken down and its data deleted. The receipt no longer works."
STATUS = {
    "review": "Your story (**{pseudonym}**) is waiting for a moderator's review.",
    "scheduled": "Your story (**{pseudonym}**) will be published in the next few minutes.",
    "ready": "Your story (**{pseudonym}**) is being published now.",
    "publishing": "Your story (**{pseudonym}**) is being published now.",
    "published": "Your story (**{pseudonym}**) is published in <#{thread_id}>.",
    "declined": "Your story (**{pseudonym}**) was not published. The moderators said: {reason}",
    "removed": "Your story (**{pseudonym}**) was removed by the moderators. Their reason: {reason}",
}
SUPPORT_COUNT = {0: "No one has pressed Sending support yet.", 1: "1 member is sending you support."}
SUPPORT_MANY = "{count} members are sending you support."
SUPPORT_BUTTON = "Sending support"
SUPPORT_THANKS = "Thank you. The author will see that {count} {members} sending support. No one sees who."
SUPPORT_ALREADY = "You're already sending support to this story. Thank you."

REPLY_NOT_A_STORY = (
    "/story reply works inside a story's thread. You can also press **Reply as the author** on your story's post.")
REPLY_BUTTON = "Reply as the author"
REPLY_FORM_TITLE = "Reply as Story author"
REPLY_GONE = "This story is no longer published, so it can't be replied to."
REPLY_NOT_AUTHOR = "Only the story's author can reply as Story author. You can reply here under your own name."
REPLY_SENT = "Your reply is being posted as **Story author**."
REPLY_EMPTY = "Your reply is empty."

# -- moderators ---------------------------------------------------------------------------------
QUEUE_TITLE = "Story for review: {pseudonym}"
QUEUE_INTRO = (
    "A member shared a story in **{circle}**. Approve it to publish, or decline with a reason the author will see."
)
QUEUE_CRISIS = "**Held because of crisis language.** The author has the crisis card; an urgent case is open."
APPROVE = "Approve"
DECLINE = "Decline"
APPROVED_BY = "Approved by <@{moderator}>: it is being published."
DECLINED_BY = "Declined by <@{moderator}>. Reason given to the author: {reason}"
CRISIS_HELD_NO_APPROVE = (
    "This story was held because it has crisis language, so it can't be approved from here. Its author has"
    " been offered support and the moderators have an urgent case about it. You can decline it (the author"
    " sees your reason), and they can share again once they're ready.")
BEING_PUBLISHED = "Your story is being published this very moment. Please try again in a minute."
QUEUE_NOT_SET_UP = ("Stories can't be shared here yet: the moderators' queue isn't set up, so nobody could read a"
                    " story held for review. Please ask an organiser to finish /setup.")
ALREADY_HANDLED = "This story was already handled (it is now {state})."
DECLINE_DEFAULT = "It doesn't fit this circle's norms."
CRISIS_CASE_SUMMARY = (
    "Crisis language in an anonymous story ({pseudonym}); held for review. The author's identity is not known."
)
HELP_CASE_SUMMARY = "A member who shared an anonymous story asked to talk with a moderator."
REPLY_CRISIS_CASE_SUMMARY = "Crisis language in an anonymous author's reply ({pseudonym}); not posted."

NO_STORY = "There is no story #{number} in this server."
REMOVED = "Removed {pseudonym}. The author will see your reason with /story status."
BLOCKED_DONE = (
    "The author of {pseudonym} can't share stories until {until}. You can't see who they are, and neither can"
    " anyone else."
)
UNBLOCKED = "The author of {pseudonym} can share stories again."
NOT_BLOCKED = "The author of {pseudonym} isn't blocked."
UNLINKED = "That story's author can no longer be identified (the anonymity key was changed), so they can't be blocked."
SETTINGS = (
    "**Story settings**\nDaily limit per member: {daily_limit}\nMinimum length: {min_length} characters\n"
    "Review before publishing: {review}\nRandom 1-10 minute delay: {delay}"
)
REVIEW_LABELS = {"off": "off", "new": "new members (joined in the last 7 days), and some other stories at random",
                 "all": "every story"}

# -- publishing refused (a permission missing, the channel gone) ---------------------------------------
PROBLEM_NO_THREADS = (
    "I'm not allowed to create threads in the stories channel (the **Create Public Threads** permission)")
PROBLEM_NO_POST = "I'm not allowed to post in the stories channel (the **Send Messages** permission)"
PROBLEM_NO_CHANNEL = "the circle's stories channel is gone or I can't see it"
# A 403 reading back the starter message an earlier attempt posted: the bot lost sight of the channel
# (not a refusal to post, which is what a moderator would otherwise go and check).
PROBLEM_NO_READ = (
    "I can no longer see the stories channel to finish posting it: a moderator should check my permissions"
    " there (**View Channel** and **Read Message History**)")
STATUS_PROBLEM = (
    "Your story (**{pseudonym}**) isn't published yet: {problem}. The moderators have been told, and it will be"
    " published once they fix it. {left} You can still retract it with this receipt.")
PROBLEM_NOTICE = (
    "**{pseudonym} couldn't be published:** {problem}. {left} Once that's fixed,"
    " `/story-admin retry story:{number}` publishes it. Its author sees this reason with /story status.")
# What the refused attempt left behind: the starter message is deleted, unless Discord refused that too.
NOTHING_LEFT = "Nothing of it was left in the channel."
STARTER_LEFT = (
    "Its first message is still in the channel (Discord didn't let me delete it): a retry reuses it, and"
    " retracting the story deletes it.")
NOTHING_TO_RETRY = "{pseudonym} isn't waiting on a problem, so there's nothing to retry."
RETRYING = "Trying {pseudonym} again now. If Discord still refuses it, you'll see a new notice here."
