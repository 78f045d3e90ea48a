"""Personas: a profile card and a bilingual narrative for each segment.

For every segment the card gathers the typical demographics (age band, gender mix, city tier,
income band, occupation, channel), spend and cadence, top product categories, what customers
praise and complain about, satisfaction and churn risk. The narrative is built by rules over
*lift* (a value's share in the segment divided by its share in the whole population): only what
stands out is said, so a segment of young office workers who shop online and talk about price
reads "A young urban white-collar worker who buys online on price", while a segment of retirees
reads "A retiree who prefers stores". Every rule exists in English and Simplified Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from manyi.analytics.segments.lifecycle import purchase_rhythm

MIN_SHARE = 0.25
MIN_LIFT = 1.15

_OCCUPATIONS: dict[str, tuple[str, str]] = {
    "white_collar": ("white-collar worker", "白领"),
    "office_worker": ("white-collar worker", "白领"),
    "白领": ("white-collar worker", "白领"),
    "executive": ("executive", "企业高管"),
    "manager": ("manager", "管理者"),
    "高管": ("executive", "企业高管"),
    "retired": ("retiree", "退休人士"),
    "retiree": ("retiree", "退休人士"),
    "退休": ("retiree", "退休人士"),
    "student": ("student", "学生"),
    "学生": ("student", "学生"),
    "blue_collar": ("blue-collar worker", "蓝领工人"),
    "worker": ("blue-collar worker", "蓝领工人"),
    "蓝领": ("blue-collar worker", "蓝领工人"),
    "self_employed": ("small-business owner", "个体经营者"),
    "business_owner": ("small-business owner", "个体经营者"),
    "个体": ("small-business owner", "个体经营者"),
    "civil_servant": ("civil servant", "公务员"),
    "公务员": ("civil servant", "公务员"),
    "freelancer": ("freelancer", "自由职业者"),
    "自由职业": ("freelancer", "自由职业者"),
    "homemaker": ("homemaker", "全职家长"),
    "professional": ("professional", "专业人士"),
    "farmer": ("farmer", "农民"),
    "个体经营者": ("small-business owner", "个体经营者"),
    "自由职业者": ("freelancer", "自由职业者"),
    "退休人员": ("retiree", "退休人士"),
    "工人": ("blue-collar worker", "工人"),
    "公司职员": ("office worker", "公司职员"),
    "服务业人员": ("service worker", "服务业人员"),
    "销售": ("salesperson", "销售人员"),
    "teacher": ("teacher", "教师"),
    "教师": ("teacher", "教师"),
    "nurse": ("nurse", "护士"),
    "护士": ("nurse", "护士"),
    "doctor": ("doctor", "医生"),
    "医生": ("doctor", "医生"),
    "engineer": ("engineer", "工程师"),
    "工程师": ("engineer", "工程师"),
    "designer": ("designer", "设计师"),
    "设计师": ("designer", "设计师"),
    "企业主": ("business owner", "企业主"),
    "投资人": ("investor", "投资人"),
    "lawyer": ("lawyer", "律师"),
    "律师": ("lawyer", "律师"),
    "企业管理者": ("executive", "企业高管"),
}
_CHANNELS: dict[str, tuple[str, str]] = {
    "online": ("buys online", "主要在网上购物"),
    "web": ("buys online", "主要在网上购物"),
    "线上": ("buys online", "主要在网上购物"),
    "app": ("shops in the app", "常用 App 下单"),
    "mobile": ("shops in the app", "常用 App 下单"),
    "wechat": ("buys through WeChat", "通过微信购买"),
    "mini_program": ("buys through WeChat", "通过微信购买"),
    "store": ("prefers stores", "更喜欢到门店购物"),
    "offline": ("prefers stores", "更喜欢到门店购物"),
    "门店": ("prefers stores", "更喜欢到门店购物"),
    "线下": ("prefers stores", "更喜欢到门店购物"),
    "phone": ("orders by phone", "习惯电话订购"),
    "电话": ("orders by phone", "习惯电话订购"),
}
_ASPECTS: dict[str, tuple[str, str]] = {
    "price": ("price", "价格"),
    "价格": ("price", "价格"),
    "quality": ("quality", "品质"),
    "product_quality": ("quality", "品质"),
    "质量": ("quality", "品质"),
    "service": ("personal service", "贴心服务"),
    "service_attitude": ("personal service", "贴心服务"),
    "服务": ("personal service", "贴心服务"),
    "logistics": ("fast delivery", "物流速度"),
    "delivery": ("fast delivery", "物流速度"),
    "物流": ("fast delivery", "物流速度"),
    "packaging": ("packaging", "包装"),
    "包装": ("packaging", "包装"),
    "app": ("the app and website", "App 和网站"),
    "website": ("the app and website", "App 和网站"),
    # aspect keys of manyi.analytics.text (stored in feedback_analyses.aspects)
    "price_value": ("price", "价格"),
    "customer_service": ("personal service", "贴心服务"),
    "app_website": ("the app and website", "App 和网站"),
    "payment": ("payment", "支付"),
    "returns_refunds": ("returns and refunds", "退换货"),
    "store_environment": ("the store environment", "门店环境"),
    "other": ("other things", "其他方面"),
}
_GENDERS = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "女": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "男": "male",
}


@dataclass(frozen=True)
class Trait:
    """One attribute value and how much more common it is in the segment than overall."""

    attribute: str
    value: str
    share: float
    lift: float


@dataclass
class PersonaCard:
    """The profile and narrative of one segment (all shares are fractions 0..1)."""

    segment: str
    customers: int
    share: float
    age_band: str | None = None
    median_age: float | None = None
    gender_mix: dict[str, float] = field(default_factory=dict)
    city_tier: str | None = None
    income_band: str | None = None
    occupation: str | None = None
    channel: str | None = None
    avg_spend: float | None = None
    avg_orders: float | None = None
    median_recency_days: float | None = None
    median_gap_days: float | None = None
    top_categories: list[str] = field(default_factory=list)
    praises: list[str] = field(default_factory=list)
    complaints: list[str] = field(default_factory=list)
    nps: float | None = None
    churn_risk: float | None = None
    traits: list[Trait] = field(default_factory=list)
    narrative_en: str = ""
    narrative_zh: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        out = dict(self.__dict__)
        out["traits"] = [t.__dict__ for t in self.traits]
        return out


def age_band(age: pd.Series) -> pd.Series:
    """Age band label per age in whole years (missing stays missing)."""
    bins = [0, 25, 35, 45, 55, 65, 200]
    labels = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
    return pd.cut(age, bins=bins, labels=labels, right=False).astype("object")


def _ages(birthday: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Whole years of age at `as_of` from birthdays (unparseable → missing)."""
    born = pd.to_datetime(birthday, errors="coerce")
    years = as_of.year - born.dt.year
    before_birthday = (born.dt.month > as_of.month) | (
        (born.dt.month == as_of.month) & (born.dt.day > as_of.day)
    )
    age = (years - before_birthday.astype("float64")).astype("float64")
    return age.where((age >= 0) & (age < 120))


