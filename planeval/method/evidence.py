"""What the rows settle: intervals, running totals, partial-year readings and how sure each is.

Pure arithmetic on :class:`Reading` values (no pandas, no I/O); docs/method.md, "Evidence", states
the rules in words. The evaluation (:mod:`planeval.method.evaluate`) turns rows into readings and asks
these functions what they settle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
CONFIDENCE_BY_RANK = {v: k for k, v in CONFIDENCE_RANK.items()}
POINT = ("=", "~")
LOWER = (">", ">=")
UPPER = ("<", "<=")


@dataclass(frozen=True)
class Reading:
    """One row as evidence: the months it covers (index = year·12 + month − 1, both ends included)."""

    first: int
    last: int
    value: float
    qualifier: str
    source: str
    publisher: str
    confidence: str
    line: int
    period: str

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    @property
    def year(self) -> int:
        return self.first // 12


def month_span(period_type: str, start_year: int, end_year: int, period: str) -> tuple[int, int]:
    """First and last month index of a period written as YYYY, YYYY-YYYY or YYYY-MM/YYYY-MM."""
    if period_type == "months":
        a, b = period.split("/")
        return int(a[:4]) * 12 + int(a[5:7]) - 1, int(b[:4]) * 12 + int(b[5:7]) - 1
    return start_year * 12, end_year * 12 + 11


@dataclass(frozen=True)
class Grade:
    """How sure a verdict is: the lowest confidence among the rows it rests on, and their publishers."""

    confidence: str | None
    publishers: int
    sources: tuple[str, ...]
    lines: tuple[int, ...]


def grade(readings: Iterable[Reading]) -> Grade:
    rows = list(readings)
    if not rows:
        return Grade(None, 0, (), ())
    worst = max(CONFIDENCE_RANK[r.confidence] for r in rows)
    return Grade(CONFIDENCE_BY_RANK[worst], len({r.publisher for r in rows}),
                 tuple(sorted({r.source for r in rows})), tuple(sorted({r.line for r in rows})))


def rounding(value: float) -> float:
    """Half a unit of the last digit the value was written with (4.5 -> 0.05, 1829.71 -> 0.005)."""
    text = repr(float(value))
    if "e" in text:
        return 0.0
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return 0.5 * 10.0 ** (-decimals)


def normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def trustworthy(readings: Sequence[Reading]) -> bool:
    """Enough to settle: one source of at least medium confidence, or two independent publishers."""
    return any(CONFIDENCE_RANK[r.confidence] <= 1 for r in readings) or len({r.publisher for r in readings}) >= 2


def value_error(reading: Reading, errors: dict[str, float]) -> float:
    """The spread of a reported value's error: a share of the value by its source's confidence."""
    return abs(reading.value) * errors[reading.confidence]


# --------------------------------------------------------------------------------------------
# Sums over disjoint periods (running totals of non-negative flows)
# --------------------------------------------------------------------------------------------

def lower_bound_sum(readings: Sequence[Reading], first: int, last: int) -> tuple[float, list[Reading]]:
    """The largest sum of readings over **disjoint** periods inside months [first, last].

    Each reading counts at its value when it is a point or a lower bound (a non-negative flow is at
    least what any part of it shows); upper bounds add nothing. Nested readings of one year
    (Jan–Jun ⊂ Jan–Nov ⊂ the year) are never added together: this is weighted interval
    scheduling, solved exactly by dynamic programming. Returns the sum and the readings used.
    """
    usable = sorted((r for r in readings if first <= r.first and r.last <= last and r.value >= 0
                     and r.qualifier in POINT + LOWER), key=lambda r: (r.last, r.first, r.line))
    best: list[tuple[float, list[Reading]]] = [(0.0, [])]
    ends = [r.last for r in usable]
    for i, r in enumerate(usable):
        # the last reading that ends before this one starts
        j = max((k for k in range(i) if ends[k] < r.first), default=-1)
        take = best[j + 1][0] + r.value
        if take > best[i][0] + 1e-12:
            best.append((take, best[j + 1][1] + [r]))
        else:
            best.append(best[i])
    total, used = best[-1]
    return total, sorted(used, key=lambda r: r.first)


# --------------------------------------------------------------------------------------------
# Partial-year readings of one year
# --------------------------------------------------------------------------------------------

def widest(readings: Sequence[Reading]) -> Reading | None:
    """The reading of a year that covers the most months (then the more confident, then the first)."""
    if not readings:
        return None
    return min(readings, key=lambda r: (-r.months, CONFIDENCE_RANK[r.confidence], r.line))


def latest(readings: Sequence[Reading]) -> Reading:
    """The reading of a year that ends last (then the more confident): a stock's freshest level."""
    return max(readings, key=lambda r: (r.last, -CONFIDENCE_RANK[r.confidence]))


def break_even_rest(reading: Reading, target: float) -> float:
    """For an annual mean: what the unseen months must average for the year to equal the target."""
    seen = reading.months
    return (12 * target - seen * reading.value) / (12 - seen)


@dataclass(frozen=True)
class YearEstimate:
    """A year's standing against an each-year target from partial evidence: P(met) and why."""

    p: float
    reading: Reading
    break_even: float | None  # for means: what the unseen months must average
    reference: float | None  # the most favourable annual value ever recorded (means), or the nowcast
    spread: float


def mean_year_estimate(reading: Reading, target: float, ceiling: bool, annual_values: Sequence[float],
                       default_spread: float, min_years: int) -> YearEstimate:
    """P(the annual mean meets a ceiling/floor) given the mean of the months seen so far.

    The unseen months are assumed to average like the most favourable annual value ever recorded
    (the lowest for a ceiling, the highest for a floor): a generous assumption, so a small p is
    conservative. Spread: the standard deviation of the recorded annual values when there are at
    least ``min_years`` of them, else ``default_spread`` × the reference value, doubled.
    """
    be = break_even_rest(reading, target)
    values = list(annual_values)
    if values:
        ref = min(values) if ceiling else max(values)
    else:
        ref = reading.value
    if len(values) >= min_years:
        spread = _sd(values)
    else:
        spread = 2 * default_spread * abs(ref)
    spread = max(spread, 1e-9)
    z = (be - ref) / spread if ceiling else (ref - be) / spread
    return YearEstimate(normal_cdf(z), reading, be, ref, spread)


def stock_nowcast(reading: Reading, changes: Sequence[float], default_spread: float,
                  min_years: int) -> tuple[float, float, int]:
    """Year-end level nowcast from a reading at month m: value + mean same-month-to-December change
    of earlier years (at least ``min_years`` of them); else no change with ``default_spread`` × the
    value, doubled. Returns (nowcast, spread, years of history used: 0 for the default)."""
    if len(changes) >= min_years:
        return reading.value + sum(changes) / len(changes), max(_sd(changes), 1e-9), len(changes)
    return reading.value, max(2 * default_spread * abs(reading.value), 1e-9), 0


def _sd(values: Sequence[float]) -> float:
    n = len(values)
    if n < 2:
        return 0.0
    mean = sum(values) / n
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
