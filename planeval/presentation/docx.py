"""The report as a Word document (report.<lang>.docx): the cells of :func:`report.report_view` laid out
in the order of the HTML page (templates/report.html.j2); nothing is recomputed or reworded here.
python-docx makes the package, the page set-up and the styles; the body's paragraphs, runs and tables
are written as WordprocessingML elements directly (see "WordprocessingML, written directly": a
fraction of python-docx's time for the same XML).

What makes it a working document rather than a picture of the page: Heading 1-3 styles (Word's
navigation pane, the contents field at the start), header rows that repeat on every page of a long
table, numbered figure captions, source references that jump to the sources table, A4 with 20 mm
margins, page numbers in the footer, and the fonts named in the styles for Latin and East Asian text
alike (the PDF's Noto Sans CJK SC; the font table names Microsoft YaHei as its stand-in where Noto is
not installed), so Word, WPS and LibreOffice render Chinese without falling back to a Japanese or
Latin font.

The bytes are reproducible: core properties are fixed (dates from the report's data vintage, no
"last modified by") and the zip has fixed timestamps and a fixed entry order.
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
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.shape import CT_Inline
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from planeval.presentation.labels import DASH, HTML_LANG, t

FONT = "Noto Sans CJK SC"  # the HTML/PDF font; covers Latin and Chinese
FONT_STANDIN = "Microsoft YaHei"  # what Word/WPS on Windows use where Noto is missing (font table altName)
PAGE_W, PAGE_H, MARGIN = Mm(210), Mm(297), Mm(20)
TEXT_W = PAGE_W - 2 * MARGIN
FIGURE_W, FIGURE_H = Mm(160), Mm(105)  # the largest a figure is drawn
GREY = "666666"  # run colours, as WordprocessingML writes them (w:color/@w:val)
LINK = "2166AC"
NOTE = "8A4B08"  # the cover's partial/preliminary notes
HEAD_FILL = "EEF1F5"
COVERAGE_FILL = {"actual": "A6DBA0", "bound": "D9F0D3", "partial": "FEE090", "missing": "F4F4F4",
                 "not_identified": "DDDDDD"}
PROJECT_COLOUR = {"done": "1B7837", "in_progress": "7FBC41", "moved": "E6AB02", "no_public_evidence": "999999"}
CALL_COLOUR = {"called": "1B7837", "wrong": "B2182B"}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: the entries carry no build time
Element = etree._Element  # a WordprocessingML element (w:p, w:r, w:tbl ...) of the document's tree
Content = Any  # str | display cell dict | callable(w:p element) | None


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
    return _zip(_package_entries(doc))


def reproducible_zip(data: bytes) -> bytes:
    """The zip ``data`` rewritten with fixed timestamps and attributes, [Content_Types].xml first and
    the other entries by name, so identical content gives identical bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return _zip({info.filename: src.read(info) for info in src.infolist()})


class _Entries(dict):
    """Zip entries by name, collected from python-docx's package writer (the interface of its
    ``docx.opc.phys_pkg.PhysPkgWriter``) instead of zipped."""

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self[pack_uri.membername] = blob


def _package_entries(doc: Any) -> dict[str, bytes]:
    """The entries ``doc.save`` would zip (python-docx 1.2's ``OpcPackage.save``): zipping them once,
    in :func:`_zip`, rather than saving (which compresses every entry, the pictures at length) and
    rewriting that zip."""
    package = doc.part.package
    for part in package.parts:
        part.before_marshal()
    entries = _Entries()
    PackageWriter._write_content_types_stream(entries, package.parts)
    PackageWriter._write_pkg_rels(entries, package.rels)
    PackageWriter._write_parts(entries, package.parts)
    return entries


def _zip(entries: dict[str, bytes]) -> bytes:
    """A zip of ``entries`` (name -> bytes) with fixed timestamps and attributes, [Content_Types].xml
    first and the other entries by name."""
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
    p = footer._p
    _field(p, "PAGE", "1")
    _run(p, " / ")
    _field(p, "NUMPAGES", "1")
    for r in p.findall(W + "r"):
        _format_run(r, size=8)


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
    doc.styles["Caption"].font.color.rgb = RGBColor.from_string(GREY)
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


