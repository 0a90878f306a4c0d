"""Output paths never touch inputs, and publishing never leaves the year without a report."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from planeval.pipeline import publish
from planeval.inputs.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def report(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}")
    (folder / "report.html").write_text(text)
    return folder


def plan_with_data_in(root: Path, data_folder: str) -> Path:
    """A copy of the default plan whose data files live in ``root/<data_folder>/``."""
    (root / data_folder).mkdir(parents=True)
    for name in ("observations.csv", "sources.csv", "projects.csv"):
        shutil.copyfile(ROOT / "data" / name, root / data_folder / name)
    text = PLAN.read_text(encoding="utf-8").replace("../data/", f"../{data_folder}/")
    (root / "plans").mkdir()
    plan = root / "plans" / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    return plan


def test_a_report_folder_that_is_the_data_folder_is_refused_and_the_data_kept(tmp_path: Path) -> None:
    # The reported case: --out R where R/2023 holds the plan's data. Publishing would replace it.
    plan = plan_with_data_in(tmp_path, "2023")
    before = sorted(p.name for p in (tmp_path / "2023").iterdir())
    done = subprocess.run([sys.executable, str(ROOT / "run_all.py"), "--year", "2023", "--plan", str(plan),
                           "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 2, done.stderr
    assert f"the run would write {tmp_path / '2023'}, which is the input {tmp_path / '2023'}" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in (tmp_path / "2023").iterdir()) == before


@pytest.mark.parametrize(
    ("data_folder", "out", "year", "message"),
    [
        ("data", "data/reports", 2023, "is inside"),  # --out inside the data folder
        ("2023", ".", 2023, "which is the input"),  # <out>/2023 is the data folder
        ("2023/data", ".", 2023, "which holds the input"),  # <out>/<year> contains the data folder
        (".cache", ".", 2023, "which is the input"),  # the cache folder is the data folder
        ("2023.failed/x", ".", 2023, "which holds the input"),  # the failed-notebooks folder holds it
        ("2023", ".", 2024, None),  # <out>/2024 is free: accepted
    ],
)
def test_every_output_path_is_checked_against_every_input(tmp_path: Path, data_folder: str, out: str, year: int,
                                                           message: str | None) -> None:
    data = tmp_path / data_folder / "observations.csv"
    data.parent.mkdir(parents=True)
    data.write_text("x")
    inputs = [data.parent, data]
    if message is None:
        publish.check_output_paths(tmp_path / out, year, inputs)
        return
    with pytest.raises(InputError, match=message):
        publish.check_output_paths(tmp_path / out, year, inputs)


def test_the_cache_folder_is_an_output_path_too(tmp_path: Path) -> None:
    data = tmp_path / "data" / "observations.csv"
    data.parent.mkdir()
    data.write_text("x")
    with pytest.raises(InputError, match="which holds the input"):
        publish.check_output_paths(tmp_path / "out", 2023, [data, data.parent], cache=tmp_path)


def test_a_folder_not_made_by_run_all_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "2023").mkdir()
    (tmp_path / "2023" / "thesis.docx").write_text("a year of work")
    with pytest.raises(InputError, match="is not a report made by run_all.py"):
        publish.check_output_paths(tmp_path, 2023, [])
    report(tmp_path / "2024", "old")  # a report of ours: fine
    publish.check_output_paths(tmp_path, 2024, [])
    (tmp_path / "2025").mkdir()  # an empty folder: fine
    publish.check_output_paths(tmp_path, 2025, [])


@pytest.mark.parametrize("atomic", [True, False])
def test_publish_replaces_the_report_and_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               atomic: bool) -> None:
    if not atomic:
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    final = report(tmp_path / "2023", "old")
    staging = report(tmp_path / ".staging-2023-1", "new")
    publish.publish(staging, final)
    assert (final / "report.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023"]


def test_a_run_killed_between_the_two_renames_is_repaired_by_the_next(tmp_path: Path) -> None:
    pid = dead_pid()
    report(publish.old_dir(tmp_path, 2023, pid), "previous")  # moved aside, then killed: no 2023 at all
    report(publish.staging_dir(tmp_path, 2023, pid), "half-made")
    done = publish.recover(tmp_path, 2023)
    assert (tmp_path / "2023" / "report.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023"]
    assert any("restored the previous report" in line for line in done)


def test_recover_drops_a_stale_old_report_when_a_newer_one_is_in_place(tmp_path: Path) -> None:
    pid = dead_pid()
    report(tmp_path / "2023", "newer")
    report(publish.old_dir(tmp_path, 2023, pid), "older")
    publish.recover(tmp_path, 2023)
    assert (tmp_path / "2023" / "report.html").read_text() == "newer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023"]


def test_recover_leaves_the_folders_of_a_live_run_alone(tmp_path: Path) -> None:
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        staging = report(publish.staging_dir(tmp_path, 2023, live.pid), "in progress")
        assert publish.recover(tmp_path, 2023) == []
        assert staging.exists()
    finally:
        live.kill()
        live.wait()


def test_a_signal_during_the_two_rename_swap_waits_until_both_are_done(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the atomic exchange is missing, a Ctrl-C taken by another thread between the two renames
    must not stop the run there (no report at all): it is handled once the new report is in place."""
    import os
    import threading

    from planeval.pipeline.execute import Stopped, stop_on_signals

    out = tmp_path / "out"
    final = out / "2023"
    final.mkdir(parents=True)
    (final / "manifest.json").write_text("old\n")
    staging = out / ".staging-2023-1"
    staging.mkdir()
    (staging / "manifest.json").write_text("new\n")
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    real_replace = os.replace
    calls: list[str] = []
    go, sent = threading.Event(), threading.Event()

    def send() -> None:  # a thread started before the signals are blocked, so it can take one
        go.wait()
        os.kill(os.getpid(), signal.SIGINT)
        sent.set()

    sender = threading.Thread(target=send, daemon=True)
    sender.start()

    def replace(src: os.PathLike, dst: os.PathLike) -> None:
        real_replace(src, dst)
        calls.append(Path(dst).name)
        if len(calls) == 1:  # between the two renames: Ctrl-C, taken by the other thread
            go.set()
            sent.wait()
            for _ in range(20):
                threading.Event().wait(0.01)  # bytecodes: where Python would run the handler

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(Stopped), stop_on_signals():
        publish.publish(staging, final)
    assert calls == [".old-2023-" + str(os.getpid()), "2023"]
    assert (final / "manifest.json").read_text() == "new\n"
