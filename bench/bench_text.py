"""Benchmark manyi's text analytics: cross-domain sentiment accuracy and throughput.

Run: ``OMP_NUM_THREADS=1 python bench/bench_text.py`` (about 3-5 minutes on one core).

1. Chinese cross-domain: for each of the 9 categories of zh_reviews, train on the other 8
   (+ airline tweets + lexicon, as the shipped model: phrase weights, and review weights with
   the training reviews' clauses as extra rows, which score the multi-clause reviews), test on
   the held-out category. Nothing
   is fitted on the held-out category: features are hashed (no vocabulary) and the lexicon is
   hand-written or VADER-derived; C (1, 4, 8, 16) and the naive-Bayes scaling power (0.5, 1)
   were compared on this same leave-one-category-out protocol, a mild selection effect.
   Peer: SnowNLP (``sentiments > 0.5``) on a fixed random sample per category; SnowNLP's own
   model was trained on reviews of this kind, which flatters its figure.
2. English cross-domain: the shipped model (never trained on movie reviews) on the UCI IMDB
   sentences; peer: VADER (compound >= 0 is positive).
3. Throughput: distinct short texts (Chinese reviews <= 40 characters and English tweets,
   half each) per CPU-second through ``analyze()`` (sentiment + feedback type + aspects, with
   and without PII masking), one core, caches cleared; peers SnowNLP and VADER.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp

from _data import shared_file
from manyi.analytics.text.analyze import analyze, sentiment_model
from manyi.analytics.text.aspects import extract_aspects
from manyi.analytics.text.sentiment import featurize
from manyi.analytics.text.tokenize import _cut_han
from manyi.analytics.text.train import (
    C_VALUE,
    Clauses,
    fit_features,
    lexicon_documents,
    load_airline_tweets,
    load_imdb,
    load_zh_reviews,
    review_clauses,
    review_groups,
)
from manyi.analytics.text.types import classify_types


def chinese_cross_domain(snownlp_per_cat: int) -> None:
    """Leave-one-category-out accuracy of manyi vs SnowNLP."""
    data_dir = shared_file("zh_reviews/online_shopping_9cats.csv").parents[1]
    zh = load_zh_reviews(data_dir)
    tweets = load_airline_tweets(data_dir)
    tweets = tweets[tweets["airline_sentiment"] != "neutral"]
    lex = lexicon_documents()
    t0 = time.perf_counter()
    zh_features = featurize(zh["review"].tolist())
    x_zh, multi = zh_features.matrix, zh_features.multi_clause
    x_tw = featurize(tweets["text"].tolist()).matrix
    x_lex = featurize(lex.texts).matrix
    clause_texts, clause_owner = review_clauses(zh["review"].tolist())
    x_clauses = featurize(clause_texts).matrix
    y_zh = zh["label"].to_numpy()
    y_tw = (tweets["airline_sentiment"] == "positive").to_numpy().astype(int)
    print(f"featurised {x_zh.shape[0] + x_tw.shape[0]:,} texts in {time.perf_counter() - t0:.1f} s")
    try:
        from snownlp import SnowNLP
    except ImportError:
        SnowNLP = None  # noqa: N806
    rng = np.random.default_rng(7)
    print(
        f"\n{'category':<8} {'n':>6} {'manyi':>7} {'SnowNLP':>8} (SnowNLP on {snownlp_per_cat}/cat)"
    )
    ours, theirs = [], []
    for cat in sorted(zh["cat"].unique()):
        test = (zh["cat"] == cat).to_numpy()
        train = (
            sp.vstack([x_zh[~test], x_tw, x_lex]).tocsr(),
            np.concatenate([y_zh[~test], y_tw, lex.labels]),
            review_groups(zh[~test]) + ["en"] * len(y_tw) + lex.groups,
        )
        keep = ~test[clause_owner]  # clauses of training reviews, re-indexed to their rows
        clauses = Clauses(x_clauses[keep], (np.cumsum(~test) - 1)[clause_owner[keep]])
        phrase = fit_features(*train, c_value=C_VALUE)
        review = fit_features(*train, c_value=C_VALUE, clauses=clauses)
        margin = np.where(
            multi[test],
            x_zh[test] @ review.coef + review.intercept,
            x_zh[test] @ phrase.coef + phrase.intercept,
        )
        acc = float(np.mean((margin > 0) == (y_zh[test] == 1)))
        ours.append(acc)
        snow = float("nan")
        if SnowNLP is not None and snownlp_per_cat > 0:
            idx = np.flatnonzero(test)
            pick = rng.choice(idx, size=min(snownlp_per_cat, len(idx)), replace=False)
            pred = [SnowNLP(t).sentiments > 0.5 for t in zh["review"].iloc[pick]]
            snow = float(np.mean(np.asarray(pred) == (y_zh[pick] == 1)))
            theirs.append(snow)
        print(f"{cat:<8} {int(test.sum()):>6} {acc:>7.3f} {snow:>8.3f}")
    print(
        f"{'mean':<8} {'':>6} {np.mean(ours):>7.3f} {np.nanmean(theirs) if theirs else float('nan'):>8.3f}"
    )
    if theirs:
        print(f"manyi - SnowNLP: {np.mean(ours) - np.mean(theirs):+.3f} (mean over categories)")


def english_cross_domain() -> None:
    """Shipped model vs VADER on IMDB sentences (a domain neither was tuned on)."""
    imdb = load_imdb(shared_file("en_reviews/imdb_labelled.txt").parents[1])
    truth = imdb["label"].to_numpy() == 1
    ours = float(np.mean((sentiment_model().score(imdb["text"].tolist()) > 0) == truth))
    line = f"\nEnglish IMDB sentences (n={len(imdb)}): manyi {ours:.3f}"
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print(line + "  (VADER not installed)")
        return
    vader = SentimentIntensityAnalyzer()
    pred = np.array([vader.polarity_scores(t)["compound"] >= 0 for t in imdb["text"]])
    theirs = float(np.mean(pred == truth))
    print(f"{line}  VADER {theirs:.3f}  difference {100 * (ours - theirs):+.1f} points")


def _rate(fn, texts: list[str]) -> float:
    """Texts per CPU-second of fn(texts), best of three runs, caches cleared before each run.

    CPU time (``time.process_time``) rather than wall time: the machine is shared, and with
    OMP_NUM_THREADS=1 the process uses one core, so CPU time is the one-core figure.
    """
    best = float("inf")
    for _ in range(3):  # the machines are shared VMs: single passes vary by 20 %
        _cut_han.cache_clear()
        sentiment_model().clear_cache()
        t0 = time.process_time()
        fn(texts)
        best = min(best, time.process_time() - t0)
    return len(texts) / best


def throughput(n: int) -> None:
    """Short texts per second through analyze(), SnowNLP and VADER."""
    data_dir = shared_file("zh_reviews/online_shopping_9cats.csv").parents[1]
    zh = load_zh_reviews(data_dir)
    tw = load_airline_tweets(data_dir)
    rng = np.random.default_rng(11)
    zh_short = zh.loc[zh["review"].str.len() <= 40, "review"].drop_duplicates().tolist()
    en_short = tw["text"].drop_duplicates().tolist()  # tweets: at most 140 characters
    half = min(n // 2, len(en_short), len(zh_short))
    texts = [zh_short[i] for i in rng.choice(len(zh_short), half, replace=False)]
    texts += [en_short[i] for i in rng.choice(len(en_short), half, replace=False)]
    rng.shuffle(texts)
    print(
        f"\nThroughput, {len(texts):,} distinct short texts (half Chinese reviews <= 40 chars, "
        "half English tweets), CPU time on one core:"
    )
    analyze(texts[:100])  # warm up: jieba dictionary and model loading are not counted
    full = _rate(lambda t: analyze(t, mask=True), texts)
    no_pii = _rate(lambda t: analyze(t, mask=False), texts)
    sent = _rate(lambda t: sentiment_model().score(t), texts)
    types = _rate(lambda t: classify_types(t, scores=np.zeros(len(t))), texts)
    aspects = _rate(extract_aspects, texts)
    print(f"  manyi analyze() with PII masking : {full:>9,.0f} texts/s")
    print(f"  manyi analyze() without masking  : {no_pii:>9,.0f} texts/s")
    print(f"  manyi sentiment only             : {sent:>9,.0f} texts/s")
    print(f"  manyi feedback types only (B)    : {types:>9,.0f} texts/s")
    print(f"  manyi aspects only (B)           : {aspects:>9,.0f} texts/s")
    try:
        from snownlp import SnowNLP

        sample = [t for t in texts if not t.isascii()][:500]
        snow = _rate(lambda t: [SnowNLP(x).sentiments for x in t], sample)
        print(
            f"  SnowNLP sentiments (Chinese)     : {snow:>9,.0f} texts/s  -> manyi/SnowNLP x{full / snow:.0f}"
        )
    except ImportError:
        pass
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        sample = [t for t in texts if t.isascii()]
        rate = _rate(lambda t: [vader.polarity_scores(x) for x in t], sample)
        print(
            f"  VADER polarity_scores (English)  : {rate:>9,.0f} texts/s  -> manyi/VADER x{full / rate:.1f}"
        )
    except ImportError:
        pass


def main() -> None:
    """Run all three benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snownlp-per-category", type=int, default=300)
    parser.add_argument("--throughput-n", type=int, default=20_000, help="texts (max ~2x14k)")
    parser.add_argument("--skip-cross-domain", action="store_true")
    args = parser.parse_args()
    if not args.skip_cross_domain:
        chinese_cross_domain(args.snownlp_per_category)
    english_cross_domain()
    throughput(args.throughput_n)


if __name__ == "__main__":
    main()
