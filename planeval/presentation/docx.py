"""The report as a Word document (report.<lang>.docx): the cells of :func:`report.report_view` laid out
with python-docx, in the order of the HTML page (templates/report.html.j2); nothing is recomputed or
reworded here.

What makes it a working document rather than a picture of the page: Heading 1-3 styles (Word's
navigation pane, the contents field at the start), header rows that repeat on every page of a long
table, numbered figure captions, source references that jump to the sources table, A4 with 20 mm
margins, page numbers in the footer, and the fonts named in the styles for Latin and East Asian text
alike (the PDF's Noto Sans CJK SC; the font table names Microsoft YaHei as its stand-in where Noto is
not installed), so Word, WPS and LibreOffice render Chinese without falling back to a Japanese or
Latin font.

The bytes are reproducible: core properties are fixed (dates from the report's data vintage, no
"last modified by") and the zip is rewritten with fixed timestamps and a fixed entry order.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import io
import re
import struct
import zipfile
from pathlib import Path
from typing import Any, Callable

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from planeval.presentation.labels import DASH, HTML_LANG, t

FONT = "Noto Sans CJK SC"  # the HTML/PDF font; covers Latin and Chinese
FONT_STANDIN = "Microsoft YaHei"  # what Word/WPS on Windows use where Noto is missing (font table altName)
PAGE_W, PAGE_H, MARGIN = Mm(210), Mm(297), Mm(20)
TEXT_W = PAGE_W - 2 * MARGIN
FIGURE_W, FIGURE_H = Mm(160), Mm(105)  # the largest a figure is drawn
GREY = RGBColor(0x66, 0x66, 0x66)
LINK = RGBColor(0x21, 0x66, 0xAC)
HEAD_FILL = "EEF1F5"
COVERAGE_FILL = {"actual": "A6DBA0", "bound": "D9F0D3", "partial": "FEE090", "missing": "F4F4F4",
                 "not_identified": "DDDDDD"}
PROJECT_COLOUR = {"done": "1B7837", "in_progress": "7FBC41", "moved": "E6AB02", "no_public_evidence": "999999"}
CALL_COLOUR = {"called": "1B7837", "wrong": "B2182B"}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: the entries carry no build time
Content = Any  # str | display cell dict | callable(paragraph) | None


def write_docx(view: dict[str, Any], path: Path) -> None:
    """Write the report of ``view`` (:func:`planeval.presentation.report.report_view`) to ``path``."""
    Path(path).write_bytes(docx_bytes(view))


def docx_bytes(view: dict[str, Any]) -> bytes:
    """The .docx of ``view``: the same bytes for the same view."""
    doc = Document()
    _page_setup(doc)
    _styles(doc, view["lang"])
    _core_properties(doc, view)
    _Report(doc, view).write()
    out = io.BytesIO()
    doc.save(out)
    return reproducible_zip(out.getvalue())


def reproducible_zip(data: bytes) -> bytes:
    """The zip ``data`` rewritten with fixed timestamps and attributes, [Content_Types].xml first and
    the other entries by name, so identical content gives identical bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = {info.filename: src.read(info) for info in src.infolist()}
    first = "[Content_Types].xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in sorted(entries, key=lambda n: (n != first, n)):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            dst.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()


def report_date(view: dict[str, Any]) -> dt.datetime:
    """The document's created/modified date: the run's vintage day, else the last day of the as-of year
    (the data's vintage, never the clock)."""
    day = dt.date.fromisoformat(view["vintage_day"]) if view.get("vintage_day") else dt.date(int(view["year"]), 12, 31)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


# ---------------------------------------------------------------- document set-up


def _page_setup(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    section.header_distance = section.footer_distance = Mm(10)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "1")
    _text(footer, " / ")
    _field(footer, "NUMPAGES", "1")
    for run in footer.runs:
        run.font.size = Pt(8)