def _traits(seg: pd.Series, pop: pd.Series, attribute: str) -> list[Trait]:
    """Values of a categorical attribute with their share in the segment and lift."""
    seg = seg.dropna().astype(str)
    pop = pop.dropna().astype(str)
    if seg.empty or pop.empty:
        return []
    seg_share = seg.value_counts(normalize=True)
    pop_share = pop.value_counts(normalize=True)
    lift = seg_share / pop_share.reindex(seg_share.index)
    return [
        Trait(attribute, str(v), float(seg_share[v]), float(lift[v]))
        for v in sorted(seg_share.index, key=lambda v: (-seg_share[v], str(v)))
    ]


def _standout(traits: list[Trait]) -> Trait | None:
    """The most over-represented value that is also common in the segment, if any."""
    candidates = [t for t in traits if t.share >= MIN_SHARE and t.lift >= MIN_LIFT]
    if not candidates:
        return None
    return max(candidates, key=lambda t: (t.lift * t.share, t.value))


def _mode(traits: list[Trait]) -> str | None:
    """Most common value (ties broken by value)."""
    return traits[0].value if traits else None


def _tier_number(value: str) -> float | None:
    """Numeric city tier from values such as 1, '1', 'tier1', '一线'."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if digits:
        return float(digits)
    for k, ch in enumerate("一二三四五", start=1):
        if value.startswith(ch):
            return float(k)
    return None


@dataclass
class _Words:
    """Pieces of the narrative in both languages, filled by the rules."""

    adjectives: list[tuple[str, str]] = field(default_factory=list)
    noun: tuple[str, str] = ("customer", "顾客")
    verbs: list[tuple[str, str]] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)


def _describe_people(card: PersonaCard, words: _Words, standouts: dict[str, Trait]) -> None:
    """Choose noun and adjectives from occupation, age, city tier, income and gender."""
    occupation = standouts.get("occupation")
    if occupation is not None:
        key = occupation.value.strip().lower().replace(" ", "_").replace("-", "_")
        words.noun = _OCCUPATIONS.get(key, (occupation.value, occupation.value))
    age = standouts.get("age_band")
    if age is not None and words.noun[0] not in ("retiree", "student"):
        if age.value in ("18-24", "25-34"):
            words.adjectives.append(("young", "年轻的"))
        elif age.value in ("55-64", "65+"):
            words.adjectives.append(("older", "年长的"))
        elif age.value in ("35-44", "45-54"):
            words.adjectives.append(("middle-aged", "中年"))
    tier = standouts.get("city_tier")
    number = _tier_number(tier.value) if tier is not None else None
    if number is not None and number <= 2:
        words.adjectives.append(("urban", "一二线城市的"))
    elif number is not None and number >= 4:
        words.adjectives.append(("small-town", "小城市的"))
    income = standouts.get("income_band")
    if income is not None and words.noun[0] != "executive":
        text = income.value.lower()
        if any(w in text for w in ("high", "高", "affluent")):
            words.adjectives.insert(0, ("affluent", "高收入的"))
        elif any(w in text for w in ("low", "低")):
            words.adjectives.insert(0, ("budget-minded", "收入不高的"))
    if card.gender_mix:
        top_gender, top_share = max(card.gender_mix.items(), key=lambda kv: (kv[1], kv[0]))
        if top_share >= 0.7 and top_gender in ("female", "male"):
            zh = "女性" if top_gender == "female" else "男性"
            words.facts.append(
                (f"mostly {top_gender} ({top_share:.0%})", f"以{zh}为主（{top_share:.0%}）")
            )


def _describe_behaviour(
    card: PersonaCard, words: _Words, standouts: dict[str, Trait], lifts: dict[str, float]
) -> None:
    """Channel, motives (praise/complaints), spend, cadence, satisfaction and churn phrases."""
    channel = standouts.get("channel")
    channel_words = None
    if channel is not None:
        key = channel.value.strip().lower().replace(" ", "_")
        channel_words = _CHANNELS.get(
            key, (f"buys via {channel.value}", f"常通过{channel.value}购买")
        )
    complaint = card.complaints[0] if card.complaints else None
    praised = [a for a in card.praises if a != complaint][:2]
    motives = [_ASPECTS.get(a.lower(), (a, a)) for a in praised]
    price_first = bool(card.praises or card.complaints) and (
        (card.praises[:1] or card.complaints[:1])[0].lower() in ("price", "价格")
    )
    if channel_words is not None and price_first:
        words.verbs.append((f"{channel_words[0]} on price", f"{channel_words[1]}，看重价格"))
        motives = [m for m in motives if m[0] != "price"]
    elif channel_words is not None:
        words.verbs.append(channel_words)
    if motives:
        en = " and ".join(m[0] for m in motives)
        zh = "和".join(m[1] for m in motives)
        words.verbs.append((f"values {en}", f"看重{zh}"))
    if complaint is not None:
        bad = _ASPECTS.get(complaint.lower(), (complaint, complaint))
        bad_en = {"fast delivery": "slow delivery", "personal service": "the service"}.get(
            bad[0], bad[0]
        )
        words.verbs.append((f"complains about {bad_en}", f"对{bad[1]}不满"))
    spend = lifts.get("spend")
    if spend is not None and spend >= 1.5:
        words.verbs.append(("spends well above average", "消费远高于平均"))
    elif spend is not None and spend <= 0.6:
        words.verbs.append(("spends little", "消费较少"))
    orders = lifts.get("orders")
    if orders is not None and orders >= 1.5:
        words.verbs.append(("buys often", "购买频繁"))
    recency = lifts.get("recency")
    if recency is not None and recency >= 1.5:
        words.verbs.append(("has not bought for a while", "已有一段时间没有购买"))
    churn = lifts.get("churn")
    if churn is not None and churn >= 1.3 and card.churn_risk is not None:
        words.facts.append(
            (f"high churn risk ({card.churn_risk:.0%})", f"流失风险高（{card.churn_risk:.0%}）")
        )
    if card.nps is not None:
        words.facts.append((f"NPS {card.nps:+.0f}", f"NPS {card.nps:+.0f}"))


def _narrate(card: PersonaCard, words: _Words) -> tuple[str, str]:
    """Join the chosen words into an English and a Chinese paragraph."""
    noun_en = " ".join([a[0] for a in words.adjectives] + [words.noun[0]])
    article = "An" if noun_en[:1].lower() in "aeiou" else "A"
    verbs_en = [v[0] for v in words.verbs]
    if verbs_en:
        joined = (
            verbs_en[0] if len(verbs_en) == 1 else ", ".join(verbs_en[:-1]) + " and " + verbs_en[-1]
        )
        first_en = f"{article} {noun_en} who {joined}."
    else:
        first_en = f"{article} {noun_en}, close to the average customer."
    noun_zh = "".join(a[1] for a in words.adjectives) + words.noun[1]
    verbs_zh = "，".join(v[1] for v in words.verbs)
    first_zh = f"一位{noun_zh}，{verbs_zh}。" if verbs_zh else f"一位{noun_zh}，与整体客户相近。"
    facts_en = [f"{card.customers:,} customers ({card.share:.1%})", *(f[0] for f in words.facts)]
    facts_zh = [f"共 {card.customers:,} 位客户（{card.share:.1%}）", *(f[1] for f in words.facts)]
    if card.median_gap_days is not None:
        facts_en.append(f"usually {card.median_gap_days:.0f} days between purchases")
        facts_zh.append(f"通常每隔 {card.median_gap_days:.0f} 天购买一次")
    if card.top_categories:
        facts_en.append("top categories: " + ", ".join(card.top_categories))
        facts_zh.append("热门品类：" + "、".join(card.top_categories))
    return first_en + " " + "; ".join(facts_en) + ".", first_zh + "；".join(facts_zh) + "。"


def _aspect_lists(
    feedback: pd.DataFrame | None, members: pd.Index, population: pd.Index
) -> tuple[list[str], list[str]]:
    """Top praised and complained-about aspects of a segment, ranked by share x lift."""
    if feedback is None or feedback.empty or "aspect" not in feedback:
        return [], []
    fb = feedback.dropna(subset=["aspect"])
    fb = fb[fb["customer_id"].isin(population)]
    polarity = _polarity(fb)
    out: list[list[str]] = []
    for sign in (1, -1):
        part = fb[polarity == sign]
        seg = part[part["customer_id"].isin(members)]
        if seg.empty:
            out.append([])
            continue
        seg_share = seg["aspect"].astype(str).value_counts(normalize=True)
        pop_share = part["aspect"].astype(str).value_counts(normalize=True)
        score = seg_share * (seg_share / pop_share.reindex(seg_share.index))
        ranked = sorted(score.index, key=lambda a: (-score[a], a))
        out.append([a for a in ranked if seg_share[a] >= 0.1][:3])
    return out[0], out[1]


def _polarity(feedback: pd.DataFrame) -> pd.Series:
    """+1 praise, -1 complaint, 0 neutral from a numeric or labelled ``sentiment`` column."""
    if "sentiment" not in feedback:
        return pd.Series(-1, index=feedback.index)
    sentiment = feedback["sentiment"]
    if pd.api.types.is_numeric_dtype(sentiment):
        return pd.Series(np.sign(sentiment.fillna(0).to_numpy()), index=feedback.index)
    text = sentiment.astype(str).str.lower()
    positive = text.isin(["positive", "pos", "praise", "正面", "好评"])
    negative = text.isin(["negative", "neg", "complaint", "负面", "差评"])
    return pd.Series(np.where(positive, 1, np.where(negative, -1, 0)), index=feedback.index)


def _nps(scores: pd.Series) -> float | None:
    """Net Promoter Score (-100..100) of 0-10 answers, None when there are none."""
    values = scores.dropna()
    if values.empty:
        return None
    return float(100 * ((values >= 9).mean() - (values <= 6).mean()))


def build_personas(
    customers: pd.DataFrame,
    segments: pd.Series | str,
    *,
    orders: pd.DataFrame | None = None,
    rfm: pd.DataFrame | None = None,
    feedback: pd.DataFrame | None = None,
    as_of: object | None = None,
) -> list[PersonaCard]:
    """Persona cards for every segment.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer with ``customer_id`` and any of ``gender, birthday, city_tier,
        income_band, occupation, preferred_channel``; optional per-customer ``nps`` (0-10)
        and ``churn_probability`` (0-1).
    segments : pandas.Series or str
        Segment per customer (indexed by ``customer_id``) or the name of a column of
        `customers`.
    orders : pandas.DataFrame, optional
        Cleaned order lines with ``customer_id``, ``amount`` and optionally ``category``
        and ``channel`` (the channel used when ``preferred_channel`` is absent).
    rfm : pandas.DataFrame, optional
        RFM table (``customer_id, recency_days, frequency, monetary``) for spend and cadence.
    feedback : pandas.DataFrame, optional
        Feedback items with ``customer_id``, ``aspect`` and ``sentiment`` (number or label).
    as_of : date-like, optional
        Day ages are computed at (default: today).

    Returns
    -------
    list of PersonaCard
        In segment order (categorical order when categorical, else by size).
    """
    frame = _member_frame(customers, segments)
    stamp = (
        pd.Timestamp(as_of).normalize() if as_of is not None else pd.Timestamp.today().normalize()
    )
    if "birthday" in frame:
        frame["age"] = _ages(frame["birthday"], stamp)
        frame["age_band"] = age_band(frame["age"])
    if "gender" in frame:
        frame["gender"] = (
            frame["gender"].astype(str).str.strip().str.lower().map(lambda g: _GENDERS.get(g, g))
        )
    if "preferred_channel" in frame:
        frame["channel"] = frame["preferred_channel"]
    elif orders is not None and "channel" in orders:
        frame["channel"] = frame["customer_id"].map(_main_value(orders, "channel"))
    if rfm is not None:
        indexed = rfm.set_index("customer_id")
        for column in ("recency_days", "frequency", "monetary"):
            if column in indexed:
                frame[column] = frame["customer_id"].map(indexed[column])
    if orders is not None and len(orders):
        rhythm = purchase_rhythm(orders).set_index("customer_id")["median_gap_days"]
        frame["gap_days"] = frame["customer_id"].map(rhythm)
    categories = _category_lookup(orders)
    order = _segment_order(frame["segment"])
    return [_card(frame, str(s), categories, feedback) for s in order]


def _member_frame(customers: pd.DataFrame, segments: pd.Series | str) -> pd.DataFrame:
    """Customers with a ``segment`` column (validated)."""
    if "customer_id" not in customers:
        raise ValueError("customers lack column 'customer_id'")
    if customers["customer_id"].duplicated().any():
        raise ValueError("column 'customer_id' lists a customer twice")
    frame = customers.copy()
    if isinstance(segments, str):
        if segments not in frame:
            raise ValueError(f"customers lack the segment column '{segments}'")
        frame["segment"] = frame[segments]
    else:
        frame["segment"] = frame["customer_id"].map(segments)
    frame = frame[frame["segment"].notna()].reset_index(drop=True)
    if frame.empty:
        raise ValueError("no customer has a segment")
    return frame


def _segment_order(segment: pd.Series) -> list[object]:
    """Categorical order when categorical (present ones only), else largest first."""
    if isinstance(segment.dtype, pd.CategoricalDtype):
        present = set(segment.dropna())
        return [c for c in segment.cat.categories if c in present]
    counts = segment.value_counts()
    return sorted(counts.index, key=lambda s: (-counts[s], str(s)))


def _main_value(orders: pd.DataFrame, column: str) -> pd.Series:
    """Each customer's most-spent-on value of `column` (e.g. channel)."""
    spend = orders.groupby(["customer_id", column], observed=True)["amount"].sum().reset_index()
    spend = spend.sort_values(["customer_id", "amount", column], ascending=[True, False, True])
    return spend.drop_duplicates("customer_id").set_index("customer_id")[column]


