"""The fixed vocabularies circles are described with: topics and languages.

Fixed lists (not free text) so members can pick them from select menus and the finder can match
them exactly. Keys are short because they travel inside component custom_ids (100 chars max).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.errors import UserFacingError

# key -> label. "general" is for circles open to any kind of chronic pain.
TOPICS: dict[str, str] = {
    "general": "General chronic pain",
    "fibro": "Fibromyalgia",
    "migraine": "Migraine and headache",
    "back": "Back and neck pain",
    "pelvic": "Pelvic pain",
    "endo": "Endometriosis",
    "arthritis": "Arthritis",
    "nerve": "Nerve pain",
    "crps": "CRPS",
    "eds": "EDS and hypermobility",
    "ibd": "IBD and gut pain",
    "mecfs": "ME/CFS and fatigue",
    "injury": "Pain after injury or surgery",
    "carers": "Carers and partners",
}

# Words organisers may type for a topic, beyond the key and the label.
_TOPIC_ALIASES: dict[str, str] = {
    "fibromyalgia": "fibro",
    "back pain": "back",
    "neck pain": "back",
    "pelvic pain": "pelvic",
    "endometriosis": "endo",
    "headache": "migraine",
    "neuropathy": "nerve",
    "neuropathic pain": "nerve",
    "nerve pain": "nerve",
    "hypermobility": "eds",
    "me/cfs": "mecfs",
    "chronic fatigue": "mecfs",
    "gut": "ibd",
    "general chronic pain": "general",
    "any": "general",
}

# ISO 639-1 code -> name, the languages a circle can be held in.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "sv": "Svenska",
    "da": "Dansk",
    "no": "Norsk",
    "fi": "Suomi",
    "pl": "Polski",
    "cs": "Čeština",
    "tr": "Türkçe",
    "el": "Ελληνικά",
    "uk": "Українська",
    "ru": "Русский",
    "ar": "العربية",
    "he": "עברית",
    "hi": "हिन्दी",
    "ja": "日本語",
    "ko": "한국어",
    "zh": "中文",
    "id": "Bahasa Indonesia",
    "tl": "Filipino",
}

# Languages typed by their English name.
_ENGLISH_NAMES: dict[str, str] = {
    "english": "en", "spanish": "es", "french": "fr", "german": "de", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "swedish": "sv", "danish": "da", "norwegian": "no",
    "finnish": "fi", "polish": "pl", "czech": "cs", "turkish": "tr", "greek": "el",
    "ukrainian": "uk", "russian": "ru", "arabic": "ar", "hebrew": "he", "hindi": "hi",
    "japanese": "ja", "korean": "ko", "chinese": "zh", "indonesian": "id", "filipino": "tl",
}


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def topic_key(word: str) -> str | None:
    """The topic key for a key, label or alias typed in any case; None if unknown."""
    folded = _fold(word)
    for key, label in TOPICS.items():
        if folded in (key, _fold(label)):
            return key
    return _TOPIC_ALIASES.get(folded)


def parse_topics(text: str | Iterable[str]) -> tuple[str, ...]:
    """Comma-separated (or listed) topics -> unique keys in catalogue order.

    Raises UserFacingError naming the words it does not know.
    """
    words = [w for w in (text.split(",") if isinstance(text, str) else text) if w.strip()]
    if not words:
        raise UserFacingError(f"Choose at least one topic, such as: {topic_choices_hint()}.")
    keys: set[str] = set()
    unknown: list[str] = []
    for word in words:
        key = topic_key(word)
        if key is None:
            unknown.append(word.strip()[:40])
        else:
            keys.add(key)
    if unknown:
        raise UserFacingError(
            f"I don't know the topic {', '.join(repr(u) for u in unknown)}. Topics are: {topic_choices_hint()}."
        )
    return tuple(k for k in TOPICS if k in keys)


def topic_choices_hint() -> str:
    return ", ".join(TOPICS[k].lower() if k != "crps" else "CRPS" for k in TOPICS)


def topic_labels(keys: Iterable[str]) -> list[str]:
    return [TOPICS.get(k, k) for k in keys]


def language_code(word: str) -> str | None:
    """The language code for a code or name in any case; None if unknown."""
    folded = word.strip().casefold()
    if folded in LANGUAGES:
        return folded
    for code, name in LANGUAGES.items():
        if folded == name.casefold():
            return code
    return _ENGLISH_NAMES.get(folded)


def parse_language(word: str) -> str:
    code = language_code(word)
    if code is None:
        raise UserFacingError(
            f"I don't know the language {word.strip()[:40]!r}. Pick one from the list, e.g. English or Español."
        )
    return code


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def autocomplete_topics(current: str, limit: int = 25) -> list[tuple[str, str]]:
    """(shown name, value) pairs for a comma-separated topics option: completes the last item."""
    done, _, last = current.rpartition(",")
    prefix = [w.strip() for w in done.split(",") if w.strip()]
    already = {topic_key(w) for w in prefix}
    needle = _fold(last)
    out: list[tuple[str, str]] = []
    for key, label in TOPICS.items():
        if key in already:
            continue
        if needle and needle not in _fold(label) and not key.startswith(needle):
            continue
        value = ", ".join([*prefix, label])
        out.append((value[:100], value[:100]))
    return out[:limit]


def autocomplete_languages(current: str, limit: int = 25) -> list[tuple[str, str]]:
    needle = current.strip().casefold()
    return [
        (name, code) for code, name in LANGUAGES.items()
        if not needle or needle in name.casefold() or code.startswith(needle)
        or (language_code(needle) == code)
    ][:limit]
