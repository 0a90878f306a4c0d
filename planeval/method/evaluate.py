"""Progress, pace, status, evidence and forecast for every target kind, as one result record.

``evaluate(plan, indicator, dataset, year, config)`` is the single entry point. It cuts the data
as of ``year`` itself, so no caller can leak later observations into an earlier evaluation.
Arithmetic only: the dataset is already loaded; nothing here reads or writes files. The rules are
written out in docs/method.md; the sentences live in :mod:`planeval.presentation.sentences`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from planeval.method import evidence as ev
from planeval.method import forecast as fc
from planeval.inputs.config import MethodConfig
from planeval.inputs.model import POINT_QUALIFIERS, Dataset
from planeval.inputs.plan import Indicator, Plan, TargetKind
from planeval.method.record import Forecast, Message, Point, Record, message

QUALIFIER_RANK = {"=": 0, "~": 1, "<=": 2, "<": 2, ">=": 2, ">": 2}


# --------------------------------------------------------------------------------------------
# Observations -> annual series
# --------------------------------------------------------------------------------------------

def _point(row: pd.Series, used: bool = True) -> Point:
    value = None if pd.isna(row["value"]) else float(row["value"])
    return Point(period=str(row["period"]), value=value, qualifier=str(row["qualifier"]), unit=str(row["unit"]),
                 source=str(row["source"]), kind=str(row["kind"]),
                 note_zh=str(row.get("note_zh", "")), note_en=str(row.get("note_en", "")),
                 line=int(row["line"]), used=used)


@dataclass(frozen=True)
class Annual:
    """The annual actuals of one series: the chosen value per year, and every competing value."""

    chosen: dict[int, Point]
    all_points: list[Point]
    competing: list[int]  # years where sources disagree

    def points(self, years: range | list[int] | None = None) -> dict[int, float]:
        """Point values (= or ~), i.e. usable as numbers in arithmetic and fits."""
        return {y: p.value for y, p in self.chosen.items()
                if p.qualifier in POINT_QUALIFIERS and p.value is not None and (years is None or y in years)}


def annual_series(rows: pd.DataFrame, source_confidence: dict[str, str]) -> Annual:
    """Pick one value per year. Rule, documented in the README: a point value (=, ~) beats a bound;
    then the source of higher confidence; then '=' beats '~'; then the lower line in the file."""
    annual = rows[(rows["kind"] == "actual") & (rows["period_type"] == "year")]
    chosen: dict[int, Point] = {}
    all_points: list[Point] = []
    competing: list[int] = []
    for year, group in annual.groupby("start_year", sort=True):
        ranked = group.assign(
            _point=group["qualifier"].map(lambda q: 0 if q in POINT_QUALIFIERS else 1),
            _conf=group["source"].map(lambda s: ev.CONFIDENCE_RANK.get(source_confidence.get(s, "low"), 2)),
            _qual=group["qualifier"].map(QUALIFIER_RANK),
        ).sort_values(["_point", "_conf", "_qual", "line"], kind="stable")
        best = ranked.iloc[0]
        chosen[int(year)] = _point(best)
        for i, (_, row) in enumerate(ranked.iterrows()):
            all_points.append(_point(row, used=(i == 0)))
        if ranked[["value", "qualifier"]].drop_duplicates().shape[0] > 1:
            competing.append(int(year))
    return Annual(chosen, all_points, competing)


# --------------------------------------------------------------------------------------------
# Status from pace
# --------------------------------------------------------------------------------------------

def pace_status(r: float, config: MethodConfig) -> str:
    """Status word for r = pace needed ÷ pace achieved (rounded to 9 decimals so exact edges are exact)."""
    r = round(r, 9)
    if r <= config.ahead_r:
        return "ahead"
    if r <= config.on_track_r:
        return "on_track"
    return "broadly_on_track" if r <= config.broadly_on_track_r else "lagging"


def elapsed_share(c: int, b: int, e: int) -> float:
    """τ = (c − b)/(E − b)."""
    return (c - b) / (e - b)


def year_met(kind: TargetKind, target: float, p: Point) -> bool | None:
    """Does one year's value meet an each-year target? A bound settles it only when it can."""
    v, q = p.value, p.qualifier
    if v is None:
        return None
    ceiling = kind is TargetKind.ceiling_each_year
    if q in POINT_QUALIFIERS:
        return v <= target if ceiling else v >= target
    if ceiling:
        if q in ("<=", "<") and v <= target:
            return True
        if (q == ">=" and v > target) or (q == ">" and v >= target):
            return False
    else:
        if q in (">=", ">") and v >= target:
            return True
        if (q == "<=" and v < target) or (q == "<" and v <= target):
            return False
    return None


def level_progress(kind: TargetKind, ind: Indicator, y_b: float, y_c: float, config: MethodConfig) -> float | None:
    """Progress share P for the level kinds; None where the formula has no meaning."""
    x = ind.target
    assert x is not None
    if kind is TargetKind.end_level:
        # A base already at or past the target leaves no distance to cover: the share has no meaning
        # (with y_b beyond X the formula would even turn a fall back below X into positive progress).
        return None if ind.sign * (y_b - x) >= 0 else (y_c - y_b) / (x - y_b)
    if kind is TargetKind.increase:
        return ind.sign * (y_c - y_b) / x
    if kind is TargetKind.full_rate:
        return None if y_b >= 100 else (y_c - y_b) / (100 - y_b)
    if kind is TargetKind.around:
        tol = ind.tolerance or config.around_tolerance
        d_b = max(abs(y_b - x) - tol, 0.0)
        d_c = max(abs(y_c - x) - tol, 0.0)
        if d_b == 0:
            return None if d_c == 0 else -d_c / tol  # left the band: moving away, scaled by the band
        return (d_b - d_c) / d_b
    raise ValueError(kind)


def level_met(kind: TargetKind, ind: Indicator, y_b: float, y: float | np.ndarray, config: MethodConfig):
    """The kind's "met" rule for an end-year level (works on arrays of simulated values too)."""
    x = ind.target
    assert x is not None
    if kind is TargetKind.end_level:
        return ind.sign * (y - x) >= 0
    if kind is TargetKind.increase:
        return ind.sign * (y - y_b) >= x
    if kind is TargetKind.full_rate:
        return y >= config.full_rate_threshold
    if kind is TargetKind.around:
        return abs(y - x) <= (ind.tolerance or config.around_tolerance) + 1e-12
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------
# The record
# --------------------------------------------------------------------------------------------

@dataclass
class _Work:
    """Mutable scratch state while a record is assembled."""

    reasons: list[Message]
    flags: list[Message]
    findings: list[Message]
    data_needed: list[Message]
    rested_on: list[ev.Reading]  # the rows the verdict rests on (its evidence grade)


