"""Charts drawn from result records only: one per indicator, and a one-glance overview.

The optional ``plan`` gives names, units and the years of definition changes (the record does not
carry them); without it the chart falls back to the record's ids and unit. The optional ``context``
(:func:`planeval.method.coverage.context_points` of the series the indicator links) adds those context series:
on the same axis when their unit is the indicator's, else in a small panel of their own below it.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Any

import matplotlib
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from planeval.inputs.glyphs import FONT_FAMILY
from planeval.presentation import formats as fmt
from planeval.presentation.labels import indicator_status, status_colour, status_name, t
from planeval.inputs.plan import Indicator, LoadedPlan, Plan, plan_of

DPI = 150
BOUND_MARKERS = {"<=": "v", "<": "v", ">=": "^", ">": "^"}
C_HIST, C_TARGET, C_FAN, C_EVID, C_ANNUAL, C_CHANGE = "#2166ac", "#c51b7d", "#4393c3", "#762a83", "#555555", "#777777"
C_CONTEXT = ("#8c6d31", "#636363", "#1b9e77")
EVIDENCE_MARKERS = {"projection": "D", "plan_target": "s"}  # anything else (partial readings): a circle
LABEL_GAP_PT = 9.0  # vertical distance between the labels of readings of one year (7 pt text)


# seaborn's "whitegrid" style at its "paper" scale with its "deep" palette: what
# ``seaborn.set_theme(style="whitegrid", context="paper")`` sets (seaborn 0.13.2), kept as values so that
# drawing a chart does not import seaborn, which imports scipy.stats and statsmodels (2 s in each process
# that lays out a report). tests/test_charts.py checks these against seaborn itself.
SEABORN_DEEP = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974",
                "#64b5cd")
SEABORN_THEME: dict[str, Any] = {
    "axes.axisbelow": True, "axes.edgecolor": ".8", "axes.grid": True, "axes.labelcolor": ".15",
    "axes.labelsize": 9.6, "axes.linewidth": 1.0, "axes.titlesize": 9.6, "axes.prop_cycle": cycler(color=SEABORN_DEEP),
    "font.size": 9.6, "grid.color": ".8", "legend.fontsize": 8.8, "legend.title_fontsize": 9.6,
    "lines.linewidth": 1.2, "lines.markersize": 4.8, "lines.solid_capstyle": "round",
    "patch.edgecolor": "w", "patch.force_edgecolor": True, "patch.linewidth": 0.8, "text.color": ".15",
    "xtick.bottom": False, "xtick.color": ".15", "xtick.labelsize": 8.8, "xtick.major.size": 4.8,
    "xtick.major.width": 1.0, "xtick.minor.size": 3.2, "xtick.minor.width": 0.8,
    "ytick.color": ".15", "ytick.labelsize": 8.8, "ytick.left": False, "ytick.major.size": 4.8,
    "ytick.major.width": 1.0, "ytick.minor.size": 3.2, "ytick.minor.width": 0.8,
}
CHART_FONTS: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "axes.unicode_minus": False,
    "svg.hashsalt": "planeval",
    "text.parse_math": False,  # a '$' in a name or unit is text, never a formula
}


def load_font() -> None:
    """Open the chart font and set up the renderer now (a tiny chart): the first chart a process draws
    would otherwise pay for it (0.2 s with the CJK collection)."""
    _style()
    fig = Figure(figsize=(1, 1), dpi=DPI)
    fig.text(0.5, 0.5, "图 1", ha="center")
    png_bytes(fig)


def _style() -> None:
    """The seaborn theme and the CJK font named explicitly (set for each chart: a notebook's own
    plotting may have changed rcParams in between)."""
    matplotlib.rcParams.update({**SEABORN_THEME, **CHART_FONTS})


def _indicator(plan: Plan | None, indicator_id: str) -> Indicator | None:
    if plan is None:
        return None
    return next((i for i in plan.indicators if i.id == indicator_id), None)


def period_end(period: str) -> int:
    """The year a period ends in: '2023', '2021-2025' and '2023-01/2023-10' all map to their last year."""
    return int(period[-7:-3]) if "/" in period else int(period[-4:])


def period_start(period: str) -> int:
    """The year a period starts in: '2023' -> 2023, '2018-2022' -> 2018, '2021-01/2025-09' -> 2021."""
    return int(period[:4])


def in_plan_chart(period: str, base_year: int, end_year: int) -> bool:
    """Whether a reading belongs on this plan's chart: a reading within one year always does; a span of
    several years only when it lies inside the plan period (a previous plan's five-year total does not)."""
    first, last = period_start(period), period_end(period)
    return first == last or (base_year < first and last <= end_year)


def _history(ax: Axes, points: list[dict[str, Any]], breaks: list[int], label: str, colour: str,
             bound_label: str | None) -> None:
    """Point values joined within each definition segment; bounds as unjoined triangles."""
    used = [p for p in points if p["used"] and p["value"] is not None]
    exact = sorted((period_end(p["period"]), p["value"]) for p in used if p["qualifier"] not in BOUND_MARKERS)
    segments: list[list[tuple[int, float]]] = []
    for x, y in exact:  # a new segment after a missing year or at a definition break: never joined across
        if not segments or x != segments[-1][-1][0] + 1 or x in breaks:
            segments.append([])
        segments[-1].append((x, y))
    for i, seg in enumerate(segments):
        ax.plot(*zip(*seg), "o-", color=colour, lw=1.8, ms=5, label=label if i == 0 else None)
    for q, marker in sorted(set((p["qualifier"], BOUND_MARKERS[p["qualifier"]]) for p in used if p["qualifier"] in BOUND_MARKERS)):
        pts = [(period_end(p["period"]), p["value"]) for p in used if p["qualifier"] == q]
        ax.scatter(*zip(*pts), marker=marker, s=60, color=colour, zorder=4,
                   label=f"{bound_label} ({q.replace('<=', '≤').replace('>=', '≥')})" if bound_label else None)


def _cumulative(ax: Axes, record: dict[str, Any], lang: str) -> None:
    """Annual flows as bars; the plan-period running sum against the straight schedule to the target."""
    b, e, x = record["base_year"], record["end_year"], record["target"]
    flows = {period_end(p["period"]): p["value"] for p in record["history"]
             if p["used"] and p["value"] is not None and p["qualifier"] not in BOUND_MARKERS}
    if flows:
        ax.bar(list(flows), list(flows.values()), width=0.5, color=C_HIST, alpha=0.3, label=t("chart.flows", lang))
    run, total = [(b, 0.0)], 0.0
    for year in range(b + 1, e + 1):
        if year not in flows:
            break
        total += flows[year]
        run.append((year, total))
    if len(run) > 1:
        ax.plot(*zip(*run), "o-", color=C_HIST, lw=1.8, ms=5, label=t("chart.cumulative", lang))
    ax.plot([b, e], [0, x], ":", color=C_TARGET, lw=1.2, label=t("chart.schedule", lang))
    ax.axhline(x, color=C_TARGET, ls="--", lw=1.2, label=f"{t('chart.target', lang)} {fmt.number(x)}")


def _target(ax: Axes, record: dict[str, Any], lang: str) -> None:
    kind, x = record["kind"], record["target"]
    if x is None:
        return
    label = t("chart.target", lang)
    if kind == "around":
        tol = record["tolerance"] or 0.0
        ax.axhspan(x - tol, x + tol, color=C_TARGET, alpha=0.12, label=f"{t('chart.target_band', lang)} {fmt.number(x)}±{fmt.number(tol)}")
        ax.axhline(x, color=C_TARGET, ls="--", lw=1)
    elif kind == "increase":
        base = record["base"]
        if base and base["value"] is not None:
            ax.axhline(base["value"] + x, color=C_TARGET, ls="--", lw=1.2,
                       label=f"{label} {fmt.number(base['value'])}+{fmt.number(x)}")
    else:
        ax.axhline(x, color=C_TARGET, ls="--", lw=1.2, label=f"{label} {fmt.number(x)}")


def _fan(ax: Axes, record: dict[str, Any], lang: str) -> None:
    fc = record.get("forecast") or {}
    fan = fc.get("fan") or {}
    if not fan:
        return
    years = sorted(int(y) for y in fan)
    low, med, high = (list(v) for v in zip(*(fan[str(y)] for y in years)))
    latest = record.get("latest")
    start = record.get("cumulative_done") if record["kind"] == "cumulative" else (latest or {}).get("value")
    if start is not None and record.get("current_year") is not None and record["current_year"] < years[0]:
        years, low, med, high = [record["current_year"], *years], [start, *low], [start, *med], [start, *high]
    ax.fill_between(years, low, high, color=C_FAN, alpha=0.25, lw=0, label=t("chart.fan", lang, level=fmt.interval(fc["interval"])))
    ax.plot(years, med, "--", color=C_FAN, lw=1.5, label=t("chart.median", lang))


def _evidence(ax: Axes, points: list[dict[str, Any]], lang: str, base_year: int, end_year: int) -> list[tuple[float, float, str]]:
    """Partial readings (and plan-period projections) as hollow markers; returns (x, y, period) to label."""
    pts = [p for p in points if p["value"] is not None and in_plan_chart(p["period"], base_year, end_year)]
    seen: set[str] = set()
    for p in pts:
        kind = p.get("kind", "partial")
        label = t(f"pkind.{kind}", lang) if kind in EVIDENCE_MARKERS else t("chart.evidence", lang)
        ax.scatter([period_end(p["period"])], [p["value"]], s=55, marker=EVIDENCE_MARKERS.get(kind, "o"), facecolors="none",
                   edgecolors=C_EVID, lw=1.5, zorder=5, label=None if label in seen else label)
        seen.add(label)
    return [(period_end(p["period"]), p["value"], p["period"]) for p in pts]


def label_offsets(ys_pt: list[float], gap: float = LABEL_GAP_PT) -> list[float]:
    """Vertical offsets (points) that keep labels of one year at least ``gap`` apart: ``ys_pt`` are the
    markers' heights in points; each label starts at its marker and moves up only as far as needed."""
    order = sorted(range(len(ys_pt)), key=lambda i: (ys_pt[i], i))
    offsets = [0.0] * len(ys_pt)
    floor = float("-inf")
    for i in order:
        placed = max(ys_pt[i], floor + gap)
        offsets[i] = placed - ys_pt[i]
        floor = placed
    return offsets


def _label_evidence(ax: Axes, labels: list[tuple[float, float, str]], right_edge: float) -> None:
    """The period beside each reading: readings of one year stacked apart, never on top of each other;
    left of the marker in the last column (so a label is never cut at the figure's edge)."""
    if not labels:
        return
    fig = ax.get_figure()
    assert fig is not None
    lo, hi = ax.get_ylim()
    height_pt = ax.get_position().height * fig.get_figheight() * 72
    to_pt = height_pt / (hi - lo) if hi > lo else 1.0
    for year in sorted({x for x, _, _ in labels}):
        group = [(y, period) for x, y, period in labels if x == year]
        offsets = label_offsets([(y - lo) * to_pt for y, _ in group])
        left = year > right_edge - 1
        for (y, period), dy in zip(group, offsets):
            ax.annotate(period, (year, y), xytext=(-6 if left else 6, dy + 2), textcoords="offset points",
                        ha="right" if left else "left", va="bottom", fontsize=7, color=C_EVID)


def context_lines(context: dict[str, list[dict[str, Any]]] | None, lo: float, hi: float) -> list[tuple[str, str, list[tuple[int, float]]]]:
    """(series id, unit, [(year, value)]) of each linked context series with annual point values in
    the chart's years (lo, hi); bounds, partial years and values outside the years are left to the table."""
    out = []
    for sid, rows in (context or {}).items():
        pts = sorted((int(r["period"]), r["value"]) for r in rows
                     if r["annual"] and r["value"] is not None and r["qualifier"] in ("=", "~") and lo < int(r["period"]) < hi)
        if pts:
            out.append((sid, next(r["unit"] for r in rows if r["annual"]), pts))
    return out


def _context(ax: Axes, panel: Axes | None, lines: list[tuple[str, str, list[tuple[int, float]]]], unit: str,
             names: dict[str, str], lang: str, units: dict[str, str] | None = None) -> None:
    """Linked context series as dashed lines with hollow squares, labelled "(context)". A series in the
    indicator's unit shares its axis; one in another unit goes to ``panel``, a small panel of its own
    below the chart (never a second y axis: two scales on one frame make the crossing of the lines
    look meaningful when it is only an artefact of the scaling)."""
    for i, (sid, sunit, pts) in enumerate(lines):
        target = ax if sunit == unit or panel is None else panel
        name = names.get(sid, sid)
        shown = (units or {}).get(sunit, sunit)  # the plan's words for the unit in ``lang``
        label = t("chart.context", lang, name=name if target is ax else f"{name} ({shown})")
        target.plot(*zip(*pts), "s--", color=C_CONTEXT[i % len(C_CONTEXT)], lw=1.2, ms=4, mfc="white", label=label)


def _rule(ax: Axes, record: dict[str, Any], lang: str, plan: Plan | None, ind: Indicator | None) -> None:
    names = {c.id: c.name[lang] for c in plan.context_series} if plan else {}
    if ind is not None and ind.rule is not None:
        names[ind.rule.compare] = t("chart.rule_compare", lang)
        ax.set_title("\n".join(textwrap.wrap(getattr(ind.rule, lang), 60 if lang == "zh" else 110)), fontsize=8, loc="left")
    palette = [C_HIST, C_TARGET]
    for i, (sid, points) in enumerate(sorted(record.get("rule_series", {}).items())):
        _history(ax, points, [], names.get(sid, sid), palette[i % 2], None)
    for j, year in enumerate(record.get("years_missed", [])):
        ax.axvspan(year - 0.4, year + 0.4, color="#b2182b", alpha=0.1, label=t("chart.rule_fail", lang) if j == 0 else None)


def indicator_chart(record: dict[str, Any], lang: str, *, plan: Plan | LoadedPlan | None = None,
                    context: dict[str, list[dict[str, Any]]] | None = None) -> Figure:
    """The indicator's history, target, annual targets, partial evidence, forecast fan and plan period,
    and the linked ``context`` series (:func:`planeval.method.coverage.context_points`), if any."""
    _style()
    p = plan_of(plan) if plan is not None else None
    ind = _indicator(p, record["indicator_id"])
    b, e = record["base_year"], record["end_year"]
    years = [period_end(q["period"]) for q in record["history"] + record.get("evidence", [])
             if in_plan_chart(q["period"], b, e)] + [b]
    years += [int(q["period"]) for pts in record.get("rule_series", {}).values() for q in pts]
    lo, hi = min(years) - 0.6, e + 0.6
    lines = context_lines(context, lo, hi)
    panel: Axes | None = None
    if any(u != record["unit"] for _, u, _ in lines):
        fig = Figure(figsize=(8, 5.8), dpi=DPI, layout="constrained")
        ax, panel = fig.subplots(2, 1, sharex=True, height_ratios=[3.2, 1])
    else:
        fig = Figure(figsize=(8, 4.6), dpi=DPI, layout="constrained")
        ax = fig.subplots()
    ax.axvspan(b, e, color="#f0f0f0", zorder=0, label=t("chart.plan_period", lang))
    labels = _values(ax, record, lang, p, ind)
    names = {c.id: c.name[lang] for c in p.context_series} if p else {}
    units = {u: n[lang] for _, u, _ in lines if p is not None and (n := p.unit_name(u)) is not None}
    _context(ax, panel, lines, record["unit"], names, lang, units)
    ax.set_xlim(lo, hi)
    _frame(ax, panel, record, ind, lang, lo, hi)
    _label_evidence(ax, labels, hi)
    handles, labels_ = ax.get_legend_handles_labels()
    if panel is not None:
        more = panel.get_legend_handles_labels()
        handles, labels_ = handles + more[0], labels_ + more[1]
    fig.legend(handles, labels_, loc="outside lower center", ncol=4, fontsize=7, frameon=False)
    return _freeze(fig)


def _values(ax: Axes, record: dict[str, Any], lang: str, p: Plan | None, ind: Indicator | None) -> list[tuple[float, float, str]]:
    """The indicator's own values: target, history, base, annual targets, evidence and forecast fan;
    returns the evidence to label (:func:`_evidence`)."""
    b, e, kind = record["base_year"], record["end_year"], record["kind"]
    breaks = ind.breaks() if ind else []
    if kind == "qualitative":
        _rule(ax, record, lang, p, ind)
    elif kind == "cumulative":
        _cumulative(ax, record, lang)
        _history(ax, [q for q in record["history"] if q["qualifier"] in BOUND_MARKERS], [], "", C_HIST, t("chart.bound", lang))
    else:
        _target(ax, record, lang)
        _history(ax, record["history"], breaks, t("chart.history", lang), C_HIST, t("chart.bound", lang))
    base = record.get("base")
    if base and base["value"] is not None and kind != "cumulative":
        ax.scatter([period_end(base["period"])], [base["value"]], s=160, facecolors="none", edgecolors="black",
                   lw=1.2, zorder=6, label=t("chart.base", lang))
    targets = [q for q in record.get("annual_targets", []) if q["value"] is not None]
    if targets:
        ax.scatter([period_end(q["period"]) for q in targets], [q["value"] for q in targets], marker="_", s=140,
                   lw=2, color=C_ANNUAL, zorder=4, label=t("chart.annual_target", lang))
    labels = _evidence(ax, record.get("evidence", []), lang, b, e)
    _fan(ax, record, lang)
    return labels


def _frame(ax: Axes, panel: Axes | None, record: dict[str, Any], ind: Indicator | None, lang: str,
           lo: float, hi: float) -> None:
    """Definition changes, the base year, the axes' labels and the context panel's frame."""
    b, e = record["base_year"], record["end_year"]
    for change in ind.definition_changes if ind else []:
        if lo < change.year - 0.5 < hi:
            ax.axvline(change.year - 0.5, color=C_CHANGE, ls="--", lw=1)
            ax.text(change.year - 0.45, 0.98, t("chart.definition_change", lang), transform=ax.get_xaxis_transform(),
                    rotation=90, va="top", ha="left", fontsize=7, color=C_CHANGE)
    ax.axvline(b, color="black", ls=":", lw=0.8)
    ax.text(b - 0.05, 0.98, t("chart.base", lang) + f" {b}", transform=ax.get_xaxis_transform(), rotation=90,
            va="top", ha="right", fontsize=7)
    bottom = panel if panel is not None else ax
    bottom.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    bottom.set_xlabel(t("chart.year", lang))
    ax.set_ylabel(ind.unit[lang] if ind and ind.unit else record["unit"])
    if panel is not None:
        panel.axvspan(b, e, color="#f0f0f0", zorder=0)
        panel.set_ylabel(t("chart.context_axis", lang), fontsize=8)
        panel.tick_params(labelsize=7)
    if not ax.has_data():
        ax.text(0.5, 0.5, t("chart.no_data", lang), transform=ax.transAxes, ha="center", va="center")


def _label(number: int, name: str, lang: str) -> str:
    return "\n".join(textwrap.wrap(f"{number}.\u00a0{name}", 17 if lang == "zh" else 36))


def overview_figure(records: list[dict[str, Any]], plan: Plan | LoadedPlan, lang: str,
                    only: list[str] | None = None) -> Figure:
    """Every plan indicator on one row: progress P as a bar coloured by status, elapsed share τ as a tick.

    ``only``: the indicator ids a partial run evaluated; the others say "not included in this run".
    """
    _style()
    p = plan_of(plan)
    assert p is not None
    by_id = {r["indicator_id"]: r for r in records}
    n = len(p.indicators)
    fig = Figure(figsize=(8, 0.42 * n + 1.0), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    for row, ind in enumerate(p.indicators):
        rec = by_id.get(ind.id)
        code = indicator_status(ind, rec, only)
        progress = rec.get("progress") if rec else None
        if progress is not None:
            ax.barh(row, max(-0.2, min(progress, 1.2)), height=0.6, color=status_colour(code))
        if rec and rec.get("tau") is not None:
            ax.plot([rec["tau"]] * 2, [row - 0.38, row + 0.38], color="black", lw=2)
        words = status_name(code, lang)
        like = ((rec or {}).get("forecast") or {}).get("probability")
        if like is not None:
            words += "  " + fmt.probability(like, with_p=True)
        ax.text(1.28, row, words, va="center", fontsize=8, color="black",
                bbox={"boxstyle": "round,pad=0.25", "fc": status_colour(code), "alpha": 0.35, "lw": 0})
    ax.set_yticks(range(n), [_label(i.number or k + 1, i.name[lang], lang) for k, i in enumerate(p.indicators)],
                  fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-0.2, 1.95)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
    ax.axvline(1.0, color="#444444", lw=0.8)
    ax.axvline(0, color="#444444", lw=0.8)
    ax.set_xlabel(t("chart.progress", lang))
    ax.grid(axis="y", visible=False)
    return _freeze(fig)


def _freeze(fig: Figure) -> Figure:
    """Run the constrained layout once and keep it, so every later save draws the same pixels (the
    layout alone: a draw without rendering would also lay out every text once more, 0.07 s a chart).
    The layout measures the texts with the renderer that will draw the PNG (the figure is made at the
    PNG's dpi), so the drawing finds them measured already."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    fig.set_layout_engine("none")
    return fig


POINTS_KEY = "planeval:points"  # the PNG text chunk that holds the chart's points (see chart_points)
POINT_FIELDS = ("period", "value", "qualifier", "unit", "kind", "source")


def chart_points(fig: Figure, record: dict[str, Any]) -> list[dict[str, Any]]:
    """Where the readings :func:`indicator_chart` drew lie on its image, for the HTML page's hover and
    tap: per reading its position as fractions of the figure (``x`` from the left, ``y`` from the top),
    what it is (``series``: history, base, annual_target, evidence, forecast, or a rule series id) and
    the reading's own fields (period, value, qualifier, unit, kind, source; a forecast year has its
    80% ``low`` and ``high`` and no source). The positions come from the axes' own transform, so they
    are where the markers are. Readings outside the axes (a span of a previous plan) and a second
    reading (the base year's value is also a history point) are left out; two readings at one spot
    (a year's value and its annual target) are both kept.
    Context series are not included: their rows and sources are in the report's context table."""
    b, e, kind = record["base_year"], record["end_year"], record["kind"]
    ax = fig.axes[0]
    marks: list[tuple[str, dict[str, Any]]] = []
    if kind == "qualitative":
        marks += [(sid, q) for sid, pts in sorted(record.get("rule_series", {}).items()) for q in pts if q["used"]]
    else:
        marks += [("history", q) for q in record["history"] if q["used"]]
        if record.get("base") and kind != "cumulative":
            marks.append(("base", record["base"]))
    marks += [("annual_target", q) for q in record.get("annual_targets", [])]
    marks += [("evidence", q) for q in record.get("evidence", []) if in_plan_chart(q["period"], b, e)]
    fc = record.get("forecast") or {}
    for year, (low, med, high) in sorted((fc.get("fan") or {}).items()):
        marks.append(("forecast", {"period": year, "value": med, "qualifier": "=", "unit": record["unit"],
                                   "kind": "forecast", "source": None, "low": low, "high": high}))
    to_fig = fig.transFigure.inverted()
    box = ax.get_window_extent()
    out: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for series, q in marks:
        if q.get("value") is None:
            continue
        x_px, y_px = ax.transData.transform((period_end(q["period"]), q["value"]))
        if not (box.x0 - 1 <= x_px <= box.x1 + 1 and box.y0 - 1 <= y_px <= box.y1 + 1):
            continue
        fx, fy = to_fig.transform((x_px, y_px))
        reading = tuple(q.get(k) for k in POINT_FIELDS)
        if reading in seen:
            continue
        seen.add(reading)
        out.append({"x": round(float(fx), 4), "y": round(1 - float(fy), 4), "series": series, **dict(zip(POINT_FIELDS, reading)),
                    **({"low": q["low"], "high": q["high"]} if "low" in q else {})})
    return out


def read_points(path: Path | str) -> list[dict[str, Any]] | None:
    """The points :func:`png_bytes` stored in a chart's PNG; None for a PNG without them."""
    import json

    from PIL import Image

    with Image.open(path) as image:
        # .info holds the text chunks before the image data (png_bytes writes them there), read without
        # decoding the pixels; .text would decode them too (15 ms a chart)
        text = image.info.get(POINTS_KEY)
    return None if text is None else json.loads(text)


def png_bytes(fig: Figure, points: list[dict[str, Any]] | None = None) -> bytes:
    """The figure as PNG bytes: fixed dpi, no software/date metadata, so the same figure gives the same bytes.

    Flattened onto white as RGB: a chart has no transparency to keep, the file is smaller, and the
    PDF step embeds it as it is instead of splitting off an alpha mask (about half of WeasyPrint's
    image work). ``points`` (:func:`chart_points`) are kept in a text chunk of the PNG, so the chart
    and where its readings lie travel as one file (:func:`read_points`).
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    dpi = fig.dpi
    fig.set_dpi(DPI)  # the charts here are made at this dpi already; a figure from elsewhere may not be
    try:
        canvas.draw()
        drawn = Image.fromarray(np.asarray(canvas.buffer_rgba()), "RGBA")  # the array knows its height × width
    finally:
        fig.set_dpi(dpi)
    opaque = drawn.getchannel("A").getextrema() == (255, 255)  # a white figure: nothing to composite
    flat = (drawn if opaque else Image.alpha_composite(Image.new("RGBA", drawn.size, "white"), drawn)).convert("RGB")
    out = io.BytesIO()
    info = None
    if points is not None:
        import json

        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_itxt(POINTS_KEY, json.dumps(points, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    flat.save(out, format="png", dpi=(DPI, DPI), pnginfo=info)
    return out.getvalue()

