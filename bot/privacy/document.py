"""PRIVACY.md's table of what is stored, written from the personal-data registry, so the page and
``/privacy show`` say the same thing (what, for how long, who sees it) from one source.

The table sits in PRIVACY.md between ``BEGIN`` and ``END``; ``tests/unit/privacy/test_privacy_page.py``
fails when it differs from ``registry_table()``. After changing a declaration, rewrite it with
``python -m tests.unit.privacy.test_privacy_page`` (from the repository root).
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.personal_data import personal_tables
from bot.privacy.wording import SCHEDULES_LINE

BEGIN = "<!-- BEGIN registry table: written by python -m tests.unit.privacy.test_privacy_page -->"
END = "<!-- END registry table -->"
PAGE = Path(__file__).resolve().parents[2] / "PRIVACY.md"

# The order and headings of the capabilities, as members know them.
SECTIONS = (
    ("circles", "Circles"), ("members", "Your preferences"), ("checkins", "Check-ins"), ("goals", "Goals"),
    ("coping", "Coping strategies, resources and small wins"), ("cases", "Reports, requests for help and cases"),
    ("stories", "Anonymous stories"), ("delivery", "Delivery"),
)


def _cell(text: str) -> str:
    text = text.replace("|", "\\|")
    return text[:1].upper() + text[1:]


def registry_table() -> str:
    """The markdown of every personal table, by capability (the registry's own words)."""
    tables = personal_tables()
    owners = [o for o, _ in SECTIONS] + sorted({t.owner for t in tables} - {o for o, _ in SECTIONS})
    names = dict(SECTIONS)
    lines: list[str] = []
    for owner in owners:
        rows = [t for t in tables if t.owner == owner]
        if not rows:
            continue
        lines += [f"**{names.get(owner, owner)}**", "", "| what | kept | who can see it |", "| --- | --- | --- |"]
        for t in rows:
            kept = t.kept + (" (the server may choose another number of days)" if t.retention_setting else "")
            lines.append(f"| {_cell(t.holds)} | {kept} | {t.seen_by} |")
        lines.append("")
    lines.append("- " + SCHEDULES_LINE.replace(" ({count})", ""))
    return "\n".join(lines)


def rewrite(page: Path = PAGE) -> bool:
    """Put the current table into the page; True when it changed."""
    text = page.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    new = pattern.sub(lambda _m: f"{BEGIN}\n{registry_table()}\n{END}", text)
    if new != text:
        page.write_text(new, encoding="utf-8")
    return new != text


def table_in(page: Path = PAGE) -> str | None:
    text = page.read_text(encoding="utf-8")
    found = re.search(re.escape(BEGIN) + r"\n(.*?)\n" + re.escape(END), text, re.DOTALL)
    return found.group(1) if found else None

