"""Topic discovery on 100,000 real texts, and throughput of types/aspects/PII per core.

Run: OMP_NUM_THREADS=1 python bench/bench_topics.py [--n 100000] [--topics 12]
Texts: Chinese e-commerce reviews (zh_reviews, 52,768) and US airline tweets (14,640),
resampled with replacement to --n. Prints the wall time of TopicModel.fit (tokenise with jieba,
TF-IDF, NMF, sentiment, labels, quotes), the peer (scikit-learn LatentDirichletAllocation, online,
on the same term-count matrix, same number of topics) and their ratio, then texts/s for
classify_types, extract_aspects and mask_pii on one core.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer

from _data import shared_file
from manyi.analytics.text.aspects import extract_aspects
from manyi.analytics.text.pii import mask_pii
from manyi.analytics.text.topics import TopicModel, tokenize_for_topics
from manyi.analytics.text.types import classify_types, score_sentiment


def load_texts(n: int) -> list[str]:
    """n real texts, Chinese reviews and English tweets, resampled with replacement."""
    zh = pd.read_csv(shared_file("zh_reviews/online_shopping_9cats.csv"))["review"]
    en = pd.read_csv(shared_file("en_tweets/airline_tweets.csv"))["text"]
    pool = pd.concat([zh, en], ignore_index=True).astype(str).str.replace("\ufeff", "")
    rng = np.random.default_rng(0)
    return pool.iloc[rng.integers(0, len(pool), n)].tolist()


def timed(label: str, fn, *args):  # type: ignore[no-untyped-def]
    """Run fn(*args), print and return (seconds, result)."""
    t0 = time.perf_counter()
    out = fn(*args)
    secs = time.perf_counter() - t0
    print(f"{label:58s} {secs:8.1f} s")
    return secs, out


def main() -> None:
    """Time the topic model against LDA, then the per-text labellers."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--topics", type=int, default=12)
    args = ap.parse_args()
    texts = load_texts(args.n)
    print(f"{len(texts):,} texts, mean length {np.mean([len(t) for t in texts]):.0f} chars")
    tokenize_for_topics("预热 jieba")  # dictionary load is a one-off, not per run
    secs, model = timed(
        f"manyi TopicModel.fit (NMF, {args.topics} topics, incl. sentiment)",
        TopicModel(args.topics).fit,
        texts,
    )
    print(model.summary()[["label", "size", "mean_sentiment"]].to_string(index=False))
    cv = CountVectorizer(
        tokenizer=tokenize_for_topics, lowercase=False, token_pattern=None,
        max_features=20_000, min_df=2, max_df=0.5,
    )  # fmt: skip
    tok_secs, counts = timed("peer step 1: tokenise + term counts", cv.fit_transform, texts)
    lda = LatentDirichletAllocation(
        n_components=args.topics, learning_method="online", batch_size=4096, max_iter=1,
        random_state=0,
    )  # fmt: skip
    lda_secs, _ = timed("peer step 2: sklearn LDA (online, 1 pass)", lda.fit, counts)
    peer = tok_secs + lda_secs
    print(f"peer total {peer:.1f} s; manyi / peer time ratio {secs / peer:.2f}")
    sample = texts[:20_000]
    _, scores = timed(f"part A sentiment model on {len(sample):,} texts", score_sentiment, sample)
    for name, fn in [
        ("classify_types (given sentiment)", lambda ts: classify_types(ts, scores=scores)),
        ("extract_aspects (given text sentiment)", lambda ts: extract_aspects(ts, scores=scores)),
        ("mask_pii", lambda ts: [mask_pii(t) for t in ts]),
    ]:
        s, _ = timed(f"{name} on {len(sample):,} texts", fn, sample)
        print(f"    -> {len(sample) / s:,.0f} texts/s")


if __name__ == "__main__":
    main()
