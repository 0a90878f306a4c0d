"""As-of and vintage: what could be known on a day. Partial dates compare by the last day they could mean;
later periods or later publications never change an earlier record; the scorecard's mid-term view uses
the mid-term report's vintage; a run's --vintage is part of its cache keys and is stated in its report.

Rows added here are SYNTHETIC (invented values, marked in their notes or sources); the plans are the
synthetic test plan and the real Shanghai plan with its real data.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from planeval.inputs.data import OBSERVATION_KINDS, QUALIFIERS, Dataset, load_dataset, load_observations, load_sources
from planeval.inputs.dates import latest_day, parse_vintage, published_by
from planeval.method.evaluate import evaluate
from planeval.pipeline.keys import indicator_inputs, indicator_key, run_parameters
from planeval.inputs.plan import Plan, load_plan
from planeval.pipeline.runner import Options, run
from planeval.method.scorecard import midterm_vintage, provisional, scorecard, scorecard_records

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ROOT / "params" / "shanghai_14th_employment.yaml"
FIXTURE = Path(__file__).parent / "fixtures" / "synthetic_plan"
SYNTHETIC = FIXTURE / "params" / "synthetic_plan.yaml"
OBS_HEADER = "series,period,value,qualifier,unit,kind,source,note_en,note_zh\n"
SRC_HEADER = "source,publisher,title,published,url,confidence\n"


# --------------------------------------------------------------------------------------------
# Dates: the last day a partial date could mean
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "day"), [
    ("2024", date(2024, 12, 31)),  # a year: its last day
    ("2024-02", date(2024, 2, 29)),  # a leap February
    ("2023-02", date(2023, 2, 28)),
    ("2024-04", date(2024, 4, 30)),
    ("2024-03-16", date(2024, 3, 16)),  # a full date is itself
    ("2023-01/2023-03", date(2023, 3, 31)),  # a month span (allowed in sources.csv): the end of its last month
])
def test_latest_day(text: str, day: date) -> None:
    assert latest_day(text) == day


@pytest.mark.parametrize(("text", "why"), [
    ("2024-13", "there is no month 13"),
    ("2023-02-29", "2023-02 has no day 29"),
    ("2024-06-31", "2024-06 has no day 31"),
    ("2024-00", "there is no month 0"),
    ("24", "got '24'"),
    ("2024-6", "got '2024-6'"),
    ("2024/06", "got '2024/06'"),
    ("2023-01/2023-03", "got '2023-01/2023-03'"),  # a span is no vintage
    ("", "got ''"),
    ("June 2024", "got 'June 2024'"),
])
def test_a_malformed_vintage_is_refused(text: str, why: str) -> None:
    with pytest.raises(ValueError, match="expected a date \\(YYYY, YYYY-MM or YYYY-MM-DD\\)") as caught:
        parse_vintage(text)
    assert why in str(caught.value)


@pytest.mark.parametrize(("published", "vintage", "known"), [
    ("2024", "2024-12-30", False),  # "2024" may mean 31 December: not surely out the day before
    ("2024", "2024-12-31", True),
    ("2024", "2024", True),  # --vintage 2024 is 2024-12-31
    ("2024", "2024-06", False),
    ("2024-06", "2024-06", True),  # both mean 30 June
    ("2024-06", "2024-06-29", False),
    ("2024-06", "2024-06-30", True),
    ("2024-06-30", "2024-06-30", True),
    ("2024-07-01", "2024-06-30", False),
    ("2023-11-21", "2024-06", True),
    ("2025", "2024", False),
])
def test_published_by_compares_the_last_day_a_partial_date_could_mean(published: str, vintage: str,
                                                                       known: bool) -> None:
    assert published_by(published, parse_vintage(vintage)) is known


# --------------------------------------------------------------------------------------------
# Dataset.as_of(year, vintage)
# --------------------------------------------------------------------------------------------

def small_dataset(tmp: Path) -> Dataset:
    """SYNTHETIC: four sources dated 2024, 2024-03, 2024-03-16 and 2023-11-21, one 2023 row each, and
    one 2024 row; project events citing them, and an undated 'no evidence' row."""
    (tmp / "sources.csv").write_text(SRC_HEADER + "A,Synthetic,year only,2024,,high\nB,Synthetic,month,2024-03,,high\n"
                                     "C,Synthetic,day,2024-03-16,,high\nD,Synthetic,early,2023-11-21,,low\n",
                                     encoding="utf-8")
    (tmp / "observations.csv").write_text(OBS_HEADER + "x,2023,1,=,10k,actual,A,,\nx,2023,2,=,10k,actual,B,,\n"
                                          "x,2023,3,=,10k,actual,C,,\nx,2023-01/2023-06,4,=,10k,partial,D,,\n"
                                          "x,2024,5,=,10k,actual,D,,\n", encoding="utf-8")
    sources = load_sources(tmp / "sources.csv")
    projects = pd.DataFrame({"project": ["p", "p", "p"], "category": ["", "", ""], "name_zh": ["项", "项", "项"],
                             "name_en": ["p", "p", "p"], "date": ["2023-05", "2023-12", ""],
                             "evidence_en": ["started", "done", "none found"],
                             "evidence_zh": ["开始", "完成", "未查得"], "source": ["D", "B", ""],
                             "status": ["in_progress", "done", ""]})
    return Dataset(load_observations(tmp / "observations.csv", sources), sources, projects, {})


@pytest.mark.parametrize(("vintage", "values", "sources", "events"), [
    (None, [1, 2, 3, 4], "ABCD", ["2023-05", "2023-12", ""]),  # no vintage: the year cut only
    ("2023-12-31", [4], "D", ["2023-05", ""]),  # only D (2023-11-21) was out
    ("2024-03-15", [4], "D", ["2023-05", ""]),  # B (2024-03 → 31 March) and C (16 March) not yet
    ("2024-03-16", [3, 4], "CD", ["2023-05", ""]),
    ("2024-03", [2, 3, 4], "BCD", ["2023-05", "2023-12", ""]),  # = 2024-03-31: B counts
    ("2024-12-30", [2, 3, 4], "BCD", ["2023-05", "2023-12", ""]),  # A (2024 → 31 December) not yet
    ("2024", [1, 2, 3, 4], "ABCD", ["2023-05", "2023-12", ""]),
])
def test_as_of_with_a_vintage_keeps_what_was_published_by_then(tmp_path: Path, vintage: str | None,
                                                                values: list[int], sources: str,
                                                                events: list[str]) -> None:
    ds = small_dataset(tmp_path)
    cut = ds.as_of(2023, vintage)
    assert sorted(cut.observations["value"]) == values  # the 2024 row is out by the year
    assert "".join(cut.sources["source"]) == sources
    assert list(cut.projects["date"]) == events  # the undated 'no evidence' row always stays
    again = cut.as_of(2023)  # cutting again (as evaluate does) changes nothing
    assert again.observations.equals(cut.observations) and again.sources.equals(cut.sources)


def test_as_of_does_not_change_the_dataset(tmp_path: Path) -> None:
    ds = small_dataset(tmp_path)
    before = ds.observations.copy()
    ds.as_of(2023, "2023-12")
    assert ds.observations.equals(before) and len(ds.sources) == 4


# --------------------------------------------------------------------------------------------
# Later data or later publications never change an earlier record
# --------------------------------------------------------------------------------------------

def with_rows(ds: Dataset, sources: str, rows: list[str], tmp: Path) -> Dataset:
    """The dataset plus SYNTHETIC sources and observation rows appended at the end (so the lines of the
    original rows, which records cite, stay as they are)."""
    buf = io.StringIO()
    ds.sources.to_csv(buf, index=False, lineterminator="\n")
    (tmp / "sources.csv").write_text(buf.getvalue() + sources, encoding="utf-8")
    obs = ds.observations[["series", "period", "value", "qualifier", "unit", "kind", "source", "note_en", "note_zh"]]
    obs = obs.assign(value=obs["value"].map(lambda v: "" if pd.isna(v) else repr(float(v))))
    buf = io.StringIO()
    obs.to_csv(buf, index=False, lineterminator="\n")
    (tmp / "observations.csv").write_text(buf.getvalue() + "".join(r + "\n" for r in rows), encoding="utf-8")
    src = load_sources(tmp / "sources.csv")
    return Dataset(load_observations(tmp / "observations.csv", src), src, ds.projects, ds.files)


def records(plan: Plan, ds: Dataset, year: int, vintage: str | None) -> dict[str, str]:
    cut = ds.as_of(year, vintage)
    return {ind.id: evaluate(plan, ind, cut, year, plan.method_config).to_json() for ind in plan.evaluated}


@pytest.fixture(scope="module")
def shanghai():
    loaded = load_plan(SHANGHAI)
    return loaded.plan, load_dataset(loaded)


def test_shanghai_2023_records_are_byte_identical_with_later_periods_and_later_publications(shanghai, tmp_path):
    plan, ds = shanghai
    vintage = "2024-06-30"
    before = records(plan, ds, 2023, vintage)
    late = ("L1,SYNTHETIC test source (invented),published later than the vintage,2024,,high\n"
            "L2,SYNTHETIC test source (invented),published the day after,2024-07-01,,high\n")
    rows = []
    for ind in plan.evaluated:
        unit = ds.series(ind.series)["unit"].iloc[0] if len(ds.series(ind.series)) else "%"
        for year in range(2016, 2024):  # every year up to 2023, from sources the vintage does not know
            rows.append(f"{ind.series},{year},{1 + year % 7},=,{unit},actual,L{1 + year % 2},synthetic late row,合成的迟到数据行")
        rows.append(f"{ind.series},2023-01/2023-06,3,=,{unit},partial,L1,synthetic late row,合成的迟到数据行")
        for year in (2024, 2025):  # later periods, from a source the vintage knows (S12, 2024-02-07)
            rows.append(f"{ind.series},{year},2,=,{unit},actual,S12,synthetic later period,合成的较晚期间数据")
    later = with_rows(ds, late, rows, tmp_path)
    assert records(plan, later, 2023, vintage) == before
    # The added rows are not inert: without the vintage they do change 2023 records.
    assert records(plan, later, 2023, None) != records(plan, ds, 2023, None)


SERIES = ["jobless_rate", "jobs_created", "training_volume", "members_stock", "fund_volume", "activity_rate",
          "online_share", "benefit_adjustment", "price_inflation"]
LATE = {"Z1": "2021", "Z2": "2021-03", "Z3": "2021-03-01", "Z4": "2022-01-05"}  # after the vintage 2021-02
KNOWN = ["X1", "X2"]  # 2021-01-15 and 2021-02: known by the vintage


@st.composite
def added_row(draw) -> str:
    series = draw(st.sampled_from(SERIES))
    value = draw(st.floats(0, 100).map(lambda v: round(v, 2)))
    qualifier = draw(st.sampled_from(QUALIFIERS))
    kind = draw(st.sampled_from(OBSERVATION_KINDS))
    if draw(st.booleans()):  # a later period (any source)
        year = draw(st.integers(2019, 2024))
        source = draw(st.sampled_from(KNOWN + list(LATE)))
    else:  # a period by 2018, published after the vintage
        year = draw(st.integers(2008, 2018))
        source = draw(st.sampled_from(list(LATE)))
    period = draw(st.sampled_from([str(year), f"{year}-01/{year}-06", f"{year - 2}-{year}"]))
    unit = "% yoy" if series in ("benefit_adjustment", "price_inflation") else "%"
    return f"{series},{period},{value},{qualifier},{unit},{kind},{source},synthetic added row,合成的新增数据行"


@pytest.fixture(scope="module")
def synthetic():
    loaded = load_plan(SYNTHETIC)
    ds = load_dataset(loaded)
    fast = loaded.plan.model_copy(update={"method": {"paths_per_model": 200}})
    return fast, ds, records(fast, ds, 2018, "2021-02")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(rows=st.lists(added_row(), min_size=1, max_size=6, unique=True))
def test_later_periods_or_publications_never_change_an_earlier_record(synthetic, rows: list[str]) -> None:
    plan, ds, before = synthetic
    late = "".join(f"{sid},SYNTHETIC test source (invented),late,{when},,high\n" for sid, when in LATE.items())
    with tempfile.TemporaryDirectory() as tmp:
        later = with_rows(ds, late, rows, Path(tmp))
    assert records(plan, later, 2018, "2021-02") == before


# --------------------------------------------------------------------------------------------
# The scorecard: the mid-term view the mid-term report could have made
# --------------------------------------------------------------------------------------------

def test_midterm_vintage_default_and_plan_field() -> None:
    raw = yaml.safe_load(SYNTHETIC.read_text(encoding="utf-8"))
    raw.pop("midterm_vintage")
    assert midterm_vintage(Plan.model_validate(raw)) == "2019-06-30"  # mid-term 2018: 30 June 2019
    assert midterm_vintage(load_plan(SHANGHAI).plan) == "2024-06-30"  # mid-term 2023
    assert midterm_vintage(Plan.model_validate({**raw, "midterm_vintage": date(2019, 3, 31)})) == "2019-03-31"
    assert midterm_vintage(Plan.model_validate({**raw, "midterm_vintage": 2019})) == "2019"
    for bad in ("2019-13", "soon"):
        with pytest.raises(ValidationError, match="midterm_vintage"):
            Plan.model_validate({**raw, "midterm_vintage": bad})
    with pytest.raises(ValidationError, match="before the mid-term year 2018"):
        Plan.model_validate({**raw, "midterm_year": 2018, "midterm_vintage": "2017-12"})


def redated_fixture(tmp: Path, late_published: str, plan_vintage: str | None = None) -> Path:
    """The synthetic plan with sources dated before its default mid-term vintage (2019-06-30), except a
    SYNTHETIC source Z9 (published ``late_published``) that alone gives activity_rate's 2018 value."""
    copy = tmp / "plan"
    shutil.copytree(FIXTURE, copy)
    plan = copy / "params" / "synthetic_plan.yaml"
    raw = yaml.safe_load(plan.read_text(encoding="utf-8"))
    raw.pop("midterm_vintage")
    if plan_vintage:
        raw["midterm_vintage"] = plan_vintage
    plan.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    src = copy / "data" / "sources.csv"
    text = src.read_text(encoding="utf-8").replace(",2021-01-15,", ",2019-03-01,").replace(",2021-02,", ",2019-03,")
    src.write_text(text + f"Z9,SYNTHETIC late source (invented),activity rate 2018,{late_published},,high\n",
                   encoding="utf-8")
    obs = copy / "data" / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8").replace("activity_rate,2018,8.9,=,%,actual,X1,",
                                                           "activity_rate,2018,8.9,=,%,actual,Z9,"), encoding="utf-8")
    return plan


