"""bot/circles/due.py: one wake-up enforces every deadline due, once."""

from __future__ import annotations

from bot.circles.consent import agree, leave
from bot.circles.due import process_due
from bot.circles.norms import save_norms
from bot.circles.waitlist import join_waitlist
from tests.unit.circles import support as cs
from tests.unit.circles.support import GUILD, make_circle

outbox = cs.outbox


async def run(db, clock, outbox):
    async with db.transaction() as conn:
        return await process_due(db, conn, clock, outbox)


async def test_grace_ends_and_offers_expire_in_one_pass(db, clock, outbox) -> None:
    circle = await make_circle(db, clock, capacity=2)
    await agree(db, clock, GUILD, circle.id, 1, 1)
    await agree(db, clock, GUILD, circle.id, 2, 1)
    await join_waitlist(db, clock, GUILD, circle.id, 3)
    await leave(db, clock, GUILD, circle.id, 2, outbox)  # seat held for 3
    await save_norms(db, clock, GUILD, circle.id, "New norms for everyone here, please read.", actor_id=1,
                     grace_days=1, outbox=outbox)
    assert (await run(db, clock, outbox)).role_changes == ()
    clock.advance(days=3)
    result = await run(db, clock, outbox)
    assert [c.user_id for c in result.role_changes] == [1]
    assert result.expired_offer_user_ids == (3,)
    assert result.guild_ids == {GUILD}
    again = await run(db, clock, outbox)
    assert (again.role_changes, again.expired_offer_user_ids) == ((), ())
