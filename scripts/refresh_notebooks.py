"""Re-execute every notebook under notebooks/ on its default parameters and store the outputs that
nbval compares (cells marked ``# NBVAL_CHECK_OUTPUT``); every other output is cleared, so the
committed notebooks stay small and free of run-specific noise.

Run after changing a notebook or anything that changes its checked outputs: ``make notebooks``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat
import papermill as pm

from planeval.pipeline.execute import KERNEL_NAME

ROOT = Path(__file__).resolve().parent.parent
MARK = "# NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / path.name
        pm.execute_notebook(str(path), str(executed), kernel_name=KERNEL_NAME, cwd=str(path.parent),
                            progress_bar=False)
        ran = nbformat.read(executed, as_version=4)
    source = nbformat.read(path, as_version=4)
    outputs = {cell.get("id"): cell for cell in ran.cells}
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.source.lstrip().startswith(MARK) and cell.get("id") in outputs:
            cell.outputs = outputs[cell["id"]].outputs
            cell.execution_count = outputs[cell["id"]].execution_count  # nbval skips cells that never ran
        else:
            cell.outputs = []
            cell.execution_count = None
    source.metadata.pop("papermill", None)
    nbformat.write(source, path)
    print(f"refreshed {path.relative_to(ROOT)}")


def main(paths: list[str]) -> int:
    targets = [Path(p).resolve() for p in paths] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in targets:
        refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
