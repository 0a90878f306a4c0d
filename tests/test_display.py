"""How the report and charts show what a record says (issue 16, display faults).

Records here are SYNTHETIC: the hand-written fixtures of tests/fixtures/records changed in memory to the
case each test needs (real data values, invented results); the plan and data are the real ones. Every
expected string is written out by hand.
"""

from __future__ import annotations

import copy
import dataclasses
import html as htmllib
import json
import re
import subprocess
from pathlib import Path

import pytest

from planeval.presentation import charts
from planeval.presentation import labels as i18n
from planeval.method.backtest import backtest_all
from planeval.method.coverage import context_points
from planeval.inputs.data import load_dataset
from planeval.presentation.formats import interval as fmt_interval
from planeval.presentation.formats import probability as fmt_probability
from planeval.inputs.plan import load_plan
from planeval.presentation import typst
from planeval.presentation.report import render_html, report_view
from planeval.presentation.views import already_met

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "records"
META = {"commit": "abc1234", "data_hash": "sha256:0f0f", "data_cutoff": "2023-12-31"}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def point(period: str, value: float, source: str = "S10", kind: str = "actual") -> dict:
    return {"kind": kind, "line": 0, "note_en": "", "note_zh": "", "period": period, "qualifier": "=", "source": source,
            "unit": "10k person-times", "used": True, "value": value}


@pytest.fixture(scope="module")
def loaded():
    plan = load_plan(PLAN)
    return plan, load_dataset(plan).as_of(2023)


def _training(**change) -> dict:
    """skills_training as of 2023 with 2022 and 2023 flows (SYNTHETIC values 130 and 140): 2021–2023
    sum 118.85 + 130 + 140 = 388.85; 500 − 388.85 = 111.15 over two years = 55.575 a year."""
    rec = fixture("skills_training")
    rec["history"] += [point("2022", 130.0), point("2023", 140.0, "S12")]
    rec.update(latest=point("2023", 140.0, "S12"), current_year=2023, cumulative_done=388.85, tau=0.6,
               progress=0.7777, pace=1.2962, required_per_year=55.575, average_per_year=129.6167, reasons=[],
               years_unknown=[])
    rec.update(change)
    return rec


def _records() -> list[dict]:
    """Four rows: broadly on track with the old code (training), a p of 0.998 (new jobs), an unknown-heavy
    ceiling (unemployment) and an insufficient-data end level with its reasons (pension participants)."""
    training = _training(status={"code": "needs_acceleration", "params": {}})
    jobs = fixture("new_jobs")
    jobs["forecast"]["probability"] = 0.998
    jobs["forecast"]["probability_uninflated"] = 0.9996
    jobs["forecast"]["probability_by_model"] = {"linear_trend": 0.004, "rw_drift": 0.91}
    jobs["forecast"]["likelihood"] = {"code": "very_likely", "params": {}}
    jobs.update(probability=0.998, likelihood=jobs["forecast"]["likelihood"], basis="forecast")  # the verdict's p
    unemployment = fixture("unemployment_rate")
    unemployment.update(years_unknown=[2021, 2022], forecast=None)
    pension = copy.deepcopy(fixture("entrepreneurial_activity_rate"))
    pension.update(indicator_id="pension_participants", kind="end_level", target=1700.0, tolerance=None,
                   unit="10k persons", latest=None, base=None, current_year=None, forecast=None, progress=None,
                   pace=None, tau=None, status={"code": "insufficient_data", "params": {}},
                   reasons=[{"code": "no_current_value", "params": {"since": 2021, "year": 2023}},
                            {"code": "too_few_points", "params": {"n": 1, "need": 5, "since": None}}],
                   history=[], evidence=[], annual_targets=[])
    return [training, jobs, unemployment, pension]


@pytest.fixture(scope="module")
def html(loaded):
    plan, ds = loaded
    return {lang: render_html(report_view(plan=plan, dataset=ds, records=_records(), figures={}, config=plan.plan.method_config,
                              year=2023, lang=lang, meta=META)) for lang in i18n.LANGS}


