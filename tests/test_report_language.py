"""A Chinese reader reads Chinese: the notes under each indicator's values and the major projects'
evidence are shown in the reader's language, on the default plan and its real data (2023 and 2025);
so are the units beside the values and the names of the series a qualitative rule compares, and the
Chinese page as a whole holds no English prose outside the source list.

Records are built in-process with planeval.method.evaluate.evaluate (no notebooks, no charts). The cells
are read with an HTML parser, not by searching the page: the notes are the ``td.note`` cells of the
``table.values`` tables, the evidence the ``ul.evidence`` items without their date and source link.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from planeval.inputs.data import load_dataset
from planeval.method.evaluate import evaluate
from planeval.inputs.plan import load_plan
from planeval.presentation.report import render_html, report_view

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"
META = {"commit": "abc1234", "data_hash": "sha256:0f0f", "data_cutoff": "", "only": []}
YEARS = (2023, 2025)
EVENTS = {2023: 7, 2025: 11}  # dated rows of data/projects.csv by the year (counted by hand)

# An ASCII stretch of the text (letters, digits, spaces, ASCII punctuation) and a word in it. A source
# id (S08) or a series id (online_services_share_city) is one word; a Chinese character ends a stretch.
ASCII_STRETCH = re.compile(r"[\x20-\x7e]+")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_WORDS = 3  # a name without a Chinese form (Zhang Lan, dawenge.com) has at most this many


def english_runs(text: str) -> list[str]:
    """The ASCII stretches of ``text`` holding four or more words: English prose."""
    return [s.strip() for s in ASCII_STRETCH.findall(text) if len(WORD.findall(s)) > MAX_WORDS]


@pytest.mark.parametrize("text, runs", [
    ("由2021年推迟至2022年10月", []),
    ("市人社局局长Yang Jiaying于2025年1月表述的官方预期", []),
    ("S12的中文来源印证：年度平均值；另见S18", []),
    ("online_services_share_city; 仅作背景", []),
    ("dawenge.com转载的解放日报2025-01-21报道", []),
    ("postponed from 2021 to October 2022", ["postponed from 2021 to October 2022"]),
    ("年度平均值; also seen in S18", ["; also seen in S18"]),
    ("registered rate", []),  # too short to tell: the exact-text checks below catch it
])
def test_english_runs(text: str, runs: list[str]) -> None:
    assert english_runs(text) == [r.strip() for r in runs]


class Cells(HTMLParser):
    """The text of every note cell and value cell of the values tables (the indicators' and the context
    series') and of every project evidence item."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.notes: list[str] = []
        self.values: list[str] = []
        self.evidence: list[str] = []
        self._stack: list[tuple[str, str]] = []  # (tag, class) of the open elements
        self._skip = 0  # inside an evidence item's date or source link

    def _inside(self, tag: str, cls: str) -> bool:
        return (tag, cls) in self._stack

    def _in_values(self) -> bool:
        return any(tag == "table" and "values" in cls.split() for tag, cls in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag in ("br", "img", "col", "meta", "link"):
            return
        self._stack.append((tag, cls))
        if tag == "td" and cls == "note" and self._in_values():
            self.notes.append("")
        elif tag == "td" and cls == "num" and self._in_values():
            self.values.append("")
        elif tag == "li" and self._inside("ul", "evidence"):
            self.evidence.append("")
        elif self.evidence and self._inside("li", "") and self._inside("ul", "evidence") and (
                (tag == "span" and cls == "date") or (tag == "a" and cls == "src")):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, cls = self._stack.pop()
            if (open_tag, cls) in (("span", "date"), ("a", "src")) and self._inside("ul", "evidence"):
                self._skip -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1] == ("td", "note") and self._in_values():
            self.notes[-1] += data
        elif self._stack and self._stack[-1] == ("td", "num") and self._in_values():
            self.values[-1] += data
        elif self._inside("ul", "evidence") and self._inside("li", "") and not self._skip:
            self.evidence[-1] += data


def cells(html: str) -> tuple[list[str], list[str]]:
    parser = Cells()
    parser.feed(html)
    evidence = [re.sub(r"\s*\[\s*\]\s*$", "", e).strip() for e in parser.evidence]  # the brackets around the link
    return [n.strip() for n in parser.notes], evidence


def value_cells(html: str) -> list[str]:
    parser = Cells()
    parser.feed(html)
    return [v.strip() for v in parser.values]


class PageText(HTMLParser):
    """Every text of the page outside the source list (whose titles stay as published), <style> and <code>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("br", "img", "col", "meta", "link"):
            self._stack.append((tag, dict(attrs).get("id") or ""))

    def handle_endtag(self, tag: str) -> None:
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not any(tag in ("style", "code", "script") or ident == "sources" for tag, ident in self._stack):
            self.texts.append(data)


def page_texts(html: str) -> list[str]:
    parser = PageText()
    parser.feed(html)
    return parser.texts


def test_the_cell_reader_reads_cells() -> None:
    html = ('<table class="values"><tr><td>2023</td><td class="note">年度平均值</td></tr></table>'
            '<p class="note">not a cell</p><ul class="evidence"><li><span class="date">2020-11</span> '
            '由2021年推迟至2022年10月 [<a class="src" href="#src-S47">S47</a>]</li></ul>')
    assert cells(html) == (["年度平均值"], ["由2021年推迟至2022年10月"])
    assert value_cells('<table class="values context"><tr><td class="num">≈4.4%</td><td class="note">x</td></tr></table>'
                       '<td class="num">9</td>') == ["≈4.4%"]
    assert page_texts('<p>可见</p><section id="sources"><p>Source title in English</p></section><code>abc</code>') == ["可见"]


@pytest.fixture(scope="module")
def reports():
    """{(year, lang): html} on the real plan and data, and the data's texts by language."""
    loaded = load_plan(PLAN)
    dataset = load_dataset(loaded)
    plan = loaded.plan
    out = {}
    for year in YEARS:
        as_of = dataset.as_of(year)
        records = [json.loads(evaluate(plan, ind, as_of, year, plan.method_config).to_json()) for ind in plan.evaluated]
        for lang in ("zh", "en"):
            out[year, lang] = render_html(report_view(plan=loaded, dataset=as_of, records=records, figures={},
                                          config=plan.method_config, year=year, lang=lang, meta=META))
    obs, projects = dataset.observations, dataset.projects
    texts = {lang: {"note": set(obs[f"note_{lang}"]) - {""}, "evidence": set(projects[f"evidence_{lang}"])}
             for lang in ("zh", "en")}
    return out, texts


RULE_SERIES = {"zh": ("全国基本养老金总体调整比例", "上海居民消费价格涨幅"),
               "en": ("National basic-pension adjustment rate", "Shanghai CPI inflation")}  # the plan's names


def _note(cell: str) -> str:
    """A rule series' values carry the series' name before the note (``上海居民消费价格涨幅；…``)."""
    for name in RULE_SERIES["zh"] + RULE_SERIES["en"]:
        cell = re.sub(rf"^{re.escape(name)}(；|; |$)", "", cell)
    return cell


@pytest.mark.parametrize("year", YEARS)
def test_the_chinese_report_shows_the_notes_and_evidence_in_chinese(reports, year: int) -> None:
    html, texts = reports
    notes, evidence = cells(html[year, "zh"])
    shown = [n for n in notes if _note(n)]
    assert len(shown) >= 30 and len(evidence) == EVENTS[year]  # the checks below look at real cells
    assert [c for c in notes + evidence if english_runs(c)] == []
    assert {_note(n) for n in shown} <= texts["zh"]["note"]  # each note is the data's Chinese note, whole
    assert set(evidence) <= texts["zh"]["evidence"]
    assert "由2021年推迟至2022年10月" in evidence and "postponed from 2021 to October 2022" not in html[year, "zh"]


@pytest.mark.parametrize("year", YEARS)
def test_the_english_report_shows_none_of_the_chinese_notes(reports, year: int) -> None:
    html, texts = reports
    notes, evidence = cells(html[year, "en"])
    shown = {_note(n) for n in notes if _note(n)}
    assert len(shown) >= 20 and shown <= texts["en"]["note"]
    assert len(evidence) == EVENTS[year] and set(evidence) <= texts["en"]["evidence"] and "postponed from 2021 to October 2022" in evidence
    chinese = texts["zh"]["note"] | texts["zh"]["evidence"]
    assert [c for c in notes + evidence if any(z in c for z in chinese)] == []


def test_every_chinese_note_and_evidence_in_the_data_is_chinese() -> None:
    """The data itself, every row (also those no report of 2023 or 2025 shows)."""
    dataset = load_dataset(load_plan(PLAN))
    texts = [t for col in ("note_zh",) for t in dataset.observations[col]] + list(dataset.projects["evidence_zh"])
    assert [t for t in texts if english_runs(t)] == []
    en = set(dataset.observations["note_en"]) | set(dataset.projects["evidence_en"])
    assert [t for t in texts if t and t in en] == []  # no English text copied into the Chinese column


@pytest.mark.parametrize("year", YEARS)
def test_the_chinese_report_names_rule_series_and_units_in_chinese(reports, year: int) -> None:
    """The values of a rule's series carry the series' Chinese name, never its id; every value cell
    (indicators' and context series') has its unit in Chinese: no Latin letter at all."""
    html, _ = reports
    notes, _ = cells(html[year, "zh"])
    values = value_cells(html[year, "zh"])
    assert len(values) >= 60
    assert [v for v in values if re.search("[A-Za-z]", v)] == []
    assert [n for n in notes if re.match(r"^[a-z][a-z0-9_]*(；|; |$)", n)] == []
    assert "pension_adjustment_national" not in html[year, "zh"]
    assert sum(n.startswith("全国基本养老金总体调整比例") for n in notes) >= 3  # 2021-2023 at least
    assert any(v.endswith("万个") for v in values) and any(v.endswith("%（同比）") for v in values)
    en_values = value_cells(html[year, "en"])
    assert any(v.endswith("10k posts") for v in en_values) and any(v.endswith("% yoy") for v in en_values)


@pytest.mark.parametrize("year", YEARS)
def test_the_chinese_page_has_no_english_prose_outside_the_sources(reports, year: int) -> None:
    html, _ = reports
    assert [r for text in page_texts(html[year, "zh"]) for r in english_runs(text)] == []


def _plan_with(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the default plan with one edit, pointing at the real data."""
    text = PLAN.read_text(encoding="utf-8").replace("../data/", f"{ROOT / 'data'}/")
    assert old in text
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_unit_needs_both_languages(tmp_path: Path) -> None:
    from planeval.inputs.errors import InputError

    with pytest.raises(InputError, match=r"units\.% yoy\.en.*required field is missing"):
        load_plan(_plan_with(tmp_path, '"% yoy": {zh: "%（同比）", en: "% yoy"}', '"% yoy": {zh: "%（同比）"}'))
    with pytest.raises(InputError, match=r"compare_name\.zh.*required field is missing"):
        load_plan(_plan_with(tmp_path, "compare_name: {zh: 全国基本养老金总体调整比例, en:", "compare_name: {en:"))


def test_every_unit_of_the_data_is_worded_by_the_plan(tmp_path: Path) -> None:
    from planeval.inputs.errors import InputError

    loaded = load_plan(_plan_with(tmp_path, '  "10k cards": {zh: 万张, en: 10k cards}\n', ""))
    with pytest.raises(InputError) as caught:
        load_dataset(loaded)
    assert (caught.value.field, "unit '10k cards' has no Chinese form") == ("unit", str(caught.value).split(": ", 1)[1][:36])
    line = caught.value.row
    assert ",10k cards," in (ROOT / "data" / "observations.csv").read_text(encoding="utf-8").splitlines()[line - 1]
