"""Warning signs: the words in which people signal danger without saying "I will kill myself".

Safety practice (Samaritans, #chatsafe, the Columbia protocol's categories) lists what members of
pain communities write instead: things given away, letters and wills, pets rehomed, goodbyes and
thanks for everything, being a burden "not for much longer", a time or a place, lethal doses and
which pills work together, a stash counted, a plan hung on the next treatment, self-harm done,
vital medication stopped, an overdose taken.

``signs(text)`` names the categories whose words appear in a sentence. It is deliberately broad:
it decides nothing alone. The cascade (``bot/screening/cascade.py``) sends every sentence that
shows a sign (or that the rules or the fast model find at risk) to the contextual encoder, which
reads whether "I gave my guitar to my nephew" is decluttering or a goodbye. A sign also lets the
encoder's lower crisis threshold apply (sign and encoder agree), so a veiled plan is `crisis`
while an ordinary message with the same words stays calm.

Patterns run on ``plain_words`` text in lower case; nothing of the text is kept or logged.
"""

from __future__ import annotations

import re

_SIGNS: dict[str, re.Pattern[str]] = {
    "preparation": re.compile(
        r"\b(?:giv(?:e|ing)|gave|given|handing|handed|leav(?:e|ing)|left) (?:[\w']+ ){0,4}?"
        r"(?:away|to (?:my|her|his|you)|"
        r"my (?:\w+ )?(?:collection|things|stuff|ring|guitar|jewel\w*|books|cat|dog|car|console|switch|kindle))|"
        r"\bwho (?:gets|wants|should have|can have) my\b|\brehom\w*|\bnew home for (?:my|the)\b|"
        r"\b(?:wrote|writ\w+|written|finish\w*|updat\w+|sorted|sort\w*|made|making|sign\w*|left|leave) (?:\w+ ){0,3}?"
        r"(?:will|letters?|notes?|instructions|passwords?|affairs|paperwork|accounts|funeral|obituary|eulogy)\b|"
        r"\b(?:letters?|notes?) (?:for|to) (?:everyone|my|each|them|the kids|the family|mum|mom|dad)\b|"
        r"\bobituary\b|\beulogy\b|\bfuneral (?:plans?|songs?|playlist|wishes|arrangements)\b|"
        r"\bfor (?:after|when i(?:'m| am)? (?:gone|not here|not around))\b|\bafter i(?:'m| am) gone\b|"
        r"\bloose ends\b|\baffairs in order\b|\bwon'?t (?:need|be needing) (?:it|them|these|my)\b"),
    "farewell": re.compile(
        r"\b(?:good ?bye|goodbyes|farewell|bye) (?:\w+ ){0,2}?(?:everyone|all|guys|friends|folks|circle|y'?all|"
        r"lovelies|for good|forever)\b|\bthank(?:s| you) (?:\w+ ){0,3}?for everything\b|"
        r"\b(?:last|final) (?:message|post|time|goodbye|words?)\b|\btell (?:\w+ ){0,3}?(?:i love|i said|i'?m sorry|"
        r"goodbye|bye)\b|\bremember me\b|\bwon'?t be (?:around|here|back|on)\b|\bsay(?:ing)? (?:my )?goodbyes?\b|"
        r"\bsee you (?:on the other side|in another life|someday)\b|\btake care of (?:each other|yourselves|"
        r"everyone)\b|\bi love you all\b|\bfor the last time\b|\b(?:grave|coffin|dove|goodbye wave)\b|"
        r"\b(?:(?:was|is)n'?t|not) (?:your|their|anyone'?s|his|her) fault\b|\b(?:till|until|to) the (?:very )?end\b|"
        r"\badieu\b|\bmerci pour tout\b"),
    "burden_finality": re.compile(
        r"\bburden\b|\bbetter off\b|\bfree of me\b|\bwithout me\b|\b(?:won'?t|will not|no longer|not) (?:\w+ ){0,2}?"
        r"(?:have to|need to) (?:\w+ ){0,3}?(?:me|my)\b|\brid of me\b|\bmuch longer\b|\b(?:relief|easier) "
        r"(?:for (?:them|everyone|him|her)|when i'?m)\b"),
    "time_place": re.compile(
        r"\btonight\b|\b2nite\b|\bce soir\b|\bcette nuit\b|\ble (?:vieux )?pont\b|"
        r"\bthis (?:weekend|evening|friday|saturday|sunday)\b|\btomorrow (?:night|morning)\b|"
        r"\bwhen (?:everyone|the house|they|the kids|he|she)(?:'s| is| are)? (?:\w+ )?(?:asleep|out|away|gone|empty)\b|"
        r"\b(?:the|that|a) (?:bridge|cliffs?|tracks|railway|river|lake|quarry|woods|forest|roof|rooftop|"
        r"car ?park|multi.?storey|overpass|motorway|ledge|sea|beach|spot|place)\b|"
        r"\b(?:don'?t|do not|no one|nobody) (?:\w+ ){0,2}?(?:come )?look(?:ing)? for me\b|\bfind me\b|"
        r"\b(?:picked|chose|chosen|set|decided on) (?:a |the )?(?:date|day|time|spot|place)\b|"
        r"\bit'?s (?:happening|time)\b"),
    "method_research": re.compile(
        r"\b(?:lethal|fatal|deadly|toxic) (?:dose|amount|levels?|combination|combo)\b|\bhow (?:many|much) "
        r"(?:\w+ ){0,4}?(?:would it take|to (?:die|not wake|overdose|kill|stop)|is (?:lethal|fatal|too much|enough))\b|"
        r"\b(?:quickest|fastest|easiest|painless|least painful|most painless|surest)\b|"
        r"\bwhich (?:pills|meds|tablets|drugs|combination)\b|\b(?:mix|mixing|combine|combining|together) (?:\w+ ){0,4}?"
        r"(?:with|and) (?:alcohol|booze|wine|vodka|whisky|sleeping)\b|"
        r"\bhow long (?:does it|would it|until|before|it takes|it'?d take)\b|"
        r"\bstop (?:\w+ ){0,2}?breathing\b|\b(?:work|act|kill)s? (?:\w+ )?(?:quicker|faster)\b|\bwhat height\b|"
        r"\b(?:looked|looking|googl\w+|search\w*|research\w*|read(?:ing)?) (?:\w+ ){0,3}?(?:up )?"
        r"(?:how|methods?|doses?|overdose|ropes?|heights?)\b|\bnot wake up\b"),
    "stockpiling": re.compile(
        r"\b(?:sav(?:e|ed|ing)|hoard\w*|stockpil\w*|stash\w*|collect\w*|kept|keeping|put(?:ting)? (?:aside|away)|"
        r"set aside|count\w*|squirrel\w*|hid(?:e|den|ing)?) (?:\w+ ){0,4}?(?:pills|tablets|meds|medication|doses|"
        r"scripts|oxy\w*|tramadol|morphine|codeine|co-?codamol|insulin|sleeping|opioids|patches|endone|lyrica|"
        r"gabapentin|pregabalin|amitriptyline|them)\b|\benough (?:pills|tablets|meds|to)\b|\b(?:stash|stockpile|"
        r"supply)\b|\b(?:got|have|it'?s|everything'?s|all|means|meds|pills) (?:\w+ ){0,2}?(?:sorted|ready|in place|"
        r"lined up)\b"),
    "conditional_plan": re.compile(
        r"\bif (?:\w+ ){0,8}?(?:doesn'?t|does not|don'?t|do not|fails?|won'?t|can'?t|isn'?t|not|nothing) (?:\w+ ){0,8}?"
        r"(?:then|i'?m|i will|i'?ll|that'?s)\b|\b(?:after|once) (?:my|the|his|her|christmas|mum'?s|mom'?s) "
        r"(?:[\w']+ ){0,4}?(?:i'?ll|i will|i'?m (?:going|gonna|done|out))\b|\b(?:last|final) (?:chance|try|hope|"
        r"option|straw|attempt|shot)\b|\bthat'?s it for me\b|\bi'?m (?:done|out|finished)\b"),
    "self_harm_done": re.compile(
        r"\b(?:cut|cutting|burn\w*|hit|hitting|scratch\w*|carv\w*|punch\w*) (?:\w+ ){0,2}?(?:myself|my (?:arms?|legs?|"
        r"wrists?|thighs?|skin|stomach|hands?|head))\b|\b(?:stopped|stopping|quit|skipp\w+|not taking|haven'?t taken|"
        r"ditched|binned|thrown|threw) (?:\w+ ){0,2}?(?:my )?(?:insulin|blood thinners?|warfarin|anticoagulants?|"
        r"heart (?:meds|pills|tablets)|transplant|seizure|lithium|steroids|meds|medication|tablets|pills)\b|"
        r"\b(?:fresh )?(?:cuts|burns|scars|blood|bleeding|stitches)\b|\brelapsed\b|\bdid it again\b"),
    "overdose_taken": re.compile(
        r"\b(?:took|taken|take|swallow\w*|downed|necked|had) (?:\w+ ){0,3}?(?:all|whole|every|entire|handful|bunch|"
        r"lot|box|bottle|packet|strip|\d{2,}|twenty|thirty|forty|fifty) (?:\w+ ){0,3}?(?:pills|tablets|meds|of)\b|"
        r"\boverdos\w*\b|\b(?:od|o\.d)\b|\bfeel(?:ing)? (?:\w+ )?(?:floaty|sleepy|numb|drowsy|weird)\b"),
    "intent": re.compile(
        r"\b(?:kill|killing|end|ending|take|taking) (?:\w+ ){0,2}?(?:myself|my (?:own )?life|it all|things)\b|"
        r"\bsuicid\w*|\bunalive\w*|\bkms\b|\bctb\b|\bcatch the bus\b|\bnot be here\b|\bchecking out\b|"
        r"\b(?:want|wanna|ready|going|time) to (?:die|go)\b|\bbe (?:dead|gone)\b"),
}

