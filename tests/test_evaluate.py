"""The engine against hand-computed expectations (METHOD.md), on SYNTHETIC data and on the real data.

Every expected number has its arithmetic next to it. Plan: base b = 2020, end E = 2025; evaluated as
of 2023 unless a test says otherwise, so with a 2023 value τ = (2023 − 2020)/(2025 − 2020) = 0.6.
"""

from pathlib import Path

import pytest
from planeval.presentation.sentences import text

from synthetic import indicator, rows, run

RULE = {"compare": "a", "at_least": "b", "zh": "a不低于b", "en": "a at least b"}


def codes(messages):
    return [m.code for m in messages]


# --------------------------------------------------------------------------------------------
# Every target kind
# --------------------------------------------------------------------------------------------

KINDS = [
    pytest.param(
        indicator("u", "ceiling_each_year", 5.5, direction="lower", scale="logit"),
        rows("u", {2020: 5.0, 2021: 5.0, 2022: 5.6, 2023: 4.5}, unit="%"),
        dict(years_met=[2021, 2023], years_missed=[2022], years_unknown=[],
             progress=2 / 3,  # 2 of the 3 elapsed years met
             tau=0.6, pace=None, status="missed",  # 2022: 5.6 > 5.5 by more than rounding, high confidence: settled
             headroom=1.0,  # X − y_c = 5.5 − 4.5
             min_ratio=None, required_per_year=None, average_per_year=None),
        id="ceiling_each_year"),
    pytest.param(
        indicator("j", "floor_each_year", 50),
        rows("j", {2020: 57, 2021: 60, 2022: 55, 2023: 52}),
        dict(years_met=[2021, 2022, 2023], years_missed=[], years_unknown=[],
             progress=1.0,  # 3 / 3
             tau=0.6, pace=None, status="on_track",
             headroom=2.0,  # y_c − X = 52 − 50
             min_ratio=1.04,  # min(60, 55, 52) / 50 = 52 / 50
             required_per_year=None, average_per_year=None),
        id="floor_each_year"),
    pytest.param(
        indicator("t", "cumulative", 500),
        rows("t", {2020: 90, 2021: 100, 2022: 100, 2023: 100}),
        dict(cumulative_done=300.0,  # 100 + 100 + 100 (the base year's 90 is not a plan-period flow)
             progress=0.6,  # 300 / 500
             tau=0.6, pace=1.0,  # 0.6 / 0.6
             status="on_track",
             required_per_year=100.0,  # (500 − 300) / (2025 − 2023)
             average_per_year=100.0),  # 300 / (2023 − 2020)
        id="cumulative"),
    pytest.param(
        indicator("s", "end_level", 200),
        rows("s", {2020: 100, 2023: 136}),
        dict(progress=0.36,  # (136 − 100) / (200 − 100)
             tau=0.6, pace=0.6,  # 0.36 / 0.6
             # log scale (a stock): r = [ln(200/136)/2] / [ln(136/100)/3] = 0.192831 / 0.102495 = 1.881374
             required_ratio=1.881374, status="lagging",
             required_per_year=32.0,  # (200 − 136) / (2025 − 2023)
             average_per_year=12.0),  # (136 − 100) / (2023 − 2020)
        id="end_level"),
    pytest.param(
        indicator("n", "increase", 50),
        rows("n", {2020: 1000, 2023: 1030}),
        dict(progress=0.6,  # (1030 − 1000) / 50
             tau=0.6, pace=1.0, status="on_track",
             required_ratio=0.975921,  # [ln(1050/1030)/2] / [ln(1030/1000)/3] = 0.0096154 / 0.0098528
             required_per_year=10.0,  # (1000 + 50 − 1030) / (2025 − 2023)
             average_per_year=10.0),  # 30 / 3
        id="increase"),
    pytest.param(
        indicator("r", "around", 12, tolerance=0.5, scale="logit"),
        rows("r", {2020: 10.5, 2023: 11.0}, unit="%"),
        dict(progress=0.5,  # d_b = |10.5 − 12| − 0.5 = 1.0; d_c = |11 − 12| − 0.5 = 0.5; (1.0 − 0.5) / 1.0
             tau=0.6, pace=0.5 / 0.6,  # 0.8333
             required_ratio=1.5,  # distance still to close 0.5 over 2 years ÷ 0.5 closed over 3 years = 0.25 / 0.1667
             status="broadly_on_track", required_per_year=None, average_per_year=None),
        id="around"),
    pytest.param(
        indicator("f", "full_rate", 100, scale="logit"),
        rows("f", {2020: 80, 2023: 95}, unit="%"),
        dict(progress=0.75,  # (95 − 80) / (100 − 80)
             tau=0.6, pace=1.25,  # 0.75 / 0.6
             required_ratio=0.5,  # (100 − 95)/2 ÷ (95 − 80)/3 = 2.5 / 5
             status="ahead",
             required_per_year=2.5,  # (100 − 95) / (2025 − 2023)
             average_per_year=5.0),  # (95 − 80) / 3
        id="full_rate"),
    pytest.param(
        indicator("p", "qualitative", None, rule=RULE),
        rows("a", {2021: 3, 2022: 1, 2023: 2}, unit="%") + rows("b", {2021: 2, 2022: 2, 2023: 2}, unit="% yoy"),
        dict(years_met=[2021, 2023],  # 3 ≥ 2; 2 ≥ 2 (equal meets "at least")
             years_missed=[2022],  # 1 < 2
             years_unknown=[], progress=2 / 3, tau=0.6, pace=None, status="missed"),  # a known miss settles it
        id="qualitative"),
]


