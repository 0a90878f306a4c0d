"""The Word report (planeval/presentation/docx.py), read back with python-docx and opened by a real client
(LibreOffice headless, converting it to PDF). Built from the real plan, the real data as of 2023 and the
records the indicator notebooks would write (planeval.pipeline.notebook.collect_records); the final-year
scorecard from the SYNTHETIC test plan (tests/fixtures/synthetic_plan)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from planeval.inputs.data import load_dataset
from planeval.inputs.plan import load_plan
from planeval.method.backtest import backtest_all, backtest_indicator
from planeval.method.evaluate import evaluate
from planeval.method.scorecard import scorecard
from planeval.pipeline.notebook import collect_records
from planeval.presentation import labels as i18n
from planeval.presentation.docx import FONT, ZIP_TIME, docx_bytes, write_docx
from planeval.presentation.report import report_view

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"
SYNTHETIC = ROOT / "tests" / "fixtures" / "synthetic_plan" / "params" / "synthetic_plan.yaml"
META = {"commit": "abc1234", "data_hash": "sha256:0f0f", "data_cutoff": "2023",
        "generated_from": [{"path": "data/observations.csv", "sha256": "11aa"}]}
SECTIONS = ("sec.summary", "sec.overview", "sec.indicators", "sec.projects", "sec.context", "sec.coverage",
            "sec.data_needed", "sec.method", "sec.sources")
W_T = qn("w:t")


@pytest.fixture(scope="module")
def built(tmp_path_factory, chart_files):
    """lang -> (view, .docx bytes) of the 2023 mid-term report."""
    loaded = load_plan(PLAN)
    ds = load_dataset(loaded).as_of(2023)
    config = loaded.plan.method_config
    records = collect_records(loaded, ds, 2023, config)
    out = tmp_path_factory.mktemp("docx")
    figures = chart_files(records, loaded, out)
    backtests = backtest_all(loaded.plan, ds, [r["indicator_id"] for r in records], 2023)
    views = {lang: report_view(plan=loaded, dataset=ds, records=records, figures=figures, config=config, year=2023,
                               lang=lang, meta=META, backtests=backtests) for lang in i18n.LANGS}
    return {lang: (view, docx_bytes(view)) for lang, view in views.items()}


def read(data: bytes):
    return Document(io.BytesIO(data))


def headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def all_text(doc) -> str:
    return "".join(el.text or "" for el in doc.element.body.iter(W_T))


def test_every_section_and_indicator_has_a_heading(built):
    for lang in i18n.LANGS:
        view, data = built[lang]
        doc = read(data)
        top = headings(doc, 1)
        assert top == [i18n.t(k, lang) for k in SECTIONS]  # in the page's order; no scorecard before the end year
        second = headings(doc, 2)
        names = [f"{ind.number}. {ind.name[lang]}" for ind in view["plan"].indicators]
        assert len(names) == 13
        assert [h for h in second if h in names] == names
        assert second.index(names[0]) > second.index(i18n.t("summary.findings", lang))
        assert i18n.t("ind.key_figures", lang) in headings(doc, 3)
        assert doc.paragraphs[0].style.name == "Title" and doc.paragraphs[0].text == view["plan"].name[lang]


def test_the_contents_field_lists_the_headings(built):
    view, data = built["en"]
    doc = read(data)
    xml = doc.element.body.xml
    assert 'TOC \\o "1-2"' in xml
    entries = [p.text for p in doc.paragraphs if p.style.name in ("toc 1", "toc 2")]
    assert entries[:2] == ["Executive summary", "Indicators per status"]
    assert "1. Surveyed urban unemployment rate" in entries and entries[-1] == "Sources"
    # each entry links to the bookmark of its heading
    anchors = re.findall(r'<w:hyperlink w:anchor="(_h\d+|ind_[A-Za-z0-9_]+|summary|sources)"', xml)
    marks = set(re.findall(r'w:bookmarkStart w:id="\d+" w:name="([^"]+)"', xml))
    assert anchors and set(anchors) <= marks


def test_every_figure_is_in_with_a_caption(built):
    for lang in i18n.LANGS:
        view, data = built[lang]
        doc = read(data)
        charts = [s["chart"] for s in view["sections"] if s["record"] is not None and s["chart"]]
        assert len(charts) == 12  # the 12 identified indicators; the 8th is not identified
        calibration = view["calibration"]["figures"] if view["calibration"] else []
        n = 1 + len(charts) + len(calibration)  # the overview, the indicators, the calibration
        assert len(doc.inline_shapes) == n
        captions = [p.text for p in doc.paragraphs if p.style.name == "Caption" and p.text.startswith(i18n.t("docx.figure", lang))]
        assert len(captions) == n
        assert captions[0] == f"{i18n.t('docx.figure', lang)} 1{i18n.t('colon', lang)}{i18n.t('chart.progress', lang)}"
        # the pictures are the report's own PNGs, byte for byte
        images = {p.blob for p in doc.part.package.iter_parts() if p.partname.startswith("/word/media/")}
        for uri in charts:
            assert base64.b64decode(uri.split(",", 1)[1]) in images


def test_header_rows_repeat(built):
    view, data = built["zh"]
    doc = read(data)
    body = doc.element.body
    key_figures, last_heading, tables = i18n.t("ind.key_figures", "zh"), None, 0
    for el in body.iterchildren():
        if el.tag == qn("w:p") and el.pPr is not None and el.pPr.pStyle is not None \
                and el.pPr.pStyle.val.startswith("Heading"):
            last_heading = "".join(t.text or "" for t in el.iter(W_T))
        if el.tag != qn("w:tbl"):
            continue
        rows = el.findall(qn("w:tr"))
        repeated = [r.find(qn("w:trPr")) is not None and r.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
                    for r in rows]
        if last_heading == key_figures:  # a label/value table: no header row
            assert not any(repeated)
        else:
            tables += 1
            assert repeated[0] and not any(repeated[1:]), last_heading
    assert tables >= 25  # summary, counts, each indicator's values, projects, context, coverage, method, sources
    summary = doc.tables[0]  # the first table: the cover has none
    assert [c.text for c in summary.rows[0].cells][:2] == [i18n.t("col.indicator", "zh"), i18n.t("col.target", "zh")]


# the schema's order (ECMA-376 part 1: 17.3.1.26 pPr, 17.3.2.28 rPr, 17.4.70 tcPr) of the properties the
# report's body sets; Word refuses a document whose properties are out of this order, LibreOffice does not
PROPERTY_ORDER = {"pPr": ("pStyle", "keepNext", "spacing", "jc"), "rPr": ("rStyle", "rFonts", "b", "color", "sz"),
                  "tcPr": ("tcW", "gridSpan", "shd")}


def test_properties_in_schema_order_and_cells_spanning_the_grid(built):
    """The body is written element by element (docx.py, not python-docx): every property element's
    children in the schema's order, once each; every row's cells covering the table's columns exactly,
    each as wide as the columns it spans; the summary's reasons in rows merged across the value columns."""
    for lang in i18n.LANGS:
        view, data = built[lang]
        body = read(data).element.body
        for props in body.iter(*(qn(f"w:{k}") for k in PROPERTY_ORDER)):
            order = PROPERTY_ORDER[props.tag.split("}")[1]]
            names = [child.tag.split("}")[1] for child in props]
            assert set(names) <= set(order), (lang, names)
            ranks = [order.index(n) for n in names]
            assert ranks == sorted(set(ranks)), (lang, names)
        for tbl in body.iter(qn("w:tbl")):
            grid = [int(col.get(qn("w:w"))) for col in tbl.find(qn("w:tblGrid"))]
            for tr in tbl.findall(qn("w:tr")):
                column = 0
                for tc in tr.findall(qn("w:tc")):
                    span = tc.tcPr.find(qn("w:gridSpan"))
                    n = 1 if span is None else int(span.get(qn("w:val")))
                    assert int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) == sum(grid[column:column + n]), lang
                    column += n
                assert column == len(grid), lang
        summary = body.find(qn("w:tbl"))  # the first table
        merged = ["".join(t.text for t in tr.iter(W_T)) for tr in summary.findall(qn("w:tr"))
                  if any(s.get(qn("w:val")) == str(len(summary.find(qn("w:tblGrid"))) - 1) for s in tr.iter(qn("w:gridSpan")))]
        reasons = [r["reason"] for r in view["rows"] if r["reason"]]
        assert reasons and merged == reasons, lang


