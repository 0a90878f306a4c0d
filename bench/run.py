#!/usr/bin/env python3
"""Time the report pipeline against a naive baseline (``make bench``; not run by the tests).

Scenarios, each on a copy of the plan and its data in a temporary folder (the repository's data/
and reports/ are never touched):

  baseline   papermill CLI per indicator notebook, one after another; nbconvert CLI to HTML per
             executed notebook; WeasyPrint (in this process) on each HTML file.
  cold       run_all.py with an empty cache and no previous report.
  warm       run_all.py again, nothing changed (must say "up to date").
  one change run_all.py after one value of one indicator's data row changed (must execute only
             that indicator and the summary), as a user runs it: the kernels' zygote the run before
             kept warm (run_all.py's default --keep-warm) is still there.
  one change, nothing kept warm   the same, with no zygote left by an earlier run (each is stopped
             first): what a change costs when the last run was more than --keep-warm minutes ago.
  scale      run_all.py cold on a SYNTHETIC benchmark plan of N invented indicators (bench/synthetic.py).
  plans      (--plans N) run_all.py cold on N SYNTHETIC plans of --plans-indicators indicators each, in
             one run (one pool of warm kernels, one report per plan, a comparison page): s/notebook,
             each plan's seconds, and how busy the cores were (own CPU seconds / wall seconds).

Every cold run starts with no kernel zygote kept warm (the bench's own are stopped first, and kept in
a folder of the bench's: a user's are never touched). The scenarios run in rounds (baseline, cold,
warm, one change, one change with nothing kept warm; then again), so a machine whose speed drifts
weighs on the baseline and on the scenarios alike. Prints the median of --repeat rounds, the ratio to
the baseline and each round's own ratios, the targets (2-core machine:
cold <= 0.10 x baseline, one change <= 0.05 x baseline, warm <= 0.3 s), where each run's time went
(from the time each of run_all's log lines arrived), and how busy the cores were; writes
bench/out/results.json.

    .venv/bin/python bench/run.py            # 3 rounds; scale run with 25, 50, 100, 200 indicators
    .venv/bin/python bench/run.py --quick    # 1 round; scale run with 25, 50 indicators
    .venv/bin/python bench/run.py --plans 20 --plans-only   # only the many-plans run: 20 x 25 = 500 notebooks
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import logging
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import synthetic  # noqa: E402  (bench/synthetic.py)

PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"
BIN = Path(sys.executable).parent  # .venv/bin: papermill, jupyter (not resolved: keep the venv)
NCPU = os.cpu_count() or 1
TARGETS = {"cold": ("<= 0.10 x baseline", 0.10, None), "one change": ("<= 0.05 x baseline", 0.05, None),
           "warm": ("<= 0.3 s", None, 0.3)}
NOTEBOOK_LINE = re.compile(r"^\[(\d+)/(\d+)\] (\S+): (ok|FAILED.*) \(([\d.]+) s\)$")
DONE_LINE = re.compile(r"done in ([\d.]+) s: (\d+) executed, (\d+) from cache")


def log(message: str = "") -> None:
    print(message, flush=True)


# ---------------------------------------------------------------- CPU: /proc/stat sampled in a thread

def _cpu_times() -> list[tuple[int, int]]:
    """(busy, total) jiffies per core from /proc/stat; busy excludes idle and iowait."""
    cores = []
    with open("/proc/stat", encoding="ascii") as f:
        for line in f:
            if re.match(r"cpu\d+ ", line):
                v = [int(x) for x in line.split()[1:]]
                total = sum(v[:8])  # user nice system idle iowait irq softirq steal (guest is in user)
                cores.append((total - v[3] - v[4], total))
    return cores


class Sampler:
    """Samples every core's /proc/stat counters every ``interval`` s; busy fractions for any window.
    System-wide: the figures include other users' processes on a shared machine."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.samples: list[tuple[float, list[tuple[int, int]]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while True:
            self.samples.append((time.perf_counter(), _cpu_times()))
            if self._stop.wait(self.interval):
                self.samples.append((time.perf_counter(), _cpu_times()))
                return

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def busy(self, t0: float | None = None, t1: float | None = None) -> list[float] | None:
        """Busy fraction of each core between t0 and t1 (perf_counter times; None: the whole run)."""
        inside = [s for s in self.samples if (t0 is None or s[0] >= t0 - self.interval / 2)
                  and (t1 is None or s[0] <= t1 + self.interval / 2)]
        if len(inside) < 2:
            return None
        a, b = inside[0][1], inside[-1][1]
        return [round((b[i][0] - a[i][0]) / max(1, b[i][1] - a[i][1]), 3) for i in range(len(a))]


def background_busy(seconds: float = 1.0) -> list[float]:
    a = _cpu_times()
    time.sleep(seconds)
    b = _cpu_times()
    return [round((b[i][0] - a[i][0]) / max(1, b[i][1] - a[i][1]), 3) for i in range(len(a))]


# ---------------------------------------------------------------- running a command, timing its output

