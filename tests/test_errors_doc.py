"""docs/errors.md stays true: every data, plan and command-line case it lists is reproduced here and
must print exactly the message and exit with exactly the status the doc shows.

Each case works in ``tmp_path`` (written ``<root>`` in the doc): ``params/example.yaml``, the small plan
shown in the doc (``EXAMPLE_PLAN``), and a copy of the real ``data/`` keeping only the observations of
its two series. So the messages do not change when the real plan or data grow: a data case puts its
bad row at line 2 of the file (right under the header), a plan case edits the example plan, whose
line numbers are those of the text shown in the doc. Nothing here executes a notebook: every case
fails before that.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from planeval.inputs.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "errors.md"
PLAN = "example.yaml"
CHECKED_GROUPS = ("data-", "plan-", "cli-")  # exec-* and html-* are covered by test_run_all.py / test_report.py

EXAMPLE_PLAN = """\
id: example_plan
name: {zh: 示例规划, en: Example plan}
base_year: 2020
end_year: 2025
data:
  observations: ../data/observations.csv
  sources: ../data/sources.csv
  projects: ../data/projects.csv
indicators:
  - id: new_jobs
    name: {zh: 城镇新增就业岗位, en: New urban jobs}
    unit: {zh: 万个, en: 10k posts}
    series: new_jobs
    kind: cumulative
    target: 275
  - id: unemployment_rate
    name: {zh: 城镇调查失业率, en: Surveyed urban unemployment rate}
    unit: {zh: "%", en: "%"}
    series: unemployment_rate
    kind: ceiling_each_year
    target: 5.5
    direction: lower
  - id: unidentified_3
    identified: false
    name: {zh: 未能识别的第三项指标, en: Unidentified third indicator}
