"""The pipeline's declared steps: what each step's cache key covers, which steps an edit re-runs,
and that the run never forks while one of its threads runs.

An "edit" is simulated by changing the hash the run computes for one file (the repository's files
are never written), so the run sees exactly what it would see after an edit that changes no output.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from planeval.inputs.paths import LOCK, NOTEBOOK, PACKAGE, ROOT, SUMMARY, chart_file, record_file
from planeval.pipeline import digests, keys
from planeval.pipeline.runner import Options, run



def names(files: dict[str, str]) -> set[str]:
    return set(files)


def test_the_indicator_key_covers_the_code_the_notebook_runs_and_not_the_report_layout() -> None:
    code = names(keys.notebook_code(NOTEBOOK))
    for needed in ("notebooks/indicator.ipynb", "planeval/method/evaluate.py", "planeval/method/forecast.py",
                   "planeval/inputs/data.py", "planeval/inputs/plan.py", "planeval/pipeline/notebook.py",
                   "planeval/presentation/charts.py", "planeval/presentation/labels.py",
                   "planeval/pipeline/execute.py", "requirements.lock"):
        assert needed in code, needed
    for layout in ("planeval/presentation/static/report.css", "planeval/presentation/templates/report.html.j2",
                   "planeval/presentation/report.py", "planeval/pipeline/runner.py", "planeval/pipeline/assemble.py",
                   "notebooks/summary.ipynb"):
        assert layout not in code, layout


def test_the_report_key_covers_templates_styles_and_the_code_of_the_whole_run() -> None:
    code = names(keys.run_code())
    for needed in ("planeval/presentation/static/report.css", "planeval/presentation/templates/report.html.j2",
                   "planeval/presentation/templates/index.html.j2", "planeval/presentation/report.py",
                   "planeval/pipeline/assemble.py", "planeval/method/backtest.py", "planeval/method/scorecard.py",
                   "requirements.lock"):
        assert needed in code, needed


def test_the_import_closure_follows_imports_inside_functions(tmp_path: Path) -> None:
    # pipeline/notebook.py imports method.evaluate and presentation.charts inside functions only.
    closure = {str(p.relative_to(ROOT)) for p in digests.module_closure(["planeval.pipeline.notebook"])}
    assert {"planeval/method/evaluate.py", "planeval/presentation/charts.py", "planeval/__init__.py",
            "planeval/pipeline/__init__.py"} <= closure
    assert digests.notebook_imports(SUMMARY) == sorted(set(digests.notebook_imports(SUMMARY)))
    # A cell that does not parse: every module of the library counts.
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [{"cell_type": "code", "source": "def (:"}]}', encoding="utf-8")
    every = {str(p.relative_to(ROOT)) for p in digests.module_closure(digests.notebook_imports(broken))}
    assert every == {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def test_the_line_scan_of_a_library_file_finds_the_imports_python_would_run() -> None:
    """The closure scans the library's files line by line (fast); it must find every library import the
    parsed syntax tree has, including parenthesised lists over several lines and imports in functions."""
    import ast

    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_bytes()
        parsed = {n for n in digests._imported(ast.parse(source)) if n.startswith("planeval")}
        assert {n for n in digests._file_imports(path, source) if n.startswith("planeval")} == parsed, path
    sample = (b"import os, planeval.a as x  # note\nfrom planeval.b import (c,\n    d,  # why\n)\n"
              b"def f():\n    from planeval.e import f as g\n")
    assert digests._file_imports(Path("sample.py"), sample) == {
        "os", "planeval.a", "planeval.b", "planeval.b.c", "planeval.b.d", "planeval.e", "planeval.e.f"}


def test_result_files_are_named_in_one_place() -> None:
    assert record_file(Path("r"), "new_jobs") == Path("r/new_jobs.json")
    assert chart_file(Path("r"), "new_jobs", "en") == Path("r/new_jobs.en.png")
    assert LOCK == ROOT / "requirements.lock"


def pretend_edited(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """From now on the run sees the file ``name`` as edited (another hash; the bytes are unchanged)."""
    real = digests.sha256_file

    def hashed(path: Path) -> str:
        digest = real(path)
        return hashlib.sha256(f"{digest} edited".encode()).hexdigest() if Path(path).name == name else digest

    monkeypatch.setattr(digests, "sha256_file", hashed)
    monkeypatch.setattr(keys, "sha256_file", hashed)


@pytest.fixture()
def forks() -> list[set[threading.Thread]]:
    """The threads other than the test's own that ran at each os.fork() of this process."""
    seen: list[set[threading.Thread]] = []
    before = set(threading.enumerate())
    _FORK_WATCHERS.append(lambda: seen.append(set(threading.enumerate()) - before))
    yield seen
    _FORK_WATCHERS.clear()


