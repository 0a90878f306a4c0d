"""The final evaluation's hindsight scorecard: what the mid-term review said against what happened.

The mid-term view is recomputed with :func:`planeval.method.evaluate.evaluate` from the data the mid-term
report could actually have used: periods ending by the mid-term year, from sources published by the
mid-term report's vintage (:func:`midterm_vintage`); no earlier report file is read. An outcome that
rests only on provisional evidence (partial-year readings of the end year) is flagged ``provisional``.
Pure computation: no files are read or written.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from planeval.inputs.config import MethodConfig
from planeval.inputs.model import POINT_QUALIFIERS, Dataset
from planeval.method.evaluate import evaluate
from planeval.inputs.plan import Plan, TargetKind
from planeval.method.record import Message, Record

# What a final status says about the outcome.
OUTCOME = {"achieved": "achieved", "achieved_early": "achieved", "missed": "missed"}  # anything else: insufficient_data


def midterm_year(plan: Plan) -> int:
    """The plan's ``midterm_year``, else base_year + ceil((end_year − base_year) / 2): 2023 for 2020–2025."""
    if plan.midterm_year is not None:
        return plan.midterm_year
    return plan.base_year + math.ceil((plan.end_year - plan.base_year) / 2)


def midterm_vintage(plan: Plan) -> str:
    """The plan's ``midterm_vintage``, else the day the mid-term report would have been written:
    30 June of the year after the mid-term year (its annual bulletins are out by then): 2024-06-30 for 2023."""
    if plan.midterm_vintage is not None:
        return plan.midterm_vintage
    return f"{midterm_year(plan) + 1}-06-30"


def provisional(final: Record) -> bool:
    """Whether the final outcome rests only on provisional evidence (part-year readings, a weak value):
    the record's basis says so (docs/method.md, "How sure")."""
    return final.basis == "provisional"


def outcome(final: Record) -> str:
    """achieved, missed or insufficient_data. A provisional verdict counts as an outcome (and the row
    says it is provisional); a forecast never does."""
    code = final.status.code
    if provisional(final):
        code = {"likely_achieved": "achieved", "likely_missed": "missed"}.get(code, code)
    return OUTCOME.get(code, "insufficient_data")


def _message(m: Message | None) -> dict[str, str] | None:
    return None if m is None else asdict(m)


def end_value(final: Record) -> float | None:
    """The end-year value the mid-term point forecast predicted: the plan-period sum for cumulative
    targets, else the end-year point value; None when the end year has no point value."""
    if final.current_year != final.end_year or final.latest is None:
        return None
    if final.kind == TargetKind.cumulative.value:
        return final.cumulative_done
    if final.latest.qualifier not in POINT_QUALIFIERS:
        return None
    return final.latest.value


def call(probability: float | None, outcome: str) -> str:
    """'no_forecast' without p; 'no_outcome' when the end is unknown; 'called' when p ≥ 0.5 and the target
    was achieved or p < 0.5 and it was missed; otherwise 'wrong'."""
    if probability is None:
        return "no_forecast"
    if outcome == "insufficient_data":
        return "no_outcome"
    return "called" if (probability >= 0.5) == (outcome == "achieved") else "wrong"


def scorecard_row(midterm: Record, final: Record, vintage: str | None = None) -> dict[str, Any]:
    """One indicator: the mid-term status, p, likelihood and forecast (made from the sources published by
    ``vintage``) against the final outcome, flagged ``provisional`` when that rests on partial readings only."""
    if midterm.indicator_id != final.indicator_id or midterm.evaluation_year >= final.evaluation_year:
        raise ValueError("scorecard_row needs the same indicator's mid-term record and a later final record")
    f = midterm.forecast
    p = midterm.probability  # what the mid-term report said, whatever its basis (forecast, partial readings)
    result = outcome(final)
    value = end_value(final)
    inside = None
    if value is not None and f is not None and f.low is not None and f.high is not None:
        inside = f.low <= value <= f.high
    return {
        "indicator_id": midterm.indicator_id,
        "kind": midterm.kind,
        "unit": midterm.unit,
        "target": midterm.target,
        "midterm": {
            "year": midterm.evaluation_year,
            "vintage": vintage,
            "status": _message(midterm.status),
            "probability": p,
            "likelihood": _message(midterm.likelihood),
            "forecast_year": f.year if f is not None else None,
            "point": f.point if f is not None else None,
            "low": f.low if f is not None else None,
            "high": f.high if f is not None else None,
        },
        "final": {
            "year": final.evaluation_year,
            "status": _message(final.status),
            "outcome": result,
            "end_value": value,
            "inside_interval": inside,
            "provisional": provisional(final),
        },
        "call": call(p, result),
    }


def scorecard_records(plan: Plan, dataset: Dataset, config: MethodConfig) -> list[tuple[Record, Record]]:
    """(mid-term record, final record) per identified indicator, both recomputed from ``dataset``: the
    mid-term one from what was published by :func:`midterm_vintage`."""
    mid = midterm_year(plan)
    known = dataset.as_of(mid, midterm_vintage(plan))
    return [(evaluate(plan, ind, known, mid, config), evaluate(plan, ind, dataset, plan.end_year, config))
            for ind in plan.evaluated]


def scorecard(plan: Plan, dataset: Dataset, config: MethodConfig) -> list[dict[str, Any]]:
    """The scorecard rows, in plan order, for the final evaluation."""
    vintage = midterm_vintage(plan)
    return [scorecard_row(m, f, vintage) for m, f in scorecard_records(plan, dataset, config)]
