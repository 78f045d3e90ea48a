"""Churn model on the IBM telco file: manyi's calibrated booster vs two standard peers.

Same stratified 5 folds for all: manyi's ChurnModel (automatic column typing, isotonic calibration
on out-of-fold scores), scikit-learn's default GradientBoostingClassifier and a
LogisticRegression, both on one-hot categories and median-filled numbers (the usual recipe).
Prints ROC AUC (mean, std), top-decile lift, Brier score and seconds.

Usage: python bench/bench_churn.py [--folds 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from _data import shared_file
from manyi.analytics.predict.churn import (
    ChurnModel,
    detect_features,
    encode_features,
    encode_label,
    lift_at,
)


def _peer(kind: str, numeric: list[str], categorical: list[str]) -> Pipeline:
    """One-hot + median-impute pipeline ending in the named peer classifier."""
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    prep = make_column_transformer(
        (numbers, numeric), (OneHotEncoder(handle_unknown="ignore"), categorical)
    )
    model = (
        GradientBoostingClassifier(random_state=0)
        if kind == "gbm"
        else LogisticRegression(max_iter=2000)
    )
    return make_pipeline(prep, model)


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    telco = pd.read_csv(shared_file("churn/telco_churn.csv"))
    y = encode_label(telco["Churn"], "Churn")
    spec = detect_features(telco, ["Churn", "customerID"])
    features = encode_features(telco, spec)
    table = telco[spec.numeric + list(spec.categorical)].copy()
    table["TotalCharges"] = pd.to_numeric(table["TotalCharges"], errors="coerce")
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(features, y))
    print(f"telco: {len(y):,} customers, churn rate {y.mean():.3f}, {args.folds} folds")
    print(f"{'model':<34}{'AUC':>8}{'± std':>8}{'lift@10%':>10}{'Brier':>8}{'seconds':>9}")
    for name in (
        "manyi ChurnModel",
        "sklearn GradientBoosting (peer)",
        "LogisticRegression (peer)",
    ):
        oof, aucs = np.zeros(len(y)), []
        start = time.perf_counter()
        for train, test in folds:
            if name.startswith("manyi"):
                model = ChurnModel().fit_encoded(features[train], y[train], spec)
                raw = model.estimator_.predict_proba(features[test])[:, 1]
                oof[test] = model.calibrator_.predict(raw)
            else:
                kind = "gbm" if "Gradient" in name else "logit"
                peer = _peer(kind, spec.numeric, list(spec.categorical))
                peer.fit(table.iloc[train], y[train])
                oof[test] = peer.predict_proba(table.iloc[test])[:, 1]
            aucs.append(roc_auc_score(y[test], oof[test]))
        seconds = time.perf_counter() - start
        print(
            f"{name:<34}{np.mean(aucs):>8.4f}{np.std(aucs, ddof=1):>8.4f}"
            f"{lift_at(y, oof, 0.1):>10.2f}{brier_score_loss(y, oof):>8.4f}{seconds:>9.1f}"
        )


if __name__ == "__main__":
    main()
