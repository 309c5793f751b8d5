"""emulator/spec.py: request bodies are judged by Discord's own OpenAPI spec, as Discord would.

Bodies come from discord.py itself wherever possible (its embeds, views, modals, command tree, and
the HTTP calls its models make), so a test here fails exactly where real Discord would refuse what
the bot sends.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.http import Route
from discord.webhook.async_ import AsyncWebhookAdapter

from emulator.spec import SPEC_ENV, SpecIssue, SpecValidator, default_spec_path, invalid_form_body

SPEC = SpecValidator.load()
if SPEC is None:
    pytest.skip(
        "Discord's OpenAPI spec not found (../shared/discord-api-spec/openapi.json beside the checkout, "
        f"or ${SPEC_ENV}): spec validation tests are skipped",
        allow_module_level=True,
    )
assert SPEC is not None  # for type checkers: the module stops above otherwise

CALLBACK = "/interactions/55/tok-en.abc_1/callback"
EPHEMERAL = 64


def wire(body: Any) -> Any:
    """The body as the server sees it (tuples become lists, as on the wire)."""
    return json.loads(json.dumps(body))


def errors_of(method: str, path: str, body: Any) -> dict[tuple[str | int, ...], str]:
    return {issue.path: issue.code for issue in SPEC.validate_request(method, path, wire(body))}


# -- loading and routes ----------------------------------------------------------------------


def test_the_spec_path_can_be_overridden_by_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text("{}")
    monkeypatch.setenv(SPEC_ENV, str(spec))
    assert default_spec_path() == spec
    monkeypatch.setenv(SPEC_ENV, str(tmp_path / "missing.json"))
    assert default_spec_path() is None


def test_load_is_none_without_a_file_and_cached_with_one(tmp_path: Path) -> None:
    assert SpecValidator.load(tmp_path / "missing.json") is None
    assert SpecValidator.load() is SPEC


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("POST", "/users/@me/channels", "/users/@me/channels"),
        ("GET", "/users/@me", "/users/@me"),
        ("GET", "/users/42", "/users/{user_id}"),
        (
            "PATCH",
            "/webhooks/1/tok-en.x_y/messages/@original",
            "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        ),
        ("PATCH", "/webhooks/1/tok-en.x_y/messages/77", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"),
        ("POST", CALLBACK, "/interactions/{interaction_id}/{interaction_token}/callback"),
        ("POST", "/channels/123/messages", "/channels/{channel_id}/messages"),
        ("PUT", "/applications/9/guilds/8/commands", "/applications/{application_id}/guilds/{guild_id}/commands"),
    ],
)
def test_literal_segments_win_over_parameters(method: str, path: str, template: str) -> None:
    operation = SPEC.find_operation(method, path)
    assert operation is not None
    assert operation.template == template
    assert operation.operation_id


def test_unknown_routes_and_bodiless_operations_are_not_judged() -> None:
    assert SPEC.find_operation("POST", "/no/such/route") is None
    assert SPEC.validate_request("POST", "/no/such/route", {"content": 5}) == []
    assert SPEC.validate_request("POST", "/channels/1/typing", {"anything": 1}) == []
    assert SPEC.validate_request("POST", "/channels/1/messages", None) == []


# -- what passes -----------------------------------------------------------------------------


class GoalView(discord.ui.View):
    @discord.ui.button(label="Done", style=discord.ButtonStyle.success, custom_id="goal:done")
    async def done(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None: ...

    @discord.ui.button(label="Snooze", custom_id="goal:snooze", emoji="\N{SLEEPING SYMBOL}")
    async def snooze(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None: ...

    @discord.ui.select(
        custom_id="goal:pace",
        placeholder="How did it go?",
        options=[discord.SelectOption(label=f"Option {i}", value=str(i), description="d") for i in range(25)],
    )
    async def pace(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None: ...


class StoryModal(discord.ui.Modal, title="Share your story"):
    story: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Your story", style=discord.TextStyle.paragraph, min_length=1, max_length=4000
    )
    warning: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Content warning (optional)", required=False, max_length=100
    )

    def __init__(self, title: str = "Share your story") -> None:
        super().__init__(title=title, custom_id="story:modal")


def summary_embed() -> discord.Embed:
    embed = discord.Embed(
        title="Your week",
        description="Three small steps, one rest day.",
        colour=discord.Colour.blurple(),
        timestamp=dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC),
        url="https://example.com/week",
    )
    embed.add_field(name="Goals", value="3 of 4", inline=True)
    embed.set_footer(text="Pacing counts.", icon_url="https://example.com/f.png")
    embed.set_author(name="Peer Circles")
    return embed


def test_a_plain_message_create_passes() -> None:
    body = {"content": "hello", "tts": False, "nonce": "1234567890", "enforce_nonce": True, "components": []}
    assert SPEC.validate_request("POST", "/channels/1/messages", body) == []


def test_discord_py_embeds_and_views_pass_in_every_message_route() -> None:
    message = {
        "content": "Weekly summary",
        "embeds": [summary_embed().to_dict()],
        "components": GoalView().to_components(),
        "allowed_mentions": discord.AllowedMentions.none().to_dict(),
    }
    assert errors_of("POST", "/channels/1/messages", message) == {}
    assert errors_of("PATCH", "/channels/1/messages/2", message) == {}
    assert errors_of("POST", "/webhooks/1/tok", {**message, "flags": EPHEMERAL}) == {}
    assert errors_of("PATCH", "/webhooks/1/tok/messages/@original", message) == {}
    assert errors_of("POST", CALLBACK, {"type": 4, "data": {**message, "flags": EPHEMERAL}}) == {}
    assert errors_of("POST", CALLBACK, {"type": 7, "data": message}) == {}


def test_a_discord_py_modal_passes_as_an_interaction_callback() -> None:
    assert errors_of("POST", CALLBACK, {"type": 9, "data": StoryModal().to_dict()}) == {}


def test_a_discord_py_command_tree_passes_as_a_command_sync() -> None:
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    goal = app_commands.Group(name="goal", description="Small goals, at your pace")

    @goal.command(name="set", description="Set a small goal")
    @app_commands.describe(text="What you want to do", cadence="How often")
    @app_commands.choices(cadence=[app_commands.Choice(name="Daily", value="daily")])
    async def goal_set(
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 200],
        cadence: app_commands.Choice[str],
        times: app_commands.Range[int, 1, 7] = 1,
        channel: discord.abc.GuildChannel | None = None,  # channel_types includes GUILD_MEDIA (16)
        partner: discord.Member | None = None,
    ) -> None: ...

    tree.add_command(goal)

    @tree.command(name="share", description="Share a story anonymously")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def share(interaction: discord.Interaction, forum: discord.ForumChannel | None = None) -> None: ...

    @tree.context_menu(name="Report message")
    async def report(interaction: discord.Interaction, message: discord.Message) -> None: ...

    body = [command.to_dict(tree) for command in tree.get_commands()]
    assert len(body) == 3
    assert errors_of("PUT", "/applications/9/commands", body) == {}
    assert errors_of("PUT", "/applications/9/guilds/8/commands", body) == {}


def test_snowflakes_as_integers_and_integers_as_numeric_strings_are_accepted() -> None:
    assert errors_of("POST", "/users/@me/channels", {"recipient_id": 123456789012345678}) == {}
    assert errors_of("POST", "/users/@me/channels", {"recipient_id": "123456789012345678"}) == {}
    assert errors_of("POST", "/guilds/1/channels", {"name": "circle", "type": "2", "parent_id": 5}) == {}
    assert errors_of("POST", "/channels/1/messages", {"content": "x", "nonce": 42}) == {}
    assert errors_of("POST", CALLBACK, {"type": "4", "data": {"content": "x", "flags": "64"}}) == {}


# -- what Discord refuses --------------------------------------------------------------------


def test_a_modal_title_over_45_characters_is_refused_at_data_title() -> None:
    body = {"type": 9, "data": StoryModal(title="x" * 46).to_dict()}
    issues = SPEC.validate_request("POST", CALLBACK, wire(body))
    assert issues == [SpecIssue(("data", "title"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")]
    assert errors_of("POST", CALLBACK, {"type": 9, "data": StoryModal(title="x" * 45).to_dict()}) == {}


def test_embed_limits() -> None:
    embed = discord.Embed(title="t" * 257, description="d" * 4097)
    assert errors_of("POST", "/channels/1/messages", {"embeds": [embed.to_dict()]}) == {
        ("embeds", 0, "title"): "BASE_TYPE_MAX_LENGTH",
        ("embeds", 0, "description"): "BASE_TYPE_MAX_LENGTH",
    }
    eleven = [discord.Embed(title="t").to_dict()] * 11
    assert errors_of("POST", "/channels/1/messages", {"embeds": eleven}) == {("embeds",): "BASE_TYPE_MAX_LENGTH"}


def test_a_26th_select_option_is_refused() -> None:
    components = GoalView().to_components()
    components[1]["components"][0]["options"].append({"label": "one too many", "value": "26"})
    assert errors_of("POST", CALLBACK, {"type": 4, "data": {"components": components}}) == {
        ("data", "components", 1, "components", 0, "options"): "BASE_TYPE_BAD_LENGTH"
    }


def test_a_command_description_over_100_characters_is_refused() -> None:
    body = [{"name": "share", "type": 1, "description": "d" * 101}]
    assert errors_of("PUT", "/applications/9/commands", body) == {(0, "description"): "BASE_TYPE_MAX_LENGTH"}
    option = {"name": "circle", "type": 3, "description": "o" * 101}
    body = [{"name": "share", "type": 1, "description": "ok", "options": [option]}]
    assert errors_of("PUT", "/applications/9/commands", body) == {
        (0, "options", 0, "description"): "BASE_TYPE_BAD_LENGTH"
    }


def test_message_content_over_2000_characters_is_refused_everywhere() -> None:
    # The spec allows 4,000 for channel messages (a Nitro client's limit); bots get Discord's 2,000.
    long = {"content": "c" * 2001}
    assert errors_of("POST", "/channels/1/messages", long) == {("content",): "BASE_TYPE_MAX_LENGTH"}
    assert errors_of("PATCH", "/channels/1/messages/2", long) == {("content",): "BASE_TYPE_MAX_LENGTH"}
    assert errors_of("POST", "/webhooks/1/tok", long) == {("content",): "BASE_TYPE_MAX_LENGTH"}
    assert errors_of("POST", CALLBACK, {"type": 4, "data": long}) == {("data", "content"): "BASE_TYPE_MAX_LENGTH"}
    assert errors_of("POST", "/channels/1/messages", {"content": "c" * 2000}) == {}


def test_autocomplete_choices_over_discords_limits_are_refused() -> None:
    # A name of 1-100 characters; a string value of up to 100 (Discord's documentation: the spec's
    # 6,000 is an option's typed value, not a choice's, so the emulator tightens it).
    def choices(name: str, value: str) -> dict[str, Any]:
        return {"type": 8, "data": {"choices": [{"name": name, "value": value}]}}

    name = ("data", "choices", 0, "name")
    assert errors_of("POST", CALLBACK, choices("n" * 101, "v")).get(name) == "BASE_TYPE_BAD_LENGTH"
    assert errors_of("POST", CALLBACK, choices("", "v")).get(name) == "BASE_TYPE_BAD_LENGTH"
    assert ("data", "choices", 0, "value") in errors_of("POST", CALLBACK, choices("n", "v" * 101))
    assert errors_of("POST", CALLBACK, choices("n" * 100, "v" * 100)) == {}


def test_missing_required_fields_are_named() -> None:
    assert errors_of("POST", "/channels/1/threads", {"type": 11}) == {("name",): "BASE_TYPE_REQUIRED"}
    modal = StoryModal().to_dict()
    del modal["title"]
    assert errors_of("POST", CALLBACK, {"type": 9, "data": modal}) == {("data", "title"): "BASE_TYPE_REQUIRED"}
    assert errors_of("POST", CALLBACK, {"data": {}}) == {("type",): "BASE_TYPE_REQUIRED"}


def test_unknown_union_types_and_wrong_types_are_refused() -> None:
    assert errors_of("POST", CALLBACK, {"type": 42}) == {(): "UNION_TYPE_CHOICES"}
    row = {"type": 1, "components": [{"type": 99, "custom_id": "x"}]}
    assert errors_of("POST", "/channels/1/messages", {"components": [row]}) == {
        ("components", 0, "components", 0): "UNION_TYPE_CHOICES"
    }
    assert errors_of("POST", "/users/@me/channels", {"recipient_id": "not-a-number"}) == {
        ("recipient_id",): "NUMBER_TYPE_COERCE"
    }
    assert errors_of("POST", "/guilds/1/channels", {"name": "x", "type": 7}) == {("type",): "BASE_TYPE_CHOICES"}
    assert errors_of("POST", "/channels/1/messages", {"embeds": [{"color": 2**24}]}) == {
        ("embeds", 0, "color"): "NUMBER_TYPE_MAX"
    }


def test_error_messages_never_repeat_what_the_member_wrote() -> None:
    issues = SPEC.validate_request("POST", "/channels/1/messages", {"tts": "my private words", "flags": "pain"})
    assert {issue.code for issue in issues} == {"BOOLEAN_TYPE_CONVERT", "NUMBER_TYPE_COERCE"}
    assert not any("private" in issue.message or "pain" in issue.message for issue in issues)


def test_invalid_form_body_nests_errors_by_path_as_discord_does() -> None:
    issues = [
        SpecIssue(("data", "components", 0, "label"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length."),
        SpecIssue(("data", "title"), "BASE_TYPE_REQUIRED", "This field is required"),
    ]
    assert invalid_form_body(issues) == {
        "code": 50035,
        "message": "Invalid Form Body",
        "errors": {
            "data": {
                "components": {
                    "0": {
                        "label": {
                            "_errors": [
                                {"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 45 in length."}
                            ]
                        }
                    }
                },
                "title": {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]},
            }
        },
    }


# -- the emulator's own payloads ---------------------------------------------------------------


def test_validate_schema_is_strict_about_what_discord_sends() -> None:
    user = {
        "id": "80351110224678912",
        "username": "nelly",
        "discriminator": "0",
        "global_name": "Nelly",
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "primary_guild": None,
    }
    assert SPEC.validate_schema("UserResponse", user) == []
    # Discord writes snowflakes as strings: an emulator sending an integer id is caught.
    assert [issue.path for issue in SPEC.validate_schema("UserResponse", {**user, "id": 80351110224678912})] == [
        ("id",)
    ]
    assert [issue.path for issue in SPEC.validate_schema("UserResponse", {**user, "username": None})] == [("username",)]
    with pytest.raises(KeyError):
        SPEC.validate_schema("NoSuchResponse", {})


# -- bodies discord.py's own models send over HTTP --------------------------------------------


class Sent(Exception):
    """Raised by the fake transport once discord.py has handed over a request."""


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, Any]]]:
    """Every request discord.py makes, as (method, path, JSON body), stopped before the network."""
    captured: list[tuple[str, str, Any]] = []

    def record(route: Route, body: Any, parts: Any) -> None:
        for part in parts or ():
            if part.get("name") == "payload_json":
                body = json.loads(part["value"])
        path = route.url.removeprefix(Route.BASE).split("?", 1)[0]
        captured.append((route.method, path, None if body is None else wire(body)))
        raise Sent

    async def http_request(self: Any, route: Route, *, form: Any = None, **kwargs: Any) -> Any:
        record(route, kwargs.get("json"), form)

    async def webhook_request(
        self: Any, route: Route, session: Any, *, payload: Any = None, multipart: Any = None, **kwargs: Any
    ) -> Any:
        record(route, payload, multipart)

    monkeypatch.setattr(discord.http.HTTPClient, "request", http_request)
    monkeypatch.setattr(AsyncWebhookAdapter, "request", webhook_request)
    yield captured


USER = {"id": "400", "username": "member", "discriminator": "0", "avatar": None, "global_name": "Member"}
JOINED = "2026-01-01T00:00:00+00:00"


def make_world() -> SimpleNamespace:
    """A guild with channels, a role, a member and a message, built from Discord-shaped payloads."""
    client = discord.Client(intents=discord.Intents.default())
    state = client._connection
    state.application_id = 999
    state.user = discord.ClientUser(state=state, data={**USER, "id": "999", "username": "bot", "bot": True})
    everyone = {
        "id": "100",
        "name": "@everyone",
        "permissions": "0",
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    guild = discord.Guild(
        data={
            "id": "100",
            "name": "Circles",
            "owner_id": "1",
            "roles": [everyone],
            "emojis": [],
            "features": [],
            "channels": [],
            "members": [],
            "member_count": 1,
        },
        state=state,
    )
    state._add_guild(guild)

    def channel(cls: Any, channel_id: str, kind: int, name: str, **extra: Any) -> Any:
        data = {
            "id": channel_id,
            "type": kind,
            "name": name,
            "position": 0,
            "permission_overwrites": [],
            "guild_id": "100",
            **extra,
        }
        made = cls(state=state, guild=guild, data=data)
        guild._add_channel(made)
        return made

    text = channel(discord.TextChannel, "200", 0, "general")
    voice = channel(discord.VoiceChannel, "201", 2, "check-ins", bitrate=64000, user_limit=0)
    category = channel(discord.CategoryChannel, "202", 4, "circles")
    role = discord.Role(guild=guild, state=state, data={**everyone, "id": "300", "name": "Circle A", "position": 1})
    guild._add_role(role)
    member = discord.Member(
        data={"user": USER, "roles": [], "joined_at": JOINED, "deaf": False, "mute": False, "flags": 0},
        guild=guild,
        state=state,
    )
    guild._add_member(member)
    message_data = {
        "id": "500",
        "channel_id": "200",
        "author": USER,
        "content": "hi",
        "timestamp": JOINED,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "components": [],
    }
    message = discord.Message(state=state, channel=text, data=message_data)
    start = dt.datetime(2030, 1, 7, 18, tzinfo=dt.UTC)
    event = discord.ScheduledEvent(
        state=state,
        data={
            "id": "700",
            "guild_id": "100",
            "channel_id": "201",
            "creator_id": "1",
            "name": "Check-in",
            "scheduled_start_time": start.isoformat(),
            "scheduled_end_time": None,
            "privacy_level": 2,
            "status": 1,
            "entity_type": 2,
            "entity_id": None,
            "entity_metadata": None,
            "description": "",
        },
    )

    def interaction(kind: int = 2, data: dict[str, Any] | None = None) -> discord.Interaction:
        payload = {
            "id": "800",
            "application_id": "999",
            "type": kind,
            "token": "tok-en.abc_1",
            "version": 1,
            "attachment_size_limit": 8388608,
            "guild_id": "100",
            "channel_id": "200",
            "channel": {
                "id": "200",
                "type": 0,
                "name": "general",
                "guild_id": "100",
                "position": 0,
                "permission_overwrites": [],
            },
            "member": {
                "user": USER,
                "roles": [],
                "joined_at": JOINED,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": "0",
            },
            "app_permissions": "0",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "context": 0,
            "data": data or {"id": "900", "name": "share", "type": 1},
        }
        if kind == 3:
            payload["message"] = message_data
        return discord.Interaction(data=payload, state=state)  # type: ignore[arg-type]

    return SimpleNamespace(
        guild=guild,
        text=text,
        voice=voice,
        category=category,
        role=role,
        member=member,
        message=message,
        event=event,
        start=start,
        interaction=interaction,
    )


def discord_py_calls(w: SimpleNamespace) -> dict[str, Awaitable[Any]]:
    none = discord.AllowedMentions.none()
    overwrites = {
        w.guild.default_role: discord.PermissionOverwrite(view_channel=False),
        w.role: discord.PermissionOverwrite(view_channel=True, send_messages=True),
        w.member: discord.PermissionOverwrite(view_channel=True),
    }
    followup = w.interaction()
    followup.response._response_type = discord.InteractionResponseType.deferred_channel_message
    component = {"custom_id": "goal:done", "component_type": 2}
    return {
        "send with embed and view": w.text.send(
            "Weekly", embed=summary_embed(), view=GoalView(), allowed_mentions=none
        ),
        "reply": w.message.reply("Thank you", mention_author=False),
        "edit message": w.message.edit(content="Edited", view=None, embed=None),
        "open a DM": w.member.create_dm(),
        "create role": w.guild.create_role(name="Circle B", colour=discord.Colour.green(), mentionable=False),
        "edit role": w.role.edit(name="Circle A (full)"),
        "set member roles": w.member.edit(roles=[w.role]),
        "text channel": w.guild.create_text_channel(
            "circle-b", category=w.category, overwrites=overwrites, topic="A gentle space"
        ),
        "voice channel": w.guild.create_voice_channel(
            "circle-b voice", category=w.category, overwrites=overwrites, user_limit=10
        ),
        "channel permissions": w.text.set_permissions(w.role, view_channel=True, send_messages=False),
        "private thread": w.text.create_thread(
            name="story-12", type=discord.ChannelType.private_thread, invitable=False, auto_archive_duration=10080
        ),
        "thread from message": w.message.create_thread(name="Story #12", auto_archive_duration=10080),
        "scheduled event": w.guild.create_scheduled_event(
            name="Check-in",
            start_time=w.start,
            end_time=w.start + dt.timedelta(hours=1),
            channel=w.voice,
            description="Weekly voice check-in",
            privacy_level=discord.PrivacyLevel.guild_only,
        ),
        "move event": w.event.edit(start_time=w.start + dt.timedelta(days=1)),
        "cancel event": w.event.cancel(),
        "reply ephemeral": w.interaction().response.send_message("Saved.", ephemeral=True, view=GoalView()),
        "send modal": w.interaction().response.send_modal(StoryModal()),
        "defer thinking": w.interaction().response.defer(ephemeral=True, thinking=True),
        "defer component": w.interaction(3, component).response.defer(),
        "update message": w.interaction(3, component).response.edit_message(content="Marked done", view=None),
        "followup": followup.followup.send("Done.", ephemeral=True, embed=summary_embed()),
        "edit original": followup.edit_original_response(content="Updated", view=GoalView()),
    }


async def test_bodies_discord_py_sends_pass(sent: list[tuple[str, str, Any]]) -> None:
    failures: dict[str, Any] = {}
    for name, call in discord_py_calls(make_world()).items():
        before = len(sent)
        with pytest.raises(Sent):
            await call
        assert len(sent) == before + 1, name
        method, path, body = sent[-1]
        operation = SPEC.find_operation(method, path)
        assert operation is not None and operation.body_pointer is not None, f"{name}: {method} {path}"
        assert body is not None, name
        issues = SPEC.validate_request(method, path, body)
        if issues:
            failures[name] = issues
    assert failures == {}


async def test_a_scheduled_event_without_privacy_level_is_refused_like_discord(
    sent: list[tuple[str, str, Any]],
) -> None:
    # discord.py leaves privacy_level out unless given; Discord answers 50035 privacy_level required.
    w = make_world()
    with pytest.raises(Sent):
        await w.guild.create_scheduled_event(name="Check-in", start_time=w.start, channel=w.voice)
    method, path, body = sent[-1]
    assert errors_of(method, path, body) == {("privacy_level",): "BASE_TYPE_REQUIRED"}
