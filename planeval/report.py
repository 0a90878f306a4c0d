"""The report: one self-contained HTML page per language (CSS inlined, figures as data URIs) and its PDF.

Everything shown about an indicator comes from its result record; the plan gives names, targets and
notes; the dataset gives sources, project evidence and coverage. Jinja2 autoescapes every string, and
only http(s) URLs become links.
"""

from __future__ import annotations

import base64
import functools
import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from . import charts
from .backtest import POOLED, Backtests, pool_results
from .config import MethodConfig, describe
from .coverage import coverage_matrix, gaps
from .data import Dataset
from .dates import parse_vintage
from .i18n import DASH, HTML_LANG, LIKELIHOODS, STATUSES, has, status_colour, status_name, t
from .plan import Indicator, LoadedPlan
from .projects import project_status
from .record import Message
from .scorecard import midterm_vintage, midterm_year

HERE = Path(__file__).parent
QUALIFIER_SIGNS = {"=": "", "~": "≈", "<=": "≤", "<": "<", ">=": "≥", ">": ">"}
GOOD = ("achieved_early", "achieved", "target_reached", "likely_achieved", "ahead", "on_track")
BAD = ("broadly_on_track", "lagging", "moving_away", "likely_missed", "missed")
NO_RECORD = "no_record"
NOT_INCLUDED = "not_included"
MODEL_KEYS = ("rw_drift", "linear", "linear_trend", "ets_damped")
EACH_YEAR = ("ceiling_each_year", "floor_each_year", "qualitative")


@functools.cache
def _env() -> Environment:
    """One environment per process, so each template is compiled once (run_all.py compiles them
    while the notebooks run, before the per-language workers are forked)."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["link"] = safe_url
    return env


def safe_url(url: object) -> str | None:
    """The URL if it is an http(s) link, else None (a javascript: or empty URL is shown as text)."""
    text = str(url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) and " " not in text else None


def fmt_number(value: float | None, digits: int = 2) -> str | None:
    """A number with thousands separators and at most ``digits`` decimals; None for missing or NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def cell(text: str | None, why: str, src: str | None = None) -> dict[str, str | None]:
    """What a table cell shows: the text, or "—" and why; ``src`` is the source id to link."""
    return {"text": text, "why": None if text is not None else why, "src": src if text is not None else None}


def _unit(ind: Indicator, lang: str) -> str:
    return ind.unit[lang] if ind.unit else ""


def _value(v: float | None, qualifier: str, unit: str) -> str | None:
    num = fmt_number(v)
    if num is None:
        return None
    sep = "" if unit in ("%", "") else " "
    return f"{QUALIFIER_SIGNS.get(qualifier, qualifier)}{num}{sep}{unit}"


def point_cell(point: dict[str, Any] | None, unit: str, lang: str, why: str = "na.no_value",
               with_period: bool = True) -> dict[str, str | None]:
    if not point:
        return cell(None, t(why, lang))
    text = _value(point["value"], point["qualifier"], unit)
    if text is not None and with_period:
        text += f"（{point['period']}）" if lang == "zh" else f" ({point['period']})"
    return cell(text, t(why, lang), point["source"])


def _ratio(v: float | None, why: str, pct: bool = False) -> dict[str, str | None]:
    if v is None or not math.isfinite(v):
        return cell(None, why)
    return cell(f"{v:.0%}" if pct else f"{v:.2f}", why)


def _years(years: list[int], lang: str) -> dict[str, str | None]:
    return cell(t("sep", lang).join(str(y) for y in years) if years else t("summary.none", lang), "")


def _likelihood(fc: dict[str, Any] | None, lang: str, why: str = "na.no_forecast") -> dict[str, str | None]:
    if not fc or fc.get("probability") is None:
        return cell(None, t(why, lang))
    code = (fc.get("likelihood") or {}).get("code")
    word = t(f"likelihood.{code}", lang) if code in LIKELIHOODS else (fc.get("likelihood") or {}).get(lang, "")
    return cell(f"{word} ({fc['probability']:.0%})".strip(), "")


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


def _forecast(fc: dict[str, Any] | None, unit: str, lang: str, why: str = "na.no_forecast") -> dict[str, str | None]:
    if not fc or fmt_number(fc.get("point")) is None:
        return cell(None, t(why, lang))
    text = _value(fc["point"], "=", unit) or ""
    low, high = fmt_number(fc.get("low")), fmt_number(fc.get("high"))
    if low is not None and high is not None:
        text += f" [{low}–{high}]"
    return cell(text, "")


def _status(rec: dict[str, Any] | None, ind: Indicator, only: list[str] | None = None) -> str:
    if not ind.identified:
        return "not_identified"
    if rec is None and only and ind.id not in only:
        return NOT_INCLUDED
    return rec["status"]["code"] if rec else NO_RECORD


