"""The demo product catalogue: about 150 SKUs in eight categories, each with a base price.

Each category lists base products (Chinese name, English name, price in CNY) and the variants
they come in; a SKU is one product in one variant, priced from the base with a small markup per
variant so that prices spread within a category.
"""

from __future__ import annotations

import pandas as pd

#: category -> (English label, [(name, English name, base price)], [variants]).
_CATEGORIES: dict[str, tuple[str, list[tuple[str, str, float]], list[str]]] = {
    "服饰": ("apparel", [
        ("纯棉T恤", "cotton T-shirt", 79), ("羽绒服", "down jacket", 699), ("牛仔裤", "jeans", 229),
        ("连衣裙", "dress", 299), ("运动鞋", "trainers", 459), ("羊毛衫", "wool sweater", 389),
        ("冲锋衣", "outdoor jacket", 599),
    ], ["黑色", "白色", "藏青"]),
    "数码": ("electronics", [
        ("蓝牙耳机", "Bluetooth earbuds", 299), ("智能手表", "smartwatch", 1299),
        ("充电宝", "power bank", 129), ("平板电脑", "tablet", 2999), ("机械键盘", "mechanical keyboard", 399),
        ("手机", "smartphone", 3999),
    ], ["标准版", "Pro版", "礼盒装"]),
    "家电": ("home appliances", [
        ("空气炸锅", "air fryer", 399), ("扫地机器人", "robot vacuum", 1999),
        ("电饭煲", "rice cooker", 499), ("吹风机", "hair dryer", 299), ("空气净化器", "air purifier", 1499),
        ("洗碗机", "dishwasher", 3499),
    ], ["标准款", "升级款", "旗舰款"]),
    "美妆": ("beauty", [
        ("精华液", "serum", 399), ("面霜", "face cream", 329), ("口红", "lipstick", 199),
        ("防晒霜", "sunscreen", 139), ("洗面奶", "cleanser", 89), ("面膜", "sheet masks", 129),
    ], ["30ml", "50ml", "套装"]),
    "食品": ("food", [
        ("坚果礼盒", "nut gift box", 168), ("月饼礼盒", "mooncake gift box", 238), ("茶叶", "tea", 298),
        ("咖啡豆", "coffee beans", 99), ("零食大礼包", "snack bundle", 79), ("年货礼盒", "New Year gift box", 388),
    ], ["小份", "家庭装", "礼盒装"]),
    "家居": ("home", [
        ("四件套", "bedding set", 459), ("乳胶枕", "latex pillow", 199), ("收纳箱", "storage box", 69),
        ("香薰蜡烛", "scented candle", 89), ("保温杯", "vacuum flask", 129), ("毛巾", "towels", 49),
    ], ["单件", "两件装", "套装"]),
    "母婴": ("mother & baby", [
        ("纸尿裤", "nappies", 139), ("婴儿推车", "pushchair", 1299), ("奶粉", "infant formula", 329),
        ("儿童玩具", "toy", 159), ("婴儿湿巾", "baby wipes", 59), ("安全座椅", "car seat", 1599),
    ], ["S码", "M码", "L码"]),
    "运动": ("sports", [
        ("瑜伽垫", "yoga mat", 129), ("跑步机", "treadmill", 2799), ("哑铃", "dumbbells", 199),
        ("运动水壶", "sports bottle", 59), ("羽毛球拍", "badminton racket", 259),
    ], ["入门款", "进阶款", "专业款"]),
}  # fmt: skip

_VARIANT_MARKUP = (1.0, 1.18, 1.35)
_CATEGORY_CODES = {"服饰": "AP", "数码": "DG", "家电": "HA", "美妆": "BT", "食品": "FD",
                   "家居": "HM", "母婴": "MB", "运动": "SP"}  # fmt: skip

CATEGORIES: tuple[str, ...] = tuple(_CATEGORIES)
CATEGORY_ENGLISH: dict[str, str] = {k: v[0] for k, v in _CATEGORIES.items()}


def product_catalog() -> pd.DataFrame:
    """All SKUs: sku, product_name, product_name_en, category, price (CNY, ends in .00 or .90)."""
    rows = []
    for category, (_en, products, variants) in _CATEGORIES.items():
        code = _CATEGORY_CODES[category]
        for p_i, (name, name_en, base) in enumerate(products, start=1):
            for v_i, variant in enumerate(variants):
                price = round(base * _VARIANT_MARKUP[v_i]) - (0.1 if v_i else 0.0)
                rows.append(
                    {
                        "sku": f"{code}-{p_i:02d}{v_i + 1}",
                        "product_name": f"{name}（{variant}）",
                        "product_short": name,
                        "product_name_en": name_en,
                        "category": category,
                        "price": float(price),
                    }
                )
    return pd.DataFrame(rows)
