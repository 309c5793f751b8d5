"""bot/core/config.py: defaults, every key, and one clear line for every kind of bad configuration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.config import (
    DISCORD_API,
    DISCORD_GATEWAY,
    SECTIONS,
    Config,
    ConfigError,
    discord_token,
    load_config,
    parse_config,
)

EXAMPLE = Path(__file__).resolve().parents[3] / "config.example.toml"


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> tuple[str, Path]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message, "config errors are printed on one line"
    assert message.startswith(str(path)), "config errors name the file"
    return message, path


def sections() -> dict[str, type]:
    return dict(SECTIONS)


# -- defaults -------------------------------------------------------------------------------------


def test_empty_file_gives_the_documented_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.discord.api_base_url == DISCORD_API == "https://discord.com/api/v10"
    assert config.discord.gateway_url == DISCORD_GATEWAY
    assert config.discord.dev_guild_id is None
    assert config.database.path == "peer-circles.sqlite3"
    assert config.logging.level == "INFO"
    assert config.bot.default_timezone == "UTC"
    assert config.bot.default_region == "US"
    assert config.outbox.rate_per_second == 50.0
    assert config.outbox.max_attempts == 8
    assert config.scheduler.window_minutes == 60
    assert config.scheduler.late_grace_minutes == 720
    # Not sharded: one process with every server, as before shard ranges existed.
    assert config.bot.shards == "" and config.bot.shard_count is None and config.bot.shard_ids is None
    assert config.source == str(tmp_path / "config.toml")


def test_parse_config_of_nothing_equals_the_dataclass_defaults() -> None:
    assert parse_config({}) == Config(source="<memory>")


# -- every key ------------------------------------------------------------------------------------

FULL = """
[discord]
api_base_url = "http://127.0.0.1:8765/api/v10"
gateway_url = "ws://127.0.0.1:8765/gateway"
dev_guild_id = 123456789012345678
global_limit = 40

[database]
path = "/var/lib/peer-circles/bot.sqlite3"
url = ""

[logging]
level = "DEBUG"

[bot]
default_timezone = "Europe/Berlin"
default_region = "GB"
shards = "4-7"
shard_count = 8

[outbox]
rate_per_second = 20
max_attempts = 3

[scheduler]
window_minutes = 15
late_grace_minutes = 0

