"""A real run_all.py stopped by SIGINT, SIGTERM or SIGKILL at several moments: it exits with the
shell's status for the signal, leaves no process running and no folder behind, and the previous
report stays in place. Also: two runs of the same year at once (the second waits for the first).

Each test runs one indicator (``--only new_jobs``) into a fresh ``--out`` with a private TMPDIR, so
the kernels' socket folders can be counted; every process the run started is watched while it runs.
"""

from __future__ import annotations

import fcntl
import hashlib
import multiprocessing.util
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from planeval.pipeline.execute import KERNEL_FOLDER, child_pids, remove_dead_kernel_folders
from planeval.pipeline.publish import lock_file, recover

ROOT = Path(__file__).resolve().parent.parent


class Run:
    """run_all.py in a subprocess: its output lines as they come, and every process it started."""

    def __init__(self, tmp_path: Path, *extra: str) -> None:
        self.out = tmp_path / "out"
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir(exist_ok=True)
        env = {**os.environ, "TMPDIR": str(self.tmp)}
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "run_all.py"), "--year", "2023", "--only", "new_jobs", "--out", str(self.out),
             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.started: set[int] = set()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._watch, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")  # the run ended

    def _watch(self) -> None:
        while self.proc.poll() is None:
            for pid in child_pids(self.proc.pid):
                self.started.add(pid)
                self.started.update(child_pids(pid))
            threading.Event().wait(0.1)

    def wait_for(self, text: str) -> None:
        seen = []
        while True:
            line = self.lines.get(timeout=600)
            seen.append(line)
            if text in line:
                return
            if not line:
                stderr = self.proc.stderr.read() if self.proc.stderr else ""
                raise AssertionError(f"the run ended before {text!r}:\n{''.join(seen)}\n{stderr}")

    def stop(self, signum: int, after: float = 1.0) -> tuple[int, str]:
        threading.Event().wait(after)
        self.proc.send_signal(signum)
        _, stderr = self.proc.communicate(timeout=60)  # a hang fails here; "a few seconds" is not timed
        return self.proc.returncode, stderr

    def running(self) -> list[int]:
        """The processes this run started that still run (dead ones may stay zombies a moment)."""
        alive = []
        for pid in self.started:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(pid)
        return alive


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def previous_report(out: Path) -> dict[str, str]:
    """A stand-in for an earlier report (synthetic: a manifest and one page), which must survive."""
    folder = out / "2023"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text('{"report_key": "earlier"}\n', encoding="utf-8")
    (folder / "report.html").write_text("<p>the earlier report</p>\n", encoding="utf-8")
    return tree(folder)


def leftovers(out: Path) -> list[str]:
    """What a stopped run must not leave: staging or failed folders, cache work folders."""
    found = [p.name for p in out.iterdir() if p.name.startswith((".staging-", ".old-")) or p.name.endswith(".failed")]
    return found + [p.name for p in (out / ".cache" / "tmp").glob("*/*")]


@pytest.mark.parametrize(("moment", "signum", "status"), [
    ("executing", signal.SIGINT, 130),  # while the indicator notebook runs
    ("making the report", signal.SIGTERM, 143),  # while the PDF workers and the summary notebook run
])
def test_a_signal_stops_the_run_and_leaves_nothing(tmp_path: Path, moment: str, signum: int, status: int) -> None:
    before = previous_report(tmp_path / "out")
    run = Run(tmp_path, "--force")
    run.wait_for(moment)
    code, stderr = run.stop(signum)
    assert code == status, stderr
    assert f"stopped by {signal.Signals(signum).name}; the previous report (if any) is unchanged" in stderr
    assert "Traceback" not in stderr
    assert run.started  # the kernel at least was watched
    threading.Event().wait(1.0)  # the kernel's own process may take a moment to be reaped
    assert run.running() == []
    assert tree(run.out / "2023") == before
    assert leftovers(run.out) == []
    assert list(run.tmp.iterdir()) == []  # the kernels' socket folders


