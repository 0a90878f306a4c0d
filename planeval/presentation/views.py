"""The report as display cells: what every output format (HTML, PDF, Word, Typst, the notebooks) shows.

:func:`report_view` turns the result records, the plan and the dataset into one dict per language,
already worded and formatted (numbers by :mod:`planeval.presentation.formats`, UI strings by
:mod:`planeval.presentation.labels`, a record's messages by :func:`planeval.presentation.sentences.text`).
Formats lay it out; none recomputes or rewords it. Everything shown about an indicator comes from its
result record; the plan gives names, targets and notes; the dataset gives sources, project evidence
and coverage.
"""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path
from typing import Any

from planeval.inputs.config import MethodConfig, describe
from planeval.inputs.model import Dataset
from planeval.inputs.dates import parse_vintage
from planeval.inputs.plan import Indicator, LoadedPlan, Plan
from planeval.method.backtest import POOLED, Backtests, pool_results
from planeval.method.coverage import context_points, coverage_matrix, gaps
from planeval.method.projects import project_status
from planeval.method.record import Message
from planeval.method.scorecard import midterm_vintage, midterm_year
from planeval.presentation import charts
from planeval.presentation import formats as fmt
from planeval.presentation import sentences
from planeval.presentation.labels import (HTML_LANG, LIKELIHOODS, NO_RECORD, NOT_INCLUDED, STATUSES, has, indicator_status,
                                          status_code, status_colour, status_name, t)

HERE = Path(__file__).parent
GOOD = ("achieved_early", "achieved", "target_reached", "likely_achieved", "ahead", "on_track")
WATCH = ("broadly_on_track",)
BAD = ("lagging", "moving_away", "likely_missed", "missed")
PACE_SHOWN = ("broadly_on_track", "lagging", "moving_away")  # statuses printed with the pace still needed
EACH_YEAR = ("ceiling_each_year", "floor_each_year", "qualitative")
NO_BASE = (*EACH_YEAR, "cumulative")  # kinds whose verdict uses no base value: the base cell stays empty
Cell = dict[str, "str | None"]


def safe_url(url: object) -> str | None:
    """The URL if it is an http(s) link, else None (a javascript: or empty URL is shown as text)."""
    text = str(url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) and " " not in text else None


def cell(text: str | None, why: str, src: str | None = None) -> Cell:
    """What a table cell shows: the text, or "—" and why; ``src`` is the source id to link."""
    return {"text": text, "why": None if text is not None else why, "src": src if text is not None else None}


def cell_text(c: Cell) -> str:
    """A cell as plain text (notebooks, plain-text formats): its text, or "—" and why."""
    if c["text"] is not None:
        return c["text"]
    return f"{fmt.DASH} {c['why']}" if c["why"] else fmt.DASH


def _why(key: str, lang: str) -> str:
    """The text of a why-key; the empty key is a bare "—" (the summary says why once per row)."""
    return t(key, lang) if key else ""


def _word(group: str, code: str, lang: str) -> str:
    """The label of a code of a group (a model, a kind of point), or the code itself if it has none."""
    return t(f"{group}.{code}", lang) if has(f"{group}.{code}") else code


def _unit(ind: Indicator, lang: str) -> str:
    return ind.unit[lang] if ind.unit else ""


def point_cell(point: dict[str, Any] | None, unit: str, lang: str, why: str = "na.no_value",
               with_period: bool = True) -> Cell:
    if not point:
        return cell(None, _why(why, lang))
    text = fmt.value(point["value"], point["qualifier"], unit)
    if text is not None and with_period:
        text += fmt.aside(point["period"], lang)
    return cell(text, _why(why, lang), point["source"])


def _ratio(v: float | None, why: str, pct: bool = False) -> Cell:
    return cell(fmt.ratio(v, pct), why)


def _years(years: list[int], lang: str) -> Cell:
    return cell(_year_list(years, lang) or t("summary.none", lang), "")


def _year_list(years: list[int], lang: str) -> str:
    """2021, 2022, 2024 / 2021、2022、2024: every year named ("" for none)."""
    return t("sep", lang).join(map(str, years))


def probability_shown(rec: dict[str, Any]) -> str | None:
    """The record's p as printed ("91%", "≤ 91%" for an upper bound); None once the verdict is settled
    by observed data or when the record has no p."""
    p = rec.get("probability")
    if p is None or str(rec.get("basis", "")).startswith("settled"):
        return None
    shown = fmt.probability(p)
    return "≤ " + shown if rec.get("probability_is_bound") and not shown.startswith("<") else shown


def _likelihood(rec: dict[str, Any], lang: str, why: str = "na.no_forecast") -> Cell:
    """How likely the target is met, whatever the basis, and how sure: "likely (91%), low confidence"."""
    shown = probability_shown(rec)
    if shown is None:
        return cell(None, _why(why, lang))
    code = (rec.get("likelihood") or {}).get("code")
    word = t(f"likelihood.{code}", lang) if code in LIKELIHOODS else ""
    text = word + fmt.aside(shown, lang)
    if rec.get("confidence"):
        text += t("grade.short", lang, confidence=t(f"confidence.{rec['confidence']}", lang))
    return cell(text.strip(), "")


