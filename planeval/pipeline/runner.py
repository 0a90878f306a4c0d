"""Regenerate a plan's evaluation report for one year: a short list of declared steps.

==================== ================================ ===================================== ==================
step                 inputs                           outputs                               cache key
==================== ================================ ===================================== ==================
0. up to date?       raw bytes of every input         (nothing: the published report)      keys.fast_key
1. inputs            plan, data, options              validated plan, data, indicator ids   (none: checked)
2. indicators        plan entry, rows, notebook, code executed notebook, record, backtest,  keys.indicator_key
                                                      charts
3. summary           records, plan, data, notebook    executed summary notebook             keys.summary_key
4. assembly          records, backtests, templates    report.<lang>.html/.pdf/.docx         keys.report_key
5. index, manifest   everything above                 index.html, report.html/.pdf, manifest
6. publish           the staging folder               ``<out>/<year>``, swapped in atomically
==================== ================================ ===================================== ==================

Each notebook step runs only what its key says changed (the others come from the cache,
``<out>/.cache``); each key is computed once, in :mod:`~planeval.pipeline.keys`. The summary runs
beside the assembly; the assembly's libraries load, and the slower input checks run (data schemas,
the plan's texts against the charts' font), beside the indicator notebooks (which run in kernels):
bad input found there still fails the run before any result is kept.
Kernels and language processes belong to :class:`~planeval.pipeline.workers.Workers`; the
manifest to :mod:`~planeval.pipeline.manifest`; the staging, failed and report folders to
:mod:`~planeval.pipeline.publish`. A failed or interrupted run leaves the previous report as it was.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from planeval.inputs.dates import parse_vintage
from planeval.inputs.errors import InputError
from planeval.inputs.paths import LANGS, NOTEBOOK, ROOT, SUMMARY, backtest_file, chart_file, record_file
from planeval.pipeline import keys, manifest
from planeval.pipeline.digests import files_digest, git_commit, input_digests, inputs_key, sha256_file
from planeval.pipeline.execute import (Job, KernelPool, Outcome, kill_children, load_executor, remove_dead_kernel_folders,
                                       run_job, stop_on_signals, stopped_by, stopping)
from planeval.pipeline.publish import (check_output_paths, clear_failed, keep_failed, locked, publish, recover,
                                       report_dir, staged)
from planeval.pipeline.workers import Workers

if TYPE_CHECKING:
    from planeval.inputs.data import Dataset
    from planeval.inputs.plan import LoadedPlan

# The repository's own folders: no output path may touch them (the default reports/ is not among them).
REPO_FOLDERS = tuple(ROOT / name for name in (".git", ".ci", "planeval", "notebooks", "params", "data", "tests", "docs",
                                              "scripts"))
ENTRY_HASHES = "hashes.json"  # in each cache entry: the sha256 of its files, checked before the entry is used


@dataclass(frozen=True)
class Options:
    year: int
    plan: Path
    out: Path
    langs: tuple[str, ...] = LANGS
    jobs: int = os.cpu_count() or 1
    only: tuple[str, ...] = ()
    force: bool = False
    mode: str = "warm"  # "warm": one reused kernel per worker; "isolated": a fresh kernel per notebook
    timeout: int = 600  # seconds a single cell may run
    cache: Path | None = None  # default: <out>/.cache
    notebook: Path = NOTEBOOK  # the indicator notebook (another one for a plan that needs its own narrative)
    vintage: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD: only sources published by then (None: all)
    keep_warm: float = 0.0  # seconds the warm kernels' zygote waits for the next run (0: it ends with this one)


@dataclass
class Result:
    report_dir: Path
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failures: list[Outcome] = field(default_factory=list)
    published: bool = False
    up_to_date: bool = False
    seconds: float = 0.0


class RunFailed(Exception):
    def __init__(self, result: Result, kept: Path):
        self.result = result
        self.kept = kept
        names = ", ".join(f"{o.job.label} ({o.error})" for o in result.failures)
        super().__init__(f"{len(result.failures)} notebook(s) failed: {names}")


class OutOfSpace(Exception):
    """The disk (or the user's quota) filled up while the run wrote; what it wrote is removed."""

    def __init__(self, error: OSError) -> None:
        where = f" writing {error.filename}" if error.filename else ""
        super().__init__(f"no space left on the disk{where} ({error.strerror or error}): free some space and run again")


@dataclass
class Run:
    """What every step reads and adds to: the options, where things go, what the steps found."""

    options: Options
    log: Callable[[str], None]
    progress: bool
    workers: Workers
    started: float
    commit: str
    result: Result
    loaded: LoadedPlan | None = None
    dataset: Dataset | None = None
    ids: list[str] = field(default_factory=list)
    as_of: Dataset | None = None
    preload_error: BaseException | None = None  # what loading the assembly's libraries raised, if anything
    input_checks: threading.Thread | None = None  # the input checks made beside the notebooks (_check_beside)
    input_error: BaseException | None = None  # what they found
    checked_inputs: str = ""  # digests.inputs_key of the plan and data files this run checks (its kernels need not)
    computed: dict[str, Any] = field(default_factory=dict)

    def once(self, name: str, compute: Callable[[], Any]) -> Any:
        """A digest several steps use, computed the first time one asks."""
        if name not in self.computed:
            self.computed[name] = compute()
        return self.computed[name]

    def code(self, notebook: Path | None = None) -> dict[str, str]:
        """keys.notebook_code of a notebook, or keys.run_code (None)."""
        if notebook is None:
            return self.once("run code", keys.run_code)
        return self.once(f"code {notebook}", lambda: keys.notebook_code(notebook))

    def data_digest(self) -> str:
        assert self.as_of is not None
        return self.once("data", lambda: keys.dataset_digest(self.as_of))

    def plan_digest(self) -> str:
        assert self.loaded is not None
        return self.once("plan", lambda: sha256_file(self.loaded.path))

    @property
    def out(self) -> Path:
        return self.options.out.resolve()

    @property
    def cache(self) -> Path:
        return (self.options.cache or self.out / ".cache").resolve()

    @property
    def work(self) -> Path:
        """Where the notebooks of this year work before their outputs move into the cache."""
        return self.cache / "tmp" / str(self.options.year)

    def done(self, up_to_date: bool = False) -> Result:
        self.result.up_to_date = up_to_date
        self.result.seconds = time.perf_counter() - self.started
        if up_to_date:
            self.log(f"{self.result.report_dir} is up to date: nothing changed since it was made (use --force to rebuild)")
        return self.result


@dataclass(frozen=True)
class NotebookStep:
    """A notebook run once per label (an indicator id, or "summary"), cached per label by its key."""

    notebook: Path
    keys: dict[str, str]  # label -> cache key
    entries: dict[str, Path]  # label -> cache entry (a folder named by the key)
    files: Callable[[Path, str], list[Path]]  # (folder, label) -> the files a run of it writes there
    job: Callable[[str, Path], Job]  # (label, work folder) -> the notebook run


def run(options: Options, log: Callable[[str], None] = print, progress: bool = False,
        pool: KernelPool | None = None) -> Result:
    """Make the report; see the module docstring. ``pool``: warm kernels the caller made (and
    perhaps started) ahead; run() takes it over and closes it. In warm mode without one, run() starts
    its own as soon as it knows the report is not up to date, so a kernel boots while the inputs are
    checked.

    SIGINT and SIGTERM (when called from the main thread) stop the run within seconds: see
    :func:`stop_on_signals`; :class:`~planeval.pipeline.execute.Stopped` is raised once everything the run
    made is removed, the previous report untouched. One run at a time per output folder and year:
    a second one waits for the first (see :func:`locked`)."""
    with stop_on_signals(), Workers(options.mode, [options.notebook, SUMMARY], pool, options.keep_warm) as workers:
        state = Run(options, log, progress, workers, time.perf_counter(), git_commit(),
                    Result(report_dir(options.out.resolve(), options.year)))
        try:
            return _run(state)
        except Exception as exc:
            stop = stopped_by()
            if stop is not None:  # a worker killed by the signal, say: the signal is the news
                raise stop from None
            if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise OutOfSpace(exc) from exc
            raise


def _run(run: Run) -> Result:
    """The steps, in order."""
    options = run.options
    fast = _fast_key(run)
    if _published(run, "quick_key", fast):
        return run.done(up_to_date=True)
    run.workers.start_zygote()  # first: the kernels' imports are the longest wait of a cold run
    run.workers.start_languages(len(options.langs), options.jobs)  # forks: before any thread starts
    run.workers.start_kernels(_kernels_needed(run))
    _load_inputs(run)
    with locked(run.out, options.year, run.log):
        _clear_leftovers(run)
        indicators = _indicator_step(run)
        todo = _stale(run, indicators)
        if todo:  # the executor's libraries load first: the threads below would slow them down
            load_executor()
        _check_beside(run)
        preload = threading.Thread(target=_preload, args=(run,), daemon=True)
        preload.start()
        _execute(run, indicators, todo)
        records = {i: sha256_file(record_file(indicators.entries[i] / "results", i)) for i in run.ids}
        summary = _summary_step(run, indicators, records)
        report_key = _report_key(run, indicators, summary, records)
        if _published(run, "report_key", report_key):
            run.result.cached += list(summary.keys)
            return run.done(up_to_date=True)
        with staged(run.out, options.year) as staging:
            outputs = _assembly_step(run, staging, indicators, summary, preload, report_key)
            _manifest_step(run, staging, indicators, summary, {"quick_key": fast, "report_key": report_key})
            stop = stopped_by()
            if stop is not None:  # a signal whose Stopped was raised inside a finaliser, where it was lost
                raise stop
            publish(staging, run.result.report_dir)
    clear_failed(run.out, options.year)
    run.result.published = True
    run.log(f"wrote {run.result.report_dir} ({', '.join(sorted(p.name for p in outputs))})")
    return run.done()


def _kernels_needed(run: Run) -> int:
    """How many kernels to boot before the inputs are even read (a kernel takes seconds to load its
    libraries): one kernel per worker when every notebook will run (--force, or no cache yet), else
    one (a changed value re-runs one notebook and the summary); more start if more notebooks turn out
    to be stale."""
    entries = run.cache / "indicators"
    everything = run.options.force or not (entries.is_dir() and any(entries.iterdir()))
    return run.options.jobs if everything else 1


def _published(run: Run, field: str, key: str | None) -> bool:
    """Whether the published report was made with this key (its manifest's ``field``) and is intact."""
    if run.options.force:
        return False
    found = manifest.current(run.result.report_dir, field, key)
    if found is None and not run.computed.get("said damaged"):
        run.computed["said damaged"] = True
        run.log(f"{run.result.report_dir} is not what its manifest.json lists (a file was changed, removed or added): "
                "making it again")
    return bool(found)


def _fast_key(run: Run) -> str | None:
    o = run.options
    return keys.fast_key(o.plan, keys.run_parameters(o.year, o.langs, o.only, o.plan, o.vintage), o.notebook, run.commit)


# --------------------------------------------------------------------------------------------
# 1. Inputs
# --------------------------------------------------------------------------------------------

def _load_inputs(run: Run) -> None:
    """Load the plan and data with the checks the run needs before it can go on: the plan's structure,
    the data's types and their fit to the plan (bad input: InputError, nothing is executed). The other
    checks (the data files' schemas, the plan's texts against the charts' font: the better part of a
    second) run beside the notebooks (:func:`_check_beside`), and nothing is kept before they pass."""
    from planeval.inputs.data import check_in_full, load_dataset
    from planeval.inputs.plan import load_plan

    plan = run.options.plan
    plan_digest = sha256_file(plan) if plan.is_file() else ""  # the bytes about to be read, hashed before
    run.loaded = load_plan(plan, drawable=False)
    digests = input_digests(run.loaded.path, run.loaded.data_paths(), plan_digest)
    try:
        run.dataset = load_dataset(run.loaded, checked=True)
    except Exception:
        check_in_full(run.loaded, plan)  # the first problem the full checks find, named as they name it
        raise
    run.checked_inputs = inputs_key(digests)  # the kernels leave the checks of these bytes to the run
    run.computed["plan"] = digests[run.loaded.path]  # Run.plan_digest: the bytes this run read, hashed once
    run.ids = check_options(run.options, run.loaded)
    run.as_of = run.dataset.as_of(run.options.year, run.options.vintage)


def _check_beside(run: Run) -> None:
    """Start the checks :func:`_load_inputs` left out, in a thread: the notebooks run meanwhile, and
    :func:`_inputs_checked` waits for them before any result is kept."""
    from planeval.inputs.data import check_in_full

    assert run.loaded is not None

    def check(loaded: LoadedPlan, plan: Path) -> None:
        try:
            check_in_full(loaded, plan)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            run.input_error = exc

    run.input_checks = threading.Thread(target=check, args=(run.loaded, run.options.plan), daemon=True)
    run.input_checks.start()


def _inputs_checked(run: Run) -> None:
    """Wait for the checks made beside the notebooks; raise the problem they found (an InputError)."""
    if run.input_checks is not None:
        run.input_checks.join()
    if run.input_error is not None:
        raise run.input_error


def check_options(options: Options, loaded: LoadedPlan) -> list[str]:
    """Validate what only the plan can tell; returns the indicator ids to evaluate."""
    plan = loaded.plan
    if not plan.base_year < options.year <= plan.end_year:
        raise InputError(None, f"--year {options.year} is outside the plan period: give a year from "
                               f"{plan.base_year + 1} to {plan.end_year} (the plan runs {plan.base_year}–{plan.end_year})")
    if options.vintage is not None:
        try:
            parse_vintage(options.vintage)
        except ValueError as exc:
            raise InputError(None, f"--vintage: {exc}") from None
    ids = [i.id for i in plan.evaluated]
    if options.only:
        unknown = [i for i in options.only if i not in {x.id for x in plan.indicators}]
        if unknown:
            raise InputError(None, f"--only: unknown indicator id(s) {', '.join(unknown)}; the plan has: {', '.join(ids)}")
        not_evaluated = [i for i in options.only if i not in ids]
        if not_evaluated:
            raise InputError(None, f"--only: {', '.join(not_evaluated)} is not identified in the plan, so it has no notebook")
        ids = [i for i in ids if i in options.only]
    check_output_paths(options.out, options.year, input_paths(loaded, options.notebook), options.cache)
    out = options.out.resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise InputError(None, f"--out {options.out} is not a writable folder: {exc.strerror or exc}") from None
    return ids


def input_paths(loaded: LoadedPlan, notebook: Path = NOTEBOOK) -> list[Path]:
    """What no output may be, hold or sit inside: the plan's and its data's files and folders, the
    notebooks and the repository's own folders."""
    files = [loaded.path, notebook, SUMMARY,
             *(p for name in ("observations", "sources", "projects") if (p := loaded.data_path(name)))]
    return [*(p.parent for p in files), *files, *REPO_FOLDERS]


def _clear_leftovers(run: Run) -> None:
    """What a killed run left: a half-published report, staging folders, kernel and work folders."""
    for line in [*recover(run.out, run.options.year), *remove_dead_kernel_folders()]:
        run.log(line)
    if run.work.is_dir() and any(run.work.iterdir()):  # only a killed run of this year (we hold its lock) leaves any
        shutil.rmtree(run.work, ignore_errors=True)
        run.log(f"removed the work folders in {run.work}, left by a stopped run")


# --------------------------------------------------------------------------------------------
# 2.-3. The notebook steps, and how one is executed with its cache
# --------------------------------------------------------------------------------------------

def _indicator_files(folder: Path, indicator_id: str) -> list[Path]:
    results = folder / "results"
    return [folder / f"{indicator_id}.ipynb", record_file(results, indicator_id), backtest_file(results, indicator_id),
            *(chart_file(results, indicator_id, lang) for lang in LANGS)]


def _indicator_step(run: Run) -> NotebookStep:
    o, loaded = run.options, run.loaded
    assert loaded is not None and run.dataset is not None
    code = run.code(o.notebook)
    step_keys = {i: keys.indicator_key(loaded, run.dataset, i, o.year, code, o.vintage) for i in run.ids}

    def job(i: str, work: Path) -> Job:
        return Job(key=step_keys[i], label=i, notebook=o.notebook, output_notebook=work / f"{i}.ipynb",
                   parameters={"plan_path": _relative(loaded.path, o.notebook.parent), "indicator_id": i,
                               "year": o.year, "vintage": o.vintage,
                               "output_dir": _relative(work / "results", o.notebook.parent)},
                   cwd=o.notebook.parent, checked_inputs=run.checked_inputs)

    return NotebookStep(o.notebook, step_keys, {i: run.cache / "indicators" / k for i, k in step_keys.items()},
                        _indicator_files, job)


def _summary_step(run: Run, indicators: NotebookStep, records: dict[str, str]) -> NotebookStep:
    o, loaded, summary = run.options, run.loaded, SUMMARY
    assert loaded is not None and run.as_of is not None
    parameters = {"year": o.year, "lang": o.langs[0], "vintage": o.vintage}
    key = keys.summary_key(records, run.plan_digest(), run.data_digest(), run.code(summary), parameters)

    def job(label: str, work: Path) -> Job:
        (work / "results").mkdir(parents=True, exist_ok=True)
        for i in run.ids:
            shutil.copyfile(record_file(indicators.entries[i] / "results", i), record_file(work / "results", i))
        return Job(key=key, label=label, notebook=summary, output_notebook=work / summary.name,
                   parameters={"plan_path": _relative(loaded.path, summary.parent), **parameters,
                               "results_dir": _relative(work / "results", summary.parent)},
                   cwd=summary.parent, checked_inputs=run.checked_inputs)

    return NotebookStep(summary, {summary.stem: key}, {summary.stem: run.cache / "summary" / key},
                        lambda folder, label: [folder / summary.name], job)


def _execute(run: Run, step: NotebookStep, todo: list[Job] | None = None) -> None:
    """Run the step's notebooks whose cache entry is missing or damaged (``todo``, if found already);
    move each success into its entry once the inputs passed every check. Failures raise RunFailed after
    every notebook has run, keeping the failed notebooks in ``<out>/<year>.failed/notebooks/``."""
    todo = _stale(run, step) if todo is None else todo
    try:
        outcomes = execute_all(todo, run.options, run.log, run.progress, run.workers.pool)
        _inputs_checked(run)  # bad input found meanwhile: nothing of these runs is kept
    except BaseException:
        for job in todo:
            shutil.rmtree(job.output_notebook.parent, ignore_errors=True)
        raise
    if stopping():  # the run is being stopped (a signal in the main thread): keep nothing of this step
        for job in todo:
            shutil.rmtree(job.output_notebook.parent, ignore_errors=True)
        return
    failures = [outcome for outcome in outcomes if not _keep(run, step, outcome)]
    if failures:
        run.result.failures = failures
        kept = keep_failed(run.out, run.options.year, [o.job.output_notebook for o in failures])
        for o in failures:
            shutil.rmtree(o.job.output_notebook.parent, ignore_errors=True)
        raise RunFailed(run.result, kept)


def _stale(run: Run, step: NotebookStep) -> list[Job]:
    """The jobs of the labels whose cache entry is not intact (all of them with --force). A job
    works in ``<cache>/tmp/<year>/<key>``: a name that depends only on the inputs, so the parameters
    recorded in the executed notebook are the same on every run."""
    todo: list[Job] = []
    cached: list[str] = []
    for label, entry in step.entries.items():
        if not run.options.force and _entry_intact(entry, step.files(entry, label)):
            cached.append(label)
            continue
        if not run.options.force and entry.exists():
            run.log(f"the cache entry of {label} is incomplete or damaged ({entry}): executing it again")
        work = run.work / entry.name
        shutil.rmtree(work, ignore_errors=True)
        todo.append(step.job(label, work))
    run.result.cached += cached
    if cached:
        run.log(f"{len(cached)} notebook run(s) unchanged, taken from the cache: {', '.join(cached)}")
    return todo


def _keep(run: Run, step: NotebookStep, outcome: Outcome) -> bool:
    """Move a successful run's outputs (with their hashes) into its cache entry; False: it failed."""
    job = outcome.job
    work = job.output_notebook.parent
    made = step.files(work, job.label)
    if outcome.ok and not all(p.exists() for p in made):
        outcome.ok, outcome.error = False, "the notebook ran but did not write its outputs"
    if not outcome.ok:
        return False
    (work / ENTRY_HASHES).write_text(json.dumps(files_digest(made, work), indent=1, sort_keys=True) + "\n",
                                     encoding="utf-8")
    entry = step.entries[job.label]
    shutil.rmtree(entry, ignore_errors=True)
    entry.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work, entry)
    run.result.executed.append(job.label)
    return True


