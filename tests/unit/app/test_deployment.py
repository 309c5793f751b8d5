"""The container deployment (issue 28): Dockerfile, compose.yaml and the per-process configs.

``docker compose config -q`` checks compose.yaml where docker compose is installed; everywhere the
same file is checked against a small schema of what the deployment relies on (services, health
check, start order, the shared key volume, configs), plus the rules a schema cannot say: the shard
ranges cover every shard once, and the processes' configs differ only in ``bot.shards``. Each check
is shown failing on a broken copy, so none of them can pass by accident.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from bot.core.config import parse_config, shard_range

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
KEY_DIR = "/var/lib/peer-circles/key"
CONFIG_IN_CONTAINER = "/etc/peer-circles/config.toml"

_STRINGS = {"type": "array", "items": {"type": "string"}, "minItems": 1}
_BOT = {
    "type": "object",
    "required": ["build", "command", "environment", "volumes", "depends_on", "restart"],
    "properties": {
        "command": {"type": "array", "prefixItems": [{"const": "run"}, {"const": "--config"},
                                                     {"const": CONFIG_IN_CONTAINER}], "items": False},
        "environment": {"type": "object", "required": ["DISCORD_TOKEN", "PGPASSWORD"]},
        "volumes": {**_STRINGS, "contains": {"const": f"anonymity-key:{KEY_DIR}:ro"}},
        "depends_on": {"type": "object", "required": ["db", "setup"], "properties": {
            "db": {"type": "object", "required": ["condition"], "properties": {
                "condition": {"const": "service_healthy"}}},
            "setup": {"type": "object", "required": ["condition"], "properties": {
                "condition": {"const": "service_completed_successfully"}}},
        }},
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["services", "volumes"],
    "properties": {
        "services": {
            "type": "object",
            "required": ["db", "setup"],
            "properties": {
                "db": {
                    "type": "object", "required": ["image", "environment", "volumes", "healthcheck"],
                    "properties": {
                        "image": {"type": "string", "pattern": "^postgres:15"},
                        "environment": {"type": "object", "required": ["POSTGRES_USER", "POSTGRES_DB",
                                                                        "POSTGRES_PASSWORD"]},
                        "volumes": {**_STRINGS, "contains": {"pattern": "^pgdata:/var/lib/postgresql/data$"}},
                        "healthcheck": {"type": "object", "required": ["test"], "properties": {
                            "test": {"type": "array", "contains": {"pattern": "pg_isready"}}}},
                    },
                },
                "setup": {
                    "type": "object", "required": ["build", "command", "volumes", "depends_on"],
                    "properties": {
                        "command": {"type": "array", "prefixItems": [{"const": "init-key"}]},
                        "volumes": {**_STRINGS, "contains": {"const": f"anonymity-key:{KEY_DIR}"}},
                        "restart": {"const": "no"},
                    },
                },
            },
            "patternProperties": {"^bot-": _BOT},
            "additionalProperties": {"not": {}},  # only db, setup and bot-* services
        },
        "volumes": {"type": "object", "required": ["pgdata", "anonymity-key"]},
    },
}


def load_compose(text: str | None = None) -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8") if text is None else text)
    assert isinstance(data, dict)
    return data


def bot_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items() if name.startswith("bot-")}


def mounted_config(service: dict[str, Any]) -> Path:
    for volume in service["volumes"]:
        source, _, rest = volume.partition(":")
        if rest.split(":")[0] == CONFIG_IN_CONTAINER:
            return ROOT / source
    raise AssertionError(f"no config mounted at {CONFIG_IN_CONTAINER}")


def problems(compose: dict[str, Any]) -> list[str]:
    """Everything wrong with a compose file for this deployment (empty: fine)."""
    found = [f"{'/'.join(map(str, e.absolute_path)) or '<top>'}: {e.message}"
             for e in Draft202012Validator(SCHEMA).iter_errors(compose)]
    if found:
        return found
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")) and source not in declared:
                found.append(f"{name}: volume {source!r} is not declared under volumes")
    bots = bot_services(compose)
    if len(bots) < 2:
        found.append("expected at least two bot processes")
    texts, covered, counts = {}, [], set()
    for name, service in {**bots, "setup": compose["services"]["setup"]}.items():
        path = mounted_config(service)
        if not path.is_file():
            found.append(f"{name}: {path.relative_to(ROOT)} does not exist")
            continue
        config = parse_config(tomllib.loads(path.read_text(encoding="utf-8")), str(path))
        if not config.uses_postgres or not config.privacy.key_file.startswith(KEY_DIR + "/"):
            found.append(f"{name}: its config must name PostgreSQL and the key in {KEY_DIR}")
        if name == "setup":
            continue
        counts.add(config.bot.shard_count)
        first, last = shard_range(config.bot.shards) if config.bot.shards else (-1, -2)
        covered.extend(range(first, last + 1))
        texts[name] = re.sub(r'(?m)^(shards = .*|#.*)$', "", path.read_text(encoding="utf-8"))
    if len(counts) != 1 or None in counts:
        found.append(f"every bot process needs the same bot.shard_count, got {sorted(map(str, counts))}")
    elif sorted(covered) != list(range(next(iter(counts)))):  # type: ignore[arg-type]
        found.append(f"the shard ranges must cover 0 to shard_count - 1 once each, got {sorted(covered)}")
    if len(set(texts.values())) > 1:
        found.append("the bot processes' configs must differ only in bot.shards")
    return found


def test_compose_yaml_has_what_the_deployment_relies_on() -> None:
    assert problems(load_compose()) == []


def test_docker_compose_accepts_the_file_where_it_is_installed(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("docker compose is not installed here: compose.yaml is checked by the schema tests only")
    env = {**os.environ, "DISCORD_TOKEN": "t", "POSTGRES_PASSWORD": "p"}
    run = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "-q"], capture_output=True, env=env,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE.read_text(encoding="utf-8").replace("services:", "servics:"), encoding="utf-8")
    assert subprocess.run([docker, "compose", "-f", str(broken), "config", "-q"], capture_output=True, env=env,
                          timeout=60).returncode != 0


def _without_healthcheck(c: dict[str, Any]) -> None:
    del c["services"]["db"]["healthcheck"]


def _bot_writes_the_key(c: dict[str, Any]) -> None:
    c["services"]["bot-shards-2-3"]["volumes"][0] = f"anonymity-key:{KEY_DIR}"


def _bot_before_setup(c: dict[str, Any]) -> None:
    del c["services"]["bot-shards-0-1"]["depends_on"]["setup"]


def _old_postgres(c: dict[str, Any]) -> None:
    c["services"]["db"]["image"] = "postgres:13"


def _undeclared_volume(c: dict[str, Any]) -> None:
    del c["volumes"]["anonymity-key"]


def _one_process_only(c: dict[str, Any]) -> None:
    del c["services"]["bot-shards-2-3"]


def _no_token(c: dict[str, Any]) -> None:
    del c["services"]["bot-shards-0-1"]["environment"]["DISCORD_TOKEN"]


@pytest.mark.parametrize("breakage", [_without_healthcheck, _bot_writes_the_key, _bot_before_setup, _old_postgres,
                                      _undeclared_volume, _one_process_only, _no_token])
def test_a_broken_copy_fails_the_check(breakage: Any) -> None:
    compose = copy.deepcopy(load_compose())
    breakage(compose)
    assert problems(compose) != []


@pytest.mark.parametrize(("low", "high", "why"), [
    ('shards = "0-2"', 'shards = "2-3"', "cover 0 to shard_count - 1 once"),  # shard 2 twice
    ('shards = "0"', 'shards = "2-3"', "cover 0 to shard_count - 1 once"),  # shard 1 nowhere
    ('shards = "0-1"\nshard_count = 4', 'shards = "2-3"\nshard_count = 8', "same bot.shard_count"),
])
def test_shard_ranges_that_overlap_or_leave_a_gap_fail(tmp_path: Path, low: str, high: str, why: str) -> None:
    compose = load_compose()
    for name, shards in (("bot-shards-0-1", low), ("bot-shards-2-3", high)):
        service = compose["services"][name]
        text = mounted_config(service).read_text(encoding="utf-8")
        text = re.sub(r"(?m)^shard_count = .*\n", "", text) if "shard_count" in shards else text
        copy_ = tmp_path / f"{name}.toml"
        copy_.write_text(re.sub(r'(?m)^shards = ".*"$', shards, text), encoding="utf-8")
        original = f"./{mounted_config(service).relative_to(ROOT)}:"
        service["volumes"] = [v.replace(original, f"{copy_}:") for v in service["volumes"]]
    assert any(why in problem for problem in problems(compose)), problems(compose)


def test_the_dockerfile_builds_the_bot_with_postgres_as_a_user_without_privileges() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    assert re.search(r'pip install (-e )?"\.\[postgres\]"', text)
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), "the bot runs as a user without privileges"
    assert 'ENTRYPOINT ["python", "-m", "bot"]' in lines
    # The anonymity key's folder belongs to that user (the setup service writes the key there).
    assert f"chown -R peer {KEY_DIR}" in text and users[-1] == "peer"
    # What the image copies: the packages and migrations the bot reads, no local data or secrets.
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for secret in ("config.toml", "*.sqlite3", "*.anonymity-key", ".venv", ".git"):
        assert secret in ignored
    for needed in ("bot", "cogs", "migrations"):
        assert f"COPY {needed} ./{needed}" in text
