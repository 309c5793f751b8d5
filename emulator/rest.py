"""REST v10 handlers: registers every resource's routes from ``emulator.routes`` on the emulator.

Each handler changes the world as Discord would, answers with the stored object and echoes the
gateway event Discord sends (the client's cache is updated by those events, not by REST answers).
Permission checks follow Discord's rules closely enough to produce its 403 / 50013 answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.routes import commands, guilds, interactions, messages, scheduled_events, threads, users
from emulator.routes.shared import Shared

if TYPE_CHECKING:
    from emulator.server import DiscordEmulator

# Routes match first-registered first (``/users/@me`` before ``/users/{user_id}``, a webhook's
# ``@original`` before ``{message_id}``), so this order is part of the behaviour.
RESOURCES = (users, commands, interactions, messages, threads, guilds, scheduled_events)


def register_routes(emu: DiscordEmulator) -> None:
    shared = Shared(emu)
    for resource in RESOURCES:
        resource.register(emu, shared)
