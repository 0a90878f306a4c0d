"""The cache keys, one per step, all in this module: each hashes exactly what can change the
step's outputs, so a change re-runs the steps it can affect and no other.

========== ======================================================================================
step       its key covers
========== ======================================================================================
run        the raw bytes of every input (plan, data files, notebooks, library, lock, calibration),
           the parameters and the commit: :func:`fast_key`, checked before anything is loaded
indicator  its plan entry and data rows as of the year (and vintage), the notebook, the library
           code the notebook imports (transitively), the executor, the lock: :func:`indicator_key`
summary    the indicators' records (their bytes), the plan, the as-of data, the summary notebook
           and the code it imports: :func:`summary_key`
report     the indicator and summary keys, the records, the as-of data, the plan, the code of the
           whole run with the templates, styles and calibration, the commit and the parameters:
           :func:`report_key` (the assembly, index, manifest and publish steps)
========== ======================================================================================

A template or style edit therefore re-makes the report only; an edit of the indicator notebook
re-runs the indicator notebooks, and the summary only if a record changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from planeval.inputs.paths import CALIBRATION, LANGS, LOCK, NOTEBOOKS, PACKAGE, PRESENTATION_FILES
from planeval.pipeline.digests import (files_digest, library_files, module_closure, notebook_imports, sha256_bytes,
                                       sha256_file, sha256_json)

if TYPE_CHECKING:
    import pandas as pd

    from planeval.inputs.data import Dataset
    from planeval.inputs.plan import Indicator, LoadedPlan

EXECUTOR = "planeval.pipeline.execute"  # runs every notebook and scrubs what it writes


def _folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def fast_key(plan_path: Path, parameters: dict[str, Any], notebook: Path, commit: str) -> str | None:
    """A hash of the raw bytes of every input (plan, its data files, notebooks, library, lock,
    calibration), the parameters and the commit; None when the plan cannot be read (the full path then
    reports why). Equal keys mean equal inputs: the published report is what a run would produce.
    Standard library and PyYAML only, so that an up-to-date report is told in a fraction of a second."""
    import yaml

    try:
        if not plan_path.is_file():  # a folder, pipe or device: never opened here (the full path says why)
            return None
        plan = yaml.load(plan_path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        data = [(plan_path.parent / rel).resolve() for rel in (plan.get("data") or {}).values() if rel]
        files = [plan_path.resolve(), *data, notebook, *sorted(NOTEBOOKS.glob("*.ipynb")), LOCK, *library_files(),
                 *_folder_files(CALIBRATION)]
        if not all(p.is_file() for p in files):
            return None
        digest = {str(p): sha256_file(p) for p in files}
    except (OSError, ValueError, AttributeError, TypeError, yaml.YAMLError):
        return None
    return sha256_json({"files": digest, "parameters": parameters, "commit": commit})


def run_parameters(year: int, langs: tuple[str, ...], only: tuple[str, ...], plan: Path,
                   vintage: str | None = None) -> dict[str, Any]:
    """The parameters that shape a report (what :func:`fast_key` covers besides the files)."""
    return {"year": year, "langs": list(langs), "only": list(only), "plan": str(plan.resolve()), "vintage": vintage}


def notebook_code(notebook: Path) -> dict[str, str]:
    """The code a notebook step runs: the notebook, the planeval modules it imports with everything
    they import, the executor that runs and scrubs it, and the lock (the packages' versions)."""
    return files_digest([notebook, *module_closure([*notebook_imports(notebook), EXECUTOR]), LOCK])


def run_code() -> dict[str, str]:
    """The code of the whole run (every module the runner can import), the templates and styles,
    the calibration the report shows, and the lock."""
    presentation = [p for folder in PRESENTATION_FILES for p in _folder_files(folder)]
    return files_digest([*module_closure([f"{PACKAGE.name}.pipeline.runner"]), *presentation,
                         *_folder_files(CALIBRATION), LOCK])


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


def indicator_key(loaded: LoadedPlan, dataset: Dataset, indicator_id: str, year: int, code: dict[str, str],
                  vintage: str | None = None) -> str:
    """One indicator notebook's key; ``code``: :func:`notebook_code` of the notebook (which draws
    its charts in every language)."""
    return sha256_json({"inputs": indicator_inputs(loaded, dataset, loaded.plan.indicator(indicator_id), year, vintage),
                        "code": code, "parameters": {"year": year, "langs": LANGS, "vintage": vintage}})


def dataset_digest(dataset: Dataset) -> str:
    """The data a report as of a year rests on (observations, sources, projects after the as-of cut)."""
    return sha256_json({"observations": frame_digest(dataset.observations.drop(columns=["line"])),
                        "sources": frame_digest(dataset.sources), "projects": frame_digest(dataset.projects)})


def summary_key(records: dict[str, str], plan: str, data: str, code: dict[str, str], parameters: dict[str, Any]) -> str:
    """The summary notebook's key: the records' hashes, the plan file's hash, the as-of data's
    digest, :func:`notebook_code` of the summary notebook and its parameters."""
    return sha256_json({"records": records, "plan": plan, "data": data, "code": code, "parameters": parameters})


def report_key(steps: dict[str, str], records: dict[str, str], plan: str, data: str, code: dict[str, str],
               commit: str, parameters: dict[str, Any]) -> str:
    """The report's key (assembly, index, manifest): the notebook steps' keys, the records, the plan
    file, the as-of data, :func:`run_code`, the commit the report names and the run's parameters."""
    return sha256_json({"steps": steps, "records": records, "plan": plan, "data": data, "code": code,
                        "commit": commit, "parameters": parameters})
