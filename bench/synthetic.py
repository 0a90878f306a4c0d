"""A SYNTHETIC benchmark plan: N invented indicators over invented series, for the scale run only.

Nothing here is real: the plan, the targets and every number are made up by a seeded random
generator (same N and seed: the same files, byte for byte). The plan says so in its id, its name,
``synthetic: true``, its only source and every observation's note.

The files follow the schemas of planeval/inputs/data.py and planeval/inputs/plan.py: observations.csv
(series, period, value, qualifier, unit, kind, source, note_en, note_zh; annual ``actual`` rows with ``=``),
sources.csv (one source, confidence ``high``), projects.csv (one "no evidence" row); units are
counts/stocks (never negative) or plain percentages (0–100).
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import yaml

PLAN_ID = "synthetic_benchmark_plan"
SOURCE = "SYN1"
BASE_YEAR, END_YEAR = 2020, 2025
FIRST_YEAR = 2014  # first synthetic observation; the last is the evaluation year


def _flow(rng: random.Random, years: list[int], level: float, growth: float, noise: float) -> list[float]:
    out, x = [], level
    for _ in years:
        x *= 1 + growth + rng.gauss(0, noise)
        out.append(round(max(x, 0.1), 2))
    return out


# Each template: (kind, unit zh/en, scale, direction, make(rng, years) -> (values, target, target_text en/zh))
def _floor(rng: random.Random, years: list[int]):
    values = _flow(rng, years, rng.uniform(40, 80), 0.01, 0.04)
    target = round(min(values[-4:]) * rng.uniform(0.9, 1.05), 1)
    return values, target, (f"at least {target} every year", f"每年不少于{target}")


def _end_level(rng: random.Random, years: list[int]):
    values = _flow(rng, years, rng.uniform(500, 1500), 0.03, 0.015)
    target = round(values[-1] * rng.uniform(1.02, 1.15), 0)
    return values, target, (f"{target} by {END_YEAR}", f"{END_YEAR}年达到{target}")


def _cumulative(rng: random.Random, years: list[int]):
    values = _flow(rng, years, rng.uniform(60, 120), 0.02, 0.05)
    target = round(sum(values[-3:]) / 3 * (END_YEAR - BASE_YEAR) * rng.uniform(0.9, 1.1), 0)
    return values, target, (f"{target} in total over {BASE_YEAR + 1}–{END_YEAR}", f"五年累计{target}")


def _ceiling(rng: random.Random, years: list[int]):
    values = [round(min(max(rng.gauss(4.5, 0.3), 1.0), 9.0), 2) for _ in years]
    target = round(rng.uniform(4.8, 5.6), 1)
    return values, target, (f"at most {target}% every year", f"每年不高于{target}%")


TEMPLATES = [
    ("floor_each_year", ("万个", "10k"), "log", "higher", _floor),
    ("end_level", ("万人", "10k persons"), "log", "higher", _end_level),
    ("cumulative", ("万人次", "10k person-times"), "log", "higher", _cumulative),
    ("ceiling_each_year", ("%", "%"), "logit", "lower", _ceiling),
]


def write_plan(directory: Path, n: int, seed: int = 20230, year: int = 2023, plan_id: str | None = None) -> Path:
    """Write params/synthetic_benchmark_plan.yaml and data/{observations,sources,projects}.csv under
    ``directory``; return the plan path. ``n`` indicators cycle through the templates
    (floor_each_year, end_level, cumulative, ceiling_each_year), each over its own series of
    ``year - FIRST_YEAR + 1`` values. ``plan_id``: a plan of that id in params/<plan_id>.yaml with its
    data in data/<plan_id>/, so that several plans share one directory (and one params/ folder)."""
    rng = random.Random(seed * 1000 + n)
    years = list(range(FIRST_YEAR, year + 1))
    params, data = directory / "params", directory / "data" / (plan_id or "")
    params.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    indicators, rows = [], []
    for k in range(n):
        kind, (unit_zh, unit_en), scale, direction, make = TEMPLATES[k % len(TEMPLATES)]
        sid = f"syn_{k + 1:03d}_{kind}"
        values, target, (text_en, text_zh) = make(rng, years)
        indicators.append({
            "id": sid, "number": k + 1,
            "name": {"zh": f"合成指标{k + 1}（SYNTHETIC）", "en": f"SYNTHETIC indicator {k + 1} ({kind})"},
            "unit": {"zh": unit_zh, "en": unit_en}, "series": sid, "kind": kind, "target": target,
            "direction": direction, "scale": scale, "target_text": {"zh": text_zh, "en": text_en},
            "source": SOURCE,
        })
        rows += [{"series": sid, "period": str(y), "value": f"{v:g}", "qualifier": "=", "unit": unit_en,
                  "kind": "actual", "source": SOURCE, "note_en": "SYNTHETIC value (seeded random; not real)",
                  "note_zh": "合成数值（随机种子生成，非真实数据）"}
                 for y, v in zip(years, values)]
    plan = {
        "id": plan_id or PLAN_ID,
        "name": {"zh": f"合成基准测试规划{plan_id or ''}（SYNTHETIC benchmark plan，非真实规划）",
                 "en": f"SYNTHETIC benchmark plan{' ' + plan_id if plan_id else ''} ({n} invented indicators; not a real plan)"},
        "issuer": {"zh": "合成数据（虚构）", "en": "SYNTHETIC data (invented)"},
        "synthetic": True, "base_year": BASE_YEAR, "end_year": END_YEAR,
        "data": {name: f"../data/{plan_id + '/' if plan_id else ''}{name}.csv"
                 for name in ("observations", "sources", "projects")},
        "method": {}, "indicators": indicators,
        "major_projects": [{"id": "synthetic_project", "name": {"zh": "合成项目（虚构）",
                                                                "en": "SYNTHETIC project (invented)"}}],
    }
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["series", "period", "value", "qualifier", "unit", "kind", "source",
                                             "note_en", "note_zh"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (data / "observations.csv").write_text(buf.getvalue(), encoding="utf-8")
    (data / "sources.csv").write_text(
        "source,publisher,title,published,url,confidence\n"
        f"{SOURCE},SYNTHETIC benchmark data (invented numbers; not real statistics),"
        f"Seeded random series for the SYNTHETIC benchmark plan,2024-01,https://example.org/synthetic,high\n",
        encoding="utf-8")
    (data / "projects.csv").write_text(
        "project,category,name_zh,name_en,date,evidence_en,evidence_zh,source,status\n"
        "synthetic_project,synthetic,合成项目（虚构）,SYNTHETIC project (invented),,no evidence (synthetic),无进展证据（合成数据）,,\n",
        encoding="utf-8")
    path = params / f"{plan_id or PLAN_ID}.yaml"
    header = ("# SYNTHETIC benchmark plan, generated by bench/synthetic.py for the scale run of bench/run.py.\n"
              "# Invented indicators, targets and numbers (seeded random); not a real plan, not real statistics.\n")
    path.write_text(header + yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    import sys
    import tempfile

    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="synthetic-plan-"))
    print(write_plan(target, int(sys.argv[1]) if len(sys.argv) > 1 else 10))