def _set_fonts(rpr: Any) -> None:
    """Name the font for every script in a run-properties element (theme fonts removed: they map East
    Asian text to the theme's Japanese font)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _styles(doc: Any, lang: str) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = defaults.find(qn("w:lang"))
    # w:val is the language of Latin-script text (English words break at spaces, never inside a word),
    # w:eastAsia that of Chinese text (the Simplified Chinese glyph forms of the CJK font)
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")
    for rpr in [defaults, *styles.iter(qn("w:rPr"))]:
        if rpr.find(qn("w:rFonts")) is not None or rpr is defaults:
            _set_fonts(rpr)
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title", "Subtitle", "Caption"):
        _set_fonts(doc.styles[name].element.get_or_add_rPr())
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15
    for name, size, before in (("Heading 1", 16, 18), ("Heading 2", 13, 12), ("Heading 3", 11, 8)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(4)
    doc.styles["Title"].font.size = Pt(22)
    doc.styles["Caption"].font.size = Pt(8.5)
    doc.styles["Caption"].font.color.rgb = GREY
    for level in (1, 2):
        style = doc.styles.add_style(f"toc {level}", 1)  # Word's built-in name: its TOC update uses it
        style.base_style = normal
        style.paragraph_format.left_indent = Mm(6 * (level - 1))
        style.paragraph_format.space_after = Pt(1)
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    update = OxmlElement("w:updateFields")  # Word fills the contents' page numbers on opening
    update.set(qn("w:val"), "true")
    settings.find(qn("w:compat")).addprevious(update)
    _font_table(doc)


def _font_table(doc: Any) -> None:
    """Declare the font with the GB2312 character set and a Windows stand-in, so a machine without it
    substitutes a Chinese font, not a Latin one."""
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    entry = (f'<w:font w:name="{FONT}"><w:altName w:val="{FONT_STANDIN}"/><w:charset w:val="86"/>'
             '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>')
    part._blob = part.blob.replace(b"</w:fonts>", entry.encode("utf-8") + b"</w:fonts>")


def _core_properties(doc: Any, view: dict[str, Any]) -> None:
    props = doc.core_properties
    props.title = f"{view['plan'].name[view['lang']]} · {_title(view)} {view['year']}"
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.revision = 1
    props.language = HTML_LANG[view["lang"]]
    props.created = props.modified = report_date(view).replace(tzinfo=None)


def _title(view: dict[str, Any]) -> str:
    lang = view["lang"]
    key = "report.title_preliminary" if view["preliminary"] else "report.title_final" if view["final"] else "report.title"
    return t(key, lang)


# ---------------------------------------------------------------- low-level helpers


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A complex field (PAGE, NUMPAGES, SEQ ...) with ``shown`` as its last computed result."""
    def char(kind: str) -> Any:
        run = OxmlElement("w:r")
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run.append(fld)
        return run
    p = paragraph._p
    p.append(char("begin"))
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    p.append(instr_run)
    p.append(char("separate"))
    _text(paragraph, shown)
    p.append(char("end"))


