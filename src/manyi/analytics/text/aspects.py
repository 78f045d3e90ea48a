"""Aspects (what a piece of feedback is about) and the sentiment of each aspect.

A taxonomy maps aspects to bilingual keyword lists (``resources/aspects_retail.json`` is the
default; ``aspects_bank.json`` and ``aspects_airline.json`` are examples for other businesses;
load your own JSON or TOML with :meth:`AspectTaxonomy.from_file`). All keywords of a taxonomy are
compiled into one regular expression, so a text is scanned once. Each text is split into clauses
at punctuation and contrast words (但是, 不过, but, however); an aspect's polarity is the
sentiment of the clauses that mention it, so "物流很快，但是包装破了" gives logistics positive
and packaging negative.

Examples
--------
>>> extract_aspects(["物流很快，但是包装破了"])  # doctest: +SKIP
[[('logistics', 'positive'), ('packaging', 'negative')]]
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from manyi.analytics.text.types import prepare, score_sentiment, trie_regex

__all__ = ["POLARITIES", "Aspect", "AspectTaxonomy", "extract_aspects"]

POLARITIES = ("negative", "neutral", "positive")
_RESOURCES = Path(__file__).resolve().parent / "resources"
_BUILTIN = ("retail", "bank", "airline")
_CLAUSE_BREAK = re.compile(
    r"[,.!?;:，。！？；：、\n…~]+|\s+-\s+"
    r"|(?=但是|不过|可是|然而|就是太|只是|但)"
    r"|(?<![a-z])(?=but\b|however\b|although\b|though\b|except\b|yet\b)"
)


@dataclass(frozen=True, slots=True)
class Aspect:
    """One aspect of a taxonomy: a key, English and Chinese labels and its keywords."""

    key: str
    label_en: str
    label_zh: str
    keywords: tuple[str, ...]


def _is_latin(word: str) -> bool:
    """Whether a keyword starts with an ASCII letter or digit (needs word boundaries)."""
    return word[:1].isascii() and word[:1].isalnum()


@dataclass(frozen=True)
class AspectTaxonomy:
    """A named set of aspects with their keywords; compiles to one matcher.

    Parameters
    ----------
    name : str
        Taxonomy name (e.g. "retail").
    aspects : tuple of Aspect
        The aspects, in reporting order.
    """

    name: str
    aspects: tuple[Aspect, ...]
    _compiled: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AspectTaxonomy:
        """Build a taxonomy from ``{"name": ..., "aspects": {key: {label_en, label_zh, keywords}}}``."""
        raw = data.get("aspects")
        if not isinstance(raw, Mapping) or not raw:
            raise ValueError("aspects: expected a non-empty mapping of aspect key -> definition")
        aspects = []
        for key, spec in raw.items():
            words = spec.get("keywords") if isinstance(spec, Mapping) else None
            if (
                not isinstance(words, list)
                or not words
                or not all(isinstance(w, str) and w.strip() for w in words)
            ):
                raise ValueError(f"aspects.{key}.keywords: expected a list of non-empty strings")
            aspects.append(
                Aspect(
                    key=str(key),
                    label_en=str(spec.get("label_en", key)),
                    label_zh=str(spec.get("label_zh", key)),
                    keywords=tuple(prepare(w) or w.lower() for w in words),
                )
            )
        return cls(name=str(data.get("name", "custom")), aspects=tuple(aspects))

    @classmethod
    def from_file(cls, path: str | Path) -> AspectTaxonomy:
        """Load a taxonomy from a ``.json`` or ``.toml`` file."""
        p = Path(path)
        text = p.read_text(encoding="utf-8")
        data = tomllib.loads(text) if p.suffix.lower() == ".toml" else json.loads(text)
        return cls.from_dict(data)

    @classmethod
    def builtin(cls, name: str = "retail") -> AspectTaxonomy:
        """One of the shipped taxonomies: "retail" (default), "bank" or "airline"."""
        if name not in _BUILTIN:
            raise ValueError(f"taxonomy: unknown built-in {name!r}; choose from {_BUILTIN}")
        return _load_builtin(name)

    @property
    def keys(self) -> list[str]:
        """Aspect keys in order."""
        return [a.key for a in self.aspects]

    @property
    def fingerprint(self) -> str:
        """Short hash of the aspects and keywords: changes whenever the matching would."""
        spec = [[a.key, list(a.keywords)] for a in self.aspects]
        digest = hashlib.sha256(json.dumps(spec, ensure_ascii=False).encode("utf-8"))
        return digest.hexdigest()[:8]

    def matcher(self) -> tuple[re.Pattern[str], dict[str, list[str]], list[str]]:
        """The compiled keyword scanner, keyword -> aspects map and wildcard stems (longest first)."""
        if "re" not in self._compiled:
            by_kw: dict[str, list[str]] = {}
            for a in self.aspects:
                for kw in a.keywords:
                    keys = by_kw.setdefault(kw.rstrip("*") if kw.endswith("*") else kw, [])
                    if a.key not in keys:
                        keys.append(a.key)
            latin = [kw for a in self.aspects for kw in a.keywords if _is_latin(kw)]
            other = [kw for a in self.aspects for kw in a.keywords if not _is_latin(kw)]
            parts = []
            if latin:
                parts.append(r"(?<![a-z0-9])" + trie_regex(latin) + r"(?![a-z0-9])")
            if other:
                parts.append(trie_regex(other))
            self._compiled["re"] = re.compile("|".join(parts) or r"(?!x)x")
            self._compiled["kw"] = by_kw
            self._compiled["stems"] = sorted(
                {kw.rstrip("*") for a in self.aspects for kw in a.keywords if kw.endswith("*")},
                key=len,
                reverse=True,
            )
        return self._compiled["re"], self._compiled["kw"], self._compiled["stems"]

    def aspects_of(self, matched: str) -> list[str]:
        """The aspects a matched keyword text belongs to (exact keyword, else wildcard stem)."""
        _, by_kw, stems = self.matcher()
        if matched in by_kw:
            return by_kw[matched]
        for stem in stems:
            if matched.startswith(stem):
                return by_kw[stem]
        return []


@lru_cache(maxsize=len(_BUILTIN))
def _load_builtin(name: str) -> AspectTaxonomy:
    """Load and cache a shipped taxonomy file."""
    return AspectTaxonomy.from_file(_RESOURCES / f"aspects_{name}.json")


def _clause_starts(text: str) -> list[int]:
    """Start offsets of the clauses of a prepared text."""
    starts = [0]
    for m in _CLAUSE_BREAK.finditer(text):
        if m.end() > starts[-1]:
            starts.append(m.end())
    return starts


def _clauses(text: str, starts: list[int]) -> list[str]:
    """Cut a text at the given clause starts."""
    ends = [*starts[1:], len(text)]
    return [text[s:e] for s, e in zip(starts, ends, strict=True)]


def _mentions(text: str, tax: AspectTaxonomy) -> tuple[list[str], dict[str, set[int]]]:
    """Clauses of a text and, per aspect, the indices of the clauses that mention it."""
    starts = _clause_starts(text)
    found: dict[str, set[int]] = {}
    pattern = tax.matcher()[0]
    for m in pattern.finditer(text):
        clause = bisect.bisect_right(starts, m.start()) - 1
        for aspect in tax.aspects_of(m.group()):
            found.setdefault(aspect, set()).add(clause)
    return _clauses(text, starts), found


def _polarity(score: float, threshold: float) -> str:
    """Map a sentiment score to negative / neutral / positive."""
    if score <= -threshold:
        return "negative"
    if score >= threshold:
        return "positive"
    return "neutral"


def extract_aspects(
    texts: Sequence[str],
    taxonomy: AspectTaxonomy | None = None,
    *,
    threshold: float = 0.2,
    other: bool = True,
    scores: Sequence[float] | np.ndarray | None = None,
    normalized: bool = False,
) -> list[list[tuple[str, str]]]:
    """Find the aspects each text mentions and the polarity of each.

    Parameters
    ----------
    texts : sequence of str
        Raw texts; non-strings count as empty.
    taxonomy : AspectTaxonomy, optional
        Defaults to the built-in retail taxonomy.
    threshold : float
        Clause sentiment at or beyond +-threshold is positive/negative, else neutral.
    other : bool
        Give a non-empty text with no aspect the single aspect ``("other", polarity)``.
    scores : sequence of float, optional
        Whole-text sentiment already computed; reused when an aspect's clauses are the whole
        text, so only multi-clause texts are scored again.
    normalized : bool, default False
        The texts are already :func:`~manyi.analytics.text.normalize.normalize`-d (skip it).

    Returns
    -------
    list of list of (aspect, polarity)
        Per text, aspects in taxonomy order with polarity in ``POLARITIES``.
    """
    if isinstance(texts, str):
        raise ValueError("texts: expected a sequence of strings, got a single str")
    tax = taxonomy or AspectTaxonomy.builtin("retail")
    order = {k: i for i, k in enumerate(tax.keys)}
    prepared = [
        (t.lower() if isinstance(t, str) else "") if normalized else prepare(t) for t in texts
    ]
    given = None if scores is None else np.asarray(scores, dtype=float)
    if given is not None and given.shape != (len(prepared),):
        raise ValueError(f"scores: expected {len(prepared)} values, got shape {given.shape}")
    known: dict[int, float] = {}
    jobs: list[tuple[int, str]] = []
    to_score: list[str] = []
    for i, text in enumerate(prepared):
        if not text:
            continue
        clauses, found = _mentions(text, tax)
        if not found and other:
            found = {"other": set(range(len(clauses)))}
        for aspect in sorted(found, key=lambda k: order.get(k, len(order))):
            if given is not None and len(found[aspect]) == len(clauses):
                known[len(jobs)] = float(given[i])
            else:
                to_score.append("".join(clauses[c] for c in sorted(found[aspect])))
            jobs.append((i, aspect))
    fresh = iter(score_sentiment(to_score, clauses=True) if to_score else np.zeros(0))
    out: list[list[tuple[str, str]]] = [[] for _ in prepared]
    for j, (i, aspect) in enumerate(jobs):
        s = known[j] if j in known else float(next(fresh))
        out[i].append((aspect, _polarity(s, threshold)))
    return out
