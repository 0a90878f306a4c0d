"""Kernels forked from the zygote: they run a notebook exactly as a spawned kernel does, are signalled,
restarted and stopped like one, and die with the zygote."""

from __future__ import annotations

import json
import os
import signal
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
