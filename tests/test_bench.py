"""bench/run.py's table: medians, ratios to the baseline, each round's own ratios and the verdicts.

The seconds below are made up (no run is timed here); the ratios are worked out by hand."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench_run():
    """bench/run.py as a module. It puts bench/ first on sys.path and imports bench/synthetic.py as
    ``synthetic``, a name tests/synthetic.py also has: both are put back as they were."""
    path, synthetic = list(sys.path), sys.modules.get("synthetic")
    try:
        spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path
        if synthetic is None:
            sys.modules.pop("synthetic", None)
        else:
            sys.modules["synthetic"] = synthetic
    return module


def _results(baseline: list[float], cold: list[float], one_change: list[float]) -> dict:
    def scenario(seconds: list[float]) -> dict:
        ordered = sorted(seconds)
        return {"median_s": ordered[len(ordered) // 2], "runs": [{"seconds": s, "phases": {}} for s in seconds]}

    return {"date": "2026-12-01T00:00:00+00:00", "options": {"repeat": len(baseline)}, "scale": [],
            "machine": {"cores": 2, "cpu": "test", "load_average_at_start": (0.0, 0.0, 0.0)},
            "scenarios": {"baseline": scenario(baseline), "cold": scenario(cold), "one change": scenario(one_change)}}


def test_the_table_shows_each_rounds_own_ratio_beside_the_median_ratio(capsys):
    bench = _bench_run()
    # Baselines 100, 120, 110 s: median 110. Cold 10, 9, 12 s: median 10 = 0.091 x; rounds 10/100,
    # 9/120, 12/110. One change 5, 6.6, 5.4 s: median 5.4 = 0.049 x; rounds 5/100, 6.6/120, 5.4/110.
    results = _results([100, 120, 110], [10, 9, 12], [5, 6.6, 5.4])
    bench.report(results)
    out = capsys.readouterr().out
    assert "per round (each run / the baseline of its own round): cold 0.100, 0.075, 0.109; one change 0.050, 0.055, 0.049" in out
    assert results["scenarios"]["cold"]["ratio_to_baseline"] == 0.091
    assert results["scenarios"]["cold"]["result"] == "pass"
    assert results["scenarios"]["one change"]["ratio_to_baseline"] == 0.049
    assert results["scenarios"]["one change"]["result"] == "pass"


def test_a_median_over_its_target_fails_and_says_by_how_much(capsys):
    bench = _bench_run()
    # One change 6, 6.5, 5.9 s: median 6 against 0.05 x 110 = 5.5 s allowed: 1.09 x over, 0.5 s too slow.
    results = _results([100, 120, 110], [10, 9, 12], [6, 6.5, 5.9])
    bench.report(results)
    capsys.readouterr()
    assert results["scenarios"]["one change"]["result"] == "FAIL (1.1x over: 0.5 s too slow)"
    assert results["scenarios"]["cold"]["result"] == "pass"