def test_the_scorecard_uses_the_midterm_vintage(tmp_path: Path) -> None:
    loaded = load_plan(redated_fixture(tmp_path, "2019-07"))  # 2019-07 = 31 July: after 30 June 2019
    plan, ds, config = loaded.plan, load_dataset(loaded), loaded.plan.method_config
    rows = {r["indicator_id"]: r for r in scorecard(plan, ds, config)}
    activity = rows["activity_rate"]["midterm"]
    assert activity["vintage"] == "2019-06-30"
    ind = plan.indicator("activity_rate")
    # What the mid-term report could know: 2012–2017 only (the 2018 value came out in July 2019).
    without = ds.as_of(2018).observations
    without = without[~((without["series"] == "activity_rate") & (without["period"] == "2018"))]
    could = evaluate(plan, ind, Dataset(without, ds.sources, ds.projects, ds.files), 2018, config)
    assert could.latest.period == "2017"
    assert activity["probability"] == could.forecast.probability
    # The late value would have changed p: with it (all data of 2018), p is another number.
    hindsight = evaluate(plan, ind, ds, 2018, config)
    assert hindsight.latest.period == "2018"
    assert hindsight.forecast.probability != could.forecast.probability
    # The final outcome still uses everything: 9.6 in 2020 is within 10 ± 0.5.
    assert rows["activity_rate"]["final"]["outcome"] == "achieved"


