"""The assembly step: from the indicator notebooks' records and charts to the published files.

The report is a template fed by the recorded results (see README, "Why a template"): it reads the
records, never recomputes them. Two method checks that are not per-indicator records are computed
here from the as-of data and passed in: the backtest of the forecast models and, in the final
evaluation, the scorecard of the mid-term forecasts against the outcomes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from planeval.method.backtest import Backtests, backtest_all, outcome_from_data
from planeval.inputs.model import Dataset
from planeval.inputs.paths import backtest_file, chart_file, record_file
from planeval.inputs.plan import LoadedPlan

if TYPE_CHECKING:
    from planeval.pipeline.workers import Workers


def assemble(loaded: LoadedPlan, as_of: Dataset, ids: list[str], year: int, langs: tuple[str, ...], folder: Path,
             meta: dict[str, Any], log: Callable[[str], None] = print, backtests: Backtests | None = None,
             workers: Workers | None = None) -> list[Path]:
    """Write report.<lang>.html/.pdf/.docx per language, index.html, and report.html/.pdf/.docx (the first language).

    Each language's page and its PDF (Typst, :mod:`planeval.presentation.typst`) are made by
    ``workers`` (the first language here, the others in their own processes meanwhile), or one after
    another here without them. ``backtests``: :func:`backtest_all` of the same arguments, as the
    indicator notebooks wrote them (:func:`read_backtests`); computed here when not given.
    """
    from planeval.presentation import report
    from planeval.method.scorecard import scorecard

    plan, config = loaded.plan, loaded.plan.method_config
    if backtests is None:
        backtests = backtest_all(plan, as_of, ids, year)
    scores = None
    if year >= plan.end_year:
        scores = [row for row in scorecard(plan, as_of, config) if row["indicator_id"] in ids]
    results = folder / "results"
    records = [json.loads(record_file(results, i).read_text(encoding="utf-8")) for i in ids]
    figures = {f"{i}.{lang}": chart_file(results, i, lang) for i in ids for lang in langs}
    common = dict(plan=loaded, dataset=as_of, records=records, figures=figures, config=config, year=year, meta=meta,
                  scorecard=scores, backtests=backtests)
    if workers is None:
        written = [path for lang in langs for path in _language(folder, lang, common)]
    else:
        written = workers.each_language(_language, folder, langs, common)
    log(f"assembled {', '.join(p.name for p in written)}")
    index = folder / "index.html"
    index.write_text(report.render_index(loaded, year, langs, meta, preliminary=bool(report.awaiting_end_year(records, year))),
                     encoding="utf-8")
    for suffix in ("html", "pdf", "docx"):
        default = folder / f"report.{suffix}"
        shutil.copyfile(folder / f"report.{langs[0]}.{suffix}", default)
        written.append(default)
    return [*written, index]


def prepare() -> None:
    """Load what making a language's report takes, ahead of the first one (a language process does this
    while the notebooks run): the report stack, its compiled templates, the PDF's fonts and the chart font."""
    from planeval.presentation import charts, docx, report, typst  # noqa: F401  (docx: imported to be loaded)

    report.compile_templates()
    typst.fonts()
    charts.load_font()


def read_backtests(results: Path, ids: list[str]) -> Backtests:
    """The backtests the indicator notebooks wrote beside their records."""
    return {i: outcome_from_data(json.loads(backtest_file(results, i).read_text(encoding="utf-8"))) for i in ids}


def _language(folder: Path, lang: str, render_args: dict[str, Any]) -> list[Path]:
    """report.<lang>.html, its PDF and its Word document, all laid out from the same view."""
    from planeval.presentation import docx, report, typst

    view = report.report_view(lang=lang, **render_args)
    html = report.render_html(view)
    html_path, pdf_path = folder / f"report.{lang}.html", folder / f"report.{lang}.pdf"
    html_path.write_text(html, encoding="utf-8")
    typst.write_pdf(view, pdf_path)
    docx.write_docx(view, folder / f"report.{lang}.docx")
    return [html_path, pdf_path, folder / f"report.{lang}.docx"]