def test_source_references_link_to_the_sources_table(built):
    view, data = built["zh"]
    xml = read(data).element.body.xml
    anchors = set(re.findall(r'w:anchor="(src_[^"]+)"', xml))
    marks = set(re.findall(r'w:name="(src_[^"]+)"', xml))
    assert {f"src_{s['id']}" for s in view["sources"]} == marks
    assert "src_S01" in anchors and anchors <= marks
    # the summary row of new jobs cites the latest value's source
    assert "60.6 万个（2023）" in all_text(read(data))


def test_no_missing_value_leaks(built):
    for lang in i18n.LANGS:
        text = all_text(read(built[lang][1]))
        for bad in ("nan", "None", "NaN", "null"):
            assert not re.search(rf"(?<![A-Za-z]){bad}(?![A-Za-z])", text), (lang, bad)
        # and no label printed with its placeholder unfilled (the summary's forecast column said "({level} interval)")
        assert not re.findall(r"\{[a-z_]+\}", text), lang
        assert i18n.t("col.forecast", lang, level=built[lang][0]["level"]) in text


def test_a4_fonts_and_page_numbers(built):
    view, data = built["zh"]
    doc = read(data)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == round(section.right_margin.mm) == 20
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3"):
        fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia")} == {FONT}, name
        assert not any(k.endswith("Theme") for k in fonts.attrib), name
    styles = doc.styles.element.xml
    assert 'w:eastAsia="zh-CN"' in styles and "Theme=" not in styles.split("</w:docDefaults>")[0]
    footer = section.footer.paragraphs[0]._p.xml
    assert " PAGE " in footer and " NUMPAGES " in footer