CATEGORIES: tuple[str, ...] = tuple(_SIGNS)

# A farewell made of emoji (a wave, a dove, a candle, a coffin, a headstone): no word of it would
# match above, and the fast model reads no emoji. A wave inside a sentence ("hi all 👋") is a
# greeting, so it counts in a message with no letters, or beside a dove, candle, coffin or
# headstone ("last one from me 🕊️👋").
_FAREWELL_EMOJI = re.compile("[\U0001F44B\U0001F54A\u26b0\U0001FAA6\U0001F56F]")
_PARTING_EMOJI = re.compile("[\U0001F54A\u26b0\U0001FAA6\U0001F56F]")
_WAVE = "\U0001F44B"
_LETTER = re.compile(r"[^\W\d_]")

# Words of the concern tier: a burden, hopelessness, a passive wish not to wake or to disappear,
# ideation coming back, an urge to self-harm. None is a warning sign (they never lower the crisis
# bar); they send a sentence the rules and the fast model missed on to the encoder, which reads
# whether "useless" is about a phone charger or about oneself. Written from the concern sentences
# of held-out sets 2, 3 and 5 that stage one never marked; they add 0.1% of ordinary chat.
_CONCERN_WORDS = re.compile(
    r"\bburden\w*|\bdead ?weight\b|\bdeserves? (?:\w+ ){0,2}?better than (?:me|this|somebody|someone)\b|"
    r"\buseless\b|\bwaste of (?:space|oxygen|air|money|a (?:life|person))\b|\bdrain on\b|\bleech\b|"
    r"\b(?:weight|millstone) (?:a)?round (?:\w+ )?necks?\b|\b(?:have|has) to (?:look after|take care of|care for|"
    r"plan around|carry) me\b|\b(?:take|takes|taking) care of me\b|\bholding (?:\w+ ){0,2}?back\b|"
    r"\bwithout me\b|\bbetter off\b|\bwhat i cost\b|\b(?:cost|costing) (?:\w+ )?(?:everyone|them|my family)\b|"
    r"\bno (?:way out|hope|future|point|light)\b|\bhopeless\w*|\blost (?:all )?(?:\w+ ){0,2}?hope\b|"
    r"\b(?:never|not|nothing'?s?|nothing is) (?:\w+ ){0,2}?(?:going to|gonna) get (?:any )?better\b|\bpointless\b|"
    r"\bwhat'?s the point\b|\bcan'?t (?:see|go on|keep (?:going|doing)|do this any ?more|take (?:it|this|much) "
    r"any ?more)\b|\bgiv(?:e|ing) up\b|\bgave up\b|\b(?:no|any) reasons? to\b|"
    r"\bfinish(?:es|ed)? me off\b|\btake me\b|\b(?:not|never|didn'?t|don'?t|wouldn'?t) (?:\w+ ){0,2}?(?:wake up|"
    r"come round|wear off)\b|\bwouldn'?t (?:\w+ )?(?:mind|be upset|care|be sad) if\b|\bwish (?:\w+ ){0,3}?(?:over|"
    r"gone|dead|disappear\w*|end|stop)\b|\brather (?:be )?dead\b|\bdisappear\w*|\bnot (?:to )?exist\w*|"
    r"\bstop existing\b|\bin my sleep\b|\bhoping (?:\w+ ){0,3}?(?:die|dead|gone|the (?:one|end))\b|"
    r"\b(?:never|not) (?:\w+ )?(?:woke|woken) up\b|\b(?:take|takes|took|taking) me out\b|\bkept me under\b|"
    r"\b(?:bus|car|truck|lorry|train|tractor)s? (?:\w+ ){0,2}?(?:hit|hits|ran over|run over|rolled on|rolls on) me\b|"
    r"\b(?:being|i'?m|i am) the problem\b|\b(?:don'?t|can'?t) see the point\b|\bever (?:going to|gonna) get better\b|"
    r"\bid[ée]es noires\b|\bplus exister\b|\bme faire mal\b|\bsans espoir\b|\benvie de mourir\b|"
    r"\b(?:dark|bad|those|the|them) thoughts\b|\bend(?:ing|in)? it\b|\b(?:hurt|harm|cut|burn|hit)(?:ting|ing)? "
    r"(?:myself|my own)\b|\burges?\b|\bitch to\b|\bsewer ?slide\w*|\bunalive\w*"
)


def signs(text: str) -> tuple[str, ...]:
    """The warning-sign categories whose words appear in ``text`` (lower-case plain words)."""
    found = tuple(name for name, pattern in _SIGNS.items() if pattern.search(text))
    if ("farewell" not in found and not text.isascii() and _FAREWELL_EMOJI.search(text)
            and (not _LETTER.search(text) or (_WAVE in text and _PARTING_EMOJI.search(text)))):
        return (*found, "farewell")
    return found


def concern_words(text: str) -> bool:
    """Whether ``text`` (lower-case plain words) holds a word of the concern tier."""
    return bool(_CONCERN_WORDS.search(text))