@dataclass(frozen=True)
class _Context:
    """What every part of one evaluation needs: the plan's frame, the indicator, its rows as evidence."""

    plan: Plan
    ind: Indicator
    year: int
    config: MethodConfig
    series: Annual
    readings: list[ev.Reading]  # actual and partial rows of the indicator's own definition
    annual_readings: dict[int, list[ev.Reading]]  # actual one-year rows by year
    segment_start: int | None

    @property
    def b(self) -> int:
        return self.plan.base_year

    @property
    def e(self) -> int:
        return self.plan.end_year

    @property
    def errors(self) -> dict[str, float]:
        c = self.config
        return {"high": c.value_error_high, "medium": c.value_error_medium, "low": c.value_error_low}


def _readings(rows: pd.DataFrame, sources: pd.DataFrame, segment_start: int | None) -> list[ev.Reading]:
    """Only real outcomes decide: actual and partial rows, from the last definition break on."""
    meta = {s: (p, c) for s, p, c in zip(sources["source"], sources["publisher"], sources["confidence"])}
    out = []
    for _, r in rows.iterrows():
        if r["kind"] not in ("actual", "partial") or pd.isna(r["value"]):
            continue
        if segment_start is not None and int(r["start_year"]) < segment_start:
            continue
        first, last = ev.month_span(str(r["period_type"]), int(r["start_year"]), int(r["end_year"]), str(r["period"]))
        publisher, confidence = meta.get(str(r["source"]), (str(r["source"]), "low"))
        out.append(ev.Reading(first, last, float(r["value"]), str(r["qualifier"]), str(r["source"]), str(publisher),
                              str(confidence), int(r["line"]), str(r["period"])))
    return out


def evaluate(plan: Plan, ind: Indicator, dataset: Dataset, year: int, config: MethodConfig) -> Record:
    """The result record of one indicator for one evaluation year."""
    if not ind.identified or ind.kind is None or ind.series is None:
        raise ValueError(f"indicator '{ind.id}' is not identified; it has no record")
    data = dataset.as_of(year)
    confidence = dict(zip(data.sources["source"], data.sources["confidence"]))
    b, e = plan.base_year, plan.end_year
    kind = ind.kind
    unit = ind.unit.en if ind.unit else ""
    work = _Work([], [], [], [], [])

    rows = data.series(ind.series)
    series = annual_series(rows, confidence)
    history = sorted(series.all_points, key=lambda p: (p.period, not p.used))
    evidence = [_point(r) for _, r in rows.iterrows()
                if r["kind"] in ("partial", "projection") or (r["kind"] == "actual" and r["period_type"] != "year")]
    targets = [_point(r) for _, r in rows.iterrows() if r["kind"] == "annual_target"]
    for y in series.competing:
        values = [{"qualifier": p.qualifier, "value": p.value, "source": p.source}
                  for p in series.all_points if p.period == str(y)]
        work.flags.append(message("competing_values", year=y, values=values))
    segment = segment_of(ind, min(year, e))
    for change in ind.definition_changes:
        if change.year <= year:
            work.flags.append(message(f"definition_{change.type}", year=change.year,
                                      note=change.model_dump(include={"zh", "en"})))
    # Each plan year of an each-year target is judged by that year's own official value, whatever the
    # definition then; a break cuts the rows only where levels are compared across years.
    readings = _readings(rows, data.sources, None if ind.kind.each_year else segment)
    annual_readings: dict[int, list[ev.Reading]] = {}
    for r in readings:
        if r.months == 12 and r.first % 12 == 0:
            annual_readings.setdefault(r.year, []).append(r)
    ctx = _Context(plan, ind, year, config, series, readings, annual_readings, segment)

    common = dict(plan_id=plan.id, indicator_id=ind.id, evaluation_year=year, kind=kind.value,
                  direction=ind.direction, target=ind.target, tolerance=(ind.tolerance or config.around_tolerance)
                  if kind is TargetKind.around else ind.tolerance, unit=unit, base_year=b, end_year=e,
                  history=history, evidence=evidence, annual_targets=targets, binding=ind.binding,
                  measure=ind.measure_kind)

    if kind is TargetKind.qualitative:
        result = _qualitative(ctx, data, confidence, work)
    elif kind.each_year:
        result = _each_year(ctx, work)
    elif kind is TargetKind.cumulative:
        result = _cumulative(ctx, work)
    else:
        result = _level(ctx, work)
    _binding_rule(ctx, result, work)
    p = result.get("probability")
    if p is not None:
        result["likelihood"] = message(fc.likelihood_code(p, config))
    graded = ev.grade(work.rested_on)
    return Record(**common, **result, reasons=work.reasons, flags=work.flags, findings=work.findings,
                  data_needed=work.data_needed, confidence=graded.confidence, publishers=graded.publishers,
                  evidence_sources=list(graded.sources), verdict=_verdict(ind, result, year, e, graded))


def segment_of(ind: Indicator, upto: int) -> int | None:
    """The first year of the series' latest definition segment as of ``upto``: the last break declared
    for a year ≤ ``upto`` (pace and fits never cross it), None without one."""
    return max((y for y in ind.breaks() if y <= upto), default=None)


