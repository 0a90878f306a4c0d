"""Any plan: a second, SYNTHETIC plan runs end to end, and no code names the default plan's region or
indicators (a new plan is a plan file plus its data files; docs/adding-a-plan.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from planeval.pipeline.runner import Options, run

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC_PLAN = ROOT / "tests" / "fixtures" / "synthetic_plan" / "params" / "synthetic_plan.yaml"
DEFAULT_PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"

# Status of every identified indicator of the synthetic plan as of 2018 (base 2015, end 2020, τ = 3/5 = 0.6).
EXPECTED_2018 = {
    "jobless_rate": "on_track",  # 2016 4.0, 2017 4.1, 2018 3.9: every year ≤ 5.0
    "jobs_created": "missed",  # 2017: 38 < 40, from a high-confidence source: a known miss settles it
    "training_volume": "on_track",  # S = 58 + 61 + 63 = 182, P = 182/300 = 0.607, ρ = 0.607/0.6 = 1.011
    # P = (1090 − 1000)/(1200 − 1000) = 0.45, ρ = 0.45/0.6 = 0.75; log scale:
    # r = [ln(1200/1090)/2] / [ln(1090/1000)/3] = 0.048071 / 0.028726 = 1.673 > 1.5
    "members_stock": "lagging",
    "fund_increase": "ahead",  # P = (240 − 200)/50 = 0.8, ρ = 0.8/0.6 = 1.33
    "activity_rate": "on_track",  # d_b = |8.0 − 10| − 0.5 = 1.5, d_c = |8.9 − 10| − 0.5 = 0.6, P = 0.9/1.5 = 0.6, ρ = 1.0
    "online_share": "broadly_on_track",  # ρ = 0.5/0.6 = 0.83; r = [(100 − 80)/2] / [(80 − 60)/3] = 1.5
    "benefit_rule": "on_track",  # 3.0 ≥ 2.0, 3.0 ≥ 1.8, 2.5 ≥ 2.1
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic_reports")
    result = run(Options(year=2018, plan=SYNTHETIC_PLAN, out=out, jobs=2), log=lambda _: None)
    assert result.published and not result.failures
    return out / "2018"


def test_the_synthetic_plan_runs_end_to_end(report: Path) -> None:
    records = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (report / "results").glob("*.json")
               if not p.name.endswith(".backtest.json")}
    assert set(records) == set(EXPECTED_2018)  # every identified indicator; unidentified_9 has none
    assert {i: r["status"]["code"] for i, r in records.items()} == EXPECTED_2018
    assert {r["plan_id"] for r in records.values()} == {"synthetic_test_plan"}
    assert records["training_volume"]["cumulative_done"] == 182
    assert records["members_stock"]["pace"] == pytest.approx(0.75)
    assert records["members_stock"]["required_ratio"] == pytest.approx(1.67347, rel=1e-5)
    assert records["online_share"]["required_ratio"] == pytest.approx(1.5)
    assert records["fund_increase"]["pace"] == pytest.approx(0.8 / 0.6)
    assert records["jobs_created"]["years_missed"] == [2017]
    # A probability wherever there are ≥ 5 annual points and the target is still open.
    with_p = {i for i, r in records.items() if r["forecast"] and r["forecast"]["probability"] is not None}
    assert with_p == {"jobless_rate", "training_volume", "members_stock", "fund_increase", "activity_rate",
                      "online_share"}
    # 2008–2018: 11 consecutive points: the Theta model applies (ETS is not pooled by default).
    assert records["jobless_rate"]["forecast"]["models"] == ["rw_drift", "linear_trend", "theta"]
    # The break in 2013 keeps 2012 out of the fit.
    assert records["members_stock"]["forecast"]["fit_years"] == list(range(2013, 2019))
    for lang in ("zh", "en"):
        assert (report / f"report.{lang}.pdf").stat().st_size > 0
    html = (report / "report.en.html").read_text(encoding="utf-8")
    assert "SYNTHETIC test plan" in html
    assert "Shanghai" not in html and "上海" not in (report / "report.zh.html").read_text(encoding="utf-8")


def _forbidden() -> list[re.Pattern[str]]:
    """'shanghai', '上海' and every indicator id of the default plan file (read from it, not listed here)."""
    ids = [i["id"] for i in yaml.safe_load(DEFAULT_PLAN.read_text(encoding="utf-8"))["indicators"]]
    assert len(ids) >= 10
    return [re.compile("shanghai", re.IGNORECASE), re.compile("上海"),
            *(re.compile(rf"(?<![A-Za-z0-9_]){re.escape(i)}(?![A-Za-z0-9_])") for i in ids)]


def _code_texts() -> dict[str, str]:
    """Library code, templates, run_all.py and the notebooks (all but each notebook's parameters cell)."""
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
             for p in [*sorted((ROOT / "planeval").rglob("*.py")), *sorted((ROOT / "planeval" / "templates").glob("*")),
                       ROOT / "run_all.py"] if p.is_file()}
    # run_all.py may name the default plan file, as the notebooks' parameters cells do: that line only.
    default_line = f'DEFAULT_PLAN = ROOT / "params" / "{DEFAULT_PLAN.name}"'
    texts["run_all.py"] = texts["run_all.py"].replace(default_line, "DEFAULT_PLAN = <allowed>", 1)
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for nb_path in notebooks:
        cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
        tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) <= 1, f"{nb_path.name}: more than one cell tagged 'parameters'"
        for n, cell in enumerate(cells):
            if cell not in tagged:
                texts[f"{nb_path.relative_to(ROOT)} cell {n}"] = "".join(cell["source"])
    return texts


def test_no_code_names_the_default_plan_or_its_indicators() -> None:
    patterns = _forbidden()
    hits = []
    for name, text in _code_texts().items():
        for lineno, line in enumerate(text.splitlines(), 1):
            hits += [f"{name}:{lineno}: {m.group(0)!r} in {line.strip()[:100]}"
                     for pattern in patterns for m in pattern.finditer(line)]
    assert not hits, "code names the default plan:\n" + "\n".join(hits)


def test_the_scan_would_catch_a_mention() -> None:
    patterns = _forbidden()
    first = yaml.safe_load(DEFAULT_PLAN.read_text(encoding="utf-8"))["indicators"][0]["id"]
    assert any(p.search(f"if indicator.id == '{first}':") for p in patterns)
    assert any(p.search("title = 'SHANGHAI report'") for p in patterns)
    assert not any(p.search(f"{first}_total = 1; x_{first} = 2") for p in patterns)
