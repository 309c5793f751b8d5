"""Interactions: callbacks, and the webhook routes for the original response and followups."""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any

from emulator.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionRecord,
)
from emulator.routes.shared import EPHEMERAL, LOADING, not_found
from emulator.server import DiscordError, Request

if TYPE_CHECKING:
    from emulator.routes.shared import Shared
    from emulator.server import DiscordEmulator

# Which callback types Discord accepts for each interaction type (4/5 message, 6/7 update, 8 choices, 9 modal).
CALLBACK_TYPES_ALLOWED: dict[int, tuple[int, ...]] = {
    APPLICATION_COMMAND: (4, 5, 9),
    MESSAGE_COMPONENT: (4, 5, 6, 7, 9),
    AUTOCOMPLETE: (8,),
    MODAL_SUBMIT: (4, 5, 6, 7),
}


def register(emu: DiscordEmulator, shared: Shared) -> None:
    world = shared.world
    route = emu.route
    dispatch = shared.dispatch

    def interaction(req: Request, key: str = "webhook_token") -> InteractionRecord:
        record = emu.interactions.get(req.params[key])
        if record is None:
            # Discord: an unknown callback token is an unknown interaction, a webhook one an unknown webhook.
            raise not_found(10062, "interaction") if key == "interaction_token" else not_found(10015, "Webhook")
        return record

    @route("POST", "/interactions/{interaction_id}/{interaction_token}/callback", webhook=True)
    async def callback(req: Request) -> Any:
        record = interaction(req, "interaction_token")
        if record.responded:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        body = req.json or {}
        kind = body.get("type")
        if kind not in CALLBACK_TYPES_ALLOWED.get(record.type, ()):
            # e.g. a message answer to autocomplete, or a modal answering a modal: Discord refuses.
            raise DiscordError(400, 50035, "Invalid Form Body", {"errors": {"type": {"_errors": [
                {"code": "INTERACTION_CALLBACK_TYPE_INVALID",
                 "message": f"Callback type {kind} is not valid for interaction type {record.type}."}]}}})
        data = body.get("data") or {}
        record.responded = True
        record.responded_at = time.monotonic()
        record.response_type = kind
        resource: dict[str, Any] | None = None
        message_id = None
        ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
        if kind in (4, 5):
            flags = LOADING if kind == 5 else 0
            message = shared.new_message(record.channel_id, data, flags=flags, extra={
                "interaction_metadata": {"id": record.id, "type": record.type, "user": record.user,
                                         "authorizing_integration_owners": {}},
                "application_id": world.application_id, "webhook_id": world.application_id,
            })
            record.original_id = message["id"]
            message_id = message["id"]
            resource = {"type": kind, "message": copy.deepcopy(message)}
            await shared.echo_create(message)
        elif kind in (6, 7):
            if record.message_id is None or record.message_channel_id is None:
                raise DiscordError(400, 50035, "Invalid Form Body")
            message = world.messages[record.message_channel_id][record.message_id]
            if kind == 7:
                shared.edit_message(message, data)
                await dispatch("MESSAGE_UPDATE", copy.deepcopy(message)) if not message["flags"] & EPHEMERAL \
                    else None
            record.original_id = message["id"]
            message_id = message["id"]
            if kind == 7:
                resource = {"type": kind, "message": copy.deepcopy(message)}
        elif kind == 8:
            record.choices = data.get("choices", [])
        elif kind == 9:
            record.modal = copy.deepcopy(data)
        answer: dict[str, Any] = {"interaction": {
            "id": record.id, "type": record.type, "response_message_id": message_id,
            "response_message_loading": kind == 5, "response_message_ephemeral": ephemeral,
        }}
        if resource is not None:
            answer["resource"] = resource
        return answer

    def webhook_message(req: Request, record: InteractionRecord) -> dict[str, Any]:
        mid = req.params.get("message_id", "@original")
        if mid == "@original":
            if record.original_id is None:
                raise not_found(10008, "Message")
            mid = record.original_id
        for channel_id in (record.channel_id, record.message_channel_id):
            if channel_id and mid in world.messages.get(channel_id, {}):
                return world.messages[channel_id][mid]
        raise not_found(10008, "Message")

    @route("GET", "/webhooks/{application_id}/{webhook_token}/messages/@original", webhook=True)
    async def get_original(req: Request) -> Any:
        return copy.deepcopy(webhook_message(req, interaction(req)))

    @route("PATCH", "/webhooks/{application_id}/{webhook_token}/messages/@original", webhook=True)
    async def edit_original(req: Request) -> Any:
        record = interaction(req)
        message = shared.edit_message(webhook_message(req, record), req.json or {})
        record.edits += 1
        if not message["flags"] & EPHEMERAL:
            await dispatch("MESSAGE_UPDATE", copy.deepcopy(message))
        return copy.deepcopy(message)

    @route("DELETE", "/webhooks/{application_id}/{webhook_token}/messages/@original", webhook=True)
    async def delete_original(req: Request) -> Any:
        message = webhook_message(req, interaction(req))
        world.messages[message["channel_id"]].pop(message["id"], None)
        message["deleted"] = True
        await shared.echo_delete(message)
        return None

    @route("POST", "/webhooks/{application_id}/{webhook_token}", webhook=True)
    async def followup(req: Request) -> Any:
        record = interaction(req)
        if not record.responded:
            raise DiscordError(400, 10062, "Unknown interaction")
        body = req.json or {}
        message = shared.new_message(record.channel_id, {**body, "_files": req.files},
                              extra={"webhook_id": world.application_id, "application_id": world.application_id})
        record.followup_ids.append(message["id"])
        await shared.echo_create(message)
        return copy.deepcopy(message)

    @route("GET", "/webhooks/{application_id}/{webhook_token}/messages/{message_id}", webhook=True)
    async def get_followup(req: Request) -> Any:
        return copy.deepcopy(webhook_message(req, interaction(req)))

    @route("PATCH", "/webhooks/{application_id}/{webhook_token}/messages/{message_id}", webhook=True)
    async def edit_followup(req: Request) -> Any:
        message = shared.edit_message(webhook_message(req, interaction(req)), req.json or {})
        if not message["flags"] & EPHEMERAL:
            await dispatch("MESSAGE_UPDATE", copy.deepcopy(message))
        return copy.deepcopy(message)

    @route("DELETE", "/webhooks/{application_id}/{webhook_token}/messages/{message_id}", webhook=True)
    async def delete_followup(req: Request) -> Any:
        message = webhook_message(req, interaction(req))
        world.messages[message["channel_id"]].pop(message["id"], None)
        await shared.echo_delete(message)
        return None