def test_a_plan_midterm_vintage_after_the_late_source_lets_the_midterm_view_use_it(tmp_path: Path) -> None:
    loaded = load_plan(redated_fixture(tmp_path, "2019-07", plan_vintage="2019-07-31"))
    plan, ds, config = loaded.plan, load_dataset(loaded), loaded.plan.method_config
    pairs = dict(zip([i.id for i in plan.evaluated], scorecard_records(plan, ds, config)))
    mid, _ = pairs["activity_rate"]
    assert mid.to_json() == evaluate(plan, plan.indicator("activity_rate"), ds, 2018, config).to_json()


def test_an_outcome_on_part_year_readings_only_is_provisional(tmp_path: Path) -> None:
    copy = tmp_path / "plan"
    shutil.copytree(FIXTURE, copy)
    with (copy / "data" / "observations.csv").open("a", encoding="utf-8") as f:
        f.write("online_share,2020-01/2020-06,95,=,%,partial,X1,synthetic half-year reading of the end year,合成的期末年份半年读数\n")
    loaded = load_plan(copy / "params" / "synthetic_plan.yaml")
    plan, ds, config = loaded.plan, load_dataset(loaded), loaded.plan.method_config
    rows = {r["indicator_id"]: r for r in scorecard(plan, ds, config)}
    assert rows["online_share"]["final"]["provisional"] is True  # no 2020 annual value, a 2020 half-year one
    assert rows["jobless_rate"]["final"]["provisional"] is False  # 2020 has its annual value
    assert rows["training_volume"]["final"]["provisional"] is False
    final = evaluate(plan, plan.indicator("online_share"), ds, 2020, config)
    assert provisional(final) is True


