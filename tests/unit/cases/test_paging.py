"""The one fallback chain every page goes down (bot/cases/paging.py): on duty, on call, moderators,
organisers, the owner by DM; roles nobody holds are passed by."""

from __future__ import annotations

from bot.cases.paging import (
    MAX_PEOPLE,
    Page,
    RoleInfo,
    Roster,
    people_to_dm,
    reach,
    roster_of,
    use_directory,
)
from bot.core.clock import FakeClock
from bot.core.db import Database
from tests.unit.circles.support import GUILD

ONCALL, MODS, ORGS, OWNER = 11, 12, 13, 99


def roster(*, duty: tuple[int, ...] = (), oncall: tuple[int, ...] | None = (), mods: tuple[int, ...] | None = (5,),
           orgs: tuple[int, ...] | None = (6,), owner: int | None = OWNER, oncall_chosen: bool = True) -> Roster:
    def info(name: str, held: tuple[int, ...] | None) -> RoleInfo | None:
        return None if held is None else RoleInfo(name, held)
    roles = ((ONCALL, info("On call", oncall)), (MODS, info("Moderators", mods)), (ORGS, info("Organisers", orgs)))
    return Roster(GUILD, duty, ONCALL if oncall_chosen else None, MODS, ORGS, roles, owner, known=True)


def test_those_on_duty_come_first() -> None:
    page = reach(roster(duty=(1, 2), oncall=(3,)))
    assert (page.step, page.user_ids, page.role_id) == ("duty", (1, 2), None)
    assert page.mentions() == "<@1> <@2>" and page.allowed_mentions()["users"] == ["1", "2"]
    assert page.describe() == "moderators on duty (2)"


def test_without_an_on_call_role_or_with_nobody_holding_it_the_moderator_role_is_paged() -> None:
    for r in (roster(oncall_chosen=False), roster(oncall=()), roster(oncall=None)):
        page = reach(r)
        assert (page.step, page.role_id, page.people) == ("moderator", MODS, (5,))
        assert page.mentions() == f"<@&{MODS}>" and page.allowed_mentions() == {
            "parse": [], "roles": [str(MODS)], "users": []}
        assert page.describe() == "moderator role Moderators (1 member)"


def test_then_the_organisers_then_the_owner_by_dm_then_nobody() -> None:
    assert reach(roster(mods=())).step == "organiser"
    owner = reach(roster(mods=(), orgs=None))
    assert (owner.step, owner.owner_dm, owner.mentions()) == ("owner", OWNER, "")
    assert owner.describe() == "the server owner by DM"
    nobody = reach(roster(mods=(), orgs=(), owner=None))
    assert nobody == Page("nobody") and nobody.owner_dm is None


def test_the_organisers_step_starts_at_the_organisers() -> None:
    assert reach(roster(duty=(1,), oncall=(3,)), "organiser").step == "organiser"
    assert reach(roster(orgs=()), "organiser").step == "owner"


def test_without_a_directory_a_chosen_role_is_taken_to_reach_its_holders() -> None:
    page = reach(Roster(GUILD, (), None, MODS, ORGS))
    assert (page.step, page.role_id, page.counted) == ("moderator", MODS, False)
    assert page.describe() == "moderator role"


def test_dms_go_to_at_most_ten_people_or_the_owner_when_nobody_is_known() -> None:
    big = roster(mods=tuple(range(100, 130)), oncall_chosen=False)
    assert people_to_dm(reach(big), big) == tuple(range(100, 100 + MAX_PEOPLE))
    unknown = Roster(GUILD, (), None, MODS, None, owner_id=OWNER)
    assert people_to_dm(reach(unknown), unknown) == (OWNER,)


class FakeDirectory:
    def role(self, guild_id: int, role_id: int) -> RoleInfo | None:
        return {MODS: RoleInfo("Moderators", (5, 6))}.get(role_id)

    def owner_of(self, guild_id: int) -> int | None:
        return OWNER


async def test_the_roster_reads_setup_and_duty_for_this_server_only(db: Database, clock: FakeClock) -> None:
    await db.execute("INSERT INTO guild_settings (guild_id, moderator_role_id, oncall_role_id, organiser_role_id,"
                     " updated_at) VALUES (?, ?, ?, ?, '2026-11-23T09:00:00Z')", (GUILD, MODS, ONCALL, ORGS))
    await db.execute("INSERT INTO case_duty (guild_id, user_id, since) VALUES (?, 77, '2026-11-23T09:00:00Z')",
                     (GUILD + 1,))
    use_directory(FakeDirectory())
    try:
        found = await roster_of(db.conn, GUILD, clock.now())
    finally:
        use_directory(None)
    assert found.on_duty == () and found.owner_id == OWNER and found.known
    page = reach(found)  # on call is gone (deleted since /setup): the moderators
    assert (page.step, page.people) == ("moderator", (5, 6))
