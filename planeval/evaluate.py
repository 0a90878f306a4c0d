"""Progress, pace, status and forecast for every target kind (METHOD.md), as one result record.

``evaluate(plan, indicator, dataset, year, config)`` is the single entry point. It cuts the data
as of ``year`` itself, so no caller can leak later observations into an earlier evaluation.
Arithmetic only: the dataset is already loaded; nothing here reads or writes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from . import forecast as fc
from . import words
from .config import MethodConfig, grade
from .data import POINT_QUALIFIERS, Dataset
from .plan import Indicator, Plan, TargetKind
from .record import Forecast, Message, Point, Record

CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
QUALIFIER_RANK = {"=": 0, "~": 1, "<=": 2, "<": 2, ">=": 2, ">": 2}


# --------------------------------------------------------------------------------------------
# Observations -> annual series
# --------------------------------------------------------------------------------------------

def _point(row: pd.Series, used: bool = True) -> Point:
    value = None if pd.isna(row["value"]) else float(row["value"])
    return Point(period=str(row["period"]), value=value, qualifier=str(row["qualifier"]), unit=str(row["unit"]),
                 source=str(row["source"]), kind=str(row["kind"]), note=str(row.get("note", "")),
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
            _conf=group["source"].map(lambda s: CONFIDENCE_RANK.get(source_confidence.get(s, "low"), 2)),
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

def pace_status(rho: float, config: MethodConfig) -> str:
    """Status word for a pace ρ = P/τ (rounded to 9 decimals so exact edges are exact)."""
    return grade(round(rho, 9), [(config.ahead_at, "ahead"), (config.on_track_at, "on_track"),
                                 (config.needs_acceleration_at, "needs_acceleration"), (0.0, "lagging")],
                 below="moving_away")


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


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1e6 else f"{v:,.0f}"


def evaluate(plan: Plan, ind: Indicator, dataset: Dataset, year: int, config: MethodConfig) -> Record:
    """The result record of one indicator for one evaluation year."""
    if not ind.identified or ind.kind is None or ind.series is None:
        raise ValueError(f"indicator '{ind.id}' is not identified; it has no record")
    data = dataset.as_of(year)
    confidence = dict(zip(data.sources["source"], data.sources["confidence"]))
    b, e = plan.base_year, plan.end_year
    kind = ind.kind
    unit = ind.unit.en if ind.unit else ""
    work = _Work([], [])

    rows = data.series(ind.series)
    series = annual_series(rows, confidence)
    history = sorted(series.all_points, key=lambda p: (p.period, not p.used))
    evidence = [_point(r) for _, r in rows.iterrows()
                if r["kind"] in ("partial", "projection") or (r["kind"] == "actual" and r["period_type"] != "year")]
    targets = [_point(r) for _, r in rows.iterrows() if r["kind"] == "annual_target"]
    for y in series.competing:
        vals = "; ".join(f"{p.qualifier}{_fmt(p.value)} ({p.source})" for p in series.all_points if p.period == str(y))
        work.flags.append(words.message("competing_values", f"{y}年有不同来源的数值：{vals}；采用可信度较高的来源。",
                                        f"{y} has values from several sources: {vals}; the higher-confidence source is used."))
    last_year = min(year, e)
    breaks = [y for y in ind.breaks() if y <= last_year]
    segment_start = breaks[-1] if breaks else None
    for change in ind.definition_changes:
        if change.year <= year:
            label = ("口径断点" if change.type == "break" else "口径变化")
            work.flags.append(words.message(f"definition_{change.type}", f"{label}（{change.year}年起）：{change.zh}",
                                            f"Definition {'break' if change.type == 'break' else 'change'} from {change.year}: {change.en}"))

    common = dict(plan_id=plan.id, indicator_id=ind.id, evaluation_year=year, kind=kind.value,
                  direction=ind.direction, target=ind.target, tolerance=(ind.tolerance or config.around_tolerance)
                  if kind is TargetKind.around else ind.tolerance, unit=unit, base_year=b, end_year=e,
                  history=history, evidence=evidence, annual_targets=targets)

    if kind.each_year:
        result = _each_year(plan, ind, data, series, year, config, work, confidence)
    elif kind is TargetKind.cumulative:
        result = _cumulative(plan, ind, series, year, segment_start, config, work)
    else:
        result = _level(plan, ind, series, year, segment_start, config, work)
    return Record(**common, **result, reasons=work.reasons, flags=work.flags,
                  verdict=_verdict(ind, result, year, e))


def _fit_points(series: Annual, upto: int, segment_start: int | None) -> tuple[np.ndarray, np.ndarray]:
    pts = {y: v for y, v in series.points().items() if y <= upto and (segment_start is None or y >= segment_start)}
    years = np.array(sorted(pts), dtype=int)
    return years, np.array([pts[y] for y in years], dtype=float)


def _forecast(ind: Indicator, series: Annual, c: int, e: int, segment_start: int | None, config: MethodConfig,
              work: _Work, met: Callable[[np.ndarray], np.ndarray], endpoint: Callable[[np.ndarray], np.ndarray],
              score_from: int | None = None) -> Forecast | None:
    """Simulate from the last fitted point to E and apply the kind's rule to the paths."""
    if c >= e:
        return None
    years, values = _fit_points(series, c, segment_start)
    if len(years) < config.min_points_probability:
        _too_few(work, len(years), config, segment_start)
        return None
    horizon = np.arange(int(years[-1]) + 1, e + 1)
    sim = fc.simulate(years, values, horizon, ind.scale, config)
    if sim.scale != ind.scale:
        work.flags.append(words.message("scale_fallback", f"数据不适合{ind.scale}变换，改用原始尺度拟合。",
                                        f"The values do not allow a {ind.scale} scale; fitted on the original scale."))
    if score_from is not None:
        cols = horizon >= score_from
        met_cols = lambda p: met(p[:, cols])  # noqa: E731
    else:
        met_cols = met
    p, by_model = fc.probability(sim.paths, met_cols)
    p_plain, _ = fc.probability(sim.paths_uninflated, met_cols)
    pooled = np.concatenate(list(sim.paths.values()))
    ends = endpoint(pooled)
    lo_q, hi_q = (1 - config.interval) / 2, (1 + config.interval) / 2
    fan = {str(int(y)): [float(np.quantile(pooled[:, i], lo_q)), float(np.median(pooled[:, i])),
                         float(np.quantile(pooled[:, i], hi_q))] for i, y in enumerate(horizon)}
    return Forecast(year=e, point=float(np.median(ends)), low=float(np.quantile(ends, lo_q)),
                    high=float(np.quantile(ends, hi_q)), probability=p,
                    likelihood=words.likelihood(fc.likelihood_code(p, config)), probability_uninflated=p_plain,
                    probability_by_model=by_model, models=list(sim.paths), fit_years=[int(y) for y in years],
                    scale=sim.scale, fan=fan)


