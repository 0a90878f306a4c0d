"""Executing parameterized notebooks: isolated (a fresh kernel per notebook, via papermill) or
warm (one kernel per worker process reused across notebooks, namespace reset in between).

Both modes give the same executed-notebook bytes: :func:`scrub` removes what differs between runs
(timestamps, durations, absolute paths, the injected cell's random id, execution counts of a
reused kernel). Which mode is used is a runner option; a test proves they agree.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from planeval.pipeline.zygote import MODULE as ZYGOTE_MODULE, Zygote, available as zygote_available, provisioner

if TYPE_CHECKING:
    import nbformat

# nbformat (and papermill, nbclient) are imported where used: run_all.py imports this module to
# launch a kernel as early as it can, and nbformat alone takes 0.3 s to import.

KERNEL_NAME = "python3"
KERNEL_FOLDER = "planeval-kernel-"  # + the run's pid + "-": a warm kernel's sockets, in the temporary folder


class Stopped(KeyboardInterrupt):
    """The run was stopped by SIGINT (Ctrl-C) or SIGTERM; ``status`` is the shell's exit status for it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.status = 128 + signum


_STOPPING = threading.Event()  # set by the first SIGINT/SIGTERM: no new kernel starts, nothing is retried
_HANDLING: list[bool] = []  # non-empty while stop_on_signals() is in force (it may be nested)


_SIGNAL: list[int] = []  # the signal that is stopping the run


def stopping() -> bool:
    return _STOPPING.is_set()


def stopped_by() -> Stopped | None:
    """The stop the run is in (for an error that a signal caused, caught before the signal's own
    exception reached the main thread: a worker killed with the run, say); None when not stopping."""
    return Stopped(_SIGNAL[-1]) if _STOPPING.is_set() and _SIGNAL else None


def child_pids(parent: int | None = None) -> list[int]:
    """The live child processes of ``parent`` (default: this process), from /proc (empty elsewhere)."""
    parent = os.getpid() if parent is None else parent
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()  # after "pid (command)"
        except OSError:
            continue
        if int(fields[1]) == parent and fields[0] != b"Z":
            found.append(int(name))
    return found


def kill_children() -> None:
    """SIGKILL the run's workers among the child processes: kernels, the kernel zygote (the kernels it
    forked die with it) and forked PDF workers (same command line as this process). Whatever waits on
    them then returns at once (a dead kernel, a broken process pool) instead of finishing its work.
    Short helpers (git; the C compiler a library runs to find a shared library) are left to end by
    themselves: killed, they leave files behind."""
    try:
        with open("/proc/self/cmdline", "rb") as f:
            own = f.read()
    except OSError:
        return
    for pid in child_pids():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
            if b"ipykernel" in cmdline or ZYGOTE_MODULE.encode() in cmdline or cmdline == own:
                os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def remove_dead_kernel_folders() -> list[str]:
    """Remove the warm kernels' socket folders left by runs that were killed; returns what was done."""
    done = []
    pattern = re.compile(rf"^{KERNEL_FOLDER}(\d+)-")
    tmp = Path(tempfile.gettempdir())
    for path in sorted(tmp.glob(f"{KERNEL_FOLDER}*")):
        m = pattern.match(path.name)
        if m and path.is_dir() and not Path(f"/proc/{m.group(1)}").exists() and Path("/proc/self").exists():
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"removed {path}, left by a stopped run")
    return done


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within: SIGINT and SIGTERM stop the run within seconds. The first one kills the child processes,
    marks the run as stopping (queued notebooks are not started, a dead kernel is not restarted) and
    raises :class:`Stopped` in the main thread, so every ``finally`` removes what the run made; a
    second one exits at once. Only the main thread can take signals; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread() or _HANDLING:
        yield
        return

    from planeval.pipeline.publish import hold_signal

    def handler(signum: int, _frame: object) -> None:
        if hold_signal(signum):  # publishing: both renames first
            return
        if _STOPPING.is_set():
            os._exit(128 + signum)
        _SIGNAL.append(signum)
        _STOPPING.set()
        logging.disable(logging.CRITICAL)  # the libraries' complaints about the kernels just killed
        kill_children()
        raise Stopped(signum)

    def unraisable(info: Any) -> None:
        # The handler's Stopped raised inside a finaliser (an event loop's __del__, say) cannot get out
        # of it: Python would print it as a traceback. The stop is not lost: stopped_by() still says it.
        if not isinstance(info.exc_value, Stopped):
            hook(info)

    hook = sys.unraisablehook
    sys.unraisablehook = unraisable
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    _HANDLING.append(True)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        sys.unraisablehook = hook
        _HANDLING.clear()
        if _STOPPING.is_set():
            logging.disable(logging.NOTSET)
            _STOPPING.clear()
            _SIGNAL.clear()


