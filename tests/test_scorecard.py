"""The hindsight scorecard on the SYNTHETIC test plan (base 2015, end 2020, mid-term 2018)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from planeval.inputs.data import load_dataset
from planeval.method.evaluate import evaluate
from planeval.inputs.plan import Plan, load_plan
from planeval.method.scorecard import call, midterm_year, scorecard, scorecard_records, scorecard_row

FIXTURE = Path(__file__).parent / "fixtures" / "synthetic_plan"
PLAN = FIXTURE / "params" / "synthetic_plan.yaml"
SHANGHAI = Path(__file__).resolve().parent.parent / "params" / "shanghai_14th_employment.yaml"


def _plan(**changes) -> Plan:
    raw = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    raw.update(changes)
    return Plan.model_validate(raw)


def test_midterm_year_defaults_to_the_middle_rounded_up() -> None:
    assert midterm_year(_plan()) == 2018  # 2015 + ceil((2020 − 2015) / 2) = 2015 + 3
    assert midterm_year(_plan(base_year=2020, end_year=2025)) == 2023  # 2020 + ceil(2.5)
    assert midterm_year(_plan(base_year=2020, end_year=2024)) == 2022  # 2020 + ceil(2) : an even span
    assert midterm_year(_plan(midterm_year=2017)) == 2017  # the plan's own choice wins
    assert load_plan(SHANGHAI).plan.midterm_year == 2023


@pytest.mark.parametrize("year", [2015, 2020, 2030])
def test_midterm_year_must_lie_inside_the_plan(year: int) -> None:
    with pytest.raises(ValidationError, match="midterm_year"):
        _plan(midterm_year=year)


def test_call_codes() -> None:
    assert call(0.5, "achieved") == "called"  # p ≥ 0.5 and achieved
    assert call(0.5, "missed") == "wrong"
    assert call(0.49, "missed") == "called"  # p < 0.5 and missed
    assert call(0.49, "achieved") == "wrong"
    assert call(None, "achieved") == "no_forecast"
    assert call(None, "insufficient_data") == "no_forecast"
    assert call(0.9, "insufficient_data") == "no_outcome"


@pytest.fixture(scope="module")
def synthetic():
    loaded = load_plan(PLAN)
    dataset = load_dataset(loaded)
    plan = loaded.plan
    return plan, dataset, plan.method_config, scorecard(plan, dataset, plan.method_config)


def test_a_row_per_identified_indicator_with_the_expected_calls(synthetic) -> None:
    plan, _, _, rows = synthetic
    calls = {r["indicator_id"]: r["call"] for r in rows}
    assert calls == {
        # p ≈ 1 in 2018 (2008–2018 all below 5%), but 2020 is 5.2 > 5.0: missed.
        "jobless_rate": "wrong",
        # 2017 is 38 < 40: settled as missed at the mid-term (p = 0), and missed.
        "jobs_created": "called",
        # p ≈ 1; 58 + 61 + 63 + 64 + 66 = 312 ≥ 300: achieved.
        "training_volume": "called",
        # p ≈ 0; 1150 < 1200: missed.
        "members_stock": "called",
        # p ≈ 1; 262 − 200 = 62 ≥ 50: achieved.
        "fund_increase": "called",
        # p ≈ 0.3; |9.6 − 10| = 0.4 ≤ 0.5: achieved.
        "activity_rate": "wrong",
        # no 2020 value: the outcome is unknown.
        "online_share": "no_outcome",
        # qualitative: no probability.
        "benefit_rule": "no_forecast",
    }
    assert [r["indicator_id"] for r in rows] == [i.id for i in plan.evaluated]
    by_id = {r["indicator_id"]: r for r in rows}
    assert by_id["training_volume"]["final"]["end_value"] == 312  # the plan-period sum, not the 2020 flow
    assert by_id["members_stock"]["final"]["end_value"] == 1150
    # No 2020 value: the final record can only forecast (provisionally not achieved); not an outcome.
    assert by_id["online_share"]["final"] == {"year": 2020, "status": {"code": "likely_missed", "params": {}},
                                              "outcome": "insufficient_data", "end_value": None, "inside_interval": None,
                                              "provisional": False}  # a forecast, not a part-year reading of 2020
    assert by_id["jobs_created"]["midterm"]["status"]["code"] == "missed"
    assert by_id["jobs_created"]["final"]["outcome"] == "missed"
    for row in rows:
        mid, fin = row["midterm"], row["final"]
        assert mid["year"] == 2018 and fin["year"] == 2020
        if mid["point"] is not None:  # a forecast: its interval holds its point
            assert mid["low"] <= mid["point"] <= mid["high"]
        if mid["probability"] is not None:
            assert mid["likelihood"]["code"] in ("very_likely", "likely", "about_even", "unlikely", "very_unlikely")
        if fin["inside_interval"] is not None:
            assert fin["inside_interval"] == (mid["low"] <= fin["end_value"] <= mid["high"])


def test_the_midterm_view_is_recomputed_as_of_the_midterm(synthetic) -> None:
    plan, dataset, config, rows = synthetic
    pairs = scorecard_records(plan, dataset, config)
    cut = dataset.as_of(2018)  # nothing after the mid-term exists in this dataset
    for (mid, final), ind, row in zip(pairs, plan.evaluated, rows):
        alone = evaluate(plan, ind, cut, 2018, config)
        assert mid.to_json() == alone.to_json()
        assert final.to_json() == evaluate(plan, ind, dataset, 2020, config).to_json()
        assert row == scorecard_row(alone, final, "2021-02")  # the fixture plan's midterm_vintage


def test_rows_after_the_midterm_change_the_outcome_but_not_the_midterm_view(synthetic, tmp_path: Path) -> None:
    plan, _, config, rows = synthetic
    copy = tmp_path / "plan"
    shutil.copytree(FIXTURE, copy)
    obs = copy / "data" / "observations.csv"
    with obs.open("a", encoding="utf-8") as f:
        f.write("online_share,2020,99.8,=,%,actual,X1,synthetic late row,合成的迟到数据行\n")
        f.write("members_stock,2019,1140,=,10k persons,actual,X2,synthetic competing row,合成的竞争数值行\n")
    loaded = load_plan(copy / "params" / "synthetic_plan.yaml")
    later = scorecard(loaded.plan, load_dataset(loaded), config)
    assert [r["midterm"] for r in later] == [r["midterm"] for r in rows]
    online = next(r for r in later if r["indicator_id"] == "online_share")
    # 99.8 ≥ 99.5 counts as 100%: achieved, against a mid-term p of about 0 — a wrong call.
    assert online["final"]["outcome"] == "achieved" and online["call"] == "wrong"