def _empty_figures() -> dict:
    return dict(latest=None, base=None, base_substituted=False, current_year=None, tau=None, progress=None,
                pace=None, years_met=[], years_missed=[], years_unknown=[], headroom=None, min_ratio=None,
                cumulative_done=None, required_per_year=None, average_per_year=None, forecast=None, rule_series={})


def _no_current_value(work: _Work, b: int, year: int) -> None:
    work.reasons.append(words.message("no_current_value", f"{b + 1}年以来（截至{year}年）没有年度数值，无法计算进度。",
                                      f"No annual value since {b + 1} (as of {year}): progress cannot be computed."))


def _each_year(plan: Plan, ind: Indicator, data: Dataset, series: Annual, year: int, config: MethodConfig,
               work: _Work, confidence: dict[str, str]) -> dict:
    b, e = plan.base_year, plan.end_year
    last = min(year, e)
    elapsed = list(range(b + 1, last + 1))
    out = _empty_figures()
    met: list[int] = []
    missed: list[int] = []
    unknown: list[int] = []
    if ind.kind is TargetKind.qualitative:
        assert ind.rule is not None
        left = annual_series(data.series(ind.rule.compare), confidence)
        right = annual_series(data.series(ind.rule.at_least), confidence)
        out["rule_series"] = {ind.rule.compare: list(left.chosen.values()), ind.rule.at_least: list(right.chosen.values())}
        lp, rp = left.points(), right.points()
        for y in elapsed:
            if y in lp and y in rp:
                (met if lp[y] >= rp[y] else missed).append(y)
            else:
                unknown.append(y)
        known = sorted(set(lp) & set(rp) & set(elapsed))
        if known:
            c = known[-1]
            out["latest"] = series.chosen.get(c) or left.chosen[c]
            out["current_year"] = c
    else:
        assert ind.target is not None
        for y in elapsed:
            p = series.chosen.get(y)
            verdict = year_met(ind.kind, ind.target, p) if p else None
            (unknown if verdict is None else met if verdict else missed).append(y)
        settled = [y for y in elapsed if y not in unknown]
        if settled:
            c = settled[-1]
            latest = series.chosen[c]
            out["latest"], out["current_year"] = latest, c
            if latest.qualifier in POINT_QUALIFIERS and latest.value is not None:
                # ceiling: X − y_c; floor: y_c − X (positive = room to spare, whatever the direction field says)
                out["headroom"] = ind.target - latest.value if ind.kind is TargetKind.ceiling_each_year \
                    else latest.value - ind.target
            pts = [series.chosen[y].value for y in settled if series.chosen[y].qualifier in POINT_QUALIFIERS]
            if ind.kind is TargetKind.floor_each_year and pts:
                out["min_ratio"] = min(pts) / ind.target
    out.update(years_met=met, years_missed=missed, years_unknown=unknown)
    if elapsed:
        out["progress"] = len(met) / len(elapsed)
    if out["current_year"] is not None:
        out["tau"] = elapsed_share(out["current_year"], b, e)
    if unknown:
        work.reasons.append(words.message(
            "years_unknown", f"{words.years_text(unknown, 'zh')}没有可判断的年度数值，不能认定“每年均达标”。",
            f"No annual value settles {words.years_text(unknown, 'en')}: 'met every year' cannot be claimed."))

    if not elapsed:
        out["status"] = words.status("insufficient_data")
    elif missed:
        out["status"] = words.status("missed" if year >= e else "lagging")
    elif not met:
        _no_current_value(work, b, year)
        out["status"] = words.status("insufficient_data")
    elif year >= e and unknown:
        # Met in every year we can judge, but "every year" cannot be confirmed: not "achieved".
        out["status"] = words.status("insufficient_data")
    elif year >= e:
        out["status"] = words.status("achieved")
    else:
        out["status"] = words.status("on_track")

    if ind.kind is TargetKind.qualitative:
        work.reasons.append(words.message("no_forecast_qualitative", "定性目标按规则逐年判断，不作概率预测。",
                                          "A qualitative rule is judged year by year; no probability is forecast."))
    elif year < e and missed:
        work.reasons.append(words.message("already_missed", f"{words.years_text(missed, 'zh')}未达标，规划期目标已不可能全部实现，概率为0。",
                                          f"{words.years_text(missed, 'en')} missed: the every-year target can no longer be met (p = 0)."))
    elif year < e:
        c_pt = max(series.points(range(0, year + 1)), default=None)
        if c_pt is not None:
            target = ind.target
            ceiling = ind.kind is TargetKind.ceiling_each_year
            rule = (lambda p: np.all(p <= target, axis=1)) if ceiling else (lambda p: np.all(p >= target, axis=1))
            segment = max([y for y in ind.breaks() if y <= c_pt], default=None)
            out["forecast"] = _forecast(ind, series, c_pt, e, segment, config, work, rule,
                                        endpoint=lambda p: p[:, -1], score_from=year + 1)
        else:
            _too_few(work, 0, config)
    return out


