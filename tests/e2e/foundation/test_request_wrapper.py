"""The client's wrapper around discord.py's ``HTTPClient.request`` (bot/client.py), held to what it
relies on in the pinned discord.py (docs/design-notes.md, "One wrapper on discord.py's requests"):

- ``HTTPClient.request(route, *, files=None, form=None, **kwargs)`` is the one method every REST
  endpoint of ``HTTPClient`` calls, looked up on the instance (so the instance attribute the
  client sets catches them all), and the only place the session sends an API request;
- interaction callbacks and follow-ups do not go through it (they use the webhook adapter on the
  same session), so they are neither paced nor counted, as Discord does not count them.

A discord.py release that changes any of this fails here, not in production.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

import discord
import discord.http
from discord.http import HTTPClient, Route

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.server import DiscordEmulator

INTERACTION_ANSWERS = ("/interactions/", "/webhooks/")


def test_the_wrapped_method_keeps_the_signature_the_wrapper_was_written_for() -> None:
    parameters = [(p.name, p.kind, p.default) for p in inspect.signature(HTTPClient.request).parameters.values()]
    assert parameters == [
        ("self", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty),
        ("route", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty),
        ("files", inspect.Parameter.KEYWORD_ONLY, None),
        ("form", inspect.Parameter.KEYWORD_ONLY, None),
        ("kwargs", inspect.Parameter.VAR_KEYWORD, inspect.Parameter.empty),
    ], "discord.py changed HTTPClient.request: check PeerCirclesBot._paced_request still fits it"
    assert inspect.iscoroutinefunction(HTTPClient.request)


def _methods_touching_the_session() -> dict[str, set[str]]:
    """HTTPClient's methods that use its aiohttp session directly, with the session methods used."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(HTTPClient)))
    found: dict[str, set[str]] = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "__session"):
                found.setdefault(function.name, set()).add(node.attr)
    return found


def test_only_request_sends_api_requests_on_the_session() -> None:
    """Every REST endpoint goes through ``request``: the session's own request methods are used
    there alone (``get_from_cdn`` reads attachments from the CDN, ``ws_connect`` opens the gateway,
    neither of which counts against the REST budget)."""
    senders = {name: used & {"request", "get", "post", "put", "patch", "delete", "ws_connect"}
               for name, used in _methods_touching_the_session().items()}
    senders = {name: used for name, used in senders.items() if used}
    assert senders == {"request": {"request"}, "get_from_cdn": {"get"}, "ws_connect": {"ws_connect"}}


def test_endpoints_call_request_on_the_instance() -> None:
    """The endpoints the bot uses call ``self.request(...)``, so the attribute set on the instance
    catches them (a call through the class would bypass it)."""
    for name in ("send_message", "add_role", "remove_role", "create_channel", "edit_channel",
                 "create_guild_scheduled_event", "bulk_upsert_global_commands", "start_thread_without_message"):
        source = inspect.getsource(getattr(HTTPClient, name))
        assert "self.request(" in source, name
        assert "HTTPClient.request(" not in source, name


async def test_a_request_the_bot_starts_spends_the_budget_and_an_interaction_answer_does_not(
    bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server
) -> None:
    assert bot.budget is not None
    seen: list[Route] = []
    unpaced = bot._unpaced_request

    async def recording(route: Route, **kwargs: object) -> object:
        seen.append(route)
        return await unpaced(route, **kwargs)

    bot._unpaced_request = recording  # type: ignore[method-assign]

    # A message the bot sends on its own, through discord.py's public API.
    spent, calls = bot.budget.requests, len(emulator.calls)
    channel = bot.get_channel(int(server.general_id))
    assert isinstance(channel, discord.TextChannel)
    await channel.send("hello")
    assert bot.budget.requests - spent == 1
    assert [(r.method, r.path) for r in seen] == [("POST", "/channels/{channel_id}/messages")]
    assert [c.template for c in emulator.calls[calls:]] == ["/channels/{channel_id}/messages"]

    # An answer to a slash command reaches Discord without the wrapper and without a slot.
    seen.clear()
    spent, calls = bot.budget.requests, len(emulator.calls)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "help")).reply()
    assert reply["content"] or reply["embeds"]
    answers = [c for c in emulator.calls[calls:] if c.path.startswith(INTERACTION_ANSWERS)]
    assert answers, "the answer went to Discord"
    assert bot.budget.requests == spent and seen == []
    assert all(c.path.startswith(INTERACTION_ANSWERS) for c in emulator.calls[calls:])
    assert discord.http.HTTPClient.request is not bot.http.request  # the instance's own, the wrapper