"""


EXAMPLE_SERIES = ("new_jobs,", "unemployment_rate,")


def _load_run_all():
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run_all = _load_run_all()


# --------------------------------------------------------------------------------------------
# The doc's tables
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocRow:
    case: str
    message: str  # as printed, with <root> for the copy's folder
    status: int


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def doc_rows() -> list[DocRow]:
    """Table rows whose first cell is a case id in backticks: | `data-gbk` | case | `message` | 2 | what to do |."""
    rows = []
    if not DOC.exists():
        return rows  # test_every_case_is_documented_once_and_reproduced then names every missing case
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = _cells(line) if line.startswith("|") else []
        if len(cells) >= 4 and re.fullmatch(r"`[a-z]+-[a-z0-9-]+`", cells[0]):
            message = cells[2].removeprefix("`").removesuffix("`").replace("\\|", "|")
            rows.append(DocRow(cells[0].strip("`"), message, int(cells[3])))
    return rows


ROWS = [r for r in doc_rows() if r.case.startswith(CHECKED_GROUPS)]


# --------------------------------------------------------------------------------------------
# The cases: each edits the copy and returns run_all.py's arguments
# --------------------------------------------------------------------------------------------

Case = Callable[[Path], list[str]]
CASES: dict[str, Case] = {}


def args(root: Path, *extra: str, plan: str = PLAN, year: str = "2023") -> list[str]:
    return ["--year", year, "--plan", str(root / "params" / plan), "--out", str(root / "out"), *extra]


def insert_line(path: Path, line: int, text: str | bytes) -> None:
    """Put ``text`` at 1-based ``line`` of the file (bytes for a row in another encoding)."""
    raw = path.read_bytes().splitlines(keepends=True)
    raw.insert(line - 1, (text if isinstance(text, bytes) else text.encode("utf-8")) + b"\n")
    path.write_bytes(b"".join(raw))


def rewrite_columns(path: Path, change: Callable[[list[str]], list[str]]) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(change(r) for r in rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


# Data: one bad row at line 2 of a data file.
BAD_ROWS = {
    "data-non-numeric": ("observations", "new_jobs,2019,abc,=,10k posts,actual,S07,,"),
    "data-empty-value": ("observations", "new_jobs,2019,,=,10k posts,actual,S07,,"),
    "data-infinite": ("observations", "new_jobs,2019,inf,=,10k posts,actual,S07,,"),
    "data-unknown-qualifier": ("observations", "new_jobs,2019,58.9,about,10k posts,actual,S07,,"),
    "data-qualifier-without-value": ("observations", "new_jobs,2019,58.9,,10k posts,actual,S07,,"),
    "data-unknown-kind": ("observations", "new_jobs,2019,58.9,=,10k posts,outcome,S07,,"),
    "data-period-format": ("observations", "new_jobs,2019/20,58.9,=,10k posts,actual,S07,,"),
    "data-period-month": ("observations", "new_jobs,2023-01/2023-13,57,=,10k posts,partial,S01,,"),
    "data-period-order": ("observations", "new_jobs,2023-10/2023-01,57,=,10k posts,partial,S01,,"),
    "data-unknown-source": ("observations", "new_jobs,2019,58.9,=,10k posts,actual,S99,,"),
    "data-unknown-series": ("observations", "gdp_growth,2019,6.0,=,% yoy,actual,S07,,"),
    "data-negative-count": ("observations", "new_jobs,2019,-5,=,10k posts,actual,S07,,"),
    "data-percent-over-100": ("observations", "unemployment_rate,2019,104.5,=,%,actual,S07,,"),
    "data-source-bad-confidence": ("sources", "S98,Example publisher,Example title,2024,,certain"),
    "data-number-form": ("observations", "new_jobs,2019,5.89e1,=,10k posts,actual,S07,,"),
    "data-field-count": ("observations", "new_jobs,2019,58.9,=,10k posts,actual,S07"),
    "data-project-unknown-source": ("projects", "worldskills_46,competition,上海第46届世界技能大赛,"
                                                "46th WorldSkills Competition in Shanghai,2020-11,postponed,推迟,S99,moved"),
    "data-note-one-language": ("observations", "new_jobs,2019,58.9,=,10k posts,actual,S07,from the 2019 bulletin,"),
    "data-evidence-one-language": ("projects", "worldskills_46,competition,上海第46届世界技能大赛,"
                                               "46th WorldSkills Competition in Shanghai,2020-11,postponed,,S47,moved"),
}


def _bad_row(case_id: str) -> Case:
    name, row = BAD_ROWS[case_id]

    def make(root: Path) -> list[str]:
        insert_line(root / "data" / f"{name}.csv", 2, row)
        return args(root)
    return make


CASES.update({case_id: _bad_row(case_id) for case_id in BAD_ROWS})


def case(case_id: str) -> Callable[[Case], Case]:
    def register(make: Case) -> Case:
        CASES[case_id] = make
        return make
    return register


@case("data-missing-file")
def _data_missing_file(root: Path) -> list[str]:
    (root / "data" / "observations.csv").unlink()
    return args(root)


@case("data-empty-file")
def _data_empty_file(root: Path) -> list[str]:
    (root / "data" / "observations.csv").write_text("", encoding="utf-8")
    return args(root)


@case("data-header-only")
def _data_header_only(root: Path) -> list[str]:
    path = root / "data" / "observations.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")
    return args(root)


@case("data-not-a-file")
def _data_not_a_file(root: Path) -> list[str]:
    (root / "data" / "observations.csv").unlink()
    (root / "data" / "observations.csv").mkdir()
    return args(root)


@case("data-gbk")
def _data_gbk(root: Path) -> list[str]:
    insert_line(root / "data" / "observations.csv", 2, "new_jobs,2019,58.9,=,10k posts,actual,S07,yearbook,上海统计年鉴".encode("gbk"))
    return args(root)


@case("data-missing-column")
def _data_missing_column(root: Path) -> list[str]:
    rewrite_columns(root / "data" / "observations.csv", lambda r: r[:4] + r[5:])  # drop 'unit'
    return args(root)


@case("data-single-note-column")
def _data_single_note_column(root: Path) -> list[str]:
    """A file from before notes had two languages: one 'note' column."""
    rewrite_columns(root / "data" / "observations.csv", lambda r: r[:7] + ["note" if r[0] == "series" else r[7]])
    return args(root)


@case("data-extra-column")
def _data_extra_column(root: Path) -> list[str]:
    rewrite_columns(root / "data" / "observations.csv", lambda r: r + ["comment" if r[0] == "series" else ""])
    return args(root)


@case("data-duplicate-row")
def _data_duplicate_row(root: Path) -> list[str]:
    path = root / "data" / "observations.csv"
    insert_line(path, 3, path.read_text(encoding="utf-8").splitlines()[1])  # line 3 = a copy of line 2
    return args(root)


@case("data-duplicate-source-id")
def _data_duplicate_source_id(root: Path) -> list[str]:
    path = root / "data" / "sources.csv"
    insert_line(path, 2, "S01,Example publisher,Example title,2024,,high")  # the real S01 is now line 3
    return args(root)


# The plan: an edit of EXAMPLE_PLAN (each text to replace must occur exactly once).
PLAN_EDITS = {
    "plan-yaml-syntax": ("  - id: unemployment_rate\n", "  - id: unemployment_rate\n   name: oops\n"),
    "plan-unsafe-tag": ("end_year: 2025", "end_year: !!python/object/apply:os.system ['echo hi']"),
    "plan-unknown-kind": ("kind: cumulative", "kind: cumulativ"),
    "plan-missing-target": ("    target: 275\n", ""),
    "plan-no-series": ("    series: new_jobs\n", ""),
    "plan-end-before-base": ("end_year: 2025", "end_year: 2019"),
    "plan-duplicate-id": ("- id: unemployment_rate", "- id: new_jobs"),
    "plan-unknown-field": ("direction: lower", "directon: lower"),
    "plan-unknown-context": ("    direction: lower\n", "    direction: lower\n    context: [registered_rate]\n"),
    "plan-duplicate-key": ("end_year: 2025\n", "end_year: 2025\nend_year: 2026\n"),
    "plan-target-infinite": ("target: 275", "target: .inf"),
    "plan-target-boolean": ("target: 275", "target: true"),
    "plan-target-percent": ("target: 5.5", "target: 150"),
    "plan-year-not-whole": ("end_year: 2025", "end_year: 2025.5"),
    "plan-method-range": ("indicators:", "method: {interval: 1.5}\nindicators:"),
    "plan-method-order": ("indicators:", "method: {likely_at: 0.95}\nindicators:"),
    "plan-undrawable": ("en: New urban jobs}", "en: New urban jobs 🚀}"),
    # Ten times ten times ... (9 levels): 10^9 values, from a dozen lines.
    "plan-alias-bomb": ("indicators:", "bomb: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
                        + "".join(f"bomb{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9))
                        + "indicators:"),
}


def _plan_edit(case_id: str) -> Case:
    old, new = PLAN_EDITS[case_id]

    def make(root: Path) -> list[str]:
        assert EXAMPLE_PLAN.count(old) == 1, case_id
        (root / "params" / PLAN).write_text(EXAMPLE_PLAN.replace(old, new), encoding="utf-8")
        return args(root)
    return make


CASES.update({case_id: _plan_edit(case_id) for case_id in PLAN_EDITS})


@case("plan-missing-file")
def _plan_missing_file(root: Path) -> list[str]:
    return args(root, plan="nope.yaml")


@case("plan-not-utf8")
def _plan_not_utf8(root: Path) -> list[str]:
    (root / "params" / PLAN).write_bytes(EXAMPLE_PLAN.encode("gbk"))
    return args(root)


# The command line.
CLI_ARGS: dict[str, Callable[[Path], list[str]]] = {
    "cli-year-after": lambda root: args(root, year="2030"),
    "cli-year-base": lambda root: args(root, year="2020"),
    "cli-year-not-a-number": lambda root: args(root, year="twenty"),
    "cli-only-unknown": lambda root: args(root, "--only", "new_jobs", "no_such"),
    "cli-only-not-identified": lambda root: args(root, "--only", "unidentified_3"),
    "cli-out-in-data": lambda root: args(root)[:-1] + [str(root / "data" / "out")],
    "cli-out-params": lambda root: args(root)[:-1] + [str(root / "params")],
    "cli-lang": lambda root: args(root, "--lang", "fr"),
    "cli-jobs": lambda root: args(root, "--jobs", "0"),
    "cli-timeout": lambda root: args(root, "--timeout", "soon"),
    "cli-vintage": lambda root: args(root, "--vintage", "2024-13"),
}
CASES.update(CLI_ARGS)


@case("cli-out-unwritable")
def _cli_out_unwritable(root: Path) -> list[str]:
    (root / "notes.txt").write_text("a file, not a folder\n", encoding="utf-8")
    return args(root)[:-1] + [str(root / "notes.txt" / "reports")]


@case("cli-out-year-is-data")
def _cli_out_year_is_data(root: Path) -> list[str]:
    # The data live in <root>/runs/2023/; --out <root>/runs would publish the report over them.
    (root / "runs").mkdir()
    (root / "data").rename(root / "runs" / "2023")
    (root / "params" / PLAN).write_text(EXAMPLE_PLAN.replace("../data/", "../runs/2023/"), encoding="utf-8")
    return args(root)[:-1] + [str(root / "runs")]


@case("cli-out-not-a-report")
def _cli_out_not_a_report(root: Path) -> list[str]:
    (root / "out" / "2023").mkdir(parents=True)
    (root / "out" / "2023" / "draft.docx").write_text("an analyst's own file\n", encoding="utf-8")
    return args(root)


# Several plans in one run (--plan with several files, or a folder).
def plans_args(root: Path, *plans: Path) -> list[str]:
    return ["--year", "2023", "--plan", *map(str, plans), "--out", str(root / "out")]


@case("cli-plans-same-id")
def _cli_plans_same_id(root: Path) -> list[str]:
    shutil.copyfile(root / "params" / PLAN, root / "params" / "copy.yaml")
    return plans_args(root, root / "params" / PLAN, root / "params" / "copy.yaml")


@case("cli-plan-folder-empty")
def _cli_plan_folder_empty(root: Path) -> list[str]:
    (root / "plans").mkdir()
    return plans_args(root, root / "plans")


@case("cli-plans-single-report")
def _cli_plans_single_report(root: Path) -> list[str]:
    (root / "out" / "example_plan").mkdir(parents=True)
    (root / "out" / "example_plan" / "manifest.json").write_text("{}\n", encoding="utf-8")
    return plans_args(root, root / "params")


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------

def make_root(folder: Path) -> Path:
    """The doc's example plan, and a copy of data/ with the observations of its series only."""
    root = folder.resolve() / "root"
    shutil.copytree(ROOT / "data", root / "data")
    obs = root / "data" / "observations.csv"
    header, *lines = obs.read_text(encoding="utf-8").splitlines(keepends=True)
    obs.write_text(header + "".join(line for line in lines if line.startswith(EXAMPLE_SERIES)), encoding="utf-8")
    (root / "params").mkdir()
    (root / "params" / PLAN).write_text(EXAMPLE_PLAN, encoding="utf-8")
    return root


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return make_root(tmp_path)


def run_main(argv: list[str], capsys) -> tuple[int, str]:
    try:
        status = run_all.main(argv)
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    return status, capsys.readouterr().err


def test_every_case_is_documented_once_and_reproduced():
    documented = [r.case for r in doc_rows()]
    assert len(documented) == len(set(documented)), "a case id appears twice in docs/errors.md"
    assert sorted(r.case for r in ROWS) == sorted(CASES)


def test_the_doc_shows_the_example_plan():
    assert EXAMPLE_PLAN in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.case)
def test_documented_message(row: DocRow, root: Path, capsys):
    argv = CASES[row.case](root)
    status, err = run_main(argv, capsys)
    assert "Traceback" not in err
    lines = err.replace(str(root), "<root>").strip().splitlines()
    assert lines and lines[-1] == row.message
    assert status == row.status
    if row.message.startswith("run_all.py: error: ") and "argument --" not in row.message:
        # The same case with --debug: the InputError itself, whose text is the documented message.
        with pytest.raises(InputError) as caught:
            run_all.main([*argv, "--debug"])
        assert str(caught.value).replace(str(root), "<root>") == row.message.removeprefix("run_all.py: error: ")
