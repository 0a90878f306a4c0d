"""What changed since the previous report: hand-made previous and current records (SYNTHETIC results on
the real plan's indicators; values taken from the real data where they stand for it).

A revised value shows old -> new with its source, a status change shows both statuses, a probability
that moved shows both, a plan edit shows both values, and a year's first report has no section. The
run keeps the differences and the history in the manifest (planeval/pipeline/history.py).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from planeval.inputs.data import load_dataset
from planeval.inputs.plan import load_plan
from planeval.pipeline.history import carry, newest_source, previous_report
from planeval.presentation.changes import compare
from planeval.presentation.report import render_html, render_index, report_view

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "records"
META = {"commit": "abc1234", "data_hash": "0f0f", "data_cutoff": "2023", "only": []}


def point(period: str, value: float | None, source: str, kind: str = "actual", qualifier: str = "=",
          unit: str = "10k posts") -> dict:
    return {"period": period, "value": value, "qualifier": qualifier, "unit": unit, "kind": kind, "source": source,
            "line": 2, "used": True, "note_en": "", "note_zh": ""}


def record(code: str = "on_track", probability: float | None = 0.93, history: list | None = None, **extra) -> dict:
    """A minimal SYNTHETIC record of new_jobs (what compare and the view read)."""
    rec = {"indicator_id": "new_jobs", "kind": "floor_each_year", "target": 50.0, "tolerance": None,
           "direction": "higher", "unit": "10k", "base_year": 2020, "end_year": 2025,
           "status": {"code": code, "zh": "", "en": ""}, "probability": probability, "basis": "forecast",
           "verdict": {"code": code, "zh": f"结论：{code}", "en": f"verdict: {code}"},
           "history": history if history is not None else [point("2022", 57.0, "S12"), point("2023", 60.6, "S13")],
           "evidence": [], "annual_targets": [point("2023", 50.0, "S08", kind="annual_target", qualifier=">=")],
           "rule_series": {}}
    rec.update(extra)
    return rec


BEFORE = {"report": 1, "commit": "abc1234", "plan_sha256": "p1", "data_hash": "d1"}
AFTER = {"report_key": "k2", "commit": "abc1234", "plan_sha256": "p1", "data_hash": "d2"}


def test_a_revised_value_shows_old_and_new_with_its_source():
    now = record(history=[point("2022", 57.0, "S12"), point("2023", 61.2, "S13"), point("2024", 62.0, "S14")])
    changes = compare([record()], [now], BEFORE, AFTER)
    assert changes["values"] == [
        {"indicator_id": "new_jobs", "series": "", "period": "2023", "kind": "actual", "source": "S13",
         "old": [{"value": 60.6, "qualifier": "=", "unit": "10k posts"}],
         "new": [{"value": 61.2, "qualifier": "=", "unit": "10k posts"}]},
        {"indicator_id": "new_jobs", "series": "", "period": "2024", "kind": "actual", "source": "S14",
         "old": [], "new": [{"value": 62.0, "qualifier": "=", "unit": "10k posts"}]},
    ]
    assert changes["moved"] == [] and changes["plan"] == [] and not changes["plan_file"] and not changes["code"]


def test_a_status_change_and_a_moved_probability_show_both():
    changes = compare([record("on_track", 0.93)], [record("lagging", 0.41)], BEFORE, AFTER)
    assert changes["moved"] == [{"indicator_id": "new_jobs", "old_status": "on_track", "new_status": "lagging",
                                 "old_probability": 0.93, "new_probability": 0.41}]
    # a probability that prints the same (93%) has not moved; one that prints otherwise has
    assert compare([record(probability=0.931)], [record(probability=0.928)], BEFORE, AFTER)["moved"] == []
    assert len(compare([record(probability=0.93)], [record(probability=0.95)], BEFORE, AFTER)["moved"]) == 1


def test_messages_are_compared_by_code_not_words():
    reworded = record()
    reworded["status"] = {"code": "on_track", "zh": "另一种说法", "en": "other words"}
    assert compare([record()], [reworded], BEFORE, AFTER)["moved"] == []


def test_plan_edits_and_code_changes():
    changes = compare([record()], [record(target=55.0)], BEFORE, {**AFTER, "plan_sha256": "p2", "commit": "def5678"})
    assert changes["plan"] == [{"indicator_id": "new_jobs", "field": "target", "old": 50.0, "new": 55.0}]
    assert changes["plan_file"] and changes["code"]


@pytest.fixture(scope="module")
def real():
    loaded = load_plan(PLAN)
    return loaded, load_dataset(loaded).as_of(2023)


def view(real, lang: str, records: list[dict], meta: dict) -> dict:
    loaded, dataset = real
    return report_view(plan=loaded, dataset=dataset, records=records, figures={}, config=loaded.plan.method_config,
                       year=2023, lang=lang, meta=meta)


def fixtures() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))]


def test_the_report_says_what_changed_in_both_languages(real):
    before = fixtures()
    next(r for r in before if r["indicator_id"] == "new_jobs")["probability"] = 0.93  # SYNTHETIC, as the record's
    now = copy.deepcopy(before)
    jobs = next(r for r in now if r["indicator_id"] == "new_jobs")
    latest = next(p for p in jobs["history"] if p["period"] == "2023")
    latest["value"] = 61.2  # revised from 60.6
    jobs["status"] = {"code": "lagging", "zh": "相对滞后", "en": "lagging"}
    jobs["probability"] = 0.41
    changes, history = carry(({"report_key": "k1", "commit": "abc1234", "history": [
        {"report": 1, "commit": "abc1234", "data_hash": "d1", "newest_source": "2024-01-20", "vintage": None,
         "changes": None}]}, before), now, {**AFTER, "newest_source": "2024-02-07"})
    assert [h["report"] for h in history] == [1, 2] and history[1]["changes"] == {"values": 1, "moved": 1, "plan": 1}
    meta = {**META, "changes": changes, "history": history}
    zh, en = view(real, "zh", now, meta)["changes"], view(real, "en", now, meta)["changes"]
    assert [(v["ind"], v["period"], v["what"], v["old"], v["new"], v["source"]) for v in en["values"]] == [
        ("New urban jobs", "2023", "revised", "60.6 10k posts", "61.2 10k posts", "S13")]
    assert [(v["what"], v["old"], v["new"]) for v in zh["values"]] == [("修订", "60.6 万个", "61.2 万个")]
    assert [(m["old"]["name"], m["old_p"], m["new"]["name"], m["new_p"]) for m in en["moved"]] == [
        ("on track", "93%", "lagging", "41%")]
    assert zh["moved"][0]["old"]["name"] == "符合预期" and zh["moved"][0]["new"]["name"] == "相对滞后"
    assert en["moved"][0]["why"] == ["1 of its values were added or revised (see above)"]
    assert zh["plan_file"] is not None  # the plan file's hash is unknown for report 1: said once, no table
    html = render_html(view(real, "zh", now, meta))
    assert 'id="changes"' in html and "与上一版报告相比的变化" in html and "60.6 万个" in html and "61.2 万个" in html
    assert 'href="#changes"' in html
    index = render_index(real[0], 2023, ("zh", "en"), meta)
    assert index.count('<table class="history">') == 2 and "2024-02-07" in index and "1个数值、1项结论、1处规划修改" in index


def test_a_first_report_has_no_section(real):
    changes, history = carry(None, fixtures(), {**AFTER, "newest_source": "2024-02-07"})
    assert changes is None and history == [{"report": 1, "commit": "abc1234", "data_hash": "d2",
                                            "newest_source": "2024-02-07", "vintage": None, "changes": None}]
    meta = {**META, "changes": changes, "history": history}
    for lang in ("zh", "en"):
        v = view(real, lang, fixtures(), meta)
        assert v["changes"] is None
        html = render_html(v)
        assert 'id="changes"' not in html and 'href="#changes"' not in html
    assert "首版" in render_index(real[0], 2023, ("zh", "en"), meta)


def test_nothing_changed_is_said(real):
    changes = compare(fixtures(), fixtures(), {**BEFORE, "plan_sha256": "p1"}, AFTER)
    v = view(real, "en", fixtures(), {**META, "changes": changes})["changes"]
    assert v["nothing"] and v["values"] == v["moved"] == v["plan"] == []
    assert "No value, verdict, probability or plan entry changed." in render_html(view(real, "en", fixtures(),
                                                                                      {**META, "changes": changes}))


def test_a_rebuild_from_the_same_inputs_keeps_the_changes_and_history():
    kept = {"values": [], "moved": [], "plan": [], "plan_file": False, "code": False, "previous": {}}
    history = [{"report": 1, "changes": None}, {"report": 2, "changes": {"values": 0, "moved": 0, "plan": 0}}]
    manifest = {"report_key": "k2", "changes": kept, "history": history}
    assert carry((manifest, [record()]), [record("lagging")], AFTER) == (kept, history)


def test_the_previous_report_is_read_from_its_folder(tmp_path):
    assert previous_report(tmp_path) is None
    (tmp_path / "results").mkdir()
    written = {"report_key": "k1", "indicators": {"new_jobs": "e3b0"}}
    (tmp_path / "manifest.json").write_text(json.dumps(written), encoding="utf-8")
    (tmp_path / "results" / "new_jobs.json").write_text(json.dumps(record()), encoding="utf-8")
    # beside the record, its backtest: not a record (the manifest names the indicators)
    (tmp_path / "results" / "new_jobs.backtest.json").write_text('{"result": null, "reason": null}', encoding="utf-8")
    manifest, records = previous_report(tmp_path)
    assert manifest == written and records == [record()]
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    assert previous_report(tmp_path) is None


def test_newest_source_is_the_latest_cited_date(real):
    assert newest_source(real[1]) == "2024-02-07"  # read off data/sources.csv for the rows up to 2023