@pytest.mark.parametrize("ind, obs, expected", KINDS)
def test_every_kind_by_hand(tmp_path, ind, obs, expected):
    record = run(tmp_path, ind, obs, 2023)
    expected = dict(expected)
    assert record.status.code == expected.pop("status")
    assert record.verdict.code == "verdict" and record.verdict.params["status"] == record.status
    for name, value in expected.items():
        got = getattr(record, name)
        assert got == (pytest.approx(value, rel=1e-5) if isinstance(value, float) else value), name


def test_each_year_miss_names_the_year_and_rules_out_a_forecast(tmp_path):
    ind, obs, _ = KINDS[0].values
    record = run(tmp_path, ind, obs, 2023)
    assert "already_missed" in codes(record.reasons)
    assert record.forecast is None
    assert "2022" in text(record.verdict, "en") and "2022年" in text(record.verdict, "zh")


# --------------------------------------------------------------------------------------------
# Status edges: end_level from y_b = 100 to X = 200, as of 2023, on the identity scale, so
# r = [(200 − y_c)/(2025 − 2023)] / [(y_c − 100)/(2023 − 2020)] = 1.5 (200 − y_c) / (y_c − 100)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("base, current, target, status", [
    (100, 100, 200, "lagging"),  # nothing achieved: r infinite (standing still is lagging, not moving away)
    (100, 149, 200, "lagging"),  # r = 1.5 · 51 / 49 = 1.561
    (100, 150, 200, "broadly_on_track"),  # r = 1.5 · 50 / 50 = 1.5 exactly
    (10, 10.5, 11, "broadly_on_track"),  # r = 0.25 / 0.1667: 1.5000000000000002 in floats, must round to 1.5
    (100, 158, 200, "broadly_on_track"),  # r = 1.5 · 42 / 58 = 1.086
    (100, 159, 200, "on_track"),  # r = 1.5 · 41 / 59 = 1.042
    (100, 161, 200, "on_track"),  # r = 1.5 · 39 / 61 = 0.959
    (100, 162, 200, "ahead"),  # r = 1.5 · 38 / 62 = 0.919
    (100, 90, 200, "moving_away"),  # the series moved away from the target
    (100, 210, 200, "target_reached"),  # 210 ≥ 200 before E: reached, but a level can fall back
])
def test_pace_edges(tmp_path, base, current, target, status):
    record = run(tmp_path, indicator("s", "end_level", target, scale="identity"),
                 rows("s", {2020: base, 2023: current}), 2023)
    assert record.status.code == status