def summary_rows(html: str) -> dict[str, str]:
    """indicator id -> the HTML of its summary row plus its reason row."""
    table = html.split('<table class="summary">')[1].split("</table>")[0]
    rows = re.findall(r'<tr[^>]*>\s*<td[^>]*><a href="#ind-([a-z0-9_]+)">(.*?)</tr>\s*(<tr class="why">.*?</tr>)?', table, flags=re.S)
    return {iid: body + why for iid, body, why in rows}


def text(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip())


def section(html: str, iid: str) -> str:
    return html.split(f'id="ind-{iid}"')[1].split("</article>")[0]


# 1. Needed per remaining year: never negative.

@pytest.mark.parametrize(("required", "direction", "met"), [
    (55.575, "higher", False), (0.0, "higher", True), (-10.0, "higher", True),  # (500 − 520) / 2 = −10
    (-0.2, "lower", False), (0.3, "lower", True), (None, "higher", False)])
def test_already_met_follows_the_direction(required, direction, met):
    assert already_met({"required_per_year": required, "direction": direction}) is met


def test_a_met_cumulative_target_reads_already_met(loaded):
    plan, ds = loaded
    rec = _training(cumulative_done=520.0, required_per_year=-10.0, status={"code": "achieved_early", "en": "", "zh": ""})
    for lang, words in (("en", "already met"), ("zh", "已达到目标")):
        out = render_html(report_view(plan=plan, dataset=ds, records=[rec], figures={}, config=plan.plan.method_config,
                          year=2023, lang=lang, meta=META))
        figures = text(section(out, "skills_training").split('<table class="figures">')[1].split("</table>")[0])
        assert words in figures
        assert "-10" not in figures and "−10" not in figures


# 2. Probabilities at the extremes.

@pytest.mark.parametrize(("p", "shown", "with_p"), [
    (0.998, "> 99%", "p > 99%"), (1.0, "> 99%", "p > 99%"), (0.99, "99%", "p = 99%"), (0.91, "91%", "p = 91%"),
    (0.5, "50%", "p = 50%"), (0.01, "1%", "p = 1%"), (0.004, "< 1%", "p < 1%"), (0.0, "< 1%", "p < 1%")])
def test_fmt_probability(p, shown, with_p):
    assert fmt_probability(p) == shown
    assert fmt_probability(p, with_p=True) == with_p


def test_no_probability_prints_as_certain(html, loaded):
    for lang in i18n.LANGS:
        assert "100%" not in text(summary_rows(html[lang])["new_jobs"])
        assert ("（> 99%）" if lang == "zh" else "(> 99%)") in text(summary_rows(html[lang])["new_jobs"])
        figures = text(section(html[lang], "new_jobs"))
        assert "> 99%" in figures and "< 1%" in figures  # p, p uninflated 0.9996 and the linear model's 0.004
        assert "0.998" not in figures and "1.00" not in figures
    labels = [x.get_text() for x in charts.overview_figure(_records(), loaded[0], "en").axes[0].texts]
    assert "on track  p > 99%" in labels


def test_notebook_tables_show_the_report_cells(loaded, html):
    from planeval.pipeline.notebook import key_figures, summary_table
    records = _records()
    table = summary_table(records, loaded[0], "en").set_index("Indicator")
    assert table.at["New urban jobs", "Probability"] == "very likely (> 99%)"  # p 0.998, as in the report
    assert table.at["New urban jobs", "End-year forecast (80% interval)"] == "60.2 10k [54.1–66]"
    assert table.at["Vocational skills training", "Status"] == "broadly on track needs 55.58 10k person-times a year"
    assert table.at["Vocational skills training", "Latest"] == "388.85 10k person-times in 2021–2023 (2023: 140)"
    assert table.at["Urban employees' basic pension participants", "Figures that cannot be given, and why"] == (
        "no annual value since 2021")
    row = text(summary_rows(html["en"])["new_jobs"])
    assert "very likely (> 99%)" in row and "60.2 10k [54.1–66]" in row
    figures = dict(key_figures(records[1], loaded[0].plan.indicator("new_jobs"), "en", loaded[0].plan.method_config).values.tolist())
    assert figures["Status"] == "on track"
    assert figures["Probability p"] == "very likely (> 99%)"
    assert figures["p with the models' own spread (uncalibrated)"] == "> 99%"  # 0.9996
    assert figures["p per model"] == "linear trend < 1%; random walk with drift 91%"
    assert figures["Evidence grade"] == "— no row to rest on"  # no confidence: a dash and why


