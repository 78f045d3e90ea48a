"""Behavioural clustering: k-means chosen by silhouette, or a Gaussian mixture chosen by BIC.

Features are standardised after a log1p transform of the skewed non-negative ones (skewness
above 1), so a few big spenders do not decide every cluster. Labels are renumbered by cluster
mean ``monetary`` (0 = lowest), so the same data and seed give the same labels on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import skew
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture

from manyi.analytics.segments.rfm import compute_rfm


def behaviour_features(lines: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """Per-customer behaviour from cleaned order lines, indexed by ``customer_id``.

    Columns: ``recency_days, frequency, monetary, avg_order_value, tenure_days``.
    """
    rfm = compute_rfm(lines, as_of, with_dates=True)
    as_of_day = pd.Timestamp(as_of).normalize()
    tenure = (as_of_day - pd.to_datetime(rfm["first_purchase"])).dt.days
    features = pd.DataFrame(
        {
            "recency_days": rfm["recency_days"].to_numpy(dtype="float64"),
            "frequency": rfm["frequency"].to_numpy(dtype="float64"),
            "monetary": rfm["monetary"].to_numpy(dtype="float64"),
            "avg_order_value": (rfm["monetary"] / rfm["frequency"]).to_numpy(dtype="float64"),
            "tenure_days": tenure.to_numpy(dtype="float64"),
        },
        index=pd.Index(rfm["customer_id"], name="customer_id"),
    )
    return features


@dataclass(frozen=True)
class _Scaler:
    """Which columns are logged, and the mean/std used to standardise each column."""

    logged: tuple[bool, ...]
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray) -> _Scaler:
        """Log skewed non-negative columns and learn standardisation constants."""
        logged = tuple(
            bool(values[:, j].min() >= 0 and abs(float(skew(values[:, j]))) > 1)
            for j in range(values.shape[1])
        )
        transformed = cls._log(values, logged)
        std = transformed.std(axis=0)
        return cls(logged=logged, mean=transformed.mean(axis=0), std=np.where(std > 0, std, 1.0))

    @staticmethod
    def _log(values: np.ndarray, logged: tuple[bool, ...]) -> np.ndarray:
        """Apply log1p to the chosen columns (negatives clipped to zero first)."""
        out = values.astype("float64", copy=True)
        for j, flag in enumerate(logged):
            if flag:
                out[:, j] = np.log1p(np.clip(out[:, j], 0, None))
        return out

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Log and standardise new values with the learnt constants."""
        return (self._log(values, self.logged) - self.mean) / self.std


