"""Feedback type: complaint, suggestion, inquiry, praise (multi-label), else other.

Each type has cue patterns (``resources/types_cues.json``: 建议/希望/should, 吗/？/how do I,
投诉/太差/never again, 好评/赞/thank you, ...) matched on normalised text (Traditional Chinese
converted to Simplified), combined with a sentiment score in [-1, 1]: a complaint cue counts only
when the text is not clearly positive, a praise cue only when it is not clearly negative, and a
clearly negative (positive) text is a complaint (praise) even without a cue.

Examples
--------
>>> classify_types(["建议增加夜间配送", "会员积分怎么查？", "太差了，我要投诉", "Love it, thank you!"])
[['suggestion'], ['inquiry'], ['complaint'], ['praise']]
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from manyi.analytics.text.normalize import normalize

__all__ = [
    "FEEDBACK_TYPES",
    "TYPE_LABELS",
    "classify_types",
    "prepare",
    "score_sentiment",
    "trie_regex",
]

FEEDBACK_TYPES = ("complaint", "suggestion", "inquiry", "praise", "other")
TYPE_LABELS = {
    "complaint": ("Complaint", "投诉"),
    "suggestion": ("Suggestion", "建议"),
    "inquiry": ("Inquiry", "咨询"),
    "praise": ("Praise", "表扬"),
    "other": ("Other", "其他"),
}
_RESOURCES = Path(__file__).resolve().parent / "resources"

# Fallback lexicon, used only when the package's sentiment model is unavailable.
_POS = [
    "好",
    "不错",
    "满意",
    "喜欢",
    "快",
    "棒",
    "赞",
    "值",
    "实惠",
    "便宜",
    "推荐",
    "热情",
    "耐心",
    "周到",
    "流畅",
    "方便",
    "完好",
    "正品",
    "舒服",
    "漂亮",
    "给力",
    "感谢",
    "谢谢",
    "完美",
    "清晰",
    "划算",
    "新鲜",
    "好吃",
    "好用",
    "good",
    "great",
    "love",
    "thanks",
    "thank",
    "awesome",
    "amazing",
    "excellent",
    "best",
    "happy",
    "nice",
    "fast",
    "helpful",
    "friendly",
    "perfect",
    "wonderful",
    "appreciate",
]
_NEG = [
    "差",
    "慢",
    "坏",
    "贵",
    "烂",
    "失望",
    "垃圾",
    "破",
    "投诉",
    "问题",
    "糟",
    "难用",
    "卡顿",
    "闪退",
    "延误",
    "取消",
    "丢",
    "脏",
    "乱",
    "排队",
    "骗",
    "假",
    "次品",
    "漏",
    "后悔",
    "无语",
    "恶心",
    "bad",
    "worst",
    "terrible",
    "awful",
    "delay",
    "delayed",
    "cancelled",
    "canceled",
    "lost",
    "rude",
    "slow",
    "never",
    "hate",
    "fail",
    "failed",
    "broken",
    "damaged",
    "disappointed",
    "horrible",
    "poor",
    "ridiculous",
    "unacceptable",
]
_NEGATION = re.compile(r"(?:不|没|没有|别|未|not |no |never |n't )$")


def prepare(text: object) -> str:
    """Normalise (NFKC, Traditional -> Simplified) and lower-case one text; non-strings -> ''."""
    return normalize(text).lower() if isinstance(text, str) else ""


@lru_cache(maxsize=1)
def _model_scorer() -> Callable[[list[str], bool], np.ndarray] | None:
    """Part A's sentiment model when present (loaded once), else None."""
    try:
        from manyi.analytics.text.sentiment import SentimentModel  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        model = SentimentModel.load()
    except Exception:  # a missing or broken model file falls back to the lexicon
        return None
    return lambda texts, whole: np.asarray(model.score(texts, whole=whole), dtype=float)


