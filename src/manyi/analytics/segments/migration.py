"""Segment migration between two snapshots: transition matrix and Sankey-ready links."""

from __future__ import annotations

import pandas as pd

NONE_LABEL = "(none)"


def _aligned(before: pd.Series, after: pd.Series, include_missing: bool) -> pd.DataFrame:
    """Join two membership Series on customer id; absent members become `(none)`."""
    for name, series in (("before", before), ("after", after)):
        if not isinstance(series, pd.Series):
            raise ValueError(f"snapshot '{name}' must be a Series indexed by customer id")
        if series.index.has_duplicates:
            raise ValueError(f"snapshot '{name}' lists a customer twice")
    frame = pd.concat(
        {"source": before.astype("object"), "target": after.astype("object")},
        axis=1,
        join="outer" if include_missing else "inner",
    )
    return frame.fillna(NONE_LABEL).astype(str)


def transition_matrix(
    before: pd.Series, after: pd.Series, *, include_missing: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts and row shares of customers moving from each segment to each segment.

    Parameters
    ----------
    before, after : pandas.Series
        Segment per customer (index = customer id) at the earlier and later snapshot.
    include_missing : bool
        Keep customers present in only one snapshot, under the label ``(none)``.

    Returns
    -------
    (counts, shares) : tuple of DataFrame
        Rows are the earlier segment, columns the later one; each row of ``shares`` sums to 1.
    """
    frame = _aligned(before, after, include_missing)
    labels = _ordered_labels(before, after, frame)
    counts = pd.crosstab(frame["source"], frame["target"])
    counts = counts.reindex(index=labels, columns=labels, fill_value=0)
    counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    counts.index.name, counts.columns.name = "from", "to"
    shares = counts.div(counts.sum(axis=1), axis=0)
    return counts, shares


def _ordered_labels(before: pd.Series, after: pd.Series, frame: pd.DataFrame) -> list[str]:
    """Labels in category order when categorical, else sorted; `(none)` last."""
    labels: list[str] = []
    for series in (before, after):
        if isinstance(series.dtype, pd.CategoricalDtype):
            labels += [str(c) for c in series.cat.categories]
    labels += sorted(set(frame["source"]) | set(frame["target"]))
    ordered = list(dict.fromkeys(label for label in labels if label != NONE_LABEL))
    return [*ordered, NONE_LABEL]


def sankey_links(
    before: pd.Series, after: pd.Series, *, include_missing: bool = True
) -> list[dict[str, object]]:
    """Links ``{"source", "target", "value"}`` for a Sankey chart, largest flows first.

    Node names are the segment labels; a chart library that needs distinct nodes on each
    side can prefix them (the source is always the earlier snapshot).
    """
    counts, _ = transition_matrix(before, after, include_missing=include_missing)
    stacked = counts.stack()
    stacked = stacked[stacked > 0].sort_values(ascending=False, kind="stable")
    return [
        {"source": str(src), "target": str(dst), "value": int(value)}
        for (src, dst), value in stacked.items()
    ]
