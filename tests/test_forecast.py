"""The forecast (METHOD.md, "Forecast") and the as-of discipline, on SYNTHETIC series."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planeval.evaluate import evaluate
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


@pytest.mark.parametrize("years, with_ets", [
    (range(2016, 2024), True),  # 8 consecutive points
    (range(2017, 2024), False),  # 7 points
    ([2014, 2015, 2016, 2017, 2018, 2020, 2021, 2022, 2023], False),  # 9 points with a gap (no 2019)
])
def test_ets_needs_eight_consecutive_points(tmp_path, years, with_ets):
    f = run(tmp_path, indicator("s", "end_level", 150), rows("s", {y: RISING[y] for y in years}), 2023).forecast
    assert f.fit_years == list(years)
    assert f.models == ["rw_drift", "linear_trend"] + (["ets_damped"] if with_ets else [])
    assert set(f.probability_by_model) == set(f.models)


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


def test_inflating_the_spread_pulls_p_towards_one_half(tmp_path):
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
