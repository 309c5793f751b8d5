"""What the circles capability says to members and organisers, gathered so it can be read together.

Words for people reading on a bad day: reassurance first, facts kept, no deadlines or legal
records. One word for one thing: a circle is "closed" for members and "archived" by organisers.
Names passed in are already made safe for message bodies (bot.core.text.display).
Strings are moved here as they are reworded; cards.py and notices.py hold the rest for now.
"""

from __future__ import annotations

# -- finding a circle -------------------------------------------------------------------------------

CIRCLE_NOT_FOUND = (
    "I couldn't find that circle in this server. It may have closed, or the choice may be out of date:"
    " /circle list shows the circles open here."
)
FINDER_INTRO = (
    "Tell me what you live with and which language suits you; the best matches show here, each with why."
    " Your answers are private to you and the bot doesn't save them. Press Join to read a circle's norms first."
)
FINDER_ZONE = ("\nDays and times of day are read in **{zone}**, this server's time zone, because you haven't"
               " set yours. `/me timezone` sets it once for everything.")
FINDER_TOPICS = "What do you live with? (private, not saved; choose any)"


def circle_closed(name: str) -> str:
    return f"**{name}** has closed and no longer takes members. /circle list shows the circles open here."


# -- who may ------------------------------------------------------------------------------------------

def organisers_only(organiser_role_id: int | None) -> str:
    """Refusal for organiser commands, saying whom to ask (shown without pinging the role)."""
    if organiser_role_id:
        return f"Only organisers can do that. If it needs doing, ask someone with the <@&{organiser_role_id}> role."
    return "Only organisers can do that. If it needs doing, ask someone who manages this server."


# -- joining and agreeing ---------------------------------------------------------------------------

def welcome_first_line(name: str) -> str:
    return f"Welcome to **{name}**! Thank you for agreeing to its norms: you're in."


def norms_updated_intro(name: str, version: int) -> str:
    return f"The norms of **{name}** have been updated (version {version}). Take your time reading them."


def role_blocked(name: str, kind: str) -> str:
    """A server setting stopped the circle role: kind is the AgreeResult kind (joined, reconsented, already)."""
    if kind == "joined":
        return (f"Something in this server's settings stopped me letting you into **{name}** just now. It isn't"
                " anything you did, and nothing is lost: I've let the moderators know, and once it's fixed you"
                " can press **I agree** again.")
    if kind == "already":
        return (f"You're already in **{name}** and your seat is kept, but something in this server's settings"
                " stopped me giving your access back just now. I've let the moderators know.")
    return (f"Thank you for agreeing. Your seat in **{name}** is kept, but something in this server's settings"
            " stopped me giving your access back just now. I've let the moderators know.")


def role_discord_trouble(name: str, kind: str) -> str:
    """Discord didn't answer properly (5xx, lasting 429s) when the circle role was being given."""
    if kind == "joined":
        return (f"Discord didn't answer properly just now, so you haven't joined **{name}** yet. Please press"
                " **I agree** again in a moment.")
    return (f"Your seat in **{name}** is kept, but Discord didn't answer properly when I tried to give your"
            " access back. Please press **I agree** again in a moment.")


def role_problem_for_moderators(user_id: int, name: str, technical: str) -> str:
    """Posted in the moderator queue channel when a circle role could not be given."""
    return (f"A member (<@{user_id}>) couldn't be given access to the circle **{name}** because of a server"
            f" setting. They have been told kindly; this is what needs fixing:\n{technical}")


# -- leaving and passing on -------------------------------------------------------------------------

def left_circle(name: str) -> str:
    return (f"You've left **{name}**, and your seat is free for someone else. You're welcome back any time"
            " with /circle join.")


def leave_confirm(name: str) -> str:
    return (f"Leave **{name}**? You'll no longer see its channels, and your seat will be free for someone else."
            " You can ask to join again later.")


def passed_on(name: str) -> str:
    return (f"Thank you for letting me know. You're off the waitlist for **{name}**, and the seat is free for"
            " whoever is next. You're welcome to ask again any time with /circle join.")


# -- norms updates ----------------------------------------------------------------------------------

def reconsent_with_time(name: str, version: int, due: str) -> str:
    return (f"The norms of **{name}** have been updated (version {version}). There's no rush on a hard week:"
            f" read them when you can and press **I agree** by {due} to keep your access as it is. Your seat is"
            " kept either way, and if that date passes your access comes back the moment you agree.")


def reconsent_while_paused(name: str, version: int) -> str:
    return (f"The norms of **{name}** have been updated (version {version}). Your seat is kept: read them"
            " whenever you're ready, and your access comes back as soon as you agree.")


def access_paused(name: str, version: int) -> str:
    return (f"Your seat in **{name}** is kept. Its norms were updated (version {version}), and since the date to"
            " agree has passed, access to its channels is paused for now. Whenever you're ready, read the norms"
            " and agree, and your access comes back straight away.")


def reconsent_in_channel(user_id: int, name: str, version: int) -> str:
    """Posted in the circle's channel when the member couldn't be told privately (says nothing about why)."""
    return (f"<@{user_id}>, the norms of **{name}** have been updated (version {version}). You can read them,"
            " and agree whenever you're ready, with /circle mine.")


def paused_line(version: int | None) -> str:
    return f" Your seat is kept; your access comes back when you agree to version {version}."


def agree_by_line(version: int | None, due: str) -> str:
    return (f" The norms have been updated (version {version}); read them when you can, and agree by {due}"
            " to keep your access as it is.")


def member_paused_line(version: int) -> str:
    return f" (access paused until they agree to version {version}; seat kept)"


def norms_saved(name: str, version: int, asked: int, paused: int, due: str | None) -> str:
    """The organiser's answer after saving norms: who was asked, and who keeps access until when."""
    parts = [f"Saved the norms of **{name}** as version {version}."]
    if asked and due is not None:
        parts.append(f"{asked} member(s) were asked privately to read and agree to them by {due}; until then they"
                     " keep access, and after that their access pauses (seat kept) until they agree.")
    if paused:
        parts.append(f"{paused} member(s) whose access is already paused were sent the new norms; their access"
                     " comes back when they agree.")
    if not asked and not paused:
        parts.append("New members will see them.")
    return " ".join(parts)


# -- organisers -------------------------------------------------------------------------------------

WHO_SEES_CHANNELS = (
    "Its channels are private to its members, its facilitators and the moderator role; organisers don't see"
    " them unless they also moderate or facilitate (add yourself with /circle-admin facilitator-add)."
)
