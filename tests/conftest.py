"""Fixtures shared by several test files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planeval.inputs.data import load_dataset
from planeval.method.evaluate import evaluate
from planeval.inputs.plan import load_plan

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"


@pytest.fixture()
def plan_copy(tmp_path: Path) -> Path:
    """The real plan and data copied aside (params/ and data/ under tmp_path), so a test may change a
    row or the plan; returns the copied plan file."""
    (tmp_path / "params").mkdir()
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(PLAN, tmp_path / "params" / PLAN.name)
    return tmp_path / "params" / PLAN.name


@pytest.fixture(scope="session")
def chart_files():
    """A function writing each record's chart in each report language to ``folder`` as the notebooks
    name them; it returns the report's ``figures`` (``"<id>.<lang>"`` -> path)."""
    from planeval.inputs.paths import LANGS, chart_file
    from planeval.presentation.charts import indicator_chart, png_bytes

    def write(records: list[dict], plan, folder: Path) -> dict[str, Path]:
        figures = {}
        for rec in records:
            for lang in LANGS:
                path = chart_file(folder, rec["indicator_id"], lang)
                path.write_bytes(png_bytes(indicator_chart(rec, lang, plan=plan)))
                figures[f"{rec['indicator_id']}.{lang}"] = path
        return figures

    return write


@pytest.fixture(scope="module")
def shanghai():
    """evaluate(indicator id, year) on the default plan and its real data."""
    loaded = load_plan(ROOT / "params/shanghai_14th_employment.yaml")
    data = load_dataset(loaded)
    plan = loaded.plan
    return lambda ind_id, year: evaluate(plan, plan.indicator(ind_id), data, year, plan.method_config)
