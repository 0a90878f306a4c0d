"""The data in an Excel workbook: read a sheet as text, and move the CSV data into a workbook and back.

A plan's data file may be a workbook (``.xlsx``) instead of a CSV file, with the same columns and the
same validation (:mod:`planeval.inputs.data`). One workbook can hold all three tables, each on the sheet
named after it (``observations``, ``sources``, ``projects``: point the plan's three ``data:`` paths at
the same file), or a workbook can hold one table on its only sheet. Every cell is read as text, as a
CSV cell is; errors name the sheet, the row the spreadsheet shows and the column.

Command line (``make workbook`` / ``make csv``)::

    python -m planeval.inputs.workbook export data/ data.xlsx     # the CSV files -> one workbook
    python -m planeval.inputs.workbook import data.xlsx data/     # the workbook -> the CSV files
    python -m planeval.inputs.workbook template data/ template.xlsx  # empty sheets, drop-down lists

``export`` then ``import`` gives back the CSV files byte for byte when they are written as
:func:`csv_text` writes them (UTF-8 without BOM, ``\\n`` line ends, quotes only where needed, as
Python's csv module does): every cell is written to the workbook as text, so ``1829.71`` or a
note starting with ``=`` stays exactly what it was. The workbook's bytes are the same on every run
(fixed document dates and zip timestamps).
"""

from __future__ import annotations

import csv
import io
import os
import sys
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd

from planeval.inputs.errors import InputError, read_input

TABLES = ("observations", "sources", "projects")
LISTS = "lists"  # the hidden sheet holding the drop-down lists
SUFFIXES = (".xlsx", ".xlsm")
FIXED_TIME = datetime(2000, 1, 1)  # the workbook's creation and modification dates: reproducible bytes
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SPARE_ROWS = 1000  # rows below the data that carry the drop-down lists and the text format


