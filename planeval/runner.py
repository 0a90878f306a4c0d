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

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

from .data import Dataset, load_dataset
from .errors import InputError
from .execute import Job, KernelPool, Outcome, run_job
from .fingerprint import (dataset_digest, files_digest, indicator_inputs, library_files, sha256_file,
                          sha256_json)
from .plan import LoadedPlan, load_plan

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "indicator.ipynb"
LOCK = ROOT / "requirements.lock"
LANGS = ("zh", "en")
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


def check_options(options: Options, loaded: LoadedPlan) -> list[str]:
    """Validate what only the plan can tell; returns the indicator ids to evaluate."""
    plan = loaded.plan
    if not plan.base_year < options.year <= plan.end_year:
        raise InputError(None, f"--year {options.year} is outside the plan period: give a year from "
                               f"{plan.base_year + 1} to {plan.end_year} (the plan runs {plan.base_year}–{plan.end_year})")
    ids = [i.id for i in plan.evaluated]
    if options.only:
        unknown = [i for i in options.only if i not in {x.id for x in plan.indicators}]
        if unknown:
            raise InputError(None, f"--only: unknown indicator id(s) {', '.join(unknown)}; the plan has: {', '.join(ids)}")
        not_evaluated = [i for i in options.only if i not in ids]
        if not_evaluated:
            raise InputError(None, f"--only: {', '.join(not_evaluated)} is not identified in the plan, so it has no notebook")
        ids = [i for i in ids if i in options.only]
    out = options.out.resolve()
    for protected in {loaded.path.parent.resolve(), *(p.parent for p in (loaded.data_path("observations"),
                                                                         loaded.data_path("sources")) if p)}:
        if out == protected or out.is_relative_to(protected):
            raise InputError(None, f"--out {options.out} is inside {protected}, which holds inputs; choose another folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise InputError(None, f"--out {options.out} is not a writable folder: {exc.strerror or exc}") from None
    return ids


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + ("+uncommitted changes" if dirty else "")


def package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def code_digest(notebook: Path = NOTEBOOK) -> dict[str, str]:
    return files_digest(library_files() + [notebook, LOCK], ROOT)


def indicator_key(loaded: LoadedPlan, dataset: Dataset, indicator_id: str, year: int, code: dict[str, str]) -> str:
    return sha256_json({"inputs": indicator_inputs(loaded, dataset, loaded.plan.indicator(indicator_id), year),
                        "code": code, "parameters": {"year": year, "langs": LANGS}})


def _cache_files(entry: Path, indicator_id: str) -> list[Path]:
    return [entry / f"{indicator_id}.ipynb", entry / "results" / f"{indicator_id}.json",
            *(entry / "results" / f"{indicator_id}.{lang}.png" for lang in LANGS)]


def run(options: Options, log: Callable[[str], None] = print, progress: bool = False) -> Result:
    started = time.perf_counter()
    loaded = load_plan(options.plan)
    dataset = load_dataset(loaded)
    ids = check_options(options, loaded)
    out = options.out.resolve()
    cache = (options.cache or out / ".cache").resolve()
    final = out / str(options.year)
    result = Result(report_dir=final)

    code = code_digest(options.notebook)
    keys = {i: indicator_key(loaded, dataset, i, options.year, code) for i in ids}
    as_of = dataset.as_of(options.year)
    commit = git_commit()
    report_key = sha256_json({"indicators": keys, "data": dataset_digest(as_of), "code": code, "commit": commit,
                              "plan": sha256_file(loaded.path), "langs": options.langs, "only": options.only,
                              "year": options.year})
    manifest_path = final / "manifest.json"
    if not options.force and manifest_path.exists():
        try:
            previous = json.loads(manifest_path.read_text(encoding="utf-8")).get("report_key")
        except (OSError, ValueError):
            previous = None
        if previous == report_key:
            result.up_to_date = True
            result.cached = ids
            result.seconds = time.perf_counter() - started
            log(f"{final} is up to date: nothing changed since it was made (use --force to rebuild)")
            return result

    # 2. Execute what is not cached.
    todo: list[Job] = []
    for i in ids:
        entry = cache / "indicators" / keys[i]
        if not options.force and all(p.exists() for p in _cache_files(entry, i)):
            result.cached.append(i)
            continue
        work = cache / "tmp" / f"{keys[i]}-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        todo.append(Job(key=keys[i], label=i, notebook=options.notebook, output_notebook=work / f"{i}.ipynb",
                        parameters={"plan_path": str(loaded.path), "indicator_id": i, "year": options.year,
                                    "output_dir": str(work / "results")},
                        cwd=options.notebook.parent))
    if result.cached:
        log(f"{len(result.cached)} indicator(s) unchanged, taken from the cache: {', '.join(result.cached)}")
    outcomes = execute_all(todo, options, log, progress)
    for outcome in outcomes:
        job = outcome.job
        work = job.output_notebook.parent
        if outcome.ok and not all(p.exists() for p in _cache_files(work, job.label)):
            outcome.ok, outcome.error = False, "the notebook ran but did not write its record and charts"
        if outcome.ok:
            entry = cache / "indicators" / job.key
            shutil.rmtree(entry, ignore_errors=True)
            entry.parent.mkdir(parents=True, exist_ok=True)
            os.replace(work, entry)
            result.executed.append(job.label)
        else:
            result.failures.append(outcome)
    if result.failures:
        kept = out / f"{options.year}.failed"
        shutil.rmtree(kept, ignore_errors=True)
        (kept / "notebooks").mkdir(parents=True)
        for o in result.failures:
            if o.job.output_notebook.exists():
                shutil.copy2(o.job.output_notebook, kept / "notebooks" / o.job.output_notebook.name)
            shutil.rmtree(o.job.output_notebook.parent, ignore_errors=True)
        result.seconds = time.perf_counter() - started
        raise RunFailed(result, kept)

    # 3. Assemble aside, then 4. publish.
    staging = out / f".staging-{options.year}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        (staging / "notebooks").mkdir(parents=True)
        (staging / "results").mkdir()
        for i in ids:
            nb, *results = _cache_files(cache / "indicators" / keys[i], i)
            shutil.copyfile(nb, staging / "notebooks" / nb.name)
            for path in results:
                shutil.copyfile(path, staging / "results" / path.name)
        from .assemble import assemble

        meta = {"commit": commit, "data_hash": dataset_digest(as_of)[:16], "data_cutoff": str(options.year),
                "only": list(options.only)}
        outputs = assemble(loaded, as_of, ids, options.year, options.langs, staging, meta, log)
        inputs = {**files_digest([loaded.path, *dataset.files.values()], ROOT), **code}
        manifest = {
            "plan": loaded.plan.id, "year": options.year, "report_key": report_key, "commit": commit,
            "parameters": {"year": options.year, "langs": list(options.langs), "only": list(options.only),
                           "plan": _rel(loaded.path)},
            "inputs": inputs, "indicators": keys, "packages": package_versions(),
            "outputs": files_digest(sorted(p for p in staging.rglob("*") if p.is_file()), staging),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        publish(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(out / f"{options.year}.failed", ignore_errors=True)
    result.published = True
    result.seconds = time.perf_counter() - started
    log(f"wrote {final} ({', '.join(sorted(p.name for p in outputs))})")
    return result


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def publish(staging: Path, final: Path) -> None:
    """Swap ``staging`` in for ``final``; the old report stays until the new one is in place."""
    old = final.parent / f".old-{final.name}-{os.getpid()}"
    if final.exists():
        os.replace(final, old)
    try:
        os.replace(staging, final)
    except OSError:
        if old.exists():
            os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def execute_all(jobs: list[Job], options: Options, log: Callable[[str], None], progress: bool) -> list[Outcome]:
    if not jobs:
        return []
    workers = max(1, min(options.jobs, len(jobs)))
    log(f"executing {len(jobs)} notebook(s) with {workers} worker(s), {options.mode} kernels")
    pool = KernelPool() if options.mode == "warm" else None
    outcomes: list[Outcome] = []
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="notebook", file=sys.stderr)
    try:
        with ThreadPoolExecutor(max_workers=workers) as executor:
            futures = [executor.submit(run_job, job, options.mode, options.timeout, pool) for job in jobs]
            for n, future in enumerate(as_completed(futures), 1):
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
    finally:
        if bar is not None:
            bar.close()
        if pool is not None:
            pool.close()
    order = {job.label: n for n, job in enumerate(jobs)}
    return sorted(outcomes, key=lambda o: order[o.job.label])
