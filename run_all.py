#!/usr/bin/env python3
"""Regenerate a plan's evaluation report for one year.

    python run_all.py --year 2023

writes reports/2023/: report.zh.html, report.en.html, report.zh.pdf, report.en.pdf, index.html,
report.html/report.pdf (the first language), the executed notebooks (notebooks/), the result
records and charts (results/) and manifest.json.

    python run_all.py --year 2023 --plan a.yaml b.yaml      (or --plan plans/: every *.yaml in it)

runs several plans through one pool of warm kernels: each plan's report goes to
reports/<plan id>/2023/, and reports/comparison-2023.<lang>.html compares them (plans x indicators).
A plan that fails leaves its previous report in place and does not stop the others. Exit status: 0 success (or already up to date),
1 a notebook failed (the previous report is left in place), 2 bad arguments or bad input, 130 or 143
stopped by SIGINT (Ctrl-C) or SIGTERM (the previous report is left in place).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# Keep the library's compiled bytecode (planeval/**/__pycache__) even where PYTHONDONTWRITEBYTECODE is
# set (as on the CI machine): else every run, kernel and language process compiles the library from
# source again (0.06 s of an up-to-date run's 0.3 s; more in each kernel). The kernels read what this
# process writes.
sys.dont_write_bytecode = False

from planeval.inputs.dates import VINTAGE_FORMAT, parse_vintage
from planeval.inputs.paths import DEFAULT_OUT, LANGS, ROOT

DEFAULT_PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"


def _langs(text: str) -> tuple[str, ...]:
    langs = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    bad = [lang for lang in langs if lang not in LANGS]
    if not langs or bad:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(LANGS)}, got {text!r}")
    return langs


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def _minutes(text: str) -> float:
    from planeval.pipeline.zygote import minutes

    try:
        return minutes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected {exc}") from None


def _vintage(text: str) -> str:
    try:
        parse_vintage(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="run_all.py", description=__doc__.split("\n\n")[0],
        epilog="Exit status: 0 success or up to date; 1 a notebook failed, or with several plans any plan failed (previous "
               "report kept); 2 bad arguments or input; "
               "130/143 stopped by SIGINT/SIGTERM (previous report kept).")
    p.add_argument("--year", type=int, required=True,
                   help="evaluation year; only data for periods ending by then are used (e.g. 2023 for the mid-term review)")
    p.add_argument("--vintage", type=_vintage, metavar="DATE",
                   help=f"use only rows whose source was published by DATE ({VINTAGE_FORMAT}; a year or month means "
                        "its last day, and a source dated only by year or month counts from the last day it could "
                        "mean): what an analyst could know that day (default: every row)")
    p.add_argument("--plan", type=Path, nargs="+", default=[DEFAULT_PLAN], metavar="PLAN",
                   help=f"plan file (default: {DEFAULT_PLAN.relative_to(ROOT)}); several files, or a folder (every "
                        "*.yaml in it), make one report per plan in DIR/<plan id>/<year>/ and a comparison page "
                        "DIR/comparison-<year>.<lang>.html")
    p.add_argument("--lang", type=_langs, default=LANGS, metavar="zh,en",
                   help="report language(s), comma-separated (default: zh,en); the first is also report.html/pdf")
    p.add_argument("--jobs", type=_positive, default=os.cpu_count() or 1, metavar="N",
                   help=f"notebooks executed at once (default: the CPU count, {os.cpu_count()})")
    p.add_argument("--only", nargs="+", default=(), metavar="ID",
                   help="evaluate and report only these indicator ids (the report says it is partial)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                   help="output folder; the report goes to DIR/<year>/ (default: reports/)")
    p.add_argument("--force", action="store_true",
                   help="ignore the cache: re-execute every notebook and rebuild the report")
    p.add_argument("--isolated", action="store_true",
                   help="a fresh kernel for every notebook (slower; default reuses one warm kernel per worker)")
    p.add_argument("--keep-warm", type=_minutes, default=None, metavar="MINUTES",
                   help="keep the process that the warm kernels are forked from this long after the run, for the "
                        "next run to start its kernels without seconds of imports; 0: none (default: "
                        "$PLANEVAL_KEEP_WARM, else 10). Stop them now: python -m planeval.pipeline.zygote --stop")
    p.add_argument("--timeout", type=_positive, default=600, metavar="SECONDS",
                   help="stop a notebook cell that runs longer than this (default: 600)")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks for errors")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.keep_warm is None:
        from planeval.pipeline.zygote import keep_warm_minutes

        try:
            args.keep_warm = keep_warm_minutes()
        except ValueError as exc:
            p.error(str(exc))
    from planeval.pipeline.execute import Stopped, stop_on_signals

    try:
        with stop_on_signals():
            return _main(args)
    except Stopped as exc:
        if args.debug:
            raise
        print(f"run_all.py: stopped by {exc}; the previous report (if any) is unchanged.", file=sys.stderr)
        return exc.status


def _main(args: argparse.Namespace) -> int:
    if len(args.plan) > 1 or any(p.is_dir() for p in args.plan):  # one folder per plan, and a comparison page
        return _main_plans(args)
    args.plan = args.plan[0]
    from planeval.inputs.errors import InputError
    from planeval.pipeline.runner import OutOfSpace, RunFailed, run

    pool = None
    if not args.isolated:
        # Warm kernels, started by run() only once it knows the report is not up to date: a kernel
        # then boots and imports the notebooks' libraries (seconds) on the other core while this
        # process imports its own and checks the inputs. Bad input stops it.
        from planeval.pipeline.execute import KernelPool, warm_up_code
        from planeval.inputs.paths import NOTEBOOK, SUMMARY

        pool = KernelPool(warm_up_code([NOTEBOOK, SUMMARY]), keep_warm=args.keep_warm * 60)
    options = _options(args, args.plan)
    try:
        result = run(options, log=lambda m: print(m, flush=True), progress=sys.stderr.isatty(), pool=pool)
    except InputError as exc:
        if args.debug:
            raise
        print(f"run_all.py: error: {exc}", file=sys.stderr)
        return 2
    except OutOfSpace as exc:
        if args.debug:
            raise
        print(f"run_all.py: {exc}. The previous report (if any) is unchanged.", file=sys.stderr)
        return 1
    except RunFailed as exc:
        if args.debug:
            raise
        print(f"run_all.py: {exc}. The previous report (if any) is unchanged; the failed notebooks are in "
              f"{exc.kept}/notebooks/.", file=sys.stderr)
        return 1
    if not result.up_to_date:
        print(f"done in {result.seconds:.1f} s: {len(result.executed)} executed, {len(result.cached)} from cache")
    return 0


def _options(args: argparse.Namespace, plan: Path):
    from planeval.pipeline.runner import Options

    return Options(year=args.year, plan=plan, out=args.out, langs=args.lang, jobs=args.jobs, only=tuple(args.only),
                   force=args.force, mode="isolated" if args.isolated else "warm", timeout=args.timeout,
                   vintage=args.vintage, keep_warm=args.keep_warm * 60)


def _main_plans(args: argparse.Namespace) -> int:
    """Several plans: one report each, a comparison page; exit 1 naming the plans that failed."""
    import time

    from planeval.inputs.errors import InputError
    from planeval.pipeline.plans import failure_text, run_plans

    started = time.perf_counter()
    try:
        outcomes = run_plans(_options(args, args.plan[0]), args.plan, log=lambda m: print(m, flush=True),
                             progress=sys.stderr.isatty())
    except InputError as exc:
        if args.debug:
            raise
        print(f"run_all.py: error: {exc}", file=sys.stderr)
        return 2
    failed = [o for o in outcomes if o.failed]
    if args.debug and failed:
        raise failed[0].error  # type: ignore[misc]
    for o in failed:
        print(f"run_all.py: plan {o.name}: {failure_text(o.error)}", file=sys.stderr)  # type: ignore[arg-type]
    if failed:
        print(f"run_all.py: {len(failed)} of {len(outcomes)} plan(s) failed: {', '.join(o.name for o in failed)}. "
              "Their previous reports (if any) are unchanged; the other plans' reports are published.", file=sys.stderr)
        return 1
    print(f"done in {time.perf_counter() - started:.1f} s: {len(outcomes)} plan(s)")
    return 0


if __name__ == "__main__":
    status = main()
    # Skip the interpreter's teardown of the scientific stack (~1.5 s of freeing memory): by now the
    # kernels are shut down, every file is written and closed, and no atexit handler has work to do.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
