"""Test-wide settings."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from emulator.spec import SpecValidator, default_spec_path


def pytest_report_header(config: pytest.Config) -> str:
    if SpecValidator.load() is None:
        return "discord-api-spec: not found; the emulator's request validation is SKIPPED"
    return f"discord-api-spec: {default_spec_path()} (every request body is validated)"


@pytest.fixture
def written_logs() -> Iterator[io.StringIO]:
    """Everything every logger writes, through the bot's real handler and formatter, at the most
    verbose level a deployment can ask for (`logging.level = "DEBUG"`: discord.py stays at INFO)."""
    from bot.__main__ import log_handler

    out = io.StringIO()
    handler = log_handler(out)
    root, discord_logger = logging.getLogger(), logging.getLogger("discord")
    saved = (root.level, discord_logger.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    discord_logger.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        discord_logger.setLevel(saved[1])