def _entry_intact(entry: Path, files: list[Path]) -> bool:
    """Whether a cache entry holds these files with the hashes recorded when it was made."""
    try:
        recorded = json.loads((entry / ENTRY_HASHES).read_text(encoding="utf-8"))
        return recorded == files_digest(files, entry)
    except (OSError, ValueError):
        return False


def execute_all(jobs: list[Job], options: Options, log: Callable[[str], None], progress: bool,
                pool: KernelPool | None) -> list[Outcome]:
    if not jobs:
        return []
    workers = max(1, min(options.jobs, len(jobs)))
    log(f"executing {len(jobs)} notebook(s) with {workers} worker(s), {options.mode} kernels")
    outcomes: list[Outcome] = []
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="notebook", file=sys.stderr)
    try:
        with ThreadPoolExecutor(max_workers=workers) as executor:
            futures = [executor.submit(run_job, job, options.mode, options.timeout, pool) for job in jobs]
            try:
                for n, future in enumerate(as_completed(futures), 1):
                    if stopping():
                        break  # the main thread is stopping the run; a killed notebook is no news
                    outcomes.append(future.result())
                    _report(outcomes[-1], n, len(jobs), bar, log)
            except BaseException:
                # Stopped (or a bug here): start no queued notebook, and end the running ones now
                # rather than let the executor wait for them.
                executor.shutdown(wait=False, cancel_futures=True)
                # Cancelled futures never count as done for wait(): wait for the running ones only.
                while stopping() and wait([f for f in futures if not f.cancelled()], timeout=0.5).not_done:
                    kill_children()  # a kernel that was starting when the signal came
                raise
    finally:
        if bar is not None:
            bar.close()
    order = {job.label: n for n, job in enumerate(jobs)}
    return sorted(outcomes, key=lambda o: order[o.job.label])


