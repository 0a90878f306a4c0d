"""Many plans in one run: ``run_all.py --year 2023 --plan a.yaml b.yaml ...`` (or ``--plan folder/``).

Each plan is one :func:`~planeval.pipeline.runner.run` with its own output folder
``<out>/<plan id>/`` as its ``--out``: its report goes to ``<out>/<plan id>/<year>/`` and its cache,
lock, staging and failed folders live in ``<out>/<plan id>/`` too, so two plans never share a
folder, a cache entry or a lock. (One plan file, not a folder, keeps ``<out>/<year>/``.) The plans
run one after another through ONE pool of warm kernels: the kernels stay up from one plan to the
next, so only the first plan pays for starting them. Within a plan the notebooks keep every core
busy, then its two languages' PDFs do.

A plan that fails (bad data, a failing notebook, anything else) fails alone: the others still run
and publish, its previous report stays as it was, and :func:`run_plans` says which failed. Problems
of the set of plans (two plans with the same id, an output folder that overlaps any plan's inputs)
are refused before anything runs.

Last, the comparison page ``<out>/comparison-<year>.<lang>.html``: plans × indicators, from what
each plan's published report holds (see :mod:`planeval.presentation.comparison`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from planeval.inputs.errors import InputError
from planeval.inputs.plan import LoadedPlan, load_plan
from planeval.pipeline.execute import KernelPool
from planeval.pipeline.publish import MARKER, check_output_paths, check_written, report_dir
from planeval.pipeline.runner import Options, OutOfSpace, Result, RunFailed, input_paths, run

PLAN_SUFFIX = ".yaml"


def plan_files(given: list[Path]) -> list[Path]:
    """The plan files of ``--plan``: a folder stands for every ``*.yaml`` in it, by name."""
    files: list[Path] = []
    for path in given:
        if path.is_dir():
            found = sorted(p for p in path.glob(f"*{PLAN_SUFFIX}") if p.is_file())
            if not found:
                raise InputError(None, f"--plan {path}: the folder holds no *{PLAN_SUFFIX} plan file")
            files += found
        else:
            files.append(path)
    return files


def plan_out(out: Path, plan_id: str) -> Path:
    """A plan's own output folder in a run over several plans (its runs' ``--out``)."""
    return out / plan_id


def comparison_file(out: Path, year: int, lang: str) -> Path:
    return out / f"comparison-{year}.{lang}.html"


@dataclass
class PlanOutcome:
    """What became of one plan of the run."""

    path: Path
    plan_id: str | None = None  # None: the plan file could not be read
    out: Path | None = None  # the plan's output folder
    result: Result | None = None  # None: failed, or up to date by the quick check
    error: Exception | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def name(self) -> str:
        return self.plan_id or str(self.path)


class _Lent:
    """The shared pool as one run sees it: run() closes (and, beside its PDFs, deprioritises) the
    pool it is given when it is done, but these kernels serve the next plan; the owner closes them."""

    def __init__(self, pool: KernelPool) -> None:
        self._pool = pool

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)

    def close(self) -> None:
        pass

    def yield_cpu(self, niceness: int = 10) -> None:
        pass


def check_plans(outcomes: list[PlanOutcome], loaded: dict[Path, LoadedPlan], out: Path, year: int, langs: tuple[str, ...],
                notebook: Path) -> None:
    """Refuse (InputError, nothing done yet) two plans with one id, and any output of any plan (or the
    comparison page) that is, holds or sits inside an input of any plan."""
    seen: dict[str, Path] = {}
    for o in outcomes:
        if o.plan_id is None:
            continue
        if o.plan_id in seen:
            raise InputError(None, f"--plan: {o.path} has the id {o.plan_id}, as does {seen[o.plan_id]}: each plan "
                                   f"needs an id of its own (its reports go to {plan_out(out.resolve(), o.plan_id)}/)")
        seen[o.plan_id] = o.path
    inputs = [p for lp in loaded.values() for p in input_paths(lp, notebook)]
    check_written(out.resolve(), [comparison_file(out.resolve(), year, lang) for lang in langs], inputs)
    for o in outcomes:
        if o.out is None:
            continue
        if (o.out / MARKER).is_file():
            raise InputError(None, f"--out {out.resolve()}: {o.out} is a report of a single-plan run (it has {MARKER}), "
                                   f"where the reports of plan {o.plan_id} would go; move it away or choose another folder")
        check_output_paths(o.out, year, inputs)


def run_plans(options: Options, given: list[Path], log: Callable[[str], None] = print, progress: bool = False,
              pool: KernelPool | None = None) -> list[PlanOutcome]:
    """Run every plan of ``given`` (files, or folders of them) with ``options`` (its ``plan`` and
    ``cache`` are ignored, its ``out`` holds one folder per plan), one after another through ``pool``: warm
    kernels that run_plans takes over and closes (in warm mode without one, it makes its own; either
    way the first kernel starts when the first plan needs it). Returns each plan's outcome;
    raises InputError for the set of plans (nothing is run then) and Stopped on SIGINT/SIGTERM."""
    out = options.out.resolve()
    outcomes: list[PlanOutcome] = []
    loaded: dict[Path, LoadedPlan] = {}
    for path in plan_files(given):
        outcome = PlanOutcome(path)
        try:
            loaded[path] = load_plan(path)
        except InputError as exc:  # that plan fails alone; run() would say the same
            outcome.error = exc
        else:
            outcome.plan_id = loaded[path].plan.id
            outcome.out = plan_out(out, outcome.plan_id)
        outcomes.append(outcome)
    check_plans(outcomes, loaded, out, options.year, options.langs, options.notebook)
    if pool is None and options.mode == "warm":
        from planeval.inputs.paths import SUMMARY
        from planeval.pipeline.execute import warm_up_code

        pool = KernelPool(warm_up_code([options.notebook, SUMMARY]), keep_warm=options.keep_warm)
    try:
        for o in outcomes:
            if o.out is None:
                log(f"[{o.name}] FAILED: {o.error}")
                continue
            each = replace(options, plan=o.path, out=o.out, cache=None)  # each plan's cache: <out>/<plan id>/.cache
            try:
                o.result = run(each, log=lambda m, name=o.name: log(f"[{name}] {m}"), progress=progress,
                               pool=_Lent(pool) if pool is not None else None)  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001 - one plan's failure, of any kind, is that plan's alone
                o.error = exc
                log(f"[{o.name}] FAILED: {failure_text(exc)}")
    finally:
        if pool is not None:
            pool.close()
    write_comparison(outcomes, loaded, out, options.year, options.langs)
    return outcomes


def failure_text(exc: Exception) -> str:
    """One line on why a plan failed, as run_all.py says it for a single plan."""
    if isinstance(exc, InputError):
        return f"error: {exc}"
    if isinstance(exc, RunFailed):
        return f"{exc}; the failed notebooks are in {exc.kept}/notebooks/"
    if isinstance(exc, OutOfSpace):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def published(outcome: PlanOutcome, year: int) -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | None:
    """The manifest and records (indicator id -> record) of a plan's published report; None if it has none."""
    if outcome.out is None:
        return None
    folder = report_dir(outcome.out, year)
    try:
        manifest = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        records = {i: json.loads((folder / "results" / f"{i}.json").read_text(encoding="utf-8"))
                   for i in manifest["indicators"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return manifest, records


def write_comparison(outcomes: list[PlanOutcome], loaded: dict[Path, LoadedPlan], out: Path, year: int,
                     langs: tuple[str, ...]) -> list[Path]:
    """Write ``<out>/comparison-<year>.<lang>.html`` (each replaced at once, never half written)."""
    from planeval.presentation.comparison import PlanReport, comparison_view, render_comparison

    reports = []
    for o in outcomes:
        found = published(o, year)
        plan = loaded[o.path].plan if o.path in loaded else None
        manifest, records = found if found is not None else ({}, {})
        reports.append(PlanReport(
            plan_id=o.plan_id or o.path.stem, name=plan.name if plan else None,
            indicators=tuple(plan.indicators) if plan else (), records=records,
            only=tuple((manifest.get("parameters") or {}).get("only") or ()),
            folder=f"{o.plan_id}/{year}" if found is not None else None, failed=o.failed))
    pages = {lang: comparison_file(out, year, lang).name for lang in langs}
    written = []
    for lang in langs:
        path = comparison_file(out, year, lang)
        part = path.with_name(f".{path.name}.{os.getpid()}")
        part.write_text(render_comparison(comparison_view(reports, year, lang, pages)), encoding="utf-8")
        os.replace(part, path)
        written.append(path)
    return written
