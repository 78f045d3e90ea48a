"""Names for demo customers: Chinese surnames by real frequency, given names, English names.

Surname weights follow the published shares of the most common Chinese surnames (Ministry of
Public Security household register, 2020: 王 7.1%, 李 7.0%, 张 6.4%, 刘 5.3%, 陈 4.5% ...), rounded;
each name carries its pinyin so that e-mail handles look plausible without a pinyin library.
"""

from __future__ import annotations

import numpy as np

#: (surname, pinyin, weight in per-mille of the population).
SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 71), ("李", "li", 70), ("张", "zhang", 64), ("刘", "liu", 53), ("陈", "chen", 45),
    ("杨", "yang", 31), ("黄", "huang", 25), ("赵", "zhao", 23), ("吴", "wu", 21), ("周", "zhou", 20),
    ("徐", "xu", 16), ("孙", "sun", 15), ("马", "ma", 15), ("朱", "zhu", 14), ("胡", "hu", 13),
    ("郭", "guo", 12), ("何", "he", 12), ("林", "lin", 11), ("高", "gao", 11), ("罗", "luo", 11),
    ("郑", "zheng", 10), ("梁", "liang", 9), ("谢", "xie", 8), ("宋", "song", 8), ("唐", "tang", 8),
    ("许", "xu", 7), ("邓", "deng", 7), ("韩", "han", 7), ("冯", "feng", 7), ("曹", "cao", 7),
    ("彭", "peng", 6), ("曾", "zeng", 6), ("肖", "xiao", 6), ("田", "tian", 6), ("董", "dong", 6),
    ("潘", "pan", 5), ("袁", "yuan", 5), ("蔡", "cai", 5), ("蒋", "jiang", 5), ("余", "yu", 5),
    ("于", "yu", 5), ("杜", "du", 5), ("叶", "ye", 5), ("程", "cheng", 4), ("魏", "wei", 4),
    ("苏", "su", 4), ("吕", "lv", 4), ("丁", "ding", 4), ("任", "ren", 4), ("卢", "lu", 4),
    ("姚", "yao", 4), ("沈", "shen", 4), ("钟", "zhong", 4), ("姜", "jiang", 3), ("崔", "cui", 3),
    ("谭", "tan", 3), ("陆", "lu", 3), ("范", "fan", 3), ("汪", "wang", 3), ("廖", "liao", 3),
    ("石", "shi", 3), ("金", "jin", 3), ("韦", "wei", 3), ("贾", "jia", 3), ("夏", "xia", 3),
    ("付", "fu", 3), ("方", "fang", 3), ("邹", "zou", 2), ("熊", "xiong", 2), ("白", "bai", 2),
    ("孟", "meng", 2), ("秦", "qin", 2), ("邱", "qiu", 2), ("侯", "hou", 2), ("江", "jiang", 2),
    ("尹", "yin", 2), ("薛", "xue", 2), ("闫", "yan", 2), ("段", "duan", 2), ("雷", "lei", 2),
    ("欧阳", "ouyang", 0.5), ("司马", "sima", 0.2), ("诸葛", "zhuge", 0.1),
)  # fmt: skip

#: Given-name characters with pinyin: (char, pinyin, leaning) where leaning is m, f or n(eutral).
GIVEN_CHARS: tuple[tuple[str, str, str], ...] = (
    ("伟", "wei", "m"), ("强", "qiang", "m"), ("磊", "lei", "m"), ("军", "jun", "m"),
    ("洋", "yang", "n"), ("勇", "yong", "m"), ("杰", "jie", "m"), ("涛", "tao", "m"),
    ("明", "ming", "n"), ("超", "chao", "m"), ("浩", "hao", "m"), ("宇", "yu", "m"),
    ("鹏", "peng", "m"), ("辉", "hui", "m"), ("俊", "jun", "m"), ("凯", "kai", "m"),
    ("建", "jian", "m"), ("国", "guo", "m"), ("志", "zhi", "m"), ("斌", "bin", "m"),
    ("博", "bo", "m"), ("文", "wen", "n"), ("子", "zi", "n"), ("嘉", "jia", "n"),
    ("轩", "xuan", "m"), ("晨", "chen", "n"), ("阳", "yang", "m"), ("一", "yi", "n"),
    ("天", "tian", "m"), ("泽", "ze", "m"), ("思", "si", "n"), ("雨", "yu", "f"),
    ("欣", "xin", "f"), ("怡", "yi", "f"), ("婷", "ting", "f"), ("静", "jing", "f"),
    ("丽", "li", "f"), ("敏", "min", "f"), ("燕", "yan", "f"), ("芳", "fang", "f"),
    ("娜", "na", "f"), ("霞", "xia", "f"), ("玲", "ling", "f"), ("颖", "ying", "f"),
    ("慧", "hui", "f"), ("佳", "jia", "f"), ("琳", "lin", "f"), ("雪", "xue", "f"),
    ("梦", "meng", "f"), ("晓", "xiao", "n"), ("婉", "wan", "f"), ("诗", "shi", "f"),
    ("涵", "han", "f"), ("萱", "xuan", "f"), ("瑶", "yao", "f"), ("琪", "qi", "f"),
    ("彤", "tong", "f"), ("悦", "yue", "f"), ("欢", "huan", "f"), ("倩", "qian", "f"),
    ("丹", "dan", "f"), ("桂", "gui", "f"), ("秀", "xiu", "f"), ("兰", "lan", "f"),
    ("红", "hong", "f"), ("平", "ping", "n"), ("华", "hua", "n"), ("林", "lin", "n"),
    ("海", "hai", "m"), ("峰", "feng", "m"), ("立", "li", "n"), ("新", "xin", "n"),
    ("安", "an", "n"), ("宁", "ning", "n"), ("昊", "hao", "m"), ("然", "ran", "n"),
    ("若", "ruo", "f"), ("可", "ke", "f"), ("书", "shu", "n"), ("亦", "yi", "n"),
)  # fmt: skip

