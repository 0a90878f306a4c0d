"""The forecast (METHOD.md, "Forecast") and the as-of discipline, on SYNTHETIC series."""

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planeval.method import calibrated
from planeval.method import forecast as fc
from planeval.inputs.config import DEFAULT
from planeval.method.evaluate import evaluate
from synthetic import build, indicator, rows, run


def wiggle(y: int) -> float:
    """A fixed ±2% zig-zag so the fits have residuals (cycle of 5 years: −2, 0, +2, −1, +1 %)."""
    return 1 + 0.01 * [-2, 0, 2, -1, 1][y % 5]


RISING = {y: 100 * 1.03 ** (y - 2014) * wiggle(y) for y in range(2014, 2024)}  # +3% a year, 10 points
FALLING = {y: 200 * 0.95 ** (y - 2014) * wiggle(y) for y in range(2014, 2024)}  # −5% a year


@pytest.mark.parametrize("ind, values, expect_high", [
    (indicator("j", "floor_each_year", 10), RISING, True),  # ~100–130 every year against a floor of 10
    (indicator("s", "end_level", 1000), FALLING, False),  # ~120 and falling against a level of 1000
])
def test_certain_outcomes_give_extreme_probabilities(tmp_path, ind, values, expect_high):
    f = run(tmp_path, ind, rows(ind["id"], values), 2023).forecast
    if expect_high:
        assert f.probability >= 0.99 and f.likelihood.code == "very_likely"
    else:
        assert f.probability <= 0.01 and f.likelihood.code == "very_unlikely"


@pytest.mark.parametrize("years, models", [
    (range(2016, 2024), ["rw_drift", "linear_trend", "theta"]),  # 8 consecutive points
    (range(2019, 2024), ["rw_drift", "linear_trend", "theta"]),  # 5 consecutive points
    ([2014, 2015, 2016, 2017, 2018, 2020, 2021, 2022, 2023], ["rw_drift", "linear_trend"]),  # a gap: no Theta
])
def test_theta_needs_consecutive_years(tmp_path, years, models):
    f = run(tmp_path, indicator("s", "end_level", 150), rows("s", {y: RISING[y] for y in years}), 2023).forecast
    assert f.fit_years == list(years)
    assert f.models == models
    assert set(f.probability_by_model) == set(f.models)


@pytest.mark.parametrize("years, with_ets", [
    (range(2016, 2024), True),  # 8 consecutive points
    (range(2017, 2024), False),  # 7 points
    ([2014, 2015, 2016, 2017, 2018, 2020, 2021, 2022, 2023], False),  # 9 points with a gap (no 2019)
])
def test_ets_when_asked_for_needs_eight_consecutive_points(years, with_ets):
    config = DEFAULT.with_overrides({"models": "rw_drift,linear_trend,theta,ets_damped"})
    theta = [] if 2019 not in years else ["theta"]
    assert fc.models_for(np.array(list(years)), config) == ["rw_drift", "linear_trend"] + theta + (
        ["ets_damped"] if with_ets else [])


def test_fewer_than_five_points_give_no_forecast(tmp_path):
    record = run(tmp_path, indicator("s", "end_level", 150), rows("s", {y: RISING[y] for y in range(2020, 2024)}), 2023)
    assert record.forecast is None
    assert "too_few_points" in [m.code for m in record.reasons]
    assert record.pace is not None  # pace needs only 2 points: it is still given


@pytest.mark.parametrize("ind", [indicator("s", "end_level", 145), indicator("t", "cumulative", 700)])
def test_interval_contains_the_point_forecast(tmp_path, ind):
    f = run(tmp_path, ind, rows(ind["id"], RISING), 2023).forecast
    assert f.low < f.point < f.high
    assert f.year == 2025 and sorted(f.fan) == ["2024", "2025"]
    low, mid, high = f.fan["2025"]
    assert low < mid < high


def test_calibrated_spread_pulls_p_towards_one_half(tmp_path):
    # The learned spread two years ahead is wider than the models' own ("uninflated") for 10 points.
    # Level ~137 expected in 2025 against 145: a clear "unlikely", not a certainty either way.
    f = run(tmp_path, indicator("s", "end_level", 145), rows("s", RISING), 2023).forecast
    assert 0.02 < f.probability < 0.5
    assert abs(f.probability_uninflated - 0.5) > abs(f.probability - 0.5)


def test_same_inputs_same_bytes(tmp_path):
    ind = indicator("s", "end_level", 145)
    first = run(tmp_path / "a", ind, rows("s", RISING), 2023).to_json()
    loaded, data = build(tmp_path / "b", [ind], rows("s", RISING))
    plan = loaded.plan
    again = [evaluate(plan, plan.indicators[0], data, 2023, plan.method_config).to_json() for _ in range(2)]
    assert again == [first, first]
    assert '"probability": null' not in first  # the forecast is really there and compared


LATER = rows("s", {2024: 1.0, 2025: 1e6}) + rows("s", {"2024-01/2024-06": 5.0}, kind="partial")


