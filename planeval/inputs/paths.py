"""Where things are: the repository's folders and files, the report languages, and how a result
file is named. Every module takes these from here (standard library only: ``run_all.py`` imports
it before anything heavy)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # planeval/
ROOT = PACKAGE.parent  # the checkout
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "indicator.ipynb"  # run once per indicator
SUMMARY = NOTEBOOKS / "summary.ipynb"  # run once per report, over the indicators' records
LOCK = ROOT / "requirements.lock"
DEFAULT_OUT = ROOT / "reports"
PRESENTATION_FILES = (PACKAGE / "presentation" / "templates", PACKAGE / "presentation" / "static")  # not Python
CALIBRATION = ROOT / "calibration"  # the forecast's learnt error spread and its figures (the report shows them)

LANGS = ("zh", "en")  # the report languages; the first is also report.html/.pdf by default


def record_file(folder: Path, indicator_id: str) -> Path:
    """An indicator's result record, as its notebook writes it and the report reads it."""
    return Path(folder) / f"{indicator_id}.json"


def backtest_file(folder: Path, indicator_id: str) -> Path:
    """An indicator's backtest of the forecast models (the report's method section pools them)."""
    return Path(folder) / f"{indicator_id}.backtest.json"


def chart_file(folder: Path, indicator_id: str, lang: str) -> Path:
    """An indicator's chart in one language."""
    return Path(folder) / f"{indicator_id}.{lang}.png"

