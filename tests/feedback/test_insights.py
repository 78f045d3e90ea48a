"""Insights over stored analyses: aspect trends, emerging issues, topics and keywords."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session, sessionmaker

from manyi.analytics.text import analyze as text_analyze
from manyi.demo.load import build_demo
from manyi.errors import InputError
from manyi.feedback import insights, service
from manyi.feedback.models import FeedbackChannel, FeedbackItem


def _planted(spike_month: int = 6, months: int = 7, per_month: int = 200) -> pd.DataFrame:
    """Hand-made analysed feedback: packaging complaints 3 % a month, 20 % in the spike month."""
    rng = np.random.default_rng(7)
    rows = []
    for m in range(1, months + 1):
        for i in range(per_month):
            rate = 0.20 if m == spike_month else 0.03
            packaging = rng.random() < rate
            aspects = ["product_quality"] + (["packaging"] if packaging else [])
            rows.append(
                {
                    "received_at": pd.Timestamp(2026, m, 1 + i % 28, 12),
                    "channel": "review",
                    "sentiment": "negative" if packaging else "positive",
                    "aspects": aspects,
                    "negative_aspects": ["packaging"] if packaging else [],
                    "text": f"箱子压坏了 13800138000 #{i}" if packaging else "质量很好",
                    "text_masked": f"箱子压坏了 138****8000 #{i}" if packaging else "质量很好",
                }
            )
    return pd.DataFrame(rows)


def test_emerging_finds_the_planted_spike_and_masks_quotes() -> None:
    frame = _planted()
    issues = insights.emerging_issues(frame, period="month", baseline=3)
    flagged = {(i["period"], i["aspect"], i["signal"]) for i in issues}
    assert ("2026-06", "packaging", "negative_volume") in flagged
    assert ("2026-06", "packaging", "volume") in flagged
    assert all(i["period"] == "2026-06" for i in issues)  # nothing before or after the spike
    assert all(i["kind"] == "aspect" and i["label"] is None for i in issues)  # no topic column
    spike = next(i for i in issues if i["signal"] == "negative_volume")
    assert spike["ratio"] > 3 and spike["q_value"] < 0.05 and spike["negative_share"] is None
    assert len(spike["quotes"]) == 3
    assert all("138****8000" in q and "13800138000" not in q for q in spike["quotes"])
    raw = insights.emerging_issues(frame, show_pii=True)
    assert any("13800138000" in q for i in raw for q in i["quotes"])
    everything = insights.emerging_issues(frame, flagged_only=False)
    assert len(everything) > len(issues) and not all(i["flagged"] for i in everything)


def test_aspect_trend_counts_and_negative_share() -> None:
    frame = _planted()
    trend = insights.aspect_trend(frame, period="month")
    assert trend["periods"] == [f"2026-{m:02d}" for m in range(1, 8)]
    assert trend["totals"] == [200] * 7
    by_key = {a["aspect"]: a for a in trend["aspects"]}
    assert by_key["product_quality"]["counts"] == [200] * 7
    assert by_key["product_quality"]["negative_share"] == [0.0] * 7
    packaging = by_key["packaging"]
    assert (
        packaging["counts"][5] == max(packaging["counts"]) and packaging["negative_share"][5] == 1
    )
    assert trend["aspects"][0]["aspect"] == "product_quality"  # most mentioned first
    assert insights.aspect_trend(frame.iloc[:0], period="week")["periods"] == []


RECALL = "收到召回通知，这款电水壶要召回，电话 13700137000"
USUAL = [
    "质量很好，很满意",
    "物流很快，点赞",
    "客服态度很好，耐心解答",
    "价格实惠，性价比高",
    "快递太慢了，等了一个星期",
    "The quality is great",
]


def _recall_frame(spike: bool) -> pd.DataFrame:
    """Six months of 200 texts; with `spike`, 30 product-recall texts (no aspect) in 2026-05."""
    rng = np.random.default_rng(3)
    rows = []
    for m in range(1, 7):
        for i in range(200):
            recall = spike and m == 5 and i < 30
            text = f"{RECALL} #{i}" if recall else USUAL[int(rng.integers(len(USUAL)))]
            rows.append(
                {
                    "id": m * 1000 + i,
                    "received_at": pd.Timestamp(2026, m, 1 + i % 28, 12),
                    "sentiment": "negative" if recall else "neutral",
                    "aspects": [],
                    "negative_aspects": [],
                    "text": text,
                    "text_masked": text.replace("13700137000", "137****7000"),
                }
            )
    return pd.DataFrame(rows)


def test_emerging_topics_share_the_family_with_aspects() -> None:
    framed = insights.with_topics(_recall_frame(spike=True))
    assert framed["topic"].notna().all()
    issues = insights.emerging_issues(framed, period="month", baseline=3)
    assert issues and all(i["kind"] == "topic" and i["aspect"] is None for i in issues)
    spike = next(i for i in issues if i["signal"] == "volume")
    assert spike["period"] == "2026-05" and spike["count"] == 30 and spike["ratio"] > 3
    assert "召回" in spike["label"]  # its readable label: top terms of the recall texts
    assert all("137****7000" in q and "13700137000" not in q for q in spike["quotes"])
    raw = insights.emerging_issues(framed, show_pii=True)
    assert any("13700137000" in q for i in raw for q in i["quotes"])
    assert insights.emerging_issues(insights.with_topics(_recall_frame(spike=False))) == []
    # aspects and topics together: one Benjamini-Hochberg family, rows say which kind they are
    both = pd.concat([_planted(), _recall_frame(spike=True).drop(columns="id")], ignore_index=True)
    tested = insights.emerging_issues(insights.with_topics(both), flagged_only=False)
    assert {i["kind"] for i in tested} == {"aspect", "topic"}
    q = np.array([i["q_value"] for i in tested])
    p = np.array([i["p_value"] for i in tested])
    assert (q >= p - 1e-9).all() and len(tested) > len(
        insights.emerging_issues(_planted(), flagged_only=False)
    )
    flagged = {(i["kind"], i["aspect"] or i["label"], i["period"]) for i in tested if i["flagged"]}
    assert ("aspect", "packaging", "2026-06") in flagged
    assert any(k == "topic" and "召回" in name and p == "2026-05" for k, name, p in flagged)
    for i in tested:
        assert (i["aspect"] is None) == (i["kind"] == "topic") and (i["label"] is None) == (
            i["kind"] == "aspect"
        )


@pytest.mark.parametrize("bad", [{"period": "year"}, {"baseline": 0}, {"baseline": 13}])
def test_bad_parameters_are_input_errors(bad: dict[str, object]) -> None:
    with pytest.raises(InputError):
        insights.emerging_issues(_planted(months=4), **bad)


def _store(sessions: sessionmaker[Session], texts: list[str]) -> None:
    """Feedback items with the given texts, one a day, then analysed."""
    with sessions.begin() as s:
        for i, text in enumerate(texts):
            s.add(
                FeedbackItem(
                    source_ref=f"t{i}",
                    channel=FeedbackChannel.REVIEW if i % 2 else FeedbackChannel.EMAIL,
                    received_at=dt.datetime(2026, 1 + i % 6, 1 + i % 27, tzinfo=dt.UTC),
                    text=text,
                )
            )
    service.analyze_all(sessions=sessions)


TEXTS = [
    "快递太慢了，等了一个星期",
    "包装破损，盒子压坏了",
    "客服态度很好，耐心解答",
    "The delivery was late again",
    "Great customer service, very helpful",
    "价格太贵了，不值这个价",
    "联系电话 13900139000，退款一直没到账",
] * 6


def test_topics_keywords_and_status_from_the_database(
    session_factory: sessionmaker[Session],
) -> None:
    _store(session_factory, TEXTS)
    with session_factory() as s:
        state = insights.status(session=s)
        assert state == {
            "analysed": len(TEXTS),
            "stale": 0,
            "model_version": text_analyze.MODEL_VERSION,
            "months": insights.MONTHS_SHOWN,
        }
        masked = insights.topics(session=s, n_topics=4, max_texts=30)
        assert masked.texts_used == 30 and masked.max_texts == 30
        assert 1 <= len(masked.topics) <= 4
        assert sum(t["size"] for t in masked.topics) <= 30
        for topic in masked.topics:
            assert topic["label"] and topic["terms"] and 1 <= len(topic["quotes"]) <= 3
            assert topic["mean_sentiment"] is None or -1 <= topic["mean_sentiment"] <= 1
        quotes = [q for t in masked.topics for q in t["quotes"]]
        assert not any("13900139000" in q for q in quotes)
        shown = insights.topics(session=s, n_topics=4, max_texts=30, show_pii=True)
        assert [t["label"] for t in shown.topics] == [t["label"] for t in masked.topics]
        months = insights.keywords(session=s, by="month", top_n=3)
        assert [g["group"] for g in months] == [f"2026-{m:02d}" for m in range(1, 7)]
        channels = insights.keywords(session=s, by="channel")
        assert {g["group"] for g in channels} == {"email", "review"}
        assert sum(g["size"] for g in channels) == len(TEXTS)
        trend = insights.aspect_summary(session=s)
        assert sum(trend["totals"]) == len(TEXTS)
        for bad in ({"by": "store"}, {"top_n": 0}):
            with pytest.raises(InputError):
                insights.keywords(session=s, **bad)
        with pytest.raises(InputError):
            insights.topics(session=s, n_topics=21)
        with pytest.raises(InputError):
            insights.topics(session=s, max_texts=insights.MAX_TEXTS + 1)


def test_stored_topic_spike_fits_the_topics_once(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """emerging() tests the topics of topics(): one fit per data state, shared by both views."""
    frame = _recall_frame(spike=True)
    with session_factory.begin() as s:
        for row in frame.itertuples():
            s.add(
                FeedbackItem(
                    source_ref=f"r{row.id}",
                    channel=FeedbackChannel.REVIEW,
                    received_at=row.received_at.to_pydatetime().replace(tzinfo=dt.UTC),
                    text=row.text,
                )
            )
    service.analyze_all(sessions=session_factory)
    fits: list[int] = []
    real_fit = insights._fit_topics

    def counting(*args: object) -> object:
        fits.append(1)
        return real_fit(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(insights, "_fit_topics", counting)
    with session_factory() as s:
        issues = insights.emerging(session=s, period="month", baseline=3)
        again = insights.emerging(session=s, period="month", baseline=3, show_pii=True)
        shown = insights.topics(session=s, show_pii=True)
    assert len(fits) == 1
    recall = [i for i in issues if i["kind"] == "topic" and "召回" in i["label"]]
    assert recall and all(i["period"] == "2026-05" and i["aspect"] is None for i in recall)
    assert any(r["label"] == recall[0]["label"] for r in shown.topics)  # the same model
    assert all("13700137000" not in q for i in recall for q in i["quotes"])
    assert any("13700137000" in q for i in again if i["kind"] == "topic" for q in i["quotes"])
    assert all(i["kind"] == "topic" or i["aspect"] for i in issues)


def test_insights_on_an_empty_database(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        assert insights.aspect_summary(session=s)["periods"] == []
        assert insights.emerging(session=s) == []
        assert insights.topics(session=s).topics == []
        assert insights.keywords(session=s) == []


def test_texts_without_any_word_give_empty_topics_and_keywords(
    session_factory: sessionmaker[Session],
) -> None:
    _store(session_factory, ["😀😀👍", "！！！", "的", "\u200b"])
    with session_factory() as s:
        assert insights.topics(session=s).topics == []
        groups = insights.keywords(session=s, by="channel")
        assert {g["group"] for g in groups} == {"email", "review"}
        assert all(g["terms"] == [] for g in groups)
        assert insights.emerging(session=s) == []


def test_demo_packaging_spike_is_flagged(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """The demo loader analyses every text, and its planted 2026-03 packaging spike shows up."""
    data, loaded = build_demo(sessions=session_factory, folder=tmp_path, customers=1500, months=12)
    assert loaded is not None and loaded.analysis is not None
    assert loaded.analysis.analyzed == int((data.feedback["text"] != "").sum())
    assert data.signals["packaging_spike"]["month"] == "2026-03"
    with session_factory() as s:
        issues = insights.emerging(session=s, period="month", baseline=3)
    flagged = {(i["period"], i["aspect"]) for i in issues}
    assert ("2026-03", "packaging") in flagged
    assert {i["kind"] for i in issues} <= {"aspect", "topic"}
