"""The report page in a real browser: Debian's Chromium (/usr/bin/chromium, installed by
scripts/sysdeps.sh; never a downloaded browser) driven by Playwright.

The page is the 2023 report of the default plan on its real data, made as run_all.py makes it: each
indicator evaluated, its chart saved by the notebooks' helper (write_outputs, which stores the chart's
points in its PNG), the page rendered from report_view. It is opened from file:// with every request
that is not file: or data: recorded and refused, as on a USB stick without network.

Screenshots (desktop and 390 px phone width) go to test-artifacts/ at the repository root.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from planeval.inputs.data import load_dataset
from planeval.inputs.plan import load_plan
from planeval.method.evaluate import evaluate
from planeval.pipeline.notebook import write_outputs
from planeval.presentation import charts
from planeval.presentation.report import render_html, report_view

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
META = {"commit": "abc1234", "data_hash": "sha256:0f0f", "data_cutoff": "2023-12-31", "generated_from": []}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's Chromium at /usr/bin/chromium: run `make sysdeps` (scripts/sysdeps.sh)")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """report.<lang>.html of 2023 in a folder of its own, with the records and chart PNGs beside them."""
    loaded = load_plan(PLAN)
    dataset = load_dataset(loaded)
    plan = loaded.plan
    out = tmp_path_factory.mktemp("browser")
    records, figures = [], {}
    for ind in plan.evaluated:
        rec = evaluate(plan, ind, dataset, 2023, plan.method_config)
        write_outputs(rec, out, plan=loaded, langs=("en", "zh"), dataset=dataset)
        records.append(json.loads((out / f"{ind.id}.json").read_text(encoding="utf-8")))
        figures |= {f"{ind.id}.{lang}": out / f"{ind.id}.{lang}.png" for lang in ("en", "zh")}
    pages = {}
    for lang in ("en", "zh"):
        view = report_view(plan=loaded, dataset=dataset.as_of(2023), records=records, figures=figures,
                           config=plan.method_config, year=2023, lang=lang, meta=META)
        pages[lang] = out / f"report.{lang}.html"
        pages[lang].write_text(render_html(view), encoding="utf-8")
    return {"pages": pages, "records": {r["indicator_id"]: r for r in records}, "folder": out, "plan": plan}


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Page:
    """A page opened from file:// that records console errors, page errors and any request off the disk."""

    def __init__(self, browser, path: Path, viewport: dict[str, int], phone: bool = False) -> None:
        self.context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone,
                                           device_scale_factor=1, locale="en-US")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.network: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._seen)
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri(), wait_until="load")

    def _seen(self, request) -> None:
        if not request.url.startswith(("file:", "data:")):
            self.network.append(request.url)

    def _route(self, route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.network.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def open_page(browser):
    opened: list[Page] = []

    def open_(path: Path, viewport: dict[str, int] = DESKTOP, phone: bool = False) -> Page:
        opened.append(Page(browser, path, viewport, phone))
        return opened[-1]
    yield open_
    for p in opened:
        p.close()


def _shot(page, name: str, **kw) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), **kw)
    return path


def _rows(page) -> list[tuple[str, str]]:
    """(indicator link, status) of the summary rows shown, top to bottom."""
    return page.eval_on_selector_all(
        "table.summary tbody tr[data-status]",
        "rows => rows.filter(r => !r.hidden).map(r => [r.cells[0].querySelector('a').getAttribute('href'), r.dataset.status])")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_loads_offline_without_errors(report, open_page, lang):
    p = open_page(report["pages"][lang])
    assert p.page.title().startswith(report["plan"].name[lang])
    p.page.wait_for_timeout(200)
    assert p.errors == []
    assert p.network == []
    # the script ran: the filter is shown, the headings are sort buttons
    assert p.page.is_visible("#status-filter")
    assert p.page.locator("table.summary thead th button.sort").count() == 8