def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class PeakMemory:
    """The largest total resident memory (RSS) of a process and all its descendants (kernels, PDF
    workers), sampled every ``interval`` seconds while it runs."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        import psutil  # a dependency of ipykernel, in the lock

        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                total = 0
                for proc in [root, *root.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_timed(cmd: list[str], env: dict[str, str], cwd: Path, sampler: Sampler | None = None) -> dict:
    """Run ``cmd``; wall time, exit status, the output lines with the time each arrived, the CPU
    seconds of the whole process tree (kernels and PDF workers are waited for, so they count) and its
    peak resident memory."""
    cpu0 = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            bufsize=1)
    memory = PeakMemory(proc.pid)
    lines: list[tuple[float, str]] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append((time.perf_counter() - start, line.rstrip("\n")))
    rc = proc.wait()
    wall = time.perf_counter() - start
    peak = memory.stop()
    cpu = children_cpu() - cpu0
    run = {"cmd": [str(c) for c in cmd], "rc": rc, "seconds": round(wall, 3), "cpu_seconds": round(cpu, 2),
           "cpu_utilisation": round(cpu / (wall * NCPU), 3), "peak_rss_mb": round(peak / 2**20), "lines": lines,
           "_start": start}
    if sampler is not None:
        run["cores_busy"] = sampler.busy(start, start + wall)
    return run


def check(run: dict, what: str) -> None:
    if run["rc"] != 0:
        tail = "\n".join(text for _, text in run["lines"][-15:])
        raise SystemExit(f"bench: {what} failed (exit {run['rc']}): {' '.join(run['cmd'])}\n{tail}")


# run_all.py starts the assembly (HTML + PDF) as soon as the indicator notebooks are done, with the
# summary notebook beside it; so the assembly is these two phases together.
SUMMARY_PHASE = "summary notebook (HTML + PDF already running)"
PDF_PHASE = "rest of HTML + PDF"


def analyse(run: dict, sampler: Sampler | None = None) -> dict:
    """Where one run_all run's time went, from the arrival time of its log lines."""
    lines = run["lines"]
    notebooks = []
    marks: dict[str, float] = {}
    for t, text in lines:
        m = NOTEBOOK_LINE.match(text)
        if m:
            notebooks.append({"id": m[3], "ok": m[4] == "ok", "seconds": float(m[5]), "at": round(t, 2)})
            key = SUMMARY_PHASE if m[3] == "summary" else "indicator notebooks"
            marks[key] = t
        elif text.startswith("assembled"):
            marks[PDF_PHASE] = t
        elif text.startswith("wrote "):
            marks["index, manifest, publish"] = t
        elif "up to date" in text:
            marks["up-to-date check"] = t
        if text.strip() and not text.startswith("[IPKernelApp]") and "first log line" not in marks:
            marks["first log line"] = t
    first = marks.pop("first log line", run["seconds"])
    order = ["indicator notebooks", SUMMARY_PHASE, PDF_PHASE, "index, manifest, publish"]
    phases = {"start-up, imports, load + validate + hash (to the first log line)": round(first, 2)}
    if "up-to-date check" in marks:
        phases = {"start-up, imports, load, hash, up-to-date check": round(marks["up-to-date check"], 2)}
        prev = marks["up-to-date check"]
    else:
        prev = first
        for name in sorted((n for n in order if n in marks), key=marks.__getitem__):  # in the order they ended
            phases[name + (" (from the first log line)" if name == "indicator notebooks" else "")] = \
                round(marks[name] - prev, 2)
            prev = marks[name]
    phases["exit"] = round(run["seconds"] - prev, 2)
    done = next((DONE_LINE.search(text) for _, text in lines if DONE_LINE.search(text)), None)
    indicator_nbs = [n for n in notebooks if n["id"] != "summary"]
    out = {"seconds": run["seconds"], "phases": phases, "notebooks": notebooks,
           "executed": int(done[2]) if done else (0 if "up-to-date check" in marks else None),
           "from_cache": int(done[3]) if done else None,
           "up_to_date": "up-to-date check" in marks, "cpu_utilisation": run["cpu_utilisation"],
           "peak_rss_mb": run.get("peak_rss_mb"), "cores_busy": run.get("cores_busy")}
    if indicator_nbs:
        secs = [n["seconds"] for n in indicator_nbs]
        phase = marks["indicator notebooks"] - first
        out["indicator_notebooks"] = {"n": len(secs), "sum_s": round(sum(secs), 2), "mean_s": round(sum(secs) / len(secs), 2),
                                      "max_s": max(secs), "first_two_s": secs[:2], "phase_wall_s": round(phase, 2),
                                      "parallelism": round(sum(secs) / phase, 2) if phase > 0 else None}
        if sampler is not None:
            out["cores_busy_notebook_phase"] = sampler.busy(run["_start"] + first, run["_start"] + marks["indicator notebooks"])
    if sampler is not None and PDF_PHASE in marks:
        t0 = marks.get("indicator notebooks", first)  # the assembly starts when the indicator notebooks are done
        out["cores_busy_assembly_phase"] = sampler.busy(run["_start"] + t0, run["_start"] + marks[PDF_PHASE])
    return out


# ---------------------------------------------------------------- the workspace: plan + data copy, code

def copy_plan(dest: Path) -> Path:
    """Copy the plan file and the data files it names, keeping their relative layout; return the copy."""
    plan_text = PLAN.read_text(encoding="utf-8")
    data = yaml.safe_load(plan_text)["data"]
    (dest / PLAN.parent.name).mkdir(parents=True, exist_ok=True)
    copy = dest / PLAN.parent.name / PLAN.name
    shutil.copyfile(PLAN, copy)
    for rel in data.values():
        if rel:
            src = (PLAN.parent / rel).resolve()
            target = (copy.parent / rel).resolve()
            if not target.is_relative_to(dest.resolve()):
                raise SystemExit(f"bench: data file {rel} lies outside the plan's folder tree; cannot copy it safely")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
    return copy


