"""Rolling-origin backtest of the forecast models: how far to trust p (docs/method.md, "Forecast").

For every origin (an observed year with enough points at or before it) the models of
:func:`planeval.method.forecast.simulate` are fitted on the points up to the origin only, and their
1-, 2- and 3-year-ahead forecasts are compared with what was later observed. Reported per model
and pooled: the number of forecasts, the coverage of the ``config.interval`` (80%) interval, with the
calibrated error spread and with the models' own ("uninflated"), and the MASE against the naive forecast. Pure computation: no
files are read or written.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Iterable

import numpy as np

from planeval.method import forecast as fc
from planeval.inputs.config import MethodConfig
from planeval.inputs.model import Dataset
from planeval.method.evaluate import annual_series, fit_points, segment_of
from planeval.inputs.plan import Indicator, Plan, TargetKind
from planeval.method.record import Message, jsonable, message

POOLED = "pooled"
# A value equal to an interval end up to floating-point rounding counts as inside.
_EDGE = 1e-9


@dataclass(frozen=True)
class Interval:
    """One model's forecast of one year: the median and the interval ends (calibrated, and the models' own)."""

    point: float
    low: float
    high: float
    low_uninflated: float
    high_uninflated: float


@dataclass(frozen=True)
class BacktestForecast:
    origin: int  # last year of the training window
    year: int  # the year forecast (origin + horizon)
    horizon: int
    actual: float
    naive_scale: float  # in-sample mean absolute one-step naive error of the training window (see backtest)
    by_model: dict[str, Interval]  # every model fitted at this origin, plus "pooled"


@dataclass(frozen=True)
class Score:
    n: int  # forecasts scored
    coverage: float | None  # share of actual values inside the inflated interval
    coverage_uninflated: float | None  # the same with the models' own spread (before recalibration)
    mase: float | None  # mean of |actual − median| / naive_scale over forecasts with naive_scale > 0
    n_mase: int  # forecasts entering the MASE


@dataclass(frozen=True)
class BacktestResult:
    years: list[int]  # the series backtested
    horizons: list[int]
    min_train: int
    interval: float
    forecasts: list[BacktestForecast]
    scores: dict[str, Score]  # model name or "pooled" -> score over all horizons
    by_horizon: dict[str, dict[str, Score]]  # str(horizon) -> model -> score

    @property
    def n(self) -> int:
        return len(self.forecasts)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (NaN/inf become None)."""
        return jsonable(asdict(self))


def naive_scale(years: np.ndarray, values: np.ndarray) -> float:
    """Mean absolute one-step naive error in-sample: mean over adjacent points of |y_j − y_{j−1}| / (t_j − t_{j−1}).

    On consecutive years this is Hyndman & Koehler's MASE denominator (1/(n−1)) Σ |y_t − y_{t−1}|;
    a difference across a gap of g years counts as one g-th of it per year. In the indicator's unit.
    """
    return float(np.mean(np.abs(np.diff(values)) / np.diff(years)))


def _inside(actual: float, low: float, high: float) -> bool:
    tol = _EDGE * max(1.0, abs(actual))
    return low - tol <= actual <= high + tol


def _interval(paths: np.ndarray, plain: np.ndarray, j: int, config: MethodConfig) -> Interval:
    lo, hi = fc.interval_quantiles(config)
    return Interval(point=float(np.median(paths[:, j])), low=float(np.quantile(paths[:, j], lo)),
                    high=float(np.quantile(paths[:, j], hi)), low_uninflated=float(np.quantile(plain[:, j], lo)),
                    high_uninflated=float(np.quantile(plain[:, j], hi)))