def _stale(work: _Work, c: int, last: int, known: Iterable[int]) -> None:
    """The progress figures rest on year c; say which later years have no value."""
    gap = [y for y in range(c + 1, last + 1) if y not in set(known)]
    if gap:
        work.reasons.append(words.message(
            "stale", f"进度按{c}年计算；{words.years_text(gap, 'zh')}没有年度数值。",
            f"Progress is as of {c}; {words.years_text(gap, 'en')} {'has' if len(gap) == 1 else 'have'} no annual value."))


def _no_end_value(work: _Work, e: int) -> None:
    work.reasons.append(words.message("no_end_value", f"没有{e}年的数值，无法判断目标是否实现。",
                                      f"No value for {e}: whether the target was met cannot be judged."))


def _too_few(work: _Work, n: int, config: MethodConfig, segment_start: int | None = None) -> None:
    """No probability: fewer annual point values (since the last definition break) than it needs."""
    need = config.min_points_probability
    work.reasons.append(words.message(
        "too_few_points",
        f"{f'{segment_start}年口径断点后' if segment_start else ''}只有{n}个年度观测值，少于计算实现概率所需的{need}个，不给出概率。",
        f"Only {n} annual point value(s){f' since the definition break in {segment_start}' if segment_start else ''}; "
        f"a probability needs at least {need}."))


