"""manyi's hand-written sentiment lexicon and the clause rules that apply it.

The lexicons (``resources/lexicon_zh.tsv``, ``resources/lexicon_en.tsv``) were written for this
project: word, tab, weight in [-2, 2]; emoji are entries too. :func:`analyse_tokens` walks the
tokens of one text once and applies four rules:

* negation — a negator (不, 没有, 并不, 不太, not, never, n't, ...) flips the next sentiment
  word within 3 tokens of the same clause: a negated positive becomes 0.8x negative
  (不太好, not good), a negated negative 0.5x positive (并不差, not bad); the words in scope are
  also returned with a ``NOT_`` prefix for the statistical model;
* degree — an intensifier or downtoner (非常 1.5, 有点 0.6, very 1.4, slightly 0.5, ...)
  multiplies the next sentiment word within 2 tokens; after an excess marker (太, 过于, 偏,
  too, overly) a neutral measure word (久, 硬, 小, long, small, ...) scores ``EXCESS_WEIGHT``,
  because "too long" is a complaint whatever "long" means alone;
* contrast — everything before the last 但是 / 不过 / 可是 / but / however, and the clause
  opened by 虽然 / 尽管 / although, gets weight ``CONCESSION_WEIGHT`` so the clause after the
  contrast dominates;
* irrealis — in a clause that states a wish or a condition (如果 / 要是 / 最好能 / 就更好了 /
  I wish / could have), a positive word counts ``IRREALIS_POSITIVE`` times its weight (a mild
  complaint: 如果能便宜点就好了) and a negative word ``IRREALIS_NEGATIVE`` times (hypothetical:
  如果不好用可以退); the clause also gives the model a ``w:<irrealis>`` feature.

Before the rules run, fixed multi-word expressions become one token (:func:`merge_phrases`):
lexicon entries written with a space or hyphen (``don't waste``, ``must-see``, ``rip-off``),
degree phrases (``nothing short of``, ``never fails to``), ``far from`` (a negator) and
``not only`` (no negation); and explicit ratings (``9/10``, ``4 out of 5``, ``5 stars``,
``5星``) become ``<rating+>`` (at least 70 % of the scale), ``<rating->`` (at most 40 %) or
``<rating0>``, which the lexicon scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from manyi.analytics.text.normalize import normalize
from manyi.analytics.text.tokenize import PUNCTUATION, STOP_WORDS, raw_tokens

__all__ = [
    "CONCESSION_WEIGHT",
    "CONTRAST",
    "DEGREE",
    "NEGATORS",
    "TokenAnalysis",
    "analyse_tokens",
    "lexicon",
    "merge_phrases",
    "own_lexicon",
]

CONCESSION_WEIGHT = 0.3
NEGATION_SCOPE = 3
DEGREE_SCOPE = 2

NEGATORS = frozenset(
    [
        "不",
        "没",
        "没有",
        "无",
        "非",
        "别",
        "未",
        "勿",
        "莫",
        "不是",
        "并不",
        "并没有",
        "并非",
        "不太",
        "不怎么",
        "不是很",
        "没那么",
        "不够",
        "不大",
        "从不",
        "从没",
        "从来不",
        "从来没",
        "绝不",
        "毫不",
        "毫无",
        "缺乏",
        "缺少",
        "无法",
        "不会",
        "不要",
        "不能",
        "不算",
        "算不上",
        "谈不上",
        "far from",
        "not",
        "no",
        "never",
        "nor",
        "neither",
        "without",
        "hardly",
        "barely",
        "nothing",
        "nobody",
        "none",
        "cannot",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "won't",
        "wouldn't",
        "can't",
        "couldn't",
        "shouldn't",
        "haven't",
        "hasn't",
        "hadn't",
        "ain't",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "cant",
        "wont",
    ]
)
DEGREE: dict[str, float] = {
    **dict.fromkeys(
        ["非常", "特别", "十分", "超级", "超", "太", "真是", "格外", "分外", "尤其", "实在", "巨"],
        1.5,
    ),
    **dict.fromkeys(["极", "极其", "极度", "最", "无比", "绝对", "完全", "彻底"], 1.8),
    **dict.fromkeys(["很", "真", "挺", "蛮", "相当", "那么", "这么", "够"], 1.2),
    **dict.fromkeys(["比较", "还", "还算", "较"], 0.9),
    **dict.fromkeys(
        ["有点", "有些", "有点儿", "稍微", "稍", "略", "略微", "一点", "一点点", "些许"], 0.6
    ),
    **dict.fromkeys(
        ["very", "really", "so", "too", "super", "highly", "truly", "totally", "incredibly"], 1.4
    ),
    **dict.fromkeys(["extremely", "absolutely", "utterly", "completely", "most"], 1.8),
    **dict.fromkeys(["quite", "pretty", "fairly"], 1.1),
    **dict.fromkeys(["slightly", "somewhat", "bit", "little", "kinda", "sorta", "rather"], 0.6),
    **dict.fromkeys(["nothing short of", "never fails to", "never ceases to"], 1.8),
    **dict.fromkeys(["过于", "overly"], 1.5),
}
# "Too" + a neutral measure word is a complaint (太久, 偏硬, too small, too long).
EXCESS_MARKERS = frozenset(["太", "过于", "偏", "too", "overly"])
EXCESS_WEIGHT = -0.7
EXCESS_WORDS = frozenset(
    [
        "久",
        "小",
        "大",
        "硬",
        "软",
        "甜",
        "咸",
        "淡",
        "薄",
        "厚",
        "重",
        "长",
        "短",
        "高",
        "低",
        "多",
        "少",
        "紧",
        "松",
        "腻",
        "辣",
        "酸",
        "干",
        "热",
        "冷",
        "烫",
        "晚",
        "远",
        "暗",
        "亮",
        "响",
        "细",
        "粗",
        "窄",
        "宽",
        "稀",
        "浓",
        "复杂",
        "频繁",
        "long",
        "short",
        "small",
        "big",
        "large",
        "tight",
        "loose",
        "heavy",
        "hard",
        "soft",
        "sweet",
        "salty",
        "thin",
        "thick",
        "late",
        "loud",
        "hot",
        "cold",
        "far",
        "high",
        "low",
        "many",
        "much",
        "complicated",
        "complex",
        "dark",
        "bright",
        "busy",
        "crowded",
        "expensive",
    ]
)
NEUTRAL_PHRASES = frozenset(["not only", "not just", "no wonder"])
RATINGS: dict[str, float] = {"<rating+>": 1.5, "<rating0>": -0.3, "<rating->": -1.5}
_RATING_SCALES = {"5": 5.0, "10": 10.0, "100": 100.0}
_DATE_BEFORE = frozenset(
    ["on", "by", "until", "till", "from", "since", "before", "after", "expires", "due", "/", "-"]
)
_STAR_WORDS = {"star": 5.0, "stars": 5.0, "星": 5.0, "颗星": 5.0}
CONTRAST = frozenset(
    ["但是", "但", "可是", "不过", "然而", "只是", "却", "可惜", "but", "however", "yet", "though"]
)
CONCESSIVE = frozenset(["虽然", "虽", "虽说", "尽管", "although", "while", "whereas"])
_BOUNDARY = PUNCTUATION | CONTRAST
# A wish or condition states what the product is not (如果能便宜点就好了, 最好能送个鼠标,
# I wish it were longer): its positive words read as a mild complaint, its negative words as
# hypothetical (irrealis blocking, as in SO-CAL: Taboada et al. 2011, "Lexicon-based methods
# for sentiment analysis"). A clause is irrealis when it holds a marker or a marker pair.
IRREALIS_MARKERS = frozenset(
    ["如果", "要是", "假如", "假若", "倘若", "若是", "若", "如能", "若能", "要能", "但愿", "如果说"]
)
IRREALIS_MARKERS |= {"建议", "能否", "可否", "能不能", "可不可以", "要不然", "wish"}
IRREALIS_PAIRS = frozenset(
    [("就", "好"), ("就", "更好"), ("就", "完美"), ("就", "更"), ("会", "更好"), ("会", "更")]
)
IRREALIS_PAIRS |= {("更", "好"), ("更", "完美"), ("最好", "能"), ("最好", "再"), ("最好", "有")}
IRREALIS_PAIRS |= {("最好", "可以"), ("最好", "多"), ("最好", "加"), ("if", "only")}
IRREALIS_PAIRS |= {("would", "have"), ("could", "have"), ("should", "have")}
_IRREALIS_HEADS = frozenset(first for first, _ in IRREALIS_PAIRS)
IRREALIS_POSITIVE = -0.5
IRREALIS_NEGATIVE = 0.3
_FINAL_PARTICLES = frozenset("了啦呀啊的")


def _read_lexicon(name: str) -> dict[str, float]:
    """Parse one shipped ``word<TAB>weight`` lexicon file."""
    text = resources.files("manyi.analytics.text").joinpath("resources", name).read_text("utf-8")
    out: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or "\t" not in line:
            continue
        word, weight = line.split("\t", 1)
        out[word.strip().lower()] = float(weight)
    return out


@lru_cache(maxsize=1)
def lexicon() -> dict[str, float]:
    """Return the merged lexicon (word -> weight in [-2, 2]); manyi's own entries win.

    English words come from manyi's ``lexicon_en.tsv`` and, underneath, from
    ``lexicon_en_vader.tsv`` (derived from VADER's MIT-licensed lexicon, see
    ``resources/LICENSE-vader.txt``), so English texts outside manyi's hand-written list still
    carry lexicon evidence.
    """
    return {**_read_lexicon("lexicon_en_vader.tsv"), **own_lexicon()}


@lru_cache(maxsize=1)
def own_lexicon() -> dict[str, float]:
    """Return manyi's hand-written Chinese + English lexicon only (without VADER's words)."""
    return {**_read_lexicon("lexicon_zh.tsv"), **_read_lexicon("lexicon_en.tsv")}


@lru_cache(maxsize=2)
def _scoring_lexicon(own_only: bool) -> dict[str, float]:
    """The words the clause rules score: a lexicon plus the rating tokens of
    :func:`merge_phrases` (kept out of :func:`own_lexicon`, whose entries are also training
    documents and phrase patterns)."""
    return {**(own_lexicon() if own_only else lexicon()), **RATINGS}


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Multi-word expressions by first token, longest first: (their tokens, the merged token)."""
    words = [w for w in (*own_lexicon(), *DEGREE, *NEGATORS, *NEUTRAL_PHRASES) if w.isascii()]
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for word in words:
        pieces = tuple(raw_tokens(normalize(word)))
        if len(pieces) > 1:
            index.setdefault(pieces[0], []).append((pieces, word))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