# ---------------------------------------------------------------- WordprocessingML, written directly
#
# The body (about 9,000 elements) is built with lxml, not through python-docx's proxies: python-docx
# creates each element through its parser and finds its place by looking up, child by child, which of
# the schema's possible successors is already there, so a coloured run cost a dozen such searches and
# the document took a second. These helpers write the same elements in the schema's order; a property
# element (w:pPr, w:rPr, w:tcPr, w:trPr) is always the first child of its element.

W = "{%s}" % nsmap["w"]  # the WordprocessingML namespace, as lxml spells a tag: W + "p" is w:p
R_ID = qn("r:id")
XML_SPACE = qn("xml:space")
# the properties this module sets, in the order the schema requires them within their parent
PPR_ORDER = ("pStyle", "keepNext", "spacing", "jc")
RPR_ORDER = ("rFonts", "b", "color", "sz")
TCPR_ORDER = ("tcW", "gridSpan", "shd")
TRPR_ORDER = ("cantSplit", "tblHeader")
BREAKS = re.compile(r"[\t\n\r]")  # characters a run writes as elements of their own (w:tab, w:br)


def _sub(parent: Element, name: str, /, **attrs: str) -> Element:
    """A new last child w:``name`` of ``parent`` with w: attributes ``attrs`` (in their order)."""
    return etree.SubElement(parent, W + name, {W + k: v for k, v in attrs.items()})


def _first_child(parent: Element, name: str) -> Element:
    """The properties child w:``name`` (w:pPr, w:rPr ...) of ``parent``: its first child, added if missing."""
    if len(parent) > 0 and parent[0].tag == W + name:
        return parent[0]
    child = _sub(parent, name)
    parent.insert(0, child)
    return child


def _has_properties(p: Element) -> bool:
    """Whether the paragraph has properties (w:pPr, its first child): what goes first in it goes after them."""
    return len(p) > 0 and p[0].tag == W + "pPr"


def _child(parent: Element, name: str, order: tuple[str, ...], /, **attrs: str) -> Element:
    """The child w:``name`` of a properties element, added if missing before the first child that the
    schema puts after it (``order``), with the w: attributes ``attrs`` set."""
    child = parent.find(W + name)
    if child is None:
        child = _sub(parent, name)
        later = {W + n for n in order[order.index(name) + 1:]}
        for sibling in parent:
            if sibling.tag in later:
                sibling.addprevious(child)
                break
    for key, value in attrs.items():
        child.set(W + key, value)
    return child


def _twips(points: float) -> str:
    """A length in points as WordprocessingML's twentieths of a point."""
    return str(round(points * 20))


def _paragraph(parent: Element, style: str | None = None, **layout: Any) -> Element:
    """A new last paragraph of ``parent`` (the body, a cell) in the paragraph style of this id;
    ``layout``: see :func:`_paragraph_format`."""
    p = _sub(parent, "p")
    if style or layout:
        _paragraph_format(p, style, **layout)
    return p


def _paragraph_format(p: Element, style: str | None = None, keep_next: bool = False,
                      space_after: float | None = None, line: float | None = None, centred: bool = False) -> None:
    """Paragraph properties: the style id, kept on the page of the next paragraph, the space after and
    the exact line height (points), centred."""
    ppr = _first_child(p, "pPr")
    if style:
        _child(ppr, "pStyle", PPR_ORDER, val=style)
    if keep_next:
        _child(ppr, "keepNext", PPR_ORDER)
    if space_after is not None:
        _child(ppr, "spacing", PPR_ORDER, after=_twips(space_after))
    if line is not None:
        _child(ppr, "spacing", PPR_ORDER, line=_twips(line), lineRule="exact")
    if centred:
        _child(ppr, "jc", PPR_ORDER, val="center")