def test_identical_bytes_and_fixed_properties(built, tmp_path):
    view, data = built["en"]
    write_docx(view, tmp_path / "a.docx")
    write_docx(view, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes() == data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {ZIP_TIME}
    props = read(data).core_properties
    assert props.created == props.modified == dt.datetime(2023, 12, 31, tzinfo=dt.timezone.utc)
    assert props.last_modified_by == "" and props.author == ""
    assert props.title.startswith("Shanghai 14th Five-Year Plan")


def test_the_final_report_has_the_scorecard_with_a_two_row_head():
    loaded = load_plan(SYNTHETIC)
    plan, config = loaded.plan, loaded.plan.method_config
    as_of = load_dataset(loaded).as_of(2020)
    ids = [i.id for i in plan.evaluated]
    records = [json.loads(evaluate(plan, plan.indicator(i), as_of, 2020, config).to_json()) for i in ids]
    view = report_view(plan=loaded, dataset=as_of, records=records, figures={}, config=config, year=2020, lang="en",
                       meta={**META, "data_cutoff": "2020"},
                       backtests={i: backtest_indicator(plan, plan.indicator(i), as_of, 2020, config) for i in ids},
                       scorecard=[r for r in scorecard(plan, as_of, config) if r["indicator_id"] in ids])
    doc = read(docx_bytes(view))
    assert i18n.t("sec.scorecard", "en") in headings(doc, 1)
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == i18n.t("sc.midterm", "en", year=view["midterm_year"]))
    assert table.rows[0].cells[4].text == i18n.t("sc.final", "en", year=plan.end_year)
    assert table.rows[1].cells[1].text == i18n.t("sc.mid_status", "en")
    head = [r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None for r in table.rows]
    assert head[:2] == [True, True] and not any(head[2:])
    assert len(table.rows) == 2 + len(view["scorecard"]["rows"])


def test_libreoffice_opens_it_and_prints_every_indicator(built, tmp_path):
    """A real client: LibreOffice converts each language's document to PDF; the text holds every
    indicator's name in that language, Chinese set in the Noto CJK font, on A4 pages."""
    paths = []
    for lang in i18n.LANGS:
        paths.append(tmp_path / f"report.{lang}.docx")
        paths[-1].write_bytes(built[lang][1])
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, paths)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for lang in i18n.LANGS:
        pdf = tmp_path / "pdf" / f"report.{lang}.pdf"
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        flat = re.sub(r"\s+", "", text)
        view = built[lang][0]
        for ind in view["plan"].indicators:
            assert re.sub(r"\s+", "", f"{ind.number}. {ind.name[lang]}") in flat, (lang, ind.id)
        for key in SECTIONS:
            assert re.sub(r"\s+", "", i18n.t(key, lang)) in flat, (lang, key)
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
        assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) > 20
        if lang == "zh":
            fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
            assert "NotoSansCJK" in fonts.replace("-", "")
