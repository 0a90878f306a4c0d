"""Small helpers that keep the notebooks thin: load, tabulate, write outputs.

The notebooks narrate; everything they compute comes from ``evaluate`` and is shown from the
record's plain-data form (the same JSON the report reads).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from planeval.inputs.config import MethodConfig
from planeval.inputs.data import Dataset, check_in_full, load_dataset
from planeval.inputs.paths import LANGS, backtest_file, chart_file, record_file
from planeval.presentation import formats as fmt
from planeval.presentation import views
from planeval.presentation.labels import status_name, t
from planeval.inputs.plan import Indicator, LoadedPlan, load_plan
from planeval.method.record import Record

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def load(plan_path: str | Path, indicator_id: str | None = None) -> tuple[LoadedPlan, Dataset, Indicator | None, MethodConfig]:
    """The plan, its validated data, one indicator (if named) and the method settings."""
    loaded, dataset = _load_inputs(Path(plan_path))
    indicator = loaded.plan.indicator(indicator_id) if indicator_id else None
    return loaded, dataset, indicator, loaded.plan.method_config


_LOADED: dict[str, tuple[dict[Path, str], LoadedPlan, Dataset]] = {}  # plan path -> (file digests, plan, data)
# Keys (digests.inputs_key) of plans and data whose checks the run that executes this kernel's notebooks
# makes itself (it keeps no result of bytes that fail them): the run's setup cell adds its key. Such
# bytes skip pandera's checks and the plan's glyph check here (0.3 s, pandera's 0.45 s import and the
# charts' font in every kernel); any other bytes, and every notebook run by hand, are checked in full.
CHECKED: set[str] = set()


def _load_inputs(path: Path) -> tuple[LoadedPlan, Dataset]:
    """The plan and its validated data, read and checked once per process for the same bytes: a warm
    kernel runs the notebook of every indicator of one plan (0.2 s each). The data comes as a copy, so
    what one notebook does to its tables cannot reach the next."""
    from planeval.pipeline.digests import input_digests, inputs_key, sha256_file

    held = _LOADED.get(str(path.resolve()))
    if held is not None and all(p.is_file() and sha256_file(p) == d for p, d in held[0].items()):
        return held[1], held[2].copy()
    plan_digest = sha256_file(path) if path.is_file() else ""  # before reading: a later edit is seen next time
    loaded = load_plan(path, drawable=False)
    digests = input_digests(loaded.path, loaded.data_paths(), plan_digest)
    if inputs_key(digests) in CHECKED:
        dataset = load_dataset(loaded, checked=True)
    else:
        dataset = check_in_full(loaded, path)
    _LOADED[str(path.resolve())] = (digests, loaded, dataset)
    return loaded, dataset.copy()


def as_data(record: Record) -> dict[str, Any]:
    """The record exactly as the report will read it (round-tripped through its JSON)."""
    return json.loads(record.to_json())


def observations_table(dataset: Dataset, series: list[str], year: int) -> pd.DataFrame:
    """Every row of the given series that the evaluation may use (periods ending by ``year``)."""
    rows = dataset.as_of(year).observations
    cols = ["series", "period", "value", "qualifier", "unit", "kind", "source", "line"]
    return rows[rows["series"].isin(series)][cols].sort_values(["series", "kind", "period"]).reset_index(drop=True)


def key_figures(record: dict[str, Any], indicator: Indicator, lang: str, config: MethodConfig) -> pd.DataFrame:
    """The record's status and figures as a two-column table (label, value): the cells of the report's
    indicator section (:func:`planeval.presentation.views.key_figures`)."""
    rows = [(t("col.status", lang), status_name(record["status"]["code"], lang))]
    rows += [(label, views.cell_text(c)) for label, c in views.key_figures(indicator, record, lang, fmt.interval(config.interval))]
    return pd.DataFrame(rows, columns=["", ""]).set_index(pd.Index(range(1, len(rows) + 1)))


def chart_pngs(record: dict[str, Any], plan: LoadedPlan | None = None, dataset: Dataset | None = None,
               langs: tuple[str, ...] = LANGS) -> dict[str, bytes]:
    """The indicator's chart in each language as the PNG the report embeds (with where its readings
    lie, :func:`planeval.presentation.charts.chart_points`), each drawn once: the notebook shows one
    (:func:`show`), :func:`write_outputs` writes them. With the plan and ``dataset`` (as of the
    evaluation year) the chart also draws the context series the indicator links (``context:``)."""
    from planeval.presentation import charts
    from planeval.method.coverage import context_points

    context = None
    if plan is not None and dataset is not None:
        ids = plan.plan.indicator(record["indicator_id"]).context
        context = context_points(plan, dataset, record["evaluation_year"], ids)
    pngs = {}
    for lang in langs:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # a missing glyph is an error, not a tofu box
            fig = charts.indicator_chart(record, lang, plan=plan, context=context)
            pngs[lang] = charts.png_bytes(fig, points=charts.chart_points(fig, record))
    return pngs


def show(chart: Figure | bytes) -> Any:
    """A chart (a figure, or its PNG) shown as the report shows it: the PNG at 150 dpi, displayed at
    a page's width. Jupyter's own display of a figure would lay it out and draw it once more."""
    from IPython.display import Image

    from planeval.presentation import charts

    png = chart if isinstance(chart, bytes) else charts.png_bytes(chart)
    return Image(data=png, format="png", width=800)


def write_outputs(record: Record, output_dir: str | Path, plan: LoadedPlan | None = None,
                  langs: tuple[str, ...] = LANGS, dataset: Dataset | None = None,
                  charts: dict[str, bytes] | None = None) -> list[Path]:
    """Write the record, one chart per language (``charts``, from :func:`chart_pngs`; drawn here when
    not given) and, with the plan and ``dataset`` (the as-of data the record was evaluated on), the
    backtest of the forecast models on the indicator's series (the report's method section pools them),
    where run_all.py collects them."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [record_file(out, record.indicator_id)]
    record.write(written[0])
    if plan is not None and dataset is not None:
        from planeval.method.backtest import backtest_indicator, outcome_data

        outcome = backtest_indicator(plan.plan, plan.plan.indicator(record.indicator_id), dataset,
                                     record.evaluation_year, plan.plan.method_config)
        written.append(backtest_file(out, record.indicator_id))
        written[-1].write_text(json.dumps(outcome_data(*outcome), sort_keys=True, separators=(",", ":"),
                                          allow_nan=False) + "\n", encoding="utf-8")
    pngs = charts if charts is not None else chart_pngs(as_data(record), plan, dataset, langs)
    for lang in langs:
        written.append(chart_file(out, record.indicator_id, lang))
        written[-1].write_bytes(pngs[lang])
    return written