def test_r_sees_the_time_left_where_rho_does_not(tmp_path):
    # Same ρ = P/τ = 0.7, different time left. τ = 0.2 (2021): P = 0.14, r = (0.86/4)/(0.14/1) = 1.536;
    # τ = 0.8 (2024): P = 0.56, r = (0.44/1)/(0.56/4) = 3.143. Both lag, the second much more.
    early = run(tmp_path / "a", indicator("s", "end_level", 200, scale="identity"), rows("s", {2020: 100, 2021: 114}), 2021)
    late = run(tmp_path / "b", indicator("s", "end_level", 200, scale="identity"), rows("s", {2020: 100, 2024: 156}), 2024)
    assert early.pace == pytest.approx(0.7) and late.pace == pytest.approx(0.7)
    assert early.required_ratio == pytest.approx(1.5357, abs=1e-4)
    assert late.required_ratio == pytest.approx(3.1429, abs=1e-4)
    assert early.status.code == late.status.code == "lagging"


@pytest.mark.parametrize("end_value, status", [(210, "achieved"), (190, "missed")])
def test_level_at_end_year(tmp_path, end_value, status):
    record = run(tmp_path, indicator("s", "end_level", 200), rows("s", {2020: 100, 2023: 150, 2025: end_value}), 2025)
    assert record.status.code == status
    assert record.forecast is None and record.tau == 1.0  # (2025 − 2020) / 5


@pytest.mark.parametrize("values, status, missed", [
    ({2021: 60, 2022: 55, 2023: 52, 2024: 51, 2025: 50.5}, "achieved", []),  # 50.5 ≥ 50 beyond rounding
    ({2021: 60, 2022: 55, 2023: 52, 2024: 49.9, 2025: 51}, "missed", [2024]),
])
def test_each_year_at_end_year(tmp_path, values, status, missed):
    record = run(tmp_path, indicator("j", "floor_each_year", 50), rows("j", values), 2025)
    assert record.status.code == status
    assert record.years_missed == missed


def test_a_value_within_rounding_of_the_target_settles_nothing(tmp_path):
    # 2025 = 50 exactly against a floor of 50: met as printed, but within rounding (±0.5 of the last
    # digit): P(met) = Φ(0) = 0.5, so every year met has p 0.5 and the verdict stays undetermined.
    record = run(tmp_path, indicator("j", "floor_each_year", 50),
                 rows("j", {2021: 60, 2022: 55, 2023: 52, 2024: 51, 2025: 50}), 2025)
    assert record.status.code == "undetermined"
    assert record.probability == pytest.approx(0.5)
    assert record.year_results[-1] == {"year": 2025, "outcome": "met", "settled": False, "p": 0.5, "by": "annual"}


def test_base_already_past_a_level_target_and_falling_back_is_moving_away(tmp_path):
    # y_b = 120 already beyond X = 100; y_c = 90 has fallen below it. The formula (90 − 120)/(100 − 120)
    # gives P = +1.5 ("ahead"), but the series moved away from the target: the share has no meaning.
    record = run(tmp_path, indicator("s", "end_level", 100), rows("s", {2020: 120, 2023: 90}), 2023)
    assert record.status.code == "moving_away"
    assert record.pace is None
    assert "no_progress_share" in codes(record.reasons)


# --------------------------------------------------------------------------------------------
# Base substitution and definition changes
# --------------------------------------------------------------------------------------------