def test_clicking_a_heading_sorts_the_table(report, open_page):
    """2023 on the real data: three indicators show a probability, four a progress share."""
    p = open_page(report["pages"]["en"])
    plan, records = report["plan"], report["records"]
    order = [f"#ind-{i.id}" for i in plan.indicators]
    assert [href for href, _ in _rows(p.page)] == order  # as the plan lists them
    p_of = {i: r.get("probability") for i, r in records.items() if r.get("probability") is not None}
    assert p_of == pytest.approx({"unemployment_rate": 0.0, "entrepreneurial_activity_rate": 0.133, "new_jobs": 0.976}, abs=5e-4)
    rest = [h for h in order if h[5:] not in p_of]  # no probability shown: last, in plan order, either way
    prob = "table.summary thead th:nth-child(8)"
    p.page.click(f"{prob} button")
    assert [h for h, _ in _rows(p.page)] == ["#ind-unemployment_rate", "#ind-entrepreneurial_activity_rate", "#ind-new_jobs", *rest]
    assert p.page.get_attribute(prob, "aria-sort") == "ascending"
    p.page.click(f"{prob} button")
    assert [h for h, _ in _rows(p.page)] == ["#ind-new_jobs", "#ind-entrepreneurial_activity_rate", "#ind-unemployment_rate", *rest]
    assert p.page.get_attribute(prob, "aria-sort") == "descending"
    p.page.evaluate("document.getElementById('summary').scrollIntoView()")
    _shot(p.page, "desktop-summary-sorted.png")
    # Progress, descending: new jobs and pensions 3 of 3 years met (1; plan order between equals),
    # skills training at least 207.35 of 500 (10k person-times; "≥ 41%"), the unemployment rate 1 of 3 years.
    assert (records["skills_training"]["lower_bound"], records["skills_training"]["target"]) == (pytest.approx(207.35), 500)
    assert records["unemployment_rate"]["years_met"] == [2023]
    p.page.click("table.summary thead th:nth-child(5) button")
    p.page.click("table.summary thead th:nth-child(5) button")
    assert [h for h, _ in _rows(p.page)][:4] == ["#ind-new_jobs", "#ind-pensions", "#ind-skills_training", "#ind-unemployment_rate"]
    # Indicator, twice: descending by number, so the 13th indicator comes first
    p.page.click("table.summary thead th:nth-child(1) button")
    p.page.click("table.summary thead th:nth-child(1) button")
    assert [h for h, _ in _rows(p.page)] == order[::-1]
    # each reason row still sits right under its indicator's row
    kinds = p.page.eval_on_selector_all("table.summary tbody tr", "rows => rows.map(r => r.classList.contains('why') ? 'why' : 'row')")
    assert kinds[0] == "row" and "why" in kinds and ["why", "why"] not in [kinds[i:i + 2] for i in range(len(kinds))]


def test_status_filter_hides_the_other_rows(report, open_page):
    p = open_page(report["pages"]["en"])
    codes = [code for _, code in _rows(p.page)]
    wanted = max(set(codes), key=codes.count)
    p.page.select_option("#status-filter", wanted)
    shown = _rows(p.page)
    assert [c for _, c in shown] == [wanted] * codes.count(wanted)
    assert 0 < len(shown) < len(codes)
    hidden_why = p.page.eval_on_selector_all("table.summary tbody tr.why", "rows => rows.filter(r => !r.hidden).length")
    assert hidden_why <= len(shown)
    p.page.evaluate("document.getElementById('summary').scrollIntoView()")
    _shot(p.page, "desktop-summary-filtered.png")
    p.page.select_option("#status-filter", "")
    assert len(_rows(p.page)) == len(codes) == 13


def _point(report, indicator: str, period: str, series: str) -> int:
    """The index of a chart point among the chart's buttons (the order the PNG stores them in)."""
    points = charts.read_points(report["folder"] / f"{indicator}.en.png")
    return next(i for i, q in enumerate(points) if q["period"] == period and q["series"] == series)