def _rating(tokens: list[str], i: int) -> tuple[str, int] | None:
    """An explicit rating starting at ``tokens[i]`` (9/10, 4 out of 5, 5 stars): token, length."""
    tok = tokens[i]
    if not tok[0].isdigit() or tok.endswith("%") or i + 1 >= len(tokens):
        return None
    nxt = tokens[i + 1]
    if nxt == "/" and i + 2 < len(tokens):
        if _looks_like_date(tokens, i):
            return None
        scale, length = _RATING_SCALES.get(tokens[i + 2]), 3
    elif nxt == "out" and i + 3 < len(tokens) and tokens[i + 2] == "of":
        scale, length = _RATING_SCALES.get(tokens[i + 3]), 4
    else:
        scale, length = _STAR_WORDS.get(nxt), 2
    try:
        value = float(tok)
    except ValueError:  # a digit character float() does not read
        return None
    if scale is None or value > scale:
        return None
    share = value / scale
    return ("<rating+>" if share >= 0.7 else "<rating->" if share <= 0.4 else "<rating0>"), length


def _looks_like_date(tokens: list[str], i: int) -> bool:
    """True when ``tokens[i] / tokens[i + 2]`` reads as a date (on 2/10, 2/10/2015, 8/10-9/5)."""
    before = tokens[i - 1] if i > 0 else ""
    after = tokens[i + 3] if i + 3 < len(tokens) else ""
    return before in _DATE_BEFORE or after in {"/", "-"} or after[:1].isdigit()


