"""Issue 25: PRIVACY.md's table of what is stored is the personal-data registry's, the same words
/privacy show uses (so coping data, voice attendance's audience and every new table are there).

Run ``python -m tests.unit.privacy.test_privacy_page`` to rewrite the table after a declaration changes."""

from __future__ import annotations

from bot.privacy.document import PAGE, registry_table, rewrite, table_in
from tests.unit.privacy.test_schema_classification import _import_every_bot_package


def test_privacy_md_lists_exactly_what_the_registry_declares() -> None:
    _import_every_bot_package()
    assert table_in() == registry_table(), "PRIVACY.md is out of date: python -m tests.unit.privacy.test_privacy_page"


def test_the_page_names_coping_data_and_voice_attendance_as_show_does() -> None:
    _import_every_bot_package()
    page = PAGE.read_text(encoding="utf-8")
    for words in ("Strategies you said helped you too", "Wins you celebrated", "Strategies you saved",
                  "Small wins you shared", "When you were in a circle's voice channel (times only) | 90 days"
                  " (the server may choose another number of days) | the circle's facilitators and the server's"
                  " organisers"):
        assert words in page, words


if __name__ == "__main__":
    _import_every_bot_package()
    print("PRIVACY.md rewritten" if rewrite() else "PRIVACY.md already matches the registry")
