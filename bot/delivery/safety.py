"""Which deliveries are safety deliveries: declared here, once, for the scheduler and the outbox.

"Every crisis reaches a human": a page or a crisis card must never be dropped and never wait
behind ordinary traffic.

- **Schedule kinds** in ``SAFETY_SCHEDULE_KINDS`` are retried with backoff when their handler
  fails (``bot.delivery.scheduler``), until the handler succeeds or the schedule is gone (a claim
  or resolve deletes a case's ladder). Other kinds record the failure as ``error`` and move on.
- **Outbox lanes**: every row gets a ``priority`` from its message kind at enqueue
  (``outbox_lane``); the worker sends lane 0 (crisis) before lane 1 (urgent) before lane 2
  (ordinary: reminders, pings, notices). A crisis card enqueued behind 10,000 reminders goes next.

Kinds are plain strings (``bot.delivery`` imports no capability): the owners use the same names.
"""

from __future__ import annotations

# Scheduler kinds whose failed occurrences are retried (the cases' escalation ladder and the
# announcement of a new case in the moderators' queue).
SAFETY_SCHEDULE_KINDS: frozenset[str] = frozenset({"case_ladder", "case_announce"})

# First retry of a failed safety occurrence after RETRY_BASE seconds, doubling up to RETRY_CAP.
RETRY_BASE_SECONDS = 5.0
RETRY_CAP_SECONDS = 120.0

LANE_CRISIS = 0
LANE_URGENT = 1
LANE_ORDINARY = 2
LANES = (LANE_CRISIS, LANE_URGENT, LANE_ORDINARY)

# Outbox kinds by lane; a kind not named here is ordinary, except the cases' own (``case_*``),
# which are urgent (a relay message, a reach-out thread's welcome, a moderator's action DM).
CRISIS_OUTBOX_KINDS: frozenset[str] = frozenset({
    "case_card_crisis",  # the crisis card to a member
    "case_page",         # the ladder's re-pages and escalations
    "case_queue",        # a new case's queue message (pings on duty / on call when urgent)
})
URGENT_OUTBOX_PREFIXES: tuple[str, ...] = ("case_",)


def outbox_lane(kind: str) -> int:
    """The outbox lane of a message kind (0 crisis, 1 urgent, 2 ordinary)."""
    if kind in CRISIS_OUTBOX_KINDS or kind.startswith("case_page"):
        return LANE_CRISIS
    if kind.startswith(URGENT_OUTBOX_PREFIXES):
        return LANE_URGENT
    return LANE_ORDINARY


def is_safety_kind(schedule_kind: str) -> bool:
    return schedule_kind in SAFETY_SCHEDULE_KINDS


def retry_delay(failures: int) -> float:
    """Seconds before retrying a safety occurrence that has failed ``failures`` times (1, 2, ...)."""
    return min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, failures - 1))
