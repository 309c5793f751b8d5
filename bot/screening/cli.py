"""``python -m bot screen [--config PATH] [--guild ID]``: screen text from standard input.

One message a line (or JSON lines with a ``text`` field); one JSON verdict a line out:
``{"profane", "slur", "censored", "crisis", "signal", "rule", "identifying"}``: ``crisis`` is the
tier ("none" | "concern" | "crisis") and ``signal`` which signals decided it ("rule", "model",
"both" for rule and model, "encoder", or a combination such as "rule+encoder"). Both learned
crisis models are loaded first (stderr says so if one cannot be). With ``--guild`` (which needs
``--config``) the server's own blocked and allowed words are used, so organisers can try a word
list before turning it on. Output lines match input lines one to one: a line that cannot be read
gets ``{"error": ...}``. The database is only read, never migrated or written. Only verdicts are
printed, never logged.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from bot.core.config import Config
from bot.core.db import Database, DatabaseError
from bot.screening import prepare, screen
from bot.screening.profanity import WordSettings
from bot.screening.words import word_settings

EXIT_USAGE = 2
EXIT_BAD_LINES = 1


def _message(line: str, lineno: int) -> str | None:
    """The text to screen on this line, or None (with a note on stderr) if it cannot be read."""
    # A JSON line is one whose first character is "{"; other lines are screened as they are.
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            return line  # not JSON after all: screen it as the text it is
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            print(f"line {lineno}: a JSON line needs a \"text\" field holding text", file=sys.stderr)
            return None
        return data["text"]
    return line


async def run_screen(config: Config | None, guild_id: int | None, stdin: TextIO, stdout: TextIO) -> int:
    if guild_id is not None and config is None:
        print("error: --guild needs --config PATH (the server's words are read from its database)",
              file=sys.stderr)
        return EXIT_USAGE
    words: WordSettings | None = None
    if config is not None and guild_id is not None:
        if not Database(config.database_url).exists():  # connecting would create the file
            print(f"error: no database at {config.database_path} (see database.path in {config.source})",
                  file=sys.stderr)
            return EXIT_USAGE
        async with Database(config.database_url) as db:
            try:
                words = await word_settings(db, guild_id)
            except DatabaseError:
                print("error: the database predates screening settings; run `python -m bot migrate` first",
                      file=sys.stderr)
                return EXIT_USAGE
    state = await prepare(words)
    if not state.loaded:
        print(f"note: crisis model not loaded ({state.reason}); screening runs without it", file=sys.stderr)
    status = 0
    for lineno, raw in enumerate(stdin, start=1):
        line = raw.rstrip("\r\n")
        text = _message(line, lineno)
        if text is None:
            status = EXIT_BAD_LINES
            stdout.write(json.dumps({"error": f"line {lineno}: a JSON line needs a \"text\" field"}) + "\n")
            continue
        stdout.write(json.dumps(screen(text, words).to_json(), ensure_ascii=False) + "\n")
    stdout.flush()
    return status
