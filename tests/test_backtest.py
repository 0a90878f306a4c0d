"""Rolling-origin backtest: series built so the answer is known, counts checked by hand."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from planeval.method.backtest import backtest, backtest_indicator, naive_scale, pool_results
from planeval.inputs.config import DEFAULT
from planeval.inputs.data import load_dataset
from planeval.inputs.plan import load_plan
from planeval.presentation.sentences import text

SYNTHETIC_PLAN = Path(__file__).parent / "fixtures" / "synthetic_plan" / "params" / "synthetic_plan.yaml"
# Fewer paths keep the tests quick; no ETS unless a test wants it (it is slow to fit and its damping
# biases the forecast of an exact straight line).
FAST = replace(DEFAULT, paths_per_model=400, min_points_ets=1000)


def test_an_exact_linear_trend() -> None:
    years = np.arange(2000, 2010)
    values = 10.0 + 2.5 * (years - 2000)
    result = backtest(years, values, "identity", FAST)
    # 10 consecutive points, min_train 5: origins at the 5th..9th point (2004..2008) forecast
    # 3, 3, 3, 2, 1 observed years ahead = 12 forecasts.
    assert result.n == 12
    assert [(f.origin, f.horizon) for f in result.forecasts][-3:] == [(2007, 1), (2007, 2), (2008, 1)]
    for model in ("rw_drift", "linear_trend", "theta", "pooled"):
        assert result.scores[model].n == 12
    for f in result.forecasts:
        last = 10.0 + 2.5 * (f.origin - 2000)
        # The models' own paths: the linear trend is exact, without spread; the random walk's drift
        # (2.5, without noise) is shrunk to a quarter (drift_shrinkage), also without spread.
        line, walk = f.by_model["linear_trend"], f.by_model["rw_drift"]
        assert line.low_uninflated == pytest.approx(f.actual) and line.high_uninflated == pytest.approx(f.actual)
        assert walk.low_uninflated == pytest.approx(last + 0.625 * f.horizon)
        assert walk.high_uninflated == pytest.approx(last + 0.625 * f.horizon)
        # Pooled, the trend is damped (shrunk drift, Theta's halved slope): below the line, above the last value.
        assert last < f.by_model["pooled"].point < f.actual
    assert result.scores["linear_trend"].coverage_uninflated == 1.0
    # The naive scale of a straight line is its slope: every one-step difference is 2.5.
    assert [f.naive_scale for f in result.forecasts] == pytest.approx([2.5] * 12)


def test_naive_scale_counts_a_gap_per_year() -> None:
    # |12 − 10| / 1 = 2 and |18 − 12| / 3 = 2 (a three-year gap): the mean is 2.
    assert naive_scale(np.array([2000, 2001, 2004]), np.array([10.0, 12.0, 18.0])) == pytest.approx(2.0)


def test_gapped_years_skip_horizons_without_a_value() -> None:
    years = np.array([2000, 2001, 2002, 2003, 2004, 2005, 2006, 2008, 2009])  # 2007 missing
    values = 50.0 + 3.0 * (years - 2000)
    result = backtest(years, values, "identity", FAST)
    # Origins with >= 5 points: 2004 -> 2005, 2006 (2007 missing) = 2; 2005 -> 2006, 2008 = 2;
    # 2006 -> 2008, 2009 = 2; 2008 -> 2009 = 1; 2009 -> nothing. Total 7.
    assert result.n == 7
    assert 2007 not in {f.year for f in result.forecasts}
    assert sorted({f.origin for f in result.forecasts}) == [2004, 2005, 2006, 2008]


def test_ets_counts_only_where_it_applies() -> None:
    config = replace(FAST, min_points_ets=8, models="rw_drift,linear_trend,theta,ets_damped")  # ETS asked for
    years = np.arange(1990, 2002)  # 12 points
    values = 100.0 * 1.03 ** (years - 1990) + np.where(years % 2 == 0, 0.5, -0.5)
    result = backtest(years, values, "log", config)
    # Origins k = 4..10 (0-based) give 3, 3, 3, 3, 3, 2, 1 = 18 forecasts; ETS needs 8 points,
    # i.e. origins k = 7..10: 3 + 3 + 2 + 1 = 9.
    assert result.scores["pooled"].n == 18
    assert result.scores["rw_drift"].n == 18
    assert result.scores["ets_damped"].n == 9
    # One-year-ahead: one per origin, 7 in all.
    assert result.by_horizon["1"]["pooled"].n == 7


def test_a_random_walk_is_covered_roughly_at_the_nominal_rate() -> None:
    inflated, plain = [], []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        values = 100.0 + np.cumsum(rng.normal(0.0, 1.0, 25))
        result = backtest(np.arange(1995, 2020), values, "identity", FAST)
        assert result.n == 57  # origins k = 4..23: 18 × 3 + 2 + 1 = 57
        score = result.scores["pooled"]
        inflated.append(score.coverage)
        plain.append(score.coverage_uninflated)
        # (The calibrated interval need not contain the models' own: one year ahead it is narrower on
        # the upper side, as real series taught it.)
        # One-step errors of a random walk are about as large as the naive ones: MASE near 1 at h = 1.
        assert 0.5 < result.by_horizon["1"]["rw_drift"].mase < 2.0
    # 6 × 57 = 342 forecasts (not independent): a loose band around the nominal 0.8.
    assert 0.65 <= float(np.mean(inflated)) <= 0.97
    assert 0.55 <= float(np.mean(plain)) <= 0.9


def test_too_short_gives_no_forecasts() -> None:
    years = np.arange(2010, 2015)  # 5 points: the only origin (2014) has nothing observed after it
    result = backtest(years, np.linspace(1.0, 2.0, 5), "identity", FAST)
    assert result.n == 0 and result.scores == {}
    assert result.to_dict()["forecasts"] == []


def test_min_train_moves_the_first_origin() -> None:
    years = np.arange(2000, 2008)
    values = 5.0 + 0.5 * (years - 2000)
    # min_train 3: origins 2002..2006 give 3, 3, 3, 2, 1 = 12; default 5: origins 2004..2006 give 3, 2, 1 = 6.
    assert backtest(years, values, "identity", FAST, min_train=3).n == 12
    assert backtest(years, values, "identity", FAST).n == 6
    # Only the 1-year horizon: origins 2004..2006 -> 3.
    assert backtest(years, values, "identity", FAST, horizons=(1,)).n == 3


@pytest.fixture(scope="module")
def synthetic():
    loaded = load_plan(SYNTHETIC_PLAN)
    return loaded.plan, load_dataset(loaded)


def test_indicator_backtest_uses_the_segment_after_a_break_and_the_as_of_cut(synthetic) -> None:
    plan, dataset = synthetic
    result, reason = backtest_indicator(plan, plan.indicator("members_stock"), dataset, 2018, FAST)
    assert reason is None and result is not None
    # A break in 2013 drops 2012; as of 2018 the points are 2013..2018 (6), so one origin (2017)
    # with one observed year ahead (2018).
    assert result.years == list(range(2013, 2019))
    assert [(f.origin, f.year, f.actual) for f in result.forecasts] == [(2017, 2018, 1090.0)]


def test_indicator_backtest_too_short_or_qualitative_gives_a_reason(synthetic) -> None:
    plan, dataset = synthetic
    # online_share has 2014..2018 as of 2018: 5 points, nothing after the only origin.
    result, reason = backtest_indicator(plan, plan.indicator("online_share"), dataset, 2018, FAST)
    assert result is None and reason is not None and reason.code == "backtest_too_short"
    assert "Only 5 annual point value(s)" in text(reason, "en")
    result, reason = backtest_indicator(plan, plan.indicator("benefit_rule"), dataset, 2018, FAST)
    assert result is None and reason is not None and reason.code == "backtest_qualitative"


def test_pooling_adds_up_the_indicators(synthetic) -> None:
    plan, dataset = synthetic
    results = [backtest_indicator(plan, plan.indicator(i), dataset, 2018, FAST)[0]
               for i in ("fund_increase", "activity_rate", "online_share")]
    # fund_increase 2013..2018: 1 forecast; activity_rate 2012..2018: origins 2016, 2017 -> 2 + 1 = 3;
    # online_share: none (None is skipped).
    assert [r.n if r else None for r in results] == [1, 3, None]
    pooled = pool_results(results)
    assert pooled["indicators"] == 2 and pooled["forecasts"] == 4
    assert pooled["scores"]["pooled"]["n"] == 4
    covered = sum(r.scores["pooled"].coverage * r.n for r in results if r)
    assert pooled["scores"]["pooled"]["coverage"] == pytest.approx(covered / 4)
    assert json.loads(json.dumps(pooled)) == pooled
    assert json.loads(json.dumps(results[1].to_dict())) == results[1].to_dict()