def _report(outcome: Outcome, n: int, total: int, bar: Any, log: Callable[[str], None]) -> None:
    status = "ok" if outcome.ok else f"FAILED: {outcome.error}"
    if bar is None:
        log(f"[{n}/{total}] {outcome.job.label}: {status} ({outcome.seconds:.1f} s)")
        return
    bar.set_postfix_str(outcome.job.label)
    bar.update()
    if not outcome.ok:
        bar.write(f"{outcome.job.label}: {status}")


# --------------------------------------------------------------------------------------------
# 4. Assembly (its libraries load beside the indicator notebooks), 5. manifest
# --------------------------------------------------------------------------------------------

def _preload(run: Run) -> None:
    """Load the assembly's libraries and compile its templates in the background, while the notebooks
    run in kernels; an exception is kept for the main thread to raise. Not the fonts
    (:func:`~planeval.pipeline.assemble.prepare`, as the language processes do): this thread shares the
    interpreter with the threads that drive the kernels, and a font scan that holds it for a quarter
    of a second stalls them (a one-change run took 10 s with it, 7.5–8 s without)."""
    try:
        from planeval.method import scorecard  # noqa: F401  (imported for its side effect, a loaded module)
        from planeval.presentation import report

        report.compile_templates()
    except BaseException as exc:  # noqa: BLE001 - handed to the main thread
        run.preload_error = exc


