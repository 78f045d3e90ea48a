"""Cities, tiers and regions of the demo data, with each region's normal delivery time.

Tiers follow the common commercial ranking (一线 1 ... 四线 4); regions are the seven mainland
macro-regions plus 港澳台 (Hong Kong, Macau, Taiwan) and 海外 (overseas) for the customers who
prefer Traditional Chinese or English.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """A city: its name, tier (1-4), macro-region and relative customer weight."""

    name: str
    tier: int
    region: str
    weight: float


MAINLAND_CITIES: tuple[City, ...] = (
    City("北京", 1, "华北", 9), City("上海", 1, "华东", 10), City("广州", 1, "华南", 8),
    City("深圳", 1, "华南", 8),
    City("成都", 2, "西南", 5), City("杭州", 2, "华东", 5), City("武汉", 2, "华中", 4),
    City("西安", 2, "西北", 4), City("南京", 2, "华东", 4), City("重庆", 2, "西南", 4),
    City("天津", 2, "华北", 3), City("苏州", 2, "华东", 3), City("长沙", 2, "华中", 3),
    City("郑州", 2, "华中", 3), City("沈阳", 2, "东北", 3), City("青岛", 2, "华东", 2),
    City("大连", 2, "东北", 2), City("厦门", 2, "华东", 2),
    City("昆明", 3, "西南", 2), City("合肥", 3, "华东", 2), City("福州", 3, "华东", 2),
    City("哈尔滨", 3, "东北", 2), City("长春", 3, "东北", 2), City("济南", 3, "华东", 2),
    City("南宁", 3, "华南", 2), City("贵阳", 3, "西南", 1.5), City("兰州", 3, "西北", 1.5),
    City("太原", 3, "华北", 1.5), City("石家庄", 3, "华北", 1.5), City("南昌", 3, "华中", 1.5),
    City("乌鲁木齐", 3, "西北", 1.2), City("银川", 3, "西北", 1), City("西宁", 3, "西北", 1),
    City("呼和浩特", 3, "华北", 1), City("海口", 3, "华南", 1),
    City("洛阳", 4, "华中", 1), City("宜昌", 4, "华中", 0.8), City("绵阳", 4, "西南", 0.8),
    City("宝鸡", 4, "西北", 0.8), City("天水", 4, "西北", 0.6), City("湛江", 4, "华南", 0.8),
    City("赣州", 4, "华中", 0.8), City("齐齐哈尔", 4, "东北", 0.6), City("邯郸", 4, "华北", 0.8),
    City("潍坊", 4, "华东", 0.8), City("桂林", 4, "华南", 0.7),
)  # fmt: skip

#: Cities of the customers who prefer Traditional Chinese (tier 1: large, expensive markets).
TRADITIONAL_CITIES: tuple[City, ...] = (
    City("香港", 1, "港澳台", 6), City("台北", 1, "港澳台", 4), City("澳门", 2, "港澳台", 1),
    City("高雄", 2, "港澳台", 1.5), City("台中", 2, "港澳台", 1.5),
)  # fmt: skip

#: Cities of overseas customers who prefer English.
OVERSEAS_CITIES: tuple[City, ...] = (
    City("Singapore", 1, "海外", 4), City("London", 1, "海外", 2), City("Sydney", 1, "海外", 2),
    City("Vancouver", 1, "海外", 2), City("Kuala Lumpur", 2, "海外", 1),
)  # fmt: skip

REGIONS = ("华东", "华南", "华北", "华中", "西南", "西北", "东北", "港澳台", "海外")

#: Median delivery time in days per region before any planted signal (西北 is slowed by signal 2).
DELIVERY_DAYS: dict[str, float] = {
    "华东": 1.6, "华南": 1.8, "华北": 1.9, "华中": 2.2, "西南": 2.6, "西北": 2.9, "东北": 2.7,
    "港澳台": 2.5, "海外": 4.0,
}  # fmt: skip

STORE_SUFFIXES = ("万达店", "万象城店", "中心店", "大悦城店", "步行街店", "银泰店")


def store_name(city: str, index: int) -> str:
    """A plausible store name in `city`, e.g. 上海万象城店."""
    return city + STORE_SUFFIXES[index % len(STORE_SUFFIXES)]
