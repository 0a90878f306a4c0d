"""The report's manifest.json: what a report was made from (keys, inputs, packages, commit) and the
hash of every file it holds. A run reads it to tell whether the published report is still current."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from planeval.pipeline.digests import files_digest

NAME = "manifest.json"
PACKAGES = ("papermill", "nbclient", "nbformat", "ipykernel", "pandas", "numpy", "scipy", "statsmodels",
            "matplotlib", "seaborn", "pandera", "pydantic", "jinja2", "typst", "python-docx", "openpyxl")


def read(report_dir: Path) -> dict[str, Any]:
    """The published report's manifest; empty when there is none or it cannot be read."""
    try:
        manifest = json.loads((report_dir / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


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
    found.pop(NAME, None)
    return found == expected


def current(report_dir: Path, field: str, key: str | None) -> bool | None:
    """The one up-to-date check: True when the published report was made with this key (its
    manifest's ``field``) and is intact; None when the key matches but a file was changed, removed or
    added (the report must be made again); False otherwise."""
    if key is None:
        return False
    manifest = read(report_dir)
    if manifest.get(field) != key:
        return False
    return True if outputs_intact(report_dir, manifest) else None


def package_versions() -> dict[str, str]:
    from importlib import metadata

    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write(folder: Path, content: dict[str, Any]) -> None:
    """Write ``folder``'s manifest: ``content`` and the hash of every file already in the folder."""
    outputs = files_digest(sorted(p for p in folder.rglob("*") if p.is_file()), folder)
    manifest = {**content, "packages": package_versions(), "outputs": outputs}
    (folder / NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                               encoding="utf-8")
