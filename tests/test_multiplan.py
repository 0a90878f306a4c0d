"""Many plans in one run: one report folder per plan, the comparison page, a failing plan alone.

The plans are SYNTHETIC (bench/synthetic.py: invented indicators and seeded random numbers, not
real statistics). The end-to-end tests execute real notebooks, so they share two runs through a
module-scoped fixture: three plans of one or two indicators, English only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from planeval.inputs.errors import InputError
from planeval.inputs.plan import Indicator
from planeval.pipeline.plans import plan_files
from planeval.presentation.comparison import PlanReport, comparison_view, render_comparison
from planeval.presentation.sentences import STATUS, text

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path):
    """A script's module by its path (bench/synthetic.py: tests/synthetic.py already has the name)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synthetic = _load("bench_synthetic", ROOT / "bench" / "synthetic.py")
run_all = _load("run_all", ROOT / "run_all.py")

SHARED, ONLY_ALPHA = "syn_001_floor_each_year", "syn_002_end_level"


def tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = run_all.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


# --------------------------------------------------------------------------------------------
# The comparison's cells (pure)
# --------------------------------------------------------------------------------------------

def indicator(id: str, en: str, identified: bool = True) -> Indicator:
    fields = {"id": id, "name": {"zh": f"指标{id}", "en": en}, "identified": identified}
    if identified:
        fields |= {"unit": {"zh": "%", "en": "%"}, "series": id, "kind": "end_level", "target": 10}
    return Indicator.model_validate(fields)


def record(code: str, zh: str, en: str, p: float | None, basis: str = "forecast", bound: bool = False) -> dict:
    assert (zh, en) == STATUS[code]  # the words the status code gives, written out by hand
    return {"status": {"code": code, "params": {}}, "probability": p, "basis": basis,
            "probability_is_bound": bound}


def test_comparison_cells_show_status_and_p_and_link_to_the_section() -> None:
    a = PlanReport(plan_id="a", name={"zh": "甲规划", "en": "Plan A"},
                   indicators=(indicator("x", "X rate"), indicator("y", "Y count"), indicator("z", "Z", identified=False)),
                   records={"x": record("on_track", "符合预期", "on track", 0.914),
                            "y": record("achieved", "已实现", "achieved", 0.97, basis="settled_by_data")},
                   folder="a/2023")
    b = PlanReport(plan_id="b", name={"zh": "乙规划", "en": "Plan B"},
                   indicators=(indicator("y", "Y count (B's wording)"), indicator("w", "W")),
                   records={"y": record("lagging", "相对滞后", "lagging", 0.3, bound=True),
                            "w": record("lagging", "相对滞后", "lagging", 0.004)},
                   folder="b/2023", failed=True)
    c = PlanReport(plan_id="c", name={"zh": "丙规划", "en": "Plan C"}, indicators=(indicator("x", "X rate"),),
                   failed=True)  # failed, no report yet
    view = comparison_view([a, b, c], 2023, "en", {"zh": "comparison-2023.zh.html", "en": "comparison-2023.en.html"})

    # Columns: indicator ids in the order they first appear; the name from the first plan that has it.
    assert [(col["id"], col["name"]) for col in view["columns"]] == [("x", "X rate"), ("y", "Y count"), ("z", "Z"),
                                                                     ("w", "W")]
    rows = {r["plan_id"]: r for r in view["rows"]}
    shown = {pid: [(c["text"], c["p"], c["href"]) for c in r["cells"]] for pid, r in rows.items()}
    assert shown["a"] == [
        ("on track", "p = 91%", "a/2023/report.en.html#ind-x"),
        ("achieved", None, "a/2023/report.en.html#ind-y"),  # settled by data: no p
        ("not identified in public sources", None, "a/2023/report.en.html#ind-z"),
        (None, None, None),  # w is not in plan a
    ]
    assert rows["a"]["cells"][3]["why"] == "not in this plan"
    assert shown["b"] == [
        (None, None, None),
        ("lagging", "p ≤ 30%", "b/2023/report.en.html#ind-y"),  # an upper bound
        (None, None, None),
        ("lagging", "p < 1%", "b/2023/report.en.html#ind-w"),
    ]
    assert shown["c"] == [(None, None, None)] * 4  # no report: nothing to show or link
    assert rows["a"]["note"] is None
    assert rows["b"]["note"] == "this run failed; the previous report is shown"
    assert rows["c"]["note"] == "this run failed; there is no report yet"
    assert rows["c"]["href"] is None and rows["a"]["href"] == "a/2023/report.en.html"
    assert rows["a"]["cells"][0]["colour"] == "#7fbc41"
    assert view["others"] == [{"lang": "zh", "href": "comparison-2023.zh.html"}]

    zh = comparison_view([a, b, c], 2023, "zh", {"zh": "comparison-2023.zh.html", "en": "comparison-2023.en.html"})
    assert [c["text"] for c in zh["rows"][0]["cells"]] == ["符合预期", "已实现", "公开来源中未能识别", None]
    assert zh["columns"][0]["name"] == "指标x"
    html = render_comparison(zh)
    assert 'href="a/2023/report.zh.html#ind-x"' in html and "本次运行失败，所示为上一份报告" in html
    assert "p = 91%" in html and 'lang="zh-CN"' in html


