"""Accuracy of feedback types and aspects on the hand-labelled sets, and airline reason macro-F1.

Run: python bench/eval_labels.py [--half test|dev|all] [--sets tests/data/text_eval]
Keyword lists were written before labelling; after a first full run, errors on the dev half
(items at even positions) were inspected and keywords/cues added; the test half (odd
positions) was not looked at for tuning and is the default report.
Prints precision / recall / F1 per label for feedback types and aspects (detection), micro-F1
of (aspect, polarity) pairs, polarity accuracy on correctly found aspects, and the macro-F1 of
the airline taxonomy against the `negativereason` labels of the Twitter US Airline Sentiment
data (negative tweets, "Can't Tell" excluded).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import pandas as pd

from _data import shared_file
from manyi.analytics.text.aspects import AspectTaxonomy, extract_aspects
from manyi.analytics.text.types import _model_scorer, classify_types

ROOT = Path(__file__).resolve().parents[1]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def table(gold: list[set[str]], pred: list[set[str]], title: str) -> float:
    """Print per-label P/R/F1 and return the macro-F1 over labels present in gold."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred, strict=True):
        for lab in g & p:
            tp[lab] += 1
        for lab in p - g:
            fp[lab] += 1
        for lab in g - p:
            fn[lab] += 1
    labels = sorted(set(tp) | set(fn) | set(fp), key=lambda x: -(tp[x] + fn[x]))
    print(f"\n{title}\n{'label':32s} {'n':>4s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    f1s = []
    for lab in labels:
        p, r, f = prf(tp[lab], fp[lab], fn[lab])
        if tp[lab] + fn[lab]:
            f1s.append(f)
        print(f"{lab:32s} {tp[lab] + fn[lab]:4d} {p:6.2f} {r:6.2f} {f:6.2f}")
    p, r, f = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    macro = sum(f1s) / len(f1s) if f1s else 0.0
    print(f"{'micro':32s} {'':4s} {p:6.2f} {r:6.2f} {f:6.2f}   macro-F1 {macro:.3f}")
    return macro


def evaluate_set(path: Path, half: str) -> None:
    """Score types and aspects on one JSONL file of labelled items (all, dev or test half)."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if half != "all":
        items = items[(0 if half == "dev" else 1) :: 2]
    texts = [it["text"] for it in items]
    types = classify_types(texts)
    table(
        [set(it["types"]) for it in items],
        [set(t) for t in types],
        f"{path.name} [{half}, n={len(items)}]: types",
    )
    pred_aspects: list[list[tuple[str, str]]] = [[] for _ in items]
    for tax_name in sorted({it["taxonomy"] for it in items}):
        idx = [i for i, it in enumerate(items) if it["taxonomy"] == tax_name]
        found = extract_aspects([texts[i] for i in idx], AspectTaxonomy.builtin(tax_name))
        for i, f in zip(idx, found, strict=True):
            pred_aspects[i] = f
    gold_pairs = [{tuple(a) for a in it["aspects"]} for it in items]
    pred_pairs = [set(f) for f in pred_aspects]
    table([{a for a, _ in g} for g in gold_pairs], [{a for a, _ in p} for p in pred_pairs],
          f"{path.name} [{half}]: aspects (detection)")  # fmt: skip
    tp = sum(len(g & p) for g, p in zip(gold_pairs, pred_pairs, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold_pairs, pred_pairs, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold_pairs, pred_pairs, strict=True))
    both = [
        (dict(g)[a], pol)
        for g, p in zip(gold_pairs, pred_pairs, strict=True)
        for a, pol in p
        if a in dict(g)
    ]
    acc = sum(x == y for x, y in both) / len(both) if both else 0.0
    print(f"(aspect, polarity) micro-F1 {prf(tp, fp, fn)[2]:.3f}; "
          f"polarity accuracy on {len(both)} found aspects {acc:.3f}")  # fmt: skip


def airline_macro_f1() -> None:
    """Macro-F1 of the airline taxonomy against the labelled negative reasons."""
    df = pd.read_csv(shared_file("en_tweets/airline_tweets.csv"))
    df = df[df["negativereason"].notna() & (df["negativereason"] != "Can't Tell")]
    t0 = time.perf_counter()
    found = extract_aspects(df["text"].tolist(), AspectTaxonomy.builtin("airline"), other=False)
    secs = time.perf_counter() - t0
    macro = table(
        [{r} for r in df["negativereason"]],
        [{a for a, _ in f} for f in found],
        f"airline negativereason, {len(df)} negative tweets (multi-label prediction)",
    )
    print(f"airline macro-F1 {macro:.3f}  ({len(df) / secs:,.0f} tweets/s)")


def main() -> None:
    """Evaluate every labelled set, then the airline reasons."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", type=Path, default=ROOT / "tests" / "data" / "text_eval")
    ap.add_argument(
        "--half",
        choices=["test", "dev", "all"],
        default="test",
        help="items at odd positions (test, never used for tuning), even positions (dev), or all",
    )
    args = ap.parse_args()
    backend = "package sentiment model" if _model_scorer() else "lexicon fallback"
    print(f"sentiment backend: {backend}")
    for path in sorted(args.sets.glob("*.jsonl")):
        evaluate_set(path, args.half)
    airline_macro_f1()


if __name__ == "__main__":
    main()
