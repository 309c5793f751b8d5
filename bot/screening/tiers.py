"""Tiers: the rules' verdict and the learned model's score, combined into one tier and signal.

    tier, signal = combine(rule_level, rule_name, model_score, text=text)

Tiers (issue 10; recall first):
- ``crisis``: stated intent, plan, means, preparation, farewell, an act already done. A rule at
  ``crisis`` (except the passive-wish rules below), the model at or above ``t_crisis`` with no
  lowering cue, or a rule ``concern`` that the model scores at crisis level (both agree).
- ``concern``: possible risk: a passive death wish, ideation without intent, hopelessness,
  burden, the model's middle band [t_concern, t_crisis), a model-only crisis that a cue lowers,
  or the words suicide/self-harm about oneself.
- ``none`` otherwise.

Rules can raise or lower the model: lowering cues (negation, everyday idiom on a violent verb,
third person only, clinical or survey question, news, past and recovered) act on the model's
tier; a strong cue (recovered, negated, asked and answered no) takes it to none. A rule crisis in
a story of an attempt long ago told as recovered becomes concern.

``signal`` says which signal decided: ``rule``, ``model`` or ``both`` (both reached that tier on
their own); None at ``none``. Nothing of the text is returned, stored or logged.
"""

from __future__ import annotations

import re
from typing import Literal

Tier = Literal["none", "concern", "crisis"]
SignalName = Literal["rule", "model", "both"]
Signal = SignalName | None
_RANK = {"none": 0, "concern": 1, "crisis": 2}
_TIERS: tuple[Tier, ...] = ("none", "concern", "crisis")

# Defaults; the trained head carries the thresholds actually used (crisis_head.json).
T_CONCERN = 0.5
T_CRISIS = 0.9

# ---------------------------------------------------------------------------------------------
# Cues (plain lower-case text; these are deliberately small and conservative)
# ---------------------------------------------------------------------------------------------

# A denial. "No plan" is not one: ideation without a plan is the concern tier (_NO_INTENT holds it
# there); until round 6 it was read here and silenced thoughts that come back "with no plan".
_NEGATION = re.compile(
    r"\b(?:i'?m not|i am not|not|never|no)\s+(?:\w+\s+){0,2}(?:suicidal|going to (?:do anything|hurt|kill)|"
    r"(?:want|wanting|wanna) (?:to )?(?:die|end it|kill)|hurt(?:ing)? myself|self.?harm(?:ed)?|"
    r"thoughts of (?:ending|suicide|harming)|giving up|saying goodbye|going anywhere|"
    r"take my own life|do anything stupid)\b"
    r"|\bi(?:'d| would) never (?:hurt|harm|kill|take)\b|\bnot (?:at all|suicidal)\b"
)
_IDIOM = re.compile(
    r"\b(?:is|are|was|were|'s|'re) (?:\w+ )?(?:killing|murdering|destroying) me\b|"
    r"\b(?:could|would|'d) (?:kill|murder) (?:for )?(?:a|an|some|the)\b|"
    r"\b(?:kill|murder) for (?:a|an|some|the)\b|\bto die for\b|\bdying (?:to|of) (?:know|see|cringe|"
    r"laughing|embarrassment)\b|\bdied laughing\b|\bdead on my feet\b|\b(?:death|murder) on my\b|"
    r"\bbe the death of me\b|\bkilling myself trying\b|\bnearly killed myself on\b|"
    # hyperbole tied to a chore: "if I have to fill in one more form I'll shoot myself"
    r"\b(?:if i (?:have|had) to|one more) .{0,80}?(?:i'?ll|i will|i'?m (?:gonna|going to)) (?:shoot|kill|hang) myself\b"
)
_THIRD = re.compile(
    r"\b(?:my|our|a|her|his) (?:friend|mate|brother|sister|mum|mom|dad|father|mother|son|daughter|"
    r"partner|husband|wife|teenager|kid|child|uncle|aunt|cousin|member|guy|woman|man|colleague|"
    r"neighbour|neighbor|best friend)\b|\b(?:he|she|they) (?:said|says|keeps|told|has been|'s been|"
    r"is|was|wants|posted)\b|\bsomeone (?:in|from) (?:my|the)\b"
)
_FIRST_PERSON_RISK = re.compile(
    r"\bi(?:'m| am| feel| have| want| wanna| keep| will|'ll| need| took| just)\b|\bmyself\b|\bme\b"
)
_CLINICAL_Q = re.compile(
    r"\b(?:asked|asks|ask) (?:me )?(?:if|whether|about)\b|\bquestionnaire\b|\bphq\b|\bscreen(?:ing)?\b|"
    r"\bassessment\b|\bis it normal\b|\btick(?:ed)? 'not at all'"
)
_ANSWERED_NO = re.compile(r"\b(?:said|told (?:him|her|them)|answered|tick\w*) (?:no|'not at all'|not at all)\b|"
                          r"\bi don'?t\b|\bi said no\b")
