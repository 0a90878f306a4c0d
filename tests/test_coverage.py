"""Coverage matrix, gaps and project status on the real plan and data (hand-checked cells)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planeval.method.coverage import coverage_matrix, gaps
from planeval.inputs.data import load_dataset
from planeval.inputs.plan import load_plan
from planeval.method.projects import project_status

PLAN = Path(__file__).resolve().parents[1] / "params" / "shanghai_14th_employment.yaml"


@pytest.fixture(scope="module")
def real():
    loaded = load_plan(PLAN)
    return loaded, load_dataset(loaded)


def test_hand_checked_cells_as_of_2023(real):
    plan, ds = real
    m = coverage_matrix(plan, ds, 2023)
    # unemployment: 2020 only "within 4.4%", 2021 nothing, 2022 a Q2 reading, 2023 annual average.
    assert [m.at["unemployment_rate", y] for y in (2020, 2021, 2022, 2023)] == ["bound", "missing", "partial", "actual"]
    assert [m.at["new_jobs", y] for y in (2021, 2022, 2023)] == ["actual"] * 3
    assert m.at["skills_training", 2023] == "partial"
    assert (m.loc["unidentified_8"] == "not_identified").all()
    assert list(m.index) == [i.id for i in plan.plan.indicators]
    assert max(m.columns) == 2023 and min(m.columns) == 2017


def test_as_of_discipline(real):
    plan, ds = real
    before = coverage_matrix(plan, ds, 2023)
    after = coverage_matrix(plan, ds, 2025)
    assert after.loc[:, before.columns].equals(before)
    assert after.at["unemployment_rate", 2024] == "actual"


def test_qualitative_uses_both_rule_series(real):
    plan, ds = real
    m = coverage_matrix(plan, ds, 2025)
    assert m.at["pensions", 2023] == "actual"
    assert m.at["pensions", 2024] == "missing"  # no Shanghai CPI for 2024


def test_gaps(real):
    plan, ds = real
    g = gaps(plan, ds, 2023)
    assert g["unemployment_rate"] == [2021, 2022]
    assert g["new_jobs"] == []
    assert "unidentified_8" not in g
    assert g["ss_card_holders"] == [2020, 2021, 2022, 2023]


def test_project_status(real):
    plan, ds = real
    status = {p["id"]: p for p in project_status(plan, ds, 2023)}
    assert len(status) == 11
    assert status["worldskills_46"]["status"] == "moved"
    assert [e["date"] for e in status["worldskills_46"]["evidence"]] == ["2020-11", "2022-05-31", "2022-09-26", "2023-11-06"]
    assert status["yrd_shared_services"]["status"] == "no_public_evidence"
    assert status["employment_quality"]["sources"] == ["S13"]
    early = {p["id"]: p for p in project_status(plan, ds, 2021)}
    assert early["employment_quality"]["status"] == "no_public_evidence"
    assert len(early["worldskills_46"]["evidence"]) == 1