def snapshot_code(dest: Path) -> Path:
    """Copy run_all.py, planeval/, notebooks/ and the lock so that concurrent edits of the working
    tree cannot invalidate the cache between scenarios; kernels import this copy via PYTHONPATH."""
    dest.mkdir(parents=True)
    for name in ("run_all.py", "requirements.lock", "pyproject.toml"):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("planeval", "notebooks"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


def identified(plan_path: Path) -> list[dict]:
    return [i for i in yaml.safe_load(plan_path.read_text(encoding="utf-8"))["indicators"] if i.get("identified", True)]


class OneChange:
    """One value of one indicator's data row, changed to a new value on every run that changes it.

    The cache is content-addressed, so going back to a value seen before would be a cache hit, not a
    change: :meth:`apply` (k) sets the original value + k × step (k = 1, 2, ...), a small change, and
    :meth:`restore` puts the file back for the next round's cold run."""

    def __init__(self, plan_path: Path, year: int) -> None:
        plan = yaml.safe_load(plan_path.read_text(encoding="utf-8"))
        self.path = (plan_path.parent / plan["data"]["observations"]).resolve()
        uses: dict[str, int] = {}
        for ind in identified(plan_path):
            names = {ind.get("series")} | ({ind["rule"]["compare"], ind["rule"]["at_least"]} if ind.get("rule") else set())
            for s in names:
                uses[s] = uses.get(s, 0) + 1
        rows = list(csv.reader(io.StringIO(self.path.read_text(encoding="utf-8"))))
        header = rows[0]
        col = {name: header.index(name) for name in ("series", "period", "value", "qualifier", "kind")}
        for ind in identified(plan_path):
            if ind.get("kind") == "qualitative" or uses.get(ind.get("series"), 0) != 1:
                continue
            candidates = [n for n, r in enumerate(rows[1:], 1)
                          if r[col["series"]] == ind["series"] and r[col["kind"]] == "actual"
                          and re.fullmatch(r"\d{4}", r[col["period"]]) and int(r[col["period"]]) <= year
                          and r[col["qualifier"]] in ("=", "~") and r[col["value"]]]
            if candidates:
                self.indicator, self.row = ind["id"], candidates[-1]
                break
        else:
            raise SystemExit("bench: no indicator with an annual actual value to change")
        self.col = col["value"]
        self.original = rows[self.row][self.col]
        self.lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)
        decimals = len(self.original.split(".")[1]) if "." in self.original else 0
        self.decimals = max(decimals, 2)
        self.step = 10 ** -self.decimals
        self.period = rows[self.row][col["period"]]

    def apply(self, k: int) -> str:
        """Set the value to original + k × step (line ``self.row + 1`` of the file as an editor shows it)."""
        line = self.lines[self.row]  # no multi-line fields in this file: row n is line n
        cells = next(csv.reader([line]))
        value = f"{float(self.original) + k * self.step:.{self.decimals}f}"
        cells[self.col] = value
        buf = io.StringIO()
        csv.writer(buf, lineterminator=line[len(line.rstrip("\r\n")):] or "\n").writerow(cells)
        lines = list(self.lines)
        lines[self.row] = buf.getvalue()
        self.path.write_text("".join(lines), encoding="utf-8")
        return value

    def restore(self) -> None:
        """Put the file back as it was."""
        self.path.write_text("".join(self.lines), encoding="utf-8")


# ---------------------------------------------------------------- scenarios

def baseline(plan_copy: Path, work: Path, code: Path, env: dict, year: int) -> dict:
    """The naive pipeline: papermill CLI per notebook, nbconvert CLI per notebook, WeasyPrint per HTML."""
    work.mkdir(parents=True)
    notebooks = code / "notebooks"
    ids = [i["id"] for i in identified(plan_copy)]

    def tool(name: str) -> list[str]:
        exe = BIN / name
        return [str(exe)] if exe.exists() else [sys.executable, "-m", {"jupyter": "jupyter"}.get(name, name)]

    t0 = time.perf_counter()
    cpu0 = children_cpu() + time.process_time()
    executed, per = [], {"papermill": [], "nbconvert": [], "pdf": []}
    for i in ids:
        out = work / f"{i}.ipynb"
        r = run_timed([*tool("papermill"), str(notebooks / "indicator.ipynb"), str(out), "-k", "python3",
                       "--cwd", str(notebooks), "-p", "plan_path", str(plan_copy), "-p", "indicator_id", i,
                       "-p", "year", str(year), "-p", "output_dir", str(work / "results")], env, work)
        check(r, f"baseline papermill {i}")
        per["papermill"].append(r["seconds"])
        executed.append(out)
    t1 = time.perf_counter()
    for nb in executed:
        r = run_timed([*tool("jupyter"), "nbconvert", "--to", "html", str(nb), "--output-dir", str(work / "html")],
                      env, work)
        check(r, f"baseline nbconvert {nb.name}")
        per["nbconvert"].append(r["seconds"])
    t2 = time.perf_counter()
    import weasyprint  # in this process: the import is paid once (the weasyprint CLI would pay it per file)

    logging.getLogger("weasyprint").setLevel(logging.ERROR)

    # data: and file: URLs only: nbconvert's page links a CDN, which the benchmark does not fetch
    fetch_local = weasyprint.URLFetcher(allowed_protocols=("data", "file"))

    for html in sorted((work / "html").glob("*.html")):
        s = time.perf_counter()
        weasyprint.HTML(filename=str(html), url_fetcher=fetch_local).write_pdf(str(html.with_suffix(".pdf")))
        per["pdf"].append(round(time.perf_counter() - s, 3))
    t3 = time.perf_counter()
    cpu = children_cpu() + time.process_time() - cpu0
    return {"seconds": round(t3 - t0, 3), "notebooks": len(ids), "cpu_seconds": round(cpu, 1),
            "cpu_utilisation": round(cpu / ((t3 - t0) * NCPU), 3),
            "phases": {"papermill CLI, one per notebook": round(t1 - t0, 2),
                       "nbconvert CLI to HTML, one per notebook": round(t2 - t1, 2),
                       "WeasyPrint PDF per HTML (in-process)": round(t3 - t2, 2)},
            "per_notebook_s": {k: round(statistics.mean(v), 2) for k, v in per.items() if v}}