def _status_view(code: str, lang: str) -> dict[str, str]:
    return {"code": code, "name": status_name(code, lang), "colour": status_colour(code)}


def _years_progress(rec: dict[str, Any], lang: str) -> dict[str, str | None]:
    """Each-year kinds: "1 of 3 years met (2 unknown)" rather than a share that reads like a pace."""
    met, missed, unknown = (len(rec.get(k) or []) for k in ("years_met", "years_missed", "years_unknown"))
    n = met + missed + unknown
    if n == 0:
        return cell(None, t("na.see_section", lang))
    extra = [t(key, lang, k=k) for key, k in (("progress.missed", missed), ("progress.unknown", unknown)) if k]
    text = t("progress.years", lang, n=n, met=met)
    if extra:
        text += f"（{'，'.join(extra)}）" if lang == "zh" else f" ({', '.join(extra)})"
    return cell(text, "")


def _summary_row(ind: Indicator, rec: dict[str, Any] | None, lang: str, only: list[str] | None = None) -> dict[str, Any]:
    unit = _unit(ind, lang)
    status = _status_view(_status(rec, ind, only), lang)
    why = {"not_identified": "na.not_identified", NOT_INCLUDED: "na.not_included"}.get(status["code"], "na.no_record")
    target = cell(ind.target_text[lang] if ind.target_text else None,
                  t("na.not_identified" if not ind.identified else "na.no_target", lang), ind.source)
    if rec is None:
        empty = cell(None, t(why, lang))
        return {"ind": ind, "target": target, "base": empty, "latest": empty, "progress": empty,
                "forecast": empty, "probability": empty, "status": status}
    why = _no_forecast_why(rec, "na.see_section")
    if rec["kind"] in EACH_YEAR:
        progress = _years_progress(rec, lang)
    else:
        progress = _ratio(rec.get("progress"), t("na.see_section", lang), pct=True)
        if progress["text"] is not None and rec.get("pace") is not None:
            progress["text"] += f" (ρ={rec['pace']:.2f})"
    return {
        "ind": ind, "target": target,
        "base": point_cell(rec.get("base"), unit, lang, "na.no_base"),
        "latest": point_cell(rec.get("latest"), unit, lang),
        "progress": progress,
        "forecast": _forecast(_current_forecast(rec), unit, lang, why),
        "probability": _likelihood(_current_forecast(rec), lang, why),
        "status": status,
    }


def _key_figures(ind: Indicator, rec: dict[str, Any], lang: str) -> list[tuple[str, dict[str, str | None]]]:
    """(label, cell) rows of the record's figures that apply to this target kind."""
    unit, kind = _unit(ind, lang), rec["kind"]
    see = t("na.see_reasons", lang)
    amount = lambda v: cell(_value(v, "=", unit), see)  # noqa: E731
    rows = [(t("fig.latest", lang), point_cell(rec.get("latest"), unit, lang)),
            (t("fig.base", lang), point_cell(rec.get("base"), unit, lang, "na.no_base"))]
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
        rows += [(t("fig.required", lang), amount(rec.get("required_per_year"))),
                 (t("fig.average", lang), amount(rec.get("average_per_year")))]
    fc, why = _current_forecast(rec), _no_forecast_why(rec, "na.see_reasons")
    rows.append((t("fig.forecast", lang, year=rec["end_year"]), _forecast(fc, unit, lang, why)))
    rows.append((t("fig.probability", lang), _likelihood(fc, lang, why)))
    if fc:
        rows.append((t("fig.probability_uninflated", lang), _ratio(fc.get("probability_uninflated"), see)))
        per_model = "; ".join(f"{t('model.' + m, lang) if m in MODEL_KEYS else m} {p:.2f}"
                              for m, p in sorted(fc.get("probability_by_model", {}).items()))
        rows.append((t("fig.probability_by_model", lang), cell(per_model or None, see)))
        years = fc.get("fit_years") or []
        rows.append((t("fig.fit_years", lang), cell(f"{years[0]}–{years[-1]}" if years else None, see)))
    return rows


def _values_shown(rec: dict[str, Any], unit: str, lang: str) -> list[dict[str, Any]]:
    """Every value the chart and figures show, with its source (the data behind the chart)."""
    points = rec.get("history", []) + rec.get("evidence", []) + rec.get("annual_targets", [])
    for sid, pts in sorted(rec.get("rule_series", {}).items()):
        points += [{**p, f"note_{lang}": f"{sid}; {p[f'note_{lang}']}".rstrip("; ")} for p in pts]
    rows = [{"period": p["period"],
             "value": _value(p["value"], p["qualifier"], unit if p["unit"] == rec["unit"] else p["unit"]) or DASH,
             "kind": t(f"pkind.{p['kind']}", lang) if has(f"pkind.{p['kind']}") else p["kind"],
             "note": p[f"note_{lang}"], "source": p["source"], "used": p["used"]} for p in points]
    return sorted(rows, key=lambda r: (r["period"][:4], r["kind"], r["period"]))