def _report_key(run: Run, indicators: NotebookStep, summary: NotebookStep, records: dict[str, str]) -> str:
    o = run.options
    assert run.loaded is not None and run.as_of is not None
    parameters = {"year": o.year, "langs": list(o.langs), "only": list(o.only), "vintage": o.vintage}
    return keys.report_key({**indicators.keys, **summary.keys}, records, run.plan_digest(), run.data_digest(),
                           run.code(), run.commit, parameters)


def _assembly_step(run: Run, staging: Path, indicators: NotebookStep, summary: NotebookStep,
                   preload: threading.Thread, report_key: str) -> list[Path]:
    """Copy the indicators' outputs in, make the report per language, and meanwhile run the summary
    notebook (kept for audit; the report reads the records only): its failure still fails the run."""
    o = run.options
    with ThreadPoolExecutor(max_workers=1) as side:
        summary_done = side.submit(_summary_beside, run, summary)
        try:
            (staging / "notebooks").mkdir()
            (staging / "results").mkdir()
            for i in run.ids:
                notebook, *results = indicators.files(indicators.entries[i], i)
                shutil.copyfile(notebook, staging / "notebooks" / notebook.name)
                for path in results:
                    shutil.copyfile(path, staging / "results" / path.name)
            preload.join()
            if run.preload_error is not None:
                raise run.preload_error
            from planeval.pipeline.assemble import assemble, read_backtests

            assert run.loaded is not None and run.as_of is not None
            meta = {"commit": run.commit, "data_hash": run.data_digest()[:16], "data_cutoff": str(o.year),
                    "only": list(o.only), "vintage": o.vintage, **_history(run, staging, report_key)}
            run.log(f"making the report: HTML and PDF in {', '.join(o.langs)}")
            outputs = assemble(run.loaded, run.as_of, run.ids, o.year, o.langs, staging, meta, run.log,
                               backtests=read_backtests(staging / "results", run.ids), workers=run.workers)
        except BaseException:
            while stopping() and wait([summary_done], timeout=0.5).not_done:
                kill_children()  # the summary's kernel, had it been starting when the signal came
            raise
        summary_done.result()
    [(label, entry)] = summary.entries.items()
    shutil.copyfile(entry / summary.notebook.name, staging / "notebooks" / summary.notebook.name)
    return outputs


