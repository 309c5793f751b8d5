"""Test-wide settings."""

from __future__ import annotations

import pytest

from emulator.spec import SpecValidator, default_spec_path


def pytest_report_header(config: pytest.Config) -> str:
    if SpecValidator.load() is None:
        return "discord-api-spec: not found; the emulator's request validation is SKIPPED"
    return f"discord-api-spec: {default_spec_path()} (every request body is validated)"
