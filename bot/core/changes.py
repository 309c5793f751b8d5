"""What the current interaction has changed so far, so a failure message can say only what is true.

An interaction handler calls ``track()`` when it starts (the command tree's check, the component
dispatcher and ``run_safely`` do). From then on, in that task, every committed write transaction
(``Database.transaction``) and every state-changing request to Discord (``bot.core.budget``'s
gate) is counted. ``made()`` reads the count: ``None`` when nothing was tracking (we do not know),
else how many changes were made before the failure.
"""

from __future__ import annotations

from contextvars import ContextVar

_made: ContextVar[list[int] | None] = ContextVar("peer_circles_changes", default=None)


def track() -> None:
    """Start counting changes made from this task (and the coroutines it awaits)."""
    _made.set([0])


def note() -> None:
    """One change was made (a commit, or a write request to Discord)."""
    box = _made.get()
    if box is not None:
        box[0] += 1


def made() -> int | None:
    """Changes made since ``track()``; None when nothing was tracking."""
    box = _made.get()
    return None if box is None else box[0]
