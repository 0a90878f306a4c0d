"""SYNTHETIC test plans and data, built from Python dicts: invented numbers, never real statistics.

``write`` puts a plan YAML, observations.csv and sources.csv into a directory and returns the plan
path; ``build`` also loads them with the project's own loaders; ``run`` evaluates one indicator.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from planeval.inputs.data import Dataset, load_dataset
from planeval.method.evaluate import evaluate
from planeval.inputs.plan import LoadedPlan, load_plan
from planeval.method.record import Record

HEADER = ["series", "period", "value", "qualifier", "unit", "kind", "source", "note_en", "note_zh"]
SOURCES = [  # source id -> confidence; each source has its own (SYNTHETIC) publisher
    ("T1", "high"), ("T2", "medium"), ("T3", "low"), ("T4", "low"),
]


def indicator(id: str = "x", kind: str = "end_level", target: float | None = 100, **extra) -> dict:
    """One indicator entry of a plan file; ``extra`` overrides or adds YAML keys."""
    ind = {"id": id, "name": {"zh": id, "en": id}, "unit": {"zh": "万", "en": "10k"}, "series": id,
           "kind": kind, "direction": "higher", "scale": "log"}
    if target is not None:
        ind["target"] = target
    ind.update(extra)
    return ind


def rows(series: str, values: dict, qualifier: str = "=", kind: str = "actual", source: str = "T1",
         unit: str = "10k") -> list[dict]:
    """Observation rows from {period: value}."""
    return [{"series": series, "period": str(p), "value": v, "qualifier": qualifier, "unit": unit,
             "kind": kind, "source": source, "note_en": "", "note_zh": ""} for p, v in values.items()]


def write(directory: Path, indicators: list[dict], observations: list[dict] | str, *, base_year: int = 2020,
          end_year: int = 2025, context: list[str] = (), plan_extra: dict | None = None) -> Path:
    """Write the plan and its data files; ``observations`` may be raw CSV text (for bad-input tests)."""
    directory.mkdir(parents=True, exist_ok=True)
    plan = {"id": "synthetic_test_plan", "name": {"zh": "合成测试规划（SYNTHETIC）", "en": "SYNTHETIC test plan"},
            "base_year": base_year, "end_year": end_year, "synthetic": True,
            "data": {"observations": "observations.csv", "sources": "sources.csv"},
            "indicators": indicators,
            "context_series": [{"id": c, "name": {"zh": c, "en": c}} for c in context]}
    plan.update(plan_extra or {})
    if not isinstance(observations, str):
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows({**r, "value": "" if r["value"] is None else r["value"]} for r in observations)
        observations = buf.getvalue()
    (directory / "observations.csv").write_text(observations, encoding="utf-8")
    (directory / "sources.csv").write_text(
        "source,publisher,title,published,url,confidence\n"
        + "".join(f"{s},SYNTHETIC publisher {s},SYNTHETIC source {s},2024,,{c}\n" for s, c in SOURCES), encoding="utf-8")
    path = directory / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def build(directory: Path, indicators: list[dict], observations: list[dict] | str, **kw) -> tuple[LoadedPlan, Dataset]:
    loaded = load_plan(write(directory, indicators, observations, **kw))
    return loaded, load_dataset(loaded)


def run(directory: Path, ind: dict, observations: list[dict], year: int, **kw) -> Record:
    """Evaluate the single indicator ``ind`` as of ``year``."""
    loaded, data = build(directory, [ind], observations, **kw)
    plan = loaded.plan
    return evaluate(plan, plan.indicator(ind["id"]), data, year, plan.method_config)