_PAST = re.compile(
    r"\b(?:(?:\d+|ten|five|six|seven|eight|nine|twelve|fifteen|twenty|many|several|a few) )?(?:years?|yrs?) "
    r"(?:ago|on|since|later|clean)\b|\b(?:back )?in (?:19|20)\d\d\b|\bwhen i was (?:\d+|younger|a teen"
    r"|young)\b|\bas a (?:teen|teenager|kid|young woman|young man)\b|\bused to\b|\bin my (?:teens|20s|twenties)\b"
    r"|\byears since\b|\bfirst year with\b|\b(?:a )?long time ago\b|\blong ago\b"
    r"|\b(?:years?|months?) (?:today )?since\b|\bnow i'?m \d+\b"
)
_RECOVERED = re.compile(
    r"\b(?:still here|doing (?:ok|okay|well|better)|got (?:proper |real )?help|(?:therapy|treatment) helped|"
    r"helped (?:a lot|so much|me)|clean for|\d+ (?:years?|yrs?) clean|glad (?:to be|i am|i'm) alive|"
    r"it gets better|in recovery|recovered|survived|glad|grateful|(?:well|stable|okay|ok|fine) now|"
    r"peer (?:support|group)|years later|(?:years?|yrs) on|it can change|did not succeed|didn'?t succeed|"
    r"got (?:me )?through|less heavy|different life)\b"
)
_NEWS = re.compile(r"\b(?:article|news|study|documentary|inquest|programme|petition|celebrity|"
                   r"the paper|reports?|read about|read that|statistics|stats|(?:suicide|death) rates?|"
                   r"rates of|researchers|new research|survey|podcast|on the radio|a piece (?:on|about)|"
                   r"headlines?|awareness|campaign)\b")
# Intent, plan or a time: a soft (passive) rule crisis that names one stays crisis.
# (A time word alone is not a plan: "I feel suicidal tonight" is the words about oneself.)
_INTENT = re.compile(r"\b(?:going to|gonna|about to|i will|i'll|plan(?:ning|ned)? (?:to|on|for)|my plan|a plan|"
                     r"decided|ready to|attempt\w*|tried to|commit|making sure|make sure)\b|"
                     r"\btonight (?:i'?m|im|i will|i'll|is)\b")
# Ideation spoken of as coming and going ("the wish to die comes over me... and passes").
_EPISODIC = re.compile(r"\b(?:comes? and goes?|come and go|passes|passed|comes? over me|comes? back|visit(?:s|ed)? "
                       r"(?:again|me)|by (?:the )?morning|waves? of|in waves|now and then|on and off|"
                       r"some (?:nights|days)|drifts? in|fades?|they pass|it passes)\b")
# The member says they are not acting on it: ideation or an urge, not intent ("not gonna do
# anything", "no plan", "haven't done anything", "held off"). Means and method rules ignore it.
_NO_INTENT = re.compile(
    r"\b(?:not|never) (?:gonna|going to) (?:do|act|try)\b|\bwon'?t (?:do|act on)\b|\bno (?:real )?plans?\b|"
    r"\bnot planning\b|\bhaven'?t(?: done it| done anything| acted| yet|,| in \w+)|\bbut i won'?t\b|"
    r"\bwo(?:n'?t|nt) tho\b|\bheld (?:it |the urges? )?off\b|\bholding (?:it |the urges? )?off\b|"
    r"\bsitting on my hands\b|\bjust (?:the )?thoughts?\b|\bnot acting on\b|\bput the thoughts? away\b|"
    r"\bnot (?:doing|gonna do|going to do) anything\b|\bnot in a (?:i'?m )?(?:gonna|going to) way\b"
)
# An urge or wish to self-harm, and whether the act is said to be done.
_URGE = re.compile(r"\b(?:urges?|want(?:ing)? to|wanna|tempted|thinking (?:about|of)|thought about|"
                   r"scared i'?ll|afraid i'?ll)\b")