def is_workbook(path: Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


def cell_text(value: Any) -> str:
    """A cell as the text a CSV file would hold: '' for an empty cell, a number without exponent
    (``58.9``, not ``5.89e1``), a date as ``YYYY-MM-DD``. Cells the tool writes are already text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        import numpy as np

        return np.format_float_positional(value, trim="-")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _open(path: Path):
    import openpyxl

    raw = read_input(path)
    try:
        return openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    except Exception as exc:  # noqa: BLE001 - a damaged zip, an .xls renamed, ...: openpyxl raises many kinds
        raise InputError(path, f"not a readable Excel workbook (.xlsx): {type(exc).__name__}: {exc}; "
                               "save it from Excel as 'Excel Workbook (*.xlsx)'") from None


def sheet_names(path: Path) -> list[str]:
    return list(_open(path).sheetnames)


def read_sheet_text(path: Path, table: str) -> pd.DataFrame:
    """The sheet named ``table`` (or the workbook's only sheet) as a frame of strings ('' for empty),
    indexed by the row number the spreadsheet shows (the header is row 1 when it is the first row).
    ``frame.attrs["sheet"]`` names the sheet. InputError (naming the sheet and row) for a missing
    sheet, an empty sheet, a header-only sheet or a value in a column without a header."""
    book = _open(path)
    names = [n for n in book.sheetnames if n != LISTS]
    if table in book.sheetnames:
        name = table
    elif len(names) == 1:
        name = names[0]
    else:
        raise InputError(path, f"no sheet named '{table}' (the workbook has: {', '.join(book.sheetnames)}); "
                               f"name the sheet '{table}' or give the {table} in a workbook of their own")
    sheet = book[name]
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        texts = [cell_text(v) for v in values]
        if not any(texts):
            continue  # an empty row, as a blank line in a CSV file
        if header is None:
            while texts and texts[-1] == "":
                texts.pop()
            header = texts
            if "" in header:
                raise InputError(path, f"the header row has an empty cell (column {header.index('') + 1})",
                                 row=number, sheet=name)
            continue
        extra = [i for i, text in enumerate(texts[len(header):], len(header)) if text != ""]
        if extra:
            raise InputError(path, f"a value in column {extra[0] + 1}, which has no header: {texts[extra[0]]!r}",
                             row=number, sheet=name)
        rows.append(texts[:len(header)] + [""] * (len(header) - len(texts)))
        numbers.append(number)
    if header is None:
        raise InputError(path, "the sheet is empty; expected a header row and data rows", sheet=name)
    if not rows:
        raise InputError(path, "the sheet has a header row but no data rows", sheet=name)
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(numbers, name="line"))
    frame.attrs["sheet"] = name
    return frame


# CSV <-> workbook -------------------------------------------------------------------------------------

def csv_text(header: list[str], rows: list[list[str]]) -> str:
    """A table as CSV text the way this tool writes it: Python's csv module (quotes only where a cell
    needs them, a quote doubled), ``\\n`` line ends, no BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _table(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    return [str(c) for c in frame.columns], frame.astype(str).values.tolist()


def _lists(tables: dict[str, tuple[list[str], list[list[str]]]], units: list[str] | None = None) -> dict[str, list[str]]:
    """The drop-down lists: the fixed vocabularies, and ``units`` (default: those already in the data)."""
    from planeval.inputs.data import CONFIDENCE, OBSERVATION_KINDS, PROJECT_STATUSES, QUALIFIERS

    if units is None:
        found: set[str] = set()
        header, rows = tables.get("observations", ([], []))
        if "unit" in header:
            found = {r[header.index("unit")] for r in rows} - {""}
        units = sorted(found)
    return {"qualifier": list(QUALIFIERS), "kind": list(OBSERVATION_KINDS), "unit": list(units),
            "confidence": list(CONFIDENCE), "status": list(PROJECT_STATUSES)}


def _text_cell(sheet: Any, row: int, column: int, text: str) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = text if text != "" else None
    if text != "":
        cell.data_type = "s"  # never a formula or a number: '=' or '1829.71' stay the text they are
    cell.number_format = "@"


def write_workbook(tables: dict[str, tuple[list[str], list[list[str]]]], path: Path,
                   units: list[str] | None = None) -> None:
    """One sheet per table (every cell text, the header bold and frozen), a hidden ``lists`` sheet and
    drop-down lists for qualifier, kind, unit, source ids, confidence and status. Same bytes on every run."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    book.remove(book.active)
    lists = _lists(tables, units)
    for name, (header, rows) in tables.items():
        sheet = book.create_sheet(name)
        for j, title in enumerate(header, 1):
            _text_cell(sheet, 1, j, title)
            sheet.cell(row=1, column=j).font = Font(bold=True)
            longest = max([len(title)] + [len(row[j - 1]) for row in rows])
            sheet.column_dimensions[get_column_letter(j)].width = max(10, min(60, longest + 2))
        for i, row in enumerate(rows, 2):
            for j, text in enumerate(row, 1):
                _text_cell(sheet, i, j, text)
        for j in range(1, len(header) + 1):  # what is typed below the data is text too
            sheet.column_dimensions[get_column_letter(j)].number_format = "@"
        sheet.freeze_panes = "A2"
    keep = book.create_sheet(LISTS)
    keep.sheet_state = "hidden"
    ranges: dict[str, str] = {}
    for j, (key, values) in enumerate(lists.items(), 1):
        _text_cell(keep, 1, j, key)
        for i, value in enumerate(values, 2):
            _text_cell(keep, i, j, value)
        letter = get_column_letter(j)
        ranges[key] = f"{LISTS}!${letter}$2:${letter}${max(2, len(values) + 1)}"
    if "sources" in tables:
        n = len(tables["sources"][1]) + 1 + SPARE_ROWS
        ranges["source"] = f"sources!$A$2:$A${n}"
    # column -> (list, strict): a unit outside the list is allowed (with a warning), the rest are not
    wanted = {"qualifier": ("qualifier", True), "kind": ("kind", True), "unit": ("unit", False),
              "source": ("source", True), "confidence": ("confidence", True), "status": ("status", True)}
    for name, (header, rows) in tables.items():
        sheet = book[name]
        for column, (key, strict) in wanted.items():
            if column not in header or key not in ranges or (name == "sources" and column == "source"):
                continue
            letter = get_column_letter(header.index(column) + 1)
            check = DataValidation(type="list", formula1=ranges[key], allow_blank=True,
                                   errorStyle="stop" if strict else "warning", showErrorMessage=True,
                                   error=f"Choose a {column} from the list" + ("" if strict else " (or type a new one)"))
            check.add(f"{letter}2:{letter}{len(rows) + 1 + SPARE_ROWS}")
            sheet.add_data_validation(check)
    book.properties.creator = "planeval"
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    _write_atomic(path, _fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The zip with fixed timestamps and the document dates fixed (openpyxl stamps the saving time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _fixed_core(body)
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, body)
    return out.getvalue()


def _fixed_core(body: bytes) -> bytes:
    import re

    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<2>", body)


def _write_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def export_csv(folder: Path, book: Path) -> list[str]:
    """The CSV files of ``folder`` (those of :data:`TABLES` that exist) -> one workbook; returns their names."""
    from planeval.inputs.data import read_csv_text

    tables = {}
    for name in TABLES:
        path = Path(folder) / f"{name}.csv"
        if path.exists():
            tables[name] = _table(read_csv_text(path))
    if not tables:
        raise InputError(folder, f"no {', '.join(t + '.csv' for t in TABLES)} in this folder")
    write_workbook(tables, book)
    return list(tables)


def import_workbook(book: Path, folder: Path) -> list[Path]:
    """A workbook's sheets -> ``<folder>/<table>.csv``, after the same validation as the CSV files
    (nothing is written if any sheet is refused)."""
    from planeval.inputs.data import load_observations, load_projects, load_sources

    present = [name for name in TABLES if name in sheet_names(book)]
    if "observations" not in present or "sources" not in present:
        raise InputError(book, "a workbook to import has the sheets 'observations' and 'sources' (and 'projects')")
    sources = load_sources(book)
    load_observations(book, sources)
    if "projects" in present:
        load_projects(book, sources)
    written = []
    texts = {name: csv_text(*_table(read_sheet_text(book, name))) for name in present}
    for name, text in texts.items():
        path = Path(folder) / f"{name}.csv"
        _write_atomic(path, text.encode("utf-8"))
        written.append(path)
    return written


def write_template(folder: Path, book: Path) -> None:
    """Empty sheets with the columns of the CSV files in ``folder`` and the drop-down lists (the units
    offered: those of its observations)."""
    from planeval.inputs.data import read_csv_text

    tables = {name: (_table(read_csv_text(Path(folder) / f"{name}.csv"))[0], [])
              for name in TABLES if (Path(folder) / f"{name}.csv").exists()}
    units = _lists({"observations": _table(read_csv_text(Path(folder) / "observations.csv"))})["unit"]
    write_workbook(tables, book, units)


USAGE = """usage: python -m planeval.inputs.workbook export DATA_FOLDER BOOK.xlsx
       python -m planeval.inputs.workbook import BOOK.xlsx DATA_FOLDER
       python -m planeval.inputs.workbook template DATA_FOLDER TEMPLATE.xlsx"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[0] not in ("export", "import", "template"):
        print(USAGE, file=sys.stderr)
        return 2
    command, a, b = args[0], Path(args[1]), Path(args[2])
    try:
        if command == "export":
            names = export_csv(a, b)
            print(f"wrote {b} (sheets: {', '.join(names)})")
        elif command == "import":
            for path in import_workbook(a, b):
                print(f"wrote {path}")
        else:
            write_template(a, b)
            print(f"wrote {b}")
    except InputError as exc:
        print(f"workbook: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
