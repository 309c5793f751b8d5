"""bot/circles/records.py: lookup is always within one server; listings, seats, facilitators."""

from __future__ import annotations

import pytest

from bot.circles.consent import agree
from bot.circles.lifecycle import archive_circle, prepare_circle
from bot.circles.records import (
    CircleArchived,
    CircleNotFound,
    add_facilitator,
    autocomplete_circles,
    facilitates_any,
    facilitator_ids,
    get_circle,
    list_circles,
    remove_facilitator,
    resolve_circle,
    seats_taken,
)
from tests.unit.circles import support as cs
from tests.unit.circles.support import GUILD, OTHER_GUILD, make_circle

outbox = cs.outbox


async def test_a_circle_is_invisible_from_another_server(db, clock) -> None:
    circle = await make_circle(db, clock)
    assert (await get_circle(db, GUILD, circle.id)).name == "Migraine Mornings"
    with pytest.raises(CircleNotFound):
        await get_circle(db, OTHER_GUILD, circle.id)
    with pytest.raises(CircleNotFound):
        await resolve_circle(db, OTHER_GUILD, str(circle.id))
    with pytest.raises(CircleNotFound):
        await resolve_circle(db, OTHER_GUILD, "Migraine Mornings")
    assert await list_circles(db, OTHER_GUILD) == []
    assert await autocomplete_circles(db, OTHER_GUILD, "mig") == []
    with pytest.raises(CircleNotFound):
        await agree(db, clock, OTHER_GUILD, circle.id, 42, 1)


async def test_same_name_in_two_servers_is_fine(db, clock) -> None:
    a = await make_circle(db, clock, "Back Pain")
    b = await make_circle(db, clock, "Back Pain", guild_id=OTHER_GUILD)
    assert (await resolve_circle(db, GUILD, "back pain")).id == a.id
    assert (await resolve_circle(db, OTHER_GUILD, "BACK PAIN")).id == b.id


async def test_resolve_by_autocomplete_id_or_typed_name(db, clock) -> None:
    circle = await make_circle(db, clock, "Fibro Friends", topics="fibromyalgia")
    assert (await resolve_circle(db, GUILD, str(circle.id))).id == circle.id
    assert (await resolve_circle(db, GUILD, "  fibro-friends ")).id == circle.id
    with pytest.raises(CircleNotFound, match="couldn't find that circle in this server"):
        await resolve_circle(db, GUILD, "Nope")


async def test_archived_circles_are_refused_unless_asked_for(db, clock, outbox) -> None:

    circle = await make_circle(db, clock)
    await archive_circle(db, clock, GUILD, circle.id, outbox)
    with pytest.raises(CircleArchived, match="has closed"):
        await resolve_circle(db, GUILD, "Migraine Mornings")
    assert (await resolve_circle(db, GUILD, "Migraine Mornings", allow_archived=True)).archived
    with pytest.raises(CircleArchived):
        await get_circle(db, GUILD, circle.id, allow_archived=False)
    assert await list_circles(db, GUILD) == []
    assert len(await list_circles(db, GUILD, include_archived=True)) == 1
    assert await autocomplete_circles(db, GUILD, "") == []


async def test_listing_counts_seats_and_filters_by_topic(db, clock) -> None:
    a = await make_circle(db, clock, "Migraine Mornings", capacity=3)
    await make_circle(db, clock, "Back Chat", topics="back pain, general")
    await agree(db, clock, GUILD, a.id, 1, 1)
    listings = await list_circles(db, GUILD)
    assert [li.circle.name for li in listings] == ["Back Chat", "Migraine Mornings"]
    mig = listings[1]
    assert (mig.seats_taken, mig.seats_left, mig.waiting) == (1, 2, 0)
    assert [li.circle.name for li in await list_circles(db, GUILD, topic="back")] == ["Back Chat"]
    assert await seats_taken(db, a.guild_id, a.id) == 1


async def test_autocomplete_matches_inside_names(db, clock) -> None:
    await make_circle(db, clock, "Migraine Mornings")
    await make_circle(db, clock, "Evening Migraine")
    await make_circle(db, clock, "Back Chat", topics="back")
    names = [name for name, _ in await autocomplete_circles(db, GUILD, "migr")]
    assert names == ["Evening Migraine", "Migraine Mornings"]


async def test_facilitators_add_remove_idempotent(db, clock) -> None:
    circle = await make_circle(db, clock)
    assert await add_facilitator(db, clock, circle, 77, cs.ORGANISER) is True
    assert await add_facilitator(db, clock, circle, 77, cs.ORGANISER) is False
    assert await facilitator_ids(db, GUILD, circle.id) == (77,)
    assert await facilitator_ids(db, OTHER_GUILD, circle.id) == ()
    assert await remove_facilitator(db, circle, 77) is True
    assert await remove_facilitator(db, circle, 77) is False


async def test_prepare_rejects_a_colliding_name_case_insensitively(db, clock) -> None:
    await make_circle(db, clock, "Back Pain")
    with pytest.raises(Exception, match="already a circle called"):
        await prepare_circle(db, GUILD, name="**BACK  pain**", description="d", topics="back", language="en",
                             capacity=5)


async def test_facilitates_any_counts_open_circles_of_this_server_only(db, clock) -> None:
    circle = await make_circle(db, clock)
    assert await facilitates_any(db, GUILD, 77) is False
    await add_facilitator(db, clock, circle, 77, cs.ORGANISER)
    assert await facilitates_any(db, GUILD, 77) is True
    assert await facilitates_any(db, OTHER_GUILD, 77) is False
    assert await facilitates_any(db, GUILD, 78) is False
    await archive_circle(db, clock, GUILD, circle.id, None)
    assert await facilitates_any(db, GUILD, 77) is False