_DONE = re.compile(r"\bi (?:just |already )?(?:cut|burned|burnt|scratched|did it|did)\b|\bi'?ve (?:just |already )?"
                   r"(?:cut|burned|burnt|done it)\b|\b(?:did it|relapsed|fresh cuts?|bleeding|stitches)\b")
_SELF_HARM_WORDS = re.compile(r"\b(?:hurt|harm|cut|burn|scratch|hit)(?:ting|ing)? (?:myself|my)\b|self.?harm|"
                              r"\bto (?:cut|burn)\b|\bthe urge to (?:cut|burn|hurt)\b")
# Painkillers kept within reach for flares: a flare kit, not a stockpile.
_FOR_FLARES = re.compile(r"\bfor (?:a |the |my |when )?(?:flares?|bad days|emergencies|breakthrough pain)\b|"
                         r"\bwhen (?:a|the) flare\b|\bjust in case\b|\bflare (?:hits|kit)\b|\brescue meds\b|"
                         r"\bin every room\b|"
                         r"\bbefore (?:the |my )?(?:bank )?holiday\b|\b(?:chemist|pharmacy) (?:is )?(?:always )?"
                         r"(?:shut|closed)\b")
_SELF_WORD = re.compile(r"\b(?:suicid\w*|self.?harm\w*|s/h|sh urges|kms|unalive\w*|sewer ?slide\w*)\b")


def cues(text: str) -> dict[str, bool]:
    """Which context cues are present (booleans only)."""
    t = text.lower().replace("\u2019", "'")
    third = bool(_THIRD.search(t)) and not re.search(r"\b(?:i|i'm|i've|i'll|myself)\b", t)
    clinical = bool(_CLINICAL_Q.search(t))
    return {
        "negation": bool(_NEGATION.search(t)),
        "idiom": bool(_IDIOM.search(t)),
        "third_person": third,
        "clinical_question": clinical,
        "clinical_answered_no": clinical and bool(_ANSWERED_NO.search(t)),
        "past_recovered": bool(_PAST.search(t)) and bool(_RECOVERED.search(t)),
        "news": bool(_NEWS.search(t)) and not _FIRST_PERSON_RISK.search(t),
        "news_words": bool(_NEWS.search(t)),
        "self_word": bool(_SELF_WORD.search(t)) and not third,
        "intent": bool(_INTENT.search(t)),
        "episodic": bool(_EPISODIC.search(t)),
        "no_intent": bool(_NO_INTENT.search(t)),
        "urge_not_done": bool(_URGE.search(t)) and bool(_SELF_HARM_WORDS.search(t)) and not _DONE.search(t),
        "for_flares": bool(_FOR_FLARES.search(t)),
    }


# Rule names (bot/screening/crisis.py) at level "crisis" that state a passive death wish or
# ideation without intent, plan, means or farewell: the tiers put these at concern.
SOFT_CRISIS_RULES = frozenset({
    "better_off_dead", "better_off_without_me", "death_appeal", "never_wake_up", "no_future",
    "no_reason_to_live", "not_want_to_live", "pain_would_kill_me", "stop_existing",
    "thinking_about_not_existing", "tired_of_living", "welcome_death", "wish_dead",
    "suicidal_again", "suicidal_self", "suicidal_thoughts", "thinking_of_suicide", "suicide_on_my_mind",
})


# Ideation rules that are a passive wish when the member says it comes and goes.
EPISODIC_SOFT_RULES = frozenset({"want_to_die", "kill_myself", "end_my_life", "end_it_all"})
# Ideation and self-harm rules that are concern when the member says they are not acting on it.
IDEATION_RULES = frozenset({
    "kill_myself", "off_or_end_myself", "end_my_life", "want_to_die", "end_it_all", "plan_to_end_it",
    "suicidal_self", "suicidal_again", "suicidal_thoughts", "thinking_of_suicide", "suicide_on_my_mind",
}) | frozenset({"self_harm_act", "self_harm_body", "self_harm_word", "self_harm_again"})
SELF_HARM_RULES = frozenset({"self_harm_act", "self_harm_body", "self_harm_word", "self_harm_again"})
# Keeping painkillers: a stockpile unless they are kept for flares.
KEEPING_RULES = frozenset({"stockpiling", "means_ready"})


