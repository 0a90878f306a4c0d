"""Content hashes: the cache keys and the manifest's record of what a report was made from."""

from __future__ import annotations

from typing import Any

import pandas as pd

from planeval.inputs.data import Dataset
from planeval.pipeline.digests import sha256_bytes, sha256_json
from planeval.inputs.plan import Indicator, LoadedPlan

def frame_digest(df: pd.DataFrame) -> str:
    """Hash of a frame's content (row order as given), independent of its index."""
    return sha256_bytes(df.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def indicator_inputs(loaded: LoadedPlan, dataset: Dataset, indicator: Indicator, year: int,
                     vintage: str | None = None) -> dict[str, Any]:
    """Everything about the plan and the data that can change one indicator's record as of ``year``
    (and ``vintage``): its plan entry, the plan's period and method, its series' rows as of the year and
    the vintage, the sources those rows cite, and the vintage itself (a notebook run with another
    vintage is another run, even when it keeps the same rows)."""
    obs = dataset.as_of(year, vintage).observations
    rows = obs[obs["series"].isin(indicator.all_series())]  # with line numbers: records cite them
    cited = dataset.sources[dataset.sources["source"].isin(set(rows["source"]))]
    plan = loaded.plan
    return {
        "indicator": indicator.model_dump(mode="json"),
        "plan": {"id": plan.id, "base_year": plan.base_year, "end_year": plan.end_year, "method": plan.method},
        "rows": frame_digest(rows),
        "sources": frame_digest(cited),
        "vintage": vintage,
    }


def dataset_digest(dataset: Dataset) -> str:
    """The data a report as of a year rests on (observations, sources, projects after the as-of cut)."""
    return sha256_json({"observations": frame_digest(dataset.observations.drop(columns=["line"])),
                        "sources": frame_digest(dataset.sources), "projects": frame_digest(dataset.projects)})