def _figure_uri(path: Path | None) -> str | None:
    if path is None or not Path(path).exists():
        return None
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _section(ind: Indicator, rec: dict[str, Any] | None, figures: dict[str, Path], lang: str,
             only: list[str] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {"ind": ind, "anchor": f"ind-{ind.id}", "status": _status_view(_status(rec, ind, only), lang),
                            "kind": t(f"kind.{ind.kind.value}", lang) if ind.kind else None,
                            "chart": _figure_uri(figures.get(f"{ind.id}.{lang}")),
                            "rule": getattr(ind.rule, lang) if ind.rule else None,
                            "notes": ind.notes[lang] if ind.notes else None,
                            "changes": [{"year": c.year, "type": t(f"change.{c.type}", lang), "text": getattr(c, lang)}
                                        for c in ind.definition_changes],
                            "record": rec}
    if rec is not None:
        view |= {"figures": _key_figures(ind, rec, lang), "verdict": rec["verdict"][lang],
                 "flags": [f[lang] for f in rec.get("flags", [])], "reasons": [r[lang] for r in rec.get("reasons", [])],
                 "shown": _values_shown(rec, _unit(ind, lang), lang)}
    return view


def _findings(rows: list[dict[str, Any]], lang: str) -> list[str]:
    def names(codes: tuple[str, ...]) -> str:
        hit = [r["ind"].name[lang] for r in rows if r["status"]["code"] in codes]
        return t("sep", lang).join(hit) if hit else t("summary.none", lang)
    return [t("summary.good", lang, names=names(GOOD)), t("summary.bad", lang, names=names(BAD)),
            t("summary.nodata", lang, names=names(("insufficient_data", "not_identified", NO_RECORD)))]


def _counts(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    codes = [r["status"]["code"] for r in rows]
    return [{**_status_view(c, lang), "n": codes.count(c)} for c in (*STATUSES, NO_RECORD, NOT_INCLUDED) if c in codes]


def _meta_files(meta: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for item in meta.get("generated_from") or []:
        if isinstance(item, dict):
            name = item.get("path") or item.get("file") or item.get("name") or ""
            digest = item.get("sha256") or item.get("hash") or ""
            out.append((str(name), str(digest)))
        elif isinstance(item, (list, tuple)):
            out.append((str(item[0]), str(item[1]) if len(item) > 1 else ""))
        else:
            out.append((str(item), ""))
    return out


def _coverage(plan: LoadedPlan, dataset: Dataset, year: int, lang: str) -> dict[str, Any]:
    matrix = coverage_matrix(plan, dataset, year)
    names = {i.id: i for i in plan.plan.indicators}
    rows = [{"ind": names[iid], "cells": [(code, t(f"cov.{code}", lang)) for code in matrix.loc[iid]]}
            for iid in matrix.index]
    gap_rows = [{"ind": names[iid], "years": t("sep", lang).join(map(str, ys)) if ys else t("cov.no_gaps", lang)}
                for iid, ys in gaps(plan, dataset, year, matrix).items()]
    legend = [(code, t(f"cov.{code}", lang)) for code in ("actual", "bound", "partial", "missing", "not_identified")]
    return {"years": [int(y) for y in matrix.columns], "rows": rows, "gaps": gap_rows, "legend": legend}


def _sources(dataset: Dataset) -> list[dict[str, Any]]:
    return [{"id": r.source, "publisher": r.publisher, "title": r.title, "published": r.published,
             "url": r.url, "link": safe_url(r.url), "confidence": r.confidence}
            for r in dataset.sources.itertuples(index=False)]


def _overview_uri(plan: LoadedPlan, records: list[dict[str, Any]], figures: dict[str, Path], lang: str,
                  only: list[str]) -> str:
    uri = _figure_uri(figures.get(f"overview.{lang}"))
    if uri is None:
        png = charts.png_bytes(charts.overview_figure(records, plan, lang, only))
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return uri


def _scorecard(plan: LoadedPlan, rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The final evaluation's table: the mid-term view of each indicator (with the sources published by
    the mid-term report's vintage) against its outcome, marked when that rests on partial readings only."""
    inds = {i.id: i for i in plan.plan.indicators}
    out = []
    for row in rows:
        ind, mid, fin = inds[row["indicator_id"]], row["midterm"], row["final"]
        unit = _unit(ind, lang)
        inside = fin["inside_interval"]
        out.append({
            "ind": ind,
            "mid_status": _status_view(mid["status"]["code"], lang),
            "probability": _likelihood(mid, lang, "sc.no_mid_forecast"),
            "forecast": _forecast(mid, unit, lang, "sc.no_mid_forecast"),
            "final_status": _status_view(fin["status"]["code"], lang),
            "end_value": cell(_value(fin["end_value"], "=", unit), t("sc.no_end_value", lang)),
            "inside": cell(None if inside is None else t("sc.yes" if inside else "sc.no", lang),
                           t("sc.no_end_value" if fin["end_value"] is None else "sc.no_interval", lang)),
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
    models = ("rw_drift", "linear_trend", "ets_damped", POOLED)

    def view(name: str, scores: dict[str, dict[str, Any]] | None, reason: Message | None) -> dict[str, Any]:
        scores = scores or {}
        pooled = _score_cells(scores.get(POOLED), lang)
        n = int(pooled["n"])
        return {"name": name, "reason": getattr(reason, lang) if reason else None, "n": pooled["n"],
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
            "intro": t("bt.intro", lang, year=year, interval=f"{config.interval:.2f}")}


def render_html(*, plan: LoadedPlan, dataset: Dataset, records: list[dict[str, Any]], figures: dict[str, Path],
                config: MethodConfig, year: int, lang: str, meta: dict[str, Any],
                scorecard: list[dict[str, Any]] | None = None,
                backtests: Backtests | None = None) -> str:
    """The whole report in one language as one self-contained HTML string.

    ``scorecard`` (the rows of :func:`planeval.scorecard.scorecard`, final evaluation only) and ``backtests``
    (indicator id -> :func:`planeval.backtest.backtest_indicator` result) are computed by the caller.
    """
    p = plan.plan
    by_id = {r["indicator_id"]: r for r in records}
    only = list(meta.get("only") or [])
    rows = [_summary_row(ind, by_id.get(ind.id), lang, only) for ind in p.indicators]
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
    context = {
        "lang": lang, "html_lang": HTML_LANG[lang], "plan": p, "year": year, "meta": meta,
        "files": _meta_files(meta), "css": (HERE / "static" / "report.css").read_text(encoding="utf-8"),
        "rows": rows, "counts": _counts(rows, lang), "findings": _findings(rows, lang),
        "n_results": sum(1 for r in rows if r["status"]["code"] not in ("not_identified", NO_RECORD)),
        "overview": _overview_uri(plan, records, figures, lang, only),
        "sections": [_section(ind, by_id.get(ind.id), figures, lang, only) for ind in p.indicators],
        "partial": partial, "final": year >= p.end_year, "preliminary": preliminary,
        "vintage": vintage_text(meta.get("vintage"), lang),
        "vintage_day": parse_vintage(meta["vintage"]).isoformat() if meta.get("vintage") else None,
        "scorecard": _scorecard(plan, scorecard, lang) if scorecard is not None and year >= p.end_year else None,
        "midterm_year": midterm_year(p),
        "backtest": _backtest(plan, backtests, config, year, lang) if backtests is not None else None,
        "projects": projects, "coverage": _coverage(plan, dataset, year, lang),
        "method": [{"key": d["key"], "value": d["value"], "meaning": d[lang]} for d in describe(config)],
        "statuses": [_status_view(c, lang) for c in STATUSES],
        "likelihoods": [t(f"likelihood.{c}", lang) for c in LIKELIHOODS],
        "sources": _sources(dataset),
        "confidence": {c: t(f"conf.{c}", lang) for c in ("high", "medium", "low")},
    }
    return _env().get_template("report.html.j2").render(t=lambda key, **kw: t(key, lang, **kw), **context)


def compile_templates() -> None:
    """Compile the templates now (a few tenths of a second), ahead of the first render."""
    for name in ("report.html.j2", "index.html.j2"):
        _env().get_template(name)


def render_index(plan: LoadedPlan, year: int, langs: list[str] | tuple[str, ...], meta: dict[str, Any],
                 preliminary: bool = False) -> str:
    """A small bilingual landing page linking report.<lang>.html and report.<lang>.pdf; ``preliminary``:
    a final report still waiting for end-year values (:func:`awaiting_end_year`)."""
    return _env().get_template("index.html.j2").render(
        plan=plan.plan, year=year, langs=list(langs), meta=meta, html_lang=HTML_LANG, preliminary=preliminary,
        vintage=meta.get("vintage"), vintage_text=lambda lang: vintage_text(meta.get("vintage"), lang),
        css=(HERE / "static" / "report.css").read_text(encoding="utf-8"), t=t)


def write_pdf(html: str, path: Path) -> None:
    """Print the report with WeasyPrint (A4, page numbers, bookmarks from headings); fetches only data: URIs."""
    HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(Path(path))