_FORK_WATCHERS: list = []
os.register_at_fork(before=lambda: [watch() for watch in _FORK_WATCHERS])


def quiet(_: str) -> None:
    pass


def test_a_style_or_template_edit_remakes_the_report_only_and_nothing_forks_beside_a_thread(
        plan_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[set[threading.Thread]]) -> None:
    options = Options(year=2023, plan=plan_copy, out=tmp_path / "out", only=("new_jobs",), jobs=2)
    first = run(options, log=quiet)
    assert first.executed == ["new_jobs", "summary"] and first.published
    results = tmp_path / "out" / "2023" / "results"
    records = {p.name: p.read_bytes() for p in results.glob("*.json")}
    for name in ("report.css", "report.html.j2"):
        with monkeypatch.context() as patch:
            pretend_edited(patch, name)
            again = run(options, log=quiet)
        assert again.executed == [] and sorted(again.cached) == ["new_jobs", "summary"], name
        assert again.published and not again.up_to_date, name
    # The same records; the re-made page says what changed since the first one: nothing but the code.
    assert {p.name: p.read_bytes() for p in results.glob("*.json")} == records
    page = (tmp_path / "out" / "2023" / "report.en.html").read_text(encoding="utf-8")
    assert '<section id="changes">' in page and 'class="changes-nothing"' in page
    assert [threads for threads in forks if threads] == []  # the language processes are spawned


def test_an_indicator_notebook_edit_re_runs_that_step_only(plan_copy: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    options = Options(year=2023, plan=plan_copy, out=tmp_path / "out", only=("new_jobs", "pensions"), langs=("en",))
    run(options, log=quiet)
    before = (tmp_path / "out" / "2023" / "results" / "pensions.json").read_bytes()
    pretend_edited(monkeypatch, NOTEBOOK.name)
    again = run(options, log=quiet)
    # The records come out the same, so the summary (which reads only them) is not run again.
    assert sorted(again.executed) == ["new_jobs", "pensions"] and again.cached == ["summary"]
    assert again.published
    assert (tmp_path / "out" / "2023" / "results" / "pensions.json").read_bytes() == before


def _made(folder: Path, lang: str, args: dict) -> list[Path]:
    return [folder / f"{lang}.{args['n']}.{os.getpid()}"]


def test_no_language_process_is_forked_while_another_thread_runs(tmp_path: Path) -> None:
    """With another thread running (a caller's, or the Typst compiler's from an earlier run in the
    same process), the language processes come from a fork server, never from a fork of this one."""
    from planeval.pipeline.workers import Workers

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with Workers("isolated", []) as workers:
            workers.start_languages(languages=2, jobs=2)
            assert workers.languages is not None
            assert workers.languages._mp_context.get_start_method() == "forkserver"
            made = workers.each_language(_made, tmp_path, ("zh", "en"), {"n": 1})
            assert made[0] == tmp_path / f"zh.1.{os.getpid()}"  # the first language here
            assert made[1].name.startswith("en.1.") and made[1].name != f"en.1.{os.getpid()}"  # the other elsewhere
    finally:
        stop.set()
        other.join()


def test_a_kernel_checks_data_in_full_unless_its_run_validated_those_exact_bytes(plan_copy: Path, monkeypatch) -> None:
    """The run hands its kernels the key of the plan and data it validated (the setup cell adds it to
    nbk.CHECKED): those bytes load without pandera; other bytes (one value changed) are checked again."""
    from planeval.inputs import data
    from planeval.inputs.plan import load_plan
    from planeval.pipeline import notebook as nbk

    loaded = load_plan(plan_copy)
    key = digests.inputs_key(digests.input_digests(loaded.path, loaded.data_paths()))
    calls: list[str] = []
    full = data.validate

    def counted(df, table, path, checked=False):
        calls.append(f"{table}{' (types only)' if checked else ''}")
        return full(df, table, path, checked)

    monkeypatch.setattr(data, "validate", counted)
    monkeypatch.setattr(nbk, "CHECKED", {key})
    monkeypatch.setattr(nbk, "_LOADED", {})
    nbk.load(plan_copy)
    assert calls == ["sources (types only)", "observations (types only)", "projects (types only)"]
    calls.clear()
    obs = plan_copy.parent.parent / "data" / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8").replace("new_jobs,2022,56.35,", "new_jobs,2022,56.36,"),
                   encoding="utf-8")
    nbk.load(plan_copy)
    assert calls == ["sources", "observations", "projects"]


