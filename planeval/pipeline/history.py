"""The report's history: what the published report of a year (the one a run replaces) said, so the new
one can say what changed since, and the list of the year's reports the index page shows.

No bookkeeping of its own: the previous report's ``manifest.json`` and its records (``results/<id>.json``) are read
before the new report replaces them, and the new manifest carries ``history`` (one entry per report of
the year, oldest first) and ``changes`` (:func:`planeval.presentation.changes.compare`) forward.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planeval.inputs.paths import record_file
from planeval.presentation.changes import compare


def previous_report(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The manifest and result records of the report published in ``folder``; None when there is none
    or it cannot be read (then the new report is the first one of its history)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        ids = sorted(manifest["indicators"])  # the results folder also holds each indicator's backtest
        records = [json.loads(record_file(folder / "results", i).read_text(encoding="utf-8")) for i in ids]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(manifest, dict) or not all(isinstance(r, dict) and "indicator_id" in r for r in records):
        return None
    return manifest, records


def newest_source(dataset: Any) -> str | None:
    """The latest ``published`` date among the sources the data as of the report cites (a reader's
    "data up to"), as written in sources.csv; None without observations."""
    cited = dataset.sources[dataset.sources["source"].isin(set(dataset.observations["source"]))]
    dates = [d for d in cited["published"] if d]
    return max(dates, key=_date_order) if dates else None


def _date_order(text: str) -> tuple[int, str]:
    """By the last day a (partial) date can mean; then as written."""
    from planeval.inputs.dates import latest_day

    try:
        return latest_day(text).toordinal(), text
    except ValueError:
        return 0, text


SUMMARY_FIELDS = ("report_key", "commit", "plan_sha256", "data_hash", "newest_source", "vintage")


def carry(previous: tuple[dict[str, Any], list[dict[str, Any]]] | None, records: list[dict[str, Any]],
          current: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(changes, history) of the new report. ``current``: its ``SUMMARY_FIELDS``.

    - no previous report: no changes (the section is left out), a history of one entry;
    - the previous report was made from the same inputs (same ``report_key``: a forced rebuild): its
      changes and history, unchanged, so the rebuild is the same report;
    - else: the differences to the previous report, and its history plus one entry."""
    entry = {k: current.get(k) for k in ("commit", "data_hash", "newest_source", "vintage")}
    if previous is None:
        return None, [{"report": 1, **entry, "changes": None}]
    manifest, old_records = previous
    if manifest.get("report_key") == current.get("report_key") and "history" in manifest:
        return manifest.get("changes"), manifest["history"]
    history = list(manifest.get("history") or [])
    if not history:  # a report made before reports kept their history: it is the first one known
        history = [{"report": 1, "commit": manifest.get("commit"), "data_hash": manifest.get("data_hash"),
                    "newest_source": manifest.get("newest_source"),
                    "vintage": (manifest.get("parameters") or {}).get("vintage"), "changes": None}]
    before = {**{k: manifest.get(k) for k in SUMMARY_FIELDS}, "report": history[-1]["report"]}
    if before["plan_sha256"] is None:  # older manifests: the plan's hash among the inputs
        before["plan_sha256"] = (manifest.get("inputs") or {}).get((manifest.get("parameters") or {}).get("plan"))
    changes = compare(old_records, records, before, current)
    counts = {"values": len(changes["values"]), "moved": len(changes["moved"]),
              "plan": len(changes["plan"]) + (1 if changes["plan_file"] and not changes["plan"] else 0)}
    return changes, [*history, {"report": history[-1]["report"] + 1, **entry, "changes": counts}]
