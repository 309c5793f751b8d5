"""Fixtures for the coping unit tests: the circles' recording outbox."""

from __future__ import annotations

import pytest

from tests.unit.circles.support import RecordingOutbox


@pytest.fixture
def outbox() -> RecordingOutbox:
    return RecordingOutbox()
