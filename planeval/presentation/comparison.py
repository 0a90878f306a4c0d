"""The comparison page of a run over several plans: plans × indicators, matched by indicator id.

Each cell shows the indicator's status in that plan and the probability p that its target is met,
and links to the indicator's section in that plan's published report. :func:`comparison_view` is
pure (records in, display cells out); :func:`render_comparison` lays the cells out with
templates/comparison.html.j2. The pipeline (planeval/pipeline/plans.py) reads the records from each
plan's published report, so a cell always shows what its link leads to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from planeval.inputs.plan import Indicator
from planeval.presentation import formats as fmt
from planeval.presentation.labels import (HTML_LANG, NO_RECORD, indicator_status, status_code, status_colour,
                                          status_name, t)
from planeval.presentation.report import _env
from planeval.presentation.views import probability_shown, section_anchor
from planeval.presentation.sentences import text

HERE = Path(__file__).parent


@dataclass(frozen=True)
class PlanReport:
    """What the comparison shows of one plan."""

    plan_id: str
    name: Mapping[str, str] | None = None  # the plan's name by language (None: its plan file could not be read)
    indicators: tuple[Indicator, ...] = ()  # the plan file's indicators, in its order
    records: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # indicator id -> record of the published report
    only: tuple[str, ...] = ()  # the published report's --only (empty: every indicator)
    folder: str | None = None  # the published report's folder, relative to the comparison page; None: no report
    failed: bool = False  # this run of the plan failed (the previous report, if any, is what is shown)


def _status_code(rec: dict[str, Any] | None, ind: Indicator | None, only: tuple[str, ...]) -> str:
    """The status code of an indicator of a plan, as the plan's report shows it (an indicator id the
    plan file no longer has: its record's status)."""
    if ind is not None:
        return indicator_status(ind, rec, list(only))
    return status_code(rec["status"]["code"]) if rec is not None else NO_RECORD


def probability_text(rec: dict[str, Any]) -> str | None:
    """"p = 91%" (or "p ≤ 91%" for an upper bound) while the verdict is a forecast; None once it is
    settled by observed data or when the record has no probability."""
    shown = probability_shown(rec)
    if shown is None:
        return None
    return f"p {shown}" if shown.startswith("≤") else fmt.probability(rec["probability"], with_p=True)


def _cell(plan: PlanReport, indicator_id: str, ind: Indicator | None, lang: str) -> dict[str, Any]:
    rec = plan.records.get(indicator_id)
    blank = {"text": None, "why": None, "p": None, "colour": None, "href": None}
    if plan.folder is None:  # no report to show or link: the row's note says why
        return blank
    if ind is None and rec is None:
        return blank | {"why": t("compare.not_in_plan", lang)}
    code = _status_code(rec, ind, plan.only)
    return {"text": text(rec["status"], lang) if rec is not None else status_name(code, lang), "why": None,
            "p": probability_text(rec) if rec is not None else None, "colour": status_colour(code),
            "href": f"{plan.folder}/report.{lang}.html#{section_anchor(indicator_id)}"}


def comparison_view(plans: list[PlanReport], year: int, lang: str, pages: Mapping[str, str]) -> dict[str, Any]:
    """The display cells of the comparison page in ``lang``: one row per plan, one column per
    indicator id (in the order they first appear, plan by plan). ``pages``: the comparison page's
    file name in each language (the page links to the others)."""
    columns: dict[str, dict[str, str]] = {}
    for plan in plans:
        for ind in plan.indicators:
            columns.setdefault(ind.id, {"id": ind.id, "name": ind.name[lang]})
        for indicator_id in plan.records:
            columns.setdefault(indicator_id, {"id": indicator_id, "name": indicator_id})
    rows = []
    for plan in plans:
        by_id = {ind.id: ind for ind in plan.indicators}
        note = None
        if plan.failed:
            note = t("compare.failed_kept" if plan.folder is not None else "compare.failed_none", lang)
        rows.append({"plan_id": plan.plan_id, "name": plan.name[lang] if plan.name else plan.plan_id,
                     "href": f"{plan.folder}/report.{lang}.html" if plan.folder is not None else None, "note": note,
                     "cells": [_cell(plan, i, by_id.get(i), lang) for i in columns]})
    return {"lang": lang, "html_lang": HTML_LANG[lang], "year": year, "columns": list(columns.values()), "rows": rows,
            "others": [{"lang": other, "href": href} for other, href in pages.items() if other != lang]}


def render_comparison(view: dict[str, Any]) -> str:
    """The comparison page of :func:`comparison_view` as one self-contained HTML string."""
    lang = view["lang"]
    return _env().get_template("comparison.html.j2").render(
        t=lambda key, **kw: t(key, lang, **kw), css=(HERE / "static" / "report.css").read_text(encoding="utf-8"),
        **view)
