"""File uploads (multipart with payload_json) reach messages as attachments, and their bytes are kept."""

from __future__ import annotations

import io
import json

import aiohttp

from emulator.events import Server
from emulator.server import DEFAULT_TOKEN, DiscordEmulator


async def test_a_multipart_message_keeps_its_file_as_an_attachment(emulator: DiscordEmulator,
                                                                   server: Server) -> None:
    data = aiohttp.FormData()
    data.add_field("payload_json", json.dumps({"content": "a picture", "attachments": [
        {"id": 0, "filename": "progress.png"}]}), content_type="application/json")
    data.add_field("files[0]", io.BytesIO(b"\x89PNG\r\n\x1a\nrest"), filename="progress.png",
                   content_type="image/png")
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {DEFAULT_TOKEN}"}) as session, session.post(
            f"{emulator.api_base_url}/channels/{server.general_id}/messages", data=data) as resp:
        assert resp.status == 200
        message = await resp.json()
    [attachment] = message["attachments"]
    assert attachment["filename"] == "progress.png" and attachment["size"] == 12
    assert emulator.world.uploads[attachment["id"]] == b"\x89PNG\r\n\x1a\nrest"
    stored = emulator.world.messages[server.general_id][message["id"]]
    assert stored["attachments"][0]["id"] == attachment["id"]