@dataclass(frozen=True)
class Job:
    """One notebook execution: a notebook, its parameters and where the executed copy goes."""

    key: str  # the cache key: hash of everything that can change the outputs
    label: str  # indicator id (or another name) for messages
    notebook: Path
    output_notebook: Path
    parameters: dict[str, Any]
    cwd: Path
    checked_inputs: str = ""  # digests.inputs_key of the plan and data the run validated (warm kernels only)


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    error: str = ""  # one line: cell number and the exception


def merge_streams(outputs: list[Any]) -> list[Any]:
    """Consecutive stream outputs of the same name (stdout, stderr) as one: how a printed line is split
    into messages depends on timing (a loaded machine sends "ahead: 1" and "\\n" apart)."""
    merged: list[Any] = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and last is not None and last.get("output_type") == "stream"
                and last.get("name") == out.get("name")):
            last["text"] = _text(last["text"]) + _text(out["text"])
        else:
            merged.append(out)
    return merged


def _text(text: str | list[str]) -> str:
    return text if isinstance(text, str) else "".join(text)


def scrub(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip run-specific metadata so the same inputs give the same executed-notebook bytes."""
    params = nb.metadata.get("papermill", {}).get("parameters")
    nb.metadata.pop("papermill", None)
    if params is not None:
        nb.metadata["papermill"] = {"parameters": params}
    nb.metadata.pop("widgets", None)
    count = 0
    for cell in nb.cells:
        if cell.get("outputs"):
            cell.outputs = merge_streams(cell.outputs)
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        if cell.cell_type == "code":
            if cell.get("execution_count") is not None:
                count += 1
                cell.execution_count = count
                for out in cell.get("outputs", []):
                    if "execution_count" in out:
                        out["execution_count"] = count
            else:
                for out in cell.get("outputs", []):
                    if "execution_count" in out:
                        out["execution_count"] = None
    return nb


def _error_summary(nb: nbformat.NotebookNode, timeout: int) -> str:
    """'cell N ('first line'): Error: message' for the first failed cell; a cell interrupted by the
    timeout says so."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                what = (f"timed out after {timeout} s and was interrupted" if out.get("ename") == "KeyboardInterrupt"
                        else f"{out.get('ename')}: {str(out.get('evalue'))[:300]}")
                return f"cell {index} ({first[:60]!r}): {what}"
    return ""


def _write(nb: nbformat.NotebookNode, path: Path) -> None:
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".ipynb.tmp")
    nbformat.write(scrub(nb), tmp)
    os.replace(tmp, path)


def run_isolated(job: Job, timeout: int) -> Outcome:
    """A fresh kernel for this notebook, the way papermill's CLI runs it."""
    import nbformat
    import papermill as pm

    start = time.perf_counter()
    out = job.output_notebook
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(str(job.notebook), str(out), parameters=job.parameters, kernel_name=KERNEL_NAME,
                            cwd=str(job.cwd), progress_bar=False, log_output=False, execution_timeout=timeout,
                            interrupt_on_timeout=True)
    except Exception as exc:  # noqa: BLE001 - any failure of one notebook is reported, never fatal to the run
        error = _error_summary(nbformat.read(out, as_version=4), timeout) if out.exists() else ""
        if out.exists():
            _write(nbformat.read(out, as_version=4), out)
        return Outcome(job, False, time.perf_counter() - start, error or f"{type(exc).__name__}: {exc}"[:400])
    _write(nbformat.read(out, as_version=4), out)
    return Outcome(job, True, time.perf_counter() - start)


_IMPORT = re.compile(r"(import [\w.]+|from [\w.]+ import [\w., ]+)(\s+as \w+)?\s*(#.*)?")


# Loaded by the notebooks on first use, not by their import lines: the statsmodels model that
# planeval.method.forecast imports when it first fits (seconds: the processes that only lay out reports
# import that module too, and never pay for it). (pyplot is not: the notebooks draw on figures of their
# own; the setup cell closes pyplot's figures only where a notebook loaded it.)
FIRST_USE = ("statsmodels.regression.linear_model",)


def load_executor() -> None:
    """Import what executing a notebook takes here (nbclient, papermill, nbformat: half a second), ahead
    of the first notebook."""
    import nbclient  # noqa: F401
    import papermill.iorw  # noqa: F401
    import papermill.parameterize  # noqa: F401