def merge_phrases(tokens: list[str]) -> list[str]:
    """Merge fixed multi-word expressions and explicit ratings into single tokens."""
    index = _phrases()
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok[:1].isdigit():
            rating = _rating(tokens, i)
            if rating is not None:
                out.append(rating[0])
                i += rating[1]
                continue
        for pieces, word in index.get(tok, ()):
            if tuple(tokens[i : i + len(pieces)]) == pieces:
                out.append(word)
                i += len(pieces)
                break
        else:
            out.append(tok)
            i += 1
    return out


@dataclass(frozen=True, slots=True)
class TokenAnalysis:
    """What the clause rules found in one text."""

    features: list[tuple[str, float]]
    positive: float
    negative: float
    n_tokens: int

    @property
    def score(self) -> float:
        """Net lexicon score (positive minus negative)."""
        return self.positive - self.negative


def _weights(tokens: list[str]) -> list[float]:
    """Give each token its contrast weight (concession clauses count less)."""
    weights = [1.0] * len(tokens)
    last_contrast = -1
    for i, tok in enumerate(tokens):
        if tok in CONTRAST and i > 0:
            last_contrast = i
    for i in range(max(last_contrast, 0)):
        weights[i] = CONCESSION_WEIGHT
    in_concession = False
    for i, tok in enumerate(tokens):
        if tok in CONCESSIVE:
            in_concession = True
        elif tok in PUNCTUATION or tok in CONTRAST:
            in_concession = False
        if in_concession:
            weights[i] = CONCESSION_WEIGHT
    return weights