[privacy]
key_file = "/etc/peer-circles/anonymity.key"
"""


def test_every_documented_key_is_parsed(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    assert config.discord.api_base_url == "http://127.0.0.1:8765/api/v10"
    assert config.discord.gateway_url == "ws://127.0.0.1:8765/gateway"
    assert config.discord.dev_guild_id == 123456789012345678
    assert config.discord.global_limit == 40
    assert config.database.path == "/var/lib/peer-circles/bot.sqlite3"
    assert config.database_path == Path("/var/lib/peer-circles/bot.sqlite3")
    assert config.logging.level == "DEBUG"
    assert config.bot.default_timezone == "Europe/Berlin"
    assert config.bot.default_region == "GB"
    assert config.bot.shards == "4-7" and config.bot.shard_count == 8
    assert config.bot.shard_ids == [4, 5, 6, 7]
    # A whole number is accepted where a number is expected, and stored as one.
    assert config.outbox.rate_per_second == 20.0
    assert isinstance(config.outbox.rate_per_second, float)
    assert config.outbox.max_attempts == 3
    assert config.scheduler.window_minutes == 15
    assert config.scheduler.late_grace_minutes == 0
    assert config.anonymity_key_path == Path("/etc/peer-circles/anonymity.key")


def test_the_full_example_above_covers_every_dataclass_key() -> None:
    # Keeps FULL honest when someone adds a setting.
    for section, factory in sections().items():
        for f in factory.model_fields:
            assert re.search(rf"^{f} = ", FULL, re.MULTILINE), f"{section}.{f} missing from FULL"


def test_lowercase_region_is_accepted_and_stored_in_capitals(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[bot]\ndefault_region = "gb"\n'))
    assert config.bot.default_region == "GB"


def test_outbox_rate_of_exactly_fifty_is_allowed(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "[outbox]\nrate_per_second = 50\n")).outbox.rate_per_second == 50.0


def test_shard_ranges_and_a_count_alone(tmp_path: Path) -> None:
    one = load_config(write(tmp_path, '[bot]\nshards = "3"\nshard_count = 4\n')).bot
    assert one.shard_ids == [3] and one.runs_some_shards
    alone = load_config(write(tmp_path, "[bot]\nshard_count = 4\n")).bot
    assert alone.shard_ids == [0, 1, 2, 3] and not alone.runs_some_shards
    spaced = load_config(write(tmp_path, '[bot]\nshards = " 0 - 1 "\nshard_count = 2\n')).bot
    assert spaced.shard_ids == [0, 1] and not spaced.runs_some_shards


@pytest.mark.parametrize(("text", "expected"), [
    ('shards = "0-3"', 'bot.shards: \'0-3\' needs bot.shard_count'),
    ('shards = "0-8"\nshard_count = 8', "bot.shards: '0-8' is outside bot.shard_count = 8 (shard ids run from 0 to 7)"),
    ('shards = "3-1"\nshard_count = 8', "bot.shards: expected a shard range such as \"0-3\""),
    ('shards = "0..3"\nshard_count = 8', "bot.shards: expected a shard range"),
    ('shards = "-1"\nshard_count = 8', "bot.shards: expected a shard range"),
    ('shards = "a-b"\nshard_count = 8', "bot.shards: expected a shard range"),
    ('shards = 3\nshard_count = 8', "bot.shards: expected text in quotes, got 3"),
    ('shards = "0-1"\nshard_count = 0', "bot.shard_count: expected a value at least 1, got 0"),
])
def test_bad_shard_settings_are_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    message, path = error_for(tmp_path, f"[bot]\n{text}\n")
    assert message.startswith(f"{path}: {expected}"), message


# -- bad files ------------------------------------------------------------------------------------


def test_missing_file_names_it_and_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: file not found")
    assert "config.example.toml" in message
    assert "\n" not in message


def test_invalid_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    message, _ = error_for(tmp_path, "[discord]\napi_base_url = = 'x'\n")
    assert "not valid TOML" in message
    assert "line 2" in message


def test_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[bot]\ndefault_region = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_unknown_section_is_named_with_the_known_ones(tmp_path: Path) -> None:
    message, _ = error_for(tmp_path, "[discrod]\napi_base_url = 'https://x.example'\n")
    assert "unknown section [discrod]" in message
    for name in sections():
        assert name in message


def test_unknown_key_is_named_with_the_known_keys_of_its_section(tmp_path: Path) -> None:
    message, _ = error_for(tmp_path, "[outbox]\nrate = 10\n")
    assert "unknown key outbox.rate" in message
    assert "max_attempts" in message and "rate_per_second" in message


def test_section_given_as_a_plain_value_is_refused(tmp_path: Path) -> None:
    message, _ = error_for(tmp_path, 'logging = "DEBUG"\n')
    assert "[logging] must be a table" in message


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('[outbox]\nmax_attempts = "8"\n', "outbox.max_attempts", "whole number"),  # string for int
        ("[scheduler]\nwindow_minutes = true\n", "scheduler.window_minutes", "whole number"),  # bool for int
        ("[scheduler]\nlate_grace_minutes = 1.5\n", "scheduler.late_grace_minutes", "whole number"),
        ("[discord]\ndev_guild_id = true\n", "discord.dev_guild_id", "whole number"),
        ('[discord]\ndev_guild_id = "123"\n', "discord.dev_guild_id", "whole number"),
        ("[logging]\nlevel = 3\n", "logging.level", "text in quotes"),  # int for string
        ("[database]\npath = 5\n", "database.path", "text in quotes"),
        ("[outbox]\nrate_per_second = true\n", "outbox.rate_per_second", "a number"),  # bool for float
        ('[outbox]\nrate_per_second = "45"\n', "outbox.rate_per_second", "a number"),
    ],
)
def test_wrong_type_names_the_key_and_the_expected_type(tmp_path: Path, text: str, key: str, expected: str) -> None:
    message, _ = error_for(tmp_path, text)
    assert f": {key}: expected " in message
    assert expected in message


@pytest.mark.parametrize(
    ("text", "key", "scheme"),
    [
        ('[discord]\napi_base_url = "discord.com/api/v10"\n', "discord.api_base_url", "http or https://"),
        ('[discord]\napi_base_url = "ftp://discord.com/api"\n', "discord.api_base_url", "http or https://"),
        ('[discord]\napi_base_url = "https://"\n', "discord.api_base_url", "http or https://"),
        ('[discord]\ngateway_url = "https://gateway.discord.gg/"\n', "discord.gateway_url", "ws or wss://"),
        ('[discord]\ngateway_url = "gateway.discord.gg"\n', "discord.gateway_url", "ws or wss://"),
    ],
)
def test_bad_url_names_the_key_and_the_schemes_expected(tmp_path: Path, text: str, key: str, scheme: str) -> None:
    message, _ = error_for(tmp_path, text)
    assert f": {key}: expected a URL starting with {scheme}" in message


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Europe/Berlinn", "", "../etc/passwd"])
def test_unknown_time_zone_is_refused(tmp_path: Path, zone: str) -> None:
    message, _ = error_for(tmp_path, f'[bot]\ndefault_timezone = "{zone}"\n')
    assert ": bot.default_timezone: unknown time zone" in message
    assert "Europe/Berlin" in message  # an example of what is expected


@pytest.mark.parametrize("region", ["USA", "U", "", "1A", "ÜK"])
def test_bad_region_is_refused(tmp_path: Path, region: str) -> None:
    message, _ = error_for(tmp_path, f'[bot]\ndefault_region = "{region}"\n')
    assert ": bot.default_region: expected a two-letter country code" in message


@pytest.mark.parametrize("rate", ["0", "-1", "50.5", "51", "inf", "nan"])
def test_out_of_range_outbox_rate_is_refused(tmp_path: Path, rate: str) -> None:
    message, _ = error_for(tmp_path, f"[outbox]\nrate_per_second = {rate}\n")
    assert ": outbox.rate_per_second: expected a number above 0 and at most discord.global_limit (50)" in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[discord]\ndev_guild_id = 0\n", "discord.dev_guild_id"),
        ('[database]\npath = "  "\n', "database.path"),
        ('[logging]\nlevel = "LOUD"\n', "logging.level"),
        ("[outbox]\nmax_attempts = 0\n", "outbox.max_attempts"),
        ("[scheduler]\nwindow_minutes = 0\n", "scheduler.window_minutes"),
        ("[scheduler]\nlate_grace_minutes = -1\n", "scheduler.late_grace_minutes"),
    ],
)
def test_out_of_range_values_are_refused(tmp_path: Path, text: str, key: str) -> None:
    message, _ = error_for(tmp_path, text)
    assert f": {key}: expected" in message


# -- the token ------------------------------------------------------------------------------------


def test_discord_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "  abc.def.ghi \n")
    assert discord_token() == "abc.def.ghi"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_discord_token_unset_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    else:
        monkeypatch.setenv("DISCORD_TOKEN", value)
    # Other plausible names are not read.
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "wrong-variable")
    monkeypatch.setenv("TOKEN", "wrong-variable")
    with pytest.raises(ConfigError) as caught:
        discord_token()
    message = str(caught.value)
    assert message.startswith("DISCORD_TOKEN is not set")
    assert "demo" in message
    assert "\n" not in message


def test_token_in_the_file_is_an_unknown_key(tmp_path: Path) -> None:
    message, _ = error_for(tmp_path, '[discord]\ntoken = "abc"\n')
    assert "unknown key discord.token" in message


# -- the database path ----------------------------------------------------------------------------


def test_relative_database_path_is_taken_from_the_config_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    path = write(folder, '[database]\npath = "data/bot.sqlite3"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_config(path).database_path == folder.resolve() / "data" / "bot.sqlite3"
    # The same file named by a relative path from another working directory.
    monkeypatch.chdir(tmp_path)
    assert load_config(Path("etc/config.toml")).database_path == folder.resolve() / "data" / "bot.sqlite3"


def test_defaults_without_a_file_keep_the_path_as_given() -> None:
    assert Config().database_path == Path("peer-circles.sqlite3")


# -- config.example.toml --------------------------------------------------------------------------


@pytest.mark.skipif(not EXAMPLE.exists(), reason="config.example.toml is not written yet")
def test_example_config_parses() -> None:
    config = load_config(EXAMPLE)
    assert config.database_path.parent == EXAMPLE.parent


@pytest.mark.skipif(not EXAMPLE.exists(), reason="config.example.toml is not written yet")
def test_example_config_documents_every_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for section, factory in sections().items():
        assert re.search(rf"^\[{section}\]", text, re.MULTILINE), f"[{section}] is not in {EXAMPLE.name}"
        for f in factory.model_fields:
            # A key may be shown commented out (settings without a default value, e.g. dev_guild_id).
            assert re.search(rf"^#?\s*{f}\s*=", text, re.MULTILINE), f"{section}.{f} is not documented"


@pytest.mark.skipif(not EXAMPLE.exists(), reason="config.example.toml is not written yet")
def test_example_config_with_commented_keys_switched_on_still_parses(tmp_path: Path) -> None:
    # Uncommenting a documented example value must give a valid file.
    text = re.sub(r"^# ?(\w+ = )", r"\1", EXAMPLE.read_text(encoding="utf-8"), flags=re.MULTILINE)
    load_config(write(tmp_path, text))


def test_lists_enums_and_nested_tables_get_the_same_one_line_errors() -> None:
    """The settings coming capabilities add (lists, choices, nested tables) are plain pydantic
    fields, and their errors read like the others."""
    from typing import Literal

    from pydantic import Field, ValidationError

    from bot.core.config import _one_line, _Section

    class Reminder(_Section):
        hour: int = 9

    class Future(_Section):
        kinds: list[str] = Field(default_factory=list)
        mode: Literal["forum", "threads"] = "forum"
        reminder: Reminder = Reminder()

    cases = [({"kinds": "goal"}, "f.toml: kinds: expected a list"),
             ({"mode": "chat"}, "f.toml: mode: expected one of the listed values"),
             ({"reminder": {"hour": "9"}}, "f.toml: reminder.hour: expected a whole number, got '9'"),
             ({"reminder": {"minute": 5}}, "f.toml: unknown key reminder.minute")]
    for data, expected in cases:
        try:
            Future.model_validate(data)
        except ValidationError as exc:
            line = _one_line(exc.errors()[0], "f.toml")
        else:
            raise AssertionError(f"{data} was accepted")
        assert line.startswith(expected), line
        assert "\n" not in line


def test_database_url_chooses_the_engine(tmp_path: Path) -> None:
    default = load_config(write(tmp_path, ""))
    assert default.database_url == str(default.database_path) and not default.uses_postgres
    pg = load_config(write(tmp_path, '[database]\nurl = "postgresql://bot@127.0.0.1:5432/circles"\n'))
    assert pg.uses_postgres and pg.database_url == "postgresql://bot@127.0.0.1:5432/circles"
    file = load_config(write(tmp_path, '[database]\nurl = "data/other.sqlite3"\n'))
    assert not file.uses_postgres and file.database_url == str(tmp_path.resolve() / "data" / "other.sqlite3")
