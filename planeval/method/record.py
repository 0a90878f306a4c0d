"""The result record: one per indicator and evaluation year, the single thing the report reads.

Everything the report shows about an indicator is in here; nothing downstream recomputes it.
Serialised as JSON with sorted keys so the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Message:
    """Something the report says in words, as data: a stable code and its parameters.

    ``params`` hold JSON values only: numbers (formatted when worded), years, codes, series and
    source ids, nested messages, and the plan's own texts as ``{"zh": ..., "en": ...}``. The words
    are in the catalogue of :mod:`planeval.presentation.sentences`; ``sentences.text(message, lang)``
    is the one way to word a message.
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)


def message(code: str, **params: Any) -> Message:
    """The message ``code`` with its parameters."""
    return Message(code, params)


@dataclass(frozen=True)
class Point:
    """One observation as shown: its period, value, qualifier (=, ~, <=, <, >=, >), unit and source."""

    period: str
    value: float | None
    qualifier: str
    unit: str
    source: str
    kind: str = "actual"  # actual | partial | annual_target | projection
    note_zh: str = ""  # what the reader must know about the value, in each language (the data's note_zh/note_en)
    note_en: str = ""
    line: int = 0  # line in the observations file: every number traces to a source row
    used: bool = True  # False when a competing value for the same period was preferred


@dataclass(frozen=True)
class Forecast:
    year: int
    point: float | None  # median of the pooled paths, in the indicator's unit (cumulative: the five-year sum)
    low: float | None  # lower end of the interval of level ``interval``
    high: float | None
    probability: float | None
    likelihood: Message | None
    probability_uninflated: float | None
    probability_by_model: dict[str, float] = field(default_factory=dict)
    models: list[str] = field(default_factory=list)
    fit_years: list[int] = field(default_factory=list)
    scale: str = "identity"
    # Quantiles of the pooled paths per future year, for the fan chart: year -> [low, median, high].
    fan: dict[str, list[float]] = field(default_factory=dict)
    interval: float | None = None  # the level of [low, high] and of the fan (config.interval)


@dataclass(frozen=True)
class Record:
    plan_id: str
    indicator_id: str
    evaluation_year: int
    kind: str
    direction: str
    target: float | None
    tolerance: float | None
    unit: str
    base_year: int  # the plan's base year b
    end_year: int  # E
    latest: Point | None  # y_c: the last annual observation at or before the evaluation year
    base: Point | None  # y_b used (may be a later year when the base year has no value)
    base_substituted: bool
    current_year: int | None  # c
    tau: float | None
    progress: float | None  # P
    pace: float | None  # ρ = P / τ
    status: Message
    years_met: list[int]
    years_missed: list[int]
    years_unknown: list[int]
    headroom: float | None  # ceiling: X − y_c; floor: y_c − X (in the unit)
    min_ratio: float | None  # floor kinds: min y / X
    cumulative_done: float | None  # cumulative kinds: S_c
    required_per_year: float | None  # what each remaining year needs (cumulative, end_level, increase, full_rate)
    average_per_year: float | None  # what the elapsed years achieved on average
    forecast: Forecast | None
    reasons: list[Message]  # why a figure could not be given
    flags: list[Message]  # what the reader must know: base substituted, definition changes, competing values
    verdict: Message  # one sentence for the report
    history: list[Point]  # annual actuals used or shown (all years up to the evaluation year)
    evidence: list[Point]  # partial-year values, plan-period summaries and projections: shown, never fitted
    annual_targets: list[Point]
    rule_series: dict[str, list[Point]] = field(default_factory=dict)  # qualitative: the two compared series
    # How sure (docs/method.md, "Evidence"): what the verdict rests on and how good those rows are.
    basis: str = "undetermined"  # settled_annual | settled_bounds | provisional | forecast | pace | undetermined
    confidence: str | None = None  # the lowest confidence among the rows the verdict rests on
    publishers: int = 0  # independent publishers of those rows
    evidence_sources: list[str] = field(default_factory=list)  # their source ids
    probability: float | None = None  # P(target met), whatever the basis (forecast, partial readings, value error)
    probability_is_bound: bool = False  # True: ``probability`` is an upper bound (years with no evidence)
    likelihood: Message | None = None  # the IPCC word for ``probability``
    required_ratio: float | None = None  # r = pace needed in the remaining years ÷ pace achieved so far
    lower_bound: float | None = None  # cumulative: the plan-period sum is at least this (disjoint periods)
    year_results: list[dict[str, Any]] = field(default_factory=list)  # each-year kinds: one entry per elapsed year
    period_mean: dict[str, Any] | None = None  # aggregate: mean — the mean over the plan years, or its interval
    findings: list[Message] = field(default_factory=list)  # what the partial readings and bounds say
    data_needed: list[Message] = field(default_factory=list)  # the values that would settle the verdict
    binding: bool | None = None  # True: a binding target, False: an expected one, None when the plan does not say
    measure: str = "stock"  # flow | stock | mean

    def to_json(self) -> str:
        return json.dumps(jsonable(asdict(self)), ensure_ascii=False, sort_keys=True, indent=1) + "\n"

    def write(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")


def jsonable(obj: Any, digits: int | None = 10) -> Any:
    """Plain JSON data with stable bytes: floats (numpy's too) rounded to ``digits`` significant digits
    (None: exact, as the backtests keep them), NaN and infinities as None, numpy integers as int, tuples
    as lists, keys as strings. The one JSON cleaner of the records and the backtests."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        value = float(obj)
        if not math.isfinite(value):
            return None
        return value if digits is None else float(f"{value:.{digits}g}")
    if isinstance(obj, dict):
        return {str(k): jsonable(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, digits) for v in obj]
    return obj
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        value = float(obj)
        return float(f"{value:.10g}") if math.isfinite(value) else None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return obj