def test_missing_base_uses_the_next_year_and_shortens_tau(tmp_path):
    record = run(tmp_path, indicator("s", "end_level", 200), rows("s", {2021: 110, 2023: 140}), 2023)
    assert record.base.period == "2021" and record.base_substituted is True
    assert "base_substituted" in codes(record.flags)
    assert record.tau == pytest.approx(0.5)  # (2023 − 2021) / (2025 − 2021)
    assert record.progress == pytest.approx(1 / 3)  # (140 − 110) / (200 − 110) = 30 / 90
    assert record.pace == pytest.approx(2 / 3)  # (1/3) / 0.5
    # log scale: r = [ln(200/140)/2] / [ln(140/110)/2] = 0.17834 / 0.12059 = 1.4789
    assert record.required_ratio == pytest.approx(1.4789, abs=1e-4)
    assert record.status.code == "broadly_on_track"
    assert record.average_per_year == pytest.approx(15.0)  # 30 / (2023 − 2021)


LONG = {y: 50.0 + 5 * (y - 2010) + (1 if y % 2 else -1) for y in range(2010, 2024)}  # 14 points, 2010–2023


def test_break_after_base_moves_the_base_and_starves_the_fit(tmp_path):
    change = [{"year": 2022, "type": "break", "zh": "断点", "en": "break"}]
    obs = rows("s", {2018: 50, 2019: 55, 2020: 60, 2021: 65, 2022: 100, 2023: 120})
    record = run(tmp_path, indicator("s", "end_level", 200, definition_changes=change), obs, 2023)
    assert record.base.period == "2022" and record.base_substituted
    assert {"definition_break", "base_substituted"} <= set(codes(record.flags))
    assert record.tau == pytest.approx(1 / 3)  # (2023 − 2022) / (2025 − 2022)
    assert record.progress == pytest.approx(0.2)  # (120 − 100) / (200 − 100)
    assert record.pace == pytest.approx(0.6)  # ρ = 0.2 / (1/3)
    # r = [ln(200/120)/2] / [ln(120/100)/1] = 0.25541 / 0.18232 = 1.4009
    assert record.status.code == "broadly_on_track" and record.required_ratio == pytest.approx(1.4009, abs=1e-4)
    # 6 points in all, but only 2022 and 2023 on the new definition: fewer than 5, so no forecast
    assert record.forecast is None and "too_few_points" in codes(record.reasons)


@pytest.mark.parametrize("change_type, fit_start, flag", [
    ("break", 2016, "definition_break"),  # the fit starts at the break
    ("relabel", 2010, "definition_relabel"),  # a relabel only flags: the fit uses the whole series
])
def test_definition_change_and_the_fit(tmp_path, change_type, fit_start, flag):
    change = [{"year": 2016, "type": change_type, "zh": "变化", "en": "change"}]
    record = run(tmp_path, indicator("s", "end_level", 200, definition_changes=change), rows("s", LONG), 2023)
    assert record.forecast.fit_years == list(range(fit_start, 2024))
    assert flag in codes(record.flags) and not record.base_substituted  # 2016 is before the base year
    assert record.base.period == "2020"


# --------------------------------------------------------------------------------------------
# What the data may say: bounds, partial years, competing values, gaps
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, target, qualifier, value, outcome", [
    ("ceiling_each_year", 5.5, "<=", 4.4, "met"),  # y ≤ 4.4 ≤ 5.5
    ("floor_each_year", 50, ">=", 60, "met"),  # y ≥ 60 ≥ 50
    ("ceiling_each_year", 5.5, "<=", 6, "unknown"),  # y ≤ 6 may be above or below 5.5
    ("ceiling_each_year", 5.5, ">=", 6, "missed"),  # y ≥ 6 > 5.5
    ("floor_each_year", 50, "<=", 40, "missed"),  # y ≤ 40 < 50
    ("floor_each_year", 50, ">=", 40, "unknown"),  # y ≥ 40 settles nothing
])
def test_a_bound_settles_a_year_only_when_it_can(tmp_path, kind, target, qualifier, value, outcome):
    record = run(tmp_path, indicator("u", kind, target), rows("u", {2021: value}, qualifier=qualifier, unit="%"), 2021)
    assert {"met": record.years_met, "missed": record.years_missed, "unknown": record.years_unknown}[outcome] == [2021]
    assert len(record.years_met + record.years_missed + record.years_unknown) == 1


