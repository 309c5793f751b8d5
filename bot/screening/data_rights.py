"""The screening tables in the personal-data registry."""

from __future__ import annotations

from bot.core.personal_data import not_personal

not_personal("screening_words", "words organisers block or allow; no member data")
