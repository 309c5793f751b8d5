"""bot/circles/channels.py: circle channels are private, and the bot only grants what it holds."""

from __future__ import annotations

import pytest

from bot.circles.channels import (
    CONNECT,
    MANAGE_MESSAGES,
    MEMBER,
    ROLE,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    SPEAK,
    VIEW_CHANNEL,
    facilitator_overwrite,
    plan_overwrites,
)

EVERYONE, CIRCLE, MODS, BOT = 1, 2, 3, 4
ALL = (1 << 50) - 1


def by_target(plan):
    return {o.target_id: o for o in plan}


def test_text_channel_is_hidden_from_everyone_and_open_to_the_circle() -> None:
    plan = by_target(plan_overwrites("text", everyone_id=EVERYONE, circle_role_id=CIRCLE, moderator_role_id=MODS,
                                     facilitator_ids=[77], bot_id=BOT, bot_permissions=ALL))
    assert plan[EVERYONE].deny & VIEW_CHANNEL and not plan[EVERYONE].allow
    assert plan[CIRCLE].allow & (VIEW_CHANNEL | SEND_MESSAGES) == VIEW_CHANNEL | SEND_MESSAGES
    assert not plan[CIRCLE].allow & MANAGE_MESSAGES
    assert plan[MODS].allow & VIEW_CHANNEL and plan[BOT].allow & VIEW_CHANNEL
    assert (plan[77].target_type, plan[BOT].target_type, plan[CIRCLE].target_type) == (MEMBER, MEMBER, ROLE)
    assert plan[77].allow & MANAGE_MESSAGES


def test_voice_needs_connect_and_stories_take_replies_in_threads_only() -> None:
    voice = by_target(plan_overwrites("voice", everyone_id=EVERYONE, circle_role_id=CIRCLE, moderator_role_id=None,
                                      facilitator_ids=(), bot_id=BOT, bot_permissions=ALL))
    assert voice[CIRCLE].allow & CONNECT and voice[EVERYONE].deny & CONNECT
    assert MODS not in voice
    stories = by_target(plan_overwrites("stories", everyone_id=EVERYONE, circle_role_id=CIRCLE,
                                        moderator_role_id=MODS, facilitator_ids=(), bot_id=BOT,
                                        bot_permissions=ALL))
    assert stories[CIRCLE].allow & SEND_MESSAGES_IN_THREADS and not stories[CIRCLE].allow & SEND_MESSAGES


def test_only_permissions_the_bot_holds_are_granted() -> None:
    held = VIEW_CHANNEL | CONNECT | SEND_MESSAGES
    plan = plan_overwrites("voice", everyone_id=EVERYONE, circle_role_id=CIRCLE, moderator_role_id=MODS,
                           facilitator_ids=[9], bot_id=BOT, bot_permissions=held)
    assert all(not (o.allow | o.deny) & ~held for o in plan)
    assert not by_target(plan)[CIRCLE].allow & SPEAK
    assert facilitator_overwrite("text", 9, held).allow == VIEW_CHANNEL | SEND_MESSAGES


def test_unknown_kind_is_a_bug() -> None:
    with pytest.raises(ValueError):
        plan_overwrites("stage", everyone_id=1, circle_role_id=2, moderator_role_id=None, facilitator_ids=(),
                        bot_id=3, bot_permissions=ALL)
