"""Regenerate a plan's evaluation report for one year: execute, cache, assemble, publish.

1. Load and validate the plan and data (bad input: InputError, nothing is executed).
2. Execute the indicator notebook once per indicator whose inputs changed (a content-hash cache
   key covers its data rows as of the year, its plan entry, the notebook, the library code, the lock
   and the parameters); N workers, warm kernels or isolated ones.
3. Assemble the reports (HTML and PDF per language, index, manifest) in a staging folder.
4. Publish: swap the staging folder in for ``<out>/<year>`` only when everything succeeded. A failed
   or interrupted run leaves the previous report as it was.
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
from importlib import metadata
from pathlib import Path
from typing import Callable

from planeval.inputs.data import Dataset, load_dataset
from planeval.inputs.dates import parse_vintage
from planeval.inputs.errors import InputError
from planeval.pipeline.execute import (Job, KernelPool, Outcome, kill_children, remove_dead_kernel_folders, run_job, stop_on_signals,
                      stopping, warm_up_code)
from planeval.pipeline.keys import dataset_digest, indicator_inputs
from planeval.pipeline.digests import (LOCK, NOTEBOOK, ROOT, SUMMARY, files_digest, git_commit, library_files, outputs_intact,
                      quick_key, run_parameters, sha256_file, sha256_json)
from planeval.presentation.labels import LANGS
from planeval.inputs.plan import LoadedPlan, load_plan
from planeval.pipeline.publish import check_output_paths, failed_dir, locked, publish, recover, report_dir, staging_dir

# The repository's own folders: no output path may touch them (the default reports/ is not among them).
REPO_FOLDERS = tuple(ROOT / name for name in (".git", ".ci", "planeval", "notebooks", "params", "data", "tests", "docs",
                                              "scripts"))
ENTRY_HASHES = "hashes.json"  # in each cache entry: the sha256 of its files, checked before the entry is used
PACKAGES = ("papermill", "nbclient", "nbformat", "ipykernel", "pandas", "numpy", "scipy", "statsmodels",
            "matplotlib", "seaborn", "pandera", "pydantic", "jinja2", "weasyprint")


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


def package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def code_digest(notebook: Path = NOTEBOOK) -> dict[str, str]:
    return files_digest(library_files() + [notebook, SUMMARY, LOCK], ROOT)


def indicator_key(loaded: LoadedPlan, dataset: Dataset, indicator_id: str, year: int, code: dict[str, str],
                  vintage: str | None = None) -> str:
    return sha256_json({"inputs": indicator_inputs(loaded, dataset, loaded.plan.indicator(indicator_id), year, vintage),
                        "code": code, "parameters": {"year": year, "langs": LANGS, "vintage": vintage}})


def _cache_files(entry: Path, indicator_id: str) -> list[Path]:
    return [entry / f"{indicator_id}.ipynb", entry / "results" / f"{indicator_id}.json",
            *(entry / "results" / f"{indicator_id}.{lang}.png" for lang in LANGS)]


def run(options: Options, log: Callable[[str], None] = print, progress: bool = False,
        pool: KernelPool | None = None) -> Result:
    """Make the report; see the module docstring. ``pool``: warm kernels the caller started ahead
    (run_all.py starts one before it imports this module); run() takes it over and closes it. In warm
    mode without one, run() starts its own at once, so a kernel boots while the inputs are checked.

    SIGINT and SIGTERM (when called from the main thread) stop the run within seconds: see
    :func:`stop_on_signals`; :class:`~planeval.pipeline.execute.Stopped` is raised once everything the run
    made is removed, the previous report untouched. One run at a time per output folder and year:
    a second one waits for the first (see :func:`locked`)."""
    with stop_on_signals():
        if pool is None and options.mode == "warm":
            pool = KernelPool(warm_up_code([options.notebook, SUMMARY])).prestart()
        try:
            return _run(options, log, progress, pool)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise OutOfSpace(exc) from exc
            raise
        finally:
            if pool is not None:
                pool.close()


def _run(options: Options, log: Callable[[str], None], progress: bool, pool: KernelPool | None) -> Result:
    started = time.perf_counter()
    loaded = load_plan(options.plan)
    dataset = load_dataset(loaded)
    ids = check_options(options, loaded)
    with locked(options.out.resolve(), options.year, log):
        return _run_locked(options, log, progress, pool, loaded, dataset, ids, started)


def _run_locked(options: Options, log: Callable[[str], None], progress: bool, pool: KernelPool | None,
                loaded: LoadedPlan, dataset: Dataset, ids: list[str], started: float) -> Result:
    out = options.out.resolve()
    for line in [*recover(out, options.year), *remove_dead_kernel_folders()]:
        log(line)
    cache = (options.cache or out / ".cache").resolve()
    stale = _work_root(cache, options.year)
    if stale.is_dir() and any(stale.iterdir()):  # only a killed run of this year (we hold its lock) leaves any
        shutil.rmtree(stale, ignore_errors=True)
        log(f"removed the work folders in {stale}, left by a stopped run")
    final = report_dir(out, options.year)
    result = Result(report_dir=final)

    code = code_digest(options.notebook)
    keys = {i: indicator_key(loaded, dataset, i, options.year, code, options.vintage) for i in ids}
    as_of = dataset.as_of(options.year, options.vintage)
    data_hash = dataset_digest(as_of)
    commit = git_commit()
    report_key = sha256_json({"indicators": keys, "data": data_hash, "code": code, "commit": commit,
                              "plan": sha256_file(loaded.path), "langs": options.langs, "only": options.only,
                              "year": options.year, "vintage": options.vintage})
    fast = quick_key(options.plan, run_parameters(options.year, options.langs, options.only, options.plan,
                                                  options.vintage), options.notebook)
    manifest_path = final / "manifest.json"
    if not options.force and manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            previous = manifest.get("report_key")
        except (OSError, ValueError, AttributeError):
            manifest, previous = {}, None
        if previous == report_key and not outputs_intact(final, manifest):
            log(f"{final} is not what its manifest.json lists (a file was changed, removed or added): making it again")
        elif previous == report_key:
            result.up_to_date = True
            result.cached = ids
            result.seconds = time.perf_counter() - started
            log(f"{final} is up to date: nothing changed since it was made (use --force to rebuild)")
            return result

    # 2. Execute what is not cached: the indicator notebooks, then the summary notebook over their records.
    # Meanwhile, in the background (the notebooks run in kernel processes, so this process is only
    # waiting on them): import the report stack (WeasyPrint, matplotlib: seconds) and compute what the
    # report needs from the data alone, the backtests.
    ahead: dict[str, object] = {}
    preload = threading.Thread(target=_prepare_assembly, args=(loaded, as_of, ids, options.year, ahead), daemon=True)
    preload.start()

    def indicator_job(i: str, work: Path) -> Job:
        return Job(key=keys[i], label=i, notebook=options.notebook, output_notebook=work / f"{i}.ipynb",
                   parameters={"plan_path": _relative(loaded.path, options.notebook.parent), "indicator_id": i,
                               "year": options.year, "vintage": options.vintage,
                               "output_dir": _relative(work / "results", options.notebook.parent)},
                   cwd=options.notebook.parent)

    entries = {i: cache / "indicators" / keys[i] for i in ids}
    # `code` covers the summary notebook itself.
    summary_key = sha256_json({"indicators": keys, "code": code,
                               "parameters": {"year": options.year, "lang": options.langs[0], "vintage": options.vintage}})
    summary_entry = {SUMMARY.stem: cache / "summary" / summary_key}

    def summary_job(label: str, work: Path) -> Job:
        (work / "results").mkdir(parents=True, exist_ok=True)
        for i in ids:
            shutil.copyfile(entries[i] / "results" / f"{i}.json", work / "results" / f"{i}.json")
        return Job(key=summary_key, label=label, notebook=SUMMARY, output_notebook=work / SUMMARY.name,
                   parameters={"plan_path": _relative(loaded.path, SUMMARY.parent), "year": options.year,
                               "vintage": options.vintage, "lang": options.langs[0], "results_dir": _relative(work / "results", SUMMARY.parent)},
                   cwd=SUMMARY.parent)

    def summary() -> None:
        if pool is not None:
            pool.yield_cpu()  # it runs beside the PDFs, which decide when the run ends
        try:
            _execute_cached(summary_entry, lambda label: [summary_entry[label] / SUMMARY.name], summary_job, cache,
                            options, result, log, progress, pool)
        finally:
            if pool is not None:
                pool.close()  # the last notebook: free the kernels' memory while the PDFs are made

    _execute_cached(entries, lambda i: _cache_files(entries[i], i), indicator_job, cache, options, result, log,
                    progress, pool)

    # 3. Assemble aside, then 4. publish. The report reads the indicators' records only, so the
    # summary notebook (kept for audit) runs in its kernel meanwhile; a failure there still fails the run.
    staging = staging_dir(out, options.year)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with ThreadPoolExecutor(max_workers=1) as side:
            summary_done = side.submit(summary)
            try:
                (staging / "notebooks").mkdir(parents=True)
                (staging / "results").mkdir()
                for i in ids:
                    nb, *results = _cache_files(entries[i], i)
                    shutil.copyfile(nb, staging / "notebooks" / nb.name)
                    for path in results:
                        shutil.copyfile(path, staging / "results" / path.name)
                preload.join()
                from planeval.pipeline.assemble import assemble

                meta = {"commit": commit, "data_hash": data_hash[:16], "data_cutoff": str(options.year),
                        "only": list(options.only), "vintage": options.vintage}
                if "error" in ahead:
                    raise ahead["error"]  # type: ignore[misc]
                log(f"making the report: HTML and PDF in {', '.join(options.langs)}")
                outputs = assemble(loaded, as_of, ids, options.year, options.langs, staging, meta, log,
                                   jobs=options.jobs, backtests=ahead["backtests"])  # type: ignore[arg-type]
            except BaseException:
                while stopping() and wait([summary_done], timeout=0.5).not_done:
                    kill_children()  # the summary's kernel, had it been starting when the signal came
                raise
            summary_done.result()
        shutil.copyfile(summary_entry[SUMMARY.stem] / SUMMARY.name, staging / "notebooks" / SUMMARY.name)
        inputs = {**files_digest([loaded.path, *dataset.files.values()], ROOT), **code}
        manifest = {
            "plan": loaded.plan.id, "year": options.year, "report_key": report_key, "quick_key": fast, "commit": commit,
            "parameters": {"year": options.year, "langs": list(options.langs), "only": list(options.only),
                           "plan": _rel(loaded.path), "vintage": options.vintage},
            "inputs": inputs, "indicators": keys, "packages": package_versions(),
            "outputs": files_digest(sorted(p for p in staging.rglob("*") if p.is_file()), staging),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        publish(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(failed_dir(out, options.year), ignore_errors=True)
    result.published = True
    result.seconds = time.perf_counter() - started
    log(f"wrote {final} ({', '.join(sorted(p.name for p in outputs))})")
    return result


def _execute_cached(entries: dict[str, Path], expected: Callable[[str], list[Path]],
                    make_job: Callable[[str, Path], Job], cache: Path, options: Options, result: Result,
                    log: Callable[[str], None], progress: bool, pool: KernelPool | None) -> None:
    """Run the jobs whose cache entry is incomplete or damaged (its files differ from the hashes it
    recorded); move each success into its entry.

    A job works in ``<cache>/tmp/<year>/<key>`` (a name that depends only on the inputs, so the
    parameters recorded in the executed notebook are the same on every run). Failures raise RunFailed after
    every job has run, keeping the failed notebooks in ``<out>/<year>.failed/notebooks/``.
    """
    todo: list[Job] = []
    cached: list[str] = []
    for label, entry in entries.items():
        if not options.force and _entry_intact(entry, expected(label)):
            cached.append(label)
            continue
        if not options.force and entry.exists():
            log(f"the cache entry of {label} is incomplete or damaged ({entry}): executing it again")
        work = _work_root(cache, options.year) / entry.name
        shutil.rmtree(work, ignore_errors=True)
        todo.append(make_job(label, work))
    result.cached += cached
    if cached:
        log(f"{len(cached)} notebook run(s) unchanged, taken from the cache: {', '.join(cached)}")
    failures: list[Outcome] = []
    try:
        outcomes = execute_all(todo, options, log, progress, pool)
    except BaseException:
        for job in todo:
            shutil.rmtree(job.output_notebook.parent, ignore_errors=True)
        raise
    if stopping():  # the run is being stopped (a signal in the main thread): keep nothing of this phase
        for job in todo:
            shutil.rmtree(job.output_notebook.parent, ignore_errors=True)
        return
    for outcome in outcomes:
        job = outcome.job
        work = job.output_notebook.parent
        made = [work / p.relative_to(entries[job.label]) for p in expected(job.label)]
        if outcome.ok and not all(p.exists() for p in made):
            outcome.ok, outcome.error = False, "the notebook ran but did not write its outputs"
        if outcome.ok:
            (work / ENTRY_HASHES).write_text(json.dumps(files_digest(made, work), indent=1, sort_keys=True) + "\n",
                                             encoding="utf-8")
            entry = entries[job.label]
            shutil.rmtree(entry, ignore_errors=True)
            entry.parent.mkdir(parents=True, exist_ok=True)
            os.replace(work, entry)
            result.executed.append(job.label)
        else:
            failures.append(outcome)
    if failures:
        result.failures = failures
        kept = failed_dir(options.out.resolve(), options.year)
        shutil.rmtree(kept, ignore_errors=True)
        (kept / "notebooks").mkdir(parents=True)
        for o in failures:
            if o.job.output_notebook.exists():
                shutil.copy2(o.job.output_notebook, kept / "notebooks" / o.job.output_notebook.name)
            shutil.rmtree(o.job.output_notebook.parent, ignore_errors=True)
        raise RunFailed(result, kept)


def _work_root(cache: Path, year: int) -> Path:
    return cache / "tmp" / str(year)


def _entry_intact(entry: Path, files: list[Path]) -> bool:
    """Whether a cache entry holds these files with the hashes recorded when it was made."""
    try:
        recorded = json.loads((entry / ENTRY_HASHES).read_text(encoding="utf-8"))
        return recorded == files_digest(files, entry)
    except (OSError, ValueError):
        return False


def _prepare_assembly(loaded: LoadedPlan, as_of: Dataset, ids: list[str], year: int, into: dict[str, object]) -> None:
    """Load the assembly's libraries, compile its templates and compute the backtests (run in the
    background); an exception is kept in ``into["error"]`` for the main thread to raise."""
    try:
        from planeval.presentation import report  # noqa: F401
        from planeval.method import scorecard  # noqa: F401  (scorecard: imported for its side effect, a loaded module)
        from planeval.method.backtest import backtest_all

        report.compile_templates()
        into["backtests"] = backtest_all(loaded.plan, as_of, ids, year)
    except BaseException as exc:  # noqa: BLE001 - handed to the main thread
        into["error"] = exc


def _relative(path: Path, start: Path) -> str:
    """A parameter path relative to the notebook's folder: the same bytes in any checkout."""
    return os.path.relpath(path, start)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


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
                    outcome = future.result()
                    outcomes.append(outcome)
                    status = "ok" if outcome.ok else f"FAILED: {outcome.error}"
                    if bar is not None:
                        bar.set_postfix_str(outcome.job.label)
                        bar.update()
                        if not outcome.ok:
                            bar.write(f"{outcome.job.label}: {status}")
                    else:
                        log(f"[{n}/{len(jobs)}] {outcome.job.label}: {status} ({outcome.seconds:.1f} s)")
            except BaseException:
                # Stopped (or a bug here): start no queued notebook, and end the running ones now
                # rather than let the executor wait for them.
                executor.shutdown(wait=False, cancel_futures=True)
                while stopping() and wait(futures, timeout=0.5).not_done:
                    kill_children()  # a kernel that was starting when the signal came
                raise
    finally:
        if bar is not None:
            bar.close()
    order = {job.label: n for n, job in enumerate(jobs)}
    return sorted(outcomes, key=lambda o: order[o.job.label])
