"""Daily order-volume weights: weekday pattern, Double 11, 618, Spring Festival, Christmas.

All effects are multiplicative on a base of 1 and the result is normalised to mean 1 over the
window, so that ``rate * sum(weights[a:b])`` is the expected number of orders between days a and b.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

#: Spring Festival (农历正月初一) dates, from the Chinese calendar.
SPRING_FESTIVAL: dict[int, dt.date] = {
    2019: dt.date(2019, 2, 5), 2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
}  # fmt: skip
FIRST_YEAR, LAST_YEAR = min(SPRING_FESTIVAL), max(SPRING_FESTIVAL)

#: Relative volume Monday..Sunday.
WEEKDAY = np.array([0.92, 0.90, 0.93, 0.97, 1.05, 1.13, 1.10])
#: Relative volume per hour of day (local time): lunch and evening peaks.
HOURLY = np.array([
    0.6, 0.3, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.2, 1.3, 1.4,
    1.6, 1.4, 1.2, 1.2, 1.2, 1.3, 1.4, 1.7, 2.0, 2.2, 2.0, 1.3,
])  # fmt: skip


def _festival_factor(day: dt.date) -> float:
    """Spring Festival: gift buying 3 to 1 weeks before, a dip from 5 days before to 6 after."""
    festival = SPRING_FESTIVAL.get(day.year)
    factor = 1.0
    for fest in (festival, SPRING_FESTIVAL.get(day.year + 1)):
        if fest is None:
            continue
        delta = (day - fest).days
        if -21 <= delta <= -8:
            factor *= 1.6
        elif -5 <= delta <= 6:
            factor *= 0.35
    return factor


def _shopping_festival_factor(day: dt.date) -> float:
    """Double 11 (1-11 Nov, peak on the 11th), 618 (1-18 Jun, peak on the 18th), Double 12, Xmas."""
    m, d = day.month, day.day
    if m == 11 and d <= 11:
        return {11: 7.0, 10: 3.0}.get(d, 1.4 + 0.08 * d)
    if m == 11 and d in (12, 13):
        return 1.5
    if m == 6 and d <= 18:
        return {18: 4.5, 17: 2.2}.get(d, 1.3 + 0.03 * d)
    if m == 12 and d == 12:
        return 2.0
    if m == 12 and 15 <= d <= 24:
        return 1.25
    return 1.0


def day_weights(days: list[dt.date]) -> np.ndarray:
    """Order-volume weight of each day (mean 1), with a gentle upward business trend."""
    w = np.array(
        [
            WEEKDAY[day.weekday()] * _festival_factor(day) * _shopping_festival_factor(day)
            for day in days
        ]
    )
    trend = np.linspace(0.9, 1.1, num=len(days)) if days else np.ones(0)
    w = w * trend
    return w / w.mean() if len(w) else w


def check_years(start: dt.date, end: dt.date) -> None:
    """Raise ValueError when the window leaves the years whose Spring Festival date is known."""
    if start.year < FIRST_YEAR or end.year + 1 > LAST_YEAR:
        raise ValueError(
            f"end_date/months: the demo calendar covers {FIRST_YEAR}-{LAST_YEAR - 1}; "
            f"got {start.isoformat()} to {end.isoformat()}"
        )