@pytest.mark.parametrize("ind", [
    indicator("s", "end_level", 145), indicator("s", "floor_each_year", 100), indicator("s", "cumulative", 700),
])
def test_later_rows_never_change_an_earlier_record(tmp_path, ind):
    before = run(tmp_path / "before", ind, rows("s", RISING), 2023).to_json()
    after = run(tmp_path / "after", ind, rows("s", RISING) + LATER, 2023).to_json()
    assert after == before
    # ... while the 2024 record does see the row (the test can fail)
    assert run(tmp_path / "after", ind, rows("s", RISING) + LATER, 2024).to_json() != before


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["end_level", "floor_each_year", "cumulative", "increase", "ceiling_each_year"]),
    start=st.integers(2012, 2021),
    values=st.lists(st.floats(1, 1000, allow_nan=False), min_size=12, max_size=12),
    later=st.lists(st.floats(0.5, 2000, allow_nan=False), min_size=1, max_size=2),
    year=st.integers(2021, 2024),
)
def test_as_of_property(kind, start, values, later, year):
    """Rows for periods after ``year`` never change the record of ``year``."""
    ind = indicator("s", kind, 300)
    known = rows("s", {y: round(v, 3) for y, v in zip(range(start, year + 1), values)})
    extra = rows("s", {year + 1 + i: round(v, 3) for i, v in enumerate(later)})
    fast = {"plan_extra": {"method": {"paths_per_model": 200}}}
    with tempfile.TemporaryDirectory() as tmp:
        before = run(Path(tmp) / "a", ind, known, year, **fast).to_json()
        after = run(Path(tmp) / "b", ind, known + extra, year, **fast).to_json()
    assert after == before


# --- The entry point and the recalibration (planeval/method/forecast.py), on synthetic arrays. ---

FAST_CONFIG = DEFAULT.with_overrides({"paths_per_model": 300})


def test_predictive_paths_is_the_recalibrated_pool_in_the_indicators_unit():
    years = np.arange(2014, 2024)
    values = np.array([RISING[y] for y in years])
    horizon = np.array([2024, 2025])
    paths = fc.predictive_paths(years, values, horizon, "log", FAST_CONFIG)
    models = fc.models_for(years, FAST_CONFIG)
    assert paths.shape == (300 * len(models), 2)
    scale, raw = fc.raw_paths(years, values, horizon, "log", FAST_CONFIG)
    expected = np.exp(fc.recalibrate(np.concatenate(list(raw.values())), fc.error_quantiles(np.array([1, 2]), 10)))
    np.testing.assert_allclose(paths, expected)
    np.testing.assert_array_equal(paths, fc.simulate(years, values, horizon, "log", FAST_CONFIG).pooled)
    assert (paths > 0).all()  # the log scale keeps a positive count positive


def test_recalibrate_moves_each_quantile_to_the_learned_multiple_of_the_band():
    # One column 0, 1, …, 999: median 499.5, 10% 99.9, 90% 899.1. A learned row twice the band:
    # the 90% path ends at 499.5 + 2·(899.1 − 499.5) = 1298.7, the 10% one at 499.5 − 2·399.6 = −299.7.
    z = np.arange(1000.0)[::-1].reshape(-1, 1)  # order reversed: ranks, not positions, decide
    row = 2 * np.interp(calibrated.LEVELS, [0.1, 0.5, 0.9], [-1.0, 0.0, 1.0], left=-1.0, right=1.0)
    row = np.where(np.array(calibrated.LEVELS) < 0.1, -2.0, np.where(np.array(calibrated.LEVELS) > 0.9, 2.0, row))
    out = fc.recalibrate(z, row.reshape(1, -1))
    assert np.quantile(out, 0.9) == pytest.approx(1298.7, abs=2.0)
    assert np.quantile(out, 0.1) == pytest.approx(-299.7, abs=2.0)
    assert np.median(out) == pytest.approx(499.5, abs=1.0)
    by_rank = out[np.argsort(z[:, 0]), 0]
    assert (np.diff(by_rank) >= 0).all() and by_rank[0] < by_rank[-1]  # each path keeps its rank (ties at the ends)
    assert fc.recalibrate(z, row.reshape(1, -1), stretch=0.5)[:, 0] == pytest.approx(
        499.5 + 0.5 * (out[:, 0] - 499.5))


def test_recalibrate_leaves_a_certain_column_alone():
    z = np.full((50, 1), 3.0)
    assert (fc.recalibrate(z, fc.error_quantiles(np.array([1]), 8)) == 3.0).all()


def test_error_quantiles_clamp_to_the_learned_lengths_and_horizons():
    table = calibrated.QUANTILES
    assert fc.error_quantiles(np.array([1, 9]), 3).tolist() == [list(table[5][0]), list(table[5][5])]
    assert fc.error_quantiles(np.array([2]), 30).tolist() == [list(table[12][1])]


def test_theta_model_point_forecast_by_hand():
    # An exact line z = 0.1·t: SES's best α is 1 (level = last value 0.7), the OLS slope 0.1, so the
    # Theta forecast is 0.7 + ½·0.1·(h − 1 + 1/α − 0) = 0.7 + 0.05·h (θ = 2 halves the trend).
    # The spread factor k = 0 leaves the point forecast alone.
    t = np.arange(8)
    z = 0.1 * t
    assert fc.ses_fit(z)[:2] == (1.0, pytest.approx(0.7))
    paths = fc.theta_paths(t, z, np.array([8, 10]), 5, 0.0, np.random.default_rng(0))
    np.testing.assert_allclose(paths, np.tile([0.7 + 0.05, 0.7 + 0.15], (5, 1)))
