"""Every member-facing sentence of the privacy capability, in one place to read together."""

from __future__ import annotations

from bot.privacy.inventory import Inventory

EXPORT_HEADER = (
    "Everything Peer Circles keeps about you in this one Discord server, as of exported_at. "
    "Each entry under data is one kind of record: what it is, how long it is kept, who can see it, "
    "and the rows themselves. Times are UTC. Ids are Discord ids (a server, channel, role or person). "
    "Nothing from any other server is included. You can erase all of this with /privacy delete."
)
EXPORT_RECEIPTS_NOTE = (
    "Anonymous stories are stored without your id, so they are included only when you paste their "
    "receipts into /privacy export; without receipts nobody, not even this export, can link them to you."
)

SHOW_TITLE = "What Peer Circles keeps about you here"
NOTHING_KEPT = "Nothing at all: the bot keeps no records about you in this server."
SCHEDULES_LINE = (
    "**Your reminders and pings** ({count}): kept until you stop them or delete your data; only you get them."
)
SHOW_FOOTER = (
    "Only this server is shown. /privacy export gives you all of it as a file; /privacy delete erases it. "
    "Read PRIVACY.md in the bot's repository for how anonymity works and its limits."
)

DELETE_FIRST = (
    "**Delete everything about you in this server?**\n"
    "This erases your circle seats and consent history, waitlist places, preferences and every other "
    "record listed in /privacy show ({total} records), and cancels your reminders. Your circle roles "
    "are taken away, and the bot's posts of what you shared under your name (strategies, small wins), of "
    "your messages relayed to the moderators and of notices naming you are deleted, and a moderators' "
    "thread opened when you reached out is renamed so its title no longer shows your name. Your name "
    "stays only in a weekly wins recap that named you (the bot keeps no record of which). "
    "It cannot be undone.\n"
    "{conduct}"
    "Anonymous stories are not linked to you, so they stay unless you retract them with their receipts."
)
CONDUCT_NOTE = (
    "Moderation records (reports and cases) keep only what happened and when, with you replaced by a "
    "placeholder, until this server's retention removes them ({days} days after the case is resolved).\n"
)
DELETE_SECOND = "**Are you sure?** This is the last step: once you press the red button your data is gone."
DELETE_DONE = (
    "Done. Everything about you in this server is erased ({total} records changed, {schedules} reminders "
    "cancelled). You are welcome back any time."
)
DELETE_CANCELLED = "Nothing was deleted. Your data is as it was."
DELETE_EXPIRED = "That confirmation was for someone else. Use /privacy delete to erase your own data."
EXPORT_READY = (
    "Here is everything the bot keeps about you in this server, as a JSON file you can open in any "
    "text editor. Only you can see this message."
)
ROLES_NOT_REMOVED = (
    "\nI could not take away every circle role (the bot lacks permission); please ask an organiser to remove them."
)
THREADS_NOT_RENAMED = (
    "\nI could not rename the moderators' thread opened when you reached out (the bot lacks permission),"
    " so its title still shows your name; please ask a moderator to rename or delete it."
)
POSTS_NOT_DELETED = (
    "\nI could not delete every post of yours in the circle channels; please ask a moderator to remove"
    " the ones left."
)


def holding_line(holds: str, count: int, kept: str, seen_by: str, retention_days: int | None) -> str:
    kept_text = f"{kept} (this server: {retention_days} days)" if retention_days else kept
    return f"**{holds[:1].upper()}{holds[1:]}** ({count}): kept {kept_text}; seen by {seen_by}."


def show_text(inv: Inventory) -> str:
    lines = [f"**{SHOW_TITLE}**", ""]
    if not inv.total:
        lines.append(NOTHING_KEPT)
    for h in inv.held:
        lines.append("- " + holding_line(h.holds, h.count, h.kept, h.seen_by, h.retention_days))
    if inv.schedules:
        lines.append("- " + SCHEDULES_LINE.format(count=inv.schedules))
    lines += ["", SHOW_FOOTER]
    text = "\n".join(lines)
    return text if len(text) <= 1900 else text[:1890] + "\n…"


def delete_first_text(inv: Inventory, cases_days: int) -> str:
    conduct = any(h.conduct_record and h.count for h in inv.holdings)
    return DELETE_FIRST.format(total=inv.total, conduct=CONDUCT_NOTE.format(days=cases_days) if conduct else "")
