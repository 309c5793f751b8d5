"""bot/circles/matching.py: /circle find's scoring, with and without a meeting-times source."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.circles.consent import agree
from bot.circles.matching import NO_MEETING_TIMES, Preferences, find_matches, meeting_fits, next_meetings
from tests.unit.circles.support import GUILD, OTHER_GUILD, START, make_circle


class FakeSchedule:
    """Stands in for the check-ins capability's source."""

    available = True

    def __init__(self, times: dict[int, list[datetime]]) -> None:
        self.times = times

    async def upcoming(self, db, guild_id, circle_ids, now, per_circle):
        return {cid: self.times[cid][:per_circle] for cid in circle_ids if cid in self.times}


async def test_topic_language_and_seats_make_the_order_with_reasons(db, clock) -> None:
    fibro = await make_circle(db, clock, "Fibro Friends", topics="fibromyalgia", capacity=2)
    general = await make_circle(db, clock, "Anyone Welcome", topics="general")
    await make_circle(db, clock, "Migraine ES", topics="migraine", language="es")
    await make_circle(db, clock, "Back Chat", topics="back")
    await make_circle(db, clock, "Fibro Elsewhere", topics="fibro", guild_id=OTHER_GUILD)
    for uid in (1, 2):
        await agree(db, clock, GUILD, fibro.id, uid, 1)

    matches = await find_matches(db, GUILD, Preferences(topics=frozenset({"fibro"}), language="en"), now=START)
    assert [m.listing.circle.name for m in matches] == ["Fibro Friends", "Anyone Welcome"]
    assert matches[0].reasons == ("about fibromyalgia", "held in English", "full now, with a waitlist")
    assert matches[1].reasons == ("open to anyone living with chronic pain", "held in English", "8 seats free")
    assert matches[1].listing.circle.id == general.id


async def test_no_preferences_lists_everything_with_free_seats_first(db, clock) -> None:
    full = await make_circle(db, clock, "Aaa Full", capacity=2)
    await make_circle(db, clock, "Zzz Roomy")
    for uid in (1, 2):
        await agree(db, clock, GUILD, full.id, uid, 1)
    matches = await find_matches(db, GUILD, Preferences(), now=START, limit=5)
    assert [m.listing.circle.name for m in matches] == ["Zzz Roomy", "Aaa Full"]


async def test_without_a_schedule_days_and_times_do_not_filter(db, clock) -> None:
    await make_circle(db, clock, "Any Time")
    prefs = Preferences(days=frozenset({0}), parts_of_day=frozenset({"evening"}))
    assert len(await find_matches(db, GUILD, prefs, now=START, source=NO_MEETING_TIMES)) == 1
    assert await next_meetings(db, GUILD, [1], now=START) == {}


async def test_meeting_times_match_in_the_members_own_time_zone(db, clock) -> None:
    a = await make_circle(db, clock, "Tuesday Evenings")
    b = await make_circle(db, clock, "Saturday Mornings")
    # 18:00 UTC Tuesday = 19:00 in Berlin; 08:00 UTC Saturday = 09:00 Berlin.
    source = FakeSchedule({a.id: [datetime(2026, 11, 24, 18, 0, tzinfo=UTC)],
                           b.id: [datetime(2026, 11, 28, 8, 0, tzinfo=UTC)]})
    evening = Preferences(days=frozenset({1}), parts_of_day=frozenset({"evening"}), timezone="Europe/Berlin")
    matches = await find_matches(db, GUILD, evening, now=START, source=source)
    assert [m.listing.circle.name for m in matches] == ["Tuesday Evenings"]
    assert "meets at times you chose (next <t:1795543200:F>" in matches[0].reasons[-1]
    assert await next_meetings(db, GUILD, [a.id, b.id], now=START, source=source) == {
        a.id: datetime(2026, 11, 24, 18, 0, tzinfo=UTC), b.id: datetime(2026, 11, 28, 8, 0, tzinfo=UTC)}


def test_night_spans_midnight_in_local_time() -> None:
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # Tuesday 23:30 UTC
    assert meeting_fits(late, Preferences(parts_of_day=frozenset({"night"})))
    # In Tokyo that is Wednesday 08:30: a morning.
    assert meeting_fits(late, Preferences(days=frozenset({2}), parts_of_day=frozenset({"morning"}),
                                          timezone="Asia/Tokyo"))