# 3. Latest of a cumulative target; no base cell where no base is used.

def test_latest_of_a_cumulative_target_is_the_total_to_date(html):
    en = summary_rows(html["en"])["skills_training"]
    zh = summary_rows(html["zh"])["skills_training"]
    assert "388.85 10k person-times in 2021–2023 (2023: 140)" in text(en)
    assert "2021—2023年累计388.85 万人次（2023年：140）" in text(zh)
    assert "no base value" not in text(en) and "无基期数据" not in text(zh)
    assert "Base value" not in text(section(html["en"], "skills_training")).split("Figures that cannot")[0]


def test_a_single_flow_without_a_total_says_so(loaded):
    plan, ds = loaded
    rec = fixture("skills_training")
    rec.update(cumulative_done=None, latest=point("2023", 140.0, "S12"), current_year=2023)
    out = render_html(report_view(plan=plan, dataset=ds, records=[rec], figures={}, config=plan.plan.method_config,
                      year=2023, lang="en", meta=META))
    assert "140 10k person-times (2023 alone; total unknown)" in text(summary_rows(out)["skills_training"])


def test_each_year_kinds_leave_the_base_empty(html):
    row = summary_rows(html["en"])["unemployment_rate"]
    cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
    assert cells[1].strip() == ""  # (after the indicator) target, base: empty, not "—, no base value"


# 4. One short reason per row.

def test_each_row_says_why_once(html):
    for lang in i18n.LANGS:
        rows = summary_rows(html[lang])
        summary = html[lang].split('<table class="summary">')[1].split("</table>")[0]
        assert i18n.t("na.see_section", lang) not in summary
        pension = text(rows["pension_participants"])
        # its first reason (no_current_value) in a few words, once
        short = {"en": "no annual value since 2021", "zh": "2021年以来无年度数值"}[lang]
        assert pension.count(short) == 1
        assert "Only 1 annual point value" not in pension and "只有1个年度观测值" not in pension
        assert text(rows["unemployment_rate"]).count({"en": "no data for 2021, 2022", "zh": "2021、2022年无数据"}[lang]) == 1
        assert 'class="why"' not in rows["new_jobs"]  # nothing missing, nothing to explain


def test_an_undetermined_final_verdict_says_why_even_with_every_cell_filled(loaded):
    plan, ds = loaded
    rec = fixture("unemployment_rate")
    rec.update(evaluation_year=2025, current_year=2025, forecast=None, years_unknown=[2021, 2022],
               status={"code": "insufficient_data", "en": "", "zh": ""})
    out = render_html(report_view(plan=plan, dataset=ds, records=[rec], figures={}, config=plan.plan.method_config, year=2025,
                      lang="en", meta=META))
    assert "no data for 2021, 2022" in text(summary_rows(out)["unemployment_rate"])
    assert "the end year is observed, no forecast is needed" in out  # said once under the table, not per row
    assert "no forecast is needed" not in text(summary_rows(out)["unemployment_rate"])


# 8. Broadly on track, whichever code the record uses, with the pace needed.

@pytest.mark.parametrize("code", ["needs_acceleration", "broadly_on_track"])
def test_broadly_on_track_with_the_pace_needed(loaded, code):
    plan, ds = loaded
    rec = _training(status={"code": code, "en": "", "zh": ""})
    for lang, status, pace in (("en", "broadly on track", "needs 55.58 10k person-times a year"),
                               ("zh", "基本符合预期", "需每年55.58 万人次")):
        out = render_html(report_view(plan=plan, dataset=ds, records=[rec], figures={}, config=plan.plan.method_config,
                          year=2023, lang=lang, meta=META))
        row, head = text(summary_rows(out)["skills_training"]), text(section(out, "skills_training").split("</h3>")[0])
        assert status in row and pace in row
        assert status in head and pace in head
        # (config.py's own description of its threshold is the method's, outside this test's reach)
        assert "needs acceleration" not in out.split('<section id="method">')[0]
    assert i18n.status_colour("needs_acceleration") == i18n.status_colour("broadly_on_track") == "#e6ab02"


