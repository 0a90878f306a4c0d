"""Verdicts from all the evidence (docs/method.md, "Evidence"): each rule on SYNTHETIC numbers chosen
so the answer can be checked by hand, then the real Shanghai verdicts of 2023 and 2025.

Synthetic plan: base 2020, end 2025. Sources: T1 high, T2 medium, T3 and T4 low confidence, each
its own publisher. Value errors by confidence (config): high 0.5%, medium 2%, low 5% of the value.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from planeval.method import evidence as ev
from planeval.presentation.sentences import text
from synthetic import indicator, rows, run



def phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def reading(period: str, value: float, qualifier: str = "=", confidence: str = "high", publisher: str = "P") -> ev.Reading:
    if "/" in period:
        first, last = ev.month_span("months", 0, 0, period)
    else:
        y0, y1 = (int(x) for x in (period.split("-") if "-" in period else (period, period)))
        first, last = ev.month_span("year", y0, y1, period)
    return ev.Reading(first, last, value, qualifier, "S", publisher, confidence, 2, period)


# --------------------------------------------------------------------------------------------
# The pure rules
# --------------------------------------------------------------------------------------------

def test_disjoint_sums_never_add_nested_readings_of_one_year() -> None:
    rs = [reading("2021", 40), reading("2022-01/2022-06", 20), reading("2022-01/2022-11", 35),
          reading("2023-01/2023-03", 30), reading("2022", 10, "<")]  # an upper bound adds nothing
    total, used = ev.lower_bound_sum(rs, 2021 * 12, 2023 * 12 + 11)
    assert total == 105  # 40 + 35 (Jan–Nov ⊃ Jan–Jun, never 20 + 35) + 30
    assert [r.period for r in used] == ["2021", "2022-01/2022-11", "2023-01/2023-03"]


def test_a_running_total_competes_with_the_pieces_it_covers() -> None:
    rs = [reading("2021", 40), reading("2022", 50), reading("2021-01/2023-09", 120, ">")]
    total, used = ev.lower_bound_sum(rs, 2021 * 12, 2023 * 12 + 11)
    assert total == 120 and [r.period for r in used] == ["2021-01/2023-09"]  # 120 > 40 + 50
    # only what lies inside the window counts
    assert ev.lower_bound_sum(rs, 2021 * 12, 2022 * 12 + 11)[0] == 90


def test_break_even_of_a_first_half_mean() -> None:
    # annual mean ≤ 5.5 with Jan–Jun = 8.9: the other six months must average (12·5.5 − 6·8.9)/6 = 2.1
    assert ev.break_even_rest(reading("2022-01/2022-06", 8.9), 5.5) == pytest.approx(2.1)
    # a quarter: (12·5.5 − 3·12.5)/9 = 3.1667
    assert ev.break_even_rest(reading("2022-04/2022-06", 12.5), 5.5) == pytest.approx(28.5 / 9)


def test_grade_is_the_weakest_row_and_counts_publishers() -> None:
    g = ev.grade([reading("2021", 1, confidence="high", publisher="A"), reading("2022", 1, confidence="low", publisher="B"),
                  reading("2023", 1, confidence="medium", publisher="A")])
    assert (g.confidence, g.publishers) == ("low", 2)
    assert ev.trustworthy([reading("2021", 1, confidence="medium")])
    assert not ev.trustworthy([reading("2021", 1, confidence="low")])
    assert ev.trustworthy([reading("2021", 1, confidence="low", publisher="A"),
                           reading("2021", 1, confidence="low", publisher="B")])  # two publishers


@pytest.mark.parametrize("value, half_unit", [(4.5, 0.05), (1829.71, 0.005), (50.0, 0.5), (62.17, 0.005)])
def test_rounding_is_half_a_unit_of_the_last_digit(value: float, half_unit: float) -> None:
    assert ev.rounding(value) == pytest.approx(half_unit)


# --------------------------------------------------------------------------------------------
# Each rule through evaluate()
# --------------------------------------------------------------------------------------------

def test_only_real_outcomes_decide(tmp_path: Path) -> None:
    # A projection and an annual target past X are context; no outcome row: nothing is settled.
    obs = (rows("t", {"2021-2025": 120}, qualifier=">", kind="projection")
           + rows("t", {2021: 200}, qualifier=">=", kind="annual_target"))
    record = run(tmp_path, indicator("t", "cumulative", 100), obs, 2025)
    assert record.status.code == "insufficient_data" and record.lower_bound is None


def test_a_running_total_past_the_target_is_achieved_early(tmp_path: Path) -> None:
    # 2021 = 40 (T1), Jan–Nov 2022 = 35 (T2), Q1 2023 = 30 (T2): at least 105 ≥ 100 by 2023.
    obs = (rows("t", {2021: 40}) + rows("t", {"2022-01/2022-06": 20, "2022-01/2022-11": 35}, kind="partial", source="T2")
           + rows("t", {"2023-01/2023-03": 30}, kind="partial", source="T2"))
    record = run(tmp_path, indicator("t", "cumulative", 100), obs, 2023)
    assert record.status.code == "achieved_early" and record.basis == "settled_bounds"
    assert record.lower_bound == 105 and record.probability == 1.0
    # the exact running sum still stops at the gap: 2021 only
    assert record.cumulative_done == 40 and record.current_year == 2021
    # settled facts never regress: at the end year, with no new rows, still achieved (early)
    later = run(tmp_path / "later", indicator("t", "cumulative", 100), obs, 2025)
    assert later.status.code == "achieved_early"


def test_a_lower_bound_below_the_target_only_adds_to_what_is_known(tmp_path: Path) -> None:
    # 2021 = 100, 2022 missing, Jan–Oct 2023 = 90: the exact sum is 100 (as of 2021), at least 190 in all.
    obs = rows("t", {2021: 100}) + rows("t", {"2023-01/2023-10": 90}, kind="partial")
    record = run(tmp_path, indicator("t", "cumulative", 500), obs, 2023)
    assert record.lower_bound == 190 and record.cumulative_done == 100
    assert record.status.code == "on_track"  # from the exact sum: r = (400/4) / (100/1) = 1.0
    assert "at least 190 recorded" in text(record.verdict, "en")
    # what would settle it: the annual values of the years without one
    assert [m.code for m in record.data_needed] == ["need_flows"]
    assert "2022–2025" in text(record.data_needed[0], "en") and "at least 400" in text(record.data_needed[0], "en")


@pytest.mark.parametrize("qualifier, value, source, status, basis", [
    (">", 95, "T2", "achieved", "settled_bounds"),  # `> 95` against an end level of 95 settles it
    (">=", 96, "T1", "achieved", "settled_bounds"),
    ("<", 95, "T2", "missed", "settled_bounds"),  # below the level: missed
    ("=", 120, "T1", "achieved", "settled_annual"),  # a single end-year value settles, no base needed
    ("=", 95.01, "T1", "achieved", "settled_annual"),  # 0.01 beyond X, rounding 0.005: settled
])
def test_end_year_values_and_bounds_settle_an_end_level(tmp_path: Path, qualifier: str, value: float, source: str,
                                                        status: str, basis: str) -> None:
    obs = rows("s", {2025: value}, qualifier=qualifier, source=source)
    record = run(tmp_path, indicator("s", "end_level", 95, scale="identity"), obs, 2025)
    assert (record.status.code, record.basis) == (status, basis)


def test_a_weak_end_value_gives_a_probability_not_a_verdict(tmp_path: Path) -> None:
    # 1829.71 (T3, low) against 1700: margin 129.71, error 5% · 1829.71 = 91.4855: p = Φ(1.41782) = 0.92188
    record = run(tmp_path, indicator("s", "end_level", 1700), rows("s", {2025: 1829.71}, source="T3"), 2025)
    assert record.status.code == "likely_achieved" and record.basis == "provisional"
    assert record.probability == pytest.approx(phi(129.71 / 91.4855), abs=1e-6)
    assert record.confidence == "low" and record.publishers == 1
    assert "likely" in text(record.verdict, "en") and "low confidence" in text(record.verdict, "en")
    # a second publisher (T4, also low) agreeing settles it
    both = rows("s", {2025: 1829.71}, source="T3") + rows("s", {2025: 1830}, source="T4")
    settled = run(tmp_path / "two", indicator("s", "end_level", 1700), both, 2025)
    assert settled.status.code == "achieved" and settled.publishers == 2


def test_an_increase_is_settled_by_the_end_value_when_the_base_is_known(tmp_path: Path) -> None:
    record = run(tmp_path, indicator("n", "increase", 50), rows("n", {2020: 50, 2025: 110}), 2025)
    assert record.status.code == "achieved"  # 110 − 50 = 60 ≥ 50
    no_base = run(tmp_path / "b", indicator("n", "increase", 50), rows("n", {2025: 110}), 2025)
    assert no_base.status.code == "insufficient_data"
    assert [m.code for m in no_base.data_needed][:1] == ["need_base"]


def test_a_stock_read_in_september_is_nowcast_from_earlier_years(tmp_path: Path) -> None:
    # Sept → Dec changes: 2022 +1, 2023 +2, 2024 +3 (mean 2, sd 1). Sept 2025 = 98: nowcast 100 vs 99:
    # p = Φ((100 − 99)/1) = Φ(1) = 0.8413.
    sept = {"2022-01/2022-09": 90, "2023-01/2023-09": 92, "2024-01/2024-09": 94, "2025-01/2025-09": 98}
    obs = rows("s", {2022: 91, 2023: 94, 2024: 97}) + rows("s", sept, kind="partial")
    record = run(tmp_path, indicator("s", "end_level", 99, scale="identity"), obs, 2025)
    assert record.probability == pytest.approx(phi(1.0), abs=1e-6)
    assert record.basis == "provisional" and record.status.code == "likely_achieved"
    assert any(m.code == "stock_nowcast" and "3 earlier years" in text(m, "en") for m in record.findings)


def test_a_nowcast_without_history_uses_the_default_spread_doubled_and_is_graded_low(tmp_path: Path) -> None:
    # Sept 2025 = 98 (T1, high), no history: spread 2 · 5% · 98 = 9.8; p = Φ((98 − 99)/9.8) = 0.4594
    obs = rows("s", {2022: 91}) + rows("s", {"2025-01/2025-09": 98}, kind="partial")
    record = run(tmp_path, indicator("s", "end_level", 99, scale="identity"), obs, 2025)
    assert record.probability == pytest.approx(phi(-1 / 9.8), abs=1e-6)
    assert record.status.code == "undetermined"  # words follow p: no side forced at p ≈ 0.46
    assert record.likelihood.code == "about_even"
    assert record.confidence == "low"


def test_a_first_half_mean_far_above_a_ceiling(tmp_path: Path) -> None:
    # Annual rates 4.3, 4.3, 4.5 (2018, 2019, 2023); 2022 Jan–Jun = 8.9 (T3). Break-even 2.1 against the
    # best recorded 4.3 with spread sd(4.3, 4.3, 4.5) = 0.11547: p = Φ((2.1 − 4.3)/0.11547) ≈ 0.
    obs = (rows("u", {2018: 4.3, 2019: 4.3, 2021: 4.4, 2023: 4.5}, unit="%")
           + rows("u", {"2022-01/2022-06": 8.9}, kind="partial", source="T3", unit="%"))
    record = run(tmp_path, indicator("u", "ceiling_each_year", 5.5, direction="lower", scale="logit"), obs, 2023)
    y2022 = next(r for r in record.year_results if r["year"] == 2022)
    assert y2022 == {"year": 2022, "outcome": "unknown", "settled": False, "p": pytest.approx(0.0, abs=1e-9),
                     "by": "partial"}
    assert record.status.code == "likely_missed" and record.confidence == "low"
    assert any("at most 2.1," in text(m, "en") and "never recorded" in text(m, "en") for m in record.findings)
    assert "P(2022 met) < 1%" in text(record.verdict, "en")


def test_a_partial_flow_past_a_floor_settles_the_year(tmp_path: Path) -> None:
    # Jan–Oct 2023 = 51.2 ≥ 50 (T2): a non-negative flow only grows, so 2023 is met without its annual value.
    obs = rows("j", {2021: 60, 2022: 55}) + rows("j", {"2023-01/2023-10": 51.2}, kind="partial", source="T2")
    record = run(tmp_path, indicator("j", "floor_each_year", 50), obs, 2023)
    assert record.years_met == [2021, 2022, 2023]
    assert record.year_results[-1]["settled"] and record.year_results[-1]["by"] == "bound"


def test_each_year_probability_is_the_joint_one_over_the_future_years(tmp_path: Path) -> None:
    values = {y: 60.0 + (y - 2014) * 0.5 for y in range(2014, 2024)}
    record = run(tmp_path, indicator("j", "floor_each_year", 62), rows("j", values), 2023)
    # every elapsed year settled (≥ 62 by more than rounding): p is P(2024 and 2025 both met) from joint paths
    assert record.status.code == "on_track" and record.basis == "forecast"
    assert record.probability == record.forecast.probability
    assert not record.probability_is_bound


def test_a_year_with_no_evidence_makes_p_an_upper_bound(tmp_path: Path) -> None:
    # 2021: no row at all; 2022: a weak value within rounding of the floor (p = 0.5 − ...): the bound is
    # the weakest year's p, and only printed when it says something (below 0.33).
    obs = rows("j", {2022: 40.0}, source="T3")  # 40 < 50, but a single low-confidence source: p
    record = run(tmp_path, indicator("j", "floor_each_year", 50), obs, 2025)
    # P(2022 met) = 1 − Φ(10 / (5% · 40)) = 1 − Φ(5) ≈ 2.9e-7: at most that for every year
    assert record.probability_is_bound and record.probability == pytest.approx(1 - phi(5), abs=1e-9)
    assert record.status.code == "likely_missed"


def test_period_mean_interval_and_value(tmp_path: Path) -> None:
    extra = dict(direction="lower", scale="logit", aggregate="mean")
    obs = rows("u", {2023: 4.5, 2024: 4.2, 2025: 4.2}, unit="%")
    record = run(tmp_path, indicator("u", "ceiling_each_year", 5.5, **extra), obs, 2025)
    # 5 · 5.5 − (4.5 + 4.2 + 4.2) = 27.5 − 12.9 = 14.6 for 2021 + 2022
    assert record.period_mean["threshold"] == pytest.approx(14.6) and record.period_mean["unknown"] == [2021, 2022]
    assert any("2021, 2022 add up to at most 14.6" in text(m, "en") for m in record.findings)
    full = rows("u", {2021: 5.0, 2022: 6.0, 2023: 4.5, 2024: 4.2, 2025: 4.2}, unit="%")
    done = run(tmp_path / "all", indicator("u", "ceiling_each_year", 5.5, primary="mean", **extra), full, 2025)
    assert done.period_mean["mean"] == pytest.approx(4.78)  # 23.9 / 5
    # each year: 2022 missed; but the plan's primary reading is the mean, which is met
    assert done.years_missed == [2022] and done.status.code == "achieved"


def test_a_binding_target_is_never_broadly_on_track_with_a_low_p(tmp_path: Path) -> None:
    values = {2016: 100, 2017: 101, 2018: 99, 2019: 102, 2020: 100, 2021: 106, 2022: 110, 2023: 115}
    common = dict(scale="identity")
    free = run(tmp_path / "a", indicator("s", "end_level", 140, **common), rows("s", values), 2023)
    # r = [(140 − 115)/2] / [(115 − 100)/3] = 12.5 / 5 = 2.5: lagging on pace alone; use a nearer target
    near = run(tmp_path / "b", indicator("s", "end_level", 127, **common), rows("s", values), 2023)
    assert free.required_ratio == pytest.approx(2.5)
    # r = [(127 − 115)/2] / 5 = 1.2: broadly on track
    assert near.status.code == "broadly_on_track" and near.required_ratio == pytest.approx(1.2)
    assert near.probability is not None and near.probability < 0.66
    bound = run(tmp_path / "c", indicator("s", "end_level", 127, binding=True, **common), rows("s", values), 2023)
    assert bound.status.code == "lagging" and bound.binding is True
    assert "binding_not_broadly" in [m.code for m in bound.reasons]


# --------------------------------------------------------------------------------------------
# The default plan, as an analyst reads it
# --------------------------------------------------------------------------------------------

def test_shanghai_2025_unemployment_2022_very_likely_missed_low_confidence(shanghai) -> None:
    record = shanghai("unemployment_rate", 2025)
    assert record.years_met == [2023, 2024, 2025] and record.years_unknown == [2021, 2022]
    assert record.status.code == "likely_missed" and record.confidence == "low"
    y2022 = next(r for r in record.year_results if r["year"] == 2022)
    assert y2022["p"] < 0.01 and y2022["by"] == "partial"
    # the period mean: 27.5 − (4.5 + 4.2 + 4.2) = 14.6 left for 2021 + 2022
    assert record.period_mean["threshold"] == pytest.approx(14.6)
    assert record.binding is False


def test_shanghai_2025_pension_participants_provisionally_achieved(shanghai) -> None:
    record = shanghai("pension_participants", 2025)
    # 1829.71 (S38, low) ≥ 1700: p = Φ(129.71 / (5% · 1829.71)) = Φ(1.41782) = 0.92188
    assert record.status.code == "likely_achieved" and record.basis == "provisional"
    assert record.probability == pytest.approx(0.92188, abs=1e-5)
    assert record.confidence == "low"
    assert record.progress is None and record.pace is None  # no 384%: the 2021 base is another scope


def test_shanghai_2025_skills_training_lower_bound(shanghai) -> None:
    record = shanghai("skills_training", 2025)
    # disjoint: 2021 (118.85) + Jan–Oct 2023 (88.5) + 2025 (72.59); the nested 2025 partials are not added
    assert record.lower_bound == pytest.approx(279.94)
    assert record.status.code == "insufficient_data"
    need = record.data_needed[0]
    # 500 − (118.85 + 72.59) = 308.56 from the years without an annual value
    assert need.code == "need_flows" and "2022–2024" in text(need, "en") and "308.56" in text(need, "en")
    assert any(m.code == "lower_bound_needs" and "220.06" in text(m, "en") for m in record.findings)  # 500 − 279.94


def test_shanghai_2025_qualitative_rule(shanghai) -> None:
    record = shanghai("pensions", 2025)
    assert record.years_met == [2021, 2022, 2023, 2025] and record.years_unknown == [2024]
    # 2024: adjustment 3.0, CPI missing; CPI neighbours 0.3 (2023) and 0.1 (2025): centre 0.2; sd of its
    # year-to-year changes (+0.9, −0.8, −0.5, +1.3, −2.2) = 1.4046: P(CPI ≤ 3.0) = Φ(2.8 / 1.4046) = 0.9769
    assert record.probability == pytest.approx(0.9769, abs=1e-4)
    assert record.status.code == "likely_achieved"


def test_shanghai_2023_judges_what_the_data_allow(shanghai) -> None:
    statuses = {i: shanghai(i, 2023).status.code for i in ("unemployment_rate", "new_jobs", "skills_training",
                                                          "pensions")}
    assert statuses == {"unemployment_rate": "likely_missed", "new_jobs": "on_track", "skills_training": "ahead",
                        "pensions": "on_track"}