@lru_cache(maxsize=1)
def _lexicon_pattern() -> re.Pattern[str]:
    """One alternation over the fallback polarity words, longest first."""
    words = sorted(set(_POS) | set(_NEG), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


def _lexicon_score(text: str) -> float:
    """Tiny polarity-word score in [-1, 1] with one-word negation."""
    pos_set, total, n = set(_POS), 0.0, 0
    for m in _lexicon_pattern().finditer(text):
        sign = 1.0 if m.group() in pos_set else -1.0
        if _NEGATION.search(text[max(0, m.start() - 4) : m.start()]):
            sign = -sign
        total += sign
        n += 1
    return float(np.tanh(total)) if n else 0.0


def score_sentiment(texts: Sequence[str], *, clauses: bool = False) -> np.ndarray:
    """Sentiment in [-1, 1] per text: the package's sentiment model, or a small lexicon fallback.

    ``clauses=True`` scores each text as a clause of a longer text (a phrase's own polarity).
    """
    items = [t if isinstance(t, str) else "" for t in texts]
    if not items:
        return np.zeros(0, dtype=float)
    scorer = _model_scorer()
    if scorer is not None:
        return np.clip(scorer(items, not clauses), -1.0, 1.0)
    return np.array([_lexicon_score(prepare(t)) for t in items], dtype=float)


_WILD = "\x00"


def trie_regex(words: Sequence[str]) -> str:
    """A compact regex matching any of ``words`` (longest first), built from a character trie.

    A plain alternation of hundreds of keywords is tried one keyword at a time; the trie shares
    prefixes so each text is scanned about once. A trailing ``*`` matches any letters.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word.rstrip("*"):
            node = node.setdefault(ch, {})
        if word.endswith("*"):
            node.setdefault(_WILD, {})[""] = {}
        else:
            node[""] = {}
    return _node_regex(trie)


def _node_regex(node: dict[str, Any]) -> str:
    """Regex for the subtree below one trie node."""
    alts = [re.escape(ch) + _node_regex(node[ch]) for ch in sorted(node) if ch not in ("", _WILD)]
    if _WILD in node:
        alts.append("[a-z]*")
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in node:
        body = "(?:" + body + ")?"
    return body


_LITERAL_CUE = re.compile(r"(\\b)?([^\\()\[\]?*+.^$|{}]+?)(\\b)?")


def _compile_cues(cues: list[str]) -> re.Pattern[str]:
    """One regex for a cue list: literal cues through a trie (fast), the rest as alternatives."""
    latin: list[str] = []
    word: list[str] = []
    plain: list[str] = []
    other: list[str] = []
    for cue in cues:
        m = _LITERAL_CUE.fullmatch(cue)
        if m is None:
            other.append(cue)
        elif m.group(1) and m.group(3):
            word.append(m.group(2))
        elif m.group(1):
            latin.append(m.group(2))
        else:
            plain.append(m.group(2))
    parts = [f"(?:{c})" for c in other]
    if latin:
        parts.insert(0, r"(?<![a-z0-9_])" + trie_regex(latin))
    if word:
        parts.insert(0, r"(?<![a-z0-9_])" + trie_regex(word) + r"(?![a-z0-9_])")
    if plain:
        parts.insert(0, trie_regex(plain))
    return re.compile("|".join(parts))


@lru_cache(maxsize=1)
def _cue_patterns() -> dict[str, re.Pattern[str]]:
    """Compile each type's cue list from resources/types_cues.json."""
    raw = json.loads((_RESOURCES / "types_cues.json").read_text(encoding="utf-8"))
    return {kind: _compile_cues(raw[kind]) for kind in FEEDBACK_TYPES[:4]}


def _types_for(text: str, score: float, neg: float, pos: float) -> list[str]:
    """Decide the labels of one prepared text from its cues and sentiment score."""
    if not text:
        return ["other"]
    cues = _cue_patterns()
    out: list[str] = []
    if score <= neg or (score < pos and cues["complaint"].search(text)):
        out.append("complaint")
    if cues["suggestion"].search(text):
        out.append("suggestion")
    if cues["inquiry"].search(text):
        out.append("inquiry")
    if score >= pos or (score > neg / 2 and cues["praise"].search(text)):
        out.append("praise")
    return out or ["other"]


def classify_types(
    texts: Sequence[str],
    *,
    scores: Sequence[float] | np.ndarray | None = None,
    negative_threshold: float = -0.5,
    positive_threshold: float = 0.6,
    normalized: bool = False,
) -> list[list[str]]:
    """Label each text with its feedback types (multi-label).

    Parameters
    ----------
    texts : sequence of str
        Raw texts (Simplified/Traditional Chinese, English or mixed); non-strings count as empty.
    scores : sequence of float, optional
        Sentiment in [-1, 1] per text if already computed (saves scoring twice).
    negative_threshold, positive_threshold : float
        A text at or below (above) this score is a complaint (praise) even without a cue.
    normalized : bool, default False
        The texts are already :func:`~manyi.analytics.text.normalize.normalize`-d (skip it).

    Returns
    -------
    list of list of str
        Labels from ``FEEDBACK_TYPES`` per text, in that order; ``["other"]`` when none applies.
    """
    if isinstance(texts, str):
        raise ValueError("texts: expected a sequence of strings, got a single str")
    items = list(texts)
    if scores is None:
        sc = score_sentiment(items)
    else:
        sc = np.asarray(scores, dtype=float)
        if sc.shape != (len(items),):
            raise ValueError(f"scores: expected {len(items)} values, got shape {sc.shape}")
    return [
        _types_for(
            (t.lower() if isinstance(t, str) else "") if normalized else prepare(t),
            float(s),
            negative_threshold,
            positive_threshold,
        )
        for t, s in zip(items, sc, strict=True)
    ]
