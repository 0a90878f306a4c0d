"""Loaders: the real data loads; every bad input is an InputError naming the file, the line and the field."""

from pathlib import Path

import pytest
import yaml

from planeval.inputs.data import load_dataset, load_projects, load_sources
from planeval.inputs.errors import InputError
from planeval.inputs.plan import load_plan
from synthetic import HEADER, build, indicator, write

ROOT = Path(__file__).resolve().parent.parent
H = ",".join(HEADER) + "\n"
GOOD = "x,2020,10,=,10k,actual,T1,,\n"  # line 2 in every case below; the bad row is line 3


def test_the_real_data_loads():
    loaded = load_plan(ROOT / "params/shanghai_14th_employment.yaml")
    data = load_dataset(loaded)
    lines = (ROOT / "data/observations.csv").read_text(encoding="utf-8").splitlines()
    assert len(data.observations) == len(lines) - 1
    row = data.observations.query("series == 'new_jobs' and period == '2021' and kind == 'actual'").iloc[0]
    assert row["value"] == 63.51 and lines[row["line"] - 1].startswith("new_jobs,2021,63.51,")
    assert set(data.observations["source"]) <= set(data.sources["source"])
    assert len(loaded.plan.indicators) == 13 and len(loaded.plan.evaluated) == 12


# --------------------------------------------------------------------------------------------
# observations.csv
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, line, field, says", [
    (H + GOOD + "x,2021,abc,=,10k,actual,T1,,\n", 3, "value", "a number"),  # non-numeric value
    (H + GOOD + "x,2021,10,about,10k,actual,T1,,\n", 3, "qualifier", "'about'"),  # unknown qualifier
    (H + GOOD + "x,2023-13/2023-14,10,=,10k,partial,T1,,\n", 3, "period", "'2023-13/2023-14'"),  # month 13
    (H + GOOD + "x,23,10,=,10k,actual,T1,,\n", 3, "period", "'23'"),  # two-digit year
    (H + GOOD + "x,2023-10/2023-01,10,=,10k,partial,T1,,\n", 3, "period", "'2023-10/2023-01'"),  # ends first
    (H + GOOD + GOOD, 3, "source", "duplicate of line 2"),  # exact duplicate row
    (H + GOOD + "x,2021,10,=,10k,actual,T9,,\n", 3, "source", "'T9' is not in sources.csv"),
    (H + GOOD + "y,2021,10,=,10k,actual,T1,,\n", 3, "series", "'y' is not used by the plan"),
    (H + GOOD + "x,2021,-5,=,10k,actual,T1,,\n", 3, "value", "'-5'"),  # negative count
    (H + GOOD + "x,2021,100.5,=,%,actual,T1,,\n", 3, "value", "'100.5'"),  # percentage above 100
    (H + GOOD + "x,2021,inf,=,10k,actual,T1,,\n", 3, "value", "nan or inf"),  # Python would read it as a float
    (H + GOOD + "x,2021,,=,10k,actual,T1,,\n", 3, "value", "a number"),  # empty value
    (H + GOOD + "x,2021,10,,10k,actual,T1,,\n", 3, "qualifier", "a qualifier exactly when"),
    (H + GOOD + "x,2021,10,=,10k,outcome,T1,,\n", 3, "kind", "'outcome'"),  # unknown kind
    (H.replace(",unit", "") + "x,2020,10,=,actual,T1,,\n", 1, "unit", "missing column 'unit'"),
    (H.strip() + ",extra\n" + GOOD.strip() + ",1\n", 1, "extra", "unexpected column 'extra'"),
    # A note is given in both languages or in neither.
    (H + GOOD + "x,2021,10,=,10k,actual,T1,registered rate,\n", 3, "note_zh",
     "expected a note in Chinese too (note_en is given), got an empty cell"),
    (H + GOOD + "x,2021,10,=,10k,actual,T1,,登记失业率\n", 3, "note_en",
     "expected a note in English too (note_zh is given), got an empty cell"),
    # A file from before notes had two languages: its single 'note' column is refused at line 1.
    ("series,period,value,qualifier,unit,kind,source,note\nx,2020,10,=,10k,actual,T1,a note\n", 1, "note_en",
     "missing column 'note_en'; expected columns: series, period, value, qualifier, unit, kind, source, note_en, note_zh"),
])
def test_bad_observations(tmp_path, text, line, field, says):
    with pytest.raises(InputError) as caught:
        build(tmp_path, [indicator("x")], text)
    err = caught.value
    assert (Path(err.file).name, err.row, err.field) == ("observations.csv", line, field)
    assert says in str(err)
    assert str(err).startswith(f"{tmp_path / 'observations.csv'}, line {line}, field '{field}': ")


