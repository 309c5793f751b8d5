"""Every member-facing word of the coping capability, in one place (read together, translated later).

Plain and warm for someone reading on a bad day: no shaming, no deadlines, no medical claims.
"""

from __future__ import annotations

# -- categories ---------------------------------------------------------------------------------------
CATEGORIES: dict[str, str] = {
    "movement": "Movement",
    "pacing": "Pacing",
    "mindfulness": "Mindfulness and relaxation",
    "sleep": "Sleep",
    "comfort": "Heat/cold and comfort",
    "clinicians": "Talking with clinicians",
    "daily": "Daily life",
    "other": "Other",
}

NOT_MEDICAL_ADVICE = "Lived experience shared by a member, not medical advice."
ANONYMOUS_NAME = "a member (shared anonymously)"
STRATEGY_TITLE = "What helped: {category}"
STRATEGY_BY = "Shared by {who}"
HELPS_WITH = "Helps with: {what}"
PINNED = "📌 Pinned by the circle's facilitators"
WIN_TITLE = "🎉 A small win"
WIN_BY = "Shared by {who}"

# -- buttons ------------------------------------------------------------------------------------------
BUTTON_HELPED = "This helped me too"
BUTTON_SAVE = "Save"
BUTTON_CELEBRATE = "🎉 Celebrate"
BUTTON_PREVIOUS = "Previous"
BUTTON_NEXT = "Next"
BUTTON_UNSAVE = "Remove {n} from saved"

# -- modals -------------------------------------------------------------------------------------------
STRATEGY_MODAL_TITLE = "Share what helped"
STRATEGY_TEXT_LABEL = "What helped you, in a few lines"
STRATEGY_TEXT_PLACEHOLDER = "e.g. I break chores into 10-minute pieces with a rest between them."
STRATEGY_HELPS_LABEL = "What it helps with (optional)"
STRATEGY_HELPS_PLACEHOLDER = "e.g. flare days, morning stiffness"
WIN_MODAL_TITLE = "Share a small win"
WIN_TEXT_LABEL = "Your win, big or small"
WIN_TEXT_PLACEHOLDER = "e.g. walked to the mailbox, asked for help at work"

# -- replies ------------------------------------------------------------------------------------------
STRATEGY_SHARED = (
    "Thank you for sharing what helped you. It's on its way to **{circle}**{anon}, where others can find it "
    "with /strategy browse."
)
WIN_SHARED = (
    "Thank you for sharing your win. It's on its way to **{circle}**{anon} so the circle can celebrate with you."
)
ANON_NOTE = " without your name"
CENSORED_NOTE = " A few words were softened with * before posting."
LINK_NOTE = " Links show as text, without a preview."
CONCERN_NOTE = (
    "Your words sounded like things may be heavy right now. If you'd like someone to talk to, these services "
    "are free and confidential, and you can ask a moderator privately at any time."
)
CRISIS_HELD = (  # shown above the crisis card (which says a moderator will check in)
    "I haven't posted this. It sounds like you may be going through something really hard right now, and you "
    "deserve support straight away. The people below are free, confidential and there for you."
)
CRISIS_HELD_AGAIN = (  # a card was shown within the hour: not again, but never silence
    "I haven't posted this. {told} The support lines I showed you a little while ago are still there for you:"
    " /support shows them again, with a button to talk to a moderator now."
)
TOLD_NAMED = "A moderator has been told privately so they can check in with you."
TOLD_ANON = "The moderators were told someone may need support, without your name."
CRISIS_HELD_ANON = (
    "I haven't posted this. It sounds like you may be going through something really hard right now, and you "
    "deserve support straight away. The people below are free and confidential. The moderators were told "
    "someone may need support, without your name."
)
SLUR_DECLINED = (
    "I couldn't post this as written: it contains a word that can hurt people in the circle. Your experience "
    "matters, so please try again in other words. Nothing was posted."
)
EMPTY_TEXT = "There's nothing to share yet: please write a few words."
TOO_LONG = "That's a little long for here: please keep it under {limit} characters."
UNKNOWN_CATEGORY = "Please choose one of the categories offered."
NOT_A_MEMBER = "Only members of **{circle}** can do that. /circle join {circle} shows its norms."
NO_CHANNEL = "**{circle}** has no text channel right now, so there's nowhere to post. An organiser can check it."

