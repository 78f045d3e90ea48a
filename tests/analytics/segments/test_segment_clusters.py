"""Tests of behavioural clustering (manyi.analytics.segments.clusters)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from manyi.analytics.segments.clusters import (
    BehaviourClusters,
    behaviour_features,
    cluster_profiles,
)
from manyi.analytics.segments.orders import clean_orders, read_order_lines


def _blobs(seed: int = 0) -> pd.DataFrame:
    """Three well separated groups of customers on skewed spend."""
    rng = np.random.default_rng(seed)
    parts = []
    for centre, orders, n in ((20.0, 1.5, 150), (400.0, 6.0, 100), (8000.0, 30.0, 50)):
        parts.append(
            pd.DataFrame(
                {
                    "monetary": rng.lognormal(np.log(centre), 0.2, n),
                    "frequency": rng.lognormal(np.log(orders), 0.2, n),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_finds_planted_groups_with_labels_ordered_by_spend(method: str) -> None:
    features = _blobs()
    model = BehaviourClusters(method=method, k_range=(2, 6), random_state=1).fit(features)
    assert model.n_clusters_ == 3
    assert np.bincount(model.labels_).tolist() == [150, 100, 50]  # 0 = lowest spend
    means = model.profiles_["monetary"].to_numpy()
    assert (np.diff(means) > 0).all()
    assert model.profiles_["share"].sum() == pytest.approx(1.0)
    assert (model.predict(features) == model.labels_).all()


def test_labels_are_stable_across_runs_and_row_orders() -> None:
    features = _blobs()
    first = BehaviourClusters(random_state=3).fit(features).labels_
    second = BehaviourClusters(random_state=3).fit(features).labels_
    assert (first == second).all()
    shuffled = features.sample(frac=1.0, random_state=5)
    labels = BehaviourClusters(random_state=3).fit(shuffled).labels_
    assert (pd.Series(labels, index=shuffled.index).sort_index().to_numpy() == first).all()


def test_validation_and_fixed_k() -> None:
    with pytest.raises(ValueError, match="not numeric"):
        BehaviourClusters().fit(pd.DataFrame({"x": ["a", "b", "c"]}))
    with pytest.raises(ValueError, match="missing or infinite"):
        BehaviourClusters().fit(pd.DataFrame({"x": [1.0, np.nan, 2.0]}))
    with pytest.raises(ValueError, match="method"):
        BehaviourClusters(method="dbscan").fit(_blobs())
    with pytest.raises(ValueError, match="not fitted"):
        BehaviourClusters().predict(_blobs())
    model = BehaviourClusters(n_clusters=4).fit(_blobs())
    assert model.n_clusters_ == 4 and len(np.unique(model.labels_)) == 4
    profiles = cluster_profiles(_blobs(), model.labels_)
    assert profiles["customers"].sum() == 300


@pytest.mark.slow
def test_online_retail_clusters(shared_data) -> None:
    lines = clean_orders(
        read_order_lines(shared_data / "online_retail" / "online_retail.csv.gz"), "2011-12-10"
    ).lines
    features = behaviour_features(lines, "2011-12-10")
    assert len(features) == 4338
    model = BehaviourClusters(random_state=0).fit(features)
    assert 2 <= model.n_clusters_ <= 8
    assert all(-1 <= s <= 1 for s in model.selection_scores_.values())
    assert model.profiles_["customers"].sum() == 4338