# 5. Context series: a section, and the linked series on the indicator's chart.

def test_context_section_lists_every_series_with_sources(html, loaded):
    plan = loaded[0].plan
    en = htmllib.unescape(html["en"].split('<section id="context">')[1].split("</section>")[0])
    for c in plan.context_series:
        assert f'id="ctx-{c.id}"' in en and c.name.en in en
    cpi = en.split('id="ctx-cpi"')[1].split("<h3")[0]
    # 2018–2023 as of 2023: six rows; 2025 (0.1) is after the evaluation year.
    assert len(re.findall(r"<tr><td>20\d\d</td>", cpi)) == 6
    assert '<td class="num">0.3 % yoy</td>' in cpi and 'href="#src-S12"' in cpi and "0.1 %" not in cpi
    assert 'Drawn on the chart of: <a href="#ind-pensions">4. Pension levels</a>' in cpi  # the rule compares it
    registered = en.split('id="ctx-unemployment_rate_registered"')[1].split("<h3")[0]
    assert 'Drawn on the chart of: <a href="#ind-unemployment_rate">1. Surveyed urban unemployment rate</a>' in registered
    assert '<a href="#context">Context series</a>' in html["en"]


def test_a_plan_without_context_series_or_projects_says_so(loaded):
    plan, ds = loaded
    bare = plan.model_copy(update={"plan": plan.plan.model_copy(update={"context_series": [], "major_projects": []})})
    for lang, projects, context in (("en", "The plan lists no major projects.", "The plan lists no context series."),
                                    ("zh", "本规划未列出重大事项。", "本规划未列出背景数据。")):
        out = render_html(report_view(plan=bare, dataset=ds, records=[], figures={}, config=plan.plan.method_config, year=2023,
                          lang=lang, meta=META))
        assert projects in out.split('<section id="projects">')[1].split("</section>")[0]
        assert '<table class="projects">' not in out
        assert context in out.split('<section id="context">')[1].split("</section>")[0]


def test_context_in_the_same_unit_shares_the_axis(loaded):
    plan, ds = loaded
    rec = fixture("unemployment_rate")
    fig = charts.indicator_chart(rec, "en", plan=plan, context=context_points(plan, ds, 2023, ["unemployment_rate_registered"]))
    assert len(fig.axes) == 1
    line = next(x for x in fig.axes[0].lines if x.get_label() == "context: Registered urban unemployment rate")
    # 2018–2021 registered rates (2017 lies left of the chart's years, which start at 2018 − 0.6).
    assert list(line.get_xdata()) == [2018, 2019, 2020, 2021] and list(line.get_ydata()) == [3.6, 3.6, 3.7, 2.7]


def test_context_in_another_unit_gets_its_own_panel(loaded):
    plan, ds = loaded
    rec = fixture("unemployment_rate")
    fig = charts.indicator_chart(rec, "en", plan=plan, context=context_points(plan, ds, 2023, ["high_skill_share"]))
    assert len(fig.axes) == 2
    panel = fig.axes[1]
    assert [x.get_label() for x in panel.lines] == ["context: High-skill share of skilled workers (% of skilled workers)"]
    assert list(panel.lines[0].get_xdata()) == [2020, 2021]  # 2015 and 2017 lie outside the chart's years
    assert not any("context" in x.get_label() for x in fig.axes[0].lines)


# 7. Partial-period labels and spans from another plan.

def test_label_offsets_keep_labels_apart():
    assert charts.label_offsets([100.0, 103.0]) == [0.0, 6.0]  # 103 moves up to 100 + 9
    assert charts.label_offsets([50.0, 10.0, 12.0]) == [0.0, 0.0, 7.0]
    assert charts.label_offsets([0.0, 30.0]) == [0.0, 0.0]


@pytest.mark.parametrize(("period", "inside"), [
    ("2023", True), ("2023-01/2023-10", True), ("2021-2025", True), ("2021-01/2025-09", True),
    ("2018-2022", False), ("2016-2020", False), ("2024-2026", False)])