HELPED_THANKS = "Noted: this helped you too. Thank you for letting others know."
HELPED_ALREADY = "You've already said this helped you. Thank you."
SAVED = "Saved to your private list. /strategy saved shows it any time."
UNSAVED = "Removed from your saved list."
CHEERED = "You celebrated this win."
CHEERED_ALREADY = "You've already celebrated this win. Thank you for cheering them on."
STRATEGY_GONE = "That strategy is no longer shared in the circle."
WIN_GONE = "That win is no longer shown in the circle."

BROWSE_TITLE = "What helped members of {circle}"
BROWSE_TITLE_CATEGORY = "What helped members of {circle}: {category}"
BROWSE_EMPTY = "No strategies here yet. You could be the first: /strategy share."
BROWSE_PAGE = "Page {page} of {pages}. Most \"this helped me too\" first."
BROWSE_LINE = "**{n}.** {body}\n{meta}"
BROWSE_META = "#{id} · {category} · {helped} found this helpful · {who}"

SAVED_TITLE = "Your saved strategies"
SAVED_EMPTY = "You haven't saved any strategies yet. Press Save under one in /strategy browse."
SAVED_PRIVATE = "Only you can see this list."

# -- facilitators -------------------------------------------------------------------------------------
PIN_DONE = "Pinned strategy #{id} to the top of **{circle}**'s list."
UNPIN_DONE = "Unpinned strategy #{id}."
REMOVE_DONE = "Removed strategy #{id} from **{circle}**'s list and deleted its post."
REMOVE_POST_KEPT = (
    "Removed strategy #{id} from **{circle}**'s list. I couldn't delete its post in the channel (I may be missing"
    " **Manage Messages** there); a moderator can delete it by hand."
)
STRATEGY_NOT_FOUND = "I can't find strategy #{id} in this server."
NOT_FACILITATOR = "Only this circle's facilitators and the server's organisers can do that."
NOT_CURATOR = "Only the server's organisers and circle facilitators can change trusted resources."
NOT_CURATOR_STRATEGIES = "Only the server's organisers and circle facilitators can pin or remove strategies."

# -- resources ----------------------------------------------------------------------------------------
RESOURCES_TITLE = "Trusted resources"
RESOURCES_INTRO = "Chosen by this server's organisers and facilitators."
RESOURCES_CIRCLE = "For {circle}"
RESOURCES_SERVER = "For everyone here"
RESOURCES_EMPTY = (
    "No resources have been added yet. Organisers and facilitators can add some with /resources-admin add."
)
RESOURCE_ADDED = "Added **{title}** as resource #{id} ({scope})."
RESOURCE_REMOVED = "Removed resource #{id}."
RESOURCE_MOVED = "Moved resource #{id} to position {position}."
RESOURCE_NOT_FOUND = "I can't find resource #{id} here."
RESOURCE_SCOPE_SERVER = "for the whole server"
RESOURCE_SCOPE_CIRCLE = "for {circle}"
BAD_URL = "Please give a full web address starting with https:// (or http://), up to {limit} characters."
BAD_TITLE = "Please give a title of 1 to {limit} characters."
BAD_NOTE = "Please keep the note under {limit} characters."
RESOURCE_TEXT_PROFANE = "Please keep resource titles and notes free of swearing and slurs. Nothing was changed."
TOO_MANY_RESOURCES = "This list already has {limit} resources; please remove one first."
ORGANISERS_ONLY_SERVER = "Only organisers can change the server-wide list. Facilitators can add to their circle's."

# -- weekly recap -------------------------------------------------------------------------------------
RECAP_TITLE = "🎉 This week's small wins in {circle}"
RECAP_INTRO = "Every step counts, on good days and hard ones. Here's what the circle celebrated this week:"
RECAP_MORE = "…and {n} more."
RECAP_BY = " — {who}"