def combine(rule_level: str, rule_name: str | None, model_score: float, *,
            text: str | None = None, t_concern: float = T_CONCERN, t_crisis: float = T_CRISIS,
            cue: dict[str, bool] | None = None) -> tuple[Tier, Signal]:
    """(tier, signal). ``text`` (or precomputed ``cue``) enables the lowering/raising cues."""
    c = cue if cue is not None else (cues(text) if text is not None else {})
    rule_rank = _RANK.get(rule_level, 0)

    # Model's own tier, then context cues lower it.
    model_rank = 2 if model_score >= t_crisis else 1 if model_score >= t_concern else 0
    strong = c.get("past_recovered") or c.get("negation") or c.get("clinical_answered_no")
    # "not gonna do anything", an urge held off: the model's crisis becomes concern, and a
    # rule's concern is not raised to crisis by the model.
    holding = bool(c.get("no_intent") or c.get("urge_not_done"))
    weak = c.get("idiom") or c.get("third_person") or c.get("clinical_question") or c.get("news") or holding
    if model_rank and strong:
        model_rank = 0
    elif model_rank and weak:
        model_rank -= 1
    # Naming suicide/self-harm about oneself is at least concern (unless negated/recovered/asked):
    # a rule of its own, applied at the end.
    # Talk of an article, a study or statistics names the word without saying it of oneself: when
    # no rule fired (no first-person statement), the word alone does not make it concern.
    self_word = bool(c.get("self_word") and not strong and not c.get("clinical_question")
                     and not (c.get("news_words") and rule_rank == 0))

    # Rules whose "crisis" is, by the tier definitions here, a passive wish or ideation without
    # intent/plan/means: concern, unless the model also scores crisis (then "both").
    # Said not to be acted on, or to come and go: soft whatever other words it holds.
    not_acting = bool((rule_name in IDEATION_RULES and (c.get("no_intent") or c.get("episodic")))
                      or (rule_name in SELF_HARM_RULES and c.get("urge_not_done")))
    soft = rule_name in SOFT_CRISIS_RULES or (c.get("episodic") and rule_name in EPISODIC_SOFT_RULES)
    if rule_rank == 2 and rule_name in KEEPING_RULES and c.get("for_flares"):
        rule_rank = 0
    if rule_rank == 2 and c.get("idiom") and rule_name == "off_or_end_myself":
        rule_rank = 1
    if rule_rank == 2 and (not_acting or (soft and not (c.get("intent") and not strong))):
        if model_score >= t_crisis and not strong and not holding:
            return "crisis", "both"
        rule_rank = 1
    # A rule crisis in a story of an attempt long ago, told as recovered: concern (a gentle check).
    if rule_rank == 2 and c.get("past_recovered") and model_rank < 2:
        rule_rank = 1
    # Rule concern + model crisis-level score: crisis.
    if rule_rank == 1 and model_score >= t_crisis and not strong and not holding:
        return "crisis", "both"

    tier_rank = max(rule_rank, model_rank)
    if tier_rank == 0:
        return ("concern", "rule") if self_word else ("none", None)
    by_rule, by_model = rule_rank == tier_rank, model_rank == tier_rank
    signal: Signal = "both" if by_rule and by_model else "rule" if by_rule else "model"
    return _TIERS[tier_rank], signal


_SELF_WORD_HINTS = ("suicid", "harm", "s/h", "kms", "unaliv", "sewer", "sh urge")
_CUE_WINDOW = 300  # characters either side of a self-word hint read for its context


def decide(rule_level: str, rule_name: str | None, model_score: float | None, text: str, *,
           t_concern: float, t_crisis: float, chunk: str = "", rule_window: str = "") -> tuple[Tier, Signal]:
    """``combine`` for one message, reading context cues only where they can matter: the whole
    text when a rule fired (in a long text, the words around the rule's match, ``rule_window``),
    the model's deciding ``chunk`` when only the model did, the words around a self-word
    ("suicidal", "self harm") otherwise. ``model_score`` None: rules alone."""
    score = -1.0 if model_score is None else model_score
    lowered = text.lower()
    if rule_level != "none":
        context = lowered if len(lowered) <= 2 * _CUE_WINDOW or not rule_window else rule_window
    elif score >= t_concern:
        # A short message is read whole: an idiom ("this pain is killing me") in one sentence
        # lowers the model's concern about the next ("but I keep going").
        context = lowered if len(lowered) <= 2 * _CUE_WINDOW or not chunk else chunk
    else:
        at = min((i for i in (lowered.find(h) for h in _SELF_WORD_HINTS) if i >= 0), default=-1)
        if at < 0:
            return "none", None
        context = lowered[max(0, at - _CUE_WINDOW):at + _CUE_WINDOW]
    return combine(rule_level, rule_name, score, cue=cues(context), t_concern=t_concern, t_crisis=t_crisis)
