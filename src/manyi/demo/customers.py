"""Demo customers: names, demographics, contact details, consent and buying behaviour.

Besides the CSV columns the frame carries hidden columns the order generator uses: ``age``,
``value`` (lognormal spend level), ``rate`` (orders per weighted day), ``active_from`` and
``active_to`` (day indexes of the window in which the customer buys).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from manyi.demo import geography as geo
from manyi.demo.feedback_text import to_traditional
from manyi.demo.names import chinese_names, english_names

if TYPE_CHECKING:
    from manyi.demo.generator import Window

INCOME_BANDS = ("<5k", "5k-10k", "10k-20k", "20k-50k", "50k+")
_OCCUPATIONS = (
    ("服务业人员", "工人", "个体经营者", "自由职业者"),
    ("公司职员", "教师", "销售", "护士", "公司职员"),
    ("工程师", "医生", "公务员", "设计师", "律师"),
    ("企业管理者", "企业主", "投资人"),
)  # fmt: skip
CHANNELS = ("app", "web", "mini_program", "store")
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
_MAINLAND_PREFIXES = tuple(
    [f"13{d}" for d in range(10)] + [f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
    + [f"18{d}" for d in range(10)]
)  # fmt: skip
_FOREIGN_PHONES = {
    "香港": ("+852", "569", 7), "澳门": ("+853", "6", 7), "台北": ("+886", "9", 8),
    "高雄": ("+886", "9", 8), "台中": ("+886", "9", 8), "Singapore": ("+65", "89", 7),
    "London": ("+44", "7", 9), "Sydney": ("+61", "4", 8), "Vancouver": ("+1", "6", 9),
    "Kuala Lumpur": ("+60", "1", 9),
}  # fmt: skip


def _pick_cities(rng: np.random.Generator, pool: tuple[geo.City, ...], n: int) -> list[geo.City]:
    """`n` cities drawn from `pool` by their weights."""
    weights = np.array([c.weight for c in pool], dtype=float)
    return [pool[i] for i in rng.choice(len(pool), size=n, p=weights / weights.sum())]


def _languages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Language groups: mainland (zh-CN), Traditional (zh-HK/zh-TW later), English."""
    u = rng.random(n)
    return np.where(u < 0.86, "zh-CN", np.where(u < 0.93, "trad", "en"))


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ages 18-75 skewed young: a young and an older component."""
    young = rng.random(n) < 0.7
    age = np.where(young, rng.normal(30, 6.5, n), rng.normal(48, 11, n))
    return np.clip(np.round(age), 18, 75).astype(int)


def _income(
    rng: np.random.Generator, age: np.ndarray, tier: np.ndarray, rich: np.ndarray
) -> np.ndarray:
    """Income band index 0-4 from city tier, an age hump and noise."""
    hump = -(((age - 42) / 14.0) ** 2)
    score = 1.7 + 0.9 * hump + 0.45 * (3 - tier) + 0.6 * rich + rng.normal(0, 0.8, len(age))
    score = np.where(age < 23, score - 1.2, score)
    return np.clip(np.round(score), 0, 4).astype(int)


def _occupations(rng: np.random.Generator, age: np.ndarray, income: np.ndarray) -> list[str]:
    """Occupations correlated with age (students, retirees) and income."""
    u = rng.random(len(age))
    pick = rng.integers(0, 1000, len(age))
    out = []
    for a, inc, ui, pi in zip(age, income, u, pick, strict=True):
        if a < 23 and ui < 0.7:
            out.append("学生")
        elif a >= 60 and ui < 0.8:
            out.append("退休")
        else:
            group = _OCCUPATIONS[min(3, max(0, int(inc) - 1))]
            out.append(group[pi % len(group)])
    return out


def _channels(rng: np.random.Generator, age: np.ndarray, overseas: np.ndarray) -> np.ndarray:
    """Preferred channel: the young prefer app and mini-program, older customers the store."""
    old = np.clip((age - 18) / 57.0, 0, 1)
    probs = np.stack([0.45 - 0.2 * old, 0.15 + 0.05 * old, 0.3 - 0.15 * old, 0.1 + 0.3 * old], 1)
    probs[overseas, 3] = 0.0
    probs /= probs.sum(1, keepdims=True)
    u = rng.random(len(age))[:, None]
    idx = (u > np.cumsum(probs, 1)).sum(1)
    return np.array(CHANNELS)[np.minimum(idx, 3)]


def _unique(values: list[str]) -> list[str]:
    """Make values unique by suffixing repeats with their position (deterministic)."""
    seen: set[str] = set()
    out = []
    for i, v in enumerate(values):
        if v in seen:
            v = v.replace("@", f".{i}@") if "@" in v else v[:-4] + f"{i % 10000:04d}"
        seen.add(v)
        out.append(v)
    return out


def _phones(rng: np.random.Generator, cities: list[geo.City]) -> list[str]:
    """Fake but valid-format mobile numbers: +86 13x/15x/18x on the mainland, local formats abroad."""
    prefix_pick = rng.integers(0, len(_MAINLAND_PREFIXES), len(cities))
    digits = rng.integers(0, 10, size=(len(cities), 9))
    out = []
    for i, city in enumerate(cities):
        tail = "".join(str(d) for d in digits[i])
        if city.name in _FOREIGN_PHONES:
            code, starts, length = _FOREIGN_PHONES[city.name]
            first = starts[int(digits[i, 0]) % len(starts)]
            out.append(code + first + tail[1:length])
        else:
            out.append("+86" + _MAINLAND_PREFIXES[prefix_pick[i]] + tail[:8])
    return _unique(out)


def generate_customers(rng: np.random.Generator, n: int, window: Window) -> pd.DataFrame:
    """`n` customers with the CSV columns plus the hidden behaviour columns."""
    group = _languages(rng, n)
    overseas_en = (group == "en") & (rng.random(n) < 0.6)
    cities = _pick_cities(rng, geo.MAINLAND_CITIES, n)
    trad = _pick_cities(rng, geo.TRADITIONAL_CITIES, n)
    abroad = _pick_cities(rng, geo.OVERSEAS_CITIES, n)
    hk = next(c for c in geo.TRADITIONAL_CITIES if c.name == "香港")
    for i in range(n):
        if group[i] == "trad":
            cities[i] = trad[i]
        elif group[i] == "en":
            cities[i] = abroad[i] if overseas_en[i] else hk
    overseas = np.array([c.region == "海外" for c in cities])
    language = np.array(
        [
            ("zh-TW" if c.name in ("台北", "高雄", "台中") else "zh-HK") if g == "trad" else g
            for g, c in zip(group, cities, strict=True)
        ]
    )
    gender = np.where(rng.random(n) < 0.53, "female", "male")
    age = _ages(rng, n)
    zh_names, zh_handles = chinese_names(rng, gender)
    en_names, en_handles = english_names(rng, gender, overseas)
    converter = to_traditional()
    names = [
        en_names[i] if group[i] == "en"
        else converter.convert(zh_names[i]) if group[i] == "trad" else zh_names[i]
        for i in range(n)
    ]  # fmt: skip
    handles = [en_handles[i] if group[i] == "en" else zh_handles[i] for i in range(n)]
    tier = np.array([c.tier for c in cities])
    income = _income(rng, age, tier, (group != "zh-CN").astype(float))
    # Exactly `age` whole years old on the last day: born 0-364 days before the age-th birthday.
    days_old = np.floor(age * 365.2425).astype(int) + rng.integers(1, 365, n)
    birthday = pd.Timestamp(window.end) - pd.to_timedelta(days_old, unit="D")
    suffix = rng.integers(1, 9999, n)
    domain = rng.integers(0, len(_EMAIL_DOMAINS), n)
    emails = _unique(
        [f"{h}{s}@{_EMAIL_DOMAINS[d]}" for h, s, d in zip(handles, suffix, domain, strict=True)]
    )
    has_email = rng.random(n) < 0.88
    phones = _phones(rng, cities)
    has_phone = rng.random(n) < 0.95
    young = age < 35
    consent_marketing = rng.random(n) < np.where(young, 0.62, 0.48)
    consent_surveys = rng.random(n) < 0.72
    # Acquisition: 45% were customers before the window, the rest join at a growing pace.
    before = rng.random(n) < 0.45
    join_day = (np.sqrt(rng.random(n)) * (window.n_days - 30)).astype(int)
    pre_days = rng.integers(1, 3 * 365, n)
    first_seen_day = np.where(before, -pre_days, join_day)
    seconds = rng.integers(8 * 3600, 23 * 3600, n)
    start = pd.Timestamp(window.start).tz_localize("Asia/Shanghai")
    first_seen = (
        start + pd.to_timedelta(first_seen_day, unit="D") + pd.to_timedelta(seconds, unit="s")
    )
    # Behaviour: spend level (lognormal), order rate (gamma), lapse after an exponential time.
    value = rng.lognormal(0.0, 0.9, n) * np.where(income >= 3, 1.6, 1.0)
    rate = 0.45 / 30.4 * rng.gamma(0.9, 1 / 0.9, n) * value**0.35
    active_from = np.maximum(first_seen_day + 1, 0)  # first order from the day after joining
    lapse = active_from + rng.exponential(30 * 30.4, n).astype(int)
    active_to = np.minimum(lapse, window.n_days)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i + 1:06d}" for i in range(n)],
            "name": names,
            "gender": gender,
            "birthday": birthday.strftime("%Y-%m-%d"),
            "city": [c.name for c in cities],
            "region": [c.region for c in cities],
            "city_tier": tier,
            "income_band": np.array(INCOME_BANDS)[income],
            "occupation": _occupations(rng, age, income),
            "preferred_channel": _channels(rng, age, overseas),
            "preferred_language": language,
            "email": np.where(has_email, emails, ""),
            "phone": np.where(has_phone, phones, ""),
            "consent_marketing": np.where(consent_marketing, "yes", "no"),
            "consent_surveys": np.where(consent_surveys, "yes", "no"),
            "first_seen_at": first_seen,
        }
    )
    frame["age"] = age
    frame["value"] = value
    frame["rate"] = rate
    frame["active_from"] = active_from
    frame["active_to"] = np.maximum(active_to, active_from + 1)
    frame["overseas"] = overseas
    return frame