def test_partial_years_are_evidence_never_history_or_fit(tmp_path):
    obs = (rows("j", {2018: 60, 2019: 61, 2020: 62, 2021: 60, 2022: 58, 2023: 55})
           + rows("j", {"2023-01/2023-06": 20}, kind="partial")  # would miss the floor if it counted
           + rows("j", {"2021-2023": 57}))  # a plan-period summary, not an annual value
    record = run(tmp_path, indicator("j", "floor_each_year", 50), obs, 2023)
    assert [p.period for p in record.history] == ["2018", "2019", "2020", "2021", "2022", "2023"]
    assert {p.period for p in record.evidence} == {"2023-01/2023-06", "2021-2023"}
    assert record.years_met == [2021, 2022, 2023] and record.min_ratio == pytest.approx(1.1)  # 55 / 50
    assert record.forecast.fit_years == [2018, 2019, 2020, 2021, 2022, 2023]


@pytest.mark.parametrize("competing, chosen", [
    # (qualifier, value, source) in file order; T1 high, T2 medium, T3 low confidence
    ([("<=", 4.0, "T1"), ("=", 4.5, "T3")], (4.5, "T3")),  # a point beats a bound, whatever the source
    ([("=", 4.5, "T2"), ("=", 4.8, "T1")], (4.8, "T1")),  # then the higher-confidence source
    ([("~", 4.5, "T1"), ("=", 4.8, "T1")], (4.8, "T1")),  # then '=' over '~'
    ([("=", 4.5, "T1"), ("=", 4.8, "T1")], (4.5, "T1")),  # then the earlier line
])
def test_competing_values_for_one_year(tmp_path, competing, chosen):
    obs = [r for q, v, s in competing for r in rows("u", {2023: v}, qualifier=q, source=s, unit="%")]
    record = run(tmp_path, indicator("u", "ceiling_each_year", 5.5, direction="lower"), obs, 2023)
    assert (record.latest.value, record.latest.source) == chosen
    used = [(p.value, p.source) for p in record.history if p.used]
    assert used == [chosen] and len(record.history) == 2
    assert "competing_values" in codes(record.flags)


def test_qualitative_rule_series_respect_source_confidence(tmp_path):
    # 2022 CPI: a low-confidence 0.5 (first line) against a high-confidence 2.5. The rule must compare
    # with 2.5, so 2022 (adjustment 2 < 2.5) is missed; with 0.5 it would wrongly be met.
    obs = (rows("a", {2021: 3, 2022: 2}, unit="%") + rows("b", {2021: 1, 2022: 0.5}, unit="% yoy", source="T3")
           + rows("b", {2022: 2.5}, unit="% yoy", source="T1"))
    record = run(tmp_path, indicator("p", "qualitative", None, rule=RULE), obs, 2022)
    assert record.years_met == [2021] and record.years_missed == [2022]


def test_cumulative_with_a_gap_stops_the_sum_at_the_gap(tmp_path):
    record = run(tmp_path, indicator("t", "cumulative", 500), rows("t", {2021: 100, 2023: 100}), 2023)
    assert record.current_year == 2021 and record.cumulative_done == 100.0  # 2023 cannot be added
    assert "cumulative_gap" in codes(record.reasons)
    assert record.tau == pytest.approx(0.2)  # (2021 − 2020) / 5
    assert record.progress == pytest.approx(0.2)  # 100 / 500
    assert record.status.code == "on_track"  # r = (400/4) / (100/1) = 1.0
    assert record.lower_bound == 200.0  # 2021 + 2023 over disjoint years


# --------------------------------------------------------------------------------------------
# The real Shanghai data, checked by hand
# --------------------------------------------------------------------------------------------