def _grade(rec: dict[str, Any], lang: str) -> Cell:
    """The evidence grade: the lowest confidence among the rows the verdict rests on, and their publishers."""
    if not rec.get("confidence"):
        return cell(None, t("na.no_evidence", lang))
    return cell(t("grade.long", lang, confidence=t(f"confidence.{rec['confidence']}", lang), n=rec.get("publishers", 0),
                  sources=t("sep", lang).join(rec.get("evidence_sources") or [])), "")


def _probability(p: float | None, why: str) -> Cell:
    return cell(None if p is None or not math.isfinite(p) else fmt.probability(p), why)


def awaiting_end_year(records: list[dict[str, Any]], year: int) -> list[str]:
    """At (or after) the end year: the indicators whose record has no annual value for the end year yet.
    While there are any, the final report is preliminary (初步评估): the end-year bulletins are not all out."""
    return [r["indicator_id"] for r in records
            if year >= r["end_year"] and (r.get("current_year") or 0) < r["end_year"]]


def vintage_text(vintage: str | None, lang: str) -> str | None:
    """What a run's ``--vintage`` means, in words (None without one)."""
    if vintage is None:
        return None
    return t("cover.vintage_text", lang, day=parse_vintage(vintage).isoformat(), vintage=vintage)


def _current_forecast(rec: dict[str, Any]) -> dict[str, Any] | None:
    """The record's forecast of the end year, unless the end year is already observed: a record
    settled by the end year's own data shows no forecast (an earlier forecast is not current)."""
    if (rec.get("current_year") or 0) >= rec["end_year"]:
        return None
    return rec.get("forecast")


def _no_forecast_why(rec: dict[str, Any], with_reasons: str) -> str:
    """Why a record has no forecast: the end year is already observed, or see its reasons."""
    if (rec.get("current_year") or 0) >= rec["end_year"]:
        return "na.end_observed"
    return with_reasons if rec.get("reasons") else "na.no_forecast"


def _forecast(fc: dict[str, Any] | None, unit: str, lang: str, why: str = "na.no_forecast") -> Cell:
    if not fc or fmt.number(fc.get("point")) is None:
        return cell(None, _why(why, lang))
    text = fmt.value(fc["point"], "=", unit) or ""
    low, high = fmt.number(fc.get("low")), fmt.number(fc.get("high"))
    if low is not None and high is not None:
        text += f" [{low}–{high}]"
    return cell(text, "")


def status_view(code: str, lang: str) -> dict[str, str]:
    code = status_code(code)
    return {"code": code, "name": status_name(code, lang), "colour": status_colour(code)}


def already_met(rec: dict[str, Any]) -> bool:
    """The remaining years need nothing more: the required pace is zero or points the wrong way."""
    need = rec.get("required_per_year")
    return need is not None and (-1 if rec.get("direction") == "lower" else 1) * need <= 0


def _required(rec: dict[str, Any], unit: str, lang: str, why: str) -> Cell:
    """What each remaining year needs, or "already met" (never a negative need)."""
    if already_met(rec):
        return cell(t("fig.already_met", lang), "")
    return cell(fmt.value(rec.get("required_per_year"), "=", unit), why)


def _pace_note(rec: dict[str, Any], unit: str, lang: str) -> str | None:
    """"needs 95.29 10k person-times a year", printed beside a status that is not yet on track."""
    if status_code(rec["status"]["code"]) not in PACE_SHOWN or already_met(rec):
        return None
    value = fmt.value(rec.get("required_per_year"), "=", unit)
    return t("pace.required", lang, value=value) if value else None


def _bound_beyond_sum(rec: dict[str, Any]) -> float | None:
    """A cumulative target's disjoint-period lower bound, when it says more than the exact running sum."""
    low = rec.get("lower_bound")
    if rec["kind"] == "cumulative" and low is not None and low > (rec.get("cumulative_done") or 0) + 1e-9:
        return low
    return None


def _latest(rec: dict[str, Any], unit: str, lang: str, why: str = "na.no_value") -> Cell:
    """The latest value; for a cumulative target the total to date (base year + 1 .. current year) with
    the last single-year flow beside it, since a flow alone reads as the whole achievement."""
    point = rec.get("latest")
    low = _bound_beyond_sum(rec)
    if low is not None:
        # more is known than the running sum: the disjoint-period total, "at least"
        return cell(t("latest.at_least", lang, value=fmt.value(low, "=", unit)), "")
    if rec["kind"] != "cumulative" or not point or point["value"] is None:
        return point_cell(point, unit, lang, why)
    last, year = fmt.value(point["value"], point["qualifier"], unit), charts.period_end(point["period"])
    if rec.get("cumulative_done") is None:
        return cell(t("latest.flow_only", lang, value=last, year=year), "", point["source"])
    first, current = rec["base_year"] + 1, rec["current_year"]
    years = fmt.year_range(first, current, lang)
    total = fmt.value(rec["cumulative_done"], "=", unit)
    if first == current:
        return cell(t("latest.total_one", lang, value=total, years=years), "", point["source"])
    return cell(t("latest.total", lang, value=total, years=years, year=year, last=fmt.number(point["value"])), "",
                point["source"])



