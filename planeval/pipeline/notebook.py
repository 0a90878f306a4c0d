"""Small helpers that keep the notebooks thin: load, tabulate, write outputs.

The notebooks narrate; everything they compute comes from ``evaluate`` and is shown from the
record's plain-data form (the same JSON the report reads).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from planeval.inputs.config import MethodConfig
from planeval.inputs.data import Dataset, load_dataset
from planeval.presentation.labels import LANGS, fmt_probability, status_name
from planeval.presentation.sentences import text
from planeval.inputs.plan import Indicator, LoadedPlan, load_plan
from planeval.method.record import Record


def load(plan_path: str | Path, indicator_id: str | None = None) -> tuple[LoadedPlan, Dataset, Indicator | None, MethodConfig]:
    """The plan, its validated data, one indicator (if named) and the method settings."""
    loaded = load_plan(plan_path)
    dataset = load_dataset(loaded)
    indicator = loaded.plan.indicator(indicator_id) if indicator_id else None
    return loaded, dataset, indicator, loaded.plan.method_config


def as_data(record: Record) -> dict[str, Any]:
    """The record exactly as the report will read it (round-tripped through its JSON)."""
    return json.loads(record.to_json())


def observations_table(dataset: Dataset, series: list[str], year: int) -> pd.DataFrame:
    """Every row of the given series that the evaluation may use (periods ending by ``year``)."""
    rows = dataset.as_of(year).observations
    cols = ["series", "period", "value", "qualifier", "unit", "kind", "source", "line"]
    return rows[rows["series"].isin(series)][cols].sort_values(["series", "kind", "period"]).reset_index(drop=True)


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def key_figures(record: dict[str, Any], lang: str) -> pd.DataFrame:
    """The record's headline figures as a two-column table (label, value)."""
    zh = lang == "zh"
    latest, base, f = record["latest"], record["base"], record["forecast"]
    rows: list[tuple[str, str]] = [
        ("状态" if zh else "status", status_name(record["status"]["code"], lang)),
        ("最新值" if zh else "latest", "—" if latest is None else f"{latest['qualifier']}{_num(latest['value'])} ({latest['period']})"),
        ("基数" if zh else "base", "—" if base is None else f"{_num(base['value'])} ({base['period']})"),
        ("时间进度 τ" if zh else "elapsed share τ", _num(record["tau"])),
        ("目标进度 P" if zh else "progress share P", _num(record["progress"])),
        ("进度比 ρ" if zh else "pace ρ", _num(record["pace"])),
        ("达标年份" if zh else "years met", ", ".join(map(str, record["years_met"])) or "—"),
        ("未达标年份" if zh else "years missed", ", ".join(map(str, record["years_missed"])) or "—"),
        ("无数据年份" if zh else "years unknown", ", ".join(map(str, record["years_unknown"])) or "—"),
    ]
    if f is not None:
        rows += [
            (f"{f['year']}年预测" if zh else f"forecast {f['year']}",
             f"{_num(f['point'])} [{_num(f['low'])}, {_num(f['high'])}]"),
            ("实现概率" if zh else "probability", "—" if f["probability"] is None
             else f"{fmt_probability(f['probability'])} ({text(f['likelihood'], lang)}; {'未放大' if zh else 'uninflated'} "
                  f"{fmt_probability(f['probability_uninflated'])})"),
        ]
    return pd.DataFrame(rows, columns=["", ""]).set_index(pd.Index(range(1, len(rows) + 1)))


def write_outputs(record: Record, output_dir: str | Path, plan: LoadedPlan | None = None,
                  langs: tuple[str, ...] = LANGS, dataset: Dataset | None = None) -> list[Path]:
    """Write the record and one chart per language where run_all.py collects them. With the plan and
    ``dataset``, the chart also draws the context series the indicator links (``context:`` in the plan)."""
    from planeval.presentation import charts
    from planeval.method.coverage import context_points

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / f"{record.indicator_id}.json"]
    record.write(written[0])
    data = as_data(record)
    context = None
    if plan is not None and dataset is not None:
        ids = plan.plan.indicator(record.indicator_id).context
        context = context_points(plan, dataset, record.evaluation_year, ids)
    for lang in langs:
        path = out / f"{record.indicator_id}.{lang}.png"
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # a missing glyph is an error, not a tofu box
            charts.save_png(charts.indicator_chart(data, lang, plan=plan, context=context), path)
        written.append(path)
    return written


def collect_records(loaded: LoadedPlan, dataset: Dataset, year: int, config: MethodConfig,
                    results_dir: str | Path = "") -> list[dict[str, Any]]:
    """Every identified indicator's record: read from ``results_dir`` (what the indicator notebooks
    wrote) or, when it is empty, evaluated here."""
    from planeval.method.evaluate import evaluate

    if results_dir:
        folder = Path(results_dir)
        return [json.loads((folder / f"{ind.id}.json").read_text(encoding="utf-8"))
                for ind in loaded.plan.evaluated if (folder / f"{ind.id}.json").exists()]
    return [as_data(evaluate(loaded.plan, ind, dataset, year, config)) for ind in loaded.plan.evaluated]


def summary_table(records: list[dict[str, Any]], loaded: LoadedPlan, lang: str) -> pd.DataFrame:
    """One row per indicator of the plan (the unidentified ones too): status, latest, progress, p."""
    by_id = {r["indicator_id"]: r for r in records}
    zh = lang == "zh"
    rows = []
    for ind in loaded.plan.indicators:
        rec = by_id.get(ind.id)
        latest = rec["latest"] if rec else None
        f = rec["forecast"] if rec else None
        rows.append({
            ("指标" if zh else "indicator"): ind.name[lang],
            ("状态" if zh else "status"): status_name(rec["status"]["code"], lang) if rec else ("未能识别" if zh else "not identified"),
            ("最新值" if zh else "latest"): "—" if latest is None else f"{latest['qualifier']}{_num(latest['value'])} ({latest['period']})",
            ("进度比" if zh else "pace"): _num(rec["pace"]) if rec else "—",
            ("实现概率" if zh else "p"): "—" if not f or f["probability"] is None else fmt_probability(f["probability"]),
        })
    return pd.DataFrame(rows, index=pd.Index([i.number or n + 1 for n, i in enumerate(loaded.plan.indicators)]))


def status_counts(records: list[dict[str, Any]], loaded: LoadedPlan) -> dict[str, int]:
    """How many indicators have each status code (the unidentified ones as not_identified)."""
    counts: dict[str, int] = {}
    for rec in records:
        counts[rec["status"]["code"]] = counts.get(rec["status"]["code"], 0) + 1
    unidentified = sum(1 for ind in loaded.plan.indicators if not ind.identified)
    if unidentified:
        counts["not_identified"] = unidentified
    return dict(sorted(counts.items()))
