"""benchmarks/scale.py at a tiny scale: two real bot processes (OS processes) by shard range over
one PostgreSQL schema, a fan-out, commands, a SIGKILL mid fan-out with a short lease (3 s), and a
restart. Every message is created exactly once (counted by nonce at the emulator), the killed
process's claims included, and its servers' commands are answered after the restart."""

from __future__ import annotations

from benchmarks import scale


async def test_a_process_killed_mid_fan_out_loses_and_repeats_no_message(postgres_url: str) -> None:
    r = await scale.run(4, 40, lease=3.0, limit=30, processes=2, shards_each=1, kill_at=0.3,
                        database_url=postgres_url, after_restart=5)
    assert r["held_at_kill"] > 0, "the kill came while the process held claims"
    assert (r["lost"], r["duplicates"], r["held_lost"], r["held_duplicates"]) == (0, 0, 0, 0)
    assert r["http_429"] == 0 and r["spec_rejections"] == 0
    assert r["after_restart_answered"] == r["after_restart"] == 5, "its servers answered after the restart"
    assert r["unanswered"] == 0 and r["commands"] > 0
