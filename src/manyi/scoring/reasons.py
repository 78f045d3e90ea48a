"""Why a customer is at risk: up to three reasons per customer, chosen by strength, vectorised.

Each reason is a code with a few numbers (stored in the score's detail JSON) and is rendered in
Chinese or English only when shown. Candidates, strongest first when several apply:

=================  =========================================================================
code               when
=================  =========================================================================
open_complaint     a complaint in the last 30 days (counts as open until cases track it)
complaints         complaints in the last 12 months
negative_feedback  negative feedback in the last 6 months (with the most named bad aspect)
low_nps            latest NPS answer (0-10 scale) is 0-6, a detractor
low_rating         latest rating on another scale is in its bottom quarter
low_p_alive        the purchase model gives P(alive) below 50%
overdue            silent for at least twice the customer's own usual purchase interval
single_purchase    bought once, nothing for 8 weeks or more
=================  =========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from manyi.analytics.text.aspects import AspectTaxonomy

TOP_REASONS = 3
OVERDUE_RATIO = 2.0
SINGLE_PURCHASE_WEEKS = 8.0

#: code -> (words a rule's `reason` column can match, English, Chinese)
LABELS: dict[str, tuple[str, str]] = {
    "open_complaint": ("open complaint", "未结投诉"),
    "complaints": ("complaint", "投诉"),
    "negative_feedback": ("negative feedback", "负面反馈"),
    "low_nps": ("low NPS, detractor", "NPS 贬损者"),
    "low_rating": ("low rating", "低评分"),
    "low_p_alive": ("low P(alive)", "活跃概率低"),
    "overdue": ("overdue vs own cadence", "超出平时购买间隔"),
    "single_purchase": ("one purchase only", "仅购买一次"),
}
CODES = tuple(LABELS)


@dataclass(frozen=True)
class Reasons:
    """Reasons per customer: structured (stored), as words the retention rules match (`text`) and
    as short 'English / 中文' labels without numbers (`labels`, stored with actions)."""

    items: list[list[dict[str, Any]]]
    text: pd.Series
    labels: pd.Series


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as floats, NaN where missing or absent."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _strengths(frame: pd.DataFrame) -> np.ndarray:
    """(customers x codes) strength matrix; 0 where a reason does not apply."""
    x, t_x, big_t = (_num(frame, c) for c in ("frequency", "recency", "T"))
    since = big_t - t_x
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x > 0, since / (t_x / np.where(x > 0, x, 1.0)), 0.0)
    complaints = np.nan_to_num(_num(frame, "complaints"))
    negative = np.nan_to_num(_num(frame, "negative_feedback"))
    nps, p_alive = _num(frame, "nps"), _num(frame, "p_alive")
    columns = {
        "open_complaint": np.where(np.isfinite(_num(frame, "open_complaint_days")), 3.0, 0.0),
        "complaints": np.where(complaints > 0, 2.0 + 0.1 * np.minimum(complaints, 5), 0.0),
        "negative_feedback": np.where(negative > 0, 1.5 + 0.1 * np.minimum(negative, 5), 0.0),
        "low_nps": np.where(nps <= 6, 1.2 + (6.0 - np.nan_to_num(nps)) / 20.0, 0.0),
        "low_rating": np.where(np.isfinite(_num(frame, "low_rating")), 1.0, 0.0),
        "low_p_alive": np.where(p_alive < 0.5, 1.0 - np.nan_to_num(p_alive), 0.0),
        "overdue": np.where(ratio >= OVERDUE_RATIO, 0.5 + np.minimum(ratio, 10.0) / 20.0, 0.0),
        "single_purchase": np.where((x == 0) & (since >= SINGLE_PURCHASE_WEEKS), 0.6, 0.0),
    }
    return np.column_stack([np.nan_to_num(columns[c]) for c in CODES])


def _column(table: pd.DataFrame, name: str, rows: np.ndarray, digits: int = 1) -> list[Any]:
    """A numeric column at `rows`, rounded, as Python floats."""
    return np.round(_num(table, name)[rows], digits).tolist()


def _params(code: str, table: pd.DataFrame, rows: np.ndarray) -> list[dict[str, Any]]:
    """The numbers reason `code` shows, for the customers at positions `rows`."""
    if code == "open_complaint":
        return [{"code": code, "days": d} for d in _column(table, "open_complaint_days", rows)]
    if code in ("complaints", "negative_feedback"):
        counts = _num(table, code)[rows].astype(int).tolist()
        if code == "complaints":
            return [{"code": code, "n": n} for n in counts]
        aspects = table["negative_aspect"].to_numpy(dtype=object)[rows].tolist()
        return [{"code": code, "n": n, "aspect": a if isinstance(a, str) else None}
                for n, a in zip(counts, aspects, strict=True)]  # fmt: skip
    if code == "low_nps":
        return [{"code": code, "score": v} for v in _column(table, "nps", rows)]
    if code == "low_rating":
        scales = table["low_rating_scale"].to_numpy(dtype=object)[rows].astype(str).tolist()
        return [{"code": code, "score": v, "scale": sc}
                for v, sc in zip(_column(table, "low_rating", rows), scales, strict=True)]  # fmt: skip
    if code == "low_p_alive":
        return [{"code": code, "p": v} for v in _column(table, "p_alive", rows, 4)]
    since = np.round((_num(table, "T") - _num(table, "recency"))[rows], 1).tolist()
    if code == "overdue":
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.round((_num(table, "recency") / _num(table, "frequency"))[rows], 1).tolist()
        return [{"code": code, "since": s, "gap": g} for s, g in zip(since, gap, strict=True)]
    return [{"code": code, "since": s} for s in since]


_NEEDED = (
    "frequency", "recency", "T", "p_alive", "complaints", "open_complaint_days",
    "negative_feedback", "negative_aspect", "nps", "low_rating", "low_rating_scale",
)  # fmt: skip


def _joined(labels: list[str], order: np.ndarray, chosen: np.ndarray, sep: str) -> np.ndarray:
    """Per customer, the labels of the chosen reasons joined by `sep` (vectorised)."""
    words = np.array(labels, dtype=object)
    text = np.full(len(order), "", dtype=object)
    for j in range(order.shape[1]):  # chosen slots come first: strengths are sorted
        glue = "" if j == 0 else sep
        text = np.where(chosen[:, j], text + glue + words[order[:, j]], text)
    return text


def top_reasons(frame: pd.DataFrame, top: int = TOP_REASONS) -> Reasons:
    """The strongest `top` reasons per customer of `frame` (summary, P(alive) and signals)."""
    table = frame.reindex(columns=list(_NEEDED))
    strength = _strengths(table)
    order = np.argsort(-strength, axis=1, kind="stable")[:, :top]
    chosen = np.take_along_axis(strength, order, axis=1) > 0
    text = _joined([f"{c} {LABELS[c][0]} {LABELS[c][1]}" for c in CODES], order, chosen, " | ")
    labels = _joined([f"{LABELS[c][0]} / {LABELS[c][1]}" for c in CODES], order, chosen, "; ")
    items: list[list[dict[str, Any]]] = [[] for _ in range(len(frame))]
    for j in range(order.shape[1]):
        for k, code in enumerate(CODES):
            rows = np.flatnonzero(chosen[:, j] & (order[:, j] == k))
            for i, params in zip(rows.tolist(), _params(code, table, rows), strict=True):
                items[i].append(params)
    return Reasons(
        items=items,
        text=pd.Series(text, index=frame.index, dtype="string"),
        labels=pd.Series(labels, index=frame.index, dtype="string"),
    )


@lru_cache(maxsize=1)
def _aspect_labels() -> dict[str, tuple[str, str]]:
    """Aspect key -> (English, Chinese) label of the built-in retail taxonomy."""
    return {a.key: (a.label_en, a.label_zh) for a in AspectTaxonomy.builtin("retail").aspects}


def describe(reason: dict[str, Any], lang: str = "zh") -> str:
    """One reason as a sentence in Chinese (``zh``) or English."""
    code = str(reason.get("code", ""))
    zh = lang == "zh"
    get = reason.get
    if code == "open_complaint":
        days = float(get("days", 0))
        return (
            f"{days:.0f} 天前投诉，尚未解决" if zh else f"complaint {days:.0f} days ago, still open"
        )
    if code == "complaints":
        n = int(get("n", 0))
        return f"近 12 个月投诉 {n} 次" if zh else f"{n} complaint(s) in the last 12 months"
    if code == "negative_feedback":
        n, aspect = int(get("n", 0)), get("aspect")
        label = _aspect_labels().get(str(aspect), (str(aspect), str(aspect)))[1 if zh else 0]
        if zh:
            return f"近 6 个月负面反馈 {n} 条" + (f"（主要关于{label}）" if aspect else "")
        return f"{n} negative feedback in 6 months" + (f" (mostly {label})" if aspect else "")
    if code == "low_nps":
        score = float(get("score", 0))
        return f"NPS 打分 {score:g}（贬损者）" if zh else f"NPS answer {score:g} (detractor)"
    if code == "low_rating":
        score, scale = float(get("score", 0)), get("scale", "")
        return f"评分 {score:g}（{scale} 分制）" if zh else f"rated {score:g} on a {scale} scale"
    if code == "low_p_alive":
        p = float(get("p", 0))
        return f"仍活跃的概率仅 {p:.0%}" if zh else f"probability still active only {p:.0%}"
    if code == "overdue":
        since, gap = float(get("since", 0)), float(get("gap", 1)) or 1.0
        if zh:
            return f"距上次购买 {since:.0f} 周，平时间隔 {gap:.0f} 周（{since / gap:.1f} 倍）"
        return f"{since:.0f} weeks since last purchase vs usual {gap:.0f} ({since / gap:.1f}x)"
    if code == "single_purchase":
        since = float(get("since", 0))
        return f"仅购买一次，已 {since:.0f} 周未再购买" if zh else (
            f"one purchase only, none for {since:.0f} weeks")  # fmt: skip
    return code


def describe_all(reasons: list[dict[str, Any]] | None, lang: str = "zh") -> list[str]:
    """Every reason of a customer as sentences."""
    return [describe(r, lang) for r in reasons or []]