def _years_progress(rec: dict[str, Any], lang: str) -> Cell:
    """Each-year kinds: "1 of 3 years met (2 unknown)" rather than a share that reads like a pace."""
    met, missed, unknown = (len(rec.get(k) or []) for k in ("years_met", "years_missed", "years_unknown"))
    n = met + missed + unknown
    if n == 0:
        return cell(None, t("na.see_section", lang))
    extra = [t(key, lang, k=k) for key, k in (("progress.missed", missed), ("progress.unknown", unknown)) if k]
    text = t("progress.years", lang, n=n, met=met)
    if extra:
        text += fmt.aside(("，" if lang == "zh" else ", ").join(extra), lang)
    return cell(text, "")


def _row_reason(rec: dict[str, Any], lang: str) -> str | None:
    """The one short reason a summary row gives for what it cannot show, in a few words: the years of an
    each-year target with no data or only part-year readings, the year progress rests on, or the
    record's first reason."""
    results = rec.get("year_results") or []
    blind = [r["year"] for r in results if r["outcome"] == "unknown" and r.get("p") is None]
    partial = [r["year"] for r in results if r["outcome"] == "unknown" and r.get("p") is not None]
    if rec["kind"] in EACH_YEAR and (blind or partial or rec.get("years_unknown")):
        parts = []
        if blind or (not results and rec.get("years_unknown")):
            parts.append(t("reason.years_unknown", lang, years=fmt.years_text(blind or rec["years_unknown"], lang)))
        if partial:
            parts.append(t("reason.years_partial", lang, years=fmt.years_text(partial, lang)))
        return t("sep.clause", lang).join(parts)
    codes = [r["code"] for r in rec.get("reasons") or []]
    if _bound_beyond_sum(rec) is not None:
        missing = [y for y in range(rec["base_year"] + 1, min(rec["evaluation_year"], rec["end_year"]) + 1)
                   if str(y) not in {p["period"] for p in rec.get("history") or []}]
        return t("reason.lower_bound", lang, years=fmt.years_text(missing, lang))
    if "no_current_value" in codes and rec.get("lower_bound") is None:
        return t("reason.no_value", lang, year=rec["base_year"] + 1)
    if "stale" in codes and rec.get("current_year"):
        return t("reason.as_of", lang, year=rec["current_year"])
    if rec.get("reasons"):
        return sentences.text(rec["reasons"][0], lang)
    return t(_no_forecast_why(rec, "na.no_forecast"), lang)


def summary_row(ind: Indicator, rec: dict[str, Any] | None, lang: str, only: list[str] | None = None) -> dict[str, Any]:
    """One row of the executive summary: a missing cell is a bare "—"; the row says why once (``reason``)."""
    unit = _unit(ind, lang)
    status = status_view(indicator_status(ind, rec, only), lang)
    target = cell(ind.target_text[lang] if ind.target_text else None, "", ind.source)
    empty = cell(None, "")
    view: dict[str, Any] = {"ind": ind, "target": target, "base": empty, "latest": empty, "progress": empty,
                            "forecast": empty, "probability": empty, "status": status, "reason": None, "pace": None}
    if rec is None:
        return view
    if rec["kind"] in EACH_YEAR:
        progress = _years_progress(rec, lang)
    else:
        progress = _ratio(rec.get("progress"), "", pct=True)
        if progress["text"] is not None and rec.get("pace") is not None:
            progress["text"] += f" (ρ={fmt.ratio(rec['pace'])})"
        low = _bound_beyond_sum(rec)
        if low is not None and rec.get("target"):
            progress = cell(f"≥ {fmt.ratio(low / rec['target'], percent=True)}", "")
    end_observed = (rec.get("current_year") or 0) >= rec["end_year"]
    view |= {
        "base": cell("", "") if rec["kind"] in NO_BASE else point_cell(rec.get("base"), unit, lang, ""),
        "latest": _latest(rec, unit, lang, ""),
        "progress": {**progress, "why": None},
        "forecast": _forecast(_current_forecast(rec), unit, lang, ""),
        "probability": _likelihood(rec, lang, ""),
        "pace": _pace_note(rec, unit, lang),
    }
    needed = ("base", "latest", "progress") if end_observed else ("base", "latest", "progress", "forecast", "probability")
    if any(view[k]["text"] is None for k in needed) or view["status"]["code"] == "insufficient_data":
        view["reason"] = _row_reason(rec, lang)
    view["end_observed"] = end_observed
    return view


STATUS_ORDER = (*STATUSES, NO_RECORD, NOT_INCLUDED)  # the status column sorts best first, as the legend lists them


