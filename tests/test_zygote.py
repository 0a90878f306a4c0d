"""Kernels forked from the zygote: they run a notebook exactly as a spawned kernel does, are signalled,
restarted and stopped like one, and die with the zygote."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planeval.pipeline import zygote
from planeval.pipeline.execute import Job, KernelPool, child_pids, warm_up_code

pytestmark = pytest.mark.skipif(not zygote.available(), reason="kernels are forked on Linux only")

ROOT = Path(__file__).resolve().parent.parent

# What a kernel's environment decides when its libraries are imported: pandas shows 20 columns of a
# wide table in a kernel (as many as fit the width in a terminal), matplotlib's backend comes from
# MPLBACKEND as ipykernel sets it; and what must be the kernel's own: its working folder, its parent.
PROBE = """import os, sys, pandas as pd, matplotlib
print(pd.get_option("display.max_columns"), matplotlib.rcParams["backend"])
print(pd.DataFrame([list(range(30))]))
print(os.getcwd(), sys.argv[1:2], "" in sys.path, os.environ["JPY_PARENT_PID"] == str(os.getppid()))"""


def _printed(job: Job) -> str:
    [cell] = [c for c in json.loads(job.output_notebook.read_text(encoding="utf-8"))["cells"] if c["id"] == "c"]
    return "".join(text for output in cell["outputs"] for text in output.get("text", ""))


def _running(pid: int) -> bool:
    """Whether the process runs (an orphan that ended may stay a zombie until the system reaps it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def test_a_forked_kernel_prints_what_a_spawned_one_prints(tmp_path: Path, one_cell_job) -> None:
    warm_up = warm_up_code([ROOT / "notebooks" / "indicator.ipynb"])
    printed = {}
    for fork in (False, True):
        pool = KernelPool(warm_up, fork=fork).prestart()
        try:
            job = one_cell_job(f"probe{fork}", PROBE)
            assert pool.run(job, timeout=120).ok
            [kernel] = pool._all
            pid = kernel.km.provisioner.pid
            assert (zygote.MODULE.encode() in _cmdline(pid)) is fork  # forked from the zygote, or spawned
            printed[fork] = _printed(job)
        finally:
            pool.close()
    assert printed[True] == printed[False]
    backend = os.environ.get("MPLBACKEND") or "module://matplotlib_inline.backend_inline"  # as ipykernel sets it
    assert printed[True].startswith(f"20 {backend}\n")
    assert "..." in printed[True]  # 20 of the 30 columns
    assert printed[True].endswith(f"{tmp_path} ['-f'] True True\n")


def test_kernels_die_with_the_zygote(tmp_path: Path) -> None:
    pool = KernelPool().prestart(2)
    try:
        pids = [kernel.km.provisioner.pid for kernel in pool._all]
        assert pool._zygote is not None
        assert sorted(child_pids(pool._zygote.process.pid)) == sorted(pids)
        os.kill(pool._zygote.process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(kernel.km.is_alive() for kernel in pool._all) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(kernel.km.is_alive() for kernel in pool._all)
        assert not any(_running(pid) for pid in pids)
    finally:
        pool.close()


def test_closing_the_pool_while_the_zygote_still_imports_leaves_no_process() -> None:
    pool = KernelPool(warm_up_code([ROOT / "notebooks" / "indicator.ipynb"])).prestart(2)
    assert pool._zygote is not None
    process = pool._zygote.process
    pool.close()  # within a second of the start: the zygote is still importing, no kernel forked yet
    assert process.poll() is not None
    assert child_pids() == [] or all(zygote.MODULE.encode() not in _cmdline(pid) for pid in child_pids())


def test_only_this_pythons_ipykernel_launcher_is_forked() -> None:
    assert zygote.forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not zygote.forkable(["/usr/bin/python3.9", "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not zygote.forkable([sys.executable, "-m", "other_kernel", "-f", "c.json"])
    assert not zygote.forkable(["R", "--slave"])


# --------------------------------------------------------------------------------------------
# Kept warm between runs: the kernel server
# --------------------------------------------------------------------------------------------

WARM_UP = "import json"  # small: these servers start in half a second


@pytest.fixture()
def servers(monkeypatch):
    """A private folder for this test's kernel servers (short: a socket's path holds 107 bytes at most);
    every server still running is stopped after the test."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="pe-", dir="/tmp"))
    monkeypatch.setenv(zygote.RUNTIME_ENV, str(folder))
    started: list = []
    yield started
    zygote.stop_servers(folder)
    for process in started:
        process.wait(timeout=20)
    shutil.rmtree(folder, ignore_errors=True)


def _kernel_parent(pool: KernelPool) -> int:
    [kernel] = pool._all
    pid = kernel.km.provisioner.pid
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_kept_warm_zygote_forks_the_kernels_of_the_next_run(servers, one_cell_job) -> None:
    first = KernelPool(WARM_UP, keep_warm=60).prestart()
    assert first._zygote is not None and first._zygote.keeps_warm
    server = first._zygote.process
    servers.append(server)
    try:
        assert first.run(one_cell_job("one", "print(1 + 1)"), timeout=120).ok
        [kernel] = first._all
        kernel_pid = kernel.km.provisioner.pid
        assert _kernel_parent(first) == server.pid
    finally:
        first.close()
    assert server.poll() is None  # still there for the next run
    assert not _running(kernel_pid)  # the run's kernel ended with the run
    second = KernelPool(WARM_UP, keep_warm=60).prestart()
    try:
        assert second._zygote is not None and second._zygote.process is None  # connected, not started
        job = one_cell_job("two", "print(2 + 2)")
        assert second.run(job, timeout=120).ok
        assert _printed(job) == "4\n"
        assert _kernel_parent(second) == server.pid
    finally:
        second.close()
    assert zygote.stop_servers() == 1
    assert server.wait(timeout=20) == 0
    assert sorted(p.name for p in Path(os.environ[zygote.RUNTIME_ENV]).iterdir()) == []  # socket, lock, empty log


def test_a_kept_warm_zygote_ends_when_no_run_came_for_its_time(servers) -> None:
    pool = KernelPool(WARM_UP, keep_warm=1).prestart()
    server = pool._zygote.process
    servers.append(server)
    pool._zygote.pid(0)  # forked: the warm-up is done
    pool.close()
    started = time.monotonic()
    assert server.wait(timeout=20) == 0
    assert 0.5 < time.monotonic() - started < 10


def test_the_kernels_of_a_run_that_is_killed_end_and_the_server_stays(servers) -> None:
    script = ("import sys, time\nfrom planeval.pipeline.execute import KernelPool\n"
              f"pool = KernelPool({WARM_UP!r}, keep_warm=60).prestart()\n"
              "print(pool._zygote.process.pid, pool._all[0].km.provisioner.pid, flush=True)\ntime.sleep(600)\n")
    run = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        server_pid, kernel_pid = map(int, run.stdout.readline().split())
    finally:
        run.kill()
        run.wait()
    deadline = time.monotonic() + 10
    while _running(kernel_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(kernel_pid)
    assert _running(server_pid)
    assert zygote.stop_servers() == 1
    while _running(server_pid) and time.monotonic() < deadline + 10:
        time.sleep(0.05)
    assert not _running(server_pid)


def test_a_server_is_only_shared_by_runs_that_would_load_the_same(servers, monkeypatch) -> None:
    name = zygote.server_socket(WARM_UP)
    assert name is not None and name == zygote.server_socket(WARM_UP)
    assert zygote.server_socket("import os") != name  # other notebook imports
    monkeypatch.setenv("OLDPWD", "/elsewhere")
    assert zygote.server_socket(WARM_UP) == name  # what a shell changes between commands: the same
    here = os.getcwd()
    monkeypatch.chdir("/")
    assert zygote.server_socket(WARM_UP) != name  # another working folder (matplotlib reads a matplotlibrc there): not
    monkeypatch.chdir(here)
    monkeypatch.setenv("MPLBACKEND", "agg")
    assert zygote.server_socket(WARM_UP) != name  # another environment: not
    monkeypatch.delenv("MPLBACKEND")
    monkeypatch.setattr(zygote, "_installed", lambda: ["pandas-9.9.dist-info"])
    assert zygote.server_socket(WARM_UP) != name  # other packages: not
    monkeypatch.setenv(zygote.RUNTIME_ENV, os.path.join(os.environ[zygote.RUNTIME_ENV], "x" * 80))
    assert zygote.server_socket(WARM_UP) is None  # too long a path for a socket: no server


def test_a_run_with_other_code_asks_the_servers_of_this_library_to_stop(servers) -> None:
    old = KernelPool(WARM_UP, keep_warm=60).prestart()
    old_server = old._zygote.process
    servers.append(old_server)
    old._zygote.pid(0)
    old.close()
    new = KernelPool("import os", keep_warm=60).prestart()  # as after an edit of the library
    new_server = new._zygote.process
    servers.append(new_server)
    try:
        assert old_server.wait(timeout=20) == 0
        new._zygote.pid(0)  # (a server listens before it imports: stop_servers below finds it)
        assert new_server.poll() is None
    finally:
        new.close()


def test_a_folder_others_can_enter_holds_no_server(tmp_path: Path, monkeypatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv(zygote.RUNTIME_ENV, str(shared))
    assert zygote.runtime_dir() is None
    pool = KernelPool(WARM_UP, keep_warm=60).prestart()
    try:
        assert not pool._zygote.keeps_warm  # the run's own zygote instead
    finally:
        pool.close()
    assert pool._zygote is None


def test_keep_warm_minutes_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv(zygote.KEEP_WARM_ENV, "2.5")
    assert zygote.keep_warm_minutes() == 2.5
    monkeypatch.setenv(zygote.KEEP_WARM_ENV, "")
    assert zygote.keep_warm_minutes() == zygote.KEEP_WARM_MINUTES
    for bad in ("soon", "-1", "inf", "nan"):
        monkeypatch.setenv(zygote.KEEP_WARM_ENV, bad)
        with pytest.raises(ValueError, match="PLANEVAL_KEEP_WARM must be a number of minutes, 0 or more"):
            zygote.keep_warm_minutes()