def score(forecasts: Iterable[BacktestForecast], model: str, horizon: int | None = None) -> Score:
    """Coverage and MASE of one model (or "pooled") over the forecasts it made, optionally one horizon only."""
    made = [f for f in forecasts if model in f.by_model and (horizon is None or f.horizon == horizon)]
    if not made:
        return Score(0, None, None, None, 0)
    inside = [_inside(f.actual, f.by_model[model].low, f.by_model[model].high) for f in made]
    inside_plain = [_inside(f.actual, f.by_model[model].low_uninflated, f.by_model[model].high_uninflated)
                    for f in made]
    scaled = [abs(f.actual - f.by_model[model].point) / f.naive_scale for f in made if f.naive_scale > 0]
    return Score(n=len(made), coverage=float(np.mean(inside)), coverage_uninflated=float(np.mean(inside_plain)),
                 mase=float(np.mean(scaled)) if scaled else None, n_mase=len(scaled))


def _model_names(forecasts: list[BacktestForecast]) -> list[str]:
    present = {m for f in forecasts for m in f.by_model}
    return [m for m in (*fc.MODELS, POOLED) if m in present]


def _scores(forecasts: list[BacktestForecast], horizons: list[int]) -> tuple[dict[str, Score], dict[str, dict[str, Score]]]:
    models = _model_names(forecasts)
    overall = {m: score(forecasts, m) for m in models}
    per_h = {str(h): {m: score(forecasts, m, h) for m in models} for h in horizons}
    return overall, per_h


def backtest(years: np.ndarray, values: np.ndarray, scale: str, config: MethodConfig,
             horizons: tuple[int, ...] = (1, 2, 3), min_train: int | None = None) -> BacktestResult:
    """Rolling-origin backtest of one annual series (sorted years, point values, possibly gapped).

    Origins: every observed year t_k with at least ``min_train`` points at or before it (default
    ``config.min_points_probability``, the fewest points for which the report gives p). At each
    origin the models are simulated with :func:`planeval.method.forecast.simulate` on the points up to t_k
    only, and for each horizon h whose year t_k + h has an observation, the per-model and pooled
    (all models' paths together, as the report pools them) median and ``config.interval`` quantiles
    are compared with that observation. A horizon whose year has no value is skipped.

    MASE scaling: each forecast's absolute error |y − ŷ| is divided by :func:`naive_scale` of its own
    training window (the in-sample mean absolute one-step naive error, per year across gaps), and
    MASE is the mean of these scaled errors. A window whose naive scale is 0 (a constant series)
    contributes to coverage but not to MASE. MASE < 1: better than the in-sample naive forecast.
    """
    t = np.asarray(years, dtype=int)
    y = np.asarray(values, dtype=float)
    order = np.argsort(t)
    t, y = t[order], y[order]
    need = config.min_points_probability if min_train is None else min_train
    need = max(need, 2)  # the models need two points at least
    hs = sorted(set(int(h) for h in horizons))
    observed = {int(year): float(v) for year, v in zip(t, y)}
    forecasts: list[BacktestForecast] = []
    for k in range(need - 1, len(t)):
        origin = int(t[k])
        wanted = [h for h in hs if origin + h in observed]
        if not wanted:
            continue
        horizon = np.array([origin + h for h in wanted], dtype=int)
        sim = fc.simulate(t[: k + 1], y[: k + 1], horizon, scale, config)
        pooled = np.concatenate(list(sim.paths.values()))
        pooled_plain = np.concatenate(list(sim.paths_uninflated.values()))
        s = naive_scale(t[: k + 1], y[: k + 1])
        for j, h in enumerate(wanted):
            by_model = {m: _interval(sim.paths[m], sim.paths_uninflated[m], j, config) for m in sim.paths}
            by_model[POOLED] = _interval(pooled, pooled_plain, j, config)
            forecasts.append(BacktestForecast(origin=origin, year=origin + h, horizon=h,
                                              actual=observed[origin + h], naive_scale=s, by_model=by_model))
    overall, per_h = _scores(forecasts, hs)
    return BacktestResult(years=[int(v) for v in t], horizons=hs, min_train=need, interval=config.interval,
                          forecasts=forecasts, scores=overall, by_horizon=per_h)


