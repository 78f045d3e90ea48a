"""Gamma-Gamma spend model: published CDNOW values, gradient, shrinkage, correlation check."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.predict.gamma_gamma import GammaGammaModel, gamma_gamma_log_likelihood
from manyi.analytics.predict.rfm_summary import summary_from_transactions


@pytest.fixture(scope="module")
def cdnow_spend(shared_data) -> pd.DataFrame:
    """CDNOW sample summary over the 39-week calibration period, with mean repeat spend."""
    raw = pd.read_csv(
        shared_data / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None, dtype=str,
        names=["master", "sample", "date", "cds", "dollars"],
    )  # fmt: skip
    return summary_from_transactions(
        raw, "sample", "date", "dollars", observation_end="1997-09-30", unit="W"
    )


def test_reproduces_published_parameters(cdnow_spend):
    model = GammaGammaModel().fit(cdnow_spend["frequency"], cdnow_spend["monetary_value"])
    assert model.n_ == 946
    assert round(model.params_["p"], 2) == 6.25
    assert round(model.params_["q"], 2) == 3.74
    assert round(model.params_["gamma"], 2) == 15.44
    assert abs(model.correlation_) < 0.3  # ~0.11: independence is plausible


def test_expected_spend_by_hand():
    model = GammaGammaModel()
    model.params_ = {"p": 6.0, "q": 4.0, "gamma": 15.0}
    # p (gamma + x m) / (p x + q - 1) = 6 (15 + 2 * 30) / (12 + 3) = 30
    assert float(model.expected_spend(2, 30.0)) == pytest.approx(30.0)
    assert float(model.expected_spend(0, 0.0)) == pytest.approx(model.population_mean_spend())
    assert model.population_mean_spend() == pytest.approx(30.0)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.2, 20), st.floats(0.2, 20), st.floats(0.2, 50), st.integers(1, 50),
       st.floats(0.5, 500))  # fmt: skip
def test_gradient_matches_finite_differences(p, q, g, x, m):
    theta = np.array([p, q, g])
    xs, ms = np.array([float(x)]), np.array([m])
    _, grad = gamma_gamma_log_likelihood(theta, xs, ms)
    magnitude = (p * x + q) * (1.0 + np.log1p(g + m * x))  # size of the cancelling terms
    for j in range(3):
        h = 1e-6 * theta[j]
        noise = 1e-14 * magnitude / h  # rounding error of the difference quotient
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        numeric = (
            gamma_gamma_log_likelihood(up, xs, ms)[0] - gamma_gamma_log_likelihood(down, xs, ms)[0]
        ) / (2 * h)
        assert grad[0, j] == pytest.approx(numeric[0], rel=1e-4, abs=noise)


def test_warns_when_frequency_and_spend_correlate():
    x = np.arange(1, 41, dtype=float)
    m = 10.0 + 3.0 * x + np.random.default_rng(0).normal(0, 1, 40)
    with pytest.warns(UserWarning, match="correlated"):
        model = GammaGammaModel().fit(x, m)
    assert model.correlation_ > 0.9


def test_no_warning_when_independent():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 10, 400).astype(float)
    m = rng.gamma(5, 10, 400)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GammaGammaModel().fit(x, m)


@pytest.mark.parametrize(
    ("x", "m", "message"),
    [
        ([1, 2, 3], [10.0, -5.0, 3.0], "positive mean spend"),
        ([0, 0, 1], [0.0, 0.0, 5.0], "at least 2 repeat"),
        ([1, 2], [np.nan, 3.0], "finite"),
    ],
)
def test_bad_spend_is_refused(x, m, message):
    with pytest.raises(ValueError, match=message):
        GammaGammaModel().fit(np.array(x, dtype=float), np.array(m, dtype=float))
