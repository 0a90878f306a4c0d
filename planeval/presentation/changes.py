"""What changed since the previous report of the same year: values added, revised or withdrawn (old ->
new, with source), verdicts and probabilities that moved and why, and plan edits.

:func:`compare` is pure: the previous report's result records and a summary of its manifest, the
current ones, in; a JSON-able account of the differences out (codes, numbers and ids, no words), which
the run keeps in the report's manifest (``changes``) so a rebuild from the same inputs shows the same
section. :func:`changes_view` words it in one language for the report. Nothing else is kept: the
previous report itself (``<out>/<year>/manifest.json`` and ``results/*.json``) is the bookkeeping.
"""

from __future__ import annotations

from typing import Any, Callable

from planeval.presentation import formats as fmt
from planeval.presentation.labels import t
from planeval.presentation.sentences import percent, text

POINT_LISTS = ("history", "evidence", "annual_targets")  # base and latest are points of these
PLAN_FIELDS = ("kind", "target", "tolerance", "direction", "unit", "base_year", "end_year")


def _points(rec: dict[str, Any]) -> dict[tuple[str, str, str, str], list[dict[str, Any]]]:
    """A record's values by (rule series or '', period, kind, source): each a value, qualifier and unit."""
    out: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    groups = [("", rec.get(name) or []) for name in POINT_LISTS]
    groups += sorted((rec.get("rule_series") or {}).items())
    for series, points in groups:
        for p in points:
            key = (series, str(p["period"]), str(p["kind"]), str(p["source"]))
            out.setdefault(key, []).append({"value": p["value"], "qualifier": p["qualifier"], "unit": p["unit"]})
    return {k: sorted(v, key=lambda x: (x["qualifier"], x["value"] is None, x["value"] or 0)) for k, v in out.items()}


def _probability(rec: dict[str, Any]) -> float | None:
    p = rec.get("probability")
    return None if p is None or str(rec.get("basis", "")).startswith("settled") else float(p)


def compare(previous: list[dict[str, Any]], current: list[dict[str, Any]],
            previous_meta: dict[str, Any], current_meta: dict[str, Any]) -> dict[str, Any]:
    """The differences between two reports' records (indicators in both), and whether the plan file
    and the code differ (``*_meta``: ``plan_sha256`` and ``commit``, as the manifests hold them).

    ``values``: per indicator and (series, period, kind, source), the values before and after ([] when
    absent: added or withdrawn). ``moved``: indicators whose status code changed or whose probability,
    as printed, moved. ``plan``: the plan fields a record carries (target, kind, …) that changed.
    Messages are compared by code, never by their words."""
    before = {r["indicator_id"]: r for r in previous}
    values: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    plan: list[dict[str, Any]] = []
    for rec in current:
        iid = rec["indicator_id"]
        old = before.get(iid)
        if old is None:
            continue
        a, b = _points(old), _points(rec)
        for key in sorted(set(a) | set(b)):
            if a.get(key, []) != b.get(key, []):
                series, period, kind, source = key
                values.append({"indicator_id": iid, "series": series, "period": period, "kind": kind, "source": source,
                               "old": a.get(key, []), "new": b.get(key, [])})
        for name in PLAN_FIELDS:
            if old.get(name) != rec.get(name):
                plan.append({"indicator_id": iid, "field": name, "old": old.get(name), "new": rec.get(name)})
        p_old, p_new = _probability(old), _probability(rec)
        code_old, code_new = old["status"]["code"], rec["status"]["code"]
        shown = lambda p: None if p is None else percent(p)  # noqa: E731
        if code_old != code_new or shown(p_old) != shown(p_new):
            moved.append({"indicator_id": iid, "old_status": code_old, "new_status": code_new,
                          "old_probability": p_old, "new_probability": p_new})
    return {"values": values, "moved": moved, "plan": plan,
            "plan_file": previous_meta.get("plan_sha256") != current_meta.get("plan_sha256"),
            "code": previous_meta.get("commit") != current_meta.get("commit"),
            "previous": {k: previous_meta.get(k) for k in ("report", "commit", "data_hash", "newest_source")}}