def test_gbk_file_names_line_and_field(tmp_path):
    path = write(tmp_path, [indicator("x")], H)
    (tmp_path / "observations.csv").write_bytes((H + GOOD + "x,2021,10,=,10k,actual,T1,Shanghai,上海\n").encode("gbk"))
    with pytest.raises(InputError) as caught:
        load_dataset(load_plan(path))
    assert (caught.value.row, caught.value.field) == (3, "note_zh")
    assert "observations.csv, line 3, field 'note_zh': not UTF-8" in str(caught.value)


@pytest.mark.parametrize("content, says", [(None, "file not found"), ("", "the file is empty")])
def test_missing_or_empty_file_names_the_file(tmp_path, content, says):
    """A whole-file problem has no line or field (InputError.row is None by design)."""
    path = write(tmp_path, [indicator("x")], H)
    target = tmp_path / "observations.csv"
    target.unlink() if content is None else target.write_text(content)
    with pytest.raises(InputError) as caught:
        load_dataset(load_plan(path))
    assert caught.value.row is None and str(caught.value) == f"{target}: {says}" + (
        "" if content is None else "; expected a header row and data rows")


# --------------------------------------------------------------------------------------------
# The plan file
# --------------------------------------------------------------------------------------------

def plan_error(tmp_path, edit=None, indicators=None, **kw) -> InputError:
    """Write a one-indicator SYNTHETIC plan, let ``edit`` change its text, and return the load error."""
    path = write(tmp_path, indicators or [indicator("x")], H + GOOD, **kw)
    if edit:
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_plan(path)
    assert Path(caught.value.file).name == "plan.yaml"
    return caught.value


def line_of(tmp_path, text: str) -> int:
    """1-based line of the first line of plan.yaml containing ``text``."""
    lines = (tmp_path / "plan.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_yaml_syntax_error_reports_its_line(tmp_path):
    err = plan_error(tmp_path, edit=lambda t: t.replace("end_year: 2025", "end_year: 2025: ["))
    assert err.row == line_of(tmp_path, "end_year") and "YAML syntax error" in str(err)
    assert f"line {err.row}" in str(err)


@pytest.mark.parametrize("ind, field, line_text, says", [
    (indicator("x", kind="ceiling"), "kind", "kind: ceiling", "(got 'ceiling')"),
    (indicator("x", target=None), "target", "- id: x", "needs a numeric 'target'"),
    (indicator("x", series=None), "series", "series: null", "needs a 'series'"),
    (indicator("x", kind="increase", target=-5), "target", "target: -5", "must be positive"),
    (indicator("x", kind="qualitative", target=None), "rule", "- id: x", "needs a 'rule'"),
])
def test_bad_indicator(tmp_path, ind, field, line_text, says):
    err = plan_error(tmp_path, indicators=[ind])
    assert err.field == f"indicators[0](id=x).{field}"
    assert err.row == line_of(tmp_path, line_text)
    assert says in str(err)


def test_end_year_before_base_year(tmp_path):
    err = plan_error(tmp_path, base_year=2025, end_year=2020)
    assert (err.field, err.row) == ("end_year", line_of(tmp_path, "end_year: 2020"))
    assert "end_year 2020 must be after base_year 2025" in str(err)


def test_duplicate_indicator_ids(tmp_path):
    err = plan_error(tmp_path, indicators=[indicator("x"), indicator("y"), indicator("x")])
    assert err.field == "indicators[2](id=x).id"
    ids = [i for i, line in enumerate((tmp_path / "plan.yaml").read_text().splitlines(), 1) if line == "- id: x"]
    assert err.row == ids[1]  # the second 'x', not the first
    assert "duplicate indicator id 'x'" in str(err)


def test_python_object_tag_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    tag = f"!!python/object/apply:os.system ['touch {marker}']"
    err = plan_error(tmp_path, edit=lambda t: t.replace("end_year: 2025", f"end_year: {tag}"))
    assert not marker.exists()
    assert err.row == line_of(tmp_path, "end_year:") and "python/object/apply:os.system" in str(err)


def test_a_plan_that_is_not_a_mapping(tmp_path):
    err = plan_error(tmp_path, edit=lambda t: yaml.safe_dump(["a", "list"]))
    assert "a plan file is a YAML mapping" in str(err)


# --------------------------------------------------------------------------------------------
# Hostile data files
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1e3", "0x10", " 5", "5 ", "+5", "nan", "NaN", "inf", "-inf", "1_000", "1,000",
                                   ".5", "5.", "1" * 16, "1" * 309])
def test_numbers_only_in_the_plain_form_the_readme_allows(tmp_path, value):
    """Python or pandas would read each of these as a number (or infinity: 309 digits overflow a
    float, 16 overflow nothing but are no plausible count); the README allows digits, '-' and '.'."""
    with pytest.raises(InputError) as caught:
        build(tmp_path, [indicator("x")], H + GOOD + f'x,2021,"{value}",=,10k,actual,T1,,\n')
    assert (caught.value.row, caught.value.field) == (3, "value")
    assert "expected a number written as plain digits" in str(caught.value) and repr(value) in str(caught.value)