def test_a_folder_stands_for_its_plan_files_and_an_empty_one_is_refused(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yaml", "notes.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    assert plan_files([tmp_path, tmp_path / "x.yaml"]) == [tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "x.yaml"]
    with pytest.raises(InputError, match=r"--plan .*empty: the folder holds no \*\.yaml plan file"):
        plan_files([tmp_path / "empty"])


def test_duplicate_plan_ids_are_refused_before_anything_runs(tmp_path: Path, capsys) -> None:
    one = synthetic.write_plan(tmp_path / "one", 1, plan_id="same")
    two = synthetic.write_plan(tmp_path / "two", 1, seed=2, plan_id="same")
    status, _, err = main(["--year", "2023", "--plan", str(one), str(two), "--out", str(tmp_path / "out")], capsys)
    assert status == 2
    assert err.strip() == (f"run_all.py: error: --plan: {two} has the id same, as does {one}: each plan needs an id of "
                           f"its own (its reports go to {tmp_path / 'out' / 'same'}/)")
    assert not (tmp_path / "out" / "same").exists()


def test_one_plans_output_may_not_hold_another_plans_inputs(tmp_path: Path, capsys) -> None:
    # Plan b keeps its data in <out>/a/2023/: plan a's report would replace them.
    a = synthetic.write_plan(tmp_path, 1, plan_id="a")
    b = synthetic.write_plan(tmp_path / "out" / "a" / "2023", 1, plan_id="b")
    status, _, err = main(["--year", "2023", "--plan", str(a), str(b), "--out", str(tmp_path / "out")], capsys)
    assert status == 2
    assert f"the run would write {tmp_path / 'out' / 'a' / '2023'}, which holds the input" in err


# --------------------------------------------------------------------------------------------
# End to end
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run 1: three plans given as a folder. Run 2: beta's data broken, gamma's changed, alpha unchanged."""
    root = tmp_path_factory.mktemp("plans")
    for seed, (plan_id, n) in enumerate([("alpha", 2), ("beta", 1), ("gamma", 1)], 1):
        synthetic.write_plan(root, n, seed=seed, plan_id=plan_id)
    out = root / "out"
    argv = ["--year", "2023", "--out", str(out), "--lang", "en"]
    first = run_all.main([*argv, "--plan", str(root / "params")])
    comparison_1 = (out / "comparison-2023.en.html").read_text(encoding="utf-8")
    before = {p: tree_hashes(out / p / "2023") for p in ("alpha", "beta", "gamma")}

    beta_obs = root / "data" / "beta" / "observations.csv"
    beta_obs.write_text(beta_obs.read_text(encoding="utf-8") + f"{SHARED},2023,not a number,=,10k,actual,SYN1,,\n",
                        encoding="utf-8")
    gamma_obs = root / "data" / "gamma" / "observations.csv"
    lines = gamma_obs.read_text(encoding="utf-8").splitlines(keepends=True)
    last = lines[-1].split(",")
    last[2] = str(round(float(last[2]) * 1.5, 2))  # the 2023 value of gamma's only indicator
    gamma_obs.write_text("".join(lines[:-1]) + ",".join(last), encoding="utf-8")
    import subprocess

    second = subprocess.run([sys.executable, str(ROOT / "run_all.py"), *argv, "--plan",
                             *(str(root / "params" / f"{p}.yaml") for p in ("alpha", "beta", "gamma"))],
                            capture_output=True, text=True, cwd=ROOT, timeout=900)
    return {"root": root, "out": out, "first": first, "comparison_1": comparison_1, "before": before, "second": second}


def cells(html: str) -> dict[str, list[tuple[str, str]]]:
    """plan id -> [(link, status word)] of each cell of a comparison page, "—" for a cell without a link."""
    rows = {}
    for plan_id, body in re.findall(r'<tr id="plan-([^"]+)">(.*?)</tr>', html, re.S):
        rows[plan_id] = [(m[0], m[1]) if m[0] else ("", "—") for m in
                         re.findall(r'<td(?: class="na")?>(?:<a href="([^"]+)"><span class="badge"[^>]*>([^<]+)</span>|—)',
                                    body)]
    return rows


def test_each_plan_gets_its_own_report_and_the_comparison_links_to_them(runs: dict) -> None:
    out = runs["out"]
    assert runs["first"] == 0
    for plan_id in ("alpha", "beta", "gamma"):
        manifest = json.loads((out / plan_id / "2023" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["plan"] == plan_id
        assert (out / plan_id / "2023" / "report.en.html").is_file()
        assert (out / plan_id / ".cache").is_dir()  # a cache of its own
    assert not (out / "2023").exists() and not (out / ".cache").exists()
    shown = cells(runs["comparison_1"])
    assert list(shown) == ["alpha", "beta", "gamma"]
    for plan_id, row in shown.items():
        report = (out / plan_id / "2023" / "report.en.html").read_text(encoding="utf-8")
        expected = []
        for indicator_id in (SHARED, ONLY_ALPHA):
            path = out / plan_id / "2023" / "results" / f"{indicator_id}.json"
            if not path.exists():
                expected.append(("", "—"))
                continue
            rec = json.loads(path.read_text(encoding="utf-8"))
            expected.append((f"{plan_id}/2023/report.en.html#ind-{indicator_id}", text(rec["status"], "en")))
            assert f'id="ind-{indicator_id}"' in report  # the link's target exists
        assert row == expected
    assert ("", "—") in shown["beta"]  # syn_002 is alpha's only


def test_a_plan_with_bad_data_fails_alone_and_keeps_its_previous_report(runs: dict) -> None:
    out, second = runs["out"], runs["second"]
    assert second.returncode == 1, second.stderr[-2000:]
    assert "1 of 3 plan(s) failed: beta." in second.stderr
    assert re.search(r"plan beta: error: .*observations\.csv, line \d+, field 'value'", second.stderr)
    assert tree_hashes(out / "beta" / "2023") == runs["before"]["beta"]  # untouched
    assert tree_hashes(out / "alpha" / "2023") == runs["before"]["alpha"]  # up to date
    assert "[alpha] " in second.stdout and "is up to date" in second.stdout
    assert tree_hashes(out / "gamma" / "2023") != runs["before"]["gamma"]  # published again with its new data
    assert "[gamma] wrote" in second.stdout
    html = (out / "comparison-2023.en.html").read_text(encoding="utf-8")
    assert cells(html)["beta"] == cells(runs["comparison_1"])["beta"]  # its previous report, still linked
    beta_row = re.search(r'<tr id="plan-beta">(.*?)</tr>', html, re.S).group(1)
    assert "this run failed; the previous report is shown" in beta_row
    assert "this run failed" not in re.search(r'<tr id="plan-gamma">(.*?)</tr>', html, re.S).group(1)