def stop_kept_warm(env: dict) -> None:
    """Stop the kernel zygotes that run_all.py kept warm in the bench's runtime folder, and wait for them
    to end: the next run starts cold."""
    folder = env["PLANEVAL_RUNTIME_DIR"]
    subprocess.run([sys.executable, "-m", "planeval.pipeline.zygote", "--stop"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        running = subprocess.run(["pgrep", "-f", f"planeval.pipeline.zygote .*{folder}"], capture_output=True).stdout
        if not running.strip():
            return
        time.sleep(0.05)
    raise RuntimeError(f"kept-warm zygotes in {folder} did not end within 20 s")


def run_all_cmd(code: Path, plan: Path, out: Path, year: int, extra: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, str(code / "run_all.py"), "--year", str(year), "--plan", str(plan), "--out", str(out),
            *extra]


def import_profile(cmd: list[str], env: dict, cwd: Path, top: int = 6) -> dict:
    """One extra warm run under ``-X importtime`` (not timed): the slowest top-level imports."""
    r = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=cwd, env=env, capture_output=True, text=True)
    total: dict[str, int] = {}
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m[2]) <= 1:  # top level: indented by one space at most
            total[m[3].split(".")[0]] = total.get(m[3].split(".")[0], 0) + int(m[1])
    ranked = sorted(total.items(), key=lambda kv: -kv[1])[:top]
    return {"total_import_s": round(sum(total.values()) / 1e6, 3),
            "top_level_imports_s": {name: round(us / 1e6, 3) for name, us in ranked}}


PROBE = """
import json, re, subprocess, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

def pages(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout  # poppler (sysdeps.sh)
    return int(re.search(r"^Pages:\\s+(\\d+)", info, re.M)[1])

def weasy(html, pdf):
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher
    t = time.perf_counter()
    HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(pdf)
    return time.perf_counter() - t

if __name__ == "__main__":
    plan_path, folder, year, lang = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    out, timings = folder.parent, {}
    t = time.perf_counter()
    from planeval.presentation import report, typst
    from planeval.inputs.plan import load_plan
    from planeval.inputs.data import load_dataset
    timings["import_report_typst_s"] = time.perf_counter() - t
    loaded = load_plan(plan_path)
    results = folder / "results"
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(results.glob("*.json"))
               if p.stem in {i.id for i in loaded.plan.indicators}]
    figures = {p.stem: p for p in results.glob("*.png")}
    args = dict(plan=loaded, dataset=load_dataset(loaded).as_of(year), records=records, figures=figures,
                config=loaded.plan.method_config, year=year, lang=lang,
                meta={"commit": None, "data_hash": None, "data_cutoff": None})
    t = time.perf_counter(); view = report.report_view(**args); timings["report_view_s"] = time.perf_counter() - t
    t = time.perf_counter(); html = report.render_html(view); timings["render_html_s"] = time.perf_counter() - t
    for k in (1, 2):  # the first includes scanning the fonts
        t = time.perf_counter(); typst.write_pdf(view, out / "probe.typst.pdf"); timings[f"typst_pdf_{k}_s"] = time.perf_counter() - t
    timings["typst_pages"] = pages(out / "probe.typst.pdf")
    # The candidates it replaced, on the same HTML: WeasyPrint on the whole page (the previous print path),
    # and WeasyPrint on two halves of the page (split between sections) in two processes at once.
    t = time.perf_counter()
    from weasyprint import HTML  # noqa: F401
    timings["import_weasyprint_s"] = time.perf_counter() - t
    timings["weasyprint_pdf_s"] = weasy(html, out / "probe.weasy.pdf")
    timings["weasyprint_pages"] = pages(out / "probe.weasy.pdf")
    head, body = html.split("<body>", 1)
    parts = re.split(r'(?=<section id=")', body)
    sizes = [len(p) for p in parts]
    cut = next(i for i in range(1, len(parts)) if sum(sizes[:i]) >= sum(sizes) / 2)
    halves = [head + "<body>" + "".join(parts[:cut]) + "</body></html>", head + "<body>" + "".join(parts[cut:])]
    t = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(weasy, halves, [out / "probe.half1.pdf", out / "probe.half2.pdf"]))
    timings["weasyprint_halves_2_processes_s"] = time.perf_counter() - t
    print(json.dumps({k: round(v, 2) for k, v in timings.items()} | {"html_mb": round(len(html.encode()) / 1e6, 2)}))
"""


def assembly_probe(plan: Path, report_dir: Path, year: int, env: dict, cwd: Path, lang: str = "en") -> dict | None:
    """In a fresh process, one language's report (from the cold run's records and charts) alone: import,
    report_view, render_html, the Typst PDF (twice), and the print paths it replaced (WeasyPrint whole,
    WeasyPrint by halves in two processes) on the same page: the candidates measured on this machine."""
    if not (report_dir / "results").is_dir():
        return None
    r = subprocess.run([sys.executable, "-c", PROBE, str(plan), str(report_dir), str(year), lang], cwd=cwd, env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["?"])[-1]}
    return {"lang": lang, **json.loads(r.stdout.strip().splitlines()[-1])}