def warm_up_code(notebooks: Iterable[Path]) -> str:
    """Code a warm kernel runs while it starts: the notebooks' one-line, top-level import statements and
    :data:`FIRST_USE` (libraries loaded only when first used), each on its own so that one failing import only
    leaves that library to be loaded by the notebook itself, which then reports the error in its own cell.

    Only modules end up loaded: the setup cell's reset removes every name before a notebook runs.
    Then ``gc.freeze()`` moves the libraries' objects out of the collector's sight: the reset's full
    collection (and every later one) no longer walks them, 0.3 s less per notebook here.
    """
    lines = [f"import {module}" for module in FIRST_USE]
    for path in notebooks:
        for cell in json.loads(Path(path).read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            lines += [line.rstrip() for line in source.splitlines() if _IMPORT.fullmatch(line.rstrip())]
    imports = [f"try:\n    {line}\nexcept Exception:\n    pass" for line in dict.fromkeys(lines)]
    return "\n".join([*imports, "import gc as _gc\n_gc.freeze()\ndel _gc"])


class WarmKernel:
    """One kernel kept alive across notebooks. Before each notebook a setup cell (removed again
    before the notebook is written) resets the namespace and moves to the notebook's folder, so
    every notebook starts from a clean namespace with the library already imported.

    ``warm_up`` is code the kernel runs as it starts (IPython's ``exec_lines``, before it answers any
    request; its output goes nowhere): importing the notebooks' libraries there overlaps seconds of
    imports with whatever the caller does until the first notebook is ready to run.
    """

    SETUP_ID = "planeval-warm-setup"

    def __init__(self, warm_up: str = "", zygote: Zygote | None = None) -> None:
        from jupyter_client.manager import KernelManager

        # nbclient drives the kernel through an asynchronous client; a blocking one would stall its
        # event loop (and with it the cell timeout) while waiting for output. Local IPC sockets in a
        # private folder instead of TCP on localhost: nothing listens on a port.
        self.sockets = tempfile.mkdtemp(prefix=f"{KERNEL_FOLDER}{os.getpid()}-")
        # A socket's path holds at most 108 bytes (104 on macOS): under a long TMPDIR, TCP on localhost.
        where = (dict(transport="ipc", ip=os.path.join(self.sockets, "kernel"))
                 if len(os.fsencode(self.sockets)) + len("/kernel-99999") < 100 else {})
        self.km = KernelManager(kernel_name=KERNEL_NAME, client_class="jupyter_client.asynchronous.AsyncKernelClient",
                                **where)
        if zygote is not None:  # forked with the libraries loaded, rather than spawned to load them
            self.km.provisioner = provisioner(self.km, zygote)
        self.km.start_kernel(extra_arguments=[f"--IPKernelApp.exec_lines={[warm_up]!r}"] if warm_up else [])
        self.kc = None

    def _setup_cell(self, job: Job) -> nbformat.NotebookNode:
        import nbformat

        code = ("get_ipython().run_line_magic('reset', '-f')\n"
                "import os as _os, sys as _sys\n"
                f"_os.chdir({str(job.cwd)!r})\n"
                "if 'matplotlib.pyplot' in _sys.modules: _sys.modules['matplotlib.pyplot'].close('all')\n"
                "del _os, _sys")
        if job.checked_inputs:  # the inputs the run validated: nbk.load need not check them again
            code += ("\nimport planeval.pipeline.notebook as _nbk\n"
                     f"_nbk.CHECKED.add({job.checked_inputs!r})\ndel _nbk")
        cell = nbformat.v4.new_code_cell(code)
        cell["id"] = self.SETUP_ID
        return cell

    def run(self, job: Job, timeout: int) -> Outcome:
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        start = time.perf_counter()
        nb = parameterize_notebook(load_notebook_node(str(job.notebook)), job.parameters, kernel_name=KERNEL_NAME)
        nb.cells.insert(0, self._setup_cell(job))
        client = NotebookClient(nb, km=self.km, timeout=timeout, interrupt_on_timeout=True, kernel_name=KERNEL_NAME,
                                record_timing=False, resources={"metadata": {"path": str(job.cwd)}})
        client.kc = self.kc
        error = ""
        restart = False
        try:
            client.execute(cleanup_kc=False)
        except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as exc:
            error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ''}"
            restart = isinstance(exc, (CellTimeoutError, DeadKernelError)) and not stopping()
        finally:
            self.kc = client.kc
            if restart:  # after taking the client back: restart() drops it, so the next notebook gets a live one
                self.restart()
            nb.cells = [c for c in nb.cells if c.get("id") != self.SETUP_ID]
            _write(nb, job.output_notebook)
        if error:
            return Outcome(job, False, time.perf_counter() - start, _error_summary(nb, timeout) or error)
        return Outcome(job, True, time.perf_counter() - start)

    def yield_cpu(self, niceness: int = 10) -> None:
        """Lower the kernel process's scheduling priority (a hint; ignored where not allowed)."""
        pid = getattr(self.km.provisioner, "pid", None)
        if pid and hasattr(os, "setpriority"):
            try:
                os.setpriority(os.PRIO_PROCESS, pid, niceness)
            except OSError:
                pass

    def restart(self) -> None:
        self.km.restart_kernel(now=True)
        if self.kc is not None:
            self.kc.stop_channels()
        self.kc = None

    def close(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        shutil.rmtree(self.sockets, ignore_errors=True)


class KernelPool:
    """Warm kernels shared by worker threads: a job takes an idle kernel (starting one if none is
    idle) and gives it back when done, so kernels are reused across jobs and across phases of a run.

    The threads only wait on kernels (separate processes), so N threads keep N cores busy.
    :meth:`prestart` launches kernels ahead of the first job; :meth:`close` stops every kernel,
    including one still starting (it is killed: nothing of it is left and nothing is printed).

    ``fork`` (Linux): the kernels are forked from one process that imported the warm-up's libraries
    once (:mod:`~planeval.pipeline.zygote`), instead of each importing them (3.5 CPU-seconds a kernel);
    a forked kernel runs a notebook to the same bytes as a spawned one (tested). ``keep_warm``: seconds
    that process outlives the run, waiting for the next one (0: it ends with the run).
    """

    def __init__(self, warm_up: str = "", fork: bool = True, keep_warm: float = 0.0) -> None:
        self.warm_up = warm_up
        self.fork = fork and zygote_available()
        self.keep_warm = keep_warm
        self._zygote: Zygote | None = None
        self._idle: list[WarmKernel] = []
        self._all: list[WarmKernel] = []
        self._lock = threading.Lock()

    def start_zygote(self) -> Zygote | None:
        """Start the zygote now (or connect to the one kept warm), if the kernels are forked: its imports
        take seconds, and start before jupyter_client is even loaded here. Else it starts with the first kernel."""
        with self._lock:
            if self.fork and self._zygote is None:
                self._zygote = Zygote(self.warm_up, self.keep_warm)
            return self._zygote

    def _new_kernel(self) -> WarmKernel:
        """A kernel forked from the pool's zygote, else spawned."""
        zygote = self.start_zygote()
        warm = WarmKernel(self.warm_up, zygote)
        with self._lock:
            self._all.append(warm)
        return warm

    def prestart(self, count: int = 1) -> "KernelPool":
        """Launch ``count`` kernels now; they boot and run the warm-up while the caller goes on."""
        for _ in range(count):
            warm = self._new_kernel()
            with self._lock:
                self._idle.append(warm)
        return self

    def ensure_started(self, count: int = 1) -> "KernelPool":
        """Launch kernels now until the pool has ``count`` (some may have been started ahead by the caller)."""
        with self._lock:
            started = len(self._all)
        return self.prestart(count - started) if count > started else self

    def run(self, job: Job, timeout: int) -> Outcome:
        if stopping():
            return Outcome(job, False, 0.0, "the run was stopped")
        with self._lock:
            warm = self._idle.pop() if self._idle else None
        if warm is None:
            warm = self._new_kernel()
        try:
            return warm.run(job, timeout)
        finally:
            with self._lock:
                self._idle.append(warm)

    def yield_cpu(self, niceness: int = 10) -> None:
        """Lower the priority of every kernel: for work that runs beside something more urgent."""
        with self._lock:
            kernels = list(self._all)
        for warm in kernels:
            warm.yield_cpu(niceness)

    def close(self) -> None:
        """Stop every kernel; safe to call again, and from any thread."""
        with self._lock:
            kernels, self._all, self._idle = self._all, [], []
            zygote, self._zygote = self._zygote, None
        if zygote is not None and zygote.forking():  # first: a kernel not forked yet never will be
            zygote.close()
        for warm in kernels:
            try:
                warm.close()
            except Exception:  # noqa: BLE001 - shutting down; nothing useful to report
                pass
        if zygote is not None:
            zygote.close()


def run_job(job: Job, mode: str, timeout: int, pool: KernelPool | None = None) -> Outcome:
    """Run one job; any failure (a cell error, a dead kernel) is an unsuccessful Outcome, never raised."""
    if stopping():
        return Outcome(job, False, 0.0, "the run was stopped")
    try:
        if mode == "warm":
            assert pool is not None, "warm mode needs a KernelPool"
            return pool.run(job, timeout)
        return run_isolated(job, timeout)
    except Exception as exc:  # noqa: BLE001 - a broken kernel is one failed job, not a crashed run
        text = str(exc).splitlines()[0][:300] if str(exc) else ""
        return Outcome(job, False, 0.0, f"{type(exc).__name__}: {text}")
