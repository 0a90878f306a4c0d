"""The interactive page without a browser: where the chart points lie, what they say, what the summary
table sorts by, and that the PDF shows none of the page's controls. Records: the SYNTHETIC fixtures of
tests/fixtures/records (real data values, invented results) with the real plan and data.
(tests/test_browser.py drives the same page in Chromium.)"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from planeval.inputs.data import load_dataset
from planeval.inputs.plan import load_plan
from planeval.presentation import charts
from planeval.presentation import typst
from planeval.presentation.report import HERE, render_html, report_view

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "records"
META = {"commit": "abc1234", "data_hash": "sha256:0f0f", "data_cutoff": "2023-12-31", "generated_from": []}


def record(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN)


@pytest.fixture(scope="module")
def page(plan, tmp_path_factory):
    """The English page of the five fixture records, charts saved with their points as the notebooks save them."""
    out = tmp_path_factory.mktemp("interactive")
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))]
    figures = {}
    for rec in records:
        fig = charts.indicator_chart(rec, "en", plan=plan)
        path = out / f"{rec['indicator_id']}.en.png"
        path.write_bytes(charts.png_bytes(fig, points=charts.chart_points(fig, rec)))
        figures[f"{rec['indicator_id']}.en"] = path
    ds = load_dataset(plan).as_of(2023)
    view = report_view(plan=plan, dataset=ds, records=records, figures=figures, config=plan.plan.method_config,
                       year=2023, lang="en", meta=META)
    return view, render_html(view), out


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_points_lie_on_the_markers_the_chart_draws(plan, tmp_path):
    """Each exact annual value's point is where the PNG shows its blue marker (#2166ac): the positions
    come from the axes' own transform, not from a layout guessed again."""
    rec = record("unemployment_rate")
    fig = charts.indicator_chart(rec, "en", plan=plan)
    points = charts.chart_points(fig, rec)
    path = tmp_path / "chart.png"
    path.write_bytes(charts.png_bytes(fig, points=points))
    assert charts.read_points(path) == points
    image = Image.open(path).convert("RGB")
    width, height = image.size
    history = [p for p in points if p["series"] == "history" and p["qualifier"] in ("=", "~")]
    # 2018, 2019 (~4.3), 2021, 2022 of the fixture; 2020 is a bound ("<=", a triangle), 2023 is
    # checked with the others: its marker is the same blue dot.
    assert [p["period"] for p in history] == [q["period"] for q in rec["history"]
                                              if q["used"] and q["qualifier"] in ("=", "~")]
    # The blue dot, or the grey bar of an annual target drawn on top of it (2019: target ~4.3 = value).
    marks = (_hex(charts.C_HIST), _hex(charts.C_ANNUAL))
    for p in history:
        x, y = round(p["x"] * width), round(p["y"] * height)
        near = [image.getpixel((x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        assert any(sum(abs(a - b) for a, b in zip(px, mark)) < 40 for px in near for mark in marks), (p["period"], near)
        far = image.getpixel((x, min(height - 1, y + 40)))  # 40 px lower: no marker
        assert all(sum(abs(a - b) for a, b in zip(far, mark)) >= 40 for mark in marks), p["period"]
    # the base year's value is also a history point: one point, not two on the same spot
    base = rec["base"]
    assert sum(1 for p in points if p["period"] == base["period"] and p["value"] == base["value"]) == 1
    # the 2022 Q2 reading is the partial evidence, kept with its source
    evidence = next(p for p in points if p["series"] == "evidence")
    assert (evidence["period"], evidence["value"], evidence["source"]) == ("2022-04/2022-06", 12.5, "S44")


def test_forecast_years_are_points_with_their_interval(plan):
    rec = record("entrepreneurial_activity_rate")
    fig = charts.indicator_chart(rec, "en", plan=plan)
    fan = [p for p in charts.chart_points(fig, rec) if p["series"] == "forecast"]
    assert {p["period"]: (p["low"], p["value"], p["high"]) for p in fan} == {
        y: tuple(v) for y, v in rec["forecast"]["fan"].items()}
    assert all(p["source"] is None for p in fan)


def test_png_without_points_reads_as_none(plan, tmp_path):
    path = tmp_path / "plain.png"
    rec = record("pensions")
    path.write_bytes(charts.png_bytes(charts.indicator_chart(rec, "en", plan=plan)))
    assert charts.read_points(path) is None
    fig = charts.indicator_chart(rec, "en", plan=plan)
    points = charts.chart_points(fig, rec)
    assert charts.png_bytes(fig, points) == charts.png_bytes(charts.indicator_chart(rec, "en", plan=plan), points)


def test_a_point_says_period_value_qualifier_and_source(page):
    view, html, _ = page
    section = next(s for s in view["sections"] if s["ind"].id == "unemployment_rate")
    tips = [p["tip"] for p in section["points"]]
    # The fixture's 2020 value: "within 4.4%" (<= 4.4, source S08); the base of the target.
    assert "2020 · annual value\nvalue: ≤4.4%\nqualifier: at most this value\nsource: S08 · " in tips[2] or any(
        tip.startswith("2020 · annual value\nvalue: ≤4.4%\nqualifier: at most this value\nsource: S08 · ") for tip in tips)
    assert any(tip.startswith("2022-04/2022-06 · partial period\nvalue: 12.5%\nqualifier: exact\nsource: S44") for tip in tips)
    # every point is a button over the chart, placed in per cent of the image, its reading as its title
    block = html.split('id="ind-unemployment_rate"')[1].split("</figure>")[0]
    buttons = re.findall(r'<button type="button" class="pt [^"]+" style="left: ([\d.]+)%; top: ([\d.]+)%" title="([^"]*)"', block)
    assert len(buttons) == len(section["points"]) > 5
    assert all(0 <= float(x) <= 100 and 0 <= float(y) <= 100 for x, y, _ in buttons)


def test_forecast_point_names_the_interval_not_a_source(page):
    view = page[0]
    section = next(s for s in view["sections"] if s["ind"].id == "entrepreneurial_activity_rate")
    tip = next(p["tip"] for p in section["points"] if p["series"] == "forecast" and p["tip"].startswith("2022"))
    assert tip == "2022 · forecast median\nvalue: 12%\nthis report's forecast, 80% interval 11.1–12.9"


def test_summary_rows_carry_what_they_sort_and_filter_by(page):
    view, html, _ = page
    rows = {r["ind"].id: r for r in view["rows"]}
    # new_jobs (fixture, a floor each year): 3 of 3 years met, key 3/3; the keys are the numbers the cells show
    nj = rows["new_jobs"]
    assert nj["sort"]["indicator"] == str(nj["ind"].number) == "2"
    assert nj["sort"]["progress"] == "1" and nj["progress"]["text"] == "3 of 3 years met"
    assert rows["unemployment_rate"]["sort"]["status"] == "5"  # on track: the 6th status, best first
    for r in view["rows"]:  # a cell without a value has no key: it sorts last
        for col in ("progress", "probability"):
            assert (r["sort"][col] == "") == (r[col]["text"] is None), (r["ind"].id, col)
    # an indicator without a record sorts last: no progress, no probability
    missing = next(r for r in view["rows"] if r["status"]["code"] == "not_identified")
    assert missing["sort"]["progress"] == missing["sort"]["probability"] == ""
    summary = html.split('<table class="summary">')[1].split("</table>")[0]
    assert summary.count("<tr data-status=") == len(view["rows"]) == 13
    assert f'<tr data-status="{nj["status"]["code"]}">' in summary
    tools = html.split('id="summary-tools"')[1].split("</div>")[0]
    assert '<option value="">all (13)</option>' in tools
    for c in view["counts"]:
        assert f'<option value="{c["code"]}">{c["name"]} ({c["n"]})</option>' in tools


def test_page_fetches_nothing_and_its_script_is_inline(page):
    html = page[1]
    assert html.count("<script>") == 1 and "<script src" not in html
    script = html.split("<script>")[1].split("</script>")[0]
    assert script.strip() == (HERE / "static" / "report.js").read_text(encoding="utf-8").strip()
    assert not re.search(r"\b(fetch\(|XMLHttpRequest|import\(|\.src\s*=|new Image)", script)


def test_the_pdf_shows_no_controls(page, tmp_path):
    """The PDF is the same page printed: no point buttons, no filter, no hover hint; the chart is there."""
    pdf = tmp_path / "page.pdf"
    typst.write_pdf(page[0], pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Show status" not in text and "Hover over a point" not in text and "Click a column heading" not in text
    assert "Surveyed urban unemployment rate" in text
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert len(images.splitlines()) - 2 >= 1 + 5  # the overview and the five charts
