"""The assembly step: from the indicator notebooks' records and charts to the published files.

The report is a template fed by the recorded results (see README, "Why a template"): it reads the
records, never recomputes them. Two method checks that are not per-indicator records are computed
here from the as-of data and passed in: the backtest of the forecast models and, in the final
evaluation, the scorecard of the mid-term forecasts against the outcomes.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from .data import Dataset
from .plan import LoadedPlan


def assemble(loaded: LoadedPlan, as_of: Dataset, ids: list[str], year: int, langs: tuple[str, ...], folder: Path,
             meta: dict[str, Any], log: Callable[[str], None] = print, jobs: int = 1) -> list[Path]:
    """Write report.<lang>.html/.pdf per language, index.html, and report.html/.pdf (the first language).

    The PDFs (WeasyPrint, single-threaded and the slowest step) are laid out in parallel processes,
    one per language, up to ``jobs``.
    """
    from . import report
    from .backtest import backtest_indicator
    from .scorecard import scorecard

    plan, config = loaded.plan, loaded.plan.method_config
    backtests = {i: backtest_indicator(plan, plan.indicator(i), as_of, year, config) for i in ids}
    scores = None
    if year >= plan.end_year:
        scores = [row for row in scorecard(plan, as_of, config) if row["indicator_id"] in ids]
    results = folder / "results"
    records = [json.loads((results / f"{i}.json").read_text(encoding="utf-8")) for i in ids]
    figures = {f"{i}.{lang}": results / f"{i}.{lang}.png" for i in ids for lang in langs}
    written: list[Path] = []
    pdfs: list[tuple[str, Path]] = []
    for lang in langs:
        html = report.render_html(plan=loaded, dataset=as_of, records=records, figures=figures,
                                  config=config, year=year, lang=lang, meta=meta, scorecard=scores,
                                  backtests=backtests)
        html_path = folder / f"report.{lang}.html"
        html_path.write_text(html, encoding="utf-8")
        pdfs.append((html, folder / f"report.{lang}.pdf"))
        written += [html_path, folder / f"report.{lang}.pdf"]
    workers = max(1, min(jobs, len(pdfs)))
    if workers == 1:
        for html, path in pdfs:
            report.write_pdf(html, path)
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for done in [pool.submit(report.write_pdf, html, path) for html, path in pdfs]:
                done.result()
    log(f"assembled {', '.join(p.name for p in written)}")
    index = folder / "index.html"
    index.write_text(report.render_index(loaded, year, langs, meta), encoding="utf-8")
    for suffix in ("html", "pdf"):
        default = folder / f"report.{suffix}"
        shutil.copyfile(folder / f"report.{langs[0]}.{suffix}", default)
        written.append(default)
    return [*written, index]