# --------------------------------------------------------------------------------------------
# The run: cache keys, notebook parameters, manifest and report
# --------------------------------------------------------------------------------------------

def test_vintage_is_part_of_every_cache_key(shanghai) -> None:
    plan, ds = shanghai
    loaded = load_plan(SHANGHAI)
    code = {"x": "y"}
    plain = indicator_key(loaded, ds, "new_jobs", 2023, code)
    # 2099 drops no row at all, yet it is another run (the notebook's parameters differ).
    assert indicator_key(loaded, ds, "new_jobs", 2023, code, "2099") != plain
    assert indicator_key(loaded, ds, "new_jobs", 2023, code, "2099-12-31") != indicator_key(
        loaded, ds, "new_jobs", 2023, code, "2099")
    assert indicator_key(loaded, ds, "new_jobs", 2023, code, None) == plain
    # The rows hashed are those the vintage keeps: the 2023 value (S13, 2024-01-23) is out by 2024-01 only.
    early = indicator_inputs(loaded, ds, plan.indicator("new_jobs"), 2023, "2024-01-15")
    later = indicator_inputs(loaded, ds, plan.indicator("new_jobs"), 2023, "2024-01")
    assert early["rows"] != later["rows"]
    assert run_parameters(2023, ("zh",), (), SHANGHAI) != run_parameters(2023, ("zh",), (), SHANGHAI, "2024")


