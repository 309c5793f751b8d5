"""What members see of strategies, wins and resources, as cards (bot.core.messages).

Member text is shown through ``member_text``: mentions inert, markdown escaped, and any link the
member wrote wrapped in <> so Discord shows it as text without an embedded preview. Only resource
links (added by facilitators and organisers) are shown as real links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.coping import wording
from bot.coping.vetting import link_spans
from bot.core.messages import PRIMARY, SUCCESS, Button, Card, custom_id, embed
from bot.core.text import display

FIELD_LIMIT = 1024


def member_text(text: str) -> str:
    """Member-written text for a message: escaped, with links shown but not embedded."""
    out: list[str] = []
    last = 0
    for start, end in link_spans(text):
        out.append(display(text[last:start]))
        url = text[start:end].replace("<", "").replace(">", "")
        out.append(f"<{url}>")
        last = end
    out.append(display(text[last:]))
    return "".join(out)


def who(author_id: int | None) -> str:
    return wording.ANONYMOUS_NAME if author_id is None else f"<@{author_id}>"


@dataclass(frozen=True)
class StrategyView:
    id: int
    circle_id: int
    author_id: int | None
    category: str
    body: str
    helps_with: str
    helped_count: int
    pinned: bool


def category_label(key: str) -> str:
    return wording.CATEGORIES.get(key, wording.CATEGORIES["other"])


def strategy_buttons(strategy_id: int) -> tuple[Button, ...]:
    return (Button(custom_id("copehelped", strategy_id), wording.BUTTON_HELPED, SUCCESS),
            Button(custom_id("copesave", strategy_id), wording.BUTTON_SAVE))


def strategy_post(s: StrategyView) -> Card:
    """The post in the circle's channel (sent through the outbox, pinging nobody)."""
    lines = [member_text(s.body)]
    if s.helps_with:
        lines.append(wording.HELPS_WITH.format(what=member_text(s.helps_with)))
    lines.append(wording.STRATEGY_BY.format(who=who(s.author_id)))
    card_embed = embed(wording.STRATEGY_TITLE.format(category=category_label(s.category)), "\n\n".join(lines),
                       footer={"text": f"#{s.id} · {wording.NOT_MEDICAL_ADVICE}"})
    return Card("", (card_embed,), (strategy_buttons(s.id),))


def _browse_line(n: int, s: StrategyView) -> str:
    body = member_text(s.body)
    if s.helps_with:
        body += "\n" + wording.HELPS_WITH.format(what=member_text(s.helps_with))
    meta = wording.BROWSE_META.format(id=s.id, category=category_label(s.category), helped=s.helped_count,
                                      who=who(s.author_id))
    if s.pinned:
        meta = wording.PINNED + "\n" + meta
    return wording.BROWSE_LINE.format(n=n, body=body, meta=meta)[:FIELD_LIMIT]


def browse_card(circle_name: str, category: str | None, items: Sequence[StrategyView], *, circle_id: int,
                page: int, pages: int) -> Card:
    title = (wording.BROWSE_TITLE_CATEGORY.format(circle=display(circle_name), category=category_label(category))
             if category else wording.BROWSE_TITLE.format(circle=display(circle_name)))
    if not items:
        return Card("", (embed(title, wording.BROWSE_EMPTY),))
    fields = [{"name": "\u200b", "value": _browse_line(i + 1, s), "inline": False} for i, s in enumerate(items)]
    description = wording.BROWSE_PAGE.format(page=page + 1, pages=pages)
    card_embed = embed(title, description, fields=fields, footer={"text": wording.NOT_MEDICAL_ADVICE})
    rows: list[tuple[Button, ...]] = [
        (Button(custom_id("copehelped", s.id), f"{i + 1}. {wording.BUTTON_HELPED}", SUCCESS),
         Button(custom_id("copesave", s.id), f"{i + 1}. {wording.BUTTON_SAVE}"))
        for i, s in enumerate(items)
    ]
    nav: list[Button] = []
    cat = category or "all"
    if page > 0:
        nav.append(Button(custom_id("copepage", circle_id, cat, page - 1), wording.BUTTON_PREVIOUS))
    if page + 1 < pages:
        nav.append(Button(custom_id("copepage", circle_id, cat, page + 1), wording.BUTTON_NEXT, PRIMARY))
    if nav:
        rows.append(tuple(nav))
    return Card("", (card_embed,), tuple(rows))