def _sort_keys(row: dict[str, Any], rec: dict[str, Any] | None) -> dict[str, str]:
    """The numbers the page's summary table sorts its number columns by (``data-key``), each what its
    cell shows: indicator number, progress share (met years over judged years for each-year kinds),
    status rank, probability; "" where the cell shows none (the page sorts those last)."""
    def num(v: float | None) -> str:
        return "" if v is None or not math.isfinite(v) else f"{v:.6g}"
    code = row["status"]["code"]
    keys = {"indicator": num(row["ind"].number), "status": str(STATUS_ORDER.index(code)) if code in STATUS_ORDER else "",
            "progress": "", "probability": ""}
    if rec is None:
        return keys
    if row["progress"]["text"] is not None:
        if rec["kind"] in EACH_YEAR:
            met, missed, unknown = (len(rec.get(k) or []) for k in ("years_met", "years_missed", "years_unknown"))
            keys["progress"] = num(met / (met + missed + unknown)) if met + missed + unknown else ""
        else:
            low = _bound_beyond_sum(rec)
            keys["progress"] = num(low / rec["target"] if low is not None and rec.get("target") else rec.get("progress"))
    if row["probability"]["text"] is not None:
        keys["probability"] = num(rec.get("probability"))
    return keys


def _point_tip(point: dict[str, Any], rec: dict[str, Any], unit: str, names: dict[str, str],
               publishers: dict[str, str], lang: str) -> str:
    """What a chart point shows when hovered or tapped, one line each: period and what it is, value,
    qualifier, source (id and publisher; a forecast year: the forecast and its 80% interval)."""
    colon = t("colon", lang)
    series, kind = point["series"], point.get("kind")
    what = (t("chart.median", lang) if series == "forecast"
            else t(f"pkind.{kind}", lang) if series == "evidence" and has(f"pkind.{kind}")
            else t("chart.evidence", lang) if series == "evidence"
            else t(f"chart.{series}", lang) if series in ("history", "base", "annual_target")
            else names.get(series, series))
    shown_unit = unit if point.get("unit") in (None, rec["unit"]) else point["unit"]
    lines = [f"{point['period']} · {what}",
             f"{t('tip.value', lang)}{colon}{fmt.value(point['value'], point['qualifier'], shown_unit) or fmt.DASH}"]
    if series == "forecast":
        lines.append(t("tip.forecast", lang, low=fmt.number(point["low"]) or fmt.DASH, high=fmt.number(point["high"]) or fmt.DASH))
    else:
        q = point["qualifier"]
        lines.append(f"{t('tip.qualifier', lang)}{colon}{t('qual.' + q, lang) if has('qual.' + q) else q}")
        source = point.get("source") or fmt.DASH
        publisher = publishers.get(source)
        lines.append(f"{t('tip.source', lang)}{colon}{source}" + (f" · {publisher}" if publisher else ""))
    return "\n".join(lines)


def _chart_points(sections: list[dict[str, Any]], figures: dict[str, Path], plan: LoadedPlan, dataset: Dataset,
                  lang: str) -> None:
    """Each section's ``points``: the chart's readings (stored in its PNG by the notebook, see
    :func:`planeval.presentation.charts.chart_points`) as ``left``/``top`` (per cent of the image)
    and the ``tip`` the page shows on hover or tap; readings at one spot (a value and its year's
    annual target) share one point whose tip gives each. Empty for a chart without stored points."""
    publishers = {r.source: r.publisher for r in dataset.sources.itertuples(index=False)}
    names = {c.id: c.name[lang] for c in plan.plan.context_series}
    for s in sections:
        s["points"] = []
        rec, path = s["record"], figures.get(f"{s['ind'].id}.{lang}")
        if rec is None or not s["chart"] or path is None:
            continue
        rule = {s["ind"].rule.compare: t("chart.rule_compare", lang)} if s["ind"].rule is not None else {}
        unit = _unit(s["ind"], lang)
        spots: dict[tuple[str, str], dict[str, str]] = {}
        for p in charts.read_points(path) or []:
            left, top, tip = f"{100 * p['x']:.2f}", f"{100 * p['y']:.2f}", _point_tip(p, rec, unit, names | rule, publishers, lang)
            if (left, top) in spots:
                spots[left, top]["tip"] += "\n\n" + tip
            else:
                spots[left, top] = {"left": left, "top": top, "series": p["series"], "tip": tip}
        s["points"] = list(spots.values())


