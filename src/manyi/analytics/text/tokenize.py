"""Segment Chinese, English and mixed text into words.

Chinese runs go through one lazily initialised ``jieba.Tokenizer`` that carries manyi's
domain dictionary (物流, 包装, 客服, 退款, 快递, 性价比, 售后, ...); English words are matched
by a regular expression (``don't`` stays one token) and lower-cased; every other visible
symbol (punctuation, emoji) becomes its own token so callers can find clause boundaries.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from functools import lru_cache
from importlib import resources
from typing import Any

from manyi.analytics.text.normalize import normalize

__all__ = ["HAN_CLASS", "PUNCTUATION", "STOP_WORDS", "raw_tokens", "tokenize"]

HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # CJK ideographs (basic, ext. A, compat.)
_TOKEN = re.compile(
    rf"(?P<han>{HAN_CLASS}+)"
    r"|(?P<word>[A-Za-z\u00c0-\u024f]+(?:'[A-Za-z]+)?)"
    r"|(?P<num>\d+(?:\.\d+)?%?)"
    r"|(?P<sym>[^\s\w])"
)
_HAN_ONLY = re.compile(HAN_CLASS + "+")
PUNCTUATION = frozenset(".,!?;:~。！？，、；：～…()（）[]【】\"'“”‘’《》<>/\\|-—_")
_LOCK = threading.Lock()


def _resource_text(name: str) -> str:
    """Read a text resource shipped beside this module."""
    return resources.files("manyi.analytics.text").joinpath("resources", name).read_text("utf-8")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """Load the shipped stop-word list (comment lines start with #)."""
    lines = _resource_text("stopwords.txt").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


STOP_WORDS: frozenset[str] = _stop_words()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    """Build the jieba tokenizer once, quietly, with the domain dictionary loaded."""
    with _LOCK:
        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.initialize()
        path = resources.files("manyi.analytics.text").joinpath("resources", "domain_dict.txt")
        with resources.as_file(path) as file:
            tok.load_userdict(str(file))
        _keep_lexicon_words_whole(tok)
        return tok


def _keep_lexicon_words_whole(tok: Any) -> None:
    """Let jieba cut each Chinese lexicon word as one word (踩雷, 智商税, 丧良心) where its
    pieces would lose the meaning. Entries that jieba splits into a degree word or negator plus
    the rest (非常好, 毫无新意) or around a domain word (性价比高) stay split: the clause rules
    and the aspect finder need those pieces.
    """
    from manyi.analytics.text.lexicon import DEGREE, NEGATORS, own_lexicon  # it imports us

    keep_split = set(DEGREE) | set(NEGATORS) | set(_domain_words())
    for word in own_lexicon():
        if len(word) < 2 or not _HAN_ONLY.fullmatch(word):
            continue
        pieces = tok.lcut(word, HMM=False)
        if len(pieces) > 1 and not keep_split.intersection(pieces):
            tok.suggest_freq(word, tune=True)


def _domain_words() -> list[str]:
    """The words of the shipped domain dictionary (物流, 包装, 客服, ...)."""
    lines = _resource_text("domain_dict.txt").splitlines()
    return [line.split()[0] for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, int], float]:
    """jieba's word frequencies (domain dictionary included) and the log of their total."""
    tok = _jieba()
    return tok.FREQ, math.log(tok.total)


@lru_cache(maxsize=65536)
def _cut_han(run: str) -> tuple[str, ...]:
    """Segment one run of Chinese characters (cached: short phrases repeat across feedback).

    The same maximum-probability path over jieba's dictionary as ``jieba.lcut(run, HMM=False)``
    (ties broken the same way), computed in one pass without jieba's generator layers.
    """
    freq, log_total = _dictionary()
    log = math.log
    n = len(run)
    score = [0.0] * (n + 1)
    end = list(range(n + 1))
    for k in range(n - 1, -1, -1):
        # the single character is the fallback word (log(1) when it is not in the dictionary)
        best, best_end = None, k
        i = k
        frag = run[k]
        while i < n and frag in freq:
            count = freq[frag]
            if count:
                value = log(count) - log_total + score[i + 1]
                if best is None or value >= best:  # ties: the longer word, as jieba
                    best, best_end = value, i
            i += 1
            frag = run[k : i + 1]
        if best is None:
            best = log(freq.get(run[k]) or 1) - log_total + score[k + 1]
        score[k], end[k] = best, best_end
    words: list[str] = []
    x = 0
    while x < n:
        y = end[x] + 1
        words.append(run[x:y])
        x = y
    return tuple(words)


def raw_tokens(text: str) -> list[str]:
    """Tokenise already normalised text, keeping punctuation and emoji as tokens."""
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        piece = match.group()
        if kind == "han":
            if len(piece) == 1:
                out.append(piece)
            else:
                out.extend(_cut_han(piece))
        elif kind == "word":
            out.append(piece.lower())
        else:
            out.append(piece)
    return out


def tokenize(text: str, *, drop_stop_words: bool = False) -> list[str]:
    """Return the words of `text` (normalised first), without punctuation.

    Parameters
    ----------
    text : str
        Chinese (Simplified or Traditional), English or mixed text.
    drop_stop_words : bool, default False
        Also remove ``STOP_WORDS``.

    Examples
    --------
    >>> tokenize("物流很快, but the packaging was BAD!")
    ['物流', '很快', 'but', 'the', 'packaging', 'was', 'bad']
    """
    words = [t for t in raw_tokens(normalize(text)) if t not in PUNCTUATION]
    if drop_stop_words:
        words = [t for t in words if t not in STOP_WORDS]
    return words