def saved_card(items: Sequence[tuple[str, StrategyView]]) -> Card:
    """The member's private list: (circle name, strategy) pairs, newest saved first."""
    if not items:
        return Card(wording.SAVED_EMPTY)
    fields = [{"name": display(circle)[:256], "value": _browse_line(i + 1, s), "inline": False}
              for i, (circle, s) in enumerate(items)]
    buttons = [Button(custom_id("copeunsave", s.id), wording.BUTTON_UNSAVE.format(n=i + 1))
               for i, (_, s) in enumerate(items)]
    rows = tuple(tuple(buttons[i:i + 5]) for i in range(0, len(buttons), 5))
    return Card(wording.SAVED_PRIVATE, (embed(wording.SAVED_TITLE, wording.NOT_MEDICAL_ADVICE, fields=fields),), rows)


@dataclass(frozen=True)
class WinView:
    id: int
    author_id: int | None
    body: str
    cheer_count: int


def win_post(w: WinView) -> Card:
    text = member_text(w.body) + "\n\n" + wording.WIN_BY.format(who=who(w.author_id))
    label = wording.BUTTON_CELEBRATE + (f" {w.cheer_count}" if w.cheer_count else "")
    return Card("", (embed(wording.WIN_TITLE, text),), ((Button(custom_id("copecheer", w.id), label, SUCCESS),),))


def recap_card(circle_name: str, wins: Sequence[tuple[str, int | None]], limit: int = 10) -> Card:
    """The weekly recap: each win's text, named only where its author opted in (author id given)."""
    lines = [wording.RECAP_INTRO, ""]
    for body, named in wins[:limit]:
        line = "• " + member_text(body.replace("\n", " "))[:300]
        if named is not None:
            line += wording.RECAP_BY.format(who=f"<@{named}>")
        lines.append(line)
    if len(wins) > limit:
        lines.append(wording.RECAP_MORE.format(n=len(wins) - limit))
    return Card("", (embed(wording.RECAP_TITLE.format(circle=display(circle_name)), "\n".join(lines)),))


@dataclass(frozen=True)
class ResourceView:
    id: int
    circle_id: int | None
    title: str
    url: str
    note: str


def _resource_line(r: ResourceView) -> str:
    line = f"• [{display(r.title)}]({r.url})"
    if r.note:
        line += f" — {display(r.note)}"
    return line


def resources_card(crisis: dict[str, Any], server: Sequence[ResourceView],
                   circle: tuple[str, Sequence[ResourceView]] | None) -> Card:
    """The crisis card always first, then the server's list, then the circle's."""
    embeds: list[dict[str, Any]] = [crisis]
    sections: list[tuple[str, Sequence[ResourceView]]] = []
    if circle is not None and circle[1]:
        sections.append((wording.RESOURCES_CIRCLE.format(circle=display(circle[0])), circle[1]))
    if server:
        sections.insert(0, (wording.RESOURCES_SERVER, server))
    if not sections:
        embeds.append(embed(wording.RESOURCES_TITLE, wording.RESOURCES_EMPTY))
    else:
        fields = []
        for name, items in sections:
            value = ""
            for r in items:
                line = _resource_line(r)
                if len(value) + len(line) + 1 > FIELD_LIMIT:
                    fields.append({"name": name[:256], "value": value, "inline": False})
                    value = ""
                value = f"{value}\n{line}" if value else line
            if value:
                fields.append({"name": name[:256], "value": value, "inline": False})
        embeds.append(embed(wording.RESOURCES_TITLE, wording.RESOURCES_INTRO, fields=fields[:25]))
    return Card("", tuple(embeds))
