"""The assembly step: from the indicator notebooks' records and charts to the published files.

The report is a template fed by the recorded results (see README, "Why a template"): it reads the
records, never recomputes them. Two method checks that are not per-indicator records are computed
here from the as-of data and passed in: the backtest of the forecast models and, in the final
evaluation, the scorecard of the mid-term forecasts against the outcomes.
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import shutil
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from planeval.method.backtest import Backtests, backtest_all
from planeval.inputs.data import Dataset
from planeval.inputs.plan import LoadedPlan


def assemble(loaded: LoadedPlan, as_of: Dataset, ids: list[str], year: int, langs: tuple[str, ...], folder: Path,
             meta: dict[str, Any], log: Callable[[str], None] = print, jobs: int = 1,
             backtests: Backtests | None = None) -> list[Path]:
    """Write report.<lang>.html/.pdf/.docx per language, index.html, and report.html/.pdf/.docx (the first language).

    Each language's page and its PDF (WeasyPrint: single-threaded, the slowest step) are made in a
    process of their own, up to ``jobs`` at once. ``backtests``: :func:`backtest_all` of the same
    arguments, if the caller computed them ahead.
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
    records = [json.loads((results / f"{i}.json").read_text(encoding="utf-8")) for i in ids]
    figures = {f"{i}.{lang}": results / f"{i}.{lang}.png" for i in ids for lang in langs}
    common = dict(plan=loaded, dataset=as_of, records=records, figures=figures, config=config, year=year, meta=meta,
                  scorecard=scores, backtests=backtests)
    workers = max(1, min(jobs, len(langs)))
    if workers == 1:
        written = [path for lang in langs for path in _language(folder, lang, common)]
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            done = [pool.submit(_language, folder, lang, common) for lang in langs]
            written = [path for future in done for path in future.result()]
    log(f"assembled {', '.join(p.name for p in written)}")
    index = folder / "index.html"
    index.write_text(report.render_index(loaded, year, langs, meta, preliminary=bool(report.awaiting_end_year(records, year))),
                     encoding="utf-8")
    for suffix in ("html", "pdf", "docx"):
        default = folder / f"report.{suffix}"
        shutil.copyfile(folder / f"report.{langs[0]}.{suffix}", default)
        written.append(default)
    return [*written, index]


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """In a forked PDF worker: die when the run dies, however it dies. SIGINT is the run's to handle
    (a terminal's Ctrl-C reaches the whole process group): the run then kills its workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # Linux
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the run died before the line above took effect
        os._exit(1)


def _language(folder: Path, lang: str, render_args: dict[str, Any]) -> list[Path]:
    """report.<lang>.html, its PDF and its Word document."""
    from planeval.presentation import docx, report

    view = report.report_view(lang=lang, **render_args)
    html = report.render_html(view)
    html_path, pdf_path = folder / f"report.{lang}.html", folder / f"report.{lang}.pdf"
    html_path.write_text(html, encoding="utf-8")
    report.write_pdf(html, pdf_path)
    docx.write_docx(view, folder / f"report.{lang}.docx")
    return [html_path, pdf_path, folder / f"report.{lang}.docx"]