def _base(series: Annual, b: int, upto: int, segment_start: int | None, work: _Work) -> tuple[int, Point] | None:
    """y_b: the base-year point, or the first later point (Open SDG's next available year)."""
    start = max(b, segment_start or b)
    pts = series.points(range(start, upto + 1))
    if not pts:
        return None
    year = min(pts)
    if year != b:
        why_zh = f"{segment_start}年口径断点" if segment_start and segment_start > b else f"基期{b}年没有可用数值"
        why_en = f"the definition break in {segment_start}" if segment_start and segment_start > b \
            else f"the base year {b} has no usable value"
        work.flags.append(words.message("base_substituted", f"因{why_zh}，以{year}年数值作为基数，时间进度相应缩短。",
                                        f"Because {why_en}, {year} serves as the base and the elapsed share is shortened to match."))
    return year, series.chosen[year]


def _level(plan: Plan, ind: Indicator, series: Annual, year: int, segment_start: int | None,
           config: MethodConfig, work: _Work) -> dict:
    b, e = plan.base_year, plan.end_year
    kind = ind.kind
    assert kind is not None and ind.target is not None
    out = _empty_figures()
    last = min(year, e)
    base = _base(series, b, last, segment_start, work)
    pts = series.points(range(b + 1, last + 1))
    c = max(pts) if pts else None
    if c is not None:
        out["latest"], out["current_year"] = series.chosen[c], c
        _stale(work, c, last, pts)
    if base is None or c is None or c <= base[0]:
        if c is None:
            _no_current_value(work, b, year)
        else:
            work.reasons.append(words.message("no_base", "基期之后只有一个可用数值，至少需要两个才能计算进度。",
                                              f"Only one usable value from the base on; pace needs at least {config.min_points_pace}."))
        out["status"] = words.status("insufficient_data")
        if base is not None:
            out["base"], out["base_substituted"] = base[1], base[0] != b
        before = series.points(range(0, last + 1))
        if c is None and before and year < e:
            # No plan-period value: the trend of the pre-plan years still says where the series was heading.
            c_pre = max(before)
            out["latest"], out["current_year"] = series.chosen[c_pre], c_pre
            y_ref = base[1].value if base is not None and base[1].value is not None else before[c_pre]
            out["forecast"] = _forecast(ind, series, c_pre, e, segment_start, config, work,
                                        met=lambda p: level_met(kind, ind, y_ref, p[:, -1], config),
                                        endpoint=lambda p: p[:, -1])
        return out
    b_used, base_point = base
    y_b, y_c = base_point.value, pts[c]
    assert y_b is not None
    out.update(base=base_point, base_substituted=b_used != b)
    tau = elapsed_share(c, b_used, e)
    out["tau"] = tau
    progress = level_progress(kind, ind, y_b, y_c, config)
    out["progress"] = progress
    already = bool(level_met(kind, ind, y_b, y_c, config))
    if year >= e and c < e:
        _no_end_value(work, e)
        out["status"] = words.status("insufficient_data")
    elif c >= e:
        out["status"] = words.status("achieved" if already else "missed")
    elif already and kind is not TargetKind.around:
        out["status"] = words.status("achieved_early")
    elif kind is TargetKind.around and already:
        out["status"] = words.status("on_track")
    elif progress is None:
        work.reasons.append(words.message("no_progress_share", "基数已在目标一侧，进度比例无意义。",
                                          "The base value is already at the target: the progress share has no meaning."))
        out["status"] = words.status("moving_away")
    else:
        out["pace"] = progress / tau
        out["status"] = words.status(pace_status(out["pace"], config))
    if kind is not TargetKind.around and c < e:
        goal = {TargetKind.end_level: ind.target, TargetKind.full_rate: 100.0,
                TargetKind.increase: y_b + ind.sign * ind.target}[kind]
        out["required_per_year"] = (goal - y_c) / (e - c)
        out["average_per_year"] = (y_c - y_b) / (c - b_used)
    out["forecast"] = _forecast(ind, series, c, e, segment_start, config, work,
                                met=lambda p: level_met(kind, ind, y_b, p[:, -1], config),
                                endpoint=lambda p: p[:, -1])
    return out