def _category_lookup(orders: pd.DataFrame | None) -> pd.DataFrame | None:
    """Spend per customer and category (positive lines only), or None without categories."""
    if orders is None or "category" not in orders:
        return None
    positive = orders[orders["amount"] > 0]
    return (
        positive.groupby(["customer_id", "category"], observed=True)["amount"].sum().reset_index()
    )


def _card(
    frame: pd.DataFrame,
    segment: str,
    categories: pd.DataFrame | None,
    feedback: pd.DataFrame | None,
) -> PersonaCard:
    """Profile one segment and write its narrative."""
    inside = frame["segment"].astype(str) == segment
    seg = frame[inside]
    card = PersonaCard(segment=segment, customers=len(seg), share=len(seg) / len(frame))
    all_traits: dict[str, list[Trait]] = {}
    for attribute in ("age_band", "gender", "city_tier", "income_band", "occupation", "channel"):
        if attribute in frame:
            all_traits[attribute] = _traits(seg[attribute], frame[attribute], attribute)
    card.age_band = _mode(all_traits.get("age_band", []))
    card.city_tier = _mode(all_traits.get("city_tier", []))
    card.income_band = _mode(all_traits.get("income_band", []))
    card.occupation = _mode(all_traits.get("occupation", []))
    card.channel = _mode(all_traits.get("channel", []))
    card.gender_mix = {t.value: round(t.share, 3) for t in all_traits.get("gender", [])}
    if "age" in seg and seg["age"].notna().any():
        card.median_age = float(seg["age"].median())
    standouts = {a: s for a, t in all_traits.items() if (s := _standout(t)) is not None}
    card.traits = sorted(standouts.values(), key=lambda t: -t.lift)
    lifts = _numeric_lifts(seg, frame, card)
    members = pd.Index(seg["customer_id"])
    card.praises, card.complaints = _aspect_lists(feedback, members, pd.Index(frame["customer_id"]))
    if categories is not None:
        mine = categories[categories["customer_id"].isin(members)]
        top = mine.groupby("category", observed=True)["amount"].sum().sort_values(ascending=False)
        card.top_categories = [str(c) for c in top.index[:3]]
    words = _Words()
    _describe_people(card, words, standouts)
    _describe_behaviour(card, words, standouts, lifts)
    card.narrative_en, card.narrative_zh = _narrate(card, words)
    return card


