"""The printed report (planeval/presentation/typst.py and templates/report.typ) on SYNTHETIC records
(tests/fixtures/records/*.json: real data values, invented results) with the real plan and data: A4,
page numbers, bookmarks, a contents page whose page numbers are right, embedded CJK fonts with every
glyph, embedded figures, identical bytes, and the same sections, numbers and verdicts as the HTML."""

from __future__ import annotations

import collections
import json
import re
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fontTools.ttLib import TTCollection
from pypdf import PdfReader

from planeval.inputs.data import load_dataset
from planeval.inputs.plan import load_plan
from planeval.presentation import labels as i18n
from planeval.presentation import typst
from planeval.presentation.report import render_html, report_view
from planeval.presentation.sentences import text
from planeval.presentation.views import CALIBRATION_FIGURES

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "records"
META = {"commit": "abc1234", "data_hash": "sha256:0f0f", "data_cutoff": "2023-12-31",
        "generated_from": [{"path": "data/observations.csv", "sha256": "11aa"}]}
A4_PT = (595.28, 841.89)
SECTIONS = ("sec.summary", "sec.overview", "sec.indicators", "sec.projects", "sec.context", "sec.coverage",
            "sec.data_needed", "sec.method", "sec.sources")


@pytest.fixture(scope="module")
def built(tmp_path_factory, chart_files):
    """Per language: the view, its HTML, and its PDF printed twice (a.pdf, b.pdf)."""
    loaded = load_plan(PLAN)
    ds = load_dataset(loaded).as_of(2023)
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))]
    out = tmp_path_factory.mktemp("pdf")
    figures = chart_files(records, loaded, out)
    result = {}
    for lang in i18n.LANGS:
        view = report_view(plan=loaded, dataset=ds, records=records, figures=figures, config=loaded.plan.method_config,
                           year=2023, lang=lang, meta=META)
        a, b = out / f"{lang}.a.pdf", out / f"{lang}.b.pdf"
        typst.write_pdf(view, a)
        typst.write_pdf(view, b)
        result[lang] = {"view": view, "html": render_html(view), "pdf": a, "again": b, "records": records}
    return loaded, result


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def outline_titles(reader: PdfReader) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title
    return list(walk(reader.outline))


def test_a4_pages_numbered_n_of_total(built):
    for lang, b in built[1].items():
        reader = PdfReader(b["pdf"])
        n = len(reader.pages)
        assert n > 20
        for page in reader.pages:
            assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4_PT
        text = pages(b["pdf"])
        assert len(text) == n
        # the cover has no number; every other page ends with "k / n"
        assert not re.search(rf"\b1 / {n}\s*$", text[0])
        for k, page in enumerate(text[1:], start=2):
            assert re.search(rf"\b{k} / {n}\s*$", page), (lang, k)


def test_bookmarks_have_every_section_and_indicator(built):
    loaded = built[0]
    for lang, b in built[1].items():
        titles = outline_titles(PdfReader(b["pdf"]))
        for key in SECTIONS:
            assert i18n.t(key, lang) in titles, key
        for ind in loaded.plan.indicators:
            assert f"{ind.number}. {ind.name[lang]}" in titles, ind.id


def test_contents_page_gives_the_page_of_each_indicator(built):
    loaded = built[0]
    for lang, b in built[1].items():
        text = pages(b["pdf"])
        contents = text[1]
        assert i18n.t("sec.toc", lang) in contents
        for ind in loaded.plan.indicators:
            title = f"{ind.number}. {ind.name[lang]}"
            line = next(line for line in contents.splitlines() if title in line)
            page = int(re.search(r"(\d+)\s*$", line).group(1))
            assert page > 2
            # the heading is on that page, at the start of a line
            assert re.search(rf"(?m)^\s*{re.escape(title)}", text[page - 1]), (lang, ind.id, page)