def _cumulative(plan: Plan, ind: Indicator, series: Annual, year: int, segment_start: int | None,
                config: MethodConfig, work: _Work) -> dict:
    """Σ annual flows over b+1..E. The sum is only known up to the last year c with no gap before it."""
    b, e = plan.base_year, plan.end_year
    assert ind.target is not None
    out = _empty_figures()
    last = min(year, e)
    flows = series.points(range(b + 1, last + 1))
    c = b
    while c + 1 in flows:
        c += 1
    later = sorted(y for y in flows if y > c)
    if later:
        work.reasons.append(words.message(
            "cumulative_gap", f"{c + 1}年的数值缺失，{words.years_text(later, 'zh')}的数值无法计入累计数。",
            f"{c + 1} is missing, so the value(s) for {words.years_text(later, 'en')} cannot be added to the total."))
    if c == b:
        if flows:
            out["latest"], out["current_year"] = series.chosen[max(flows)], max(flows)
        else:
            _no_current_value(work, b, year)
        out["status"] = words.status("insufficient_data")
        return out
    done = float(sum(flows[y] for y in range(b + 1, c + 1)))
    out.update(latest=series.chosen[c], current_year=c, cumulative_done=done)
    _stale(work, c, last, flows)
    tau = elapsed_share(c, b, e)
    progress = done / ind.target
    out.update(tau=tau, progress=progress)
    if year >= e and c < e and done < ind.target:
        _no_end_value(work, e)
        out["status"] = words.status("insufficient_data")
    elif done >= ind.target:
        out["status"] = words.status("achieved" if c >= e else "achieved_early")
    elif c >= e:
        out["status"] = words.status("missed")
    else:
        out["pace"] = progress / tau
        out["status"] = words.status(pace_status(out["pace"], config))
        out["required_per_year"] = (ind.target - done) / (e - c)
    out["average_per_year"] = done / (c - b)
    out["forecast"] = _forecast(ind, series, c, e, segment_start, config, work,
                                met=lambda p: done + p.sum(axis=1) >= ind.target,
                                endpoint=lambda p: done + p.sum(axis=1))
    return out


def _verdict(ind: Indicator, result: dict, year: int, e: int) -> Message:
    """One sentence: status, the evidence it rests on, and the forecast if there is one."""
    st: Message = result["status"]
    name_zh, name_en = ind.name.zh, ind.name.en
    tt = ind.target_text
    parts_zh = [f"{name_zh}（目标：{tt.zh if tt else _fmt(ind.target)}）截至{year}年：{st.zh}"]
    parts_en = [f"{name_en} (target: {tt.en if tt else _fmt(ind.target)}) as of {year}: {st.en}"]
    if result["years_missed"]:
        parts_zh.append(f"，{words.years_text(result['years_missed'], 'zh')}未达标")
        parts_en.append(f"; missed in {words.years_text(result['years_missed'], 'en')}")
    if result["years_met"] and ind.kind and ind.kind.each_year:
        parts_zh.append(f"，{words.years_text(result['years_met'], 'zh')}达标")
        parts_en.append(f"; met in {words.years_text(result['years_met'], 'en')}")
    if result["years_unknown"]:
        parts_zh.append(f"，{words.years_text(result['years_unknown'], 'zh')}无数据")
        parts_en.append(f"; no data for {words.years_text(result['years_unknown'], 'en')}")
    f: Forecast | None = result["forecast"]
    if f is not None and f.probability is not None and f.likelihood is not None:
        parts_zh.append(f"。预计{e}年目标{f.likelihood.zh}（概率{f.probability:.2f}）")
        parts_en.append(f". The {e} target is {f.likelihood.en} to be met (p = {f.probability:.2f})")
    return Message(st.code, "".join(parts_zh) + "。", "".join(parts_en) + ".")
