"""What several benchmarks share: percentiles, a sender that never sends, and the exactly-once
count of messages at the emulator. Not a benchmark itself (``python -m benchmarks`` skips names
starting with ``_``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.server import DiscordEmulator


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class NullSender:
    """Never called: an outbox used only to enqueue (its worker is never started here)."""

    async def send(self, row: object, pacer: object) -> object:  # pragma: no cover
        raise AssertionError("not used")


@dataclass(frozen=True)
class Delivered:
    """Messages Discord created for outbox keys, counted by their nonce (derived from the key)."""
    duplicates: int  # copies beyond the first
    lost: int  # keys with no message at all


def delivered(emulator: DiscordEmulator, keys: Iterable[str]) -> Delivered:
    from bot.delivery.outbox import nonce_for

    created = Counter(
        str(m.get("nonce")) for channel in emulator.world.messages.values() for m in channel.values()
    )
    wanted = [nonce_for(k) for k in keys]
    return Delivered(duplicates=sum(created[n] - 1 for n in wanted if created[n] > 1),
                     lost=sum(1 for n in wanted if created[n] == 0))