def test_hovering_a_point_shows_its_reading(report, open_page):
    """The 2023 surveyed unemployment rate: 4.5% (exact), source S12 (data/observations.csv line 7)."""
    rec = report["records"]["unemployment_rate"]
    reading = next(q for q in rec["history"] if q["period"] == "2023" and q["used"])
    assert (reading["value"], reading["qualifier"], reading["source"]) == (4.5, "=", "S12")
    p = open_page(report["pages"]["en"])
    button = p.page.locator("#ind-unemployment_rate .chart-box button.pt").nth(
        _point(report, "unemployment_rate", "2023", "history"))
    button.scroll_into_view_if_needed()
    button.hover()
    tip = p.page.locator("#ind-unemployment_rate .chart-box .tip")
    assert tip.is_visible()
    lines = tip.inner_text().splitlines()
    assert lines[:3] == ["2023 · annual value", "value: 4.5%", "qualifier: exact"]
    assert lines[3].startswith("source: S12 · ")
    # a bound reads as one: the 2020 value was published only as "within 4.4%"
    p.page.locator("#ind-unemployment_rate .chart-box button.pt").nth(
        _point(report, "unemployment_rate", "2020", "history")).hover()
    assert tip.inner_text().splitlines()[1:3] == ["value: ≤4.4%", "qualifier: at most this value"]
    # the tip sits inside the chart's width and near its point
    box = p.page.locator("#ind-unemployment_rate .chart-box").bounding_box()
    t = tip.bounding_box()
    assert box["x"] - 0.5 <= t["x"] and t["x"] + t["width"] <= box["x"] + box["width"] + 0.5
    p.page.mouse.move(0, 0)
    p.page.locator("#ind-new_jobs").scroll_into_view_if_needed()
    p.page.locator("#ind-new_jobs .chart-box button.pt").first.hover()
    _shot(p.page, "desktop-chart-tip.png")
    assert p.errors == [] and p.network == []


def test_phone_width_has_no_horizontal_overflow_and_tapping_a_point_shows_it(report, open_page):
    p = open_page(report["pages"]["en"], PHONE, phone=True)
    width = p.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"
    _shot(p.page, "phone-top.png")
    p.page.evaluate("document.getElementById('summary').scrollIntoView()")
    _shot(p.page, "phone-summary.png")
    # tap the forecast's last year (right edge): its tip stays on the screen
    rec = report["records"]["new_jobs"]
    last = max((rec.get("forecast") or {}).get("fan") or {"": 0})
    series = "forecast" if last else "history"
    period = last or rec["latest"]["period"]
    button = p.page.locator("#ind-new_jobs .chart-box button.pt").nth(_point(report, "new_jobs", period, series))
    button.scroll_into_view_if_needed()
    button.tap()
    tip = p.page.locator("#ind-new_jobs .chart-box .tip")
    assert tip.is_visible() and tip.inner_text().startswith(f"{period} · ")
    t = tip.bounding_box()
    assert t["x"] >= 0 and t["x"] + t["width"] <= PHONE["width"]
    assert p.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    p.page.evaluate("window.scrollBy(0, -120)")
    _shot(p.page, "phone-chart-tip.png")
    # tapping elsewhere closes it
    p.page.tap("#ind-new_jobs h3")
    assert not tip.is_visible()
    for lang in ("zh",):
        q = open_page(report["pages"][lang], PHONE, phone=True)
        assert q.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _shot(q.page, f"phone-top.{lang}.png")


def test_without_script_the_table_is_complete_and_points_have_titles(report, browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(report["pages"]["en"].as_uri())
        assert page.locator("table.summary tbody tr[data-status]").count() == 13
        assert not page.is_visible("#status-filter")
        title = page.locator("#ind-unemployment_rate .chart-box button.pt").nth(
            _point(report, "unemployment_rate", "2023", "history")).get_attribute("title")
        assert re.match(r"2023 · annual value\nvalue: 4\.5%\nqualifier: exact\nsource: S12", title)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