def _irrealis(tokens: list[str]) -> list[bool]:
    """Mark the tokens of every clause that states a wish or a condition (``IRREALIS_*``)."""
    flags = [False] * len(tokens)
    words = set(tokens)
    if IRREALIS_MARKERS.isdisjoint(words) and _IRREALIS_HEADS.isdisjoint(words):
        return flags  # most texts: one set operation instead of a walk through the clauses
    start = 0
    for end in range(len(tokens) + 1):
        if end < len(tokens) and tokens[end] not in _BOUNDARY:
            continue
        clause = tokens[start:end]
        if not IRREALIS_MARKERS.isdisjoint(clause) or any(
            pair in IRREALIS_PAIRS for pair in pairwise(clause)
        ):
            flags[start:end] = [True] * (end - start)
        start = end + 1
    return flags


def _polarity(tok: str, lex: dict[str, float]) -> float | None:
    """Look a token up, also as a degree, excess or negator prefix plus a lexicon word (很满意,
    不新鲜, 非常感谢, 太久) and without a final particle (太好了): jieba keeps some such
    phrases whole."""
    polarity = lex.get(tok)
    if polarity is not None or len(tok) < 2:
        return polarity
    for cut in (1, 2):
        head, rest = tok[:cut], tok[cut:]
        if head in EXCESS_MARKERS and rest in EXCESS_WORDS:
            return EXCESS_WEIGHT * DEGREE.get(head, 1.0)
        if rest not in lex:
            continue
        if head in DEGREE:
            return lex[rest] * DEGREE[head]
        if head in NEGATORS:
            value = lex[rest]
            return -0.8 * value if value > 0 else -0.5 * value
    if tok[-1] in _FINAL_PARTICLES:  # 太好了, 好棒啊: jieba keeps some such words whole
        return _polarity(tok[:-1], lex)
    return None


