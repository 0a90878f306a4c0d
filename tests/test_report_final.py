"""The final evaluation's report on the SYNTHETIC test plan (base 2015, end 2020, mid-term 2018): the
scorecard section, the backtest table in the method section, partial reports and each-year progress.

Records are built in-process with planeval.method.evaluate.evaluate (no notebooks); figures are tiny PNGs.
"""

from __future__ import annotations

import base64
import json
import warnings
import re
from pathlib import Path

import pytest

from planeval.presentation import labels as i18n
from planeval.method.backtest import backtest_indicator
from planeval.inputs.data import load_dataset
from planeval.method.evaluate import evaluate
from planeval.inputs.plan import load_plan
from planeval.presentation import typst
from planeval.presentation.report import render_html, report_view
from planeval.method.scorecard import scorecard

PLAN = Path(__file__).parent / "fixtures" / "synthetic_plan" / "params" / "synthetic_plan.yaml"
META = {"commit": "abc1234", "data_hash": "sha256:0f0f", "data_cutoff": "2020", "only": []}
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    loaded = load_plan(PLAN)
    dataset = load_dataset(loaded)
    out = tmp_path_factory.mktemp("final")
    figures = {}
    for ind in loaded.plan.evaluated:
        for lang in i18n.LANGS:
            path = out / f"{ind.id}.{lang}.png"
            path.write_bytes(PNG)
            figures[f"{ind.id}.{lang}"] = path
    return loaded, dataset, figures, out


def _render(synthetic, year: int, lang: str, only: tuple[str, ...] = (), with_extras: bool = True) -> str:
    return render_html(_view(synthetic, year, lang, only, with_extras))


def _view(synthetic, year: int, lang: str, only: tuple[str, ...] = (), with_extras: bool = True) -> dict:
    loaded, dataset, figures, _ = synthetic
    plan, config = loaded.plan, loaded.plan.method_config
    as_of = dataset.as_of(year)
    ids = [i.id for i in plan.evaluated if not only or i.id in only]
    records = [json.loads(evaluate(plan, plan.indicator(i), as_of, year, config).to_json()) for i in ids]
    extras = {}
    if with_extras:
        extras["backtests"] = {i: backtest_indicator(plan, plan.indicator(i), as_of, year, config) for i in ids}
        if year >= plan.end_year:
            extras["scorecard"] = [r for r in scorecard(plan, as_of, config) if r["indicator_id"] in ids]
    return report_view(plan=loaded, dataset=as_of, records=records, figures=figures, config=config, year=year,
                       lang=lang, meta={**META, "only": list(only)}, **extras)


def _table(html: str, cls: str) -> str:
    return html.split(f'<table class="{cls}">')[1].split("</table>")[0]


def _body_rows(table: str) -> list[str]:
    return re.findall(r'<tr(?: data-status="[^"]*")?>.*?</tr>', table.split("<tbody>")[1], flags=re.S)


@pytest.fixture(scope="module")
def final(synthetic):
    return {lang: _render(synthetic, 2020, lang) for lang in i18n.LANGS}


def test_the_final_report_has_the_scorecard(synthetic, final) -> None:
    plan = synthetic[0].plan
    for lang, html in final.items():
        assert 'id="scorecard"' in html and 'href="#scorecard"' in html
        assert i18n.t("sec.scorecard", lang) in html
        assert i18n.t("report.title_final", lang) in html
        rows = _body_rows(_table(html, "scorecard"))
        assert len(rows) == len(plan.evaluated) == 8
        for ind, row in zip(plan.evaluated, rows):
            assert f'href="#ind-{ind.id}"' in row
        # The synthetic plan has every call: wrong, no_forecast, called, no_outcome (tests/test_scorecard.py).
        for code in ("called", "wrong", "no_forecast", "no_outcome"):
            assert i18n.t(f"call.{code}", lang) in _table(html, "scorecard")
        jobless = rows[0]
        assert i18n.t("call.wrong", lang) in jobless and i18n.t("status.missed", lang) in jobless
        assert "None" not in html and "nan" not in _table(html, "scorecard")
        # A row without a mid-term forecast says so once, in its Call, not in three more cells.
        silent = [r for r in rows if i18n.t("call.no_forecast", lang) in r]
        assert silent and all(r.count(i18n.t("sc.no_mid_forecast", lang)) == (lang == "zh") for r in silent)  # zh: same words


def test_the_midterm_report_has_no_scorecard(synthetic) -> None:
    for lang in i18n.LANGS:
        html = _render(synthetic, 2018, lang)
        assert 'id="scorecard"' not in html and 'href="#scorecard"' not in html
        assert i18n.t("sec.scorecard", lang) not in html
        assert i18n.t("report.title", lang) in html and i18n.t("report.title_final", lang) not in html
    # Callers that pass no scorecard (the existing signature) still render.
    assert 'id="scorecard"' not in _render(synthetic, 2020, "en", with_extras=False)


def test_the_method_section_has_the_backtest(synthetic, final) -> None:
    plan = synthetic[0].plan
    for lang, html in final.items():
        method = html.split('<section id="method">')[1].split("</section>")[0]
        assert '<table class="backtest">' in method
        assert i18n.t("bt.title", lang) in method and "MASE" in method
        table = _table(html, "backtest")
        for ind in plan.evaluated:
            assert ind.name[lang] in table
        assert i18n.t("bt.all", lang) in table
        # The qualitative rule gives its reason instead of scores.
        assert "qualitative rule has no probability" in table or "定性目标不作概率预测" in table
    assert _render(synthetic, 2020, "en") == final["en"]  # seeded: the same numbers every time


def test_a_partial_report_says_so(synthetic) -> None:
    plan = synthetic[0].plan
    for lang in i18n.LANGS:
        html = _render(synthetic, 2020, lang, only=("jobless_rate",))
        cover = html.split('<section class="cover"')[1].split("</section>")[0]
        summary = html.split('<section id="summary">')[1].split("</section>")[0]
        note = i18n.t("partial.note", lang, n=1, m=len(plan.indicators), names=plan.indicator("jobless_rate").name[lang])
        assert note in cover and summary.split("<table")[0].count(note) == 1
        table = _table(html, "summary")
        assert table.count(i18n.t("status.not_included", lang)) >= len(plan.evaluated) - 1
        assert i18n.t("status.no_record", lang) not in table
        assert len(_body_rows(_table(html, "scorecard"))) == 1
    full = _render(synthetic, 2020, "en", with_extras=False)
    assert i18n.t("partial.note", "en", n=1, m=9, names="x")[:15] not in full


def test_each_year_progress_counts_years(synthetic) -> None:
    html = {lang: _render(synthetic, 2018, lang, with_extras=False) for lang in i18n.LANGS}
    rows = {lang: _body_rows(_table(h, "summary")) for lang, h in html.items()}
    # jobless_rate (ceiling): 2016–2018 all met; jobs_created (floor): 2017 missed.
    assert "3 of 3 years met" in rows["en"][0] and "3年中3年达标" in rows["zh"][0]
    assert "2 of 3 years met (1 missed)" in rows["en"][1] and "3年中2年达标（1年未达标）" in rows["zh"][1]
    assert "61%" in rows["en"][2]  # cumulative keeps the share: P = 182/300


def test_pdf_of_the_final_report_prints_with_no_typst_warning(synthetic) -> None:
    """The scorecard and backtest tables, which only the final report has, go through the Typst template."""
    out = synthetic[3]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        typst.write_pdf(_view(synthetic, 2020, "zh"), out / "final.zh.pdf")
    assert (out / "final.zh.pdf").read_bytes().startswith(b"%PDF-")
