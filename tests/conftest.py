"""Fixtures shared by several test files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from planeval.inputs.data import load_dataset
from planeval.method.evaluate import evaluate
from planeval.inputs.plan import load_plan

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"

# run_all.py keeps its kernels' zygote warm for the next run by default: not in the tests (a test of
# that feature asks for it), which would otherwise leave processes behind them.
os.environ["PLANEVAL_KEEP_WARM"] = "0"


@pytest.fixture()
def plan_copy(tmp_path: Path) -> Path:
    """The real plan and data copied aside (params/ and data/ under tmp_path), so a test may change a
    row or the plan; returns the copied plan file."""
    (tmp_path / "params").mkdir()
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(PLAN, tmp_path / "params" / PLAN.name)
    return tmp_path / "params" / PLAN.name


@pytest.fixture()
def one_cell_job(tmp_path: Path):
    """A function making a Job of a notebook with one code cell (id "c") of ``source``, in tmp_path
    (executed to tmp_path/out/<name>.ipynb)."""
    from planeval.pipeline.execute import Job

    def make(name: str, source: str) -> Job:
        path = tmp_path / f"{name}.ipynb"
        cell = {"cell_type": "code", "execution_count": None, "id": "c", "metadata": {}, "outputs": [], "source": source}
        path.write_text(json.dumps({"cells": [cell], "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                    "display_name": "Python 3"}}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
        return Job(key=name, label=name, notebook=path, output_notebook=tmp_path / "out" / f"{name}.ipynb",
                   parameters={}, cwd=tmp_path)

    return make


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
