"""Warm kernels: the warm-up code taken from the notebooks, and kernels started ahead that are
stopped cleanly when the run ends early (bad input)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planeval.inputs.errors import InputError
from planeval.pipeline.execute import KernelPool, warm_up_code
from planeval.pipeline.runner import Options, run

ROOT = Path(__file__).resolve().parent.parent


def notebook(tmp_path: Path, name: str, *sources: str) -> Path:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{n}", "metadata": {}, "outputs": [],
              "source": source} for n, source in enumerate(sources)]
    cells.insert(1, {"cell_type": "markdown", "id": "md", "metadata": {}, "source": "import this_is_prose"})
    path = tmp_path / name
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_warm_up_runs_each_one_line_import_once_guarded_then_freezes_the_collector(tmp_path: Path) -> None:
    first = notebook(tmp_path, "a.ipynb", "import json\nfrom pathlib import Path  # paths\nx = 1",
                     "import numpy as np\nfrom os import (\n    sep,\n)\n    import indented")
    second = notebook(tmp_path, "b.ipynb", "import json\nfrom planeval.presentation import charts\nfrom planeval.pipeline import notebook as nbk")
    code = warm_up_code([first, second])
    guarded = [block.split("\n")[0].strip() for block in code.split("try:\n")[1:]]
    assert guarded == ["import statsmodels.regression.linear_model", "import json", "from pathlib import Path  # paths",
                       "import numpy as np", "from planeval.presentation import charts",
                       "from planeval.pipeline import notebook as nbk"]
    assert code.endswith("import gc as _gc\n_gc.freeze()\ndel _gc")


def test_warm_up_code_survives_a_missing_module_and_defines_no_names(tmp_path: Path) -> None:
    code = warm_up_code([notebook(tmp_path, "a.ipynb", "import no_such_module_here\nimport json")])
    namespace: dict[str, object] = {}
    exec(compile(code, "warm-up", "exec"), namespace)  # noqa: S102 - the code under test, built from a test notebook
    assert "json" in namespace and "no_such_module_here" not in namespace
    # (the kernel's reset removes such names before a notebook runs; only the loaded modules stay)


def test_a_kernel_started_ahead_is_killed_by_close_even_while_booting() -> None:
    pool = KernelPool(warm_up_code([ROOT / "notebooks" / "indicator.ipynb"])).prestart()
    [kernel] = pool._all
    assert kernel.km.is_alive()
    pool.close()
    assert not kernel.km.is_alive()
    assert not Path(kernel.sockets).exists()
    pool.close()  # a second close is harmless


def test_bad_input_stops_the_kernel_run_was_given(tmp_path: Path) -> None:
    pool = KernelPool().prestart()
    [kernel] = pool._all
    with pytest.raises(InputError, match="outside the plan period"):
        run(Options(year=2030, plan=ROOT / "params" / "shanghai_14th_employment.yaml", out=tmp_path), pool=pool)
    assert not kernel.km.is_alive()


def test_run_all_on_bad_input_prints_only_the_error_and_leaves_no_kernel() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "run_all.py"), "--year", "2030"], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "run_all.py: error: --year 2030 is outside the plan period: give a year from 2021 to 2025 "
        "(the plan runs 2020–2025)"]


def test_yield_cpu_lowers_every_kernels_priority() -> None:
    pool = KernelPool().prestart(2)
    try:
        pool.yield_cpu()
        assert [os.getpriority(os.PRIO_PROCESS, k.km.provisioner.pid) for k in pool._all] == [10, 10]
    finally:
        pool.close()


def test_a_kernel_that_dies_fails_only_its_own_notebook(tmp_path: Path, one_cell_job) -> None:
    """A cell that kills its own kernel: that notebook fails; the next one on the same warm kernel
    (restarted) runs, rather than failing at once on the dead kernel's client."""
    job = one_cell_job
    pool = KernelPool().prestart()
    try:
        before = pool.run(job("before", "x = 1"), timeout=60)  # the kernel's client is now set up
        dying = pool.run(job("dying", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"), timeout=60)
        after = [pool.run(job(f"after{n}", f"print({n} * 7)"), timeout=60) for n in (1, 2)]
        assert len(pool._all) == 1  # the same worker's kernel, restarted
    finally:
        pool.close()
    assert before.ok and not dying.ok and "DeadKernelError" in dying.error
    assert [o.ok for o in after] == [True, True], [o.error for o in after]
    [cell] = [c for c in json.loads((tmp_path / "out" / "after2.ipynb").read_text(encoding="utf-8"))["cells"]
              if c["id"] == "c"]
    assert "".join(cell["outputs"][0]["text"]) == "14\n"


def test_scrub_merges_a_printed_line_split_into_several_stream_messages() -> None:
    """Under load a kernel may send one printed line as several messages; the written notebook must
    not depend on that. Only consecutive outputs of the same stream are merged."""
    import nbformat

    from planeval.pipeline.execute import scrub

    def cell(*outputs: dict) -> nbformat.NotebookNode:
        c = nbformat.v4.new_code_cell("print('ahead:', 1)")
        c["id"] = "printing"
        c.outputs = [nbformat.from_dict(o) for o in outputs]
        c.execution_count = 1
        return c

    def stream(name: str, text: str | list[str]) -> dict:
        return {"output_type": "stream", "name": name, "text": text}

    result = {"output_type": "execute_result", "execution_count": 1, "data": {"text/plain": "2"}, "metadata": {}}
    split = nbformat.v4.new_notebook(cells=[cell(stream("stdout", "ahead: 1"), stream("stdout", "\n"),
                                                 stream("stdout", ["b", "c\n"]), stream("stderr", "warn\n"),
                                                 stream("stderr", "more\n"), result, stream("stdout", "after\n"))])
    whole = nbformat.v4.new_notebook(cells=[cell(stream("stdout", "ahead: 1\nbc\n"), stream("stderr", "warn\nmore\n"),
                                                 result, stream("stdout", "after\n"))])
    assert nbformat.writes(scrub(split)) == nbformat.writes(scrub(whole))
    assert [o.get("text") for o in split.cells[0].outputs] == ["ahead: 1\nbc\n", "warn\nmore\n", None, "after\n"]
