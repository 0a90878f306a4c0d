"""The one formatting module, the one status resolution and the one JSON cleaner (issue 15, one display layer).

Every expected string is written out by hand; the indicators and records are SYNTHETIC.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from planeval.inputs.plan import Indicator, plan_of
from planeval.method.record import jsonable
from planeval.presentation import formats as fmt
from planeval.presentation import sentences
from planeval.presentation.labels import NO_RECORD, NOT_INCLUDED, indicator_status


def test_numbers() -> None:
    assert fmt.number(1654.36) == "1,654.36" and fmt.number(5.0) == "5" and fmt.number(0.125) == "0.12"
    assert fmt.number(2.5, digits=0) == "2" and fmt.number(1234567.891, digits=1) == "1,234,567.9"
    assert fmt.number(None) is None and fmt.number(float("nan")) is None and fmt.number(float("inf")) is None
    # The method's sentences: no decimals from a million up, a dash for none.
    assert fmt.number_text(1654.36) == "1,654.36" and fmt.number_text(1234567.891) == "1,234,568"
    assert fmt.number_text(None) == "—"
    assert sentences.number is fmt.number_text and sentences.percent is fmt.probability  # one function each


def test_ratios_values_and_asides() -> None:
    assert fmt.ratio(0.7777, percent=True) == "78%" and fmt.ratio(1.2962) == "1.30"
    assert fmt.ratio(None) is None and fmt.ratio(float("nan")) is None
    assert fmt.value(5.5, "<=", "%") == "≤5.5%" and fmt.value(60.6, "=", "10k") == "60.6 10k"
    assert fmt.value(12.0, "~", "") == "≈12" and fmt.value(None, "=", "%") is None
    assert fmt.aside("2023", "zh") == "（2023）" and fmt.aside("2023", "en") == " (2023)"


def test_years() -> None:
    assert fmt.year_range(2021, 2023, "en") == "2021–2023" and fmt.year_range(2021, 2023, "zh") == "2021—2023"
    assert fmt.year_range(2022, 2022, "en") == "2022"
    assert fmt.years_text([2024, 2021, 2022], "en") == "2021, 2022, 2024"
    assert fmt.years_text([2021, 2022, 2023, 2025], "en") == "2021–2023, 2025"
    assert fmt.years_text([2021, 2022, 2023, 2025], "zh") == "2021—2023、2025年"
    assert fmt.years_text([], "zh") == ""


def test_status_resolution() -> None:
    """One place for every format: unidentified, left out of a partial run, no record, or the record's
    (an old code read as its new name)."""
    ind = Indicator.model_construct(id="a", identified=True)
    lost = Indicator.model_construct(id="b", identified=False)
    assert indicator_status(lost, {"status": {"code": "on_track"}}) == "not_identified"
    assert indicator_status(ind, None) == NO_RECORD
    assert indicator_status(ind, None, only=["c"]) == NOT_INCLUDED
    assert indicator_status(ind, None, only=["a"]) == NO_RECORD
    assert indicator_status(ind, {"status": {"code": "needs_acceleration"}}) == "broadly_on_track"


def test_plan_of(plan) -> None:
    assert plan_of(plan) is plan.plan and plan_of(plan.plan) is plan.plan


def test_jsonable_cleans_records_and_backtests_alike() -> None:
    data = {1: (0.1 + 0.2, np.float64(2.5), np.int64(3), True, None), "x": [math.nan, -math.inf, np.float32(0.5), "s"]}
    assert jsonable(data) == {"1": [0.3, 2.5, 3, True, None], "x": [None, None, 0.5, "s"]}
    assert json.dumps(jsonable(data)) == '{"1": [0.3, 2.5, 3, true, null], "x": [null, null, 0.5, "s"]}'
    assert type(jsonable(np.int64(3))) is int and jsonable(np.bool_(True)) == True  # noqa: E712


@pytest.fixture(scope="module")
def plan():
    from pathlib import Path

    from planeval.inputs.plan import load_plan
    return load_plan(Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "synthetic_plan" / "params" / "synthetic_plan.yaml")
