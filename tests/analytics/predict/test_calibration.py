"""Calibration / holdout report on CDNOW, as in Fader, Hardie & Lee (2005)."""

from __future__ import annotations

import pandas as pd
import pytest

from manyi.analytics.predict.calibration import calibration_report
from manyi.analytics.predict.mbgnbd import ModifiedBetaGeoModel
from manyi.analytics.predict.rfm_summary import calibration_and_holdout


def _master(shared_data) -> pd.DataFrame:
    """The full CDNOW master log (23,570 customers)."""
    return pd.read_csv(shared_data / "cdnow" / "CDNOW_master.txt", sep=r"\s+", dtype=str)


@pytest.mark.slow
def test_cdnow_master_39_week_holdout(shared_data):
    cal = calibration_and_holdout(
        _master(shared_data), "customer_id", "date", "1997-09-30",
        observation_end="1998-06-30", unit="W",
    )  # fmt: skip
    assert cal["duration_holdout"].iloc[0] == 39.0
    report = calibration_report(cal)
    assert report.n_customers == 23570
    assert list(report.table.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert report.table["n"].sum() == 23570
    # holdout purchases rise with calibration purchases, actual and predicted alike
    assert report.table["actual"].is_monotonic_increasing
    assert report.table["predicted"].is_monotonic_increasing
    assert report.actual_total == 19684  # distinct purchase days in the holdout
    # BG/NBD under-forecasts this holdout by about 14% (the 1-purchase group most, as in the paper)
    assert -0.20 < report.aggregate_error < -0.08
    payload = report.to_dict()
    assert payload["by_frequency"][0]["calibration_purchases"] == "0"


def test_report_on_small_log_with_mbgnbd():
    log = pd.DataFrame(
        {
            "c": ["a", "a", "b", "b", "b", "c", "d", "d"],
            "d": [
                "2024-01-01",
                "2024-02-01",
                "2024-01-03",
                "2024-01-20",
                "2024-04-02",
                "2024-01-10",
                "2024-01-15",
                "2024-03-20",
            ],
        }
    )
    cal = calibration_and_holdout(log, "c", "d", "2024-02-29", observation_end="2024-04-30")
    report = calibration_report(cal, ModifiedBetaGeoModel())
    assert report.actual_total == 2.0
    assert report.predicted_total >= 0
    assert report.table["n"].sum() == 4


def test_missing_columns_named():
    with pytest.raises(ValueError, match="frequency_holdout"):
        calibration_report(
            pd.DataFrame({"frequency_cal": [1], "recency_cal": [1.0], "T_cal": [2.0]})
        )