def indicator_points(plan: Plan, ind: Indicator, dataset: Dataset, year: int) -> tuple[np.ndarray, np.ndarray]:
    """The indicator's annual point values as of ``year`` in its latest definition segment.

    The value of each year is chosen by :func:`planeval.method.evaluate.annual_series` (the README's rule);
    a break declared for a year ≤ ``year`` starts the segment, as in the evaluation's fits.
    """
    data = dataset.as_of(year)
    confidence = dict(zip(data.sources["source"], data.sources["confidence"]))
    assert ind.series is not None
    return fit_points(annual_series(data.series(ind.series), confidence), year, segment_of(ind, year))


def backtest_indicator(plan: Plan, ind: Indicator, dataset: Dataset, year: int,
                       config: MethodConfig) -> tuple[BacktestResult | None, Message | None]:
    """(result, None), or (None, reason) when the indicator has no forecast to backtest or too short a history."""
    if not ind.identified or ind.series is None or ind.kind is None:
        return None, message("backtest_not_identified")
    if ind.kind is TargetKind.qualitative:
        return None, message("backtest_qualitative")
    years, values = indicator_points(plan, ind, dataset, year)
    result = backtest(years, values, ind.scale, config)
    if result.n == 0:
        return None, message("backtest_too_short", n=len(years), year=year, need=result.min_train + 1,
                             fit=result.min_train, horizon=max(result.horizons))
    return result, None


Backtests = dict[str, tuple[BacktestResult | None, Message | None]]


def outcome_data(result: BacktestResult | None, reason: Message | None) -> dict[str, Any]:
    """One indicator's :func:`backtest_indicator` outcome as JSON data, floats exact (not rounded like a
    record's: the report pools the forecasts of all indicators, and must pool the same numbers it
    would have computed itself). NaN and infinities become None."""
    return {"result": jsonable(asdict(result), digits=None) if result is not None else None,
            "reason": asdict(reason) if reason is not None else None}


def outcome_from_data(data: dict[str, Any]) -> tuple[BacktestResult | None, Message | None]:
    """The inverse of :func:`outcome_data`."""
    reason = Message(data["reason"]["code"], data["reason"]["params"]) if data.get("reason") else None
    r = data.get("result")
    if r is None:
        return None, reason

    def number(v: float | None) -> float:
        return math.nan if v is None else float(v)

    forecasts = [BacktestForecast(origin=f["origin"], year=f["year"], horizon=f["horizon"], actual=number(f["actual"]),
                                  naive_scale=number(f["naive_scale"]),
                                  by_model={m: Interval(**{k: number(v) for k, v in i.items()}) for m, i in f["by_model"].items()})
                 for f in r["forecasts"]]
    return BacktestResult(years=r["years"], horizons=r["horizons"], min_train=r["min_train"], interval=r["interval"],
                          forecasts=forecasts, scores={m: Score(**s) for m, s in r["scores"].items()},
                          by_horizon={h: {m: Score(**s) for m, s in v.items()} for h, v in r["by_horizon"].items()}), reason


def backtest_all(plan: Plan, dataset: Dataset, ids: Iterable[str], year: int) -> Backtests:
    """:func:`backtest_indicator` of each indicator id, with the plan's method settings."""
    return {i: backtest_indicator(plan, plan.indicator(i), dataset, year, plan.method_config) for i in ids}


def pool_results(results: Iterable[BacktestResult | None]) -> dict[str, Any]:
    """Scores over the forecasts of all indicators together (per model and pooled), for the method section.

    Coverage and MASE are scale-free, so forecasts of different indicators are simply put together;
    each indicator weighs by its number of forecasts. JSON types only.
    """
    kept = [r for r in results if r is not None]
    forecasts = [f for r in kept for f in r.forecasts]
    horizons = sorted({h for r in kept for h in r.horizons})
    overall, per_h = _scores(forecasts, horizons)
    return jsonable({"indicators": len(kept), "forecasts": len(forecasts), "horizons": horizons,
                      "interval": kept[0].interval if kept else None,
                      "scores": {m: asdict(s) for m, s in overall.items()},
                      "by_horizon": {h: {m: asdict(s) for m, s in v.items()} for h, v in per_h.items()}})