def _run(parent: Element, text: str = "", bold: bool = False, colour: str | None = None,
         size: float | None = None) -> Element:
    """A new last run of ``parent`` (a w:p or w:hyperlink): ``text`` in one w:t (an empty run without
    text), formatted as :func:`_format_run`. Text with a tab or a line break goes through python-docx's
    run text (those become their own elements)."""
    r = _sub(parent, "r")
    if bold or colour or size:
        _format_run(r, bold=bold, colour=colour, size=size)
    if BREAKS.search(text):
        r.text = text  # docx.oxml.text.run.CT_R.text: w:t, w:tab and w:br elements
    elif text:
        t = _sub(r, "t")
        t.text = text
        if text.strip() != text:
            t.set(XML_SPACE, "preserve")
    return r


def _format_run(r: Element, bold: bool = False, colour: str | None = None, size: float | None = None) -> None:
    """Set run properties (replacing any already set): bold, the colour (hex RGB) and the size (points)."""
    rpr = _first_child(r, "rPr")
    if bold:
        _child(rpr, "b", RPR_ORDER)
    if colour:
        _child(rpr, "color", RPR_ORDER, val=colour)
    if size:
        _child(rpr, "sz", RPR_ORDER, val=str(int(size * 2)))  # half-points


def _runs(p: Element) -> list[Element]:
    """The paragraph's own runs (python-docx's ``Paragraph.runs``: not those inside a hyperlink)."""
    return p.findall(W + "r")


def _line_break(p: Element, page: bool = False) -> None:
    """A run holding a line break (a page break if ``page``)."""
    br = _sub(_sub(p, "r"), "br")
    if page:
        br.set(W + "type", "page")


def _field_run(parent: Element, kind: str, instruction: str = "") -> Element:
    """One run of a complex field: its ``kind`` (begin, separate, end) or, for kind "instr", its
    ``instruction``."""
    r = _sub(parent, "r")
    if kind == "instr":
        instr = _sub(r, "instrText")
        instr.set(XML_SPACE, "preserve")
        instr.text = f" {instruction} "
    else:
        _sub(r, "fldChar", fldCharType=kind)
    return r


def _field(p: Element, instruction: str, shown: str) -> None:
    """A complex field (PAGE, NUMPAGES, SEQ ...) with ``shown`` as its last computed result."""
    _field_run(p, "begin")
    _field_run(p, "instr", instruction)
    _field_run(p, "separate")
    _run(p, shown)
    _field_run(p, "end")


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


# ---- tables: a table is a w:tbl of w:tr rows of w:tc cells, each cell holding (here) one w:p


