"""The safety tables in the personal-data registry."""

from __future__ import annotations

from bot.core.personal_data import not_personal

not_personal("local_crisis_resources", "crisis lines organisers add; no member data")
