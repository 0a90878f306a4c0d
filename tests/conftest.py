"""Fixtures shared by several test files."""

from __future__ import annotations

from pathlib import Path

import pytest

from planeval.inputs.data import load_dataset
from planeval.method.evaluate import evaluate
from planeval.inputs.plan import load_plan

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shanghai():
    """evaluate(indicator id, year) on the default plan and its real data."""
    loaded = load_plan(ROOT / "params/shanghai_14th_employment.yaml")
    data = load_dataset(loaded)
    plan = loaded.plan
    return lambda ind_id, year: evaluate(plan, plan.indicator(ind_id), data, year, plan.method_config)