def test_pdf_workers_die_with_a_killed_run_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    run = Run(tmp_path)
    run.wait_for("making the report")
    code, _ = run.stop(signal.SIGKILL, after=0.3)  # the pages of one indicator take about a second here
    assert code == -signal.SIGKILL
    threading.Event().wait(2.0)  # the kernel notices its parent's death by polling (every second)
    assert run.running() == []
    staging = [p.name for p in run.out.glob(".staging-2023-*")]
    assert staging == [f".staging-2023-{run.proc.pid}"]
    # What the next run does first (under its lock):
    assert recover(run.out, 2023) == [f"removed {staging[0]}, left by a stopped run"]
    assert not list(run.out.glob(".staging-*"))


def test_the_next_run_removes_the_work_folders_a_killed_run_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from planeval.pipeline.runner import Options, run

    _private_tmpdir(tmp_path / "tmp", monkeypatch)  # the suite's other runs clean the shared one
    stale = tmp_path / "out" / ".cache" / "tmp" / "2023" / "0123abcd"  # as a SIGKILLed notebook leaves it
    (stale / "results").mkdir(parents=True)
    other_year = tmp_path / "out" / ".cache" / "tmp" / "2024" / "4567ef01"  # another year's run: not ours
    other_year.mkdir(parents=True)
    dead_kernels = Path(tempfile.gettempdir()) / f"{KERNEL_FOLDER}{_ended_pid()}-test"  # as a killed run leaves them
    dead_kernels.mkdir()
    lines: list[str] = []
    with pytest.raises(RuntimeError, match="enough"):  # stopped right after the clean-up: nothing runs
        run(Options(year=2023, plan=ROOT / "params" / "shanghai_14th_employment.yaml", out=tmp_path / "out",
                    only=("new_jobs",), mode="isolated"), log=_stop_after_cleanup(lines))
    assert f"removed {dead_kernels}, left by a stopped run" in lines
    assert lines[-1] == f"removed the work folders in {stale.parent}, left by a stopped run"
    assert not stale.parent.exists() and other_year.exists() and not dead_kernels.exists()


def _ended_pid() -> int:
    """The pid of a process that has just ended."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _private_tmpdir(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary folder of this test only (where kernel folders are looked for)."""
    multiprocessing.util.get_temp_dir()  # made once per process (a fork server's socket): not in ours
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again


def _stop_after_cleanup(lines: list[str]):
    """Stops the run at its last clean-up line. Other lines may come first: another test of the suite
    may have SIGKILLed a run whose kernel folders this run removes."""
    def log(line: str) -> None:
        lines.append(line)
        if line.startswith("removed the work folders in "):
            raise RuntimeError("enough")
    return log


def test_a_second_run_of_the_same_year_waits_for_the_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    holder = os.open(lock_file(out, 2023), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        os.write(holder, b"12345\n")  # as a run holding it writes its pid
        run = Run(tmp_path)
        run.wait_for(f"waiting for another run writing {out / '2023'} (process 12345) to finish")
        code, stderr = run.stop(signal.SIGINT, after=0.5)  # the wait can be stopped too
    finally:
        os.close(holder)
    assert code == 130 and "Traceback" not in stderr
    threading.Event().wait(1.0)
    assert run.running() == []
    assert list(run.tmp.iterdir()) == []
    assert not (out / "2023").exists() and leftovers(out) == []


def test_kernel_folders_of_dead_runs_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _private_tmpdir(tmp_path, monkeypatch)
    gone = tmp_path / f"{KERNEL_FOLDER}{_ended_pid()}-abc"
    mine = tmp_path / f"{KERNEL_FOLDER}{os.getpid()}-abc"
    other = tmp_path / f"{KERNEL_FOLDER}xyz"  # not named by a process: not ours to judge
    for folder in (gone, mine, other):
        folder.mkdir()
    assert remove_dead_kernel_folders() == [f"removed {gone}, left by a stopped run"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name])
