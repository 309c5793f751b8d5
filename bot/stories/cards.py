"""What stories look like: the preview, the post in the stories channel, the review card in the
moderators' queue, receipts and statuses. Cards as data (bot.core.messages), no discord classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core import messages
from bot.core.messages import DANGER, PRIMARY, SUCCESS, Button, Card, timestamp
from bot.core.messages import embed as card_embed
from bot.core.text import display
from bot.stories import wording
from bot.stories.drafts import Verdict
from bot.stories.records import Story, hour_of, story_ref

ZWSP = "\u200b"


def cid(action: str, *args: object) -> str:
    return messages.custom_id(action, *args)


def _spoiler(text: str) -> str:
    # A "||" inside the text would close the spoiler early.
    return "||" + text.replace("||", "|" + ZWSP + "|") + "||"


def story_embed(*, number: int | None, title: str, warning: str, body: str, when: datetime | None) -> dict[str, Any]:
    """The story as posted: pseudonym, optional title, the body behind a spoiler when it has a warning.
    ``number`` None: a preview, before the story has its number (it is given on Post)."""
    heading = wording.PSEUDONYM.format(number=number) if number is not None else wording.PSEUDONYM_UNNUMBERED
    if title:
        heading = f"{heading}: {title}"
    text = _spoiler(body) if warning else body
    extra: dict[str, Any] = {"author": {"name": heading[:256]}}
    if when is not None:
        extra["footer"] = {"text": f"Shared {hour_of(when):%d %b %Y}, around {hour_of(when):%H:00} UTC"}
    return card_embed(title[:256] or heading, text, **extra)


def story_content(warning: str) -> str:
    if not warning:
        return ""
    return f"**Content warning:** {display(warning)}. The story is hidden behind the spoiler: tap it to read."


def post_card(story: Story, body: str, when: datetime) -> Card:
    """The post in the circle's stories channel (forum post or message with its thread)."""
    embed = story_embed(number=story.number, title=story.title or "", warning=story.content_warning or "",
                        body=body, when=when)
    # Per-server numbers in custom_ids ("n12"), never the global id.
    support = Button(cid("storysupport", story_ref(story)), wording.SUPPORT_BUTTON, PRIMARY)
    reply = Button(cid("storyreply", story_ref(story)), wording.REPLY_BUTTON)
    return Card(story_content(story.content_warning or ""), (embed,), ((support, reply),))


def thread_name(story: Story) -> str:
    name = wording.PSEUDONYM.format(number=story.number)
    return (f"{name}: {story.title}" if story.title else name)[:100]


def connect_row() -> tuple[Button, ...]:
    """The one way for an author to ask a moderator to talk with them (their identity, by their own press)."""
    return (Button(cid("storyhelp"), wording.CONNECT_BUTTON, PRIMARY),)


def crisis_embeds(response_card: Card | None) -> tuple[dict[str, Any], ...]:
    """The one crisis response's card (bot.cases.crisis) without its own button: stories show
    theirs, "Connect me with a moderator", so the author sees one such button, not two."""
    return response_card.embeds if response_card is not None else ()


def preview_card(token: str, verdict: Verdict, number_hint: str, response_card: Card | None) -> Card:
    """The ephemeral preview: the story as it will appear, what screening found, what is kept, and
    (crisis or concern) the crisis card of the one crisis response, shown at most once an hour."""
    lines = [wording.PREVIEW_INTRO]
    if verdict.identifying:
        lines.append(wording.IDENTIFYING_INTRO)
        for kind, text in verdict.identifying[:10]:
            lines.append(f"• {wording.IDENTIFYING_KINDS.get(kind, kind)}: `{text.replace('`', '')[:60]}`")
    if verdict.crisis == "crisis":
        lines.append(wording.CRISIS_HELD if response_card is not None else wording.CRISIS_HELD_CARD_SHOWN)
    elif verdict.crisis == "concern" and response_card is not None:
        lines.append(wording.CONCERN_NOTE)
    lines.append(wording.WHAT_IS_KEPT)
    content = story_content(verdict.content_warning)
    body = "\n\n".join(lines)
    if content:
        body = f"{body}\n\n{content}"
    embed = story_embed(number=None, title=verdict.title, warning=verdict.content_warning, body=verdict.body,
                        when=None)
    embed["author"] = {"name": number_hint}
    buttons = [Button(cid("storypost", token), "Post", SUCCESS), Button(cid("storyedit", token), "Edit"),
               Button(cid("storycancel", token), "Cancel", DANGER)]
    rows: list[tuple[Button, ...]] = [tuple(buttons)]
    if verdict.crisis == "crisis" or (verdict.crisis == "concern" and response_card is not None):
        rows.append(connect_row())
    return Card(body[:2000], (embed, *crisis_embeds(response_card)), tuple(rows))


def receipt_card(story: Story, receipt: str) -> Card:
    if story.state == "review":
        lead = wording.IN_REVIEW
    elif story.state == "scheduled":
        lead = wording.POSTED_LATER.format(pseudonym=story.pseudonym)
    else:
        lead = wording.POSTED.format(pseudonym=story.pseudonym)
    return Card(f"{lead}\n\n{wording.RECEIPT.format(receipt=receipt)}")


def support_line(count: int) -> str:
    return wording.SUPPORT_COUNT.get(count) or wording.SUPPORT_MANY.format(count=count)


def status_text(story: Story, supporters: int) -> str:
    if story.state == "ready" and story.publish_problem:
        return wording.STATUS_PROBLEM.format(pseudonym=story.pseudonym, problem=story.publish_problem,
                                             left=left_behind(story))
    text = wording.STATUS[story.state].format(
        pseudonym=story.pseudonym, thread_id=story.thread_id or 0, reason=display(story.decline_reason or ""))
    if story.state == "published":
        text += " " + support_line(supporters)
    return text


def queue_card(story: Story, circle_name: str) -> Card:
    """The review card in the moderators' queue channel: the story, no author, Approve / Decline."""
    intro = wording.QUEUE_INTRO.format(circle=display(circle_name))
    if story.crisis:
        intro = f"{wording.QUEUE_CRISIS}\n{intro}"
    fields = []
    if story.content_warning:
        fields.append({"name": "Content warning", "value": display(story.content_warning)[:1024], "inline": False})
    embed = card_embed(wording.QUEUE_TITLE.format(pseudonym=story.pseudonym)[:256], story.body or "",
                       fields=fields, footer={"text": f"Title: {story.title}" if story.title else "No title"})
    buttons = (Button(cid("storyapprove", story_ref(story)), wording.APPROVE, SUCCESS),
               Button(cid("storydecline", story_ref(story)), wording.DECLINE, DANGER))
    return Card(intro, (embed,), (buttons,))


def problem_notice(story: Story) -> Card:
    """The moderators' queue: a story Discord refused for good, why, and how to publish it."""
    return Card(wording.PROBLEM_NOTICE.format(pseudonym=story.pseudonym, problem=story.publish_problem or "",
                                              number=story.number, left=left_behind(story)))


def left_behind(story: Story) -> str:
    """A refused story keeps its starter message's id only when the message could not be deleted."""
    return wording.STARTER_LEFT if story.message_id else wording.NOTHING_LEFT


def queue_done_card(story: Story, outcome: str) -> Card:
    """The review card after a decision: the text is gone, the decision stays."""
    return Card(f"**{story.pseudonym}**: {outcome}")


def author_reply_card(number: int, text: str) -> Card:
    embed = card_embed(wording.AUTHOR_NAME, text, footer={"text": f"The author of Story #{number}"})
    return Card("", (embed,))


def when_text(when: str) -> str:
    return timestamp(when)
