"""Status of the plan's major projects from dated public evidence, as of a year."""

from __future__ import annotations

from typing import Any

from planeval.inputs.model import Dataset
from planeval.inputs.plan import LoadedPlan, Plan, plan_of

NO_EVIDENCE = "no_public_evidence"


def project_status(plan: Plan | LoadedPlan, dataset: Dataset, year: int) -> list[dict[str, Any]]:
    """One dict per plan project, in plan order.

    ``status`` is the status column of the latest dated event at or before ``year`` (done / moved /
    in_progress), or ``no_public_evidence``; ``evidence`` lists the dated events (oldest first) as
    ``{date, text: {zh, en}, source, status}``; ``sources`` the distinct source ids in that order.
    """
    p = plan_of(plan)
    rows = dataset.as_of(year).projects
    out: list[dict[str, Any]] = []
    for project in p.major_projects:
        events = rows[(rows["project"] == project.id) & (rows["date"] != "")]
        events = events.sort_values("date", kind="stable")
        evidence = [{"date": r.date, "text": {"zh": r.evidence_zh, "en": r.evidence_en}, "source": r.source, "status": r.status}
                    for r in events.itertuples(index=False)]
        dated = [e for e in evidence if e["status"]]
        out.append({
            "id": project.id,
            "name": {"zh": project.name.zh, "en": project.name.en},
            "status": dated[-1]["status"] if dated else NO_EVIDENCE,
            "evidence": evidence,
            "sources": list(dict.fromkeys(e["source"] for e in evidence)),
        })
    return out