def key_figures(ind: Indicator, rec: dict[str, Any], lang: str, level: str) -> list[tuple[str, Cell]]:
    """(label, cell) rows of the record's figures that apply to this target kind."""
    unit, kind = _unit(ind, lang), rec["kind"]
    see = t("na.see_reasons", lang)
    amount = lambda v: cell(fmt.value(v, "=", unit), see)  # noqa: E731
    rows = [(t("fig.latest", lang), _latest(rec, unit, lang))]
    if kind not in NO_BASE:
        rows.append((t("fig.base", lang), point_cell(rec.get("base"), unit, lang, "na.no_base")))
    if rec.get("base_substituted"):
        rows.append((t("fig.base", lang), cell(t("fig.base_substituted", lang), "")))
    rows += [(t("fig.tau", lang), _ratio(rec.get("tau"), see)),
             (t("fig.progress", lang), _ratio(rec.get("progress"), see, pct=True))]
    if kind in ("cumulative", "end_level", "increase", "around", "full_rate"):
        rows.append((t("fig.pace", lang), _ratio(rec.get("pace"), see)))
    if kind in ("ceiling_each_year", "floor_each_year", "qualitative"):
        rows += [(t("fig.years_met", lang), _years(rec.get("years_met", []), lang)),
                 (t("fig.years_missed", lang), _years(rec.get("years_missed", []), lang)),
                 (t("fig.years_unknown", lang), _years(rec.get("years_unknown", []), lang))]
    if kind in ("ceiling_each_year", "floor_each_year"):
        rows.append((t("fig.headroom", lang), amount(rec.get("headroom"))))
    if kind == "floor_each_year":
        rows.append((t("fig.min_ratio", lang), _ratio(rec.get("min_ratio"), see)))
    if kind == "cumulative":
        rows.append((t("fig.cumulative_done", lang), amount(rec.get("cumulative_done"))))
    if kind in ("cumulative", "end_level", "increase", "full_rate"):
        rows += [(t("fig.required", lang), _required(rec, unit, lang, see)),
                 (t("fig.average", lang), amount(rec.get("average_per_year")))]
    if kind == "cumulative" and rec.get("lower_bound") is not None:
        rows.append((t("fig.lower_bound", lang), cell("≥ " + (fmt.value(rec["lower_bound"], "=", unit) or ""), see)))
    if kind in ("cumulative", "end_level", "increase", "around", "full_rate"):
        rows.append((t("fig.required_ratio", lang), _ratio(rec.get("required_ratio"), see)))
    rows += [(t("fig.basis", lang), cell(t(f"basis.{rec.get('basis', 'undetermined')}", lang), "")),
             (t("fig.evidence", lang), _grade(rec, lang)),
             (t("fig.probability", lang), _likelihood(rec, lang, _no_forecast_why(rec, "na.see_reasons")))]
    fc, why = _current_forecast(rec), _no_forecast_why(rec, "na.see_reasons")
    rows.append((t("fig.forecast", lang, year=rec["end_year"], level=level), _forecast(fc, unit, lang, why)))
    if fc:
        rows.append((t("fig.forecast_probability", lang), _probability(fc.get("probability"), see)))
        rows.append((t("fig.probability_uninflated", lang), _probability(fc.get("probability_uninflated"), see)))
        per_model = "; ".join(f"{_word('model', m, lang)} {fmt.probability(p)}"
                              for m, p in sorted(fc.get("probability_by_model", {}).items()))
        rows.append((t("fig.probability_by_model", lang), cell(per_model or None, see)))
        years = fc.get("fit_years") or []
        rows.append((t("fig.fit_years", lang), cell(fmt.year_range(years[0], years[-1], lang) if years else None, see)))
    return rows


def unit_text(plan: Plan | None, unit: str, lang: str) -> str:
    """A data unit as the report prints it in ``lang`` (the plan's words for it; else as written)."""
    name = plan.unit_name(unit) if plan is not None else None
    return name[lang] if name is not None else unit


def series_text(plan: Plan | None, series: str, lang: str) -> str:
    """A series' name in ``lang`` (the plan's; else its id)."""
    name = plan.series_name(series) if plan is not None else None
    return name[lang] if name is not None else series


def _values_shown(rec: dict[str, Any], unit: str, lang: str, plan: Plan | None = None) -> list[dict[str, Any]]:
    """Every value the chart and figures show, with its source (the data behind the chart); a rule
    series' values carry the series' name before their note."""
    points = rec.get("history", []) + rec.get("evidence", []) + rec.get("annual_targets", [])
    sep = "；" if lang == "zh" else "; "
    for sid, pts in sorted(rec.get("rule_series", {}).items()):
        name = series_text(plan, sid, lang)
        points += [{**p, f"note_{lang}": f"{name}{sep}{p[f'note_{lang}']}" if p[f"note_{lang}"] else name} for p in pts]
    rows = [{"period": p["period"],
             "value": fmt.value(p["value"], p["qualifier"],
                                unit if p["unit"] == rec["unit"] else unit_text(plan, p["unit"], lang)) or fmt.DASH,
             "kind": _word("pkind", p["kind"], lang),
             "note": p[f"note_{lang}"], "source": p["source"], "used": p["used"]} for p in points]
    return sorted(rows, key=lambda r: (r["period"][:4], r["kind"], r["period"]))


def _figure_uri(path: Path | None) -> str | None:
    if path is None or not Path(path).exists():
        return None
    return _png_uri(Path(path).read_bytes())


def _png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def section_anchor(indicator_id: str) -> str:
    """The id of an indicator's section in the report page (other pages link to it)."""
    return f"ind-{indicator_id}"