class BehaviourClusters:
    """Cluster customers on behavioural features with a data-driven number of clusters.

    Parameters
    ----------
    method : {"kmeans", "gmm"}
        k-means with k chosen by the silhouette on a sample, or a Gaussian mixture with k
        chosen by the lowest BIC.
    n_clusters : int, optional
        Fix k instead of choosing it.
    k_range : tuple of int
        Smallest and largest k tried.
    sample_size : int
        Customers sampled for the silhouette (it is quadratic in n).
    random_state : int
        Seed for sampling and model initialisation.
    order_by : str
        Feature whose cluster mean orders the labels (0 = lowest).

    Attributes
    ----------
    n_clusters_ : int
    labels_ : numpy.ndarray
    selection_scores_ : dict of int to float
        Silhouette (higher is better) or BIC (lower is better) per k tried.
    profiles_ : pandas.DataFrame
        Per cluster: ``customers``, ``share`` and the mean of each raw feature.
    """

    def __init__(
        self,
        method: str = "kmeans",
        n_clusters: int | None = None,
        k_range: tuple[int, int] = (2, 8),
        sample_size: int = 5000,
        random_state: int = 0,
        order_by: str = "monetary",
    ) -> None:
        self.method = method
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.sample_size = sample_size
        self.random_state = random_state
        self.order_by = order_by

    def _validate(self, features: pd.DataFrame) -> np.ndarray:
        """Check settings and features; return them as a float matrix."""
        if self.method not in ("kmeans", "gmm"):
            raise ValueError(f"method must be 'kmeans' or 'gmm', got {self.method!r}")
        if not isinstance(features, pd.DataFrame) or features.shape[1] == 0:
            raise ValueError("features must be a DataFrame with at least one column")
        for column in features.columns:
            if not pd.api.types.is_numeric_dtype(features[column]):
                raise ValueError(f"feature column '{column}' is not numeric")
        values = features.to_numpy(dtype="float64")
        if not np.isfinite(values).all():
            bad = features.columns[~np.isfinite(values).all(axis=0)].tolist()
            raise ValueError(f"feature column(s) {bad} have missing or infinite values")
        low, high = self.k_range
        if self.n_clusters is None and not 2 <= low <= high:
            raise ValueError(f"k_range must satisfy 2 <= low <= high, got {self.k_range}")
        if len(values) < 3:
            raise ValueError("need at least 3 customers to cluster")
        return values

    def _model(self, k: int) -> KMeans | GaussianMixture:
        """A fresh seeded model with k components."""
        if self.method == "kmeans":
            return KMeans(n_clusters=k, n_init=4, random_state=self.random_state)
        return GaussianMixture(
            n_components=k, covariance_type="full", n_init=2, random_state=self.random_state
        )

    def _score(self, model: KMeans | GaussianMixture, scaled: np.ndarray) -> float:
        """Silhouette on a seeded sample (k-means) or BIC (mixture) of a fitted model."""
        if isinstance(model, GaussianMixture):
            return float(model.bic(scaled))
        labels = model.labels_
        if len(np.unique(labels)) < 2:
            return -1.0
        size = min(self.sample_size, len(scaled))
        return float(
            silhouette_score(scaled, labels, sample_size=size, random_state=self.random_state)
        )

    def fit(self, features: pd.DataFrame) -> BehaviourClusters:
        """Choose k, fit the model and order the labels; returns self."""
        values = self._validate(features)
        self.feature_names_in_ = list(features.columns)
        self.scaler_ = _Scaler.fit(values)
        scaled = self.scaler_.transform(values)
        n_distinct = len(np.unique(scaled, axis=0))
        if self.n_clusters is not None:
            candidates = [min(self.n_clusters, n_distinct)]
        else:
            low, high = self.k_range
            candidates = list(range(low, max(low, min(high, n_distinct - 1)) + 1))
        fitted: dict[int, KMeans | GaussianMixture] = {}
        scores: dict[int, float] = {}
        for k in candidates:
            fitted[k] = self._model(k).fit(scaled)
            scores[k] = self._score(fitted[k], scaled) if len(candidates) > 1 else float("nan")
        if len(candidates) == 1:
            best = candidates[0]
        elif self.method == "kmeans":
            best = max(scores, key=lambda k: (scores[k], -k))
        else:
            best = min(scores, key=lambda k: (scores[k], k))
        self.model_ = fitted[best]
        self.n_clusters_ = best
        self.selection_scores_ = scores
        raw_labels = np.asarray(self.model_.predict(scaled))
        self.relabel_ = self._relabelling(features, raw_labels, best)
        self.labels_ = self.relabel_[raw_labels]
        self.profiles_ = cluster_profiles(features, self.labels_)
        return self

    def _relabelling(self, features: pd.DataFrame, raw: np.ndarray, k: int) -> np.ndarray:
        """Map raw labels to 0..k-1 ordered by the mean of `order_by` (then size)."""
        key = self.order_by if self.order_by in features.columns else features.columns[0]
        values = features[key].to_numpy(dtype="float64")
        counts = np.bincount(raw, minlength=k)
        sums = np.bincount(raw, weights=values, minlength=k)
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.inf)
        order = np.lexsort((-counts, means))
        mapping = np.empty(k, dtype=np.int64)
        mapping[order] = np.arange(k)
        return mapping

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Ordered cluster label for each row of new features."""
        if not hasattr(self, "model_"):
            raise ValueError("BehaviourClusters is not fitted yet; call fit first")
        missing = [c for c in self.feature_names_in_ if c not in features.columns]
        if missing:
            raise ValueError(f"features lack column(s) {missing} seen in fit")
        values = features[self.feature_names_in_].to_numpy(dtype="float64")
        if not np.isfinite(values).all():
            raise ValueError("features have missing or infinite values")
        raw = np.asarray(self.model_.predict(self.scaler_.transform(values)))
        return self.relabel_[raw]


def cluster_profiles(features: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    """Size, share and mean of each feature per cluster label."""
    if len(labels) != len(features):
        raise ValueError("labels and features differ in length")
    frame = features.reset_index(drop=True).astype("float64")
    grouped = frame.groupby(np.asarray(labels))
    profiles = grouped.mean()
    profiles.insert(0, "share", grouped.size() / max(len(frame), 1))
    profiles.insert(0, "customers", grouped.size().astype("float64"))
    profiles.index.name = "cluster"
    return profiles
