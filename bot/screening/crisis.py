"""Crisis language: suicidal thoughts, intent to self-harm, or wanting to die.

A rule-based detector, not a keyword list. Each rule is a phrase pattern for one category
(explicit ideation, intent or plan, self-harm, passive death wish, method or means, farewell),
matched on text that has been normalised first: folded (case, accents, look-alikes), contractions
expanded ("don't" -> "do not"), slang and common misspellings mapped to plain words ("kms" ->
"kill myself", "unalive", "sewer slide", "suicde", "myslef", "wanna", "2 die"), and split into
clauses so a negation in one clause does not reach into the next.

A match is then checked in its context:
- negation just before it ("I'm *not* suicidal", "I would *never* kill myself");
- who it is about: patterns without "me/my/myself" need a first-person (or omitted) subject,
  so "my knee wants to die" and "my uncle killed himself" do not fire;
- clinical or survey questions ("the doctor asked about suicidal thoughts and I said no") are a
  mention, unless the member says they answered yes;
- idioms and hyperbole ("killing myself trying to keep up", "die of embarrassment", "I nearly
  killed myself on the stairs") and accidents ("cut myself shaving").

Everyday pain idioms never match at all: the patterns need the first person acting on itself
("kill myself"), wanting death ("want to die"), or naming a method, so "this flare is killing me",
"I'd kill for sleep", "painkillers", "my phone died" and "dead tired" have nothing to match.

``crisis`` is for explicit statements; ``concern`` for ambiguous passive ones ("I can't go on like
this") and for hyperbole that still mentions dying ("I want to die lol"). The rule name is
reported for the moderator view; the text itself is never stored or logged here.

Speed: each rule names anchor words, and its regex runs only on clauses holding them, so a
2,000-character message costs a few hundred microseconds; the work per message is capped so
even 10,000 characters of repeated phrases stay within a few milliseconds.

Limits (see benchmarks/data/README.md): direct statements, slang and misspellings are caught;
veiled ones ("I'm ready.", "counting down the days") often are not. This is a safety net that
offers resources, not a judgement: moderators and members remain the ones who notice.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

from bot.screening.folding import IGNORABLE, fold

Level = Literal["none", "concern", "crisis"]
LEVELS: tuple[Level, ...] = ("none", "concern", "crisis")
_RANK = {level: i for i, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class CrisisResult:
    level: Level
    rule: str | None = None
    category: str | None = None
    signal: str | None = None  # "rule" | "model" | "both" once tiers combine them (bot.screening.tiers)

    def __bool__(self) -> bool:
        return self.level != "none"


NONE = CrisisResult("none")

# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

_APOSTROPHES = ("\u2019", "\u2018", "\u02bc", "\u00b4")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Clause boundaries become " | "; patterns never cross one. ("but", "though"... below, as words.)

# Laughing emoji read as "lol" (a hyperbole marker); other non-ASCII characters become spaces.
_LAUGH = frozenset("\U0001F602\U0001F923\U0001F606\U0001F639\U0001F605")
_LEET_SYMBOLS = re.compile(r"[0-9!*]")


def _non_ascii(m: re.Match[str]) -> str:
    return " lol " if not _LAUGH.isdisjoint(m.group()) else " "


# Spellings that hide letters behind symbols or digits, or common misspellings, fixed before
# symbols are dropped. Each pattern starts with a literal so the regex engine skips ahead fast.
_LEET: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    (("kil", "kll", "k1", "k!", "k*"),
     re.compile(r"k(?<![a-z0-9]k)(?:[i1!*]l{1,3}|l{2,3})(?=(?:ing|ed|s)?\b)"), "kill"),
    (("d1", "d!", "d*"), re.compile(r"d(?<![a-z0-9]d)[1!*]e(?=[ds]?\b)"), "die"),
    (("cid", "sid", "cd", "s*"),
     re.compile(r"su(?<![a-z0-9]su)[i1!*y]{0,2}[cs]{1,2}[i1!*y]{0,2}d(?=e|al|el|le|ial)|"
                r"s(?<![a-z0-9]s)\*+icid"), "suicid"),
    (("sewer",), re.compile(r"sewer(?<![a-z0-9]sewer)[ -]?slide\b"), "suicide"),
    (("self",), re.compile(r"self(?<![a-z0-9]self)[ -]+harm"), "selfharm"),
    (("o.d",), re.compile(r"o(?<![a-z0-9]o)\.d\.?(?=\s|$)"), "od"),
    ((" 2",), re.compile(r"\b(want|going|have|need|ready|plan|about|wish|wanna|gonna) 2\b"), r"\1 to"),
)


# Phrases of two words that read as one.
_PHRASES: dict[str, str] = {
    "can not": "cannot", "my self": "myself", "any more": "anymore", "unalive myself": "kill myself",
    "unalive me": "kill myself", "unaliving myself": "killing myself", "id have": "i would have",
    "id be": "i would be", "id rather": "i would rather", "id just": "i would just",
    "id do": "i would do", "id never": "i would never",
}
_PHRASE_RE = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in _PHRASES) + r")\b")

# Contractions, text-speak and misspellings -> plain words.
_TOKENS: dict[str, str] = {
    "i'm": "i am", "im": "i am", "i've": "i have", "ive": "i have", "i'd": "i would",
    "i'll": "i will", "i'ma": "i am going to", "imma": "i am going to",
    "don't": "do not", "dont": "do not", "doesn't": "does not", "doesnt": "does not",
    "didn't": "did not", "didnt": "did not", "can't": "cannot", "cant": "cannot",
    "won't": "will not", "wont": "will not", "wouldn't": "would not",
    "wouldnt": "would not", "isn't": "is not", "isnt": "is not", "aren't": "are not",
    "wasn't": "was not", "wasnt": "was not", "weren't": "were not", "haven't": "have not",
    "havent": "have not", "hasn't": "has not", "shouldn't": "should not", "couldn't": "could not",
    "couldnt": "could not", "ain't": "am not", "it's": "it is", "that's": "that is",
    "thats": "that is", "what's": "what is", "whats": "what is", "there's": "there is",
    "theres": "there is", "i'd've": "i would have", "would've": "would have",
    "could've": "could have", "you're": "you are", "youre": "you are", "they're": "they are",
    "he's": "he is", "she's": "she is", "we're": "we are", "let's": "let us",
    "id have": "i would have", "id be": "i would be", "id rather": "i would rather",
    "id just": "i would just", "id do": "i would do", "id never": "i would never",
    "wanna": "want to", "wana": "want to", "wnna": "want to", "wnt": "want", "wan": "want",
    "gonna": "going to", "gona": "going to", "gunna": "going to", "gotta": "got to",
    "kinda": "kind of", "sorta": "sort of", "tryna": "trying to", "finna": "going to",
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "rn": "right now",
    "tonite": "tonight", "2nite": "tonight", "2night": "tonight", "b4": "before",
    "cuz": "because", "coz": "because", "bc": "because", "noone": "no one",
    "every1": "everyone", "some1": "someone", "ded": "dead", "dieing": "dying",
    "myslef": "myself", "mysef": "myself", "myseld": "myself", "myselfe": "myself",
    "mysel": "myself", "meself": "myself", "mysefl": "myself",
    "kms": "kill myself", "kmsl": "laughing", "ctb": "kill myself",
    "unalive": "kill myself", "unaliving": "killing myself", "unalived": "killed",
    "od": "overdose", "oding": "overdosing", "od'ing": "overdosing", "od'd": "overdosed",
    "selfharm": "selfharm", "sh'ing": "selfharming",
    "suicidel": "suicidal", "suicidle": "suicidal", "suicidial": "suicidal",
    "alive": "alive", "alyve": "alive", "exsist": "exist", "exisit": "exist",
    "nomore": "no more",
    "but": "|", "though": "|", "although": "|", "however": "|", "except": "|",
}


def _symbols_to_spaces() -> bytes:
    table = bytearray(b" " * 256)
    for c in b"abcdefghijklmnopqrstuvwxyz0123456789' `":
        table[c] = c
    for c in b".!?;:,()[]{}\"\n\r\t/|":
        table[c] = ord("|")
    table[ord("`")] = ord("'")
    return bytes(table)


_ASCII_TABLE = _symbols_to_spaces()


# _LEET entries with the hints to look for in text without (first) and with digits or symbols.
_LEET_HINTS = tuple(
    (tuple(h for h in hints if h.isalpha() or h == "o.d"), hints, pattern, repl)
    for hints, pattern, repl in _LEET
)


def normalise(text: str, folded: str | None = None) -> str:
    """Lower-case, plain-word form of ``text`` with clauses separated by " | ".

    ``folded`` is ``fold(text)`` when the caller already has it (screening folds once)."""
    t = fold(text) if folded is None else folded
    if IGNORABLE in t:
        t = t.replace(IGNORABLE, "")
    if not t.isascii():
        for quote in _APOSTROPHES:
            t = t.replace(quote, "'")
        t = _NON_ASCII.sub(_non_ascii, t)
    symbols = _LEET_SYMBOLS.search(t) is not None
    for plain_hints, all_hints, pattern, repl in _LEET_HINTS:
        for hint in all_hints if symbols else plain_hints:
            if hint in t:
                t = pattern.sub(repl, t)
                break
    # One C-speed pass: clause punctuation -> "|", other symbols -> " ".
    t = t.encode("ascii").translate(_ASCII_TABLE).decode("ascii").replace("|", " | ")
    if "can not" in t or "my self" in t or "any more" in t or "unaliv" in t or " id " in t:
        t = _PHRASE_RE.sub(lambda m: _PHRASES[m.group()], f" {t} ")
    if _TRIPLE.search(t):
        t = _TRIPLE_WORD.sub(_squeeze, t)
    get = _TOKENS.get
    return "| " + " ".join([get(w, w) for w in t.split()]) + " |"


_TRIPLE = re.compile(r"([a-z])\1\1")
_TRIPLE_WORD = re.compile(r"[a-z]*([a-z])\1\1[a-z]*")
_RUNS = re.compile(r"([a-z])\1{2,}")


def _squeeze(m: re.Match[str]) -> str:
    """A letter held down ("diiiie", "killlll"): one letter where that makes a word the rules
    know ("die"), else two ("kill")."""
    once = _RUNS.sub(r"\1", m.group())
    return once if once in _ANCHOR_WORDS or once in _TOKENS else _RUNS.sub(r"\1\1", m.group())


# ---------------------------------------------------------------------------------------------
# Context checks
# ---------------------------------------------------------------------------------------------

_NEGATORS = frozenset({"not", "never", "no", "nor", "without", "neither", "stopped", "quit"})
# Words between a subject and its verb that say nothing about who acts.
_FILLERS = frozenset("""
really just so honestly seriously literally actually kind sort of still sometimes often always
even also genuinely truly definitely probably totally already badly desperately lowkey fully
finally constantly again lately recently kinda am is are was were be been being have has had
having do does did would will could should might must can to gonna going keep keeps kept
started start starting begun began want wanted wanting wants feel feeling felt think thinking
thought need needed needing like about of getting get got some more very pretty quite a bit
little the this that these those an any on cannot stop""".split())
_SELF = frozenset({"i", "me", "myself", "we", "my", "us"})
_OTHERS = frozenset({"he", "she", "they", "you", "it", "someone", "somebody", "people", "everyone",
                     "everybody", "anyone", "anybody", "who", "one", "patients", "nobody", "him",
                     "them", "folks", "others", "friend", "friends"})
# A clause that starts with one of these has its subject omitted ("...and want to die").
_CLAUSE_OPENERS = frozenset({"|", "and", "so", "because", "then", "or", "now", "yeah", "yes",
                             "ok", "okay", "tbh", "ngl", "lol", "like", "sometimes", "honestly",
                             "today", "tonight", "lately"})
_HYPOTHETICAL = frozenset({"if", "whether"})
_QUESTION_WORDS = re.compile(
    r"\b(?:ask|asks|asked|asking|question|questions|questionnaire|screening|screened|survey|form|"
    r"checklist|assessment|assess|assessed|phq|intake)\b"
)
_ANSWER_YES = re.compile(
    r"\b(?:i (?:said|answered|told (?:him|her|them|the \w+)|ticked|checked|circled) "
    r"(?:yes|yeah|yep|that i (?:do|did|have|had|am|was))|answered yes|admitted (?:it|that i))\b"
)
_HYPERBOLE_NONE = re.compile(
    r"^ (?:of|from|with) (?:embarrassment|shame|laughter|laughing|cringe|boredom|cuteness|"
    r"happiness|joy|excitement)\b|^ laughing\b|^ (?:jk|just kidding|just joking|kidding)\b"
)
_HYPERBOLE_LOL = re.compile(r"^(?: \w+){0,4} (?:lol|lmao|lmfao|haha+|hehe|rofl|xd)\b")


def _before(text: str, start: int, n: int = 5) -> list[str]:
    """Up to ``n`` words before ``start`` in the same clause, nearest first."""
    clause = text[:start].rsplit("|", 1)[-1]
    return clause.split()[::-1][:n]


def _after(text: str, end: int) -> str:
    """The rest of the clause after ``end`` (with a leading space)."""
    rest = text[end:].split("|", 1)[0]
    return rest if rest.startswith(" ") else " " + rest


def _sentence(text: str, start: int) -> str:
    """The text before ``start`` back to (about) the start of its sentence."""
    return text[:start].rsplit("|", 3)[-1]


def _asked_about(before: str) -> bool:
    """Is what follows ``before`` the subject of a question ("asked if I'd had ...")?"""
    asks = list(_QUESTION_WORDS.finditer(before))
    if not asks:
        return False
    between = before[asks[-1].end():]
    return bool(re.search(r"\b(?:if|whether|about|any|whats|what|how often|ever|do you|have you|are "
                          r"you)\b", between + " ")) and not re.search(
        r"\b(?:because|since|so|and i|but)\b", between)


def _negated(text: str, start: int) -> bool:
    for word in _before(text, start, 4):
        if word in _NEGATORS:
            return True
        if word in _SELF and word != "my":
            return False
    return False


_RECOVERED = re.compile(
    r"\b(?:helped|better now|recovered|recovering|in recovery|survived|in a better place|clean for|"
    r"clean since|been clean|much better|doing better|got help|getting help|therapy|still here|"
    r"(?:years|yrs) clean|glad (?:every day )?(?:that )?i (?:did not|failed)|real help|proper help|"
    r"(?:a )?good life since|never returned|have not needed)\b"
)
# A time long past, said before the phrase ("many years ago, I tried to end my life").
_PAST_BEFORE = re.compile(
    r"\b(?:(?:(?:many|several|a few|\w+) )?years ago|back in (?:19|20)\d\d|in (?:19|20)\d\d|as a (?:teen|teenager|kid|"
    r"young (?:woman|man))|in my (?:teens|twenties|20s)|when i was (?:\d+|younger|young|a teen|a kid))\b"
)


def _in_the_past(text: str, m: re.Match[str]) -> bool:
    before = " ".join(_before(text, m.start(), 4)[::-1])
    return bool(re.search(r"\bused to\b", before) or _PAST_BEFORE.search(_sentence(text, m.start())[-400:])
                or re.match(
        r"^(?: \w+){0,4} (?:years ago|months ago|as a teen|as a teenager|as a kid|when i was "
        r"(?:younger|young|a teen|a kid|at school|in school)|in the past|back then)\b",
        _after(text, m.end())))


def _hypothetical(text: str, start: int) -> bool:
    return any(word in _HYPOTHETICAL for word in _before(text, start, 6))


def _self_subject(text: str, start: int) -> bool:
    """Is the verb at ``start`` said of the writer (or with its subject left out)?

    Walks back through the clause: "I"/"we"/"me" first means yes; "he", "she", "someone" or a
    possessed noun ("my knee wants to die") first means no; reaching the start of the clause
    means yes only if no other noun could be the subject ("...and thinking about jumping")."""
    content_seen = False
    for word in _before(text, start, 10):
        if word in _SELF and word != "my":
            return True
        if word in _OTHERS:
            return False
        if word in ("my", "our", "his", "her", "their", "your"):
            if content_seen:
                return False
            continue
        if word in _CLAUSE_OPENERS:
            return not content_seen
        # Verb forms ("planning on jumping", "decided to end it") say nothing about who; other
        # words may be the subject ("my knee wants to die").
        if word not in _FILLERS and word not in _NEGATORS and not word.endswith(("ing", "ed")):
            content_seen = True
    return not content_seen


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------

Check = Callable[[str, "re.Match[str]"], Level | None]


@dataclass(frozen=True)
class Rule:
    name: str
    category: str
    level: Level
    pattern: re.Pattern[str]
    anchors: frozenset[str]             # a clause needs one of these words for the regex to run,
    prefixes: tuple[str, ...]           # ...or one of these word beginnings,
    also: frozenset[str]                # ...and, if given, one of these words too
    needs_self: bool = False            # pattern has no "me/my/myself": check the subject
    negatable: bool = True              # a negation just before cancels it
    check: Check | None = None          # rule-specific context: returns a new level, or None


DRUG = (
    r"(?:pills?|meds|medications?|medicines?|tablets|capsules|oxy\w*|opioids?|opiates?|"
    r"painkillers|pain killers|sleeping pills|morphine|tramadol|codeine|fentanyl|hydrocodone|"
    r"gabapentin|pregabalin|lyrica|insulin|benzos?|xanax|valium|diazepam|amitriptyline|"
    r"paracetamol|tylenol|acetaminophen|ibuprofen|aspirin|norco|percocet|vicodin|dilaudid|"
    r"methadone|\w+ pills|\w+ tablets)"
)
INTENT = (
    r"(?:want|wanted|wants|wanting|going|planning|plan|plans|decided|deciding|ready|tempted|"
    r"try|trying|tried|about|intend|intending|urge|urges|need|needing|feel like|felt like|"
    r"thinking about|thinking of|think about|think of|thought about|thought of|considering|"
    r"considered|contemplating|will|gonna|might|could just|should just|would just|dream of|"
    r"dreaming of|dreaming about|fantasise about|fantasize about|fantasising about|"
    r"fantasizing about|researching|looking up|looked up|how to)"
)
_INTENT_END = re.compile(
    rf"\b(?:{INTENT}|until i can|till i can|until i|so i can|before i|could|would|wish i could)"
    rf"(?: to)?(?: just)?(?: fucking)?(?: be able to)?$"
)
_ACCIDENT = re.compile(
    r"^ (?:on (?:a|the|my|some|an)\b|by accident|accidentally|shaving|cooking|chopping|ironing|"
    r"while|when|in the kitchen|at the gym|at work|doing|trying|gardening|with (?:a|the) (?:knife|"
    r"kettle|iron|oven|stove|pan)|taking|getting|carrying|lifting|falling|tripping|moving|"
    r"cleaning|opening|by overdoing|overdoing|pushing|working)"
)
_DELIBERATE = re.compile(
    r"^(?: \w+){0,6} (?:again|on purpose|deliberately|intentionally|to feel|to cope|to punish|"
    r"until (?:it|they|i) (?:bled|bleeds|bleed|bruised))\b"
)


def _kill_myself(text: str, m: re.Match[str]) -> Level | None:
    after = _after(text, m.end())
    before = _before(text, m.start(), 3)
    verb = m.group(1) or ""
    if re.match(r"^ laughing\b", after):
        return "none"
    if verb == "ed":
        # "I nearly killed myself on the stairs", "killed myself getting this done".
        if {"nearly", "almost", "practically", "basically"} & set(before) or _ACCIDENT.match(after):
            return "none"
        return "concern"
    if verb == "ing" and re.match(r"^ (?:trying|to|at|with|over|for|working|doing|keeping|"
                                  r"getting|running|cleaning|studying|here)\b", after):
        return "none"  # overexertion idiom: "killing myself trying to keep up"
    if re.match(r"^ for (?:forgetting|being|not|saying|doing|missing|buying|eating)\b", after):
        return "concern"  # "I could kill myself for forgetting"
    return None


def _take_my_life(text: str, m: re.Match[str]) -> Level | None:
    if re.match(r"^ (?:back|away|apart|over|into|in|out|as i|as we|with)\b", _after(text, m.end())):
        return "none"  # "take my life back from this pain", "ended my life as I knew it"
    return None


def _want_to_die(text: str, m: re.Match[str]) -> Level | None:
    after = _after(text, m.end())
    if _HYPERBOLE_NONE.match(after):
        return "none"
    if " rather " in m.group() and re.match(r"^ than\b", after) and not re.match(
        r"^ than (?:live|living|go on|going on|keep going|carry on|be alive|spend|exist|suffer)\b", after
    ):
        return "concern"  # "I'd rather die than go back to that clinic"
    if _HYPERBOLE_LOL.match(after):
        return "concern"
    return None


def _self_harm_verb(text: str, m: re.Match[str]) -> Level | None:
    verb = m.group(1)
    after = _after(text, m.end())
    before = " ".join(_before(text, m.start(), 6)[::-1])
    intent = re.search(
        r"\b(?:want|wanted|wanting|going|urge|urges|urged|tempted|thinking about|thought about|"
        r"feel like|felt like|need|needing|about|will|gonna|might|relapsed|relapse|started|start|"
        r"stop myself from|not to|trying not to)\b", before
    )
    if _ACCIDENT.match(after) or re.search(r"\b(?:accidentally|nearly|almost)\b", before):
        return "none"
    if intent or _DELIBERATE.match(after):
        return None
    if verb in ("harm", "harming"):
        return None
    if verb.endswith("ing") and verb != "hurting":
        return None  # "I've been cutting myself", "started burning myself"
    if verb == "hurting" and re.search(r"\bbeen\b", before) and not re.match(r"^ by\b", after):
        return None
    return "none"  # "I hurt myself in the garden", "I cut myself": not enough on its own


def _not_want_to_live(text: str, m: re.Match[str]) -> Level | None:
    after = _after(text, m.end())
    if re.match(r"^ (?:like this|this way|with this|in this (?:pain|body|state)|in pain|with pain)\b", after):
        return "concern"  # "I don't want to live like this": about the pain, but worth a gentle check
    if m.group().endswith(" live") and re.match(
        r"^ (?:in|at|with|near|here|there|on|somewhere|abroad|alone|together|nearby|close|far|next)\b", after
    ):
        return "none"  # "I don't want to live in this city anymore"
    return None


def _self_harm_body(text: str, m: re.Match[str]) -> Level | None:
    after = _after(text, m.end())
    if _ACCIDENT.match(after) or re.search(r"\b(?:accidentally|nearly|almost)\b", " ".join(
            _before(text, m.start(), 4))):
        return "none"
    if m.group(1).startswith(("cut", "slit", "slash", "carv", "scar")):
        return None
    # Burning, hitting, scratching: deliberate only with an instrument or a stated purpose.
    if re.match(r"^(?: \w+){0,3} (?:with|using) (?:a |my |the )?(?:lighter|cigarettes?|razors?|blades?|"
                r"knife|knives|scissors|compass|glass|hot|lit|matches|fists?)\b",
                after) or _DELIBERATE.match(after):
        return None
    return "none"


def _take_all(text: str, m: re.Match[str]) -> Level | None:
    if re.match(r"^ (?:to|into|with|back|along|in to|out of|off|for (?:a |my )?(?:review|check))\b",
                _after(text, m.end())):
        return "none"  # "I'm going to take all my meds to the pharmacy for a review"
    return None if _intent_before(text, m.start()) else "none"


def _stockpile(text: str, m: re.Match[str]) -> Level | None:
    after = _after(text, m.end())
    if re.search(r"\b(?:flare\w*|breakthrough pain|bad days?)\b", after):
        return "none"  # painkillers kept everywhere "because when a flare hits..."
    if re.match(r"^(?: \w+){0,3} (?:for|before) (?:a |my |the |our )?(?:trip|travel|travelling|"
                r"traveling|holiday|holidays|vacation|flight|move|emergenc\w*|shortage|pharmacy|"
                r"refill|insurance)", after):
        return "none"
    if m.group().startswith(("collecting", "hiding")) and re.match(
        r"^ (?:from|at|later|today|tomorrow|this|on|in|prescription|up|for|every)\b", after
    ):
        return "none"  # "collecting my meds from the pharmacy", "hiding my meds from the kids"
    return None


_DRUG_RE = re.compile(rf"^ on (?:my |the |some |all my |all the |a )?(?:\w+ )?{DRUG}\b")


def _overdose(text: str, m: re.Match[str]) -> Level | None:
    before = " ".join(_before(text, m.start(), 5)[::-1])
    after = _after(text, m.end())
    if after.startswith(" on ") and not _DRUG_RE.match(after):
        return "none"  # "I overdosed on chocolate this weekend"
    if re.search(rf"\b{INTENT}(?: to)?(?: just)?(?: take)?(?: an?)?$", before) or m.group().startswith(
        ("overdosed", "took an overdose", "take an overdose")
    ):
        if re.search(r"\b(?:by accident|accidental|accidentally)\b", _after(text, m.end()) + before):
            return "none"
        return None
    return "none"


def _farewell_phrase(text: str, m: re.Match[str]) -> Level | None:
    if re.search(r"\b(?:cannot|could not) (?:hold on|go on|keep going|do this)|thank you (?:all )?for "
                 r"(?:everything|being)|thanks for everything|will not (?:see|be here)|"
                 r"sorry for everything|forgive me|i love you all|love you all|not your fault", text):
        return "crisis"
    return None


def _was_suicidal(text: str, m: re.Match[str]) -> Level | None:
    if m.group(1) in ("was", "used to be", "have been in the past"):
        if re.search(r"\b(?:ago|back then|in the past|used to|when i was|years|better now|"
                     r"recovered|recovering|survived)\b", text):
            return "none"
        return "concern"
    return None


def _thought_of_suicide(text: str, m: re.Match[str]) -> Level | None:
    if m.group().startswith(("attempted", "tried")):
        return "concern"  # a past attempt: ask, do not alarm
    return None


def _point(text: str, m: re.Match[str]) -> Level | None:
    after = _after(text, m.end())
    if re.match(r"^ (?:anymore|of anything|of (?:any|all) of (?:this|it)|of trying|in trying|of it all|"
                r"of all this|of me|even|at all)?\s*$", after):
        return None
    return "none"


def _rule(name: str, category: str, level: Level, pattern: str, anchors: str, *, needs_self: bool = False,
          negatable: bool = True, check: Check | None = None) -> Rule:
    """``anchors``: space-separated words, one of which every match contains ("stockpil*" for a
    word beginning); after a "+", a second group of which every match contains one too. Only
    clauses holding them are searched, which keeps ~70 rules to microseconds a message."""
    first, _, second = anchors.partition("+")
    words = first.split()
    return Rule(name, category, level, re.compile(pattern),
                frozenset(w for w in words if not w.endswith("*")),
                tuple(w[:-1] for w in words if w.endswith("*")), frozenset(second.split()),
                needs_self=needs_self, negatable=negatable, check=check)


def _intent_before(text: str, start: int) -> bool:
    """Is the phrase at ``start`` something the writer wants, plans or is about to do?"""
    return bool(_INTENT_END.search(" " + " ".join(_before(text, start, 6)[::-1])))


RULES: tuple[Rule, ...] = (
    # -- explicit ideation -------------------------------------------------------------------
    _rule("kill_myself", "explicit_ideation", "crisis",
          r"\bkill(ing|ed|s)? myself\b", "myself", check=_kill_myself),
    _rule("off_or_end_myself", "explicit_ideation", "crisis",
          r"\b(?:off|offing|end|ending|hang|hanging|drown|drowning|shoot|shooting|poison|"
          r"poisoning|gas|gassing|suffocate|delete|erase) myself\b(?! from)", "myself"),
    _rule("end_my_life", "explicit_ideation", "crisis",
          r"\b(?:end|ending|take|taking|took|ended) (?:my|my own) life\b", "life",
          check=_take_my_life),
    _rule("want_to_die", "explicit_ideation", "crisis",
          r"\b(?:want|wants|wanted|wanting|wish|wishing|ready|hope|hoping|pray|praying|"
          r"deserve|would rather|had rather|rather|plan|planning|long|longing) (?:to )?"
          r"(?:just )?(?:fucking )?die\b|\b(?:hope|hoping|wish|wishing|pray|praying) (?:that )?i "
          r"(?:would |could |will |might |just |finally |soon )*die\b", "die", needs_self=True,
          check=_want_to_die),
    _rule("ways_to_die", "method_means", "crisis",
          r"\b(?:painless|easy|easiest|quick|quickest|best|quiet|peaceful|fastest|simplest|"
          r"surest|gentle|gentlest) ways? to (?:die|kill myself|end it|end my life)\b|\b(?:googling|"
          r"googled|searching|searched|researching|researched|looking up|looked up|reading about|"
          r"search for|how to) (?:\w+ ){0,2}?(?:ways to|how to) (?:die|kill myself|end it|end my life)\b",
          "ways way how + die kill end", needs_self=True),
    _rule("thinking_about_not_existing", "passive_death_wish", "crisis",
          r"\b(?:think|thinking|thought|dream|dreaming|fantasi[sz]e|fantasi[sz]ing|obsess|obsessing) "
          r"(?:about|of) (?:just )?(?:not existing|not being (?:here|alive|around)|never waking up|"
          r"dying|being dead)\b",
          "existing being waking dying dead + think thinking thought dream dreaming fantasise fantasize "
          "fantasising fantasizing obsess obsessing", needs_self=True,
          check=lambda text, m: "none" if _HYPERBOLE_NONE.match(_after(text, m.end())) else None),
    _rule("wish_dead", "passive_death_wish", "crisis",
          r"\b(?:wish|wished|wishing|want|wanted|hope|hoping|rather) (?:that )?(?:i (?:was|were|"
          r"would be|could be|was just|were just|would just be|could just be) |to be |be )dead\b",
          "dead"),
    _rule("better_off_dead", "passive_death_wish", "crisis",
          r"\b(?:better off|rather be|prefer to be|be better) (?:dead|six feet under|in the ground|"
          r"in (?:a|my) grave|dead and buried|not alive|not existing)\b",
          "dead six ground grave alive existing", needs_self=True),
    _rule("death_appeal", "passive_death_wish", "crisis",
          r"\b(?:how |so |would be )?(?:peaceful|nice|restful|good|lovely|easy|easier|better|a relief|"
          r"such a relief|bliss) (?:it would be |it must be |to be |being )?(?:dead|to die|to not exist|"
          r"not to exist|not existing|to not wake up|not waking up|never waking up)\b|\b(?:being dead|"
          r"death|dying|not existing) (?:would|must|will) be (?:so )?(?:peaceful|nice|a relief|such a "
          r"relief|better|easier|restful|bliss|a release)\b",
          "dead die exist existing waking wake death dying", needs_self=True),
    _rule("suicidal_self", "explicit_ideation", "crisis",
          r"\b(?:i (was|am|have been|used to be|have been in the past)|been|feel|feeling|felt|"
          r"getting|get|got|becoming|going|gone) (?:really |very |so |pretty |quite |extremely |"
          r"kind of |a bit |a little |super |fucking |more |increasingly |actively |passively )?"
          r"suicidal\b", "suicidal", needs_self=True, check=_was_suicidal),
    _rule("suicidal_thoughts", "explicit_ideation", "crisis",
          r"\b(?:my|(?:have|having|had|get|getting|got|struggling with|struggle with|fighting|"
          r"battling|dealing with|experiencing|cannot shake|with)(?: any| some| a lot of| more| lots of|"
          r"constant| these| the| bad| really bad| intense| strong)?) (?:suicidal|suicide) "
          r"(?:thoughts|ideation|feelings|urges|thinking|impulses|plans?)\b",
          "suicidal suicide", needs_self=True),
    _rule("suicidal_again", "explicit_ideation", "crisis",
          r"\bsuicidal (?:again|tonight|today|right now|rn|lately|all day|every day|thoughts all day)\b",
          "suicidal", needs_self=True),
    _rule("thinking_of_suicide", "explicit_ideation", "crisis",
          r"\b(?:thinking|thought|thoughts|think|considering|considered|contemplating|planning|"
          r"plan|research|researching|attempt|attempted|attempting|tried|going to|want to|wanted to|"
          r"will|commit|committing|urge|urges) (?:about |of |to )?(?:committing |commit )?suicide\b",
          "suicide", needs_self=True, check=_thought_of_suicide),
    _rule("suicide_on_my_mind", "explicit_ideation", "crisis",
          r"\bsuicide (?:crossed|crosses|keeps crossing|is crossing|is on|has been on|is always on) "
          r"my mind\b|\bsuicide (?:seems|looks|feels) like (?:the|an|my) (?:only |best )?(?:answer|"
          r"option|way out|choice)\b|\bmy suicide (?:note|letter|plan|attempt)\b",
          "suicide"),
    # -- intent / plan ------------------------------------------------------------------------
    _rule("end_it_all", "intent_plan", "crisis",
          r"\bend(?:ing)? (?:it all|everything|all of it|my suffering|my existence)\b", "end ending"),
    _rule("plan_to_end_it", "intent_plan", "crisis",
          r"\bend(?:ing)? (?:it|things)(?= \||$| (?:tonight|today|now|soon|"
          r"tomorrow|this weekend|this week|next week|all|for good|once and for all|forever|after|"
          r"before|when)\b)",
          "end ending", needs_self=True,
          check=lambda text, m: None if _intent_before(text, m.start()) else "none"),
    _rule("picked_a_date", "intent_plan", "crisis",
          r"\b(?:picked|chosen|chose|set|have) a (?:date|day|time) (?:to|for) (?:end|ending|die|dying|"
          r"do it|go)\b|\btonight is the night\b",
          "date day time night + picked chosen chose set have tonight"),
    _rule("know_how_i_would_do_it", "intent_plan", "crisis",
          r"\b(?:know|figured out|worked out|decided|planning|plan|planned|thinking about|thought about|"
          r"working out|researching|figuring out) (?:exactly )?how (?:i would|i will|i am going to|i could|"
          r"to) (?:do it|end it|go through with it|kill myself)\b",
          "how + it through myself"),
    _rule("would_have_done_it", "intent_plan", "crisis",
          r"\b(?:would have|would) (?:already )?(?:ended (?:it|things|my life)|killed myself|done it|gone "
          r"through with it|taken my (?:own )?life)(?: already| by now| long ago| years ago)?\b"
          r"(?= \||$| if\b)",
          "ended killed done gone taken + would"),
    _rule("only_thing_keeping_me", "intent_plan", "crisis",
          r"\bthe only (?:thing|reason|one|person) (?:stopping me|keeping me (?:here|alive|going)|i am "
          r"still (?:here|alive))\b",
          "only + stopping keeping still"),
    _rule("something_stupid", "intent_plan", "concern",
          r"\b(?:going to|about to|might|will|want to|scared i will|afraid i will|worried i will) do "
          r"something (?:stupid|drastic|permanent|i cannot take back|dangerous)\b|\bi want out(?! of)\b|"
          r"\bi want out of (?:this life|life|this world|here|existence)\b",
          "something out",
          check=lambda text, m: "crisis" if re.search(
              r"\b(?:tonight|right now|now|today|soon|help me|please help|someone help|permanently|for "
              r"good|forever|of this life|of life)\b", text) else None),
    # -- self-harm ----------------------------------------------------------------------------
    _rule("self_harm_act", "self_harm", "crisis",
          r"\b(cut|cutting|cuts|burn|burning|burned|burnt|hit|hitting|punch|punching|scratch|"
          r"scratching|harm|harming|hurt|hurting|bruise|bruising|bite|biting|carve|carving) myself\b",
          "myself", check=_self_harm_verb),
    _rule("self_harm_body", "self_harm", "crisis",
          r"\b(cut|cutting|slit|slitting|slash|slashing|carve|carving|burn|burning|burnt|burned|hit|"
          r"hitting|scratch|scratching|scar|scarring) (?:my|both my|open my) (?:wrists?|arms?|thighs?|"
          r"legs?|veins?|skin|stomach|body|hips?)\b",
          "cut cutting slit slitting slash slashing carve carving burn burning burnt burned hit hitting "
          "scratch scratching scar scarring", needs_self=True, check=_self_harm_body),
    _rule("self_harm_word", "self_harm", "crisis",
          r"\b(?:i (?:\w+ )?|been |started |start |keep |kept |relapsed (?:on |into |with )?|"
          r"relapse (?:on |into |with )?|relapsing (?:on |into |with )?|urge to |urges to |want to |"
          r"going to |tempted to |need to |thinking about |thought about |back to )selfharm(?:ing|ed|s)?\b"
          r"|\bselfharm (?:urges?|again|tonight|relapse)\b|\b(?:urge|urges) (?:to |of )selfharm",
          "selfharm*", needs_self=True),
    _rule("self_harm_again", "self_harm", "crisis",
          r"\b(?:been|started|start|keep|kept|back to|relapsed and|am|was) (?:cutting|burning|scratching|"
          r"selfharming) (?:again|deeper|more|every day|every night|daily)\b|\bcutting (?:again|deeper)\b",
          "cutting burning scratching selfharming", needs_self=True),
    _rule("starve_myself", "self_harm", "concern",
          r"\bstarv(?:e|ing) myself\b", "myself"),
    # -- passive death wish --------------------------------------------------------------------
    _rule("not_want_to_live", "passive_death_wish", "crisis",
          r"\b(?:do not|did not|no longer|never|not) (?:really |even |fucking )?(?:want|wanna|wish|"
          r"care) to (?:live|be alive|exist|wake up|keep living|go on living|be around|be here "
          r"anymore|be on this earth|carry on living)\b",
          "not never longer + live alive exist wake here around earth", negatable=False,
          check=_not_want_to_live),
    _rule("stop_existing", "passive_death_wish", "crisis",
          r"\b(?:want|wanna|wish|need) (?:to )?(?:just )?(?:stop existing|not exist|not be alive|cease "
          r"to exist|not be here anymore|be gone forever)\b|"
          # "would give anything to just fade out and not be here", "i just want to not be here"
          r"\b(?:want to|wanna|give anything to|wish i could) (?:just |simply )?(?:fade out and )?not be here\b|"
          r"\bwish i (?:did not|do not|could not|"
          r"would not) exist\b|\bwish i (?:could )?(?:just )?(?:stop|stopped) existing\b",
          "existing exist alive anymore forever here"),
    _rule("no_reason_to_live", "passive_death_wish", "crisis",
          r"\b(?:no|not any|not a single|lost my|lost all|without a) (?:reason|point) (?:to |in |for )?"
          r"(?:live|living|go on|going on|be alive|being alive|carry on|carrying on|keep going|"
          r"staying alive|stay alive|wake up|waking up)\b|\bnothing (?:left )?to live for\b|"
          # "nothing left keeping me going", "nothing left for me to look forward to" (training);
          # "nothing left worth getting up for" is the rule's own "no reason to get up"
          r"\bnothing left (?:for me )?(?:keeping me (?:going|here|alive)|to look forward to|"
          r"(?:worth |to )(?:get|getting) up for)\b|"
          r"\b(?:life|living|my life|it) (?:is|feels|seems) (?:not|no longer) worth (?:living|it "
          r"anymore|living for)\b|\bnot worth living\b|"
          r"\bwhat is (?:even )?the point (?:of|in) (?:living|life|being alive|going on|waking up|"
          r"staying alive|existing|carrying on)\b|\b(?:do not|cannot) see (?:the|any) point (?:in|of) "
          r"(?:living|life|being alive|going on|anything anymore)\b|"
          # "can't see a reason to keep going", "can't find a single reason to carry on" (training)
          r"\b(?:can not|cannot|do not|could not|hard to) (?:\w+ )?(?:see|find|think of|have) "
          r"(?:a |any |one |a single )?reason to (?:live|go on|carry on|keep going|stay alive|get up)\b",
          "reason point worth nothing", negatable=False),
    # "the thoughts of dying drift in most nights" (training): ideation, a concern of its own
    _rule("thoughts_of_dying", "passive_death_wish", "concern",
          r"\b(?:the |my |these |those |dark )?thoughts? (?:of|about) (?:dying|not being here|not existing|"
          r"being dead|death)\b", "dying here existing dead death + thoughts thought", needs_self=True),
    _rule("no_future", "passive_death_wish", "crisis",
          r"\b(?:do not|cannot|can not|no longer) see myself (?:being |still )?(?:here|alive|around|"
          r"making it|living) (?:by|in|next|at|for|past|much longer|to|until|this time)\b",
          "myself", negatable=False),
    _rule("welcome_death", "passive_death_wish", "crisis",
          r"\b(?:looking forward to|cannot wait for|welcome|long for|longing for|ready for) (?:dying|"
          r"death|being dead|the end of my life|my death)\b|\bnot (?:scared|afraid|frightened) of "
          r"(?:dying|death) anymore\b", "dying death dead",
          check=lambda text, m: None if (m.group().startswith(("looking", "cannot", "welcome", "long"))
                                         or re.search(r"\blooking forward to it\b", text)) else "concern"),
    _rule("own_funeral", "passive_death_wish", "concern",
          r"\b(?:imagining|imagine|imagined|picturing|picture|thinking about|planning|planned|planning "
          r"out|fantasi[sz]ing about|dreaming about) my (?:own )?funeral\b", "funeral", needs_self=True,
          check=lambda text, m: "crisis" if re.search(
              r"\b(?:relieved|relief|peaceful|peace|glad|happy|calm|comfort|comforting)\b", text) else None),
    _rule("reasons_running_out", "ambiguous_passive", "concern",
          r"\b(?:running out of|run out of|ran out of|cannot find any|lost all my) reasons? to (?:keep "
          r"going|live|go on|stay|carry on|be here|get up)\b", "reason reasons"),
    _rule("tired_of_living", "passive_death_wish", "crisis",
          r"\b(?:tired|sick|exhausted|done) (?:of|with) (?:living|being alive|life|existing|"
          r"being here|breathing)\b",
          "tired sick exhausted done + living alive life existing being breathing",
          needs_self=True),
    _rule("never_wake_up", "passive_death_wish", "crisis",
          r"\b(?:go to sleep|fall asleep|sleep|close my eyes|go to bed) and (?:never|not) wake up\b|"
          r"\b(?:hope|hoping|wish|wishing|pray|praying|want)(?: \w+){0,3}? (?:that )?i (?:would |will |coul"
          r"d |"
          r"might |did |do )?(?:not|never) wake up\b|\b(?:hope|pray|wish|wishing|"
          r"hoping|praying) (?:that )?i (?:just )?die in my sleep\b|\bif i (?:died|die|did not wake up|"
          r"never woke up|was gone|were gone)\b(?:[^|]{0,40})\b(?:relieved|relief|glad|happy|fine|"
          r"okay|ok|grateful|blessing|peace|better)\b", "wake sleep die died gone asleep bed eyes woke dead"),
    _rule("better_off_without_me", "passive_death_wish", "crisis",
          r"\b(?:better off|happier|easier|better) without me\b|\b(?:nobody|no one|noone|not one "
          r"person) (?:would|will|is going to|going to|gonna|is gonna) (?:even |really |actually )?"
          r"(?:miss me|notice (?:(?:if|when|that) )?i|care (?:if|when) i)\b|\b(?:do not|did not) think "
          r"(?:anyone|anybody) (?:would|will) (?:even |really )?(?:miss me|notice|care)\b|"
          r"\bnobody would care if i\b|\b(?:better off|easier|happier|better|simpler) (?:for "
          r"(?:everyone|them|my \w+) )?(?:if|when|once) i (?:just )?(?:was|were|am|was just|were just) "
          r"(?:not around|not here|no longer around|no longer here|gone|dead|not alive)\b|\b(?:doing "
          r"(?:everyone|them|everybody|my \w+) a (?:favour|favor)|a relief (?:for|to) (?:everyone|them)|"
          r"(?:everyone|they) would be relieved) (?:if|when) i (?:just )?(?:killed myself|died|was gone|"
          r"was dead|disappeared|was not here)\b",
          "without miss notice care favour favor relief relieved better easier happier simpler",
          negatable=False),
    _rule("pain_would_kill_me", "passive_death_wish", "crisis",
          r"\b(?:wish|hope|hoping|wishing|pray|praying) (?:that )?(?:the pain|this pain|it|this|"
          r"this flare|my illness|this disease|something|someone) (?:would |will |could )?"
          r"(?:just )?(?:finally )?(?:kills?|killed|take|takes) me\b",
          "kill kills killed take takes + wish hope hoping wishing pray praying"),
    _rule("wish_it_had_killed_me", "passive_death_wish", "concern",
          r"\b(?:wish|wished|wishing|hope|hoped|hoping)(?: that)? (?:the |that |my |this )?(?:\w+ ){0,2}?"
          r"(?:crash|accident|surgery|operation|op|fall|overdose|knife|stroke|infection|anaesthetic|anesthetic|"
          r"sepsis|bleed|tumou?r)(?: \w+)? (?:had|would have|would|could have|will|would just) (?:just )?"
          r"(?:killed|finished|taken|ended|slipped)(?: me| it)?\b|\bwish(?:ed)? i (?:had not|never|did not) "
          r"(?:woke|woken|wake|come round|come around|survived)\b|\bshould (?:have|of|a) died (?:in|during|on|"
          r"after) (?:that|the|my)\b",
          "killed finished taken ended slipped woke woken wake come survived died"),
    _rule("refuse_decades", "passive_death_wish", "concern",
          r"\b(?:not|never|cannot|can not) (?:going to |gonna )?(?:live|living|do|doing|wait|waiting|face|facing|"
          r"spend|spending|go through|take|bear) (?:\w+ ){0,3}?(?:another|for decades|decades|\d+ more|"
          r"(?:ten|twenty|thirty|forty|fifty|\d+) (?:more )?(?:years|yrs))\b",
          "another decades years yrs more + not never cannot can", negatable=False),
    # -- method / means ------------------------------------------------------------------------
    _rule("stockpiling", "method_means", "crisis",
          rf"\b(?:stockpil\w*|hoard\w*|saving up|saved up|saving|stash\w*|squirrel\w* away|"
          rf"keeping back|holding back|collecting|hiding) (?:up |away )?(?:all |some )?(?:of )?(?:my |the |"
          rf"these |"
          rf"those |extra |spare |up )?{DRUG}\b",
          "stockpil* hoard* saving saved stash* squirrel* keeping holding collecting hiding",
          needs_self=True, check=_stockpile),
    _rule("means_ready", "method_means", "crisis",
          rf"\b(?:have|got|with|keep|kept) (?:all |got )?(?:the|my|enough|some) (?:\w+ )?{DRUG} "
          rf"(?:\w+ ){{0,2}}?(?:lined up|counted out|laid out|set aside|put aside|stashed|hidden away|"
          rf"saved up|saved)\b|\benough (?:of )?(?:my |the )?(?:\w+ )?{DRUG} (?:\w+ ){{0,2}}?(?:saved|"
          rf"stashed|stored|put away|to do it|to end it|to die|to kill me|to not wake up|to finish "
          rf"it)\b", "lined counted laid aside stashed hidden saved enough stored away", needs_self=True,
          check=lambda text, m: "none" if re.search(
              r"\b(?:for (?:the|this|next|a) (?:week|month|day|morning|trip|holiday)|organi[sz]er|"
              r"dosette|pill box|pillbox|blister pack)\b", _after(text, m.end())) else _stockpile(text, m)),
    _rule("overdose_intent", "method_means", "crisis",
          r"\b(?:overdos(?:e|ing|ed)|(?:take|took|taking) an overdose)\b", "overdos*",
          needs_self=True, check=_overdose),
    _rule("take_all_pills", "method_means", "crisis",
          rf"\b(?:take|taking|swallow|swallowing|down|downing) "
          rf"(?:(?:all|every one|every single one|a handful|handfuls|loads|lots)(?: of)?(?: my| the| "
          rf"these| those)? (?:\w+ )?{DRUG}|the whole (?:bottle|box|pack|packet|strip|lot)|a whole "
          rf"(?:bottle|box|pack|packet)|everything in (?:the|my) (?:medicine|meds|pill|bathroom) "
          rf"(?:cabinet|cupboard|drawer|box|bag))",
          "take taking swallow swallowing down downing + all every handful handfuls loads lots whole "
          "everything", needs_self=True, check=_take_all),
    _rule("whole_bottle", "method_means", "crisis",
          r"\b(?:take|took|taking|swallow|swallowed|down|downed|drink|drank) (?:the|a) whole "
          r"(?:bottle|box|pack|packet|strip|jar)\b|\b(?:took|swallowed) (?:all|every one) (?:of )?"
          r"(?:my|the) \w+ (?:at once|in one go|together)\b", "whole once"),
    _rule("lethal_amount", "method_means", "crisis",
          r"\bhow (?:many|much)(?: of)?(?: my| the| these)? (?:\w+ ){0,3}(?:would|will|does|do|is|"
          r"it would|it will|would it|will it|does it|do i need|should i) (?:\w+ ){0,3}?(?:lethal|"
          r"fatal|kill me|to die|to not wake up|not to wake up|to overdose|to end it|be enough to "
          r"(?:die|kill|end it|not wake up))\b",
          "how + many much"),
    _rule("lethal_dose", "method_means", "concern",
          r"\blethal (?:dose|amount|quantity)\b", "lethal"),
    _rule("jump", "method_means", "crisis",
          r"\bjump(?:ing)? (?:off|from) (?:a |the |my |that |this |our )?(?:bridge|building|roof|"
          r"rooftop|balcony|cliff|overpass|ledge|window|car park|parking garage|tower|it)\b|"
          r"\b(?:jump|jumping|step|stepping|walk|walking|throw myself|throwing myself|lie down|lying "
          r"down) (?:in front of|under|onto|into) (?:a |the )?(?:train|bus|truck|lorry|car|traffic|"
          r"tracks|oncoming traffic|sea|ocean|river|lake|water)\b",
          "jump jumping step stepping walk walking throw throwing lie lying",
          needs_self=True),
    _rule("method_research", "method_means", "crisis",
          r"\b(?:looked up|looking up|googled|googling|searched|searching|checked|checking|researched|"
          r"researching|found|finding out) (?:which|what|the|where the) (?:\w+ )?(?:bridge|building|"
          r"cliff|car park|tower|balcony|overpass|drop)s? (?:is |are |was )?(?:the )?(?:highest|tallest|"
          r"biggest|longest|fatal|deadly)\b",
          "highest tallest biggest longest fatal deadly", needs_self=True),
    _rule("stepping_off", "method_means", "crisis",
          r"\b(?:step|stepping|walk|walking|fall|falling|lean|leaning) (?:off|over)(?: it| the edge| the "
          r"platform| the ledge| the roof| the bridge| the balcony| the cliff)?(?= \||$)|\b(?:step|stepping|"
          r"walk|walking) (?:off|over) the (?:edge|platform|ledge|roof|bridge|balcony|cliff)\b",
          "step stepping walk walking fall falling lean leaning", needs_self=True,
          check=lambda text, m: None if re.search(
              r"\b(?:edge|platform|ledge|roof|bridge|balcony|cliff|tracks)\b", text) else "none"),
    _rule("hanging", "method_means", "crisis",
          r"\b(?:noose|tie a rope|tying a rope|rope around my neck)\b|\b(?:want|going|gonna|wanna) to "
          r"rope\b", "noose rope tie tying"),
    _rule("firearm", "method_means", "crisis",
          r"\bgun (?:to|against|in) my (?:head|mouth|temple)\b|\bblow my (?:brains|head) (?:out|off)\b|"
          r"\bput a bullet (?:in|through) my\b|\bbullet (?:in|through) my (?:head|brain)\b",
          "gun brains bullet blow"),
    _rule("drive_into", "method_means", "crisis",
          r"\b(?:drive|driving|crash|crashing|steer|steering|swerve|swerving) (?:my car |the car )?"
          r"(?:off|into|in front of) (?:a |the )?(?:cliff|wall|tree|bridge|river|lake|lorry|truck|"
          r"oncoming traffic|traffic|sea|pole|barrier|road|motorway|highway|freeway)\b|\bcrash(?:ing)? (?:m"
          r"y|the) car on purpose\b",
          "drive driving crash crashing steer steering swerve swerving", needs_self=True),
    _rule("veiled_method", "method_means", "crisis",
          r"\b(?:rope|noose|pills|blade|razor|gun|meds|tablets)\b[^|]{0,60}\b(?:i|and i) know (?:what|"
          r"exactly what) (?:it is|they are|it|they|that is) for\b",
          "rope noose pills blade razor gun meds tablets + know"),
    # -- farewell ------------------------------------------------------------------------------
    _rule("goodbye_letters", "farewell", "crisis",
          r"\b(?:wrote|written|writing|write|left|leaving|leave|recorded|recording|drafted|drafting|"
          r"finished|finishing|prepared|preparing) (?:a |my |some |the |all my |all the |out )?"
          r"(?:goodbye|suicide|farewell) (?:note|letter|message|video|email)s?\b|"
          r"\bletters? (?:to|for) (?:my|everyone|all)\b[^|]{0,40}\b(?:saying|to say) goodbye\b|"
          r"\b(?:written|wrote|writing) (?:letters|notes) to everyone i love\b",
          "goodbye suicide farewell letters letter notes", needs_self=True),
    _rule("explaining_note", "farewell", "crisis",
          r"\b(?:note|notes|letter|letters|message|video) (?:for|to) (?:my |everyone|all)(?:\w+ ){0,3}?"
          r"(?:so (?:they|he|she|everyone|you) (?:will |can |would )?(?:understand|know)|explaining|to "
          r"explain) (?:why|that it is not)\b", "note notes letter letters message video", needs_self=True),
    _rule("affairs_in_order", "farewell", "concern",
          r"\b(?:wrote|written|writing|made|sorted|updated|finished) (?:my|a) will\b|\bput(?:ting)? my "
          r"affairs in order\b",
          "wrote written writing made sorted updated finished affairs", needs_self=True,
          check=lambda text, m: "crisis" if re.search(
              r"\b(?:i am ready|ready to go|letters?|goodbye|note|not be here|will not need)\b",
              text[m.end():]) else None),
    _rule("look_after_when_gone", "farewell", "crisis",
          r"\b(?:look after|take care of|feed|find a home for|rehome|care for|love) (?:my|our) "
          r"(?:\w+ ){0,2}(?:when|after|once|if) i am (?:gone|not here|dead)\b", "gone here dead"),
    _rule("when_im_gone", "farewell", "concern",
          r"\b(?:when|after|once|if) i am (?:gone|dead|not here anymore|no longer here|not here "
          r"(?:tomorrow|next week|next time|anymore|by))\b", "gone dead here",
          check=_farewell_phrase),
    _rule("giving_away", "farewell", "concern",
          r"\bgiv(?:e|ing|en) away (?:all )?(?:of )?my (?:things|stuff|belongings|possessions|"
          r"cat|dog|pets|books|clothes)\b|\bgiv(?:e|ing|en) (?:all )?(?:of )?my (?:things|stuff|"
          r"belongings|possessions|pets|books|clothes) away\b", "give giving given",
          check=lambda text, m: "crisis" if re.search(
              r"\b(?:will not|do not|not going to|never) need (?:them|it|any of it|anything)\b", text
          ) else None),
    _rule("goodbye", "farewell", "concern",
          r"\bthis is (?:my )?(?:goodbye|farewell)\b|\bmy (?:final|last) goodbye\b|\b(?:goodbye|bye) "
          r"(?:forever|everyone|everybody|all|all of you|world|cruel world|for good|my friends)\b|\bthis is"
          r" my (?:last|final) "
          r"(?:message|post|night)\b|\bsaying my (?:final )?goodbyes\b", "goodbye farewell last final bye",
          check=_farewell_phrase),
    # -- concern: ambiguous, passive -----------------------------------------------------------
    _rule("cannot_go_on", "ambiguous_passive", "concern",
          r"\bcannot (?:go on|keep going|keep doing this|carry on|continue|do this|do it|take "
          r"(?:it|this|this pain|the pain|much more)|handle (?:it|this)|cope|live like this)"
          r"(?: anymore| any longer| much longer| like this| this way|(?= \|))|\b(?:do not|no longer) "
          r"know how (?:much longer|long) i can (?:keep going|go on|do this|take (?:it|this)|keep "
          r"fighting|hold on|last|cope)\b|\b(?:do not|did not) think i can (?:do this|do it|go on|keep "
          r"going|take (?:it|this)|cope|handle (?:it|this)|keep fighting)(?: much longer| anymore| any "
          r"longer| for much longer)\b",
          "cannot know think + go carry continue do take handle cope live longer long keep"),
    _rule("tired_of_everything", "ambiguous_passive", "concern",
          r"\b(?:tired|sick|exhausted) of (?:everything|it all|all of it|fighting|trying|being me)(?= \||$)",
          "tired sick exhausted + everything all fighting trying being", needs_self=True),
    _rule("end_of_my_rope", "ambiguous_passive", "concern",
          r"\b(?:end of my (?:rope|tether)|at my limit|reached my limit|(?:everything|it all|life) "
          r"(?:feels|is|seems) (?:so )?hopeless|"
          r"i (?:feel|am) (?:so )?hopeless|no hope left|(?:nobody|no one) (?:cares|would care) (?:about|"
          r"if) (?:me|i))\b", "rope tether limit hopeless hope cares care", negatable=False),
    _rule("how_much_more", "ambiguous_passive", "concern",
          r"\bhow much more (?:of this )?i can (?:take|handle|do|bear)\b", "how + more", negatable=False),
    _rule("what_is_the_point", "ambiguous_passive", "concern",
          r"\bwhat is (?:even )?the point\b", "point", check=_point),
    _rule("burden", "ambiguous_passive", "concern",
          r"\b(?:i am|i feel like|feel like|i have become|i am just|i am such) (?:such |just |nothing "
          r"but |only )?a (?:burden|waste of space)\b|\b(?:a|such a) burden (?:to|on) (?:everyone|"
          r"my \w+|the people|everybody)\b", "burden waste", needs_self=True),
    _rule("disappear", "ambiguous_passive", "concern",
          r"\b(?:want|wanna|wish|wishing|need) (?:to |i could |i could just )?(?:just )?(?:disappear|"
          r"vanish|sleep forever|go to sleep forever|sleep for ever|not wake up for a (?:long )?while|fade "
          r"away)\b|\bwish i (?:had never|"
          r"was never|were never) (?:been )?born\b|\bwant (?:it|this|everything) (?:all )?to (?:end|"
          r"stop|be over)\b", "want wanna wish wishing need",
          needs_self=True,
          check=lambda text, m: "crisis" if re.search(r"\b(?:it all|everything) to (?:end|be over)\b",
                                                       m.group()) else None),
    _rule("give_up_on_life", "ambiguous_passive", "concern",
          r"\b(?:give|giving|gave|given) up on (?:life|living|everything|myself)\b|\b(?:feel like|want to|"
          r"ready to|going to|about to) (?:just )?giv(?:e|ing) up(?= \||$| on (?:life|living|everything|mys"
          r"elf))",
          "give gave giving given",
          needs_self=True),
    _rule("kill_me_now", "ambiguous_passive", "concern",
          r"\b(?:just |please |someone |somebody |pls )(?:please |just )?kill me\b|\bkill me now\b",
          "kill"),
    _rule("not_be_here", "ambiguous_passive", "concern",
          r"\b(?:do not|not) want to be here\b|\b(?:will not|may not|might not|not going to) be "
          r"(?:here|around) (?:much longer|for long|tomorrow|next week|anymore)\b",
          "not + here around", negatable=False),
)


def _context_level(text: str, rule: Rule, m: re.Match[str]) -> tuple[Level, str]:
    """The level this match earns in its context, and the rule name to report."""
    if rule.negatable and _negated(text, m.start()):
        return "none", rule.name
    if rule.needs_self and not _self_subject(text, m.start()):
        return "none", rule.name
    level: Level = rule.level
    if rule.check is not None:
        adjusted = rule.check(text, m)
        if adjusted is not None:
            level = adjusted
    if level == "none":
        return level, rule.name
    if _asked_about(_sentence(text, m.start())):
        # Asked about it (doctor, form, survey): a mention, unless they say they answered yes.
        if _ANSWER_YES.search(text):
            return "crisis", "clinical_question_answered_yes"
        return "none", rule.name
    if level == "crisis" and _hypothetical(text, m.start()):
        return "concern", rule.name
    if level == "crisis" and rule.category in ("explicit_ideation", "self_harm", "method_means") and \
            _in_the_past(text, m):
        # "I used to think about suicide but therapy helped": history, asked about gently.
        return ("none" if _RECOVERED.search(text) else "concern"), rule.name
    return level, rule.name


# Bounds on the work one message can cause (a 10,000-character message repeating a phrase).
_CONTEXT_CHARS = 400
_MAX_CONTEXTS_PER_RULE = 12
_MAX_CONTEXTS = 200
_MAX_SEARCHES = 600  # clause searches; a 2,000-character message needs well under 100
_ANCHOR_WORDS = frozenset().union(*(r.anchors | r.also for r in RULES))
_PREFIX_RULES = tuple((i, r.prefixes) for i, r in enumerate(RULES) if r.prefixes)


def _clauses_with(norm: str, needle: str, starts: list[int]) -> set[int]:
    """Numbers of the clauses (by start offset) in which ``needle`` occurs."""
    found: set[int] = set()
    at = norm.find(needle)
    while at >= 0:
        found.add(bisect_right(starts, at) - 1)
        at = norm.find(needle, at + 1)
    return found


# anchor words found in one clause -> the rules to search that clause with (anchor and "also"
# words both present). Few distinct sets occur; bounded all the same.
_RULES_FOR: dict[frozenset[str], tuple[int, ...]] = {}
_RULES_FOR_LIMIT = 20_000


def _rules_for(hits: frozenset[str]) -> tuple[int, ...]:
    rules = _RULES_FOR.get(hits)
    if rules is None:
        if len(_RULES_FOR) > _RULES_FOR_LIMIT:
            _RULES_FOR.clear()
        rules = tuple(i for i, r in enumerate(RULES) if r.anchors & hits and (not r.also or r.also & hits))
        _RULES_FOR[hits] = rules
    return rules


def detect(text: str, folded: str | None = None) -> CrisisResult:
    """The highest crisis level any rule finds in ``text``, with that rule's name.

    ``folded`` is ``fold(text)`` when the caller already has it."""
    return detect_near(text, folded)[0]


WINDOW_CHARS = 300


def detect_near(text: str, folded: str | None = None) -> tuple[CrisisResult, str]:
    """``detect``, and the normalised words around the deciding match (for the tiers' context
    cues; the caller reads it and lets it go)."""
    if not text or not text.strip():
        return NONE, ""
    norm = normalise(text, folded)
    # norm is "| clause | clause |": parts[n + 1] is clause n. Each candidate rule is searched
    # only in the clauses holding its anchor words (one set intersection per clause, in C).
    parts = norm.split("|")
    todo: dict[int, list[int]] = {}
    hits_by_clause: list[frozenset[str]] = []
    for n, clause in enumerate(parts[1:-1]):
        hits = _ANCHOR_WORDS.intersection(clause.split())
        hits_by_clause.append(hits)
        if hits:
            for i in _rules_for(hits):
                todo.setdefault(i, []).append(n)
    prefixed = [(i, p) for i, prefixes in _PREFIX_RULES for p in prefixes if p in norm]
    if not todo and not prefixed:
        return NONE, ""
    starts = [at + n for n, at in enumerate(accumulate(map(len, parts[:-1])))]  # clause n's "|"
    for i, prefix in prefixed:
        also = RULES[i].also
        extra = {n for n in _clauses_with(norm, prefix, starts)
                 if n < len(hits_by_clause) and (not also or also & hits_by_clause[n])}
        todo[i] = sorted(extra.union(todo.get(i, ())))
    best = NONE
    window = ""
    budget = _MAX_CONTEXTS
    searches = _MAX_SEARCHES
    for i in sorted(todo):
        rule = RULES[i]
        per_rule = _MAX_CONTEXTS_PER_RULE
        for n in todo[i]:
            if per_rule <= 0 or budget <= 0 or searches <= 0:
                continue
            searches -= 1
            for m in rule.pattern.finditer(norm, starts[n], starts[n + 1] + 1):
                per_rule -= 1
                budget -= 1
                level, name = _context_level_near(norm, rule, m)
                if _RANK[level] > _RANK[best.level]:
                    best = CrisisResult(level, name, rule.category)
                    window = norm[max(0, m.start() - WINDOW_CHARS):m.end() + WINDOW_CHARS]
                    if level == "crisis":
                        return best, window
                if per_rule <= 0 or budget <= 0:
                    break
    return best, window


def _context_level_near(norm: str, rule: Rule, m: re.Match[str]) -> tuple[Level, str]:
    """``_context_level`` on the text around the match only, so a long message full of matches
    costs the same per match as a short one (context never reaches further than this anyway)."""
    lo = max(0, m.start() - _CONTEXT_CHARS)
    window = norm[lo:m.end() + _CONTEXT_CHARS]
    near = rule.pattern.match(window, m.start() - lo)
    if near is None:  # cannot happen for these patterns; fall back to the whole text
        return _context_level(norm, rule, m)
    return _context_level(window, rule, near)