def _section(ind: Indicator, rec: dict[str, Any] | None, figures: dict[str, Path], lang: str,
             only: list[str] | None, plan: Plan, level: str) -> dict[str, Any]:
    view: dict[str, Any] = {"ind": ind, "anchor": section_anchor(ind.id), "status": status_view(indicator_status(ind, rec, only), lang),
                            "kind": t(f"kind.{ind.kind.value}", lang) if ind.kind else None,
                            "chart": _figure_uri(figures.get(f"{ind.id}.{lang}")),
                            "rule": getattr(ind.rule, lang) if ind.rule else None,
                            "notes": ind.notes[lang] if ind.notes else None,
                            "changes": [{"year": c.year, "type": t(f"change.{c.type}", lang), "text": getattr(c, lang)}
                                        for c in ind.definition_changes],
                            "record": rec, "pace": None}
    if rec is not None:
        view |= {"figures": key_figures(ind, rec, lang, level), "verdict": sentences.text(rec["verdict"], lang),
                 "findings": [sentences.text(f, lang) for f in rec.get("findings", [])],
                 "data_needed": [sentences.text(f, lang) for f in rec.get("data_needed", [])],
                 "pace": _pace_note(rec, _unit(ind, lang), lang),
                 "flags": [sentences.text(f, lang) for f in rec.get("flags", [])], "reasons": [sentences.text(r, lang) for r in rec.get("reasons", [])],
                 "shown": _values_shown(rec, _unit(ind, lang), lang, plan)}
    return view


def _findings(rows: list[dict[str, Any]], lang: str) -> list[str]:
    def names(codes: tuple[str, ...]) -> str:
        hit = [r["ind"].name[lang] for r in rows if r["status"]["code"] in codes]
        return t("sep", lang).join(hit) if hit else t("summary.none", lang)
    watch = [t("summary.watch", lang, names=names(WATCH))] if any(r["status"]["code"] in WATCH for r in rows) else []
    return [t("summary.good", lang, names=names(GOOD)), *watch, t("summary.bad", lang, names=names(BAD)),
            t("summary.nodata", lang, names=names(("undetermined", "insufficient_data", "not_identified", NO_RECORD)))]


