"""Which indicator has which years of data: the report's coverage matrix and its list of gaps.

Pure functions of the plan and the data; nothing is filled. Cell codes:

- ``actual``   an annual actual with qualifier ``=`` or ``~``
- ``bound``    an annual actual that is only a bound (``<=``, ``<``, ``>=``, ``>``)
- ``partial``  only partial-period evidence ending in that year
- ``missing``  nothing
- ``not_identified`` every cell of an indicator the plan has but public sources do not name

A qualitative indicator is covered by its rule's series; a year counts only as well as the worse
of the two (both are needed to judge the rule).
"""

from __future__ import annotations

import pandas as pd

from planeval.inputs.model import POINT_QUALIFIERS, Dataset
from planeval.inputs.plan import Indicator, LoadedPlan, Plan, plan_of

CODES = ("actual", "bound", "partial", "missing")
NOT_IDENTIFIED = "not_identified"
PRE_PLAN_YEARS = 3


def _series_of(ind: Indicator) -> list[str]:
    if ind.rule is not None:
        return [ind.rule.compare, ind.rule.at_least]
    return [ind.series] if ind.series else []


def _cell(rows: list[dict[str, object]], year: int) -> str:
    """The code of one series' year, from its observation rows (plain dicts: a few per series)."""
    annual = [r for r in rows if r["kind"] == "actual" and r["period_type"] == "year" and r["start_year"] == year]
    if any(r["qualifier"] in POINT_QUALIFIERS for r in annual):
        return "actual"
    if annual:
        return "bound"
    partial = [r for r in rows if r["end_year"] == year and (r["kind"] == "partial"
                                                              or (r["kind"] == "actual" and r["period_type"] == "months"))]
    return "partial" if partial else "missing"


def _years(plan: Plan, obs: pd.DataFrame, year: int, pre_plan_years: int) -> list[int]:
    series = {s for ind in plan.evaluated for s in _series_of(ind)}
    seen = obs[obs["series"].isin(series) & obs["kind"].isin(["actual", "partial"])]["end_year"]
    first = max(int(seen.min()) if len(seen) else plan.base_year, plan.base_year - pre_plan_years)
    return list(range(min(first, plan.base_year), year + 1))


def coverage_matrix(plan: Plan | LoadedPlan, dataset: Dataset, year: int,
                    pre_plan_years: int = PRE_PLAN_YEARS) -> pd.DataFrame:
    """Indicator (rows, plan order) × year (columns) of cell codes, as of ``year``."""
    p = plan_of(plan)
    obs = dataset.as_of(year).observations
    years = _years(p, obs, year, pre_plan_years)
    columns = ["series", "kind", "period_type", "start_year", "end_year", "qualifier"]
    by_series: dict[str, list[dict[str, object]]] = {}
    for row in obs[columns].to_dict("records"):
        by_series.setdefault(str(row["series"]), []).append(row)
    rows: dict[str, list[str]] = {}
    for ind in p.indicators:
        if not ind.identified:
            rows[ind.id] = [NOT_IDENTIFIED] * len(years)
            continue
        per_series = [by_series.get(s, []) for s in _series_of(ind)]
        rows[ind.id] = [max((_cell(o, y) for o in per_series), key=CODES.index) for y in years]
    df = pd.DataFrame.from_dict(rows, orient="index", columns=years)
    df.index.name = "indicator"
    df.columns.name = "year"
    return df


def gaps(plan: Plan | LoadedPlan, dataset: Dataset, year: int, matrix: pd.DataFrame | None = None) -> dict[str, list[int]]:
    """Per identified indicator, the plan years (base year .. ``year``) without an annual value.

    A bound ("within 4.4%") is an annual value here; a partial-year reading is not. ``matrix``:
    the :func:`coverage_matrix` for the same arguments, if the caller has it already.
    """
    p = plan_of(plan)
    if matrix is None:
        matrix = coverage_matrix(p, dataset, year)
    plan_years = [y for y in matrix.columns if p.base_year <= y <= year]
    return {ind.id: [int(y) for y in plan_years if matrix.at[ind.id, y] in ("partial", "missing")]
            for ind in p.evaluated}


def context_points(plan: Plan | LoadedPlan, dataset: Dataset, year: int,
                   ids: list[str] | None = None) -> dict[str, list[dict[str, object]]]:
    """The rows of the plan's context series (or only ``ids``), as of ``year``, as plain data in plan
    order: ``{id: [{period, value, qualifier, unit, kind, source, note, annual}]}`` sorted by period.

    ``annual`` is True for an annual actual (what a chart may draw as a point of a line); everything
    else (partial years, targets, projections) is listed, never drawn. Nothing is filled in.
    """
    p = plan_of(plan)
    wanted = [c.id for c in p.context_series if ids is None or c.id in ids]
    obs = dataset.as_of(year).observations
    obs = obs[obs["series"].isin(wanted)]
    columns = ["series", "period", "value", "qualifier", "unit", "kind", "source", "note_en", "note_zh", "period_type"]
    out: dict[str, list[dict[str, object]]] = {sid: [] for sid in wanted}
    for row in obs[columns].to_dict("records"):
        out[str(row["series"])].append({
            "period": str(row["period"]), "value": None if pd.isna(row["value"]) else float(row["value"]), "qualifier": str(row["qualifier"]),
            "unit": str(row["unit"]), "kind": str(row["kind"]), "source": str(row["source"]),
            **{f"note_{lang}": "" if pd.isna(row[f"note_{lang}"]) else str(row[f"note_{lang}"]) for lang in ("en", "zh")},
            "annual": row["kind"] == "actual" and row["period_type"] == "year"})
    for rows in out.values():
        rows.sort(key=lambda r: (str(r["period"])[:4], str(r["period"]), str(r["kind"]), str(r["source"])))
    return out
