"""run_all.py end to end: arguments, the files a run writes, the cache, atomic publish, reproducibility.

These tests execute real notebooks in real kernels (a few seconds each), so they share runs
through module-scoped fixtures and use ``--only`` where the full plan adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from planeval.pipeline.runner import Options, RunFailed, run

ROOT = Path(__file__).resolve().parent.parent
IDENTIFIED = ["unemployment_rate", "new_jobs", "skills_training", "pensions", "harmonious_enterprises",
              "entrepreneurial_activity_rate", "high_skill_new", "pension_participants", "annuity_participants",
              "annuity_fund", "online_services_share", "ss_card_holders"]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "run_all.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def quiet(_: str) -> None:
    pass


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: --year"),
        (["--year", "twenty"], "invalid int value"),
        (["--year", "2030"], "--year 2030 is outside the plan period: give a year from 2021 to 2025"),
        (["--year", "2020"], "outside the plan period"),
        (["--year", "2023", "--lang", "fr"], "expected a comma-separated list of zh, en, got 'fr'"),
        (["--year", "2023", "--jobs", "0"], "expected 1 or more, got 0"),
        (["--year", "2023", "--only", "no_such"], "--only: unknown indicator id(s) no_such"),
        (["--year", "2023", "--only", "unidentified_8"], "is not identified in the plan"),
        (["--year", "2023", "--out", "data/out"], "is inside"),
        (["--year", "2023", "--out", "params"], "is inside"),
        (["--year", "2023", "--out", "run_all.py/x"], "is not a writable folder"),
        (["--year", "2023", "--plan", "params/nope.yaml"], "nope.yaml: plan file not found"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    done = cli(*args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_help_explains_every_option() -> None:
    done = cli("--help")
    assert done.returncode == 0
    for option in ("--year", "--plan", "--lang", "--jobs", "--only", "--out", "--force", "--isolated", "--timeout",
                   "--debug"):
        assert option in done.stdout


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    done = cli("--year", "2023", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    return out / "2023"


def test_a_run_writes_the_expected_files(full_run: Path) -> None:
    names = {p.name for p in full_run.iterdir()}
    assert {"report.zh.html", "report.en.html", "report.zh.pdf", "report.en.pdf", "index.html", "report.html",
            "report.pdf", "report.zh.docx", "report.en.docx", "report.docx", "manifest.json", "notebooks",
            "results"} <= names
    assert sorted(p.stem for p in (full_run / "notebooks").glob("*.ipynb")) == sorted([*IDENTIFIED, "summary"])
    assert sorted(p.name for p in (full_run / "results").glob("*.json")) == sorted(
        [f"{i}.json" for i in IDENTIFIED] + [f"{i}.backtest.json" for i in IDENTIFIED])  # record and backtest
    assert (full_run / "report.pdf").read_bytes() == (full_run / "report.zh.pdf").read_bytes()
    assert (full_run / "report.docx").read_bytes() == (full_run / "report.zh.docx").read_bytes()
    assert not list(full_run.parent.glob(".staging-*"))


def test_executed_notebooks_carry_their_parameters_and_no_timestamps(full_run: Path) -> None:
    nb = json.loads((full_run / "notebooks" / "new_jobs.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["indicator_id"] == "new_jobs"
    assert nb["metadata"]["papermill"]["parameters"]["year"] == 2023
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    text = json.dumps(nb)
    assert "start_time" not in text and "iopub.execute_input" not in text
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1 and injected[0]["id"] == "injected-parameters"


def test_manifest_hashes_inputs_and_outputs(full_run: Path) -> None:
    manifest = json.loads((full_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["year"] == 2023
    for name in ("params/shanghai_14th_employment.yaml", "data/observations.csv", "data/sources.csv",
                 "requirements.lock", "notebooks/indicator.ipynb", "planeval/method/evaluate.py"):
        assert len(manifest["inputs"][name]) == 64, name
    data = (ROOT / "data" / "observations.csv").read_bytes()
    assert manifest["inputs"]["data/observations.csv"] == hashlib.sha256(data).hexdigest()
    outputs = tree_hashes(full_run)
    outputs.pop("manifest.json")
    assert manifest["outputs"] == outputs
    assert manifest["packages"]["statsmodels"]


def test_rerun_with_nothing_changed_executes_and_rewrites_nothing(full_run: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in full_run.rglob("*")}
    done = cli("--year", "2023", "--out", str(full_run.parent))
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
    assert {p: p.stat().st_mtime_ns for p in full_run.rglob("*")} == before


def test_changing_one_indicators_data_re_executes_only_that_indicator(plan_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    only = ("new_jobs", "pensions")
    first = run(Options(year=2023, plan=plan_copy, out=out, only=only), log=quiet)
    assert sorted(first.executed) == sorted([*only, "summary"])
    obs = plan_copy.parent.parent / "data" / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8").replace("new_jobs,2022,56.35,", "new_jobs,2022,56.36,"),
                   encoding="utf-8")
    second = run(Options(year=2023, plan=plan_copy, out=out, only=only), log=quiet)
    assert second.executed == ["new_jobs", "summary"] and second.cached == ["pensions"] and second.published
    record = json.loads((out / "2023" / "results" / "new_jobs.json").read_text(encoding="utf-8"))
    assert [p["value"] for p in record["history"] if p["period"] == "2022"] == [56.36]
    # The new report says what changed since the one it replaced (read from that report's files).
    manifest = json.loads((out / "2023" / "manifest.json").read_text(encoding="utf-8"))
    assert [(v["indicator_id"], v["period"], v["source"], [o["value"] for o in v["old"]], [n["value"] for n in v["new"]])
            for v in manifest["changes"]["values"]] == [("new_jobs", "2022", "S11", [56.35], [56.36])]
    assert [h["report"] for h in manifest["history"]] == [1, 2] and manifest["history"][0]["changes"] is None
    page = (out / "2023" / "report.en.html").read_text(encoding="utf-8")
    assert 'id="changes"' in page and "56.35" in page and "56.36" in page
    index = (out / "2023" / "index.html").read_text(encoding="utf-8")
    assert index.count('<table class="history">') == 2 and "1 values, " in index and "1个数值、" in index
    # A row for a later year than the evaluation year changes nothing as of 2023.
    with obs.open("a", encoding="utf-8") as f:
        f.write("new_jobs,2026,70,=,10k persons,actual,S16,synthetic test row,合成测试行\n")
    third = run(Options(year=2023, plan=plan_copy, out=out, only=only), log=quiet)
    assert third.up_to_date and third.executed == []


def test_warm_and_isolated_kernels_give_identical_bytes(plan_copy: Path, tmp_path: Path) -> None:
    only = ("unemployment_rate", "skills_training")
    out = tmp_path / "out"
    warm = run(Options(year=2023, plan=plan_copy, out=out, only=only, mode="warm"), log=quiet)
    warm_bytes = tree_hashes(out / "2023")
    isolated = run(Options(year=2023, plan=plan_copy, out=out, only=only, mode="isolated", force=True), log=quiet)
    assert sorted(warm.executed) == sorted(isolated.executed) == sorted([*only, "summary"])
    assert tree_hashes(out / "2023") == warm_bytes


def test_two_forced_runs_give_identical_bytes(plan_copy: Path, tmp_path: Path) -> None:
    only = ("new_jobs", "entrepreneurial_activity_rate")
    out = tmp_path / "out"
    run(Options(year=2023, plan=plan_copy, out=out, only=only, force=True), log=quiet)
    first = tree_hashes(out / "2023")
    run(Options(year=2023, plan=plan_copy, out=out, only=only, force=True, jobs=1), log=quiet)
    assert tree_hashes(out / "2023") == first
    assert "report.zh.pdf" in first and "notebooks/new_jobs.ipynb" in first


def notebook_with_cell(tmp_path: Path, source: str) -> Path:
    """A copy of the indicator notebook with one extra code cell after the imports (cell 4 once the
    parameters are injected); the real notebook is never edited."""
    path = tmp_path / "nb" / "indicator.ipynb"
    path.parent.mkdir()
    nb = json.loads((ROOT / "notebooks" / "indicator.ipynb").read_text(encoding="utf-8"))
    nb["cells"].insert(3, {"cell_type": "code", "execution_count": None, "id": "extra", "metadata": {}, "outputs": [],
                           "source": source})
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_a_failing_notebook_leaves_the_previous_report_in_place(plan_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    only = ("new_jobs", "pensions")
    run(Options(year=2023, plan=plan_copy, out=out, only=only), log=quiet)
    before = tree_hashes(out / "2023")
    broken = notebook_with_cell(tmp_path, "if indicator_id == 'pensions':\n    raise ValueError('synthetic failure')")
    with pytest.raises(RunFailed) as failed:
        run(Options(year=2023, plan=plan_copy, out=out, only=only, notebook=broken, force=True), log=quiet)
    assert [o.job.label for o in failed.value.result.failures] == ["pensions"]
    assert "ValueError: synthetic failure" in failed.value.result.failures[0].error
    assert "cell 4" in failed.value.result.failures[0].error  # 0-based, in the executed notebook
    assert failed.value.result.executed == ["new_jobs"]
    assert tree_hashes(out / "2023") == before
    kept = json.loads((out / "2023.failed" / "notebooks" / "pensions.ipynb").read_text(encoding="utf-8"))
    assert any(o.get("ename") == "ValueError" for c in kept["cells"] for o in c.get("outputs", []))
    assert not list(out.glob(".staging-*"))


def test_debug_shows_the_traceback() -> None:
    done = cli("--year", "2030", "--debug")
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "InputError" in done.stderr


def test_a_hung_cell_is_stopped_by_the_timeout(plan_copy: Path, tmp_path: Path) -> None:
    hung = notebook_with_cell(tmp_path, "import time\nif indicator_id == 'pensions':\n    time.sleep(600)")
    with pytest.raises(RunFailed) as failed:
        run(Options(year=2023, plan=plan_copy, out=tmp_path / "out", only=("pensions", "new_jobs"), notebook=hung,
                    timeout=30, jobs=1), log=quiet)  # generous: a loaded machine must not time out the other cells
    assert [o.job.label for o in failed.value.result.failures] == ["pensions"]
    assert "timed out after 30 s" in failed.value.result.failures[0].error
    assert failed.value.result.executed == ["new_jobs"]


def test_a_failing_summary_notebook_fails_the_run_although_the_report_was_assembled(
        plan_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary notebook runs while the report is assembled; its failure must still keep the
    previous report and say which notebook failed."""
    from planeval.pipeline import runner

    out = tmp_path / "out"
    only = ("new_jobs",)
    run(Options(year=2023, plan=plan_copy, out=out, only=only), log=quiet)
    before = tree_hashes(out / "2023")
    broken = tmp_path / "nb" / "summary.ipynb"
    broken.parent.mkdir()
    nb = json.loads((ROOT / "notebooks" / "summary.ipynb").read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "extra", "metadata": {}, "outputs": [],
                        "source": "raise RuntimeError('synthetic summary failure')"})
    broken.write_text(json.dumps(nb), encoding="utf-8")
    monkeypatch.setattr(runner, "SUMMARY", broken)
    with pytest.raises(RunFailed) as failed:
        run(Options(year=2023, plan=plan_copy, out=out, only=only, force=True), log=quiet)  # the key cannot see a patched path
    assert [o.job.label for o in failed.value.result.failures] == ["summary"]
    assert "synthetic summary failure" in failed.value.result.failures[0].error
    assert tree_hashes(out / "2023") == before
    assert (out / "2023.failed" / "notebooks" / "summary.ipynb").exists()
    assert not list(out.glob(".staging-*"))