class _Ids:
    """Bookmark ids and names, numbered in document order."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def bookmark_name(prefix: str, key: str) -> str:
    """A Word bookmark name (a letter first, letters/digits/underscores, at most 40 characters)."""
    return (prefix + "_" + re.sub(r"[^A-Za-z0-9_]", "_", str(key)))[:40]


def _text(paragraph: Paragraph, text: str) -> Run:
    """``paragraph.add_run(text)`` without python-docx's text setter, which empties the new run and
    then appends the text character by character (a fifth of the Word file's time): one ``<w:t>``.
    Text with a tab or a line break goes python-docx's way (those become their own elements)."""
    if any(c in text for c in "\t\n\r"):
        return paragraph.add_run(text)
    return Run(paragraph._p.add_r().add_t(text).getparent(), paragraph) if text else paragraph.add_run()


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _fit(table: Table, widths: list[float]) -> None:
    """Fixed column widths (``table.autofit = False``), as shares of the text width."""
    total = sum(widths)
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(int(TEXT_W // 635)))  # EMU -> twips
    for col, width in zip(table.columns, widths):
        col.width = int(TEXT_W * width / total)


def _row_template(table: Table, style: str) -> Any:
    """An empty row of ``table`` (not in it), to be copied for each row: cells of the columns' widths,
    their paragraph in the paragraph style ``style`` (an id), never split across pages. Copying it is
    20 times faster than building each row through python-docx."""
    tr = table.add_row()._tr
    table._tbl.remove(tr)
    for tc in tr.tc_lst:
        tc.p_lst[0].style = style
    _keep_row(tr)
    return tr


def _keep_row(tr: Any) -> None:
    """A row is not split across pages (the next page starts with the whole row)."""
    trpr = tr.get_or_add_trPr()
    if trpr.find(qn("w:cantSplit")) is None:
        trpr.insert(0, OxmlElement("w:cantSplit"))


def _repeat_header(tr: Any) -> None:
    """A header row: repeated at the top of every page the table runs onto."""
    _keep_row(tr)
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr.get_or_add_trPr().append(header)


# ---------------------------------------------------------------- the report


class _Report:
    """Writes the sections of the view in the order of the HTML page."""

    def __init__(self, doc: Any, view: dict[str, Any]) -> None:
        self.doc, self.v, self.lang = doc, view, view["lang"]
        self.ids = _Ids()
        self.figure_no = 0
        self.headings: list[tuple[int, str, str]] = []  # (level, text, bookmark) for the contents
        self.cell_styles: dict[str, str] = {}  # name -> style id, see cell_style

    def t(self, key: str, **kw: Any) -> str:
        return t(key, self.lang, **kw)

    # ---- building blocks

    def bookmark(self, paragraph: Paragraph, name: str) -> None:
        n = str(self.ids.next())
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), n)
        start.set(qn("w:name"), name)
        end.set(qn("w:id"), n)
        paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
        paragraph._p.append(end)

    def styled(self, style_id: str | None, text: str = "") -> Paragraph:
        """A new paragraph in the style of this id (python-docx's lookup by name scans every style)."""
        paragraph = self.doc.add_paragraph(text)
        if style_id:
            paragraph._p.style = style_id
        return paragraph

    def heading(self, text: str, level: int, anchor: str | None = None) -> Paragraph:
        paragraph = self.styled(f"Heading{level}", text)
        name = anchor or f"_h{len(self.headings) + 1}"
        self.bookmark(paragraph, name)
        if level <= 2:
            self.headings.append((level, text, name))
        return paragraph

    def para(self, text: str = "", style: str | None = None, small: bool = False, grey: bool = False) -> Paragraph:
        paragraph = self.styled(style)
        if text:
            run = _text(paragraph, text)
            if small:
                run.font.size = Pt(8.5)
            if grey:
                run.font.color.rgb = GREY
        return paragraph

    def bullets(self, items: list[str]) -> None:
        for item in items:
            self.para(item, style="ListBullet")

    def link(self, paragraph: Paragraph, text: str, anchor: str | None = None, url: str | None = None,
             size: float | None = None) -> None:
        """A hyperlink run: to a bookmark (``anchor``) or an external http(s) ``url``."""
        link = OxmlElement("w:hyperlink")
        if url is not None:
            link.set(qn("r:id"), paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True))
        else:
            link.set(qn("w:anchor"), anchor)
        link.set(qn("w:history"), "1")
        run = _text(paragraph, text)
        run.font.color.rgb = LINK
        if size:
            run.font.size = Pt(size)
        run._r.getparent().remove(run._r)
        link.append(run._r)
        paragraph._p.append(link)

    def src(self, paragraph: Paragraph, source_id: str, size: float | None = None) -> None:
        if source_id:
            self.link(paragraph, str(source_id), anchor=bookmark_name("src", source_id), size=size)

    def badge(self, paragraph: Paragraph, status: dict[str, Any], colour: str | None = None) -> None:
        """A status: a coloured square and its name (the page's badge)."""
        mark = _text(paragraph, "■ ")
        mark.font.color.rgb = RGBColor.from_string((colour or status["colour"]).lstrip("#").upper())
        _text(paragraph, status.get("name") or status.get("status_name") or "")

    def cell(self, paragraph: Paragraph, c: dict[str, Any]) -> None:
        """A display cell: its text (linked to its source), or "—" and why."""
        if c["text"] is None:
            _text(paragraph, DASH)
            if c.get("why"):
                run = _text(paragraph, " " + c["why"])
                run.font.size, run.font.color.rgb = Pt(7.5), GREY
        elif c.get("src"):
            self.link(paragraph, c["text"], anchor=bookmark_name("src", c["src"]))
            ref = _text(paragraph, f" [{c['src']}]")
            ref.font.size, ref.font.color.rgb = Pt(7), GREY
        else:
            _text(paragraph, c["text"])

    def put(self, paragraph: Paragraph, content: Content) -> None:
        if content is None:
            return
        if callable(content):
            content(paragraph)
        elif isinstance(content, dict):
            self.cell(paragraph, content)
        else:
            _text(paragraph, str(content))

    def table(self, header: list[str] | None, rows: list[list[Content]], widths: list[float],
              size: float = 8.5, caption: str | None = None) -> Table:
        """A table over the text width (``widths``: shares of it), its header row repeated on each page;
        its text in ``size`` points (a paragraph style: not set run by run)."""
        if caption:
            self.para(caption, style="Caption")
        table = self.doc.add_table(rows=0, cols=len(widths))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _fit(table, widths)  # before the rows: each new row's cells take the columns' widths
        template = _row_template(table, self.cell_style(size))
        if header is not None:
            cells = self.row(table, template, header)
            _repeat_header(cells[0]._tc.getparent())
            for target in cells:
                _shade(target, HEAD_FILL)
                for run in target.paragraphs[0].runs:
                    run.font.bold = True
        for values in rows:
            self.row(table, template, values)
        self.para()
        return table

    def row(self, table: Table, template: Any, values: list[Content]) -> list[_Cell]:
        """A new row of ``values``: a copy of ``template`` (:func:`_row_template`), filled."""
        tr = copy.deepcopy(template)
        table._tbl.append(tr)
        cells = [_Cell(tc, table) for tc in tr.tc_lst]
        for target, value in zip(cells, values):
            self.put(Paragraph(target._tc.p_lst[0], target), value)
        return cells

    def cell_style(self, size: float) -> str:
        """The id of the paragraph style of table text in ``size`` points (made on first use): single
        spacing, no space after."""
        name = f"Table text {size:g}"
        if name not in self.cell_styles:
            style = self.doc.styles.add_style(name, 1)
            style.base_style = self.doc.styles["Normal"]
            style.font.size = Pt(size)
            style.paragraph_format.space_after = Pt(0)
            style.paragraph_format.line_spacing = 1.0
            self.cell_styles[name] = style.style_id
        return self.cell_styles[name]

    def figure(self, uri: str | None, caption: str) -> None:
        """A PNG data URI as a picture with a numbered caption ("Figure 3: ...")."""
        if not uri:
            return
        png = base64.b64decode(uri.split(",", 1)[1])
        width, height = struct.unpack(">II", png[16:24])  # the PNG header's pixel size
        shown = min(FIGURE_W, int(FIGURE_H * width / height))
        picture = self.doc.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        picture.add_run().add_picture(io.BytesIO(png), width=shown)
        self.figure_no += 1
        label = self.styled("Caption")
        label.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _text(label, self.t("docx.figure") + " ")
        _field(label, "SEQ Figure \\* ARABIC", str(self.figure_no))
        _text(label, self.t("colon") + caption)

    def fact(self, label: str, fill: Callable[[Paragraph], None] | str) -> None:
        """A definition-list line: bold label, colon, value."""
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        _text(paragraph, label + self.t("colon")).bold = True
        if callable(fill):
            fill(paragraph)
        else:
            _text(paragraph, str(fill))

    def ind_name(self, ind: Any) -> str:
        return f"{ind.number}. {ind.name[self.lang]}"

    def ind_link(self, ind: Any) -> Callable[[Paragraph], None]:
        return lambda p: self.link(p, self.ind_name(ind), anchor=bookmark_name("ind", ind.id))

    # ---- sections, in the page's order

    def write(self) -> None:
        self.cover()
        contents = self.contents_field()
        self.summary()
        self.overview()
        self.indicators()
        if self.v["scorecard"]:
            self.scorecard()
        self.projects()
        self.context()
        self.coverage()
        self.needed()
        self.method()
        self.sources()
        self.fill_contents(contents)

    def cover(self) -> None:
        v, lang = self.v, self.lang
        self.styled("Title", v["plan"].name[lang])
        self.styled("Subtitle", f"{_title(v)} · {v['year']}")
        for note in (v["partial"], v["preliminary"]):
            if note:
                self.para(note).runs[0].font.color.rgb = RGBColor(0x8A, 0x4B, 0x08)
        plan, meta = v["plan"], v["meta"]
        if plan.issuer:
            self.fact(self.t("cover.issuer"), plan.issuer[lang])
        self.fact(self.t("cover.plan_period"), f"{plan.base_year + 1}–{plan.end_year}")
        self.fact(self.t("cover.year"), str(v["year"]))
        if meta.get("data_cutoff"):
            self.fact(self.t("cover.cutoff"), str(meta["data_cutoff"]))
        if v["vintage"]:
            self.fact(self.t("cover.vintage"), v["vintage_day"])
        if meta.get("commit"):
            self.fact(self.t("cover.commit"), str(meta["commit"]))
        if meta.get("data_hash"):
            self.fact(self.t("cover.data_hash"), str(meta["data_hash"]))
        self.para(self.t("cover.asof", year=v["year"]) + (f" {v['vintage']}" if v["vintage"] else ""))

    def contents_field(self) -> Paragraph:
        """The contents: a TOC field over Heading 1-2, its entries pre-filled (links without page
        numbers) so a reader that does not update fields still sees them."""
        self.doc.add_page_break()
        title = self.doc.add_paragraph(self.t("sec.toc"), style="TOC Heading")
        _set_fonts(title.style.element.get_or_add_rPr())
        return title

    def fill_contents(self, title: Paragraph) -> None:
        anchor = title._p
        entries = []
        for level, text, name in self.headings:
            paragraph = self.styled(f"toc{level}")
            self.link(paragraph, text, anchor=name)
            entries.append(paragraph)
        hint = self.doc.add_paragraph()
        run = _text(hint, self.t("docx.toc_hint"))
        run.font.size, run.font.color.rgb = Pt(8), GREY
        begin = entries[0]._p
        for kind, where in (("begin", 0), ("instr", 1), ("separate", 2)):
            run = OxmlElement("w:r")
            if kind == "instr":
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = ' TOC \\o "1-2" \\h \\z \\u '
            else:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            run.append(element)
            begin.insert((1 if begin.pPr is not None else 0) + where, run)
        end = OxmlElement("w:r")
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), "end")
        end.append(fld)
        entries[-1]._p.append(end)
        for paragraph in [*entries, hint]:
            anchor.addnext(paragraph._p)
            anchor = paragraph._p

    def summary(self) -> None:
        v = self.v
        self.doc.add_page_break()
        self.heading(self.t("sec.summary"), 1, "summary")
        if v["partial"]:
            self.para(v["partial"])
        rows: list[list[Content]] = []
        for r in v["rows"]:
            status = r["status"]

            def status_cell(p: Paragraph, r: dict[str, Any] = r, status: dict[str, Any] = status) -> None:
                self.badge(p, status)
                if r["pace"]:
                    run = _text(p, " " + r["pace"])
                    run.font.size, run.font.color.rgb = Pt(7), GREY
            rows.append([self.ind_link(r["ind"]), r["target"], r["base"], r["latest"], r["progress"], status_cell,
                         r["forecast"], r["probability"]])
        header = [self.t(f"col.{k}", level=self.v["level"]) for k in ("indicator", "target", "base", "latest", "progress", "status",
                                                "forecast", "probability")]
        table = self.table(header, rows, [2.3, 2.1, 1.3, 1.8, 1.4, 1.8, 1.5, 1.6], size=7.5,
                           caption=self.t("summary.table"))
        # each row's one reason, under it across the value columns (the page's "why" row)
        for r, row in zip(reversed(v["rows"]), reversed(table.rows[1:])):
            if r["reason"]:
                extra = table.add_row()
                _keep_row(extra._tr)
                row._tr.addnext(extra._tr)
                first = extra.cells[0].paragraphs[0].paragraph_format
                first.space_after, first.line_spacing = Pt(0), Pt(9)  # exactly the reason's line, not a 10 pt one
                merged = extra.cells[1].merge(extra.cells[-1])
                run = _text(merged.paragraphs[0], r["reason"])
                run.font.size, run.font.color.rgb = Pt(7), GREY
                merged.paragraphs[0].paragraph_format.space_after = Pt(0)
                merged.paragraphs[0].paragraph_format.line_spacing = Pt(9)
        if v["end_observed"]:
            self.para(self.t("summary.end_observed"), small=True, grey=True)
        self.heading(self.t("summary.counts"), 2)
        self.table([self.t("col.status"), self.t("col.count")],
                   [[lambda p, c=c: self.badge(p, c), str(c["n"])] for c in v["counts"]], [3, 1], size=9)
        self.heading(self.t("summary.findings"), 2)
        self.para(self.t("summary.count_line", n=len(v["rows"]), m=v["n_results"]))
        self.bullets(v["findings"])
        if v["binding"]:
            self.para(v["binding"])

    def overview(self) -> None:
        self.heading(self.t("sec.overview"), 1, "overview")
        self.figure(self.v["overview"], self.t("chart.progress"))

    def indicators(self) -> None:
        self.heading(self.t("sec.indicators"), 1, "indicators")
        for s in self.v["sections"]:
            self.indicator(s)

    def indicator(self, s: dict[str, Any]) -> None:
        ind = s["ind"]
        self.heading(self.ind_name(ind), 2, bookmark_name("ind", ind.id))
        status = self.doc.add_paragraph()
        self.badge(status, s["status"])
        if s["pace"]:
            _text(status, " · " + s["pace"]).font.color.rgb = GREY
        if s["kind"]:
            self.fact(self.t("ind.kind"), s["kind"])
        if ind.target_text:
            def target(p: Paragraph) -> None:
                _text(p, ind.target_text[self.lang])
                if ind.source:
                    _text(p, " [")
                    self.src(p, ind.source)
                    _text(p, "]")
            self.fact(self.t("ind.target"), target)
        if s["rule"]:
            self.fact(self.t("ind.rule"), s["rule"])
        if s["notes"]:
            self.fact(self.t("ind.notes"), s["notes"])
        for c in s["changes"]:
            self.fact(self.t("ind.definition_changes"), f"{c['year']} · {c['type']}{self.t('colon')}{c['text']}")
        if s["record"] is None:
            if s["status"]["code"] == "not_included":
                self.para(self.t("ind.not_included"), grey=True)
            elif ind.identified:
                self.para(self.t("ind.no_record"), grey=True)
            return
        verdict = self.doc.add_paragraph()
        _text(verdict, self.t("ind.verdict") + self.t("colon")).bold = True
        _text(verdict, s["verdict"])
        self.figure(s["chart"], self.t("ind.chart_alt", name=ind.name[self.lang]))
        self.heading(self.t("ind.key_figures"), 3)
        table = self.table(None, [[label, c] for label, c in s["figures"]], [2, 3], size=8.5)
        for row in table.rows:
            for run in row.cells[0].paragraphs[0].runs:
                run.font.bold = True
        for key, items in (("ind.findings", s["findings"]), ("ind.data_needed", s["data_needed"]),
                           ("ind.reasons", s["reasons"]), ("ind.flags", s["flags"])):
            if items:
                self.heading(self.t(key), 3)
                self.bullets(items)
        if s["shown"]:
            self.heading(self.t("ind.values"), 3)
            self.values(s["shown"])

    def values(self, shown: list[dict[str, Any]]) -> None:
        """A table of values with their sources (an indicator's or a context series'); a value the
        verdict does not use (``used`` false) is greyed and says so."""
        rows = [[r["period"], r["value"], r["kind"] + ("" if r.get("used", True) else self.t("ind.not_used")),
                 lambda p, sid=r["source"]: self.src(p, sid), r["note"]] for r in shown]
        header = [self.t("col.period"), self.t("fig.value"), self.t("col.kind"), self.t("col.source"), self.t("col.note")]
        table = self.table(header, rows, [1.3, 1.4, 1.4, 0.8, 4.1], size=8)
        for r, row in zip(shown, table.rows[1:]):
            if not r.get("used", True):
                for target in row.cells:
                    for run in target.paragraphs[0].runs:
                        run.font.color.rgb = GREY

    def scorecard(self) -> None:
        sc, v = self.v["scorecard"], self.v
        self.heading(self.t("sec.scorecard"), 1, "scorecard")
        self.para(sc["intro"])
        self.para(sc["tally"])
        header = [self.t("col.indicator"), self.t("sc.mid_status"), self.t("col.probability"), self.t("col.forecast", level=self.v["level"]),
                  self.t("sc.final_status"), self.t("sc.end_value"), self.t("sc.inside", level=self.v["level"]), self.t("sc.call")]
        rows = []
        for r in sc["rows"]:
            def final(p: Paragraph, r: dict[str, Any] = r) -> None:
                self.badge(p, r["final_status"])
                if r["provisional"]:
                    run = _text(p, " " + self.t("sc.provisional"))
                    run.font.size, run.font.color.rgb = Pt(7), GREY

            def call(p: Paragraph, r: dict[str, Any] = r) -> None:
                run = _text(p, r["call"]["text"])
                if r["call"]["code"] in CALL_COLOUR:
                    run.bold = True
                    run.font.color.rgb = RGBColor.from_string(CALL_COLOUR[r["call"]["code"]])
            rows.append([self.ind_link(r["ind"]), lambda p, r=r: self.badge(p, r["mid_status"]), r["probability"],
                         r["forecast"], final, r["end_value"], r["inside"], call])
        table = self.table(header, rows, [2.4, 1.5, 1.7, 1.7, 1.5, 1.4, 1.0, 1.2], size=7.5)
        # the page's two-row head: mid-term (3 columns) and final (4 columns) above the column names
        top = table.add_row()
        table.rows[0]._tr.addprevious(top._tr)
        _repeat_header(top._tr)
        top.cells[1].merge(top.cells[3]).paragraphs[0].add_run(self.t("sc.midterm", year=v["midterm_year"])).bold = True
        top.cells[4].merge(top.cells[7]).paragraphs[0].add_run(self.t("sc.final", year=v["plan"].end_year)).bold = True
        for target in (top.cells[0], top.cells[1], top.cells[4]):
            _shade(target, HEAD_FILL)
            for run in target.paragraphs[0].runs:
                run.font.size = Pt(7.5)

    def projects(self) -> None:
        self.heading(self.t("sec.projects"), 1, "projects")
        projects = self.v["projects"]
        if not projects:
            self.para(self.t("project.none"))
            return
        rows = []
        for pj in projects:
            def evidence(p: Paragraph, pj: dict[str, Any] = pj) -> None:
                if not pj["evidence"]:
                    _text(p, DASH)
                for n, e in enumerate(pj["evidence"]):
                    if n:
                        p.add_run().add_break()
                    _text(p, f"{e['date']} ").bold = True
                    _text(p, e["text"][self.lang] + " [")
                    self.src(p, e["source"])
                    _text(p, "]")
            status = {"name": pj["status_name"], "colour": PROJECT_COLOUR.get(pj["status"], "999999")}
            rows.append([pj["name"][self.lang], lambda p, s=status: self.badge(p, s), evidence])
        self.table([self.t("col.project"), self.t("col.status"), self.t("col.evidence")], rows, [2.2, 1.3, 5.5], size=8)

    def context(self) -> None:
        self.heading(self.t("sec.context"), 1, "context")
        series = self.v["context_series"]
        if not series:
            self.para(self.t("context.none"))
            return
        self.para(self.t("context.intro"))
        for c in series:
            self.heading(c["name"], 2, bookmark_name("ctx", c["id"]))
            if c["linked"]:
                p = self.doc.add_paragraph(self.t("context.linked") + self.t("colon"))
                for n, ind in enumerate(c["linked"]):
                    if n:
                        _text(p, self.t("sep"))
                    self.ind_link(ind)(p)
            if c["rows"]:
                self.values(c["rows"])
            else:
                self.para(self.t("context.no_rows", year=self.v["year"]), grey=True)

    def coverage(self) -> None:
        cov = self.v["coverage"]
        self.heading(self.t("sec.coverage"), 1, "coverage")
        legend = self.doc.add_paragraph(self.t("cov.legend") + self.t("colon"))
        for n, (code, label) in enumerate(cov["legend"]):
            if n:
                _text(legend, self.t("sep"))
            _text(legend, f"{self.t('cov.short.' + code)} {label}")
        rows = [[self.ind_link(r["ind"]), *[self.t("cov.short." + code) for code, _ in r["cells"]]] for r in cov["rows"]]
        table = self.table([self.t("col.indicator"), *[str(y) for y in cov["years"]]], rows,
                           [4, *[1] * len(cov["years"])], size=8)
        for r, row in zip(cov["rows"], table.rows[1:]):
            for (code, _), target in zip(r["cells"], row.cells[1:]):
                _shade(target, COVERAGE_FILL.get(code, "FFFFFF"))
                target.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.heading(self.t("cov.gaps"), 2)
        self.bullets([f"{self.ind_name(g['ind'])}{self.t('colon')}{g['years']}" for g in cov["gaps"]])

    def needed(self) -> None:
        self.heading(self.t("sec.data_needed"), 1, "needed")
        self.para(self.t("needed.intro"))
        if not self.v["needed"]:
            self.para(self.t("needed.none"))
            return
        rows = []
        for n in self.v["needed"]:
            def what(p: Paragraph, items: list[str] = n["what"]) -> None:
                for k, item in enumerate(items):
                    if k:
                        p.add_run().add_break()
                    _text(p, "• " + item)
            rows.append([self.ind_link(n["ind"]), lambda p, s=n["status"]: self.badge(p, s), what])
        self.table([self.t("col.indicator"), self.t("col.status"), self.t("needed.what")], rows, [2.3, 1.5, 5.2], size=8)

    def method(self) -> None:
        v = self.v
        self.heading(self.t("sec.method"), 1, "method")
        self.para(self.t("method.intro"))
        self.table([self.t("col.setting"), self.t("col.value"), self.t("col.meaning")],
                   [[m["key"], str(m["value"]), m["meaning"]] for m in v["method"]], [2.2, 1.2, 5.6], size=8)
        bt = v["backtest"]
        if bt:
            self.heading(self.t("bt.title"), 2)
            self.para(bt["intro"])
            if bt["rows"]:
                header = [self.t("col.indicator"), self.t("bt.n"), self.t("bt.coverage", level=self.v["level"]), self.t("bt.coverage_uninflated"),
                          *[self.t("bt.mase", model=m) for m in bt["models"]]]
                lines = bt["rows"] + ([bt["all"]] if bt["all"] else [])
                rows = [[r["name"], *([r["reason"]] + [None] * (2 + len(bt["models"])) if r["reason"] else
                                      [r["n"], r["coverage"], r["coverage_uninflated"], *r["mase"]])] for r in lines]
                table = self.table(header, rows, [2.6, 0.6, 1.0, 1.0, *[1.0] * len(bt["models"])], size=7.5)
                for r, row in zip(lines, table.rows[1:]):
                    if r["reason"]:
                        row.cells[1].merge(row.cells[-1])
                if bt["all"]:
                    for target in table.rows[-1].cells:
                        for run in target.paragraphs[0].runs:
                            run.bold = True
            if not bt["all"]:
                self.para(self.t("bt.none"))
        cal = v["calibration"]
        if cal:
            self.heading(self.t("cal.title"), 2, "calibration")
            self.para(cal["intro"])
            header = [self.t("cal.corpus"), self.t("cal.series"), self.t("bt.n"), self.t("cal.mase"), self.t("cal.smape"),
                      self.t("cal.coverage_h", h=", ".join(cal["horizons"])), self.t("cal.skill")]
            self.table(header, [[r["name"], r["series"], r["forecasts"], r["mase"], r["smape"], " ".join(r["coverage"]),
                                 r["skill"]] for r in cal["rows"]], [1.6, 0.8, 0.8, 1.8, 1.8, 1.8, 0.8], size=7.5)
            for f in cal["figures"]:
                self.figure(f["uri"], f["caption"])
        self.heading(self.t("method.statuses"), 2)
        statuses = self.doc.add_paragraph()
        for n, s in enumerate(v["statuses"]):
            if n:
                _text(statuses, "   ")
            self.badge(statuses, s)
        self.heading(self.t("method.likelihood"), 2)
        self.para(self.t("sep").join(v["likelihoods"]))

    def sources(self) -> None:
        v = self.v
        self.heading(self.t("sec.sources"), 1, "sources")
        rows = []
        for s in v["sources"]:
            def url(p: Paragraph, s: dict[str, Any] = s) -> None:
                if s["link"]:
                    self.link(p, s["url"], url=s["link"])
                else:
                    _text(p, s["url"] or self.t("url.none"))
            rows.append([s["id"], s["publisher"], s["title"], s["published"], url,
                         v["confidence"].get(s["confidence"], s["confidence"])])
        table = self.table([self.t(f"col.{k}") for k in ("id", "publisher", "title", "published", "url", "confidence")],
                           rows, [0.7, 1.6, 3.0, 1.1, 2.6, 0.8], size=7.5)
        for s, row in zip(v["sources"], table.rows[1:]):
            self.bookmark(row.cells[0].paragraphs[0], bookmark_name("src", s["id"]))