def test_run_all_help_and_a_malformed_vintage(capsys) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_all", ROOT / "run_all.py")
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    with pytest.raises(SystemExit) as done:
        run_all.main(["--year", "2023", "--vintage", "2024-13"])
    assert done.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "run_all.py: error: argument --vintage: expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got '2024-13': "
        "there is no month 13")
    assert "--vintage DATE" in run_all.parser().format_help()


def test_a_run_with_a_vintage_has_its_own_cache_entry_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "params").mkdir()
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(SHANGHAI, tmp_path / "params" / SHANGHAI.name)
    plan_path = tmp_path / "params" / SHANGHAI.name
    out = tmp_path / "out"
    only = ("new_jobs",)
    first = run(Options(year=2023, plan=plan_path, out=out, only=only, langs=("en",), jobs=1, vintage="2024-01-15"),
                log=lambda _: None)
    assert sorted(first.executed) == ["new_jobs", "summary"]
    report = out / "2023"
    html = (report / "report.en.html").read_text(encoding="utf-8")
    assert "Data vintage" in html
    assert "Only rows whose source was published by 2024-01-15 are used (--vintage 2024-01-15)." in html
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["vintage"] == "2024-01-15"
    notebook = (report / "notebooks" / "new_jobs.ipynb").read_text(encoding="utf-8")
    assert '"vintage = \\"2024-01-15\\"' in notebook
    # The record is evaluate's on the vintage-cut data: the 2023 value (S13, 2024-01-23) is not known yet.
    loaded = load_plan(plan_path)
    ds = load_dataset(loaded)
    ind = loaded.plan.indicator("new_jobs")
    expected = evaluate(loaded.plan, ind, ds.as_of(2023, "2024-01-15"), 2023, loaded.plan.method_config)
    assert (report / "results" / "new_jobs.json").read_text(encoding="utf-8") == expected.to_json()
    assert expected.latest.period == "2022"
    # Without the vintage: another cache entry, so the notebook runs again, and the report says nothing of one.
    second = run(Options(year=2023, plan=plan_path, out=out, only=only, langs=("en",), jobs=1), log=lambda _: None)
    assert sorted(second.executed) == ["new_jobs", "summary"] and second.cached == []
    html = (report / "report.en.html").read_text(encoding="utf-8")
    assert "Data vintage" not in html
    assert json.loads((report / "results" / "new_jobs.json").read_text(encoding="utf-8"))["latest"]["period"] == "2023"