def _needed(rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The analyst's request list: per indicator, the values that would settle its verdict."""
    out = []
    for r in rows:
        rec = by_id.get(r["ind"].id)
        if rec and rec.get("data_needed"):
            out.append({"ind": r["ind"], "status": r["status"], "what": [sentences.text(m, lang) for m in rec["data_needed"]]})
    return out


def _binding(rows: list[dict[str, Any]], lang: str) -> str | None:
    """Binding (约束性) and indicative (预期性) targets counted apart, as official reviews do."""
    groups = {True: [], False: [], None: []}  # type: dict[bool | None, list[str]]
    for r in rows:
        if r["ind"].identified:
            groups[r["ind"].binding].append(r["status"]["code"])
    if not groups[True] and not groups[False]:
        return None
    good = lambda codes: sum(c in GOOD for c in codes)  # noqa: E731
    return t("summary.binding", lang, b=len(groups[True]), bg=good(groups[True]), i=len(groups[False]),
             ig=good(groups[False]), u=len(groups[None]))


def _counts(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    codes = [r["status"]["code"] for r in rows]
    return [{**status_view(c, lang), "n": codes.count(c)} for c in (*STATUSES, NO_RECORD, NOT_INCLUDED) if c in codes]


def _coverage(plan: LoadedPlan, dataset: Dataset, year: int, lang: str) -> dict[str, Any]:
    matrix = coverage_matrix(plan, dataset, year)
    names = {i.id: i for i in plan.plan.indicators}
    rows = [{"ind": names[iid], "cells": [(code, t(f"cov.{code}", lang)) for code in matrix.loc[iid]]}
            for iid in matrix.index]
    gap_rows = [{"ind": names[iid], "years": _year_list(ys, lang) or t("cov.no_gaps", lang)}
                for iid, ys in gaps(plan, dataset, year, matrix).items()]
    legend = [(code, t(f"cov.{code}", lang)) for code in ("actual", "bound", "partial", "missing", "not_identified")]
    return {"years": [int(y) for y in matrix.columns], "rows": rows, "gaps": gap_rows, "legend": legend}


def _context_series(plan: LoadedPlan, dataset: Dataset, year: int, lang: str) -> list[dict[str, Any]]:
    """Per context series of the plan: its name, the indicators whose charts draw it (linked under
    ``context:`` or compared by a qualitative rule), and every row
    as of ``year`` (value in the row's own unit, kind, source, note)."""
    p = plan.plan
    points = context_points(plan, dataset, year)
    out = []
    for c in p.context_series:
        rows = [{"period": r["period"], "value": fmt.value(r["value"], r["qualifier"], unit_text(p, r["unit"], lang)) or fmt.DASH,
                 "kind": _word("pkind", r["kind"], lang),
                 "source": r["source"], "note": r[f"note_{lang}"]} for r in points[c.id]]
        out.append({"id": c.id, "name": c.name[lang], "rows": rows,
                    "linked": [i for i in p.indicators if c.id in i.context
                               or (i.rule is not None and c.id in (i.rule.compare, i.rule.at_least))]})
    return out


def _sources(dataset: Dataset) -> list[dict[str, Any]]:
    return [{"id": r.source, "publisher": r.publisher, "title": r.title, "published": r.published,
             "url": r.url, "link": safe_url(r.url), "confidence": r.confidence}
            for r in dataset.sources.itertuples(index=False)]


def _overview_uri(plan: LoadedPlan, records: list[dict[str, Any]], lang: str, only: list[str]) -> str:
    """The one-glance overview chart, drawn here from the records (no step writes it to a file)."""
    return _png_uri(charts.png_bytes(charts.overview_figure(records, plan, lang, only)))


def _scorecard(plan: LoadedPlan, rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The final evaluation's table: the mid-term view of each indicator (with the sources published by
    the mid-term report's vintage) against its outcome, marked when that rests on partial readings only."""
    inds = {i.id: i for i in plan.plan.indicators}
    out = []
    for row in rows:
        ind, mid, fin = inds[row["indicator_id"]], row["midterm"], row["final"]
        unit = _unit(ind, lang)
        inside = fin["inside_interval"]
        # Said once per row: "no mid-term forecast" is the Call; "no end-year value" is the End value cell.
        no_forecast = "" if row["call"] == "no_forecast" else "sc.no_mid_forecast"
        out.append({
            "ind": ind,
            "mid_status": status_view(mid["status"]["code"], lang),
            "probability": _likelihood(mid, lang, no_forecast),
            "forecast": _forecast(mid, unit, lang, no_forecast),
            "final_status": status_view(fin["status"]["code"], lang),
            "end_value": cell(fmt.value(fin["end_value"], "=", unit), t("sc.no_end_value", lang)),
            "inside": cell(None if inside is None else t("sc.yes" if inside else "sc.no", lang),
                           "" if fin["end_value"] is None or row["call"] == "no_forecast" else t("sc.no_interval", lang)),
            "call": {"code": row["call"], "text": t(f"call.{row['call']}", lang)},
            "provisional": bool(fin.get("provisional")),
        })
    judged = [r for r in rows if r["call"] in ("called", "wrong")]
    mid = midterm_year(plan.plan)
    vintage = next((r["midterm"].get("vintage") for r in rows), None) or midterm_vintage(plan.plan)
    return {"rows": out, "tally": t("sc.tally", lang, n=len(judged), k=sum(r["call"] == "called" for r in judged)),
            "intro": t("sc.intro", lang, mid=mid, end=plan.plan.end_year, vintage=parse_vintage(vintage).isoformat())}


def _score_cells(s: dict[str, Any] | None, lang: str, of: int | None = None) -> dict[str, Any]:
    """Coverage and MASE cells of one score; a MASE over fewer forecasts than ``of`` says how many."""
    why = t("na.no_model", lang)
    if not s or not s["n"]:
        return {"n": "0", "coverage": cell(None, why), "coverage_uninflated": cell(None, why), "mase": cell(None, why)}
    mase = _ratio(s["mase"], why)
    if mase["text"] is not None and of is not None and s["n_mase"] < of:
        mase["text"] += f" (n={s['n_mase']})"
    return {"n": str(s["n"]), "coverage": _ratio(s["coverage"], why), "coverage_uninflated": _ratio(s["coverage_uninflated"], why),
            "mase": mase}


def _backtest(plan: LoadedPlan, results: Backtests,
              config: MethodConfig, year: int, lang: str) -> dict[str, Any]:
    """The method section's backtest table: per indicator, then all indicators pooled."""
    models = ("rw_drift", "linear_trend", "theta", "ets_damped", POOLED)

    def view(name: str, scores: dict[str, dict[str, Any]] | None, reason: Message | None) -> dict[str, Any]:
        scores = scores or {}
        pooled = _score_cells(scores.get(POOLED), lang)
        n = int(pooled["n"])
        return {"name": name, "reason": sentences.text(reason, lang) if reason else None, "n": pooled["n"],
                "coverage": pooled["coverage"], "coverage_uninflated": pooled["coverage_uninflated"],
                "mase": [_score_cells(scores.get(m), lang, n)["mase"] for m in models]}
    rows = []
    for ind in plan.plan.indicators:
        if ind.id in results:
            result, reason = results[ind.id]
            scores = {m: vars(s) for m, s in result.scores.items()} if result else None
            rows.append(view(f"{ind.number}. {ind.name[lang]}", scores, reason))
    pooled = pool_results(r for r, _ in results.values())
    return {"rows": rows, "all": view(t("bt.all", lang), pooled["scores"], None) if pooled["forecasts"] else None,
            "models": [t(f"model.{m}", lang) for m in models],
            "intro": t("bt.intro", lang, year=year, interval=fmt.ratio(config.interval), level=fmt.interval(config.interval))}


CALIBRATION_DIR = HERE.parent.parent / "calibration"
CALIBRATION_FIGURES = ("coverage", "accuracy", "reliability")


def calibration_view(lang: str, folder: Path = CALIBRATION_DIR) -> dict[str, Any] | None:
    """The method section's calibration block, from ``make calibrate``'s committed summary and figures:
    per corpus (calibration, independent check) the point accuracy against Theta and the naive forecast,
    the 80% coverage by years ahead and the Brier skill; the figures as data URIs. None without a summary."""
    path = folder / "summary.json"
    if not path.is_file():
        return None
    summary = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for corpus in ("calibration", "check"):
        r = summary.get(corpus)
        if not r:
            continue
        o = r["overall"]
        rows.append({"name": t(f"cal.{corpus}", lang), "series": str(r["series"]), "forecasts": str(r["forecasts"]),
                     "mase": " / ".join(fmt.ratio(o[k]) or fmt.DASH for k in ("mase", "mase_theta", "mase_naive")),
                     "smape": f"{o['smape']:.1f} / {o['smape_theta']:.1f} / {o['smape_naive']:.1f}",
                     "coverage": [fmt.ratio(r["by_h"][h]["coverage"]) for h in sorted(r["by_h"], key=int)],
                     "skill": fmt.ratio(r["brier"]["all"]["skill"])})
    horizons = sorted(summary["calibration"]["by_h"], key=int)
    figures = [{"uri": _figure_uri(folder / f"{name}.png"), "caption": t(f"cal.fig.{name}", lang)}
               for name in CALIBRATION_FIGURES if (folder / f"{name}.png").is_file()]
    prov = summary.get("provenance", {})
    return {"rows": rows, "horizons": horizons, "figures": figures,
            "intro": t("cal.intro", lang, date=prov.get("date", "?"), code=prov.get("code", "?"))}


def report_view(*, plan: LoadedPlan, dataset: Dataset, records: list[dict[str, Any]], figures: dict[str, Path],
                config: MethodConfig, year: int, lang: str, meta: dict[str, Any],
                scorecard: list[dict[str, Any]] | None = None,
                backtests: Backtests | None = None) -> dict[str, Any]:
    """The whole report in one language as display cells: what every output format (HTML, PDF, Word)
    shows, already worded and formatted. Formats lay it out; none recomputes or rewords it.

    ``scorecard`` (the rows of :func:`planeval.method.scorecard.scorecard`, final evaluation only) and ``backtests``
    (indicator id -> :func:`planeval.method.backtest.backtest_indicator` result) are computed by the caller.
    """
    p = plan.plan
    by_id = {r["indicator_id"]: r for r in records}
    only = list(meta.get("only") or [])
    rows = [summary_row(ind, by_id.get(ind.id), lang, only) for ind in p.indicators]
    partial = None
    if only:
        names = t("sep", lang).join(i.name[lang] for i in p.indicators if i.id in only)
        partial = t("partial.note", lang, n=len(only), m=len(p.indicators), names=names)
    waiting = awaiting_end_year(records, year)
    names = {i.id: i.name[lang] for i in p.indicators}
    preliminary = (t("report.preliminary_note", lang, end=p.end_year, n=len(waiting),
                     names=t("sep", lang).join(names.get(i, i) for i in waiting)) if waiting else None)
    projects = project_status(plan, dataset, year)
    for project in projects:
        project["status_name"] = t(f"project.{project['status']}", lang)
    for row in rows:
        row["sort"] = _sort_keys(row, by_id.get(row["ind"].id))
    level = fmt.interval(config.interval)  # the forecast interval's level, as its labels print it
    sections = [_section(ind, by_id.get(ind.id), figures, lang, only, p, level) for ind in p.indicators]
    _chart_points(sections, figures, plan, dataset, lang)
    context = {
        "lang": lang, "html_lang": HTML_LANG[lang], "plan": p, "year": year, "meta": meta, "level": level,
        "rows": rows, "counts": _counts(rows, lang), "findings": _findings(rows, lang),
        "needed": _needed(rows, by_id, lang), "binding": _binding(rows, lang),
        "n_results": sum(1 for r in rows if r["status"]["code"] not in ("not_identified", NO_RECORD)),
        "overview": _overview_uri(plan, records, lang, only),
        "sections": sections,
        "partial": partial, "final": year >= p.end_year, "preliminary": preliminary,
        "vintage": vintage_text(meta.get("vintage"), lang),
        "vintage_day": parse_vintage(meta["vintage"]).isoformat() if meta.get("vintage") else None,
        "scorecard": _scorecard(plan, scorecard, lang) if scorecard is not None and year >= p.end_year else None,
        "midterm_year": midterm_year(p),
        "backtest": _backtest(plan, backtests, config, year, lang) if backtests is not None else None,
        "calibration": calibration_view(lang),
        "projects": projects, "coverage": _coverage(plan, dataset, year, lang),
        "context_series": _context_series(plan, dataset, year, lang),
        "end_observed": any(r.get("end_observed") for r in rows),
        "method": [{"key": d["key"], "value": d["value"], "meaning": d[lang]} for d in describe(config)],
        "statuses": [status_view(c, lang) for c in STATUSES],
        "likelihoods": [t(f"likelihood.{c}", lang) for c in LIKELIHOODS],
        "sources": _sources(dataset),
        "confidence": {c: t(f"conf.{c}", lang) for c in ("high", "medium", "low")},
        "changes": _changes(p, records, meta, lang),
    }
    return context


def _changes(p: Plan, records: list[dict[str, Any]], meta: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """"What changed since the previous report": ``meta["changes"]`` (the run's
    :func:`planeval.presentation.changes.compare`, None for a year's first report) in words."""
    from planeval.presentation.changes import changes_view

    names = {i.id: i.name[lang] for i in p.indicators}
    return changes_view(meta.get("changes"), records, names, lambda u: unit_text(p, u, lang),
                        lambda s: series_text(p, s, lang), lang)