def test_plain_numbers_load_as_floats(tmp_path):
    loaded = build(tmp_path, [indicator("x")], H + GOOD + "x,2021,-0.25,=,% yoy,actual,T1,,\n"
                   + "x,2022,123456789012345.5,=,10k,actual,T1,,\n")[1]
    assert list(loaded.observations["value"]) == [10.0, -0.25, 123456789012345.5]


def test_line_numbers_count_blank_lines_and_notes_over_several_lines(tmp_path):
    text = (H + "\n" + GOOD + '\nx,2021,11,=,10k,actual,T1,"a note\nover two lines",两行备注\n\n'
            + "x,2022,12,=,10k,actual,T1,\"one \"\"quoted\"\" word\",\"一个\"\"引号\"\"词\"\nx,2023,abc,=,10k,actual,T1,,\n")
    with pytest.raises(InputError) as caught:
        build(tmp_path, [indicator("x")], text)
    assert (caught.value.row, caught.value.field) == (9, "value")  # as an editor shows it
    assert text.splitlines()[8].startswith("x,2023,abc")
    good = build(tmp_path / "ok", [indicator("x")], text.replace("abc", "13"))[1]
    assert list(good.observations["line"]) == [3, 5, 8, 9]


def test_a_row_with_too_many_or_too_few_fields_names_its_line(tmp_path):
    with pytest.raises(InputError) as caught:
        build(tmp_path, [indicator("x")], H + "\n" + GOOD + "x,2021,11,=,10k,actual,T1\n")
    assert caught.value.row == 4 and "7 fields where the header has 9" in str(caught.value)


def test_a_header_without_rows_is_refused(tmp_path):
    with pytest.raises(InputError) as caught:
        build(tmp_path, [indicator("x")], H + "\n")
    assert str(caught.value) == f"{tmp_path / 'observations.csv'}: the file has a header row but no data rows"


@pytest.mark.parametrize("kind", ["folder", "pipe", "device"])
def test_a_data_path_that_is_not_a_file_is_refused_without_reading_it(tmp_path, kind):
    """A pipe would block a reader forever and a device (/dev/zero) never ends: neither is opened."""
    import os

    path = write(tmp_path, [indicator("x")], H + GOOD)
    obs = tmp_path / "observations.csv"
    obs.unlink()
    if kind == "folder":
        obs.mkdir()
    elif kind == "pipe":
        os.mkfifo(obs)
    else:
        obs.symlink_to("/dev/zero")
    with pytest.raises(InputError) as caught:
        load_dataset(load_plan(path))
    assert str(caught.value) == f"{obs.resolve()}: this is a {kind}, not a file; give the path of a file"


def test_a_plan_that_is_a_pipe_is_refused_without_blocking(tmp_path):
    import os

    os.mkfifo(tmp_path / "plan.yaml")
    with pytest.raises(InputError, match="plan.yaml: this is a pipe, not a file"):
        load_plan(tmp_path / "plan.yaml")
# projects.csv
# --------------------------------------------------------------------------------------------

PH = "project,category,name_zh,name_en,date,evidence_en,evidence_zh,source,status\n"
PGOOD = "p,action,项目,Project,2023,started,已启动,T1,in_progress\n"  # line 2; the bad row is line 3


@pytest.mark.parametrize("text, line, field, says", [
    (PH + PGOOD + "p,action,项目,Project,2024,finished,,T1,done\n", 3, "evidence_zh",
     "expected what happened, in Chinese, got an empty cell"),
    (PH + PGOOD + "p,action,项目,Project,2024,,已完成,T1,done\n", 3, "evidence_en",
     "expected what happened, in English, got an empty cell"),
    ("project,category,name_zh,name_en,date,evidence,source,status\np,action,项目,Project,2023,started,T1,done\n",
     1, "evidence_en", "missing column 'evidence_en'; expected columns: project, category, name_zh, name_en, date, "
                       "evidence_en, evidence_zh, source, status"),
])
def test_bad_projects(tmp_path, text, line, field, says):
    path = tmp_path / "projects.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_projects(path, load_sources(write(tmp_path, [indicator("x")], H).parent / "sources.csv"))
    err = caught.value
    assert (Path(err.file).name, err.row, err.field) == ("projects.csv", line, field)
    assert str(err).startswith(f"{path}, line {line}, field '{field}': ") and says in str(err)


def test_the_real_data_has_every_note_and_evidence_in_both_languages():
    """Every text a reader sees is in the data in both languages: no row has one without the other."""
    loaded = load_plan(ROOT / "params/shanghai_14th_employment.yaml")
    data = load_dataset(loaded)
    obs, projects = data.observations, data.projects
    assert ((obs["note_en"] == "") == (obs["note_zh"] == "")).all()
    assert (obs["note_zh"] != "").sum() == 80 and (projects["evidence_zh"] != "").all()
    assert "由2021年推迟至2022年10月" in set(projects["evidence_zh"])
