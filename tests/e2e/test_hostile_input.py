"""Values Discord lets through to the bot's options, typed by hand: ids too large for a database
integer or with non-ASCII digits, hostile time-zone strings. Each gets the command's usual kind
message, changes nothing, and never a traceback (issue 26)."""

from __future__ import annotations

import logging

import pytest

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.checkins.helpers import circle_with_members, rows, slash

HUGE = "9" * 30
TOO_BIG = str(2**63)


@pytest.mark.parametrize("path, options, expected", [
    ("checkin reminders", {"circle": HUGE, "turn": "on"}, "couldn't find"),
    ("checkin reminders", {"circle": TOO_BIG, "turn": "on"}, "couldn't find"),
    ("checkin-facilitator skip", {"circle": HUGE, "date": "2026-11-26"}, "couldn't find"),
    ("checkin-facilitator attendance", {"circle": "²"}, "couldn't find"),
    ("checkin-admin edit", {"series": HUGE, "duration": 90}, "couldn't find that check-in series"),
    ("checkin-admin cancel", {"series": "#" + TOO_BIG}, "couldn't find that check-in series"),
    ("checkin-admin schedule", {"circle": "Fibro Friends", "weekdays": "mon", "time": "19:00",
                                "timezone": "x" * 300}, "isn't a time zone I know"),
    ("checkin-admin schedule", {"circle": "Fibro Friends", "weekdays": "mon", "time": "19:00",
                                "timezone": "../../../../etc/passwd"}, "isn't a time zone I know"),
    ("checkin-admin once", {"circle": "Fibro Friends", "date": "2026-12-01", "time": "19:00",
                            "timezone": "/etc/localtime"}, "isn't a time zone I know"),
    ("me timezone", {"zone": "Europe/" + "x" * 2000}, "time zone"),
    ("goal set", {"cadence": "daily", "time": "9am", "delivery": "circle", "circle": HUGE}, "circle"),
    # Integer options past what Discord sends (found by tests/e2e/test_fuzz_options.py): these
    # overflowed SQLite's integer and a timedelta.
    ("case show", {"id": 2**63}, "The id you gave must be between"),
    ("strategy pin", {"strategy": -(2**63) - 1}, "The strategy you gave must be between"),
    ("case timeout", {"id": 1, "minutes": 10**30, "reason": "x"}, "The minutes you gave must be between 1 and 40320"),
])
async def test_hostile_values_get_the_usual_kind_message(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, caplog: pytest.LogCaptureFixture,
        path: str, options: dict[str, object], expected: str) -> None:
    await circle_with_members(emulator, bot, server, "ann")
    tables = ("checkin_series", "checkin_sessions", "checkin_optins", "member_prefs", "goals")
    before = [await rows(bot, f"SELECT * FROM {t}") for t in tables]
    caplog.set_level(logging.ERROR)
    text = await slash(emulator, server, server.owner_id, path, **options)
    assert expected in text, text
    assert "went wrong" not in text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "no traceback"
    assert [await rows(bot, f"SELECT * FROM {t}") for t in tables] == before, "nothing changed"
    assert len(text) <= 2000


async def test_echoes_of_long_typed_values_fit_discords_limits(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, _ = await circle_with_members(emulator, bot, server, "ann")
    typed = "mon" + "x" * 5997
    ix = await emulator.autocomplete(server.guild_id, server.owner_id, "checkin-admin schedule", "weekdays",
                                     circle=str(circle.id), weekdays=typed, time="19:00")
    choices = await ix.choices()
    assert choices and all(1 <= len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    assert emulator.spec_rejections == [], "Discord would have refused the answer"
    for path, options in (("goal set", {"cadence": "days", "time": "9am", "days": "x" * 4000}),
                          ("checkin-admin schedule", {"circle": str(circle.id), "weekdays": "mon", "time": "19:00",
                                                      "title": "t" * 4000})):
        text = await slash(emulator, server, server.owner_id, path, **options)
        assert 0 < len(text) <= 2000
    assert emulator.spec_rejections == []