def collect_records(loaded: LoadedPlan, dataset: Dataset, year: int, config: MethodConfig,
                    results_dir: str | Path = "") -> list[dict[str, Any]]:
    """Every identified indicator's record: read from ``results_dir`` (what the indicator notebooks
    wrote) or, when it is empty, evaluated here."""
    from planeval.method.evaluate import evaluate

    if results_dir:
        folder = Path(results_dir)
        return [json.loads(record_file(folder, ind.id).read_text(encoding="utf-8"))
                for ind in loaded.plan.evaluated if record_file(folder, ind.id).exists()]
    return [as_data(evaluate(loaded.plan, ind, dataset, year, config)) for ind in loaded.plan.evaluated]


def summary_table(records: list[dict[str, Any]], loaded: LoadedPlan, lang: str) -> pd.DataFrame:
    """One row per indicator of the plan (the unidentified ones too): the cells of the report's summary
    table (:func:`planeval.presentation.views.summary_row`), and why a cell is empty."""
    by_id = {r["indicator_id"]: r for r in records}
    level = fmt.interval(loaded.plan.method_config.interval)
    rows = []
    for ind in loaded.plan.indicators:
        row = views.summary_row(ind, by_id.get(ind.id), lang)
        status = row["status"]["name"] + (f" {row['pace']}" if row["pace"] else "")
        rows.append({t("col.indicator", lang): ind.name[lang],
                     **{t(f"col.{k}", lang): views.cell_text(row[k]) for k in ("target", "base", "latest", "progress")},
                     t("col.status", lang): status,
                     t("col.forecast", lang, level=level): views.cell_text(row["forecast"]),
                     t("col.probability", lang): views.cell_text(row["probability"]),
                     t("ind.reasons", lang): row["reason"] or ""})
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
