"""BG/NBD and MBG/NBD: published CDNOW values, gradients, properties and edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.predict.bgnbd import (
    BetaGeoModel,
    bgnbd_log_likelihood,
    fit_bgnbd,
    group_histories,
)
from manyi.analytics.predict.mbgnbd import ModifiedBetaGeoModel, mbgnbd_log_likelihood


@pytest.fixture(scope="module")
def cdnow_summary(shared_data) -> pd.DataFrame:
    """The published 2,357-customer CDNOW calibration summary (weeks)."""
    return pd.read_csv(shared_data / "cdnow" / "cdnow_customers_summary.csv")


def _fitted(r: float = 0.243, alpha: float = 4.414, a: float = 0.793, b: float = 2.426):
    """A BG/NBD model with given parameters, without fitting."""
    model = BetaGeoModel()
    model.params_ = {"r": r, "alpha": alpha, "a": a, "b": b}
    return model


def test_reproduces_fader_hardie_lee_2005(cdnow_summary):
    model = BetaGeoModel().fit(cdnow_summary)
    p = model.params_
    assert round(p["r"], 3) == 0.243
    assert round(p["alpha"], 3) == 4.414
    assert round(p["a"], 3) == 0.793
    assert round(p["b"], 3) == 2.426
    assert model.loglik_ == pytest.approx(-9582.4, abs=0.1)  # paper, table 1
    assert model.n_ == 2357
    expected = model.conditional_expected_purchases(39, 2, 30.43, 38.86)
    assert round(float(expected), 3) == 1.226


def test_matches_lifetimes_figures(cdnow_summary):
    """Values printed by lifetimes 0.11.3 BetaGeoFitter / ModifiedBetaGeoFitter on the same data."""
    bg = fit_bgnbd(cdnow_summary)
    assert bg.probability_alive(2, 30.43, 38.86) == pytest.approx(0.72660914, rel=1e-5)
    assert bg.expected_purchases(np.array([39.0, 78.0])) == pytest.approx(
        [1.19501623, 1.8579717], rel=1e-5
    )
    mbg = ModifiedBetaGeoModel().fit(cdnow_summary)
    assert [mbg.params_[k] for k in ("r", "alpha", "a", "b")] == pytest.approx(
        [0.52483773, 6.18298848, 0.89135628, 1.61400003], rel=1e-4
    )
    x, t_x = np.array([2.0, 0.0]), np.array([30.43, 0.0])
    assert mbg.conditional_expected_purchases(39, x, t_x, 38.86) == pytest.approx(
        [1.26267078, 0.15395364], rel=1e-5
    )
    assert mbg.probability_alive(x, t_x, 38.86) == pytest.approx([0.70612626, 0.38971644], rel=1e-5)
    assert mbg.expected_purchases(np.array([39.0, 78.0])) == pytest.approx(
        [1.1822838, 1.80363619], rel=1e-5
    )


def test_fit_is_invariant_to_time_unit(cdnow_summary):
    weeks = BetaGeoModel().fit(cdnow_summary)
    days = cdnow_summary.assign(recency=cdnow_summary["recency"] * 7, T=cdnow_summary["T"] * 7)
    in_days = BetaGeoModel().fit(days)
    assert in_days.params_["alpha"] == pytest.approx(weeks.params_["alpha"] * 7, rel=1e-4)
    assert in_days.params_["r"] == pytest.approx(weeks.params_["r"], rel=1e-4)


def test_grouping_equals_weights():
    x = np.array([0, 0, 0, 1, 1, 3, 3, 3, 3, 5.0])
    t_x = np.array([0, 0, 0, 4, 4, 10, 10, 10, 10, 30.0])
    big_t = np.full(10, 39.0)
    groups = group_histories(x, t_x, big_t)
    assert len(groups.x) == 4
    assert groups.weight.tolist() == [3, 2, 4, 1]
    a = BetaGeoModel().fit_arrays(x, t_x, big_t)
    b = BetaGeoModel().fit_arrays(groups.x, groups.t_x, groups.T, groups.weight)
    assert a.params_ == pytest.approx(b.params_, rel=1e-6)
    assert a.loglik_ == pytest.approx(b.loglik_, rel=1e-9)


def test_loglik_of_one_customer_by_hand():
    # x = 0: L = (alpha / (alpha + T))^r ; x = 1, t_x = 2, T = 5, r = alpha = a = b = 1:
    # A1 = lnG(2) - lnG(1) + 0 = 0; A2 = lnB(1, 2) - lnB(1, 1) = ln(1/2)
    # L = 1/2 * [ (1/6)^2 + (a / (b + x - 1)) (1/3)^2 ] = 1/2 * (1/36 + 1/9) = 5/72
    params = np.array([1.0, 1.0, 1.0, 1.0])
    ll, _ = bgnbd_log_likelihood(
        params, np.array([0.0, 1.0]), np.array([0.0, 2.0]), np.array([5.0, 5.0])
    )
    assert ll[0] == pytest.approx(np.log(1 / 6))
    assert ll[1] == pytest.approx(np.log(5 / 72))


positive = st.floats(0.05, 20.0)
histories = st.tuples(st.integers(0, 60), st.floats(0.1, 200.0), st.floats(0.0, 1.0))


def _history(x: int, big_t: float, frac: float) -> tuple[float, float, float]:
    """A consistent (x, t_x, T) from raw draws."""
    t_x = 0.0 if x == 0 else max(frac * big_t, 1e-3)
    return float(x), t_x, big_t


@settings(max_examples=60, deadline=None)
@given(st.tuples(positive, positive, positive, positive), histories)
@pytest.mark.parametrize("loglik", [bgnbd_log_likelihood, mbgnbd_log_likelihood])
def test_gradient_matches_finite_differences(loglik, params, history):
    x, t_x, big_t = (np.array([v]) for v in _history(*history))
    theta = np.array(params)
    _, grad = loglik(theta, x, t_x, big_t)
    for j in range(4):
        h = 1e-6 * theta[j]
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        numeric = (loglik(up, x, t_x, big_t)[0] - loglik(down, x, t_x, big_t)[0]) / (2 * h)
        assert grad[0, j] == pytest.approx(numeric[0], rel=1e-4, abs=1e-6)


@settings(max_examples=80, deadline=None)
@given(st.tuples(positive, positive, positive, positive), histories, st.floats(0.5, 100.0))
@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel])
def test_prediction_properties(cls, params, history, t):
    model = cls()
    model.params_ = dict(zip(("r", "alpha", "a", "b"), params, strict=True))
    x, t_x, big_t = _history(*history)
    alive = float(model.probability_alive(x, t_x, big_t))
    assert 0.0 <= alive <= 1.0
    e1 = float(model.conditional_expected_purchases(t, x, t_x, big_t))
    e2 = float(model.conditional_expected_purchases(2 * t, x, t_x, big_t))
    assert np.isfinite(e1) and e1 >= 0.0
    assert e2 >= e1 * (1 - 1e-9)
    n1, n2 = (float(model.expected_purchases(v)) for v in (t, 2 * t))
    assert 0.0 <= n1 <= n2 * (1 + 1e-9)


def test_zero_repeat_purchases_only():
    x = np.zeros(50)
    model = BetaGeoModel().fit_arrays(x, np.zeros(50), np.linspace(10, 60, 50))
    assert all(np.isfinite(v) for v in model.params_.values())
    assert np.all(
        model.probability_alive(x, x, np.full(50, 30.0)) == 1.0
    )  # BG/NBD: no repeat, alive
    assert np.all(model.conditional_expected_purchases(10, x, x, np.full(50, 30.0)) >= 0)


def test_all_customers_identical():
    model = BetaGeoModel().fit_arrays(np.full(100, 2.0), np.full(100, 20.0), np.full(100, 39.0))
    assert model.n_groups_ == 1
    assert model.n_ == 100
    assert all(np.isfinite(v) and v > 0 for v in model.params_.values())


def test_purchase_on_last_day_t_equals_t_x():
    model = _fitted()
    # (alpha + T) / (alpha + t_x) = 1, so P(alive) = 1 / (1 + a / (b + x - 1))
    assert float(model.probability_alive(3, 20.0, 20.0)) == pytest.approx(1 / (1 + 0.793 / 4.426))


def test_extreme_values_stay_finite():
    model = _fitted()
    x = np.array([0.0, 1.0, 500.0, 5000.0])
    t_x = np.array([0.0, 1e-4, 1e5, 1e6])
    big_t = np.array([1e6, 1e6, 1e5, 1e6])
    alive = model.probability_alive(x, t_x, big_t)
    expected = model.conditional_expected_purchases(52.0, x, t_x, big_t)
    assert np.all(np.isfinite(alive)) and np.all((alive >= 0) & (alive <= 1))
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    assert alive[1] < 1e-3  # one early repeat then a long silence: almost surely gone


def test_predict_frame_uses_grouped_scoring(cdnow_summary):
    model = BetaGeoModel().fit(cdnow_summary)
    scored = model.predict(cdnow_summary, 39.0)
    direct = model.conditional_expected_purchases(
        39.0, cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"]
    )
    assert scored["expected_purchases"].to_numpy() == pytest.approx(direct)
    assert list(scored.index) == list(cdnow_summary.index)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"frequency": [1], "recency": [5.0]}), "'T' not found"),
        (pd.DataFrame({"frequency": [1.5], "recency": [5.0], "T": [9.0]}), "whole number"),
        (pd.DataFrame({"frequency": [1], "recency": [10.0], "T": [9.0]}), "larger than T"),
        (pd.DataFrame({"frequency": [-1], "recency": [0.0], "T": [9.0]}), "non-negative"),
        (pd.DataFrame({"frequency": ["x"], "recency": [0.0], "T": [9.0]}), "'frequency'"),
        (pd.DataFrame({"frequency": [0], "recency": [3.0], "T": [9.0]}), "must be 0"),
    ],
)
def test_bad_summaries_are_named(frame, message):
    with pytest.raises(ValueError, match=message):
        BetaGeoModel().fit(frame)


def test_predict_before_fit_is_refused():
    with pytest.raises(ValueError, match="not fitted"):
        BetaGeoModel().probability_alive(1, 1, 2)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(histories, min_size=1, max_size=40), st.tuples(positive, positive, positive, positive)
)
@pytest.mark.parametrize("loglik", [bgnbd_log_likelihood, mbgnbd_log_likelihood])
def test_level_indexed_likelihood_equals_row_wise(loglik, rows, params):
    x, t_x, big_t = (np.array(v) for v in zip(*(_history(*row) for row in rows), strict=True))
    groups = group_histories(x, t_x, big_t)
    plain = loglik(np.array(params), groups.x, groups.t_x, groups.T)
    fast = loglik(
        np.array(params), groups.x, groups.t_x, groups.T, (groups.x_levels, groups.x_index)
    )
    assert fast[0] == pytest.approx(plain[0], rel=1e-12)
    assert fast[1] == pytest.approx(plain[1], rel=1e-12, abs=1e-12)
    assert groups.weight.sum() == len(rows)
    assert np.array_equal(groups.x[groups.inverse], x)


def test_customer_acquired_on_the_last_day():
    # T = 0: likelihood (alpha / (alpha + 0))^r = 1, the customer adds nothing but is accepted
    summary = pd.DataFrame(
        {"frequency": [0, 1, 2, 0], "recency": [0.0, 5.0, 20.0, 0.0], "T": [30.0, 30.0, 39.0, 0.0]}
    )
    model = BetaGeoModel().fit(summary)
    scored = model.predict(summary, 10.0)
    assert scored.loc[3, "p_alive"] == 1.0
    assert np.isfinite(scored["expected_purchases"]).all()
    with pytest.raises(ValueError, match="every customer has T = 0"):
        BetaGeoModel().fit(summary.assign(T=0.0, recency=0.0, frequency=0))


@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel])
def test_near_constant_dropout_predictions_stay_finite(cls):
    """Huge a and b (a fit on a small shop's orders) approach a fixed dropout rate: the
    predictions must stay finite and continuous in that limit, not turn into NaN."""
    x, t_x, big_t = np.array([0.0, 1, 3, 10]), np.array([0.0, 5, 20, 50]), np.full(4, 60.0)
    values = []
    for scale in (30.0, 3_000.0, 300_000.0):
        model = cls()
        model.params_ = {"r": 0.9, "alpha": 6.1, "a": 0.07 * scale, "b": 0.93 * scale}
        expected = model.conditional_expected_purchases(52.0, x, t_x, big_t)
        new = model.expected_purchases(52.0)
        assert np.all(np.isfinite(expected)) and np.isfinite(new)
        values.append(np.append(expected, new))
    np.testing.assert_allclose(values[1], values[2], rtol=2e-2)
