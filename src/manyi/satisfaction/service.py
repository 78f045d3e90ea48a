"""Satisfaction metrics over the feedback store: NPS, CSAT and CES with intervals, breakdowns,
comparisons (groups or periods) and trends with control limits.

Plain keyword-only functions, session first; every formula is the analytics library's
(:mod:`manyi.analytics.metrics`): this module only reads the answers and shapes the results.
NPS reads answers stored with ``rating_scale`` 0-10, CSAT 1-5 (top-2-box), CES 1-7.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from manyi.analytics.metrics.breakdown import Summary, summarise
from manyi.analytics.metrics.compare import compare_groups, compare_two
from manyi.analytics.metrics.trend import trend as metric_trend
from manyi.errors import InputError
from manyi.feedback.models import FeedbackItem
from manyi.satisfaction.attributes import Attribute, parse_by
from manyi.satisfaction.frames import MetricScale, RatingFilter, Ratings, metric_scale, ratings
from manyi.satisfaction.shapes import json_safe, summary_payload

METRICS = ("nps", "csat", "ces")
PERIODS = {"day": "D", "week": "W", "month": "M", "quarter": "Q"}
MAX_COMPARED_GROUPS = 20
ANSWERS = "rating"


def _options(scale: MetricScale) -> dict[str, Any]:
    """Scale options the analytics need for this metric."""
    return {"scale": scale.high} if scale.metric == "csat" else {}


def _check_period(period: str) -> str:
    """Validate a period name (422 otherwise)."""
    if period not in PERIODS:
        raise InputError(f"period: {period[:20]!r} is not one of {', '.join(PERIODS)}")
    return period


def _check_confidence(confidence: float, min_n: int) -> None:
    """Refuse a confidence level outside (0.5, 1) or a negative minimum n."""
    if not 0.5 <= confidence < 1:
        raise InputError(f"confidence: {confidence} must lie in [0.5, 1)")
    if min_n < 0:
        raise InputError(f"min_n: {min_n} must not be negative")


def _filters_dict(filters: RatingFilter) -> dict[str, Any]:
    """The filters applied, for the response."""
    return json_safe({"since": filters.since, "until": filters.until, "channel": filters.channel})


def _exploded(frame: pd.DataFrame, attributes: Sequence[Attribute]) -> pd.DataFrame:
    """One row per value of the (single) multi-valued attribute; rows without one keep a blank."""
    for attribute in attributes:
        if attribute.multi_valued:
            out = frame.explode(attribute.name, ignore_index=True)
            out[attribute.name] = out[attribute.name].astype(object)
            return out
    return frame


def _n_unkeyed(frame: pd.DataFrame, names: Sequence[str]) -> int:
    """Answers left out of every cell because an attribute is missing."""
    if not names:
        return 0
    missing = frame[list(names)].isna().any(axis=1)
    return int(missing.sum())


def summary(
    *,
    session: Session,
    metric: str,
    by: str | Sequence[str] | None = None,
    filters: RatingFilter | None = None,
    confidence: float = 0.95,
    min_n: int = 30,
) -> dict[str, Any]:
    """The metric overall and broken down by ``by`` (allow-listed attributes), best cell first.

    Returns ``{"metric", "by", "filters", "overall": {...}, "groups": [...]}``: the CLI's
    JSON shape, each group with ``key``, ``values``, ``n``, ``score``, ``se``, ``ci_low``,
    ``ci_high``, ``small_sample`` and the metric's extra figures. The overall figure also says
    how many stored answers were invalid (off the scale) and how many had no key.
    """
    _check_confidence(confidence, min_n)
    attributes = parse_by(by)
    filters = filters or RatingFilter()
    data = ratings(session=session, metric=metric, attributes=attributes, filters=filters)
    return _summary_of(data, attributes, filters, confidence, min_n)


def _summary_of(
    data: Ratings,
    attributes: Sequence[Attribute],
    filters: RatingFilter,
    confidence: float,
    min_n: int,
) -> dict[str, Any]:
    """The summary payload of answers already read."""
    metric = data.metric.metric
    names = [a.name for a in attributes]
    options = {"metric": metric, "confidence": confidence, "min_n": min_n, **_options(data.metric)}
    frame = data.frame
    result = summarise(frame, ANSWERS, None, **options)
    if names:
        exploded = _exploded(frame, attributes)
        cells = summarise(exploded, ANSWERS, names, **options)
        result = Summary(result.overall, cells.groups)
        n_unkeyed = _n_unkeyed(exploded, names)
    else:
        n_unkeyed = 0
    payload = summary_payload(metric, result, names, confidence=confidence, detail=True)
    payload["overall"].update({"n_invalid": data.n_invalid, "n_unkeyed": n_unkeyed})
    return {
        "metric": metric,
        "by": names,
        "filters": _filters_dict(filters),
        "overlapping_groups": any(a.multi_valued for a in attributes),
        **payload,
    }


def trend(
    *,
    session: Session,
    metric: str,
    period: str = "month",
    window: int = 1,
    filters: RatingFilter | None = None,
    sigma: float = 3.0,
    min_n: int = 30,
) -> dict[str, Any]:
    """The metric per day/week/month/quarter with Shewhart limits and out-of-control flags.

    Returns ``{"metric", "period", "window", "centre", "points": [{"period", "n", "score",
    "se", "ci_low", "ci_high", "centre", "lcl", "ucl", "out_of_control", "small_sample"}],
    "flagged": [periods out of control]}``; empty periods are included with ``n`` 0.
    """
    _check_period(period)
    if not 1 <= window <= 24:
        raise InputError(f"window: {window} must be between 1 and 24 periods")
    if not 1 <= sigma <= 6:
        raise InputError(f"sigma: {sigma} must be between 1 and 6")
    filters = filters or RatingFilter()
    data = ratings(session=session, metric=metric, filters=filters)
    return _trend_of(data, filters, period, window, sigma, min_n)


def _trend_of(
    data: Ratings, filters: RatingFilter, period: str, window: int, sigma: float, min_n: int
) -> dict[str, Any]:
    """The trend payload of answers already read."""
    metric = data.metric.metric
    head = {"metric": metric, "period": period, "window": window, "sigma": sigma}
    head["filters"] = _filters_dict(filters)
    if data.frame.empty:
        return {**head, "centre": None, "n": 0, "points": [], "flagged": []}
    table = metric_trend(
        data.frame,
        ANSWERS,
        "received_at",
        metric=metric,
        freq=period,
        window=window,
        sigma=sigma,
        min_n=min_n,
        **_options(data.metric),
    )
    points = json_safe(table.to_dict("records"))
    flagged = [p["period"] for p in points if p["out_of_control"] and p["n"] > 0]
    centre = points[0]["centre"] if points else None
    return {**head, "centre": centre, "n": len(data.frame), "points": points, "flagged": flagged}


def _period_bounds(anchor: date, period: str, back: int) -> tuple[str, date, date]:
    """Label, first and last day of the period ``back`` periods before the one holding ``anchor``."""
    current = pd.Period(anchor, freq=PERIODS[period]) - back
    return str(current), current.start_time.date(), current.end_time.date()


def _latest_day(session: Session, scale: MetricScale, channel: str | None) -> date | None:
    """Day (UTC) of the most recent stored answer of this scale."""
    stmt = select(func.max(FeedbackItem.received_at)).where(
        FeedbackItem.rating_scale == scale.rating_scale, FeedbackItem.rating.is_not(None)
    )
    if channel is not None:
        stmt = stmt.where(FeedbackItem.channel == channel)
    latest = session.scalar(stmt)
    return None if latest is None else latest.date()


def _comparison(
    a: pd.Series, b: pd.Series, scale: MetricScale, confidence: float, min_n: int
) -> tuple[dict[str, Any] | None, str | None]:
    """compare_two on two sets of answers, or None and why when a side has none."""
    if a.empty or b.empty:
        return None, "a group has no answers to compare / 有一组没有数据，无法比较"
    result = compare_two(
        a.to_numpy(),
        b.to_numpy(),
        metric=scale.metric,
        confidence=confidence,
        min_n=min_n,
        **_options(scale),
    )
    return json_safe(result.to_dict()), None


def compare_periods(
    *,
    session: Session,
    metric: str,
    period: str = "month",
    as_of: date | None = None,
    channel: str | None = None,
    confidence: float = 0.95,
    min_n: int = 30,
) -> dict[str, Any]:
    """This period (the one holding ``as_of``, default: the latest answer) against the one before.

    A is the current period, B the previous one; ``comparison`` holds A minus B with the
    metric's own test and two-sided p-value (None when a period has no answers).
    """
    _check_period(period)
    _check_confidence(confidence, min_n)
    scale = metric_scale(metric)
    RatingFilter(channel=channel)  # validates the channel
    anchor = as_of or _latest_day(session, scale, channel)
    head: dict[str, Any] = {"metric": metric, "period": period, "channel": channel}
    if anchor is None:
        return {**head, "a": None, "b": None, "comparison": None, "warning": "no answers yet"}
    _, start_b, _ = _period_bounds(anchor, period, 1)
    filters = RatingFilter(since=start_b, until=anchor, channel=channel)
    frame = ratings(session=session, metric=metric, filters=filters).frame
    return _periods_of(frame, scale, head, anchor, period, confidence, min_n)


def _periods_of(
    frame: pd.DataFrame,
    scale: MetricScale,
    head: dict[str, Any],
    anchor: date,
    period: str,
    confidence: float,
    min_n: int,
) -> dict[str, Any]:
    """The period comparison of answers already read (any answers after ``anchor`` ignored)."""
    label_a, start_a, end_a = _period_bounds(anchor, period, 0)
    label_b, start_b, end_b = _period_bounds(anchor, period, 1)
    end_a = min(end_a, anchor)
    day = frame["received_at"].dt.date
    a = frame.loc[(day >= start_a) & (day <= end_a), ANSWERS]
    b = frame.loc[(day >= start_b) & (day <= end_b), ANSWERS]
    comparison, warning = _comparison(a, b, scale, confidence, min_n)
    return {
        **head,
        "as_of": anchor.isoformat(),
        "a": {"label": label_a, "since": start_a.isoformat(), "until": end_a.isoformat()},
        "b": {"label": label_b, "since": start_b.isoformat(), "until": end_b.isoformat()},
        "comparison": comparison,
        "warning": warning or (comparison or {}).get("warning"),
    }


def _single_attribute(by: str) -> Attribute:
    """A comparison needs one attribute that puts each answer in one group."""
    attributes = parse_by(by)
    if len(attributes) != 1:
        raise InputError("by: compare needs exactly one attribute / 比较需要一个分组属性")
    if attributes[0].multi_valued:
        raise InputError(
            f"by: {attributes[0].name} puts one answer in several groups; groups compared "
            "must not overlap / 该属性的分组相互重叠，无法检验"
        )
    return attributes[0]


def _compare_pair(
    data: Ratings, name: str, a: str, b: str, confidence: float, min_n: int
) -> dict[str, Any]:
    """Group ``a`` against group ``b`` of one attribute."""
    if a == b:
        raise InputError("a and b: name two different groups / 请选择两个不同的分组")
    values = data.frame[name]
    answers_a = data.frame.loc[values == a, ANSWERS]
    answers_b = data.frame.loc[values == b, ANSWERS]
    comparison, warning = _comparison(answers_a, answers_b, data.metric, confidence, min_n)
    return {
        "a": {"label": a},
        "b": {"label": b},
        "comparison": comparison,
        "warning": warning or (comparison or {}).get("warning"),
    }


def _compare_all(
    data: Ratings, name: str, adjust: str, confidence: float, min_n: int
) -> dict[str, Any]:
    """Every pair of the largest groups, p-values adjusted for the family (Holm or BH)."""
    if adjust not in ("holm", "bh"):
        raise InputError(f"adjust: {adjust[:10]!r} is not 'holm' or 'bh'")
    frame = data.frame[data.frame[name].notna()]
    sizes = frame[name].value_counts()
    kept = sizes.index[:MAX_COMPARED_GROUPS]
    frame = frame[frame[name].isin(kept)]
    pairs = pd.DataFrame()
    if len(kept) >= 2:
        pairs = compare_groups(
            frame.reset_index(drop=True),
            ANSWERS,
            name,
            metric=data.metric.metric,
            adjust=adjust,
            confidence=confidence,
            min_n=min_n,
            **_options(data.metric),
        )
    return {
        "adjust": adjust,
        "pairs": json_safe(pairs.to_dict("records")),
        "groups_left_out": [str(g) for g in sizes.index[MAX_COMPARED_GROUPS:]],
    }


def compare(
    *,
    session: Session,
    metric: str,
    by: str,
    a: str | None = None,
    b: str | None = None,
    filters: RatingFilter | None = None,
    adjust: str = "holm",
    confidence: float = 0.95,
    min_n: int = 30,
) -> dict[str, Any]:
    """Two groups of one attribute (``a`` minus ``b``), or, without them, every pair of groups.

    Every pair is tested with the metric's own test (NPS: z with the multinomial variance;
    CSAT: two proportions; CES: Welch t); without ``a``/``b`` the p-values are adjusted for the
    number of pairs (Holm by default) and at most the 20 largest groups are compared.
    """
    _check_confidence(confidence, min_n)
    attribute = _single_attribute(by)
    filters = filters or RatingFilter()
    data = ratings(session=session, metric=metric, attributes=[attribute], filters=filters)
    head = {"metric": metric, "by": attribute.name, "filters": _filters_dict(filters)}
    if (a is None) != (b is None):
        raise InputError("a and b: give both groups, or neither to compare every pair")
    if a is not None and b is not None:
        return {**head, **_compare_pair(data, attribute.name, a, b, confidence, min_n)}
    return {**head, **_compare_all(data, attribute.name, adjust, confidence, min_n)}


def dashboard(
    *,
    session: Session,
    metric: str,
    by: str = "region",
    period: str = "month",
    channel: str | None = None,
    min_n: int = 30,
) -> dict[str, Any]:
    """Everything the staff page shows for one metric, from ONE read of the answers:
    the trend with control limits, the breakdown by ``by`` and this period against the last."""
    _check_period(period)
    attributes = parse_by(by)
    filters = RatingFilter(channel=channel)
    data = ratings(session=session, metric=metric, attributes=attributes, filters=filters)
    head: dict[str, Any] = {"metric": metric, "period": period, "channel": channel}
    if data.frame.empty:
        periods = {**head, "a": None, "b": None, "comparison": None, "warning": "no answers yet"}
    else:
        anchor = data.frame["received_at"].max().date()
        periods = _periods_of(data.frame, data.metric, head, anchor, period, 0.95, min_n)
    return {
        "metric": metric,
        "trend": _trend_of(data, filters, period, 1, 3.0, min_n),
        "breakdown": _summary_of(data, attributes, filters, 0.95, min_n),
        "periods": periods,
    }
