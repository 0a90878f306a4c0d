"""Report rendering on SYNTHETIC records (tests/fixtures/records/*.json, written by hand for these tests:
real data values, invented results) together with the real plan and data."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from planeval.presentation import labels as i18n
from planeval.presentation import sentences
from planeval.presentation.charts import indicator_chart, overview_figure, png_bytes
from planeval.inputs.data import load_dataset
from planeval.inputs.plan import load_plan
from planeval.presentation.formats import number as fmt_number
from planeval.presentation.report import render_html, report_view, render_index, safe_url
from planeval.presentation.views import CALIBRATION_FIGURES, NO_BASE

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "records"
META = {"commit": "abc1234", "data_hash": "sha256:0f0f", "data_cutoff": "2023-12-31"}


class _Text(HTMLParser):
    """Visible text (no <style>, no attributes), plus the text of UI elements (headings, table heads)."""

    UI = {"h1", "h2", "h3", "h4", "th", "caption", "dt", "figcaption"}

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.ui: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "img", "meta"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if "style" in self.stack:
            return
        self.text.append(data)
        if self.UI & set(self.stack) and "a" not in self.stack:
            self.ui.append(data)


def visible(html: str) -> _Text:
    p = _Text()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))]


@pytest.fixture(scope="module")
def setup(records, tmp_path_factory, chart_files):
    plan = load_plan(PLAN)
    ds = load_dataset(plan).as_of(2023)
    # Untrusted text: a script in a source title and a javascript: URL must come out inert.
    sources = ds.sources.copy()
    sources.loc[sources["source"] == "S03", "title"] = "<script>alert('x')</script> title"
    sources.loc[sources["source"] == "S04", "url"] = "javascript:alert(1)"
    ds = dataclasses.replace(ds, sources=sources)
    out = tmp_path_factory.mktemp("report")
    figures = chart_files(records, plan, out)
    html = {lang: render_html(report_view(plan=plan, dataset=ds, records=records, figures=figures, config=plan.plan.method_config,
                              year=2023, lang=lang, meta=META)) for lang in i18n.LANGS}
    return plan, ds, figures, html, out


def test_every_indicator_has_a_section(setup):
    plan, _, _, html, _ = setup
    assert len(plan.plan.indicators) == 13
    for lang in i18n.LANGS:
        for ind in plan.plan.indicators:
            assert f'id="ind-{ind.id}"' in html[lang]
            assert f'href="#ind-{ind.id}"' in html[lang]
        assert i18n.t("status.not_identified", lang) in visible(html[lang]).text.__str__()


def test_summary_numbers_link_to_sources(setup, records):
    _, ds, _, html, _ = setup
    for lang in i18n.LANGS:
        summary = html[lang].split('<table class="summary">')[1].split("</table>")[0]
        linked = set(re.findall(r'href="#src-([^"]+)"', summary))
        assert linked, "no source links in the summary table"
        for sid in linked:
            assert f'id="src-{sid}"' in html[lang]
        for rec in records:
            for key in ("latest", "base"):
                # A kind that uses no base (each-year, cumulative) leaves the base cell empty.
                if rec[key] and not (key == "base" and rec["kind"] in NO_BASE):
                    assert rec[key]["source"] in linked
        assert set(ds.sources["source"]) <= set(re.findall(r'id="src-([^"]+)"', html[lang]))


def test_no_missing_value_leaks(setup):
    for html in setup[3].values():
        text = "".join(visible(html).text)
        for bad in ("nan", "None", "{{", "{%", "}}", "NaN"):
            assert not re.search(rf"(?<![A-Za-z]){re.escape(bad)}(?![A-Za-z])", text), bad


def test_languages_do_not_mix(setup):
    html = setup[3]
    for lang, other in (("zh", "en"), ("en", "zh")):
        ui = "\n".join(visible(html[lang]).ui)
        foreign = [s for s in i18n.all_strings(other) if len(s) >= 5 and s not in i18n.all_strings(lang)
                   and "{" not in s]
        leaked = [s for s in foreign if s in ui]
        assert not leaked, leaked[:5]
    assert '<html lang="zh-CN">' in html["zh"] and '<html lang="en">' in html["en"]


def test_untrusted_text_is_escaped(setup):
    for html in setup[3].values():
        assert "<script>alert" not in html
        assert html.count("<script") == 1  # the page's own script (static/report.js), nothing injected
        assert "&lt;script&gt;" in html
        assert 'href="javascript:' not in html
        assert "javascript:alert(1)" in html  # shown as text


def test_self_contained(setup):
    for html in setup[3].values():
        refs = re.findall(r'(?:src|href)="([^"]*)"', html)
        external = [r for r in refs if r.lower().startswith(("http:", "https:", "//"))]
        source_links = set(re.findall(r'<td class="url"><a href="([^"]+)"', html))
        assert set(external) <= source_links
        assert all(r.startswith(("data:image/png;base64,", "#", "http")) for r in refs)
        assert "@import" not in html and "url(" not in html.split("</style>")[0]
        # overview + 5 synthetic records + the method section's calibration figures (calibration/*.png)
        assert html.count('<img src="data:image/png;base64,') == 1 + 5 + len(CALIBRATION_FIGURES)


def test_helpers():
    assert fmt_number(None) is None and fmt_number(float("nan")) is None
    assert fmt_number(1654.36) == "1,654.36" and fmt_number(5.0) == "5"
    assert safe_url("https://a.b/c") == "https://a.b/c"
    assert safe_url("javascript:alert(1)") is None and safe_url("") is None


def test_index(setup):
    plan = setup[0]
    html = render_index(plan, 2023, ["zh", "en"], META)
    for name in ("report.zh.html", "report.en.html", "report.zh.pdf", "report.en.pdf", "report.zh.docx", "report.en.docx"):
        assert f'href="{name}"' in html
    assert "http" not in html


def test_charts_have_all_glyphs_and_stable_bytes(setup, records):
    plan = setup[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for rec in records:
            for lang in i18n.LANGS:
                fig = indicator_chart(rec, lang, plan=plan)
                assert png_bytes(fig) == png_bytes(fig) == png_bytes(indicator_chart(rec, lang, plan=plan))
        for lang in i18n.LANGS:
            assert png_bytes(overview_figure(records, plan, lang))


def test_overview_of_a_partial_run_says_which_indicators_were_left_out(setup, records):
    plan = setup[0]
    kept = [r for r in records if r["indicator_id"] == "new_jobs"]
    labels = [text.get_text() for text in overview_figure(kept, plan, "en", only=["new_jobs"]).axes[0].texts]
    identified = [i for i in plan.plan.indicators if i.identified]
    assert labels.count("not included in this run") == len(identified) - 1
    assert labels.count("not identified in public sources") == len(plan.plan.indicators) - len(identified)
    assert kept[0]["forecast"]["probability"] == 0.93
    assert labels[[i.id for i in plan.plan.indicators].index("new_jobs")] == sentences.text(kept[0]["status"], "en") + "  p = 93%"


@pytest.mark.parametrize(("height_in", "rows"), [(4.6, 690), (2.26, 339), (1.42, 213)])
def test_chart_png_is_opaque_rgb_at_150_dpi(height_in: float, rows: int) -> None:
    """8 in × 150 dpi = 1200 px wide; 2.26 in × 150 = 338.99999… in floats, and Agg draws 339 rows."""
    fig = Figure(figsize=(8, height_in))
    fig.add_subplot().plot([0, 1], [0, 1])
    image = Image.open(io.BytesIO(png_bytes(fig)))
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (1200, rows))
    assert image.getpixel((0, 0)) == (255, 255, 255)  # the white figure background, flattened
    assert round(image.info["dpi"][0]) == 150


def test_dollar_signs_in_names_and_units_are_drawn_as_text(tmp_path):
    """'$…$' would be a matplotlib formula (and an unmatched '$' an error in the notebook): the charts
    draw it literally. The plan copy is SYNTHETIC text on the real plan."""
    text = PLAN.read_text(encoding="utf-8")
    path = tmp_path / "params" / PLAN.name
    path.parent.mkdir()
    path.write_text(text.replace("../data/", str(ROOT / "data") + "/").replace(
        "{zh: 万个, en: 10k}", "{zh: 万个$, en: $10^4$ posts}", 1), encoding="utf-8")
    plan = load_plan(path)
    rec = json.loads((FIXTURES / "new_jobs.json").read_text(encoding="utf-8"))
    assert plan.plan.indicator("new_jobs").unit.en == "$10^4$ posts"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lang in i18n.LANGS:  # zh: an unmatched '$', a mathtext error if it were parsed
            (tmp_path / f"chart.{lang}.png").write_bytes(png_bytes(indicator_chart(rec, lang, plan=plan)))
        fig = indicator_chart(rec, "en", plan=plan)
    label = fig.axes[0].yaxis.label
    assert label._preprocess_math(label.get_text()) == ("$10^4$ posts", False)  # text, not a formula


def test_characters_the_chart_font_cannot_draw_are_refused_at_load(tmp_path):
    from planeval.inputs.errors import InputError

    text = PLAN.read_text(encoding="utf-8")
    path = tmp_path / "params" / PLAN.name
    path.parent.mkdir()
    edited = text.replace("../data/", str(ROOT / "data") + "/").replace("{zh: 万个, en: 10k}", "{zh: 万个, en: 10k 🚀}", 1)
    path.write_text(edited, encoding="utf-8")
    line = next(n for n, row in enumerate(edited.splitlines(), 1) if "🚀" in row)
    with pytest.raises(InputError) as caught:
        load_plan(path)
    assert caught.value.row == line and caught.value.field.endswith(".unit.en")
    assert "'🚀' (U+1F680) cannot be drawn in the charts" in str(caught.value)