ENGLISH_GIVEN_F = (
    "Emily", "Grace", "Chloe", "Sophia", "Olivia", "Hannah", "Vivian", "Cindy", "Karen", "Joyce",
    "Fiona", "Winnie", "Crystal", "Iris", "Mandy", "Sharon", "Amy", "Rachel", "Natalie", "Charlotte",
)  # fmt: skip
ENGLISH_GIVEN_M = (
    "James", "Jason", "Kevin", "Michael", "Daniel", "Eric", "Ryan", "Alex", "Ben", "Thomas",
    "Oliver", "William", "Henry", "Leo", "Marcus", "Patrick", "Samuel", "Vincent", "Terence", "Ivan",
)  # fmt: skip
#: Romanised surnames as written in Hong Kong / Taiwan / overseas Chinese communities.
ROMANISED_SURNAMES = (
    "Chan", "Wong", "Lee", "Cheung", "Lau", "Ng", "Ho", "Leung", "Tsang", "Chow", "Lam", "Yip",
    "Tang", "Kwok", "Lin", "Huang", "Chang", "Tsai", "Wu", "Tan", "Lim", "Koh",
)  # fmt: skip
WESTERN_SURNAMES = (
    "Smith", "Brown", "Taylor", "Wilson", "Johnson", "Walker", "Evans", "Clarke", "Martin",
    "Thompson", "Robinson", "Wright", "Hughes", "Green", "Hall", "Miller", "Davies", "Moore",
)  # fmt: skip


def chinese_names(rng: np.random.Generator, genders: np.ndarray) -> tuple[list[str], list[str]]:
    """Chinese full names (surname + one or two given characters) and their pinyin handles."""
    n = len(genders)
    weights = np.array([s[2] for s in SURNAMES], dtype=float)
    surname_idx = rng.choice(len(SURNAMES), size=n, p=weights / weights.sum())
    lean = np.array([c[2] for c in GIVEN_CHARS])
    male_pool = np.flatnonzero(lean != "f")
    female_pool = np.flatnonzero(lean != "m")
    two_chars = rng.random(n) < 0.82
    first = rng.integers(0, 1 << 30, size=n)
    second = rng.integers(0, 1 << 30, size=n)
    names: list[str] = []
    handles: list[str] = []
    for i in range(n):
        pool = male_pool if genders[i] == "male" else female_pool
        chars = [GIVEN_CHARS[pool[first[i] % len(pool)]]]
        if two_chars[i]:
            chars.append(GIVEN_CHARS[pool[second[i] % len(pool)]])
        surname, pinyin, _ = SURNAMES[surname_idx[i]]
        names.append(surname + "".join(c[0] for c in chars))
        handles.append(pinyin + "".join(c[1] for c in chars))
    return names, handles


def english_names(
    rng: np.random.Generator, genders: np.ndarray, overseas: np.ndarray
) -> tuple[list[str], list[str]]:
    """English names: romanised Chinese surnames (HK/TW) or Western ones (overseas), and handles."""
    n = len(genders)
    pick_f = rng.integers(0, len(ENGLISH_GIVEN_F), size=n)
    pick_m = rng.integers(0, len(ENGLISH_GIVEN_M), size=n)
    pick_r = rng.integers(0, len(ROMANISED_SURNAMES), size=n)
    pick_w = rng.integers(0, len(WESTERN_SURNAMES), size=n)
    western = overseas & (rng.random(n) < 0.5)
    names: list[str] = []
    handles: list[str] = []
    for i in range(n):
        given = ENGLISH_GIVEN_M[pick_m[i]] if genders[i] == "male" else ENGLISH_GIVEN_F[pick_f[i]]
        surname = WESTERN_SURNAMES[pick_w[i]] if western[i] else ROMANISED_SURNAMES[pick_r[i]]
        names.append(f"{given} {surname}")
        handles.append(f"{given}.{surname}".lower())
    return names, handles