def fit_points(series: Annual, upto: int, segment_start: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The annual point values the forecast fits: years ≤ ``upto`` in the segment from ``segment_start``."""
    pts = {y: v for y, v in series.points().items() if y <= upto and (segment_start is None or y >= segment_start)}
    years = np.array(sorted(pts), dtype=int)
    return years, np.array([pts[y] for y in years], dtype=float)


def _forecast(ind: Indicator, series: Annual, c: int, e: int, segment_start: int | None, config: MethodConfig,
              work: _Work, met: Callable[[np.ndarray], np.ndarray], endpoint: Callable[[np.ndarray], np.ndarray],
              score_from: int | None = None) -> Forecast | None:
    """Simulate from the last fitted point to E and apply the kind's rule to the paths."""
    if c >= e:
        return None
    years, values = fit_points(series, c, segment_start)
    if len(years) < config.min_points_probability:
        _too_few(work, len(years), config, segment_start)
        return None
    horizon = np.arange(int(years[-1]) + 1, e + 1)
    sim = fc.simulate(years, values, horizon, ind.scale, config)
    if sim.scale != ind.scale:
        work.flags.append(message("scale_fallback", scale=ind.scale))
    if score_from is not None:
        cols = horizon >= score_from
        met_cols = lambda p: met(p[:, cols])  # noqa: E731
    else:
        met_cols = met
    p, by_model = fc.probability(sim.paths, met_cols)
    p_plain, _ = fc.probability(sim.paths_uninflated, met_cols)
    pooled = np.concatenate(list(sim.paths.values()))
    ends = endpoint(pooled)
    lo_q, hi_q = fc.interval_quantiles(config)
    fan = {str(int(y)): [float(np.quantile(pooled[:, i], lo_q)), float(np.median(pooled[:, i])),
                         float(np.quantile(pooled[:, i], hi_q))] for i, y in enumerate(horizon)}
    return Forecast(year=e, point=float(np.median(ends)), low=float(np.quantile(ends, lo_q)),
                    high=float(np.quantile(ends, hi_q)), probability=p,
                    likelihood=message(fc.likelihood_code(p, config)), probability_uninflated=p_plain,
                    probability_by_model=by_model, models=list(sim.paths), fit_years=[int(y) for y in years],
                    scale=sim.scale, fan=fan, interval=config.interval)


def _empty_figures() -> dict:
    return dict(latest=None, base=None, base_substituted=False, current_year=None, tau=None, progress=None,
                pace=None, years_met=[], years_missed=[], years_unknown=[], headroom=None, min_ratio=None,
                cumulative_done=None, required_per_year=None, average_per_year=None, forecast=None, rule_series={},
                basis="undetermined", probability=None, probability_is_bound=False, required_ratio=None,
                lower_bound=None, year_results=[], period_mean=None)


def _no_current_value(work: _Work, b: int, year: int) -> None:
    work.reasons.append(message("no_current_value", since=b + 1, year=year))


def _rule_text(ind: Indicator, config: MethodConfig, base_year: int) -> Message:
    x = ind.target
    kind = ind.kind
    if kind is TargetKind.around:
        tol = ind.tolerance or config.around_tolerance
        return message("rule_band", low=float(x - tol), high=float(x + tol))
    if kind is TargetKind.full_rate:
        return message("rule_at_least", target=float(config.full_rate_threshold))
    if kind is TargetKind.ceiling_each_year or (kind is TargetKind.end_level and ind.sign < 0):
        return message("rule_at_most", target=float(x))
    if kind is TargetKind.increase:
        return message("rule_increase", target=float(x), base=base_year)
    return message("rule_at_least", target=float(x))


# --------------------------------------------------------------------------------------------
# Each-year ceilings and floors
# --------------------------------------------------------------------------------------------

def _settled_value(ctx: _Context, reading: ev.Reading, agreeing: list[ev.Reading], margin: float) -> bool:
    """A value settles when its source can carry it and it clears the target by more than rounding
    (a published bound clears it by construction)."""
    clear = reading.qualifier not in ev.POINT or margin > ev.rounding(reading.value)
    return clear and ev.trustworthy(agreeing)


def _value_probability(ctx: _Context, reading: ev.Reading, margin: float) -> float:
    """P(the true value is on the side the reported one is), allowing for its error by confidence."""
    spread = max(ev.value_error(reading, ctx.errors), ev.rounding(reading.value), 1e-12)
    return ev.normal_cdf(margin / spread)


def _judge_year(ctx: _Context, y: int, work: _Work) -> dict:
    """One elapsed year of an each-year ceiling/floor: met, missed or unknown; settled or with a p."""
    ind, x = ctx.ind, float(ctx.ind.target)  # type: ignore[arg-type]
    ceiling = ind.kind is TargetKind.ceiling_each_year
    chosen = ctx.series.chosen.get(y)
    result = {"year": y, "outcome": "unknown", "settled": False, "p": None, "by": None}
    if chosen is not None and chosen.value is not None:
        met = year_met(ind.kind, x, chosen)  # type: ignore[arg-type]
        if met is not None:
            return _judge_annual(ctx, chosen, met, result, work)
    partial = [r for r in ctx.readings if r.year == y and r.last // 12 == y and r.months < 12]
    if not partial:
        return result
    measure = ind.measure_kind
    if measure == "flow":
        low, used = ev.lower_bound_sum(partial, y * 12, y * 12 + 11)
        if used and ((not ceiling and low >= x) or (ceiling and low > x)):
            settled = ev.trustworthy(used)
            result.update(outcome="met" if not ceiling else "missed", settled=settled, by="bound",
                          p=(1.0 if not ceiling else 0.0) if settled else None, rests_on=used)
            work.findings.append(message("flow_partial", year=y, period=[r.period for r in used],
                                           value=float(low), source=[r.source for r in used],
                                           verdict=message("flow_partial_met" if not ceiling else "flow_partial_missed")))
        return result
    if measure == "mean":
        reading = ev.widest(partial)
        assert reading is not None
        recorded = [v for yy, v in ctx.series.points().items() if yy != y]
        est = ev.mean_year_estimate(reading, x, ceiling, recorded, ctx.config.partial_default_spread,
                                    ctx.config.nowcast_min_years)
        beyond = est.break_even is not None and est.reference is not None and (
            est.break_even < est.reference if ceiling else est.break_even > est.reference)
        record_note = message("never_recorded" if beyond else "recorded_before", ref=float(est.reference or 0.0))
        work.findings.append(message("mean_partial" if ceiling else "mean_partial_floor", year=y,
                                       period=reading.period, value=float(reading.value), source=reading.source,
                                       confidence=reading.confidence, target=float(x),
                                       break_even=float(est.break_even), record=record_note,
                                       p=est.p))
        result.update(p=est.p, by="partial", rests_on=[reading])
        return result
    # a stock read during the year: nowcast its year-end level
    reading = ev.latest(partial)
    nowcast, spread, history = _nowcast(ctx, reading)
    p = ev.normal_cdf(((x - nowcast) if ceiling else (nowcast - x)) / spread)
    result.update(p=p, by="nowcast", rests_on=[reading if history else replace(reading, confidence="low")])
    work.findings.append(_nowcast_message(y, reading, nowcast, spread, history, p))
    return result


def _judge_annual(ctx: _Context, chosen: Point, met: bool, result: dict, work: _Work) -> dict:
    """A year whose annual value says met or missed: settled when its source can carry it and it clears
    the target by more than rounding, else a probability allowing for the value's error."""
    y, ind, x = result["year"], ctx.ind, float(ctx.ind.target)  # type: ignore[arg-type]
    annual = ctx.annual_readings.get(y, [])
    used = next(r for r in annual if r.line == chosen.line)
    agreeing = [r for r in annual if year_met(ind.kind, x, _as_point(r)) == met]  # type: ignore[arg-type]
    margin = abs(chosen.value - x)  # type: ignore[operator]
    result.update(outcome="met" if met else "missed", by="annual" if used.qualifier in ev.POINT else "bound")
    if _settled_value(ctx, used, agreeing, margin):
        # it rests on the chosen row; corroborating rows count when the chosen one alone is weak
        rests = [used] if ev.trustworthy([used]) else agreeing
        result.update(settled=True, p=1.0 if met else 0.0, rests_on=rests)
        return result
    p = _value_probability(ctx, used, margin)
    result.update(settled=False, p=p if met else 1 - p, rests_on=[used])
    why = "why_confidence" if not ev.trustworthy(agreeing) else "why_margin"
    work.findings.append(message("value_uncertain", year=y, value=float(used.value), source=used.source,
                                 confidence=used.confidence, why=message(why), p=result["p"]))
    return result


def _as_point(r: ev.Reading) -> Point:
    return Point(period=r.period, value=r.value, qualifier=r.qualifier, unit="", source=r.source, line=r.line)


def _nowcast(ctx: _Context, reading: ev.Reading) -> tuple[float, float, int]:
    """Year-end level from a reading in month m: the same-month-to-December change of earlier years."""
    month = reading.last % 12
    changes = []
    for r in ctx.readings:
        if r.last % 12 == month and r.year < reading.year and r.months < 12:
            december = ctx.series.points().get(r.year)
            if december is not None:
                changes.append(december - r.value)
    return ev.stock_nowcast(reading, changes, ctx.config.partial_default_spread, ctx.config.nowcast_min_years)


def _nowcast_message(y: int, reading: ev.Reading, nowcast: float, spread: float, history: int, p: float) -> Message:
    how = message("nowcast_history", n=history) if history else message("nowcast_default")
    return message("stock_nowcast", year=y, period=reading.period, value=float(reading.value), source=reading.source,
                     how=how, nowcast=float(nowcast), spread=float(spread), p=p)


def _each_year(ctx: _Context, work: _Work) -> dict:
    ind, b, e, year, config = ctx.ind, ctx.b, ctx.e, ctx.year, ctx.config
    last = min(year, e)
    elapsed = list(range(b + 1, last + 1))
    out = _empty_figures()
    results = [_judge_year(ctx, y, work) for y in elapsed]
    met = [r["year"] for r in results if r["outcome"] == "met"]
    missed = [r["year"] for r in results if r["outcome"] == "missed"]
    unknown = [r["year"] for r in results if r["outcome"] == "unknown"]
    settled_missed = [r["year"] for r in results if r["outcome"] == "missed" and r["settled"]]
    out.update(years_met=met, years_missed=missed, years_unknown=unknown,
               year_results=[{k: v for k, v in r.items() if k != "rests_on"} for r in results])
    if elapsed:
        out["progress"] = len(met) / len(elapsed)
    _each_year_latest(ctx, out, results)
    not_settled = [r["year"] for r in results if not r["settled"]]
    if not_settled:
        _years_unsettled(work, not_settled, _rule_text(ind, config, b))
    if ind.aggregate == "mean":
        out["period_mean"] = _period_mean(ctx, work)

    if settled_missed:
        work.rested_on += [r for res in results if res["year"] in settled_missed for r in res.get("rests_on", [])]
        out.update(status=message("missed"), probability=0.0,
                   basis="settled_annual" if all(r["by"] == "annual" for r in results if r["year"] in settled_missed)
                   else "settled_bounds")
        if year < e:
            work.reasons.append(message("already_missed", years=settled_missed))
        return _primary_mean(ctx, out)
    for r in results:
        work.rested_on += r.get("rests_on", [])
    out["forecast"] = _each_year_forecast(ctx, work) if year < e else None
    p = _all_years_probability(ctx, results, out, work)
    provisional = any(not r["settled"] and r["p"] is not None for r in results)
    blind = [r["year"] for r in results if not r["settled"] and r["p"] is None]
    if not blind and not not_settled and year >= e:
        out.update(status=message("achieved"), probability=1.0,
                   basis="settled_annual" if all(r["by"] == "annual" for r in results) else "settled_bounds")
    elif p is not None and p < config.about_even_at:
        out.update(status=message("likely_missed"), basis="provisional" if provisional else "forecast")
    elif year >= e:
        out.update(status=message(_status_from_p(p, config)), basis="undetermined" if p is None else "provisional")
    elif not met and p is None:
        _no_current_value(work, ctx.b, year)
        out.update(status=message("insufficient_data"), basis="undetermined")
    else:
        out.update(status=message("on_track"),
                   basis="provisional" if provisional else "forecast" if p is not None else "undetermined")
    return _primary_mean(ctx, out)


def _each_year_latest(ctx: _Context, out: dict, results: list[dict]) -> None:
    """The latest year judged on an annual value (a year met by a partial flow has none): its value,
    τ, the headroom to the target and, for a floor, the lowest value's ratio to it."""
    ind, series = ctx.ind, ctx.series
    judged = [r for r in results if r["outcome"] != "unknown" and r["year"] in series.chosen]
    if not judged:
        return
    c = judged[-1]["year"]
    latest = series.chosen[c]
    if latest is None:
        return
    out["latest"], out["current_year"] = latest, c
    out["tau"] = elapsed_share(c, ctx.b, ctx.e)
    x = float(ind.target)  # type: ignore[arg-type]
    if latest.qualifier in POINT_QUALIFIERS and latest.value is not None:
        out["headroom"] = x - latest.value if ind.kind is TargetKind.ceiling_each_year else latest.value - x
    pts = [series.chosen[r["year"]].value for r in results if r["outcome"] in ("met", "missed")
           and r["year"] in series.chosen and series.chosen[r["year"]].qualifier in POINT_QUALIFIERS]
    if ind.kind is TargetKind.floor_each_year and pts:
        out["min_ratio"] = min(pts) / x  # type: ignore[type-var]


def _each_year_forecast(ctx: _Context, work: _Work) -> Forecast | None:
    """Joint paths of the remaining years: P(every one of them meets the target)."""
    ind, year = ctx.ind, ctx.year
    c_pt = max(ctx.series.points(range(0, year + 1)), default=None)
    if c_pt is None:
        _too_few(work, 0, ctx.config)
        return None
    x = float(ind.target)  # type: ignore[arg-type]
    ceiling = ind.kind is TargetKind.ceiling_each_year
    rule = (lambda p: np.all(p <= x, axis=1)) if ceiling else (lambda p: np.all(p >= x, axis=1))
    return _forecast(ind, ctx.series, c_pt, ctx.e, segment_of(ind, c_pt), ctx.config, work, rule,
                     endpoint=lambda p: p[:, -1], score_from=year + 1)


def _all_years_probability(ctx: _Context, results: list[dict], out: dict, work: _Work) -> float | None:
    """P(every plan year met): the years estimated from evidence times the joint future paths. A year
    with no evidence at all leaves only an upper bound: the weakest estimate's p (kept when below
    ``about_even_at``, where it says something)."""
    year, e, config = ctx.year, ctx.e, ctx.config
    p_future = out["forecast"].probability if out["forecast"] is not None else None
    estimated = [r["p"] for r in results if not r["settled"] and r["p"] is not None]
    blind = [r["year"] for r in results if not r["settled"] and r["p"] is None]
    candidates = estimated + ([p_future] if p_future is not None else [])
    if blind or (year < e and p_future is None):
        p = min(candidates) if candidates else None
        if p is None or p >= config.about_even_at:
            return None
        out["probability_is_bound"] = True
        work.findings.append(message("all_years_bound", years=blind or list(range(year + 1, e + 1)),
                                       p=p))
    else:
        p = float(np.prod(candidates)) if candidates else None
    out["probability"] = p
    return p


def _status_from_p(p: float | None, config: MethodConfig) -> str:
    """The end-year status of what only a probability decides: words follow p, no side forced in between."""
    if p is None:
        return "insufficient_data"
    if p >= config.likely_at:
        return "likely_achieved"
    return "likely_missed" if p < config.about_even_at else "undetermined"


def _years_unsettled(work: _Work, years: list[int], rule: Message) -> None:
    """Years an each-year target cannot settle: why 'met every year' cannot be claimed, and what would settle them."""
    work.reasons.append(message("years_unknown", years=years))
    work.data_needed.append(message("need_annual", years=years, rule=rule))


def _period_mean(ctx: _Context, work: _Work) -> dict:
    """The mean over all plan years, or what the unknown years must add up to (an interval)."""
    ind, b, e = ctx.ind, ctx.b, ctx.e
    x = float(ind.target)  # type: ignore[arg-type]
    ceiling = ind.kind is TargetKind.ceiling_each_year
    years = list(range(b + 1, e + 1))
    known = {y: v for y, v in ctx.series.points(range(b + 1, min(ctx.year, e) + 1)).items()}
    unknown = [y for y in years if y not in known]
    total_known = float(sum(known.values()))
    need = x * len(years) - total_known
    out: dict = {"years": years, "known": {str(y): v for y, v in known.items()}, "unknown": unknown,
                 "threshold": need, "mean": None, "met": None, "settled": False}
    if not unknown:
        mean = total_known / len(years)
        met = mean <= x if ceiling else mean >= x
        out.update(mean=mean, met=met, settled=True)
        work.findings.append(message("period_mean_known", first=b + 1, last=e, mean=float(mean),
                                       verdict=message("met" if met else "not_met")))
        return out
    # Logical bounds on the unknown years: a rate is never negative, and a partial mean of m months
    # puts the year's mean at least m/12 of it.
    low = 0.0
    for y in unknown:
        partial = [r for r in ctx.readings if r.year == y and r.months < 12 and r.qualifier in ev.POINT + ev.LOWER]
        low += max((r.value * r.months / 12 for r in partial), default=0.0)
    out["unknown_at_least"] = low
    work.findings.append(message("period_mean_needs" if ceiling else "period_mean_needs_floor", target=float(x),
                                   years=unknown, need=float(need), known=float(total_known)))
    if ceiling and low > need:
        out.update(met=False, settled=True)
        work.findings.append(message("period_mean_settled", verdict=message("not_met")))
    return out


def _primary_mean(ctx: _Context, out: dict) -> dict:
    """When the plan names the period mean as the primary reading, a settled mean decides."""
    mean = out.get("period_mean")
    if ctx.ind.primary != "mean" or not mean or not mean["settled"]:
        return out
    code = ("achieved" if ctx.year >= ctx.e else "on_track") if mean["met"] else "missed"
    out.update(status=message(code), basis="settled_annual" if mean["mean"] is not None else "settled_bounds",
               probability=1.0 if mean["met"] else 0.0, probability_is_bound=False)
    return out


# --------------------------------------------------------------------------------------------
# The qualitative rule: series A at least series B, each year
# --------------------------------------------------------------------------------------------

def _qualitative(ctx: _Context, data: Dataset, confidence: dict[str, str], work: _Work) -> dict:
    ind, b, e, year, config = ctx.ind, ctx.b, ctx.e, ctx.year, ctx.config
    assert ind.rule is not None
    last = min(year, e)
    elapsed = list(range(b + 1, last + 1))
    out = _empty_figures()
    left = annual_series(data.series(ind.rule.compare), confidence)
    right = annual_series(data.series(ind.rule.at_least), confidence)
    out["rule_series"] = {ind.rule.compare: list(left.chosen.values()), ind.rule.at_least: list(right.chosen.values())}
    lp, rp = left.points(), right.points()
    met, missed, unknown, results = [], [], [], []
    for y in elapsed:
        if y in lp and y in rp:
            ok = lp[y] >= rp[y]
            (met if ok else missed).append(y)
            results.append({"year": y, "outcome": "met" if ok else "missed", "settled": True, "p": float(ok), "by": "annual"})
        else:
            unknown.append(y)
            results.append({"year": y, "outcome": "unknown", "settled": False, "p": _rule_gap_p(y, lp, rp),
                            "by": "estimate"})
    known = sorted(set(lp) & set(rp) & set(elapsed))
    if known:
        c = known[-1]
        out["latest"] = left.chosen[c]
        out["current_year"] = c
        out["tau"] = elapsed_share(c, b, e)
    out.update(years_met=met, years_missed=missed, years_unknown=unknown, year_results=results)
    if elapsed:
        out["progress"] = len(met) / len(elapsed)
    rests = [p for s in (left, right) for y, p in s.chosen.items() if y in elapsed]
    work.rested_on += [ev.Reading(y * 12, y * 12 + 11, p.value or 0.0, p.qualifier, p.source,
                                  str(data.sources.set_index("source")["publisher"].get(p.source, p.source)),
                                  confidence.get(p.source, "low"), p.line, p.period)
                       for y, p in ((int(p.period), p) for p in rests)]
    work.reasons.append(message("no_forecast_qualitative"))
    if unknown:
        _years_unsettled(work, unknown, message("rule_compare"))
    gaps = [r["p"] for r in results if r["outcome"] == "unknown"]
    if missed:
        out.update(status=message("missed"), probability=0.0, basis="settled_annual")
    elif not met:
        _no_current_value(work, b, year)
        out.update(status=message("insufficient_data"))
    elif not unknown:
        out.update(status=message("achieved" if year >= e else "on_track"), basis="settled_annual",
                   probability=1.0 if year >= e else None)
    elif year >= e and all(g is not None for g in gaps):
        p = float(np.prod(gaps))
        out.update(status=message(_status_from_p(p, config)), probability=p, basis="provisional")
        for r in results:
            if r["outcome"] == "unknown":
                work.findings.append(_rule_gap_message(ind, r["year"], lp, rp, r["p"]))
    elif year >= e:
        out.update(status=message("insufficient_data"))
    else:
        out.update(status=message("on_track"), basis="undetermined")
    return out


def _rule_gap_p(y: int, lp: dict[int, float], rp: dict[int, float]) -> float | None:
    """P(A ≥ B) in a year where one side is missing, from that side's neighbours and year-to-year changes.

    The missing side is taken as the mean of the adjacent recorded years, spread by the standard
    deviation of its recorded year-to-year changes (at least three of them); otherwise no p."""
    for have, miss, sign in ((lp, rp, 1), (rp, lp, -1)):
        if y in have and y not in miss:
            around = [miss[yy] for yy in (y - 1, y + 1) if yy in miss]
            changes = [miss[yy + 1] - miss[yy] for yy in sorted(miss) if yy + 1 in miss]
            if not around or len(changes) < 3:
                return None
            centre = sum(around) / len(around)
            spread = max(ev._sd(changes), 1e-9)
            # sign +1: A known, B missing: P(B ≤ A); sign −1: B known, A missing: P(A ≥ B)
            z = (have[y] - centre) / spread if sign > 0 else (centre - have[y]) / spread
            return ev.normal_cdf(z)
    return None


def _rule_gap_message(ind: Indicator, y: int, lp: dict[int, float], rp: dict[int, float], p: float | None) -> Message:
    assert ind.rule is not None
    missing = ind.rule.at_least if y in lp else ind.rule.compare
    known = lp.get(y, rp.get(y))
    return message("rule_gap", year=y, missing=missing, p=p or 0, known=known)


def _stale(work: _Work, c: int, last: int, known: Iterable[int]) -> None:
    """The progress figures rest on year c; say which later years have no value."""
    gap = [y for y in range(c + 1, last + 1) if y not in set(known)]
    if gap:
        work.reasons.append(message("stale", year=c, gap=gap))


def _too_few(work: _Work, n: int, config: MethodConfig, segment_start: int | None = None) -> None:
    """No probability: fewer annual point values (since the last definition break) than it needs."""
    since = message("since_break", year=segment_start) if segment_start else None
    work.reasons.append(message("too_few_points", n=n, need=config.min_points_probability, since=since))


def _base(series: Annual, b: int, upto: int, segment_start: int | None, work: _Work) -> tuple[int, Point] | None:
    """y_b: the base-year point, or the first later point (Open SDG's next available year)."""
    start = max(b, segment_start or b)
    pts = series.points(range(start, upto + 1))
    if not pts:
        return None
    year = min(pts)
    if year != b:
        why = message("base_why_break", year=segment_start) if segment_start and segment_start > b \
            else message("base_why_missing", year=b)
        work.flags.append(message("base_substituted", why=why, year=year))
    return year, series.chosen[year]


# --------------------------------------------------------------------------------------------
# Level targets: end_level, increase, around, full_rate
# --------------------------------------------------------------------------------------------

def _margin(ctx: _Context, y_b: float | None, v: float) -> float | None:
    """Signed distance of an end value to the target (positive: met); None when it needs a base we lack."""
    ind, config = ctx.ind, ctx.config
    x = float(ind.target)  # type: ignore[arg-type]
    if ind.kind is TargetKind.end_level:
        return ind.sign * (v - x)
    if ind.kind is TargetKind.increase:
        return None if y_b is None else ind.sign * (v - y_b) - x
    if ind.kind is TargetKind.full_rate:
        return v - config.full_rate_threshold
    return (ind.tolerance or config.around_tolerance) - abs(v - x)


def _end_value(ctx: _Context, y_b: float | None, base_exact: bool, work: _Work) -> dict | None:
    """What the end-year rows settle: a single value settles an end level (and an increase when the
    base is known), a bound on the right side settles too; a weak source gives a probability."""
    e, ind = ctx.e, ctx.ind
    if ind.kind is TargetKind.increase and not base_exact:
        return None  # an increase over the base year needs that year's value
    chosen = ctx.series.chosen.get(e)
    if chosen is None or chosen.value is None:
        partial = [r for r in ctx.readings if r.year == e and r.months < 12]
        if not partial or ind.kind is TargetKind.around:
            return None
        reading = ev.latest(partial)
        nowcast, spread, history = _nowcast(ctx, reading)
        margin = _margin(ctx, y_b, nowcast)
        if margin is None:
            return None
        p = ev.normal_cdf(margin / spread)
        work.findings.append(_nowcast_message(e, reading, nowcast, spread, history, p))
        # without history the nowcast is graded low, whatever its source
        work.rested_on.append(reading if history else replace(reading, confidence="low"))
        return {"probability": p, "basis": "provisional"}
    annual = ctx.annual_readings.get(e, [])
    used = next((r for r in annual if r.line == chosen.line), None)
    if used is None:
        return None
    v, q = chosen.value, chosen.qualifier
    margin = _margin(ctx, y_b, v)
    if margin is None:
        return None
    met = _end_met(ctx, q, margin)
    if met is None:
        return None

    def side(r: ev.Reading) -> bool | None:
        m = _margin(ctx, y_b, r.value)
        return None if m is None else _end_met(ctx, r.qualifier, m)

    agreeing = [r for r in annual if side(r) == met]
    if _settled_value(ctx, used, agreeing, abs(margin)):
        work.rested_on += agreeing
        return {"status": "achieved" if met else "missed", "probability": 1.0 if met else 0.0,
                "basis": "settled_annual" if q in ev.POINT else "settled_bounds"}
    p = _value_probability(ctx, used, abs(margin))
    p = p if met else 1 - p
    work.rested_on.append(used)
    why = "why_confidence" if not ev.trustworthy(agreeing) else "why_margin"
    work.findings.append(message("value_uncertain", year=e, value=float(v), source=used.source,
                                   confidence=used.confidence, why=message(why),
                                   p=p))
    return {"probability": p, "basis": "provisional"}


def _end_met(ctx: _Context, qualifier: str, margin: float) -> bool | None:
    """Is an end value met, given its margin (positive: on the good side)? A bound decides only when it
    points away from the target: `> 95` or `>= 95` meets an end level of 95, `< 95` misses it."""
    if qualifier in ev.POINT:
        return margin >= 0
    if ctx.ind.kind not in (TargetKind.end_level, TargetKind.full_rate):
        return None
    if (qualifier in ev.LOWER) == (ctx.ind.sign > 0):  # the true value is at least as good as the bound
        return True if margin >= 0 else None
    # the true value is at most as good as the bound: missed below the target, or at it when strict
    return False if margin < 0 or (margin == 0 and qualifier in (">", "<")) else None


def _required_ratio(ctx: _Context, y_b: float, y_c: float, b_used: int, c: int) -> tuple[float | None, bool]:
    """r = pace the remaining years need ÷ pace achieved so far (log scale for compounding stocks and
    funds); returns (r, moving_away)."""
    ind, e, config = ctx.ind, ctx.e, ctx.config
    x = float(ind.target)  # type: ignore[arg-type]
    if ind.kind is TargetKind.around:
        tol = ind.tolerance or config.around_tolerance
        d_b, d_c = max(abs(y_b - x) - tol, 0.0), max(abs(y_c - x) - tol, 0.0)
        achieved, required = (d_b - d_c) / (c - b_used), d_c / (e - c)
    else:
        goal = {TargetKind.end_level: x, TargetKind.full_rate: 100.0, TargetKind.increase: y_b + ind.sign * x}[ind.kind]  # type: ignore[index]
        log = ind.scale == "log" and ind.kind in (TargetKind.end_level, TargetKind.increase) and min(y_b, y_c, goal) > 0
        f = np.log if log else (lambda v: v)
        achieved = float(f(y_c) - f(y_b)) / (c - b_used)
        required = float(f(goal) - f(y_c)) / (e - c)
    if required == 0:
        return 0.0, False
    if achieved == 0:
        return float("inf"), False  # standing still: lagging, not moving away
    if (achieved > 0) != (required > 0):
        return None, True
    return required / achieved, False


def _scope_change(ind: Indicator, b_used: int, c: int) -> int | None:
    return next((ch.year for ch in ind.definition_changes if b_used < ch.year <= c), None)


def _level(ctx: _Context, work: _Work) -> dict:
    ind, b, e, year, config, series = ctx.ind, ctx.b, ctx.e, ctx.year, ctx.config, ctx.series
    kind = ind.kind
    assert kind is not None and ind.target is not None
    out = _empty_figures()
    last = min(year, e)
    base = _base(series, b, last, ctx.segment_start, work)
    pts = series.points(range(b + 1, last + 1))
    c = max(pts) if pts else None
    if c is not None:
        out["latest"], out["current_year"] = series.chosen[c], c
        _stale(work, c, last, pts)
    if base is not None:
        out["base"], out["base_substituted"] = base[1], base[0] != b
    y_b = base[1].value if base is not None else None
    base_exact = base is not None and base[0] == b
    if y_b is None and kind is TargetKind.increase and b in series.chosen:
        out["base"] = series.chosen[b]  # a bound: shown, never used as a number
    if c is not None and base is not None and c > base[0]:
        _pace(ctx, out, base[0], y_b, c, pts[c], work)  # type: ignore[arg-type]
    elif c is not None and base is not None:
        work.reasons.append(message("no_base", need=config.min_points_pace))
    elif c is None:
        _no_current_value(work, b, year)
    if kind is TargetKind.increase and not base_exact:
        work.data_needed.append(message("need_base", year=b))
    if year >= e:
        return _level_at_end(ctx, out, c, y_b, base_exact, work)
    return _level_before_end(ctx, out, c, y_b, work)


def _level_forecast(ctx: _Context, c: int, y_ref: float, work: _Work) -> Forecast | None:
    """Paths from year c to E, met by the kind's rule on the end-year value (``y_ref``: the base)."""
    ind, config = ctx.ind, ctx.config
    return _forecast(ind, ctx.series, c, ctx.e, ctx.segment_start, config, work,
                     met=lambda p: level_met(ind.kind, ind, y_ref, p[:, -1], config),  # type: ignore[arg-type]
                     endpoint=lambda p: p[:, -1])


def _level_at_end(ctx: _Context, out: dict, c: int | None, y_b: float | None, base_exact: bool, work: _Work) -> dict:
    """The end year: what its rows settle, else a probability from them or from the earlier years' trend."""
    e, config = ctx.e, ctx.config
    end = _end_value(ctx, y_b, base_exact, work)
    if end is not None and "status" in end:
        out.pop("reached", None)
        out.update(status=message(end.pop("status")), **end)
        return out
    if end is not None:
        out.update(**end)
    else:
        work.data_needed.append(message("need_end", year=e, rule=_rule_text(ctx.ind, config, ctx.b)))
        if c is not None and c < e and y_b is not None:
            out["forecast"] = _level_forecast(ctx, c, y_b, work)
            if out["forecast"] is not None:
                out.update(probability=out["forecast"].probability, basis="forecast")
    p = out["probability"]
    reached = p is None and out.get("reached")
    out["status"] = message("target_reached" if reached else _status_from_p(p, config))
    out.pop("reached", None)
    return out


def _level_before_end(ctx: _Context, out: dict, c: int | None, y_b: float | None, work: _Work) -> dict:
    """Before the end year: the forecast's p, and the status from pace (set by :func:`_pace`)."""
    series, e = ctx.series, ctx.e
    if c is None:
        out["status"] = message("insufficient_data")
        before = series.points(range(0, min(ctx.year, e) + 1))
        if before:
            # No plan-period value: the trend of the pre-plan years still says where the series was heading.
            c_pre = max(before)
            out["latest"], out["current_year"] = series.chosen[c_pre], c_pre
            out["forecast"] = _level_forecast(ctx, c_pre, y_b if y_b is not None else before[c_pre], work)
        work.data_needed.append(message("need_end", year=e, rule=_rule_text(ctx.ind, ctx.config, ctx.b)))
        return _with_forecast_p(out)
    if y_b is not None:
        out["forecast"] = _level_forecast(ctx, c, y_b, work)
    _with_forecast_p(out)
    work.rested_on += [r for r in ctx.annual_readings.get(c, []) if r.line == series.chosen[c].line]
    if out.pop("reached", False):
        out["status"] = message("target_reached")
        work.findings.append(message("reached_can_fall", year=c, end=e,
                                     p=out["probability"] if out["probability"] is not None
                                     else message("reached_unknown")))
    elif "status" not in out:
        out["status"] = message("insufficient_data")
    return out


def _with_forecast_p(out: dict) -> dict:
    f = out["forecast"]
    if f is not None and f.probability is not None:
        out["probability"] = f.probability
        if out["basis"] == "undetermined" or out["basis"] == "pace":
            out["basis"] = "forecast"
    return out


def _pace(ctx: _Context, out: dict, b_used: int, y_b: float, c: int, y_c: float, work: _Work) -> None:
    """Progress P, ρ = P/τ ("how far since the base") and the status from r (how hard the rest is)."""
    ind, e, config = ctx.ind, ctx.e, ctx.config
    kind = ind.kind
    x = float(ind.target)  # type: ignore[arg-type]
    tau = elapsed_share(c, b_used, e)
    out["tau"] = tau
    already = bool(level_met(kind, ind, y_b, y_c, config))  # type: ignore[arg-type]
    if kind is not TargetKind.around and c < e:
        goal = {TargetKind.end_level: x, TargetKind.full_rate: 100.0, TargetKind.increase: y_b + ind.sign * x}[kind]  # type: ignore[index]
        out["required_per_year"] = (goal - y_c) / (e - c)
        out["average_per_year"] = (y_c - y_b) / (c - b_used)
    if already and kind is not TargetKind.around:
        out["reached"] = c < e
        return
    if c >= e:
        return  # the end value itself decides
    if kind is TargetKind.around and already:
        out["status"], out["basis"] = message("on_track"), "pace"
        return
    changed = _scope_change(ind, b_used, c)
    if changed is not None:
        work.reasons.append(message("scope_change", year=changed))
        return
    distance = abs((y_b + ind.sign * x if kind is TargetKind.increase else x) - y_b)
    if kind is not TargetKind.around and distance <= config.distance_within_error * abs(y_b):
        work.reasons.append(message("within_error"))
        return
    progress = level_progress(kind, ind, y_b, y_c, config)  # type: ignore[arg-type]
    out["progress"] = progress
    if progress is None:
        work.reasons.append(message("no_progress_share"))
        out["status"], out["basis"] = message("moving_away"), "pace"
        return
    out["pace"] = progress / tau
    r, away = _required_ratio(ctx, y_b, y_c, b_used, c)
    out["required_ratio"] = r
    out["status"] = message("moving_away" if away else pace_status(r, config))  # type: ignore[arg-type]
    out["basis"] = "pace"


# --------------------------------------------------------------------------------------------
# Cumulative targets: a sum of annual flows over the plan years
# --------------------------------------------------------------------------------------------

def _cumulative(ctx: _Context, work: _Work) -> dict:
    """Σ annual flows over b+1..E. The exact sum is known up to the last year c with no gap before it;
    values over disjoint periods (annual, partial-year, running totals) bound the whole sum from below."""
    ind, b, e, year, config, series = ctx.ind, ctx.b, ctx.e, ctx.year, ctx.config, ctx.series
    x = float(ind.target)  # type: ignore[arg-type]
    out = _empty_figures()
    last = min(year, e)
    flows = series.points(range(max(b + 1, ctx.segment_start or 0), last + 1))
    c = b
    while c + 1 in flows:
        c += 1
    low, used = ev.lower_bound_sum(ctx.readings, (b + 1) * 12, last * 12 + 11)
    done = float(sum(flows[y] for y in range(b + 1, c + 1))) if c > b else None
    if flows:
        out["latest"], out["current_year"] = series.chosen[max(flows)], max(flows)
    if used:
        out["lower_bound"] = low
        if done is None or low > done + 1e-9:
            work.findings.append(message("lower_bound", value=float(low), periods=[r.period for r in used],
                                           share=float(low / x)))
    missing = [y for y in range(b + 1, e + 1) if y not in flows]
    known_sum = float(sum(flows.values()))
    if low >= x and used:
        _cumulative_past_target(ctx, out, low, used, ended=last >= e and c >= e, work=work)
        _cumulative_pace(ctx, out, c, done, work)
        return out
    later = sorted(y for y in flows if y > c)
    if later:
        work.reasons.append(message("cumulative_gap", year=c + 1, later=later))
    if missing:
        work.data_needed.append(message("need_flows", years=missing, need=float(x - known_sum)))
        if used and low > (done or 0.0):
            work.findings.append(message("lower_bound_needs", years=missing, need=float(x - low)))
    work.rested_on += used
    if c >= e:
        # every plan year known and the sum is short
        trusted = ev.trustworthy(used)
        out.update(status=message("missed") if trusted else message("likely_missed"),
                   probability=0.0 if trusted else None, basis="settled_annual" if trusted else "provisional")
        _cumulative_pace(ctx, out, c, done, work)
        return out
    if c == b:
        if not flows and not used:
            _no_current_value(work, b, year)
        out["status"] = message("insufficient_data")
        return out
    _cumulative_pace(ctx, out, c, done, work)
    out["forecast"] = _forecast(ind, series, c, e, ctx.segment_start, config, work,
                                met=lambda p: done + p.sum(axis=1) >= x,  # type: ignore[operator]
                                endpoint=lambda p: done + p.sum(axis=1))  # type: ignore[operator]
    _with_forecast_p(out)
    if year >= e:
        out["status"] = message(_status_from_p(out["probability"], config))
    return out


def _cumulative_past_target(ctx: _Context, out: dict, low: float, used: list[ev.Reading], ended: bool,
                            work: _Work) -> None:
    """Known values already add up to the target: achieved (early, unless every plan year is ``ended``)
    when their sources carry it by more than rounding, else likely, allowing for their error."""
    x = float(ctx.ind.target)  # type: ignore[arg-type]
    if ev.trustworthy(used) and low - x > ev.rounding(x):
        out.update(status=message("achieved" if ended else "achieved_early"), probability=1.0,
                   basis="settled_annual" if all(r.months == 12 and r.qualifier in ev.POINT for r in used)
                   else "settled_bounds")
        work.findings.append(message("lower_bound_settles", target=x))
    else:
        spread = float(np.sqrt(sum(ev.value_error(r, ctx.errors) ** 2 for r in used))) or 1e-9
        out.update(status=message("likely_achieved"), probability=ev.normal_cdf((low - x) / spread),
                   basis="provisional")
    work.rested_on += used


def _cumulative_pace(ctx: _Context, out: dict, c: int, done: float | None, work: _Work) -> None:
    """Figures of the exact running sum up to c: P, τ, ρ, and the status from r when not settled."""
    b, e, config = ctx.b, ctx.e, ctx.config
    if done is None:
        return
    x = float(ctx.ind.target)  # type: ignore[arg-type]
    out.update(latest=ctx.series.chosen[c], current_year=c, cumulative_done=done, tau=elapsed_share(c, b, e),
               progress=done / x, average_per_year=done / (c - b))
    _stale(work, c, min(ctx.year, e), ctx.series.points(range(b + 1, min(ctx.year, e) + 1)))
    out["pace"] = out["progress"] / out["tau"]
    if c < e and done < x:
        out["required_per_year"] = (x - done) / (e - c)
        r = out["required_per_year"] / out["average_per_year"] if out["average_per_year"] > 0 else None
        out["required_ratio"] = r
        if "status" not in out:
            out["status"] = message(pace_status(r, config) if r is not None else "lagging")
            out["basis"] = "pace"


def _binding_rule(ctx: _Context, result: dict, work: _Work) -> None:
    """A binding target is never "broadly on track" with p below the configured cut."""
    p = result.get("probability")
    if ctx.ind.binding and result["status"].code == "broadly_on_track" and p is not None and p < ctx.config.binding_min_p:
        result["status"] = message("lagging")
        work.reasons.append(message("binding_not_broadly", cut=ctx.config.binding_min_p))


# --------------------------------------------------------------------------------------------
# The verdict sentence
# --------------------------------------------------------------------------------------------

def _verdict(ind: Indicator, result: dict, year: int, e: int, graded: ev.Grade) -> Message:
    """One sentence: status, the evidence it rests on, how likely and how sure."""
    st: Message = result["status"]
    parts = []
    if result["years_missed"]:
        parts.append(message("verdict_missed", years=result["years_missed"]))
    if result["years_met"] and ind.kind and ind.kind.each_year:
        parts.append(message("verdict_met", years=result["years_met"]))
    estimated = [r for r in result["year_results"] if r["outcome"] == "unknown" and r["p"] is not None]
    parts += [message("verdict_year_p", year=r["year"], p=r["p"]) for r in estimated]
    blind = [y for y in result["years_unknown"] if y not in [r["year"] for r in estimated]]
    if blind:
        parts.append(message("verdict_no_data", years=blind))
    if result.get("lower_bound") is not None and st.code not in ("achieved", "achieved_early"):
        parts.append(message("verdict_at_least", value=result["lower_bound"]))
    p = result.get("probability")
    if p is not None and not result["basis"].startswith("settled"):
        bound = message("at_most") if result.get("probability_is_bound") and p >= 0.01 else None
        if ind.kind is not None and ind.kind.each_year:
            parts.append(message("verdict_p_each_year", likelihood=result.get("likelihood"), bound=bound, p=p))
        elif year >= e:
            parts.append(message("verdict_p_end", likelihood=result.get("likelihood"), bound=bound, p=p))
        else:
            parts.append(message("verdict_p_by_end", end=e, likelihood=result.get("likelihood"), bound=bound, p=p))
    if graded.confidence is not None and st.code != "insufficient_data":
        parts.append(message("verdict_confidence", confidence=graded.confidence, publishers=graded.publishers))
    target = ind.target_text.model_dump() if ind.target_text else ind.target
    return message("verdict", name=ind.name.model_dump(), target=target, year=year, status=st, parts=parts)
