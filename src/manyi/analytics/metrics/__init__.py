"""manyi.analytics.metrics: satisfaction scores, comparisons, trends, drivers and index models.

Pure functions and small estimators over pandas/numpy; see ``docs/metrics.md``.
"""

from manyi.analytics.metrics.benchmarks import benchmark_table, compare_to_benchmark
from manyi.analytics.metrics.breakdown import Summary, breakdown, group_codes, summarise
from manyi.analytics.metrics.ces import ces
from manyi.analytics.metrics.compare import (
    adjust_pvalues,
    compare_groups,
    compare_two,
    proportion_test,
)
from manyi.analytics.metrics.csat import csat
from manyi.analytics.metrics.csi import satisfaction_index
from manyi.analytics.metrics.cx_tree import CxLevel, cx_scorecard
from manyi.analytics.metrics.drivers import KeyDriverAnalysis, importance_performance
from manyi.analytics.metrics.gaps import gap_analysis
from manyi.analytics.metrics.likert import likert
from manyi.analytics.metrics.nps import nps
from manyi.analytics.metrics.pls import PLSPathModel
from manyi.analytics.metrics.result import MetricResult
from manyi.analytics.metrics.trend import trend
from manyi.analytics.metrics.weights import kish_effective_n, poststratification_weights

__all__ = [
    "CxLevel",
    "KeyDriverAnalysis",
    "MetricResult",
    "PLSPathModel",
    "Summary",
    "adjust_pvalues",
    "benchmark_table",
    "breakdown",
    "ces",
    "compare_groups",
    "compare_to_benchmark",
    "compare_two",
    "csat",
    "cx_scorecard",
    "gap_analysis",
    "group_codes",
    "importance_performance",
    "kish_effective_n",
    "likert",
    "nps",
    "poststratification_weights",
    "proportion_test",
    "satisfaction_index",
    "summarise",
    "trend",
]