def _history(run: Run, staging: Path, report_key: str) -> dict[str, Any]:
    """What changed since the report this run replaces, and the year's list of reports (both also go
    into the manifest, for the next run to carry forward)."""
    from planeval.pipeline.history import carry, newest_source, previous_report  # not on the up-to-date path

    assert run.loaded is not None and run.as_of is not None
    now = {"report_key": report_key, "commit": run.commit, "plan_sha256": run.plan_digest(),
           "data_hash": run.data_digest()[:16], "newest_source": newest_source(run.as_of), "vintage": run.options.vintage}
    records = [json.loads(record_file(staging / "results", i).read_text(encoding="utf-8")) for i in run.ids]
    changes, history = carry(previous_report(run.result.report_dir), records, now)
    run.computed["history"] = {**{k: now[k] for k in ("plan_sha256", "data_hash", "newest_source")},
                               "changes": changes, "history": history}
    return {"changes": changes, "history": history}


def _summary_beside(run: Run, summary: NotebookStep) -> None:
    if run.workers.pool is not None:
        # It runs beside the languages, which decide when the run ends: the lowest priority, so that the
        # language process it shares a core with gets nearly all of that core.
        run.workers.pool.yield_cpu(19)
    try:
        _execute(run, summary)
    finally:
        run.workers.kernels_done()  # the last notebook


def _manifest_step(run: Run, staging: Path, indicators: NotebookStep, summary: NotebookStep,
                   report_keys: dict[str, str | None]) -> None:
    o, loaded = run.options, run.loaded
    assert loaded is not None and run.dataset is not None
    code = {**run.code(o.notebook), **run.code(summary.notebook), **run.code()}
    manifest.write(staging, {
        "plan": loaded.plan.id, "year": o.year, **report_keys, "commit": run.commit,
        "parameters": {"year": o.year, "langs": list(o.langs), "only": list(o.only), "plan": _rel(loaded.path),
                       "vintage": o.vintage},
        "inputs": {**files_digest([loaded.path, *run.dataset.files.values()]), **code},
        "indicators": indicators.keys, "summary": next(iter(summary.keys.values())),
        **run.computed["history"],
    })


def _relative(path: Path, start: Path) -> str:
    """A parameter path relative to the notebook's folder: the same bytes in any checkout."""
    return os.path.relpath(path, start)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