def test_cjk_fonts_are_embedded_and_every_glyph_is_there(built):
    b = built[1]["zh"]
    fonts = subprocess.run(["pdffonts", str(b["pdf"])], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert any("NotoSansCJKsc" in row and " yes yes yes " in row for row in rows), fonts
    assert all(" yes " in row for row in rows), fonts  # every font embedded
    assert not any(re.search(r"Libertinus|NewCM|Computer Modern", row) for row in rows), fonts  # no fallback font
    text = "".join(pages(b["pdf"]))
    for ind in built[0].plan.indicators:
        assert flat(ind.name["zh"]) in flat(text), ind.id
    regular = next(p for p in map(Path, typst.font_paths()) if (p / "NotoSansCJK-Regular.ttc").is_file())
    collection = TTCollection(str(regular / "NotoSansCJK-Regular.ttc"))
    cmap = next(f for f in collection.fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC").getBestCmap()
    # format characters (the word joiner Typst writes around a page number) have no glyph to miss
    missing = {c for c in text if not c.isspace() and unicodedata.category(c) != "Cf" and ord(c) not in cmap}
    assert not missing, missing
    assert "\ufffd" not in text


def test_figures_are_embedded(built):
    for lang, b in built[1].items():
        reader = PdfReader(b["pdf"])
        images = sum(len(page.images) for page in reader.pages)
        # overview + one chart per record + the method section's calibration figures, as in the HTML
        assert images == 1 + len(b["records"]) + len(CALIBRATION_FIGURES) == b["html"].count('<img src="data:')


def test_identical_inputs_give_identical_bytes(built):
    for b in built[1].values():
        assert b["pdf"].read_bytes() == b["again"].read_bytes()


class _Html(HTMLParser):
    """The body's visible text (URLs apart); the h2 headings; the verdict paragraphs."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.h2: list[str] = []
        self.verdicts: list[str] = []
        self.urls: list[str] = []
        self.stack: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "img", "meta", "col", "link"):
            self.stack.append((tag, dict(attrs).get("class") or ""))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        tags = [t for t, _ in self.stack]
        if "style" in tags or "script" in tags or "title" in tags or "body" not in tags:
            return
        if ("td", "url") in self.stack:
            self.urls.append(data)  # a long URL breaks anywhere in the PDF: compared as a link below
            return
        self.text.append(data)
        if tags[-1:] == ["h2"] and "nav" not in tags:
            self.h2.append(data.strip())
        if ("p", "verdict") in self.stack:
            self.verdicts.append(data)


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def test_same_sections_numbers_and_verdicts_as_the_html(built):
    for lang, b in built[1].items():
        html = _Html()
        html.feed(b["html"])
        pdf_pages = pages(b["pdf"])
        pdf_text = "\n".join(pdf_pages)
        titles = outline_titles(PdfReader(b["pdf"]))
        assert len(html.h2) == len(SECTIONS)
        for heading in html.h2:
            assert heading in titles, heading
        verdicts = "".join(html.verdicts)
        assert verdicts and all(flat(v) in flat(pdf_text) for v in re.split(r"(?<=[。.])", verdicts) if flat(v))
        for rec in b["records"]:
            assert flat(i18n.t("ind.verdict", lang) + i18n.t("colon", lang) + text(rec["verdict"], lang)) in flat(pdf_text)
        # every number the HTML shows is printed as often (the PDF adds page numbers and the contents)
        body = "\n".join(html.text)  # one cell, one token: adjacent cells do not run together
        shown = collections.Counter(NUMBER.findall(body))
        printed = collections.Counter(NUMBER.findall(pdf_text))
        short = {n: (k, printed[n]) for n, k in shown.items() if printed[n] < k}
        assert not short, (lang, short)
        links = {annot.get_object()["/A"]["/URI"] for page in PdfReader(b["pdf"]).pages
                 for annot in page.get("/Annots") or [] if "/URI" in annot.get_object().get("/A", {})}
        assert {s["link"] for s in b["view"]["sources"] if s["link"]} <= links
        assert not any(u.lower().startswith("javascript") for u in links)
