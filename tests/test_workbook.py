"""Data from Excel: a workbook is read into the same frame as the CSV files and validated by the same
checks (errors name the sheet, the row and the column); the CSV data goes into a workbook and back byte
for byte; the template has its drop-down lists; a workbook is hashed into the cache keys like a CSV file.

The small tables here are SYNTHETIC (tests/synthetic.py); the round trip also runs on the real data/.
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import yaml

from planeval.inputs.data import load_dataset, read_csv_text
from planeval.inputs.errors import InputError
from planeval.inputs.plan import load_plan
from planeval.inputs.workbook import (TABLES, cell_text, csv_text, export_csv, import_workbook, main, read_sheet_text,
                                      write_template)

from planeval.pipeline.keys import dataset_digest, fast_key
from synthetic import HEADER, indicator, write

ROOT = Path(__file__).resolve().parent.parent
H = ",".join(HEADER) + "\n"
GOOD = "x,2020,10,=,10k,actual,T1,,\n"  # row 2 in every case below; the bad row is row 3


def as_workbook(plan_path: Path, name: str = "data.xlsx") -> Path:
    """Export the plan's CSV files into one workbook and point the plan's data at it."""
    folder = plan_path.parent
    book = folder / name
    export_csv(folder, book)
    plan = yaml.safe_load(plan_path.read_text(encoding="utf-8"))
    plan["data"] = {"observations": name, "sources": name}
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return book


def test_the_real_data_goes_into_a_workbook_and_back_byte_for_byte(tmp_path):
    book = tmp_path / "data.xlsx"
    assert export_csv(ROOT / "data", book) == list(TABLES)
    back = tmp_path / "back"
    back.mkdir()
    import_workbook(book, back)
    for name in TABLES:
        assert (back / f"{name}.csv").read_bytes() == (ROOT / "data" / f"{name}.csv").read_bytes(), name
    again = tmp_path / "again.xlsx"
    export_csv(ROOT / "data", again)
    assert again.read_bytes() == book.read_bytes()  # reproducible bytes
    with zipfile.ZipFile(book) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")


TRICKY = [  # SYNTHETIC rows holding what a spreadsheet would change if it were left to guess
    ["x", "2020", "1829.71", "=", "10k", "actual", "T1", "", ""],
    ["x", "2021", "0.30000000000000004", "~", "10k", "actual", "T1", "a note, with a comma", "带逗号的说明，含“引号”"],
    ["x", "2022", "007", "=", "10k", "actual", "T1", '=SUM(A1) is text, "quoted"', "以=开头的说明"],
    ["x", "2023", "1234567890123.5", "=", "10k", "actual", "T2", "two\nlines", "两\n行"],
    ["x", "2024", "58.90", "<=", "10k", "actual", "T1", " leading space", "TRUE"],
]


def test_tricky_cells_survive_the_round_trip(tmp_path):
    folder, back = tmp_path / "csv", tmp_path / "back"
    write(folder, [indicator("x")], csv_text(HEADER, TRICKY))
    book = tmp_path / "data.xlsx"
    export_csv(folder, book)
    cells = openpyxl.load_workbook(book)["observations"]
    assert {cells.cell(r, 3).data_type for r in range(2, 7)} == {"s"}  # numbers kept as text, never a float
    assert cells.cell(4, 8).data_type == "s" and cells.cell(4, 8).value.startswith("=SUM")  # not a formula
    back.mkdir()
    import_workbook(book, back)
    for name in ("observations", "sources"):
        assert (back / f"{name}.csv").read_bytes() == (folder / f"{name}.csv").read_bytes()
    assert (back / "observations.csv").read_text(encoding="utf-8").count("0.30000000000000004") == 1


def test_a_plan_reads_its_data_from_a_workbook_as_from_the_csv_files(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    plan_text = (ROOT / "params/shanghai_14th_employment.yaml").read_text(encoding="utf-8")
    (tmp_path / "params").mkdir()
    csv_plan = tmp_path / "params" / "csv.yaml"
    csv_plan.write_text(plan_text, encoding="utf-8")
    export_csv(data, data / "data.xlsx")
    xlsx_plan = tmp_path / "params" / "xlsx.yaml"
    xlsx_plan.write_text(plan_text.replace("observations.csv", "data.xlsx").replace("sources.csv", "data.xlsx")
                         .replace("projects.csv", "data.xlsx"), encoding="utf-8")
    a, b = load_dataset(load_plan(csv_plan)), load_dataset(load_plan(xlsx_plan))
    for name in TABLES:
        assert getattr(a, name).equals(getattr(b, name)), name
    assert dataset_digest(a) == dataset_digest(b)
    # The quick key hashes the workbook's bytes, as it hashes a CSV file's: an edit is seen.
    params = {"year": 2023}
    before = fast_key(xlsx_plan, params, ROOT / "notebooks" / "indicator.ipynb", "commit")
    book = openpyxl.load_workbook(data / "data.xlsx")
    book["observations"]["C2"].value = "4.4"
    book.save(data / "data.xlsx")
    after = fast_key(xlsx_plan, params, ROOT / "notebooks" / "indicator.ipynb", "commit")
    assert None not in (before, after) and before != after


@pytest.mark.parametrize("text, row, column, says", [
    (H + GOOD + "x,2021,abc,=,10k,actual,T1,,\n", 3, "value", "got 'abc'"),
    (H + GOOD + "x,2021,10,about,10k,actual,T1,,\n", 3, "qualifier", "expected one of = ~ <= < >= >, got 'about'"),
    (H + GOOD + "x,2021,10,=,10k,outcome,T1,,\n", 3, "kind", "got 'outcome'"),
    (H + GOOD + GOOD, 3, "source", "duplicate of row 2"),
    (H + GOOD + "x,2021,10,=,10k,actual,T9,,\n", 3, "source", "source 'T9' is not in the sources sheet"),
    (H + GOOD + "y,2021,10,=,10k,actual,T1,,\n", 3, "series", "series 'y' is not used by the plan"),
    (H + GOOD + "x,2021,10,=,10k,actual,T1,registered rate,\n", 3, "note_zh", "a note in Chinese too"),
    (H.replace(",unit", "") + "x,2020,10,=,actual,T1,,\n", 1, "unit", "missing column 'unit'"),
])
def test_errors_name_the_sheet_the_row_and_the_column(tmp_path, text, row, column, says):
    plan = write(tmp_path, [indicator("x")], text)
    book = as_workbook(plan)
    with pytest.raises(InputError) as caught:
        load_dataset(load_plan(plan))
    err = caught.value
    assert (Path(err.file), err.sheet, err.row, err.field) == (book, "observations", row, column)
    assert str(err).startswith(f"{book}, sheet 'observations', row {row}, column '{column}': ")
    assert says in str(err)


def _edit(book: Path, sheet: str, cell: str, value: object) -> None:
    wb = openpyxl.load_workbook(book)
    wb[sheet][cell].value = value
    wb.save(book)


def test_rows_are_the_rows_the_spreadsheet_shows(tmp_path):
    """An empty row is skipped but counted, as a blank line in a CSV file; the error names row 5."""
    plan = write(tmp_path, [indicator("x")], H + GOOD + "x,2021,11,=,10k,actual,T1,,\n" + "x,2022,12,=,10k,actual,T1,,\n")
    book = as_workbook(plan)
    wb = openpyxl.load_workbook(book)
    wb["observations"].insert_rows(3)
    wb["observations"]["C5"].value = "-12"
    wb.save(book)
    with pytest.raises(InputError) as caught:
        load_dataset(load_plan(plan))
    assert (caught.value.row, caught.value.field) == (5, "value") and "got '-12'" in str(caught.value)


def test_cells_typed_as_numbers_and_dates_read_as_the_text_a_csv_would_hold(tmp_path):
    plan = write(tmp_path, [indicator("x")], H + GOOD + "x,2021,11,=,10k,actual,T1,,\n")
    book = as_workbook(plan)
    _edit(book, "observations", "C2", 58.9)  # typed into Excel as a number
    _edit(book, "observations", "B3", 2021)
    _edit(book, "sources", "D2", datetime(2021, 10, 20))  # Excel turned 2021-10-20 into a date
    data = load_dataset(load_plan(plan))
    assert list(data.observations["value"]) == [58.9, 11.0] and list(data.observations["period"]) == ["2020", "2021"]
    assert data.sources.loc[0, "published"] == "2021-10-20"
    assert [cell_text(v) for v in (None, 1e-05, 4.0, 1829.71, True, "x")] == ["", "0.00001", "4", "1829.71", "TRUE", "x"]


def test_sheet_problems_are_named(tmp_path):
    plan = write(tmp_path, [indicator("x")], H + GOOD)
    book = as_workbook(plan)
    _edit(book, "observations", "K2", "stray")
    with pytest.raises(InputError, match=r"sheet 'observations', row 2: a value in column 11, which has no header: 'stray'"):
        load_dataset(load_plan(plan))
    wb = openpyxl.load_workbook(book)
    wb["observations"].title = "obs"
    wb.save(book)
    with pytest.raises(InputError, match=r"no sheet named 'observations' \(the workbook has: obs, sources, lists\)"):
        load_dataset(load_plan(plan))
    (tmp_path / "data.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        load_dataset(load_plan(plan))


def test_a_workbook_of_one_sheet_holds_one_table(tmp_path):
    """observations.xlsx with a single sheet of any name, beside sources.csv."""
    plan = write(tmp_path, [indicator("x")], H + GOOD + "x,2021,abc,=,10k,actual,T1,,\n")
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Sheet1"
    for line in (H + GOOD + "x,2021,abc,=,10k,actual,T1,,\n").splitlines():
        sheet.append(line.split(","))
    wb.save(tmp_path / "observations.xlsx")
    raw = yaml.safe_load(plan.read_text(encoding="utf-8"))
    raw["data"]["observations"] = "observations.xlsx"
    plan.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_dataset(load_plan(plan))
    assert (caught.value.sheet, caught.value.row, caught.value.field) == ("Sheet1", 3, "value")


def test_import_validates_before_it_writes(tmp_path):
    plan = write(tmp_path, [indicator("x")], H + GOOD)
    book = as_workbook(plan)
    _edit(book, "observations", "F2", "outcome")
    before = (tmp_path / "observations.csv").read_bytes()
    assert main(["import", str(book), str(tmp_path)]) == 2
    assert (tmp_path / "observations.csv").read_bytes() == before  # nothing written


def test_the_template_has_drop_down_lists_and_is_reproducible(tmp_path):
    made = tmp_path / "template.xlsx"
    write_template(ROOT / "data", made)
    assert made.read_bytes() == (ROOT / "data" / "template.xlsx").read_bytes()  # `make template` is up to date
    wb = openpyxl.load_workbook(made)
    assert wb.sheetnames == [*TABLES, "lists"] and wb["lists"].sheet_state == "hidden"
    lists = {wb["lists"].cell(1, c).value: [wb["lists"].cell(r, c).value for r in range(2, wb["lists"].max_row + 1)
                                            if wb["lists"].cell(r, c).value is not None]
             for c in range(1, wb["lists"].max_column + 1)}
    assert lists["qualifier"] == ["=", "~", "<=", "<", ">=", ">"]
    assert lists["kind"] == ["actual", "partial", "annual_target", "plan_target", "projection"]
    assert "10k persons" in lists["unit"] and "%" in lists["unit"]
    header = [c.value for c in wb["observations"][1]]
    checks = {}
    for check in wb["observations"].data_validations.dataValidation:
        column = header[openpyxl.utils.column_index_from_string(str(check.sqref).split(":")[0][0]) - 1]
        checks[column] = (check.formula1, check.errorStyle)
    assert checks["qualifier"][0] == "lists!$A$2:$A$7" and checks["kind"][0] == "lists!$B$2:$B$6"
    assert checks["source"][0].startswith("sources!$A$2:") and checks["unit"][1] == "warning"
    with pytest.raises(InputError, match="sheet 'observations': the sheet has a header row but no data rows"):
        read_sheet_text(made, "observations")


def test_the_command_line(tmp_path, capsys):
    assert main(["export", str(ROOT / "data"), str(tmp_path / "d.xlsx")]) == 0
    assert main(["import", str(tmp_path / "d.xlsx"), str(tmp_path)]) == 0
    assert (tmp_path / "observations.csv").read_bytes() == (ROOT / "data" / "observations.csv").read_bytes()
    assert main(["export"]) == 2 and "usage:" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "nowhere"), str(tmp_path / "e.xlsx")]) == 2


def test_csv_text_is_what_the_reader_reads(tmp_path):
    (tmp_path / "o.csv").write_text(csv_text(HEADER, TRICKY), encoding="utf-8")
    assert read_csv_text(tmp_path / "o.csv").values.tolist() == TRICKY