def test_shanghai_new_jobs_2023(shanghai):
    record = shanghai("new_jobs", 2023)
    assert record.status.code == "on_track"  # 2021 63.51, 2022 56.35, 2023 60.6: all ≥ 50
    assert record.years_met == [2021, 2022, 2023] and record.years_missed == []
    assert record.min_ratio == pytest.approx(1.127)  # 56.35 / 50
    assert record.headroom == pytest.approx(10.6)  # 60.6 − 50


def test_shanghai_unemployment_2023(shanghai):
    record = shanghai("unemployment_rate", 2023)
    assert record.years_met == [2023] and record.years_unknown == [2021, 2022]  # 2022 only partial readings
    # 2022: the first-half mean 8.9 (S54, low) under an annual-mean ceiling of 5.5 needs the second
    # half to average (12 · 5.5 − 6 · 8.9)/6 = 2.1, below the lowest annual value on record (4.2).
    y2022 = next(r for r in record.year_results if r["year"] == 2022)
    assert y2022["p"] < 0.01 and not y2022["settled"]
    assert any("at most 2.1," in text(m, "en") and "never recorded" in text(m, "en") for m in record.findings)
    assert record.status.code == "likely_missed" and record.basis == "provisional"
    assert record.confidence == "low" and record.probability < 0.01
    assert "< 1%" in text(record.verdict, "en") and "low confidence" in text(record.verdict, "en")
    assert "2021" in text(record.verdict, "en") and "2022" in text(record.verdict, "en")
    assert record.headroom == pytest.approx(1.0)  # X − y_c = 5.5 − 4.5
    assert all(p.kind == "actual" and "/" not in p.period for p in record.history)


def test_shanghai_pensions(shanghai):
    # national adjustment ≥ Shanghai CPI: 2021 4.5 ≥ 1.2, 2022 4 ≥ 2.5, 2023 3.8 ≥ 0.3
    assert shanghai("pensions", 2023).years_met == [2021, 2022, 2023]
    later = shanghai("pensions", 2025)
    assert later.years_unknown == [2024]  # 2024 adjustment 3 but no 2024 CPI
    assert later.years_met == [2021, 2022, 2023, 2025]  # 2025: 2 ≥ 0.1


def test_each_year_at_end_year_with_unknown_years_is_not_achieved(tmp_path):
    # Every judged year meets the floor, but 2022 has no value: "met every year" cannot be confirmed.
    record = run(tmp_path, indicator("j", "floor_each_year", 50), rows("j", {2021: 60, 2023: 52, 2024: 51, 2025: 55}), 2025)
    assert record.status.code == "insufficient_data"
    assert record.years_met == [2021, 2023, 2024, 2025] and record.years_unknown == [2022]
    assert "years_unknown" in codes(record.reasons)


def test_stale_names_only_the_years_without_a_value(tmp_path):
    # Cumulative: 2021 known, 2022 missing, 2023 known -> the total stops at 2021; only 2022 lacks a value.
    record = run(tmp_path, indicator("t", "cumulative", 500), rows("t", {2021: 100, 2023: 120}), 2023)
    stale = [m for m in record.reasons if m.code == "stale"]
    assert len(stale) == 1 and "2022 has no annual value" in text(stale[0], "en") and "2023" not in text(stale[0], "en").split(";")[1]


def test_each_year_target_judges_a_year_before_a_break_by_its_own_value(tmp_path):
    """A break in 2022 cuts the fit, not the judgment of 2021: that year's official 5.0% is under the
    5.5% ceiling whatever the later definition (this case used to crash, found by test_properties)."""
    change = [{"year": 2022, "type": "break", "zh": "断点", "en": "break"}]
    obs = rows("s", {2020: 4.2, 2021: 5.0}, unit="%")
    record = run(tmp_path, indicator("s", "ceiling_each_year", 5.5, direction="lower", scale="identity",
                                     unit={"zh": "%", "en": "%"}, definition_changes=change), obs, 2023)
    assert record.years_met == [2021]
    assert record.years_missed == []
    assert record.years_unknown == [2022, 2023]
    assert "definition_break" in codes(record.flags)