# --------------------------------------------------------------------------------------------
# The final report: preliminary until the end year's values are out; no forecast once it is observed
# --------------------------------------------------------------------------------------------

META = {"commit": "abc1234", "data_hash": "sha256:0f0f", "data_cutoff": "2020", "only": []}


@functools.cache
def _final_2020():
    loaded = load_plan(SYNTHETIC)
    plan, config = loaded.plan, loaded.plan.method_config
    as_of = load_dataset(loaded).as_of(2020)
    recs = [json.loads(evaluate(plan, ind, as_of, 2020, config).to_json()) for ind in plan.evaluated]
    return loaded, as_of, recs, scorecard(plan, as_of, config)


def final_html(lang: str, only: tuple[str, ...] = (), change=None, vintage: str | None = None) -> str:
    """The synthetic plan's 2020 report from in-process records (``change`` may edit copies of them first)."""
    from planeval.presentation.report import render_html, report_view

    loaded, as_of, all_recs, all_rows = _final_2020()
    recs = [copy.deepcopy(r) for r in all_recs if not only or r["indicator_id"] in only]
    rows = [copy.deepcopy(r) for r in all_rows if not only or r["indicator_id"] in only]
    if change:
        change(recs, rows)
    return render_html(report_view(plan=loaded, dataset=as_of, records=recs, figures={}, config=loaded.plan.method_config,
                       year=2020, lang=lang, meta={**META, "only": list(only), "vintage": vintage}, scorecard=rows))


def test_the_final_report_is_preliminary_while_an_end_year_value_is_missing() -> None:
    html = final_html("en")  # online_share has no 2020 value (its last is 2019)
    assert "<title>SYNTHETIC test plan (not a real plan) · final evaluation report (preliminary assessment) 2020</title>" in html
    assert ("Preliminary assessment: 1 indicator(s) have no annual value for 2020 yet (Synthetic share of services "
            "online)") in html
    zh = final_html("zh")
    assert "终期评估报告（初步评估） 2020</title>" in zh and "初步评估：1项指标尚无2020年年度数值（合成网上办理比例）" in zh


