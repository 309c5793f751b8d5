"""Interactions as the emulator tracks them, and what a test sees of one."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.server import DiscordEmulator

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5


@dataclass
class InteractionRecord:
    id: str
    token: str
    type: int
    user: dict[str, Any]
    guild_id: str | None
    channel_id: str
    payload: dict[str, Any]
    # For components and modals from a message: where that message lives.
    message_id: str | None = None
    message_channel_id: str | None = None
    responded: bool = False
    response_type: int | None = None
    original_id: str | None = None
    followup_ids: list[str] = field(default_factory=list)
    # Edits of the original response after the callback (a deferred update answers this way).
    edits: int = 0
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    # Real (monotonic) times: Discord drops an interaction not answered within 3 seconds.
    dispatched_at: float = field(default_factory=time.monotonic)
    responded_at: float | None = None

    @property
    def answer_seconds(self) -> float | None:
        return None if self.responded_at is None else self.responded_at - self.dispatched_at


class Interaction:
    """A test's handle on an injected interaction: what the bot answered, and the messages made."""

    def __init__(self, emulator: DiscordEmulator, record: InteractionRecord) -> None:
        self.emulator = emulator
        self.record = record

    @property
    def id(self) -> str:
        return self.record.id

    def _message(self, mid: str | None) -> dict[str, Any] | None:
        if mid is None:
            return None
        for cid in (self.record.channel_id, self.record.message_channel_id):
            if cid and mid in self.emulator.world.messages.get(cid, {}):
                return self.emulator.world.messages[cid][mid]
        return None

    async def response_type(self, timeout: float = 5.0) -> int:
        """Wait for the bot's callback; return its type (4 message, 5 defer, 7 update, 9 modal...)."""
        await self.emulator.wait_until(lambda: self.record.responded, timeout, f"a response to {self.id}")
        assert self.record.response_type is not None
        return self.record.response_type

    async def reply(self, timeout: float = 5.0) -> dict[str, Any]:
        """The message the bot answered with, once it has content (a deferred reply waits for its edit)."""

        def ready() -> dict[str, Any] | None:
            if not self.record.responded:
                return None
            if self.record.response_type == 9:
                raise AssertionError("the bot answered with a modal, not a message")
            message = self._message(self.record.original_id)
            if message is None or message.get("flags", 0) & (1 << 7):
                # Deferred: the answer may come as the first follow-up instead of an edit.
                if self.record.followup_ids:
                    return self._message(self.record.followup_ids[0])
                return None
            if self.record.response_type == 6:
                # A deferred update answers by editing the message (or with a follow-up).
                if self.record.followup_ids:
                    return self._message(self.record.followup_ids[0])
                return message if self.record.edits else None
            return message

        return copy.deepcopy(await self.emulator.wait_until(ready, timeout, f"a reply to interaction {self.id}"))

    async def modal(self, timeout: float = 5.0) -> dict[str, Any]:
        await self.emulator.wait_until(lambda: self.record.modal is not None, timeout, f"a modal for {self.id}")
        assert self.record.modal is not None
        return copy.deepcopy(self.record.modal)

    async def choices(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        await self.emulator.wait_until(lambda: self.record.choices is not None, timeout,
                                       f"autocomplete choices for {self.id}")
        return copy.deepcopy(self.record.choices or [])

    async def followup(self, index: int = 0, timeout: float = 5.0) -> dict[str, Any]:
        await self.emulator.wait_until(lambda: len(self.record.followup_ids) > index, timeout,
                                       f"follow-up #{index} of {self.id}")
        message = self._message(self.record.followup_ids[index])
        assert message is not None
        return copy.deepcopy(message)

    @property
    def followups(self) -> list[dict[str, Any]]:
        found = [self._message(mid) for mid in self.record.followup_ids]
        return [copy.deepcopy(m) for m in found if m is not None]

    @property
    def message(self) -> dict[str, Any] | None:
        """The original response message as it is now (after any edits)."""
        message = self._message(self.record.original_id)
        return copy.deepcopy(message) if message is not None else None


def text_of(message: dict[str, Any] | None) -> str:
    """All the human-readable text of a message: content, embeds and component labels."""
    if not message:
        return ""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        if embed.get("footer"):
            parts.append(embed["footer"].get("text") or "")
        if embed.get("author"):
            parts.append(embed["author"].get("name") or "")
    for comp in iter_components(message.get("components") or []):
        parts += [comp.get("label") or "", comp.get("placeholder") or "", comp.get("content") or ""]
        parts += [o.get("label", "") for o in comp.get("options") or []]
    return "\n".join(p for p in parts if p)


def iter_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every component, flattened out of action rows, sections, containers and labels."""
    found: list[dict[str, Any]] = []
    for comp in components:
        found.append(comp)
        found += iter_components(comp.get("components") or [])
        if comp.get("component"):
            found += iter_components([comp["component"]])
        if comp.get("accessory"):
            found += iter_components([comp["accessory"]])
    return found


def find_component(message: dict[str, Any], *, custom_id: str | None = None,
                   label: str | None = None) -> dict[str, Any]:
    for comp in iter_components(message.get("components") or []):
        if custom_id is not None and comp.get("custom_id") == custom_id:
            return comp
        if label is not None and (comp.get("label") or "").lower() == label.lower():
            return comp
    labels = [c.get("label") or c.get("custom_id") for c in iter_components(message.get("components") or [])]
    raise AssertionError(f"no component {custom_id or label!r} in message; it has {labels}")
