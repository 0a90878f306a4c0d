"""Content hashes with the standard library only (plus PyYAML to find a plan's data files).

Kept free of pandas and the rest so that ``run_all.py`` can tell, in a fraction of a second, that
a report is already up to date: :func:`quick_key` hashes the raw bytes of every input.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ROOT = PACKAGE_DIR.parent
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "indicator.ipynb"  # run once per indicator
SUMMARY = NOTEBOOKS / "summary.ipynb"  # run once per report, over the indicators' records
LOCK = ROOT / "requirements.lock"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


def sha256_json(obj: Any) -> str:
    return sha256_bytes(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def library_files() -> list[Path]:
    """The library's code, templates and styles: any change can change a result or the report."""
    return sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".css"))


def files_digest(paths: list[Path], root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)) if p.is_relative_to(root) else str(p): sha256_file(p) for p in paths}


def git_commit() -> str:
    """The checkout's commit, marked when tracked files have uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + ("+uncommitted changes" if dirty else "")


def quick_key(plan_path: Path, parameters: dict[str, Any], notebook: Path) -> str | None:
    """A hash of the raw bytes of every input (plan, its data files, notebooks, library, lock), the
    parameters and the commit; None when the plan cannot be read (the full path then reports why).
    Equal keys mean equal inputs, so the published report is already what a run would produce."""
    import yaml

    try:
        if not plan_path.is_file():  # a folder, pipe or device: never opened here (the full path says why)
            return None
        plan = yaml.safe_load(plan_path.read_text(encoding="utf-8"))
        data = [(plan_path.parent / rel).resolve() for rel in (plan.get("data") or {}).values() if rel]
        files = [plan_path.resolve(), *data, notebook, *sorted(NOTEBOOKS.glob("*.ipynb")), LOCK, *library_files()]
        if not all(p.is_file() for p in files):
            return None
        digest = {str(p): sha256_file(p) for p in files}
    except (OSError, ValueError, AttributeError, TypeError, yaml.YAMLError):
        return None
    return sha256_json({"files": digest, "parameters": parameters, "commit": git_commit()})


def run_parameters(year: int, langs: tuple[str, ...], only: tuple[str, ...], plan: Path,
                   vintage: str | None = None) -> dict[str, Any]:
    """The parameters that shape a report (what quick_key covers besides the files)."""
    return {"year": year, "langs": list(langs), "only": list(only), "plan": str(plan.resolve()), "vintage": vintage}


def published_is_current(report_dir: Path, key: str | None) -> bool:
    """Whether the report in ``report_dir`` was made from exactly these inputs (its manifest's quick_key)."""
    if key is None:
        return False
    try:
        manifest = json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("quick_key") == key and outputs_intact(report_dir, manifest)


def outputs_intact(report_dir: Path, manifest: dict[str, Any]) -> bool:
    """Whether ``report_dir`` holds exactly the files its manifest lists, byte for byte: a deleted,
    edited or added file means the published report is no longer what the run made."""
    expected = manifest.get("outputs")
    if not isinstance(expected, dict):
        return False
    try:
        found = files_digest(sorted(p for p in report_dir.rglob("*") if p.is_file()), report_dir)
    except OSError:
        return False
    found.pop("manifest.json", None)
    return found == expected