def _table_properties(doc: Any) -> Element:
    """The table properties (w:tblPr) every table of the report shares, made once through python-docx
    and copied into each table (setting the style by name scans every style, twice, for each table):
    the "Table Grid" style, centred, fixed column widths over the text width."""
    table = doc.add_table(rows=0, cols=1)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    width = table._tbl.tblPr.find(W + "tblW")
    width.set(W + "type", "dxa")
    width.set(W + "w", str(int(TEXT_W // 635)))  # EMU -> twips
    table._tbl.getparent().remove(table._tbl)
    return table._tbl.tblPr


def _grid(tbl: Element, widths: list[float]) -> None:
    """The column grid: fixed widths (twips), as shares of the text width."""
    grid = _sub(tbl, "tblGrid")
    total = sum(widths)
    for width in widths:
        _sub(grid, "gridCol", w=str(round(int(TEXT_W * width / total) / 635)))


def _empty_row(tbl: Element, style: str | None = None) -> Element:
    """A new last row of ``tbl``, never split across pages: a cell of each column's width holding an
    empty paragraph (in the paragraph style ``style``, an id). python-docx's ``Table.add_row``."""
    tr = _sub(tbl, "tr")
    _keep_row(tr)
    for col in tbl.find(W + "tblGrid"):
        tc = _sub(tr, "tc")
        _sub(_sub(tc, "tcPr"), "tcW", type="dxa", w=col.get(W + "w"))
        _paragraph(tc, style)
    return tr


def _rows(tbl: Element) -> list[Element]:
    """The table's rows, the header row(s) first."""
    return tbl.findall(W + "tr")


def _cells(tr: Element) -> list[Element]:
    """The row's cells (a merged cell once)."""
    return tr.findall(W + "tc")


def _text_of(tc: Element) -> Element:
    """The cell's paragraph: its last child, after its properties (w:tcPr); the report's cells hold one."""
    return tc[-1]


def _keep_row(tr: Element) -> None:
    """A row is not split across pages (the next page starts with the whole row)."""
    _child(_first_child(tr, "trPr"), "cantSplit", TRPR_ORDER)


def _repeat_header(tr: Element) -> None:
    """A header row: repeated at the top of every page the table runs onto."""
    _keep_row(tr)
    _child(_first_child(tr, "trPr"), "tblHeader", TRPR_ORDER, val="true")


def _shade(tc: Element, fill: str) -> None:
    """The cell's background colour (hex RGB)."""
    _child(_first_child(tc, "tcPr"), "shd", TCPR_ORDER, val="clear", color="auto", fill=fill)


def _merge(tr: Element, first: int, last: int) -> Element:
    """Merge the row's cells of grid columns ``first``..``last`` into the first (Word's horizontal
    merge: w:gridSpan, the widths summed) and return it, as python-docx's ``_Cell.merge`` does for one
    row; the cells merged away must be empty (python-docx would move their text into the first)."""
    spanned, column = [], 0
    for tc in _cells(tr):
        span = tc.find(f"{W}tcPr/{W}gridSpan")
        if first <= column <= last:
            spanned.append(tc)
        column += 1 if span is None else int(span.get(W + "val"))
    keep, *gone = spanned
    width = keep.find(f"{W}tcPr/{W}tcW")
    total = int(width.get(W + "w"))
    for tc in gone:
        assert tc.find(f".//{W}r") is None, "a merged-away cell has text"
        total += int(tc.find(f"{W}tcPr/{W}tcW").get(W + "w"))
        tr.remove(tc)
    width.set(W + "w", str(total))
    _child(_first_child(keep, "tcPr"), "gridSpan", TCPR_ORDER, val=str(last - first + 1))
    return keep


# ---------------------------------------------------------------- the report


class _Report:
    """Writes the sections of the view in the order of the HTML page, as elements appended to the body."""

    def __init__(self, doc: Any, view: dict[str, Any]) -> None:
        self.doc, self.v, self.lang = doc, view, view["lang"]
        self.body = doc.element.body
        self.ids = _Ids()
        self.figure_no = 0
        self.headings: list[tuple[int, str, str]] = []  # (level, text, bookmark) for the contents
        self.cell_styles: dict[str, str] = {}  # name -> style id, see cell_style
        self.table_pr = _table_properties(doc)

    def t(self, key: str, **kw: Any) -> str:
        return t(key, self.lang, **kw)

    # ---- building blocks

    def bookmark(self, p: Element, name: str) -> None:
        n = str(self.ids.next())
        start = _sub(p, "bookmarkStart", id=n, name=name)
        p.insert(1 if _has_properties(p) else 0, start)
        _sub(p, "bookmarkEnd", id=n)

    def para(self, text: str = "", style: str | None = None, size: float | None = None, colour: str | None = None,
             **layout: Any) -> Element:
        """A new paragraph of the body in the paragraph style of this id (``layout``: see
        :func:`_paragraph_format`), its text in one run of this size and colour."""
        p = _paragraph(self.body, style, **layout)
        if text:
            _run(p, text, size=size, colour=colour)
        return p

    def heading(self, text: str, level: int, anchor: str | None = None) -> Element:
        p = self.para(text, f"Heading{level}")
        name = anchor or f"_h{len(self.headings) + 1}"
        self.bookmark(p, name)
        if level <= 2:
            self.headings.append((level, text, name))
        return p

    def bullets(self, items: list[str]) -> None:
        for item in items:
            self.para(item, style="ListBullet")

    def link(self, p: Element, text: str, anchor: str | None = None, url: str | None = None,
             size: float | None = None) -> None:
        """A hyperlink run: to a bookmark (``anchor``) or an external http(s) ``url``."""
        link = _sub(p, "hyperlink")
        if url is not None:
            link.set(R_ID, self.doc.part.relate_to(url, RT.HYPERLINK, is_external=True))
        else:
            link.set(W + "anchor", anchor)
        link.set(W + "history", "1")
        _run(link, text, colour=LINK, size=size)

    def src(self, p: Element, source_id: str, size: float | None = None) -> None:
        if source_id:
            self.link(p, str(source_id), anchor=bookmark_name("src", source_id), size=size)

    def badge(self, p: Element, status: dict[str, Any], colour: str | None = None) -> None:
        """A status: a coloured square and its name (the page's badge)."""
        _run(p, "■ ", colour=str(RGBColor.from_string((colour or status["colour"]).lstrip("#").upper())))
        _run(p, status.get("name") or status.get("status_name") or "")

    def cell(self, p: Element, c: dict[str, Any]) -> None:
        """A display cell: its text (linked to its source), or "—" and why."""
        if c["text"] is None:
            _run(p, DASH)
            if c.get("why"):
                _run(p, " " + c["why"], size=7.5, colour=GREY)
        elif c.get("src"):
            self.link(p, c["text"], anchor=bookmark_name("src", c["src"]))
            _run(p, f" [{c['src']}]", size=7, colour=GREY)
        else:
            _run(p, c["text"])

    def put(self, p: Element, content: Content) -> None:
        if content is None:
            return
        if callable(content):
            content(p)
        elif isinstance(content, dict):
            self.cell(p, content)
        else:
            _run(p, str(content))

    def table(self, header: list[str] | None, rows: list[list[Content]], widths: list[float],
              size: float = 8.5, caption: str | None = None) -> Element:
        """A table over the text width (``widths``: shares of it), its header row repeated on each page;
        its text in ``size`` points (a paragraph style: not set run by run)."""
        if caption:
            self.para(caption, style="Caption")
        tbl = _sub(self.body, "tbl")
        tbl.append(copy.deepcopy(self.table_pr))
        _grid(tbl, widths)
        template = _empty_row(tbl, self.cell_style(size))
        tbl.remove(template)
        if header is not None:
            tr = self.row(tbl, template, header)
            _repeat_header(tr)
            for tc in _cells(tr):
                _shade(tc, HEAD_FILL)
                for r in _runs(_text_of(tc)):
                    _format_run(r, bold=True)
        for values in rows:
            self.row(tbl, template, values)
        self.para()
        return tbl

    def row(self, tbl: Element, template: Element, values: list[Content]) -> Element:
        """A new row of ``values``: a copy of ``template`` (an empty row, see :func:`_empty_row`),
        filled; copying it is many times faster than building each row."""
        tr = copy.deepcopy(template)
        tbl.append(tr)
        for tc, value in zip(_cells(tr), values):
            self.put(_text_of(tc), value)
        return tr

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
        self.figure_no += 1
        # python-docx's Run.add_picture, but the drawing's id is the figure's number: its own choice
        # (one more than the largest id in the document, found with an xpath over the whole body) is
        # the same number, as the figures are the only drawings
        rid, image = self.doc.part.get_or_add_image(io.BytesIO(png))
        cx, cy = image.scaled_dimensions(shown, None)
        picture = self.para(keep_next=True, centred=True)
        _sub(_sub(picture, "r"), "drawing").append(CT_Inline.new_pic_inline(self.figure_no, rid, image.filename, cx, cy))
        label = self.para(style="Caption", centred=True)
        _run(label, self.t("docx.figure") + " ")
        _field(label, "SEQ Figure \\* ARABIC", str(self.figure_no))
        _run(label, self.t("colon") + caption)

    def fact(self, label: str, fill: Callable[[Element], None] | str) -> None:
        """A definition-list line: bold label, colon, value."""
        p = self.para(space_after=2)
        _run(p, label + self.t("colon"), bold=True)
        if callable(fill):
            fill(p)
        else:
            _run(p, str(fill))

    def ind_name(self, ind: Any) -> str:
        return f"{ind.number}. {ind.name[self.lang]}"

    def ind_link(self, ind: Any) -> Callable[[Element], None]:
        return lambda p: self.link(p, self.ind_name(ind), anchor=bookmark_name("ind", ind.id))

    # ---- sections, in the page's order

    def write(self) -> None:
        # every block is appended to the body: its section properties, its last child, go back at the end
        sect_pr = self.body[-1]
        assert sect_pr.tag == W + "sectPr"
        self.body.remove(sect_pr)
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
        self.body.append(sect_pr)

    def cover(self) -> None:
        v, lang = self.v, self.lang
        self.para(v["plan"].name[lang], "Title")
        self.para(f"{_title(v)} · {v['year']}", "Subtitle")
        for note in (v["partial"], v["preliminary"]):
            if note:
                self.para(note, colour=NOTE)
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

    def contents_field(self) -> Element:
        """The contents: a TOC field over Heading 1-2, its entries pre-filled (links without page
        numbers) so a reader that does not update fields still sees them."""
        _line_break(self.para(), page=True)
        style = self.doc.styles["TOC Heading"]
        _set_fonts(style.element.get_or_add_rPr())
        return self.para(self.t("sec.toc"), style.style_id)

    def fill_contents(self, title: Element) -> None:
        entries = []
        for level, text, name in self.headings:
            p = self.para(style=f"toc{level}")
            self.link(p, text, anchor=name)
            entries.append(p)
        hint = self.para(self.t("docx.toc_hint"), size=8, colour=GREY)
        begin = entries[0]
        at = 1 if _has_properties(begin) else 0
        for n, (kind, instruction) in enumerate((("begin", ""), ("instr", 'TOC \\o "1-2" \\h \\z \\u'), ("separate", ""))):
            begin.insert(at + n, _field_run(begin, kind, instruction))
        _field_run(entries[-1], "end")
        anchor = title
        for p in [*entries, hint]:
            anchor.addnext(p)
            anchor = p

    def summary(self) -> None:
        v = self.v
        _line_break(self.para(), page=True)
        self.heading(self.t("sec.summary"), 1, "summary")
        if v["partial"]:
            self.para(v["partial"])
        rows: list[list[Content]] = []
        for r in v["rows"]:
            status = r["status"]

            def status_cell(p: Element, r: dict[str, Any] = r, status: dict[str, Any] = status) -> None:
                self.badge(p, status)
                if r["pace"]:
                    _run(p, " " + r["pace"], size=7, colour=GREY)
            rows.append([self.ind_link(r["ind"]), r["target"], r["base"], r["latest"], r["progress"], status_cell,
                         r["forecast"], r["probability"]])
        header = [self.t(f"col.{k}", level=self.v["level"]) for k in ("indicator", "target", "base", "latest", "progress", "status",
                                                "forecast", "probability")]
        widths = [2.3, 2.1, 1.3, 1.8, 1.4, 1.8, 1.5, 1.6]
        table = self.table(header, rows, widths, size=7.5, caption=self.t("summary.table"))
        # each row's one reason, under it across the value columns (the page's "why" row), its lines
        # exactly the reason's (9 pt), not 10 pt ones
        for r, tr in zip(v["rows"], _rows(table)[1:]):
            if r["reason"]:
                extra = _empty_row(table)
                tr.addnext(extra)
                _paragraph_format(_text_of(_cells(extra)[0]), space_after=0, line=9)
                merged = _text_of(_merge(extra, 1, len(widths) - 1))
                _paragraph_format(merged, space_after=0, line=9)
                _run(merged, r["reason"], size=7, colour=GREY)
        if v["end_observed"]:
            self.para(self.t("summary.end_observed"), size=8.5, colour=GREY)
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
        status = self.para()
        self.badge(status, s["status"])
        if s["pace"]:
            _run(status, " · " + s["pace"], colour=GREY)
        if s["kind"]:
            self.fact(self.t("ind.kind"), s["kind"])
        if ind.target_text:
            def target(p: Element) -> None:
                _run(p, ind.target_text[self.lang])
                if ind.source:
                    _run(p, " [")
                    self.src(p, ind.source)
                    _run(p, "]")
            self.fact(self.t("ind.target"), target)
        if s["rule"]:
            self.fact(self.t("ind.rule"), s["rule"])
        if s["notes"]:
            self.fact(self.t("ind.notes"), s["notes"])
        for c in s["changes"]:
            self.fact(self.t("ind.definition_changes"), f"{c['year']} · {c['type']}{self.t('colon')}{c['text']}")
        if s["record"] is None:
            if s["status"]["code"] == "not_included":
                self.para(self.t("ind.not_included"), colour=GREY)
            elif ind.identified:
                self.para(self.t("ind.no_record"), colour=GREY)
            return
        verdict = self.para()
        _run(verdict, self.t("ind.verdict") + self.t("colon"), bold=True)
        _run(verdict, s["verdict"])
        self.figure(s["chart"], self.t("ind.chart_alt", name=ind.name[self.lang]))
        self.heading(self.t("ind.key_figures"), 3)
        table = self.table(None, [[label, c] for label, c in s["figures"]], [2, 3], size=8.5)
        for tr in _rows(table):
            for r in _runs(_text_of(_cells(tr)[0])):
                _format_run(r, bold=True)
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
        verdict does not use (``used`` false) is greyed and says so (its source link keeps its colour)."""
        rows = [[r["period"], r["value"], r["kind"] + ("" if r.get("used", True) else self.t("ind.not_used")),
                 lambda p, sid=r["source"]: self.src(p, sid), r["note"]] for r in shown]
        header = [self.t("col.period"), self.t("fig.value"), self.t("col.kind"), self.t("col.source"), self.t("col.note")]
        table = self.table(header, rows, [1.3, 1.4, 1.4, 0.8, 4.1], size=8)
        for r, tr in zip(shown, _rows(table)[1:]):
            if not r.get("used", True):
                for tc in _cells(tr):
                    for run in _runs(_text_of(tc)):
                        _format_run(run, colour=GREY)

    def scorecard(self) -> None:
        sc, v = self.v["scorecard"], self.v
        self.heading(self.t("sec.scorecard"), 1, "scorecard")
        self.para(sc["intro"])
        self.para(sc["tally"])
        header = [self.t("col.indicator"), self.t("sc.mid_status"), self.t("col.probability"), self.t("col.forecast", level=self.v["level"]),
                  self.t("sc.final_status"), self.t("sc.end_value"), self.t("sc.inside", level=self.v["level"]), self.t("sc.call")]
        rows = []
        for r in sc["rows"]:
            def final(p: Element, r: dict[str, Any] = r) -> None:
                self.badge(p, r["final_status"])
                if r["provisional"]:
                    _run(p, " " + self.t("sc.provisional"), size=7, colour=GREY)

            def call(p: Element, r: dict[str, Any] = r) -> None:
                known = r["call"]["code"] in CALL_COLOUR
                _run(p, r["call"]["text"], bold=known, colour=CALL_COLOUR[r["call"]["code"]] if known else None)
            rows.append([self.ind_link(r["ind"]), lambda p, r=r: self.badge(p, r["mid_status"]), r["probability"],
                         r["forecast"], final, r["end_value"], r["inside"], call])
        table = self.table(header, rows, [2.4, 1.5, 1.7, 1.7, 1.5, 1.4, 1.0, 1.2], size=7.5)
        # the page's two-row head: mid-term (3 columns) and final (4 columns) above the column names
        top = _empty_row(table)
        _rows(table)[0].addprevious(top)
        _repeat_header(top)
        first = _cells(top)[0]
        midterm, final_ = _merge(top, 1, 3), _merge(top, 4, 7)
        _run(_text_of(midterm), self.t("sc.midterm", year=v["midterm_year"]), bold=True)
        _run(_text_of(final_), self.t("sc.final", year=v["plan"].end_year), bold=True)
        for tc in (first, midterm, final_):
            _shade(tc, HEAD_FILL)
            for r in _runs(_text_of(tc)):
                _format_run(r, size=7.5)

    def projects(self) -> None:
        self.heading(self.t("sec.projects"), 1, "projects")
        projects = self.v["projects"]
        if not projects:
            self.para(self.t("project.none"))
            return
        rows = []
        for pj in projects:
            def evidence(p: Element, pj: dict[str, Any] = pj) -> None:
                if not pj["evidence"]:
                    _run(p, DASH)
                for n, e in enumerate(pj["evidence"]):
                    if n:
                        _line_break(p)
                    _run(p, f"{e['date']} ", bold=True)
                    _run(p, e["text"][self.lang] + " [")
                    self.src(p, e["source"])
                    _run(p, "]")
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
                p = self.para(self.t("context.linked") + self.t("colon"))
                for n, ind in enumerate(c["linked"]):
                    if n:
                        _run(p, self.t("sep"))
                    self.ind_link(ind)(p)
            if c["rows"]:
                self.values(c["rows"])
            else:
                self.para(self.t("context.no_rows", year=self.v["year"]), colour=GREY)

    def coverage(self) -> None:
        cov = self.v["coverage"]
        self.heading(self.t("sec.coverage"), 1, "coverage")
        legend = self.para(self.t("cov.legend") + self.t("colon"))
        for n, (code, label) in enumerate(cov["legend"]):
            if n:
                _run(legend, self.t("sep"))
            _run(legend, f"{self.t('cov.short.' + code)} {label}")
        rows = [[self.ind_link(r["ind"]), *[self.t("cov.short." + code) for code, _ in r["cells"]]] for r in cov["rows"]]
        table = self.table([self.t("col.indicator"), *[str(y) for y in cov["years"]]], rows,
                           [4, *[1] * len(cov["years"])], size=8)
        for r, tr in zip(cov["rows"], _rows(table)[1:]):
            for (code, _), tc in zip(r["cells"], _cells(tr)[1:]):
                _shade(tc, COVERAGE_FILL.get(code, "FFFFFF"))
                _paragraph_format(_text_of(tc), centred=True)
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
            def what(p: Element, items: list[str] = n["what"]) -> None:
                for k, item in enumerate(items):
                    if k:
                        _line_break(p)
                    _run(p, "• " + item)
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
                for r, tr in zip(lines, _rows(table)[1:]):
                    if r["reason"]:
                        _merge(tr, 1, len(header) - 1)
                if bt["all"]:
                    for tc in _cells(_rows(table)[-1]):
                        for run in _runs(_text_of(tc)):
                            _format_run(run, bold=True)
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
        statuses = self.para()
        for n, s in enumerate(v["statuses"]):
            if n:
                _run(statuses, "   ")
            self.badge(statuses, s)
        self.heading(self.t("method.likelihood"), 2)
        self.para(self.t("sep").join(v["likelihoods"]))

    def sources(self) -> None:
        v = self.v
        self.heading(self.t("sec.sources"), 1, "sources")
        rows = []
        for s in v["sources"]:
            def url(p: Element, s: dict[str, Any] = s) -> None:
                if s["link"]:
                    self.link(p, s["url"], url=s["link"])
                else:
                    _run(p, s["url"] or self.t("url.none"))
            rows.append([s["id"], s["publisher"], s["title"], s["published"], url,
                         v["confidence"].get(s["confidence"], s["confidence"])])
        table = self.table([self.t(f"col.{k}") for k in ("id", "publisher", "title", "published", "url", "confidence")],
                           rows, [0.7, 1.6, 3.0, 1.1, 2.6, 0.8], size=7.5)
        for s, tr in zip(v["sources"], _rows(table)[1:]):
            self.bookmark(_text_of(_cells(tr)[0]), bookmark_name("src", s["id"]))
