"""Calibration / holdout check of a purchase-count model, as in Fader, Hardie & Lee (2005) fig. 4.

Fit on the calibration period, predict each customer's holdout purchases, and compare with what
they actually did, grouped by their number of calibration repeat purchases (0, 1, ..., 7+), plus
the aggregate forecast error over the whole holdout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from manyi.analytics.predict.bgnbd import BetaGeoModel

CAL_COLUMNS = ("frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout")


@dataclass(frozen=True)
class CalibrationReport:
    """Holdout comparison: per-frequency table and aggregate figures."""

    table: pd.DataFrame
    predicted_total: float
    actual_total: float
    n_customers: int
    params: dict[str, float]

    @property
    def aggregate_error(self) -> float:
        """Relative error of the total holdout forecast: (predicted - actual) / actual."""
        if self.actual_total == 0:
            return float("inf") if self.predicted_total > 0 else 0.0
        return (self.predicted_total - self.actual_total) / self.actual_total

    def to_dict(self) -> dict[str, object]:
        """Plain-data form for JSON output."""
        return {
            "n": self.n_customers,
            "params": self.params,
            "predicted_total": self.predicted_total,
            "actual_total": self.actual_total,
            "aggregate_error": self.aggregate_error,
            "by_frequency": self.table.reset_index().to_dict(orient="records"),
        }


def calibration_report(
    cal_holdout: pd.DataFrame, model: BetaGeoModel | None = None, *, max_bucket: int = 7
) -> CalibrationReport:
    """Fit `model` (default BG/NBD) on the calibration columns and compare holdout forecasts.

    Parameters
    ----------
    cal_holdout : DataFrame
        Output of :func:`~manyi.analytics.predict.rfm_summary.calibration_and_holdout`.
    model : BetaGeoModel, optional
        Unfitted purchase model; a fresh :class:`BetaGeoModel` by default.
    max_bucket : int
        Calibration frequencies at or above this are pooled into one ``"7+"`` row.
    """
    for name in CAL_COLUMNS:
        if name not in cal_holdout.columns:
            raise ValueError(f"column {name!r} not found; columns are {list(cal_holdout.columns)}")
    cal = cal_holdout.rename(
        columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"}
    )
    model = (model or BetaGeoModel()).fit(cal)
    duration = cal_holdout["duration_holdout"].to_numpy(dtype=float)
    predicted = model.conditional_expected_purchases(
        duration, cal["frequency"], cal["recency"], cal["T"]
    )
    bucket = np.minimum(cal["frequency"].to_numpy(dtype=int), max_bucket)
    labels = [str(b) if b < max_bucket else f"{max_bucket}+" for b in bucket]
    frame = pd.DataFrame(
        {
            "calibration_purchases": labels,
            "order": bucket,
            "actual": cal_holdout["frequency_holdout"].to_numpy(dtype=float),
            "predicted": predicted,
        }
    )
    table = (
        frame.groupby(["order", "calibration_purchases"])
        .agg(n=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean"))
        .reset_index(level="order", drop=True)
    )
    return CalibrationReport(
        table=table,
        predicted_total=float(predicted.sum()),
        actual_total=float(frame["actual"].sum()),
        n_customers=len(frame),
        params=dict(model.params_),
    )