def _numeric_lifts(seg: pd.DataFrame, frame: pd.DataFrame, card: PersonaCard) -> dict[str, float]:
    """Fill spend, cadence, NPS and churn on the card; return their lifts versus everyone."""
    lifts: dict[str, float] = {}
    pairs = (
        ("monetary", "spend"),
        ("frequency", "orders"),
        ("recency_days", "recency"),
        ("churn_probability", "churn"),
    )
    for column, name in pairs:
        if column not in frame or not frame[column].notna().any():
            continue
        seg_mean = float(seg[column].mean()) if seg[column].notna().any() else float("nan")
        pop_mean = float(frame[column].mean())
        if np.isfinite(seg_mean) and pop_mean > 0:
            lifts[name] = seg_mean / pop_mean
        if column == "monetary":
            card.avg_spend = round(seg_mean, 2)
        elif column == "frequency":
            card.avg_orders = round(seg_mean, 2)
        elif column == "recency_days":
            card.median_recency_days = float(seg[column].median())
        else:
            card.churn_risk = round(seg_mean, 3)
    if "gap_days" in seg and seg["gap_days"].notna().any():
        card.median_gap_days = float(seg["gap_days"].median())
    if "nps" in frame:
        card.nps = _nps(pd.to_numeric(seg["nps"], errors="coerce"))
    return lifts