def test_only_spans_inside_the_plan_period_are_drawn(period, inside):
    assert charts.in_plan_chart(period, 2020, 2025) is inside


def test_partial_labels_of_one_year_do_not_overlap_and_old_totals_stay_off(loaded):
    plan = loaded[0]
    rec = fixture("skills_training")
    rec["evidence"] = [point("2023-01/2023-06", 55.0, kind="partial"), point("2023-01/2023-10", 57.0, kind="partial"),
                       point("2018-2022", 800.0, kind="actual")]
    fig = charts.indicator_chart(rec, "en", plan=plan)
    ax = fig.axes[0]
    notes = {a.get_text(): a for a in ax.texts if re.fullmatch(r"\d{4}.*", a.get_text())}
    assert set(notes) == {"2023-01/2023-06", "2023-01/2023-10"}
    fig.canvas.draw()
    low, high = (notes[k].get_window_extent() for k in ("2023-01/2023-06", "2023-01/2023-10"))
    assert low.y1 <= high.y0  # stacked, not on top of each other
    assert ax.get_ylim()[1] < 800


# 4 and 7 (layout). The summary table fits one A4 page in each language; no header is cut at the margin.

RIGHT_MARGIN_PT = 595.28 - 14 / 25.4 * 72  # A4 width less the 14 mm right margin of templates/report.typ


def test_pdf_layout(loaded, tmp_path):
    plan, ds = loaded
    from planeval.pipeline.notebook import collect_records
    records = collect_records(plan, ds, 2023, plan.plan.method_config)
    for lang in i18n.LANGS:
        view = report_view(plan=plan, dataset=ds, records=records, figures={}, config=plan.plan.method_config,
                           year=2023, lang=lang, meta=META)
        pdf = tmp_path / f"{lang}.pdf"
        typst.write_pdf(view, pdf)
        pages = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout.split("\f")
        caption = i18n.t("summary.table", lang)
        page = next(p for p in pages if caption in p)
        flat = re.sub(r"\s+", "", page)
        for ind in plan.plan.indicators:
            assert f"{ind.number}." + re.sub(r"\s+", "", ind.name[lang])[:8] in flat, ind.id
        if lang == "en":
            words = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            right = [float(x) for x in re.findall(r'<word xMin="[^"]+" yMin="[^"]+" xMax="([^"]+)" yMax="[^"]+">Confidence</word>', words)]
            assert right and max(right) <= RIGHT_MARGIN_PT + 1


# 5. The interval's level comes from the plan's settings, never a fixed "80%".

def test_labels_read_the_configured_interval(loaded):
    """A plan with ``method: {interval: 0.9}``: every label of the forecast interval says 90%."""
    plan, ds = loaded
    config = dataclasses.replace(plan.plan.method_config, interval=0.9)
    jobs = fixture("new_jobs")
    jobs["forecast"]["interval"] = 0.9
    backtests = backtest_all(plan.plan, ds, ["new_jobs"], 2023)  # its table has the coverage column
    pages = {lang: render_html(report_view(plan=plan, dataset=ds, records=[jobs], figures={}, config=config, year=2023,
                                           lang=lang, meta=META, backtests=backtests)) for lang in i18n.LANGS}
    assert "End-year forecast (90% interval)" in pages["en"] and "期末预测（90%区间）" in pages["zh"]
    assert "Forecast for 2025 (90% interval)" in pages["en"] and "2025年预测值（90%区间）" in pages["zh"]
    assert "90% coverage" in pages["en"] and "90%区间覆盖率" in pages["zh"]
    assert "well-calibrated 90% intervals" in pages["en"]
    # (the calibration block keeps its 80%: its committed figures were made at that level)
    assert not [s for s in ("(80% interval)", "well-calibrated 80%", ">80% coverage<") if s in pages["en"]]
    assert not [s for s in ("（80%区间）", ">80%区间覆盖率<", "落在80%") if s in pages["zh"]]
    legend = [label for ax in charts.indicator_chart(jobs, "en", plan=plan).axes for label in ax.get_legend_handles_labels()[1]]
    assert "forecast 90% interval" in legend
    assert fmt_interval(0.8) == "80%" and fmt_interval(0.95) == "95%"