def interpreter_startup(env: dict, cwd: Path) -> float:
    times = []
    for _ in range(3):
        s = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], cwd=cwd, env=env, check=True)
        times.append(time.perf_counter() - s)
    return round(statistics.median(times), 3)


def fmt_busy(busy: list[float] | None) -> str:
    return "n/a" if not busy else " / ".join(f"{b:.0%}" for b in busy)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=3, help="rounds of the scenarios (each round: baseline, cold, warm, one change); medians are reported (default 3)")
    p.add_argument("--quick", action="store_true", help="1 round, scale run with 25 and 50 indicators")
    p.add_argument("--year", type=int, default=2023)
    p.add_argument("--scale", default=None, metavar="N,N,...",
                   help="indicator counts of the SYNTHETIC scale run (default 25,50,100,200; quick 25,50; 0 = skip)")
    p.add_argument("--scale-lang", default="both", help="--lang for the scale run (default both languages, as a report)")
    p.add_argument("--no-baseline", action="store_true", help="skip the (slow) naive baseline")
    p.add_argument("--snapshot", action="store_true",
                   help="run a copy of the code (run_all.py, planeval/, notebooks/) taken at the start, so that "
                        "edits made to the working tree during the bench cannot invalidate the cache")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--no-probe", action="store_true",
                   help="skip the assembly probe (import + one PDF alone, ~10 s, after the cold runs)")
    p.add_argument("--plans", type=int, default=0, metavar="N",
                   help="also run N SYNTHETIC plans in one run_all.py (default 0: skip; the issue's scale run is 20)")
    p.add_argument("--plans-indicators", type=int, default=25, metavar="M", help="indicators per plan (default 25)")
    p.add_argument("--plans-only", action="store_true", help="run only the many-plans scenario (needs --plans)")
    p.add_argument("--keep-warm", type=float, default=10, metavar="MINUTES",
                   help="run_all.py's --keep-warm for every run (default 10, run_all.py's own default)")
    args = p.parse_args(argv)
    repeat = 1 if args.quick else max(1, args.repeat)
    scale = [int(n) for n in (args.scale or ("25,50" if args.quick else "25,50,100,200")).split(",") if int(n) > 0]

    tmp = Path(tempfile.mkdtemp(prefix="planeval-bench-"))
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # as `make report`: the kernels choose their own backend
    env["PLANEVAL_RUNTIME_DIR"] = str(tmp / "run")  # the zygotes run_all.py keeps warm: the bench's own
    env["PLANEVAL_KEEP_WARM"] = str(args.keep_warm)
    code = ROOT
    if args.snapshot:
        code = snapshot_code(tmp / "code")
        env["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [env.get("PYTHONPATH")])])
    started = dt.datetime.now().astimezone()
    machine = {"cores": NCPU, "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor()),
               "python": platform.python_version(), "platform": platform.platform(),
               "load_average_at_start": tuple(round(x, 2) for x in os.getloadavg()), "cores_busy_before_start_1s": background_busy()}
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    log(f"planeval bench {started:%Y-%m-%d %H:%M %Z}: {NCPU} cores ({machine['cpu']}), load average "
        f"{machine['load_average_at_start'][0]:.2f}, cores busy before start {fmt_busy(machine['cores_busy_before_start_1s'])}; "
        f"code {'snapshot of ' if args.snapshot else ''}{commit}; repeat {repeat}; work folder {tmp}")
    if max(machine["cores_busy_before_start_1s"]) > 0.3:
        log("WARNING: the cores were already busy before the bench started (other users' processes): every time "
            "below is inflated, and the parallel scenarios (which want both cores) more than the serial baseline.")
    results: dict = {"date": started.isoformat(timespec="seconds"), "machine": machine, "commit": commit,
                     "options": {"repeat": repeat, "quick": args.quick, "year": args.year, "scale": scale,
                                 "scale_lang": args.scale_lang, "snapshot": args.snapshot},
                     "scenarios": {}, "scale": []}
    if args.plans_only:
        try:
            with Sampler() as sampler:
                results["plans"] = many_plans(args, tmp, code, env, sampler)
            machine["load_average_at_end"] = tuple(round(x, 2) for x in os.getloadavg())
        finally:
            if not args.keep:
                shutil.rmtree(tmp, ignore_errors=True)
        report_plans(results)
        save(results, "results-plans.json")
        return 0
    try:
        plan = copy_plan(tmp / "plan")
        n_ind = len(identified(plan))
        with Sampler() as sampler:
            # Rounds, not blocks: round k runs the baseline, then cold, warm and the two one-change
            # scenarios, so every scenario samples the machine at the same times as its baseline. This
            # machine's speed drifts by a third within a quarter of an hour (baselines of 88, 105, 116 s
            # in one bench); all baselines first and all cold runs after would put the drift into the ratios.
            change = OneChange(plan, args.year)
            one_change = (("one change", False), ("one change, nothing kept warm", True))
            runs: dict[str, list] = {name: [] for name in ("baseline", "cold", "warm", *(n for n, _ in one_change))}
            probe: dict | None = None
            warm_profile: dict = {}
            for k in range(repeat):
                # ---- baseline
                if not args.no_baseline:
                    log(f"baseline {k + 1}/{repeat}: papermill CLI x {n_ind}, nbconvert CLI x {n_ind}, WeasyPrint x {n_ind} ...")
                    s = time.perf_counter()
                    b = baseline(plan, tmp / f"baseline-{k}", code, env, args.year)
                    b["cores_busy"] = sampler.busy(s, time.perf_counter())
                    runs["baseline"].append(b)
                    log(f"  {b['seconds']:.1f} s  {b['phases']}")

                # ---- cold: empty cache and no report, every round
                out = tmp / f"out-cold-{k}"  # warm and one change of this round continue from it
                cmd = run_all_cmd(code, plan, out, args.year)  # every run_all.py of the round
                log(f"cold {k + 1}/{repeat}: run_all.py, empty cache ...")
                stop_kept_warm(env)
                r = run_timed(cmd, env, ROOT, sampler)
                check(r, "run_all cold")
                a = analyse(r, sampler)
                runs["cold"].append(a)
                log(f"  {a['seconds']:.1f} s, {a['executed']} executed; cores busy {fmt_busy(a['cores_busy'])} "
                    f"(notebook phase {fmt_busy(a.get('cores_busy_notebook_phase'))}), own CPU {a['cpu_utilisation']:.0%} of {NCPU} cores")
                if k == repeat - 1 and not args.no_probe:
                    probe = assembly_probe(plan, out / str(args.year), args.year, env, ROOT)
                    log(f"  assembly probe (one language, alone, not timed above): {probe}")

                # ---- warm: nothing changed
                log(f"warm {k + 1}/{repeat}: run_all.py, nothing changed ...")
                r = run_timed(cmd, env, ROOT, sampler)
                check(r, "run_all warm")
                a = analyse(r)
                a["valid"] = a["up_to_date"]
                if not a["valid"]:
                    a["invalid_because"] = (f"did not say 'up to date' ({a['executed']} executed): did the code change "
                                            "during the bench? (--snapshot avoids that)")
                runs["warm"].append(a)
                log(f"  {a['seconds']:.2f} s, {'up to date' if a['up_to_date'] else 'NOT up to date'}")
                if k == repeat - 1:  # where a nothing-changed run's time goes: interpreter and imports
                    warm_profile = {"python_startup_s": interpreter_startup(env, ROOT), "imports": import_profile(cmd, env, ROOT)}
                    log(f"  bare interpreter start {warm_profile['python_startup_s']:.2f} s; imports {warm_profile['imports']}")

                # ---- one change: after a run that kept its zygote warm (the default), and after none did
                for name, cold_kernels in one_change:
                    value = change.apply(k + 1 + (repeat if cold_kernels else 0))
                    if cold_kernels:
                        stop_kept_warm(env)
                    log(f"{name} {k + 1}/{repeat}: {change.indicator} {change.period} {change.original} -> {value} "
                        f"({change.path.name} line {change.row + 1}) ...")
                    r = run_timed(cmd, env, ROOT, sampler)
                    check(r, f"run_all {name}")
                    a = analyse(r, sampler)
                    ran = sorted(n["id"] for n in a["notebooks"])
                    a["valid"] = ran == sorted([change.indicator, "summary"])
                    if not a["valid"]:
                        a["invalid_because"] = f"expected {change.indicator} + summary to run, ran {ran or 'nothing'}"
                    runs[name].append(a)
                    log(f"  {a['seconds']:.1f} s, executed {ran} {'(as expected)' if a['valid'] else '(UNEXPECTED)'}")
                change.restore()  # the next round's cold run starts from the plan's own data

            for name, rs in runs.items():
                if rs:
                    results["scenarios"][name] = {"median_s": statistics.median(r["seconds"] for r in rs), "runs": rs}
            for name, _ in one_change:
                results["scenarios"][name]["changed"] = {"indicator": change.indicator, "period": change.period,
                                                         "file": change.path.name, "line": change.row + 1}
            if probe is not None:
                results["scenarios"]["cold"]["assembly_probe"] = probe
            results["scenarios"]["warm"].update(warm_profile)

            # ---- scale: SYNTHETIC benchmark plans of N indicators
            for n in scale:
                plan_n = synthetic.write_plan(tmp / f"synthetic-{n}", n, year=args.year)
                log(f"scale {n}: run_all.py --lang {args.scale_lang}, SYNTHETIC benchmark plan of {n} indicators, cold ...")
                stop_kept_warm(env)
                lang_args = () if args.scale_lang == "both" else ("--lang", args.scale_lang)
                r = run_timed(run_all_cmd(code, plan_n, tmp / f"out-synthetic-{n}", args.year, lang_args), env, ROOT, sampler)
                check(r, f"run_all scale {n}")
                a = analyse(r, sampler)
                nb = a.get("indicator_notebooks", {})
                a.update(indicators=n, s_per_indicator=round(a["seconds"] / n, 3),
                         notebook_phase_s_per_indicator=round(nb["phase_wall_s"] / n, 3) if nb else None)
                results["scale"].append(a)
                log(f"  {a['seconds']:.1f} s = {a['s_per_indicator']:.2f} s/indicator, peak memory {a['peak_rss_mb']} MB (notebook phase "
                    f"{a['notebook_phase_s_per_indicator']} s/indicator); cores busy {fmt_busy(a['cores_busy'])}, "
                    f"notebook phase {fmt_busy(a.get('cores_busy_notebook_phase'))}")
            if args.plans:
                results["plans"] = many_plans(args, tmp, code, env, sampler)
        machine["load_average_at_end"] = tuple(round(x, 2) for x in os.getloadavg())
    finally:
        stop_kept_warm(env)
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    report(results)
    if "plans" in results:
        report_plans(results)
    save(results, "results.json")
    return 0


def save(results: dict, name: str) -> None:
    dest = HERE / "out" / name
    dest.parent.mkdir(exist_ok=True)
    dest.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    log(f"\nwrote {dest.relative_to(ROOT)}")


WROTE_LINE = re.compile(r"^\[([^\]]+)\] wrote ")


def many_plans(args: argparse.Namespace, tmp: Path, code: Path, env: dict, sampler: Sampler) -> dict:
    """N SYNTHETIC plans of M indicators in one run_all.py (a folder of plans), cold."""
    n, m = args.plans, args.plans_indicators
    for k in range(n):
        synthetic.write_plan(tmp / "plans", m, seed=k + 1, year=args.year, plan_id=f"synthetic_plan_{k + 1:02d}")
    log(f"plans: run_all.py --lang {args.scale_lang}, {n} SYNTHETIC plans x {m} indicators = {n * m} notebooks, cold ...")
    lang_args = () if args.scale_lang == "both" else ("--lang", args.scale_lang)
    stop_kept_warm(env)
    r = run_timed(run_all_cmd(code, tmp / "plans" / "params", tmp / "out-plans", args.year, lang_args),
                  env, ROOT, sampler)
    check(r, f"run_all {n} plans")
    wrote = [(t, m_.group(1)) for t, text in r["lines"] if (m_ := WROTE_LINE.match(text))]
    ends = [t for t, _ in wrote]
    per_plan = [round(b - a, 2) for a, b in zip([0.0, *ends], ends)]  # first: includes start-up and the first kernels
    a = {"plans": n, "indicators_per_plan": m, "notebooks": n * m, "seconds": r["seconds"],
         "s_per_notebook": round(r["seconds"] / (n * m), 3), "cpu_seconds": r["cpu_seconds"],
         "cpu_per_wall": round(r["cpu_seconds"] / r["seconds"], 2), "cores_busy": r.get("cores_busy"),
         "per_plan_s": per_plan, "first_plan_s": per_plan[0] if per_plan else None,
         "later_plans_median_s": statistics.median(per_plan[1:]) if len(per_plan) > 1 else None,
         "peak_rss_mb_children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
    log(f"  {a['seconds']:.1f} s = {a['s_per_notebook']:.2f} s/notebook (PDF and all included); own CPU "
        f"{a['cpu_seconds']:.0f} s = {a['cpu_per_wall']:.2f} cores busy on average; cores busy (system-wide) "
        f"{fmt_busy(a['cores_busy'])}")
    return a


def report_plans(results: dict) -> None:
    a = results["plans"]
    log(f"\nmany plans in one run: {a['plans']} SYNTHETIC plans x {a['indicators_per_plan']} indicators = "
        f"{a['notebooks']} notebooks, cold, --lang {results['options']['scale_lang']}")
    log(f"  {a['seconds']:.1f} s wall, {a['s_per_notebook']:.3f} s/notebook (whole run: notebooks, summaries, HTML, PDF)")
    log(f"  own CPU {a['cpu_seconds']:.0f} s / wall {a['seconds']:.0f} s = {a['cpu_per_wall']:.2f} of "
        f"{results['machine']['cores']} cores busy on average; system-wide {fmt_busy(a['cores_busy'])}")
    log(f"  each plan: first {a['first_plan_s']} s (with start-up), later plans median {a['later_plans_median_s']} s; "
        f"all: {a['per_plan_s']}")
    log(f"  peak memory of one child process (largest RSS) {a['peak_rss_mb_children']} MB")


def report(results: dict) -> None:
    sc = results["scenarios"]
    base = sc.get("baseline", {}).get("median_s")
    n = results["options"]["repeat"]
    log(f"\n== planeval bench, {results['date']}, {results['machine']['cores']} cores, median of {n} run(s) ==")
    log(f"{'scenario':<29} {'median s':>9} {'x baseline':>11}  {'target':<18} result")
    for name in ("baseline", "cold", "warm", "one change", "one change, nothing kept warm"):
        if name not in sc:
            continue
        s = sc[name]
        ratio = s["median_s"] / base if base else None
        target, max_ratio, max_s = TARGETS.get(name, ("", None, None))
        if name == "baseline" or (max_ratio is None and max_s is None):  # no target: shown for comparison
            verdict = ""
        elif not all(r.get("valid", True) for r in s["runs"]):
            verdict = "INVALID: " + next(r["invalid_because"] for r in s["runs"] if not r.get("valid", True))
        elif max_ratio is not None and ratio is None:
            verdict = "n/a (no baseline)"
        else:
            ok = (ratio <= max_ratio) if max_ratio is not None else (s["median_s"] <= max_s)
            need = max_ratio * base if max_ratio is not None else max_s
            verdict = "pass" if ok else f"FAIL ({s['median_s'] / need:.1f}x over: {s['median_s'] - need:.1f} s too slow)"
        s["target"], s["ratio_to_baseline"], s["result"] = target, ratio and round(ratio, 3), verdict
        log(f"{name:<29} {s['median_s']:>9.2f} {(f'{ratio:.3f}' if ratio else '-'):>11}  {target:<18} {verdict}")

    rounds = [r["seconds"] for r in sc.get("baseline", {}).get("runs", [])]
    if len(rounds) > 1:
        log("per round (each run / the baseline of its own round): " + "; ".join(
            f"{name} " + ", ".join(f"{r['seconds'] / b:.3f}" for r, b in zip(sc[name]["runs"], rounds))
            for name in ("cold", "one change", "one change, nothing kept warm") if name in sc))
    if "one change" in sc:
        log("(one change: after a run that kept its zygote warm, as run_all.py does by default; its kernels are not the "
            "run's children, so 'own process tree' below leaves them out)")
    log("\nwhere the time goes (last run of each scenario):")
    for name in ("baseline", "cold", "warm", "one change", "one change, nothing kept warm"):
        if name in sc:
            r = sc[name]["runs"][-1]
            log(f"  {name}: " + "; ".join(f"{k} {v:.2f} s" for k, v in r["phases"].items()))
            if r.get("per_notebook_s"):
                log(f"    per notebook: " + ", ".join(f"{k} {v:.2f} s" for k, v in r["per_notebook_s"].items()))
            if r.get("indicator_notebooks"):
                nb = r["indicator_notebooks"]
                log(f"    {nb['n']} indicator notebooks: mean {nb['mean_s']} s, max {nb['max_s']} s, first two "
                    f"(include kernel start) {nb['first_two_s']}, sum {nb['sum_s']} s over {nb['phase_wall_s']} s wall "
                    f"= parallelism {nb['parallelism']} "
                    f"(notebooks running at once, on average)")
            if r.get("cores_busy") and name == "baseline":
                log(f"    cores busy (system-wide) {fmt_busy(r['cores_busy'])}; own process tree used "
                    f"{r.get('cpu_utilisation', 0):.0%} of {results['machine']['cores']} cores")
            elif r.get("cores_busy"):
                log(f"    cores busy (system-wide) {fmt_busy(r['cores_busy'])}; notebook phase "
                    f"{fmt_busy(r.get('cores_busy_notebook_phase'))}; assembly phase {fmt_busy(r.get('cores_busy_assembly_phase'))}; "
                    f"own process tree used {r.get('cpu_utilisation', 0):.0%} of {results['machine']['cores']} cores")
    probe = sc.get("cold", {}).get("assembly_probe")
    if probe and "typst_pdf_1_s" in probe:
        log(f"    assembly probe, report.{probe['lang']} alone in a fresh process: import report + typst "
            f"{probe['import_report_typst_s']:.2f} s; report_view {probe['report_view_s']:.2f} s; render_html "
            f"{probe['render_html_s']:.2f} s ({probe['html_mb']} MB)")
        log(f"    print path candidates on that report: Typst {probe['typst_pdf_1_s']:.2f} s first / "
            f"{probe['typst_pdf_2_s']:.2f} s again ({probe['typst_pages']} pages); WeasyPrint (import "
            f"{probe['import_weasyprint_s']:.2f} s) {probe['weasyprint_pdf_s']:.2f} s ({probe['weasyprint_pages']} pages); "
            f"WeasyPrint by halves in 2 processes {probe['weasyprint_halves_2_processes_s']:.2f} s (without merging)")
    elif probe:
        log(f"    assembly probe: {probe}")
    for name in ("cold", "one change", "one change, nothing kept warm"):
        if name in sc:
            log(f"    peak memory (RSS of the whole process tree), {name}: "
                + ", ".join(f"{r.get('peak_rss_mb')} MB" for r in sc[name]["runs"]))
    if "warm" in sc:
        w = sc["warm"]
        log(f"    warm: bare interpreter start {w['python_startup_s']:.2f} s; imports {w['imports']['total_import_s']:.2f} s, "
            f"top: " + ", ".join(f"{k} {v:.2f}" for k, v in w["imports"]["top_level_imports_s"].items()))
    if results["scale"]:
        log(f"\nscale run: SYNTHETIC benchmark plan (invented indicators, bench/synthetic.py), cold, "
            f"--lang {results['options']['scale_lang']}")
        log(f"{'indicators':>10} {'total s':>8} {'s/ind':>6} {'nb-phase s/ind':>15} {'nb mean s':>10} {'cores busy (run)':>17} "
            f"{'(nb phase)':>12} {'own CPU':>8} {'peak MB':>8}  HTML+PDF s")
        for a in results["scale"]:
            nb = a.get("indicator_notebooks", {})
            pdf = round(sum(a["phases"].get(k, 0.0) for k in (SUMMARY_PHASE, PDF_PHASE)), 2)
            log(f"{a['indicators']:>10} {a['seconds']:>8.1f} {a['s_per_indicator']:>6.2f} "
                f"{a['notebook_phase_s_per_indicator']!s:>15} {nb.get('mean_s', '-')!s:>10} {fmt_busy(a['cores_busy']):>17} "
                f"{fmt_busy(a.get('cores_busy_notebook_phase')):>12} {a['cpu_utilisation']:>8.0%} {a.get('peak_rss_mb')!s:>8}  {pdf}")
        first, last = results["scale"][0], results["scale"][-1]
        if first is not last and first["notebook_phase_s_per_indicator"]:
            growth = last["notebook_phase_s_per_indicator"] / first["notebook_phase_s_per_indicator"]
            total = last["s_per_indicator"] / first["s_per_indicator"]
            results["scale_flatness"] = {"notebook_phase": round(growth, 3), "total": round(total, 3)}
            log(f"  s/indicator at {last['indicators']} vs {first['indicators']} indicators: notebook phase x{growth:.2f}, "
                f"whole run x{total:.2f} (1.0 = flat; the whole run includes fixed start-up and the PDF)")
    log(f"\nmachine: {results['machine']['cpu']}, {results['machine']['cores']} cores, load average at start "
        f"{results['machine']['load_average_at_start'][0]:.2f}, at end {results['machine'].get('load_average_at_end', ['?'])[0]}; "
        "cores-busy figures are system-wide (other users' processes included).")


if __name__ == "__main__":
    sys.exit(main())
