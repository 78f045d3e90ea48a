"""ECSI satisfaction index, benchmarks and the CX scorecard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from manyi.analytics.metrics.benchmarks import benchmark_table, compare_to_benchmark
from manyi.analytics.metrics.csi import ecsi_blocks, satisfaction_index, spec_from_mapping
from manyi.analytics.metrics.cx_tree import CxLevel, cx_scorecard


def test_index_on_ecsi(shared_data) -> None:  # type: ignore[no-untyped-def]
    df = pd.read_csv(shared_data / "ecsi" / "ecsi_mobi.csv")
    result = satisfaction_index(df, n_boot=20)
    assert result.n == 250
    assert set(result.index.index) == {
        "image",
        "expectations",
        "quality",
        "value",
        "satisfaction",
        "complaints",
        "loyalty",
    }
    assert ((result.index > 0) & (result.index < 100)).all()
    # a one-item block's index is the rescaled item mean: 100 * (mean - 1) / 9
    expected = 100 * (df["CUSCO"].mean() - 1) / 9
    assert result.index["complaints"] == pytest.approx(expected)
    assert result.to_dict()["index"][0]["label"] == "image / 企业形象"


def test_index_is_weighted_mean_known_answer() -> None:
    # Items on 1-5 with equal spread: index equals the rescaled plain mean when the
    # weights are equal (two identical items).
    rng = np.random.default_rng(0)
    base = rng.integers(1, 6, 100).astype(float)
    other = rng.integers(1, 6, 100).astype(float)
    df = pd.DataFrame({"a1": base, "a2": base, "b1": other, "b2": (other + base) / 2})
    result = satisfaction_index(
        df,
        blocks={"A": ["a1", "a2"], "B": ["b1", "b2"]},
        paths=[("A", "B")],
        scale=(1, 5),
        n_boot=0,
    )
    assert result.index["A"] == pytest.approx(100 * (base.mean() - 1) / 4)


def test_ecsi_blocks_do_not_confuse_prefixes() -> None:
    cols = ["CUSA1", "CUSA2", "CUSCO", "CUSL1", "IMAG1", "CUEX1", "PERQ1", "PERV1"]
    blocks = ecsi_blocks(cols)
    assert blocks["satisfaction"] == ["CUSA1", "CUSA2"]
    assert blocks["complaints"] == ["CUSCO"]
    with pytest.raises(ValueError, match="IMAG"):
        ecsi_blocks(["CUSA1"])


def test_spec_from_mapping() -> None:
    blocks, paths = spec_from_mapping({"blocks": {"A": ["a"]}, "paths": [["A", "B"]]})
    assert blocks == {"A": ["a"]} and paths == [("A", "B")]
    with pytest.raises(ValueError, match="blocks"):
        spec_from_mapping({"paths": []})


def test_benchmarks() -> None:
    table = benchmark_table()
    assert {
        "retail",
        "banks",
        "credit_unions",
        "airlines",
        "hotels",
        "telecom",
        "restaurants_full_service",
        "restaurants_limited_service",
    } <= set(table["industry"])
    c = compare_to_benchmark(80, "hotels")
    assert c.difference == pytest.approx(80 - c.benchmark)
    custom = benchmark_table({"hotels": 70, "cinemas": 65})
    assert compare_to_benchmark(80, "hotels", custom).benchmark == 70
    assert compare_to_benchmark(60, "cinemas", custom).difference == -5
    with pytest.raises(ValueError, match="industry"):
        compare_to_benchmark(80, "space travel")
    with pytest.raises(ValueError, match="'score'"):
        benchmark_table({"hotels": 170})


def test_cx_scorecard_known_answer() -> None:
    df = pd.DataFrame(
        {"solved": [5, 3, None], "easy": [5, 5, 1], "wow": [1, 3, None], "fast": [4, 4, 4]}
    )
    card = cx_scorecard(
        df,
        {
            "needs_met": ["solved"],
            "ease": CxLevel({"easy": 1.0, "fast": 3.0}, weight=2.0),
            "delight": ["wow"],
        },
    )
    levels = card.levels.set_index("level")
    # needs_met: (100 + 50) / 2 = 75; ease: easy mean (100+100+0)/3 = 66.67, fast 75,
    # weighted (66.67 + 3 * 75) / 4 = 72.92; delight (0 + 50) / 2 = 25.
    assert levels.loc["needs_met", "score"] == pytest.approx(75)
    assert levels.loc["ease", "score"] == pytest.approx((200 / 3 + 225) / 4)
    assert levels.loc["delight", "n"] == 2
    assert card.score == pytest.approx((75 + 2 * (200 / 3 + 225) / 4 + 25) / 4)
    with pytest.raises(ValueError, match=r"'wow'.*9"):
        cx_scorecard(pd.DataFrame({"wow": [9]}), {"delight": ["wow"]})