def test_data_the_run_validated_loads_into_the_same_tables_without_the_checks() -> None:
    import pandas as pd

    from planeval.inputs.data import COLUMNS, load_dataset, schemas
    from planeval.inputs.plan import load_plan

    loaded = load_plan(ROOT / "params" / "shanghai_14th_employment.yaml")
    full, typed = load_dataset(loaded), load_dataset(loaded, checked=True)
    for table in ("observations", "sources", "projects"):
        pd.testing.assert_frame_equal(getattr(full, table), getattr(typed, table), check_exact=True)
        assert getattr(full, table).attrs == getattr(typed, table).attrs
        assert list(schemas()[table].columns) == list(COLUMNS[table])


def test_a_warm_kernel_reads_the_plan_and_data_once_for_the_same_bytes(plan_copy: Path) -> None:
    """nbk.load keeps what it read and checked for the next notebook in the same kernel, hands out the
    data as a copy, and reads again as soon as the plan's or a data file's bytes change."""
    from planeval.pipeline import notebook as nbk

    loaded, first, _, _ = nbk.load(plan_copy, "new_jobs")
    again, second, _, _ = nbk.load(plan_copy, "pensions")
    assert again is loaded and second is not first
    assert second.observations.equals(first.observations)
    second.observations.loc[second.observations.index[0], "value"] = -1.0  # a notebook spoiling its own copy
    assert nbk.load(plan_copy)[1].observations.equals(first.observations)
    obs = plan_copy.parent.parent / "data" / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8").replace("new_jobs,2022,56.35,", "new_jobs,2022,56.36,"),
                   encoding="utf-8")
    changed = nbk.load(plan_copy)[1].series("new_jobs")
    assert 56.36 in set(changed["value"]) and 56.35 not in set(changed["value"])
    plan_copy.write_text(plan_copy.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert nbk.load(plan_copy)[0] is not loaded


def test_the_checks_made_beside_the_notebooks_still_fail_the_run_and_keep_nothing(plan_copy: Path, tmp_path: Path) -> None:
    """A run loads the data with its types only and makes the slower checks (pandera's schemas, the
    plan's texts against the charts' font) while the notebooks run: a problem only those checks see
    (an observation kind that does not exist) fails the run with the error a full load gives, and no
    notebook result is kept in the cache, nor any report made."""
    from planeval.inputs.data import check_in_full, load_dataset
    from planeval.inputs.errors import InputError
    from planeval.inputs.plan import load_plan

    obs = plan_copy.parent.parent / "data" / "observations.csv"
    text = obs.read_text(encoding="utf-8")
    assert text.count(",actual,S06,") >= 1
    obs.write_text(text.replace(",actual,S06,", ",actuel,S06,", 1), encoding="utf-8")
    loaded = load_plan(plan_copy, drawable=False)
    load_dataset(loaded, checked=True)  # the quick load lets it through ...
    with pytest.raises(InputError) as full:
        check_in_full(loaded, plan_copy)  # ... the full checks do not
    assert full.value.field == "kind" and full.value.row == 2
    out = tmp_path / "out"
    with pytest.raises(InputError) as caught:
        run(Options(year=2023, plan=plan_copy, out=out, langs=("en",), only=("new_jobs",), jobs=1))
    assert str(caught.value) == str(full.value)
    assert not (out / "2023").exists()
    entries = out / ".cache" / "indicators"
    assert not entries.exists() or not any(entries.iterdir())
