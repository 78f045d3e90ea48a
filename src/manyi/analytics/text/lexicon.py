"""manyi's hand-written sentiment lexicon and the clause rules that apply it.

The lexicons (``resources/lexicon_zh.tsv``, ``resources/lexicon_en.tsv``) were written for this
project: word, tab, weight in [-2, 2]; emoji are entries too. :func:`analyse_tokens` walks the
tokens of one text once and applies three rules:

* negation — a negator (不, 没有, 并不, 不太, not, never, n't, ...) flips the next sentiment
  word within 3 tokens of the same clause: a negated positive becomes 0.8x negative
  (不太好, not good), a negated negative 0.5x positive (并不差, not bad); the words in scope are
  also returned with a ``NOT_`` prefix for the statistical model;
* degree — an intensifier or downtoner (非常 1.5, 有点 0.6, very 1.4, slightly 0.5, ...)
  multiplies the next sentiment word within 2 tokens;
* contrast — everything before the last 但是 / 不过 / 可是 / but / however, and the clause
  opened by 虽然 / 尽管 / although, gets weight ``CONCESSION_WEIGHT`` so the clause after the
  contrast dominates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from manyi.analytics.text.tokenize import PUNCTUATION, STOP_WORDS

__all__ = [
    "CONCESSION_WEIGHT",
    "CONTRAST",
    "DEGREE",
    "NEGATORS",
    "TokenAnalysis",
    "analyse_tokens",
    "lexicon",
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
}
CONTRAST = frozenset(
    ["但是", "但", "可是", "不过", "然而", "只是", "却", "可惜", "but", "however", "yet", "though"]
)
CONCESSIVE = frozenset(["虽然", "虽", "虽说", "尽管", "although", "while", "whereas"])
_BOUNDARY = PUNCTUATION | CONTRAST


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
    return {
        **_read_lexicon("lexicon_en_vader.tsv"),
        **_read_lexicon("lexicon_zh.tsv"),
        **_read_lexicon("lexicon_en.tsv"),
    }


@lru_cache(maxsize=1)
def own_lexicon() -> dict[str, float]:
    """Return manyi's hand-written Chinese + English lexicon only (without VADER's words)."""
    return {**_read_lexicon("lexicon_zh.tsv"), **_read_lexicon("lexicon_en.tsv")}


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


def _polarity(tok: str, lex: dict[str, float]) -> float | None:
    """Look a token up, also as a degree or negator prefix plus a lexicon word (很满意, 不新鲜,
    非常感谢, 无法忍受: jieba keeps some such phrases whole)."""
    polarity = lex.get(tok)
    if polarity is not None or len(tok) < 2:
        return polarity
    for cut in (1, 2):
        head, rest = tok[:cut], tok[cut:]
        if rest not in lex:
            continue
        if head in DEGREE:
            return lex[rest] * DEGREE[head]
        if head in NEGATORS:
            value = lex[rest]
            return -0.8 * value if value > 0 else -0.5 * value
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
    lex = own_lexicon() if own_only else lexicon()
    weights = _weights(tokens)
    stops, negators, degrees, stop_words = _BOUNDARY, NEGATORS, DEGREE, STOP_WORDS
    features: list[tuple[str, float]] = []
    pos = neg = 0.0
    negate_left = 0
    degree = 1.0
    degree_left = 0
    prev = "^"
    for tok, weight in zip(tokens, weights, strict=True):
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
        if tok in degrees:
            degree, degree_left = degrees[tok], DEGREE_SCOPE
            continue
        polarity = lex.get(tok)
        if polarity is None and len(tok) > 1:
            polarity = _polarity(tok, lex)
        if polarity is not None:
            value = polarity * (degree if degree_left > 0 else 1.0)
            if negated:
                value = -0.8 * value if value > 0 else -0.5 * value
            value *= weight
            if value > 0:
                pos += value
            else:
                neg -= value
            negate_left = degree_left = 0
            degree = 1.0
            continue
        if negate_left:
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