def analyse_tokens(
    tokens: list[str], *, own_only: bool = False, lexicon_boost: float = 1.0
) -> TokenAnalysis:
    """Apply negation, degree and contrast rules to the tokens of one text.

    ``own_only`` looks words up in manyi's own lexicon only: the sentiment model does so for
    Chinese texts, whose English tokens are mostly product names (``win7``, ``hot``) that
    VADER's social-media lexicon would score. ``lexicon_boost`` multiplies the unigram feature
    of every lexicon word (plain or ``NOT_``): the sentiment model uses 2 for English texts, so
    the training data can correct a lexicon word's prior where it has evidence (``please`` and
    ``help`` in complaints) while the other English n-grams stay strongly regularised.

    Returns the weighted word features (``w:<tok>``, ``w:NOT_<tok>``, ``b:<tok>|<next>``) for
    the statistical model and the lexicon's positive and negative mass. Stop words get no
    unigram feature (their weights would only learn how long complaints are) but stay in bigrams.
    """
    tokens = merge_phrases(tokens)
    lex = _scoring_lexicon(own_only)
    weights = _weights(tokens)
    stops, negators, degrees, stop_words = _BOUNDARY, NEGATORS, DEGREE, STOP_WORDS
    features: list[tuple[str, float]] = []
    pos = neg = 0.0
    negate_left = 0
    degree = 1.0
    degree_left = 0
    excess = False
    prev = "^"
    was_irrealis = False
    for tok, weight, irrealis in zip(tokens, weights, _irrealis(tokens), strict=True):
        if irrealis and not was_irrealis:
            features.append(("w:<irrealis>", weight))
        was_irrealis = irrealis
        if tok in stops:
            negate_left = degree_left = 0
            degree = 1.0
            prev = "^"
            if tok in CONTRAST:
                features.append(("w:" + tok, weight))
            continue
        negated = negate_left > 0
        shape = "<num>" if tok[0].isdigit() else tok  # numbers: no meaning of their own
        features.append(("b:" + prev + "|" + shape, weight))
        prev = shape
        if tok in negators:
            # the negator itself is no feature: its meaning lives in the NOT_ words after it
            negate_left = NEGATION_SCOPE
            continue
        if tok not in stop_words:
            boost = lexicon_boost if tok in lex else 1.0
            features.append(("w:" + ("NOT_" + shape if negated else shape), weight * boost))
        if tok in degrees or tok in EXCESS_MARKERS:
            degree, degree_left = degrees.get(tok, 1.0), DEGREE_SCOPE
            excess = tok in EXCESS_MARKERS
            continue
        polarity = lex.get(tok)
        if polarity is None and len(tok) > 1:
            polarity = _polarity(tok, lex)
        if polarity is None and excess and degree_left > 0 and tok in EXCESS_WORDS:
            polarity = EXCESS_WEIGHT
        if polarity is not None:
            value = polarity * (degree if degree_left > 0 else 1.0)
            if negated:
                value = -0.8 * value if value > 0 else -0.5 * value
            value *= weight
            if irrealis:
                value *= IRREALIS_POSITIVE if value > 0 else IRREALIS_NEGATIVE
            if value > 0:
                pos += value
            else:
                neg -= value
            negate_left = degree_left = 0
            degree = 1.0
            continue
        if negate_left and tok not in stop_words:
            negate_left -= 1
        if degree_left:
            degree_left -= 1
    features.extend(_char_ngrams(tokens, weights))
    return TokenAnalysis(features, pos, neg, len(tokens))


def _char_ngrams(tokens: list[str], weights: list[float]) -> list[tuple[str, float]]:
    """Chinese character 2- and 3-grams across token boundaries, weighted like their tokens."""
    out: list[tuple[str, float]] = []
    run: list[str] = []
    run_weight = 1.0
    for tok, weight in zip(tokens, weights, strict=True):
        if "\u4e00" <= tok[0] <= "\u9fff" and (not run or weight == run_weight):
            run.append(tok)
            run_weight = weight
            continue
        if run:
            _add_grams("".join(run), run_weight, out)
        run = [tok] if "\u4e00" <= tok[0] <= "\u9fff" else []
        run_weight = weight
    if run:
        _add_grams("".join(run), run_weight, out)
    return out


def _add_grams(chars: str, weight: float, out: list[tuple[str, float]]) -> None:
    """Append the 2- and 3-grams of one run of Chinese characters."""
    n = len(chars)
    out.extend([("c:" + chars[i : i + 2], weight) for i in range(n - 1)])
    out.extend([("c:" + chars[i : i + 3], weight) for i in range(n - 2)])
