"""The scoring service on hand-made histories, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from histories import AS_OF, NOT_SCORED, seed
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from manyi.analytics.predict.bgnbd import BetaGeoModel
from manyi.analytics.predict.retention import DEFAULT_RULES
from manyi.customer.models import ConsentEvent, Customer
from manyi.errors import InputError, NotFoundError
from manyi.scoring import actions as action_service
from manyi.scoring import service
from manyi.scoring.models import CustomerScore, RetentionAction
from manyi.store.engine import unit_of_work

MARKETING = {"win_back_offer", "care_message"}


@pytest.fixture
def sessions(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """A database holding the hand-made histories."""
    with unit_of_work(session_factory) as session:
        seed(session)
    return session_factory


def _score(
    sessions: sessionmaker[Session], as_of: date = AS_OF, **kw: object
) -> service.ScoringResult:
    """Run the scoring in its own transaction."""
    with unit_of_work(sessions) as session:
        return service.score_customers(session=session, as_of=as_of, **kw)  # type: ignore[arg-type]


def _scores(sessions: sessionmaker[Session]) -> pd.DataFrame:
    """Every stored score with the customer code."""
    with sessions() as session:
        stmt = select(Customer.customer_code, CustomerScore.kind, CustomerScore.value,
                      CustomerScore.as_of, CustomerScore.model_version, CustomerScore.detail
                      ).join(Customer, Customer.id == CustomerScore.customer_id)  # fmt: skip
        return pd.DataFrame(session.execute(stmt).all(), columns=[
            "code", "kind", "value", "as_of", "version", "detail"])  # fmt: skip


def _actions(sessions: sessionmaker[Session]) -> pd.DataFrame:
    """Every retention action with the customer code."""
    with sessions() as session:
        stmt = select(Customer.customer_code, RetentionAction.action, RetentionAction.status,
                      RetentionAction.as_of, RetentionAction.id, RetentionAction.reason
                      ).join(Customer, Customer.id == RetentionAction.customer_id)  # fmt: skip
        return pd.DataFrame(session.execute(stmt).all(), columns=[
            "code", "action", "status", "as_of", "id", "reason"])  # fmt: skip


def test_one_row_per_customer_per_kind(sessions: sessionmaker[Session]) -> None:
    result = _score(sessions)
    scores = _scores(sessions)
    assert result.customers_scored == 34  # 30 background + VIP1, two lapsed, ONCE
    assert result.rows_written == len(scores) == 34 * len(service.KINDS)
    assert set(scores["kind"]) == set(service.KINDS)
    assert scores.groupby(["code", "kind"]).size().max() == 1
    assert not set(NOT_SCORED) & set(scores["code"])
    assert (scores["as_of"] == AS_OF).all() and (scores["version"] == service.MODEL_VERSION).all()
    wide = scores.pivot(index="code", columns="kind", values="value")
    for kind in ("p_alive", "churn_risk"):
        assert wide[kind].between(0, 1).all()
    assert np.allclose(wide["value_at_risk"], wide["clv"] * wide["churn_risk"])
    assert (wide["clv"] >= 0).all() and (wide["expected_purchases"] >= 0).all()
    # the weekly big spender is worth most; lapsed buyers are far more likely gone than VIP1
    assert wide["clv"].idxmax() == "VIP1"
    assert wide.loc["LAPSED_NO", "churn_risk"] > 0.9 > 0.2 > wide.loc["VIP1", "churn_risk"]
    # BG/NBD keeps a one-time buyer "alive", but the no-purchase risk is not zero
    assert wide.loc["ONCE", "p_alive"] == pytest.approx(1.0)
    assert wide.loc["ONCE", "churn_risk"] > 0.5
    detail = scores[(scores["kind"] == "value_at_risk") & (scores["code"] == "VIP1")][
        "detail"
    ].iloc[0]
    assert detail["tier"] == "vip" and detail["action"] == "service_recovery"
    assert result.purchase_model["n"] == 34 and set(result.spend_model) >= {"p", "q", "gamma"}
    assert result.top[0]["value_at_risk"] == pytest.approx(wide["value_at_risk"].max())


def test_rerun_replaces_the_date_and_keeps_other_dates(sessions: sessionmaker[Session]) -> None:
    _score(sessions)
    first = _scores(sessions)
    _score(sessions)
    again = _scores(sessions)
    assert len(again) == len(first)
    pd.testing.assert_series_equal(
        first.sort_values(["code", "kind"])["value"].reset_index(drop=True),
        again.sort_values(["code", "kind"])["value"].reset_index(drop=True),
    )
    _score(sessions, AS_OF - timedelta(days=28))
    both = _scores(sessions)
    assert set(both["as_of"]) == {AS_OF, AS_OF - timedelta(days=28)}
    assert (both.groupby(["code", "kind", "as_of"]).size() == 1).all()
    with sessions() as session:
        points = service.history(session=session, customer_code="VIP1", lang="en")
    assert [p.as_of for p in points] == [AS_OF - timedelta(days=28), AS_OF]
    assert set(points[-1].values) == set(service.KINDS)
    assert points[-1].reasons[0]["code"] == "open_complaint"
    assert "complaint 10 days ago" in points[-1].reasons[0]["text"]


def test_consent_is_respected(sessions: sessionmaker[Session]) -> None:
    result = _score(sessions)
    actions = _actions(sessions).set_index("code")
    assert actions.loc["LAPSED_YES", "action"] == "win_back_offer"
    assert actions.loc["LAPSED_NO", "action"] == "service_check_in"
    assert actions.loc["VIP1", "action"] == "service_recovery"
    assert "complaint" in actions.loc["VIP1", "reason"] and "投诉" in actions.loc["VIP1", "reason"]
    with sessions() as session:
        consent = service.frames.marketing_consent(session=session)
        codes = dict(session.execute(select(Customer.customer_code, Customer.id)).all())
    marketing = actions[actions["action"].isin(MARKETING)]
    assert len(marketing) > 0
    assert all(consent.get(codes[code], False) for code in marketing.index)
    assert (
        result.recommended.get("no_action", 0)
        + sum(n for a, n in result.recommended.items() if a != "no_action")
        == result.customers_scored
    )


def test_actions_are_not_duplicated(sessions: sessionmaker[Session]) -> None:
    first = _score(sessions)
    assert first.actions_created > 0
    second = _score(sessions)
    assert second.actions_created == 0 and second.actions_refreshed == first.actions_created
    actions = _actions(sessions)
    assert len(actions) == first.actions_created
    assert actions.groupby(["code", "action"]).size().max() == 1
    vip = int(actions.set_index("code").loc["VIP1", "id"])
    with unit_of_work(sessions) as session:
        action_service.update_status(session=session, action_id=vip, status="in_progress")
    assert _score(sessions).actions_created == 0  # still in progress: not duplicated
    with unit_of_work(sessions) as session:
        action_service.update_status(session=session, action_id=vip, status="done")
    assert _score(sessions).actions_created == 0  # done today: not re-recommended today
    later = _score(sessions, AS_OF + timedelta(days=7))
    assert later.actions_created == 1  # a week later the open complaint is recommended again
    statuses = _actions(sessions).query("code == 'VIP1'")["status"].tolist()
    assert sorted(statuses) == ["done", "open"]


def test_withdrawn_consent_dismisses_open_marketing_actions(
    sessions: sessionmaker[Session],
) -> None:
    _score(sessions)
    with unit_of_work(sessions) as session:
        cid = session.scalar(select(Customer.id).where(Customer.customer_code == "LAPSED_YES"))
        session.add(ConsentEvent(customer_id=cid, purpose="marketing", granted=False,
                                 source="test", recorded_at=datetime.now(UTC)))  # fmt: skip
    result = _score(sessions)
    assert result.actions_withdrawn == 1
    lapsed = _actions(sessions).query("code == 'LAPSED_YES'")
    assert dict(zip(lapsed["action"], lapsed["status"], strict=True)) == {
        "win_back_offer": "dismissed", "service_check_in": "open"}  # fmt: skip


def test_custom_rules_are_used(sessions: sessionmaker[Session]) -> None:
    rules = DEFAULT_RULES.copy()
    rules.loc[rules["rule"] == "complaint", "action"] = "apology_call"
    _score(sessions, rules=rules)
    assert _actions(sessions).set_index("code").loc["VIP1", "action"] == "apology_call"


def test_a_failed_run_leaves_the_previous_scores(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    _score(sessions)
    before = _scores(sessions)

    def boom(**_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(service.action_service, "write_actions", boom)
    with pytest.raises(RuntimeError):
        _score(sessions)
    assert len(_scores(sessions)) == len(before)


def test_reasons_from_feedback_and_behaviour(sessions: sessionmaker[Session]) -> None:
    _score(sessions)
    with sessions() as session:
        page = service.risk_list(session=session, limit=1000, lang="zh")
    rows = {r.customer_code: r for r in page.rows}
    assert [r["code"] for r in rows["ONCE"].reasons][:2] == ["low_nps", "single_purchase"]
    assert rows["ONCE"].reasons[0]["text"] == "NPS 打分 2（贬损者）"
    assert "overdue" in {r["code"] for r in rows["LAPSED_NO"].reasons}
    assert "物流" in rows["VIP1"].reasons[0]["text"] or "投诉" in rows["VIP1"].reasons[0]["text"]


def test_risk_list_order_tier_and_masking(sessions: sessionmaker[Session]) -> None:
    _score(sessions)
    with sessions() as session:
        page = service.risk_list(session=session, limit=5)
        vip = service.risk_list(session=session, limit=100, tier="vip")
        shown = service.risk_list(session=session, limit=100, tier="vip", show_pii=True)
        summary = service.tier_summary(session=session)
    assert page.total == 34 and len(page.rows) == 5 and page.as_of == AS_OF
    values = [r.value_at_risk for r in page.rows]
    assert values == sorted(values, reverse=True)
    assert {r.tier for r in vip.rows} == {"vip"} and vip.total == 1  # top 5% of 34
    masked = {r.customer_code: r for r in vip.rows}["VIP1"]
    assert masked.customer_name == "张**" and masked.email == "v***@example.com"
    assert "1391234" not in (masked.phone or "")
    clear = {r.customer_code: r for r in shown.rows}["VIP1"]
    assert clear.customer_name == "张三丰" and clear.email == "vip1@example.com"
    assert clear.action == "service_recovery" and clear.action_status == "open"
    assert sum(t["customers"] for t in summary["tiers"]) == 34
    assert sum(summary["churn_histogram"]) == 34
    with sessions() as session, pytest.raises(InputError):
        service.risk_list(session=session, tier="gold")


def test_history_of_unknown_or_erased_customer(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        for code in ("NOBODY", "ERASED"):
            with pytest.raises(NotFoundError):
                service.history(session=session, customer_code=code)
        assert service.history(session=session, customer_code="CANCELLED") == []


def test_nothing_to_score(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        with pytest.raises(InputError, match="no completed orders"):
            service.score_customers(session=session, as_of=AS_OF)
        assert service.risk_list(session=session).as_of is None
        with pytest.raises(InputError, match="horizon_weeks"):
            service.score_customers(session=session, horizon_weeks=0)
        total = session.scalar(select(func.count()).select_from(CustomerScore))
    assert total == 0


def test_too_little_history_is_a_clear_error(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        seed(session)
    with unit_of_work(session_factory) as session, pytest.raises(InputError, match="not enough"):
        service.score_customers(session=session, as_of=date(2024, 1, 3))


def test_no_purchase_probability_limits() -> None:
    summary = pd.DataFrame(
        {"frequency": [0.0, 2, 5], "recency": [0.0, 10, 30], "T": [20.0, 30, 31]}
    )
    model = BetaGeoModel().fit_arrays(
        np.array([0, 1, 2, 0, 5, 3.0]), np.array([0, 3, 20, 0, 30, 12.0]), np.full(6, 39.0)
    )
    alive = model.probability_alive(*(summary[c].to_numpy() for c in ("frequency", "recency", "T")))
    # nothing can be bought in no time; over an endless horizon only those gone stay silent
    assert np.allclose(service.no_purchase_probability(model, summary, 0.0), 1.0)
    assert np.allclose(service.no_purchase_probability(model, summary, 1e12), 1 - alive, atol=1e-4)
    short, long = (service.no_purchase_probability(model, summary, h) for h in (4.0, 52.0))
    assert (short >= long).all() and (long > 1 - alive).all()
