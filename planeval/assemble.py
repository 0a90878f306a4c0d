"""The assembly step: from the indicator notebooks' records and charts to the published files.

The report is a template fed by the recorded results (see README, "Why a template"): it reads the
records, never recomputes them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

from .data import Dataset
from .plan import LoadedPlan


def assemble(loaded: LoadedPlan, as_of: Dataset, ids: list[str], year: int, langs: tuple[str, ...], folder: Path,
             meta: dict[str, Any], log: Callable[[str], None] = print) -> list[Path]:
    """Write report.<lang>.html/.pdf per language, index.html, and report.html/.pdf (the first language)."""
    from . import report

    results = folder / "results"
    records = [json.loads((results / f"{i}.json").read_text(encoding="utf-8")) for i in ids]
    figures = {f"{i}.{lang}": results / f"{i}.{lang}.png" for i in ids for lang in langs}
    written: list[Path] = []
    for lang in langs:
        html = report.render_html(plan=loaded, dataset=as_of, records=records, figures=figures,
                                  config=loaded.plan.method_config, year=year, lang=lang, meta=meta)
        html_path = folder / f"report.{lang}.html"
        html_path.write_text(html, encoding="utf-8")
        pdf_path = folder / f"report.{lang}.pdf"
        report.write_pdf(html, pdf_path)
        written += [html_path, pdf_path]
        log(f"assembled {html_path.name} and {pdf_path.name}")
    index = folder / "index.html"
    index.write_text(report.render_index(loaded, year, langs, meta), encoding="utf-8")
    for suffix in ("html", "pdf"):
        default = folder / f"report.{suffix}"
        shutil.copyfile(folder / f"report.{langs[0]}.{suffix}", default)
        written.append(default)
    return [*written, index]