def test_the_final_report_is_not_preliminary_when_every_end_year_value_is_in() -> None:
    html = final_html("en", only=("jobless_rate", "training_volume", "activity_rate"))
    assert "<title>SYNTHETIC test plan (not a real plan) · final evaluation report 2020</title>" in html
    assert "reliminary" not in html


def test_a_record_settled_by_the_end_year_shows_no_forecast() -> None:
    def stale_forecast(recs, _rows):  # as if a record at the end year still carried a forecast
        rec = next(r for r in recs if r["indicator_id"] == "training_volume")
        assert rec["current_year"] == 2020
        rec["forecast"] = {"year": 2020, "point": 987.65, "low": 900.0, "high": 1000.0, "probability": 0.97,
                           "likelihood": {"code": "very_likely", "zh": "很可能", "en": "very likely"},
                           "probability_uninflated": 0.99, "probability_by_model": {}, "models": [],
                           "fit_years": [], "scale": "log", "fan": {}}
    html = final_html("en", only=("training_volume",), change=stale_forecast)
    assert "987.65" not in html and "97%" not in html
    # said once, under the summary table, not in the row
    after = html.split('<table class="summary">')[1].split("</table>")[1].split("</section>")[0]
    assert "the end year is observed, no forecast is needed" in after


def test_the_scorecard_states_the_midterm_vintage_and_marks_a_provisional_outcome() -> None:
    def mark(_recs, rows):
        next(r for r in rows if r["indicator_id"] == "online_share")["final"]["provisional"] = True
    html = final_html("en", change=mark)
    card = html.split('<section id="scorecard">')[1].split("</section>")[0]
    # The fixture plan's midterm_vintage 2021-02 is its last day.
    assert "whose source was published by 2021-02-28, the mid-term report&#39;s vintage" in card
    online = card.split("Synthetic share of services online")[1].split("</tr>")[0]
    assert '<small class="provisional">provisional</small>' in online
    assert card.count('class="provisional"') == 1


def test_the_cover_states_the_vintage() -> None:
    html = final_html("en", only=("jobless_rate",), vintage="2021")
    cover = html.split('<section class="cover"')[1].split("</section>")[0]
    assert "<dt>Data vintage</dt><dd>2021-12-31</dd>" in cover
    assert "<p>Only observations for periods ending by the end of 2020 are used. Only rows whose source was " \
           "published by 2021-12-31 are used (--vintage 2021).</p>" in cover
    assert "Data vintage" not in final_html("en", only=("jobless_rate",))


def test_the_index_page_says_preliminary_and_states_the_vintage() -> None:
    from planeval.presentation.report import render_index

    loaded = load_plan(SYNTHETIC)
    page = render_index(loaded, 2020, ("zh", "en"), {**META, "vintage": "2021-03"}, preliminary=True)
    assert "final evaluation report (preliminary assessment) · 2020" in page and "终期评估报告（初步评估） · 2020" in page
    assert "published by 2021-03-31" in page
    page = render_index(loaded, 2020, ("en",), META)
    assert "reliminary" not in page and "vintage" not in page


def test_the_runner_refuses_a_malformed_vintage_before_running(tmp_path: Path) -> None:
    from planeval.inputs.errors import InputError
    from planeval.pipeline.runner import check_options

    loaded = load_plan(SHANGHAI)
    with pytest.raises(InputError, match="^--vintage: expected a date \\(YYYY, YYYY-MM or YYYY-MM-DD\\), got '2024-02-30'"):
        check_options(Options(year=2023, plan=SHANGHAI, out=tmp_path / "out", vintage="2024-02-30"), loaded)
    assert check_options(Options(year=2023, plan=SHANGHAI, out=tmp_path / "out", vintage="2024-02-29"), loaded)
