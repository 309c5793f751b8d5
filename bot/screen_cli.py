"""``python -m bot screen [--config PATH] [--guild ID]``: screen text from standard input.

One message a line (or JSON lines with a ``text`` field); one JSON verdict a line out:
``{"profane", "censored", "crisis", "rule", "identifying"}``. With ``--guild`` (which needs
``--config``) the server's own blocked and allowed words are used, so organisers can try a word
list before turning it on. Blank lines are skipped. Only verdicts are printed, never logged.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from bot.config import Config
from bot.db import Database
from bot.profanity import WordSettings, prepare
from bot.screening import screen
from bot.screening_words import word_settings

EXIT_USAGE = 2
EXIT_BAD_LINES = 1


def _message(line: str, lineno: int) -> str | None:
    """The text to screen on this line, or None (with a note on stderr) if it cannot be read."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            return line  # not JSON after all: screen it as the text it is
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            print(f"line {lineno}: a JSON line needs a \"text\" field holding text; skipped",
                  file=sys.stderr)
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
        async with Database(config.database_path) as db:
            await db.migrate()
            words = await word_settings(db, guild_id)
    prepare(words)
    status = 0
    for lineno, raw in enumerate(stdin, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        text = _message(line, lineno)
        if text is None:
            status = EXIT_BAD_LINES
            continue
        stdout.write(json.dumps(screen(text, words).to_json(), ensure_ascii=False) + "\n")
    stdout.flush()
    return status
