"""bot/safety/local_resources.py: a server's own crisis services, validated and kept per server."""

from __future__ import annotations

import pytest

from bot.core.clock import FakeClock
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.safety.local_resources import (
    MAX_PER_SERVER,
    add_entry,
    list_entries,
    remove_entry,
    require_room,
    validate_entry,
)
from bot.safety.resources import crisis_card

GUILD = 1001
OTHER = 2002




async def test_entries_are_kept_per_server_and_shown_on_the_card(db: Database, clock: FakeClock) -> None:
    entry = validate_entry("Campus  Night Line", phone="+44 (0)20 7946 0000", hours="8pm-8am",
                           language="English")
    entry_id = await add_entry(db, clock, GUILD, entry)
    listed = await list_entries(db, GUILD)
    assert listed == [(entry_id, entry)]
    assert entry.name == "Campus Night Line"
    assert await list_entries(db, OTHER) == []
    card = crisis_card("GB", [service for _, service in listed])
    assert card["fields"][0]["name"] == "Campus Night Line"


async def test_removing_is_scoped_by_server(db: Database, clock: FakeClock) -> None:
    entry_id = await add_entry(db, clock, GUILD, validate_entry("Line", web="https://example.org"))
    assert await remove_entry(db, OTHER, entry_id) is False
    assert await remove_entry(db, GUILD, entry_id) is True
    assert await list_entries(db, GUILD) == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"name": ""}, "name"),
    ({"name": "Line"}, "at least one way"),
    ({"name": "Line", "phone": "call me"}, "phone number"),
    ({"name": "Line", "web": "http://insecure.example"}, "https://"),
    ({"name": "x" * 81, "phone": "123"}, "at most 80"),
])
def test_bad_entries_are_refused_with_a_reason(kwargs: dict, message: str) -> None:
    with pytest.raises(UserFacingError, match=message):
        validate_entry(**kwargs)


async def test_a_server_has_at_most_ten_entries(db: Database, clock: FakeClock) -> None:
    for i in range(MAX_PER_SERVER):
        await add_entry(db, clock, GUILD, validate_entry(f"Line {i}", phone="123 456"))
    with pytest.raises(UserFacingError, match="already has"):
        await add_entry(db, clock, GUILD, validate_entry("One more", phone="123 456"))
    assert len(await list_entries(db, GUILD)) == MAX_PER_SERVER
    await add_entry(db, clock, OTHER, validate_entry("Elsewhere", phone="123 456"))


async def test_require_room_refuses_only_a_full_server(db: Database, clock: FakeClock) -> None:
    for i in range(MAX_PER_SERVER - 1):
        await add_entry(db, clock, GUILD, validate_entry(f"Line {i}", phone="123 456"))
    await require_room(db, GUILD)
    await add_entry(db, clock, GUILD, validate_entry("Last one", phone="123 456"))
    with pytest.raises(UserFacingError, match=f"already has {MAX_PER_SERVER}"):
        await require_room(db, GUILD)
    await require_room(db, OTHER)