def _value_text(points: list[dict[str, Any]], unit_text: Any, lang: str) -> str | None:

    shown = [fmt.value(p["value"], p["qualifier"], unit_text(p["unit"])) or t("changes.no_number", lang) for p in points]
    return t("sep", lang).join(shown) if shown else None


def changes_view(changes: dict[str, Any] | None, records: list[dict[str, Any]], names: dict[str, str],
                 unit_text: Callable[[str], str], series_text: Callable[[str], str], lang: str) -> dict[str, Any] | None:
    """The section's cells: None for the first report of a year (nothing to compare with).
    ``names``: indicator id -> name in ``lang``; ``unit_text(unit)``, ``series_text(series)``: a data
    unit, a series as the report prints them in ``lang``."""
    if changes is None:
        return None
    from planeval.presentation.labels import has
    from planeval.presentation.views import status_view

    by_id = {r["indicator_id"]: r for r in records}
    values = []
    for v in changes["values"]:
        old, new = _value_text(v["old"], unit_text, lang), _value_text(v["new"], unit_text, lang)
        what = "added" if old is None else "withdrawn" if new is None else "revised"
        kind = t(f"pkind.{v['kind']}", lang) if has(f"pkind.{v['kind']}") else v["kind"]
        values.append({"ind": names.get(v["indicator_id"], v["indicator_id"]), "period": v["period"], "kind": kind,
                       "series": series_text(v["series"]) if v["series"] else None,
                       "what": t(f"changes.{what}", lang), "old": old, "new": new, "source": v["source"]})
    plan = [{"ind": names.get(p["indicator_id"], p["indicator_id"]), "field": t(f"changes.field.{p['field']}", lang),
             "old": _field_text(p["field"], p["old"], unit_text, lang),
             "new": _field_text(p["field"], p["new"], unit_text, lang)} for p in changes["plan"]]
    moved = []
    for m in changes["moved"]:
        iid = m["indicator_id"]
        why = []
        n = sum(v["indicator_id"] == iid for v in changes["values"])
        if n:
            why.append(t("changes.why_values", lang, n=n))
        if any(p["indicator_id"] == iid for p in changes["plan"]):
            why.append(t("changes.why_plan", lang))
        if not why and changes.get("code"):
            why.append(t("changes.why_code", lang))
        rec = by_id.get(iid)
        verdict = text(rec.get("verdict"), lang) if rec else ""
        p = lambda x: fmt.probability(x) if x is not None else fmt.DASH  # noqa: E731
        moved.append({"ind": names.get(iid, iid), "old": status_view(m["old_status"], lang),
                      "new": status_view(m["new_status"], lang), "old_p": p(m["old_probability"]),
                      "new_p": p(m["new_probability"]), "why": why, "verdict": verdict})
    previous = changes.get("previous") or {}
    against = t("changes.against", lang, n=previous.get("report") or "?", commit=previous.get("commit") or "?",
                data=previous.get("data_hash") or "?")
    return {"against": against, "values": values, "moved": moved, "plan": plan,
            "plan_file": t("changes.plan_file", lang) if changes.get("plan_file") and not plan else None,
            "code": t("changes.code", lang) if changes.get("code") else None,
            "nothing": not (values or moved or plan or changes.get("plan_file"))}


def _field_text(field: str, value: Any, unit_text: Callable[[str], str], lang: str) -> str:
    """A plan field's value as the reader reads it: a target kind or direction in words, a unit in ``lang``."""
    if value is None:
        return "—"
    if field == "kind":
        return t(f"kind.{value}", lang)
    if field == "direction":
        return t(f"changes.direction.{value}", lang)
    if field == "unit":
        return unit_text(str(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
