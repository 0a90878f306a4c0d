"""The run's concurrency, opened and closed here only: the warm kernels that execute the notebooks
(a :class:`~planeval.pipeline.execute.KernelPool`) and the processes that make the pages and PDFs
of all but the first language (the run's own process makes the first one).

The language processes are forked first thing, before the run starts any thread (notebook workers,
the summary, the backtests): a fork while another thread holds a lock can deadlock the child. (A
spawned or forkserver process would instead import the caller's main module again, which runs a
script without a ``__main__`` guard a second time.) Forked early, they load the report stack
(Jinja, Typst, python-docx, matplotlib: seconds) while the notebooks run, and they die with the run however it
dies. Should the process run threads already (the caller's, or the Typst compiler's left from an
earlier run in the same process, as with several plans or in the tests), the language processes are
forked from a fork server instead, a fresh single-threaded process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from planeval.pipeline.execute import KernelPool, warm_up_code
from planeval.pipeline.publish import alive

_PR_SET_PDEATHSIG = 1


class Workers:
    """Owner of the kernels and the language processes. ``pool``: kernels a caller started ahead
    (taken over: closed here). Use as a context manager; start what the run needs once it knows it
    has work."""

    def __init__(self, mode: str, notebooks: list[Path], pool: KernelPool | None = None, keep_warm: float = 0.0) -> None:
        self.mode = mode
        self.notebooks = notebooks
        self.pool = pool
        self.keep_warm = keep_warm  # seconds the kernels' zygote waits for the next run (KernelPool)
        self.languages: ProcessPoolExecutor | None = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(failed=kind is not None)

    def start_zygote(self) -> None:
        """Warm mode: start the process the kernels are forked from (its imports are a cold run's longest
        wait); it does not start a thread."""
        if self.mode == "warm":
            if self.pool is None:
                self.pool = KernelPool(warm_up_code(self.notebooks), keep_warm=self.keep_warm)
            self.pool.start_zygote()

    def start_kernels(self, count: int = 1) -> None:
        """Warm mode: make sure ``count`` kernels are booting (the caller's pool may already have some);
        more start when notebooks wait for one."""
        if self.mode == "warm":
            self.start_zygote()
            assert self.pool is not None
            self.pool.ensure_started(count)

    def start_languages(self, languages: int, jobs: int) -> None:
        """Start ``min(jobs, languages) - 1`` language processes (the run's own process makes the
        first language): they load the report stack while the notebooks run. Call before any thread
        starts (none is forked while another thread runs)."""
        extra = min(jobs, languages) - 1
        if extra > 0 and self.languages is None:
            forked = _single_threaded()
            context = multiprocessing.get_context("fork" if forked else "forkserver")
            self.languages = ProcessPoolExecutor(max_workers=extra, mp_context=context, initializer=_language_worker,
                                                 initargs=(os.getpid(), forked))
            for _ in range(extra):
                self.languages.submit(int)  # start each process now (they start on demand)

    def each_language(self, make: Callable[[Path, str, dict[str, Any]], list[Path]], folder: Path,
                      langs: tuple[str, ...], args: dict[str, Any]) -> list[Path]:
        """``make(folder, lang, args)`` for every language: the first here, the others in the language
        processes (if any) meanwhile; the files written, in the order of ``langs``."""
        others: list[Future[list[Path]]] = []
        if self.languages is not None:
            others = [self.languages.submit(make, folder, lang, args) for lang in langs[1:]]
        here = langs if not others else langs[:1]
        written = [path for lang in here for path in make(folder, lang, args)]
        return written + [path for future in others for path in future.result()]

    def kernels_done(self) -> None:
        """The last notebook has run: free the kernels' memory while the PDFs are made."""
        if self.pool is not None:
            self.pool.close()

    def close(self, failed: bool = False) -> None:
        """Stop the kernels and the language processes. The processes are killed: by now their work
        was collected (:meth:`each_language` waits for it), or is not wanted (the run failed, is being
        stopped, or found the report up to date while they still loaded their libraries)."""
        self.kernels_done()
        languages, self.languages = self.languages, None
        if languages is None:
            return
        for process in list((getattr(languages, "_processes", None) or {}).values()):
            process.kill()
        languages.shutdown(wait=not failed, cancel_futures=True)


def _single_threaded() -> bool:
    """Whether this process runs one thread only, counting every runtime's (the Typst compiler's Rust
    threads are invisible to :mod:`threading`, and a child forked beside them deadlocks when it
    compiles): only then is a fork safe; else the language processes come from a fork server."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # not Linux: only Python's own threads can be counted
        return threading.active_count() == 1


def _language_worker(run: int, forked: bool) -> None:
    """In a language process: die when the run dies, however it dies (SIGINT is the run's to handle:
    a terminal's Ctrl-C reaches the whole process group, and the run then kills its workers); then
    load the report stack, while the notebooks still run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # Linux
    except (OSError, AttributeError):
        pass
    # The run died before the line above took effect? (A fork server's child dies with the server,
    # which ends when the run does.)
    if (os.getppid() != run) if forked else not alive(run):
        os._exit(1)
    # The loading is second in line for the CPU: until the assembly, the kernels and the run's own
    # process decide when the run ends (a kernel's boot is the longest wait of a one-change run). So it
    # runs in a thread at nice 10 (Linux gives each thread its own nice value). This process's main
    # thread keeps nice 0, which it could not win back once given up: at the assembly it makes its
    # language at the same priority as the run's own process makes the first one, so neither language
    # waits for the other at the end (about 0.35 s of a one-change run, measured interleaved), while the
    # summary's kernel (nice 19) takes what they leave.
    loading = threading.Thread(target=_load_report_stack, name="load report stack")
    loading.start()
    loading.join()


def _load_report_stack() -> None:
    """In a language process, its thread at nice 10: :func:`~planeval.pipeline.assemble.prepare`."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except OSError:
        pass
    from planeval.pipeline.assemble import prepare

    prepare()
