"""Observations, sources and project evidence: loading and validation (the types they load into,
and the as-of cut, are in :mod:`planeval.inputs.model`).

Files are read as text (UTF-8, every cell a string) and validated with pandera schemas; the first
problem found is raised as :class:`~planeval.inputs.errors.InputError` naming the file, the line (as an
editor shows it: the header is line 1) and the field. Nothing is filled, interpolated or dropped.
A data file may also be an Excel workbook (:mod:`planeval.inputs.workbook`): the same columns, read as
text into the same frame and validated by the same checks; its errors name the sheet, row and column.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pandas as pd

if TYPE_CHECKING:
    import pandera.pandas as pa

from planeval.inputs.errors import InputError, read_input
from planeval.inputs.model import (CONFIDENCE, OBSERVATION_KINDS, POINT_QUALIFIERS, PROJECT_STATUSES,  # noqa: F401
                                   QUALIFIERS, Dataset, Period)
from planeval.inputs.plan import LoadedPlan, Plan, check_drawable


_YEAR = r"(?:19|20|21)\d\d"
_MONTH = r"(?:0[1-9]|1[0-2])"
PERIOD_PATTERN = re.compile(
    rf"^(?P<year>{_YEAR})$"
    rf"|^(?P<y0>{_YEAR})-(?P<y1>{_YEAR})$"
    rf"|^(?P<m0y>{_YEAR})-(?P<m0>{_MONTH})/(?P<m1y>{_YEAR})-(?P<m1>{_MONTH})$"
)
# How a value is written (data/README.md): digits, an optional leading minus and decimal point. Not
# 1e3, 0x10, " 5", 1_000, 1,000, nan or inf, which Python or pandas would otherwise read as numbers,
# and at most 15 digits before the point, so no value overflows in a log or logit transform.
NUMBER = r"^-?\d{1,15}(?:\.\d+)?$"
NUMBER_TEXT = ("a number written as plain digits (an optional leading '-', one '.', at most 15 digits before it; "
               "no exponent, spaces, separators, nan or inf)")
DATE_PATTERN = re.compile(rf"^{_YEAR}(?:-{_MONTH}(?:-(?:0[1-9]|[12]\d|3[01]))?)?(?:/{_YEAR}-{_MONTH})?$")


def parse_period(text: str) -> Period:
    """Parse ``2023``, ``2021-2025`` or ``2023-01/2023-10``; ValueError on anything else."""
    m = PERIOD_PATTERN.match(text)
    if not m:
        raise ValueError(f"period {text!r} is not YYYY, YYYY-YYYY or YYYY-MM/YYYY-MM")
    if m["year"]:
        y = int(m["year"])
        return Period(text, "year", y, y)
    if m["y0"]:
        y0, y1 = int(m["y0"]), int(m["y1"])
        if y1 < y0:
            raise ValueError(f"period {text!r} ends before it starts")
        return Period(text, "years", y0, y1)
    y0, y1 = int(m["m0y"]), int(m["m1y"])
    if (y1, m["m1"]) < (y0, m["m0"]):
        raise ValueError(f"period {text!r} ends before it starts")
    return Period(text, "months", y0, y1)


def _is_period(s: pd.Series) -> pd.Series:
    return s.map(lambda t: bool(PERIOD_PATTERN.match(t)) and _ordered(t))


def _ordered(text: str) -> bool:
    try:
        parse_period(text)
    except ValueError:
        return False
    return True


def _value_in_range(df: pd.DataFrame) -> pd.Series:
    """Counts and stocks are never negative; a plain percentage lies in [0, 100]."""
    unit = df["unit"].astype(str)
    value = pd.to_numeric(df["value"], errors="coerce")
    pct_change = unit.str.startswith("% yoy") | unit.str.contains("change", regex=False)
    pct = unit.str.startswith("%") & ~pct_change
    ok = value.isna() | pct_change | (value >= 0)
    ok &= ~pct | value.isna() | (value <= 100)
    return ok


def _both_languages(pa: Any, field: str, what: str) -> list[pa.Check]:
    """A text the reader sees is given in both languages or in neither: ``{field}_en`` and ``{field}_zh``
    are empty together (the error names the empty one)."""
    def missing(lang: str, other: str):
        return lambda df: ~((df[f"{field}_{lang}"] == "") & (df[f"{field}_{other}"] != ""))
    return [pa.Check(missing("zh", "en"), element_wise=False, name=f"{field}_zh",
                     error=f"{what} in Chinese too ({field}_en is given)"),
            pa.Check(missing("en", "zh"), element_wise=False, name=f"{field}_en",
                     error=f"{what} in English too ({field}_zh is given)")]


# The data files' columns, by table (the schemas below check exactly these, in any order).
COLUMNS = {
    "observations": ("series", "period", "value", "qualifier", "unit", "kind", "source", "note_en", "note_zh"),
    "sources": ("source", "publisher", "title", "published", "url", "confidence"),
    "projects": ("project", "category", "name_zh", "name_en", "date", "evidence_en", "evidence_zh", "source", "status"),
}


@functools.cache
def schemas() -> dict[str, pa.DataFrameSchema]:
    """The pandera schema of each table (:data:`COLUMNS`), built on first use: pandera takes 0.45 s
    to import, and a kernel given data its run has validated never needs it (:func:`load_dataset`)."""
    import pandera.pandas as pa

    observations = pa.DataFrameSchema(
        {
            "series": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$",
                                                          error="a lower-case identifier such as gdp_growth")),
            "period": pa.Column(str, pa.Check(_is_period, element_wise=False,
                                              error="YYYY, YYYY-YYYY or YYYY-MM/YYYY-MM, start before end")),
            "value": pa.Column(str, pa.Check.str_matches(NUMBER, error=NUMBER_TEXT), nullable=True),
            "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS + ("",), error=f"one of {' '.join(QUALIFIERS)}")),
            "unit": pa.Column(str, pa.Check.str_length(min_value=1, error="a unit, e.g. % or 10k persons")),
            "kind": pa.Column(str, pa.Check.isin(OBSERVATION_KINDS, error=f"one of {', '.join(OBSERVATION_KINDS)}")),
            "source": pa.Column(str, pa.Check.str_matches(r"^\S+$", error="a source id from sources.csv")),
            "note_en": pa.Column(str),
            "note_zh": pa.Column(str),
        },
        checks=[
            *_both_languages(pa, "note", "a note"),
            pa.Check(_value_in_range, element_wise=False, name="value",
                     error="a count that is not negative, or a percentage from 0 to 100"),
            pa.Check(lambda df: ~(df["value"].isna() & (df["unit"] != "text")), element_wise=False, name="value",
                     error="a number (only a plan target with unit 'text' may leave value empty)"),
            pa.Check(lambda df: df["value"].isna() == (df["qualifier"] == ""), element_wise=False, name="qualifier",
                     error="a qualifier exactly when there is a value, none when value is empty"),
        ],
        strict=True,
        ordered=False,
    )

    sources = pa.DataFrameSchema(
        {
            "source": pa.Column(str, [pa.Check.str_matches(r"^\S+$", error="an id without spaces"),
                                      pa.Check(lambda s: ~s.duplicated(keep="first"), element_wise=False,
                                               error="each source id once")]),
            "publisher": pa.Column(str, pa.Check.str_length(min_value=1, error="the publisher")),
            "title": pa.Column(str, pa.Check.str_length(min_value=1, error="the title")),
            "published": pa.Column(str, pa.Check.str_matches(DATE_PATTERN.pattern, error="YYYY, YYYY-MM or YYYY-MM-DD")),
            "url": pa.Column(str),
            "confidence": pa.Column(str, pa.Check.isin(CONFIDENCE, error=f"one of {', '.join(CONFIDENCE)}")),
        },
        strict=True,
        ordered=False,
    )

    projects = pa.DataFrameSchema(
        {
            "project": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$", error="a lower-case identifier")),
            "category": pa.Column(str),
            "name_zh": pa.Column(str, pa.Check.str_length(min_value=1, error="the Chinese name")),
            "name_en": pa.Column(str, pa.Check.str_length(min_value=1, error="the English name")),
            "date": pa.Column(str, pa.Check(lambda s: (s == "") | s.str.match(DATE_PATTERN.pattern), element_wise=False,
                                            error="empty, YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM/YYYY-MM")),
            "evidence_en": pa.Column(str, pa.Check.str_length(min_value=1, error="what happened, in English")),
            "evidence_zh": pa.Column(str, pa.Check.str_length(min_value=1, error="what happened, in Chinese")),
            "source": pa.Column(str),
            "status": pa.Column(str, pa.Check.isin(PROJECT_STATUSES + ("",), error=f"empty or one of {', '.join(PROJECT_STATUSES)}")),
        },
        checks=[pa.Check(lambda df: (df["date"] == "") == (df["source"] == ""), element_wise=False, name="source",
                         error="a dated event has a source; an undated row says no evidence was found")],
        strict=True,
        ordered=False,
    )
    return {"observations": observations, "sources": sources, "projects": projects}


def read_csv_text(path: Path) -> pd.DataFrame:
    """Every cell as a string ('' for empty), indexed by the line each row starts on (as an editor
    shows it: blank lines and notes quoted over several lines counted), or InputError for a missing,
    non-UTF-8, empty, header-only or malformed file, or a path that is not a regular file."""
    raw = read_input(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        # The field: the header's name for the cell holding the bad byte (cells counted up to it).
        header = next(csv.reader([raw.split(b"\n", 1)[0].decode("utf-8", "replace")]), [])
        before = raw[raw.rfind(b"\n", 0, exc.start) + 1: exc.start].decode("utf-8", "replace")
        column = len(next(csv.reader([before]), [""])) - 1
        field = header[column].strip() if line > 1 and column < len(header) else None
        raise InputError(path, f"not UTF-8 (byte {exc.start}); re-save the file as UTF-8 "
                               "(e.g. iconv -f GBK -t UTF-8)", row=line, field=field) from None
    if not text.strip():
        raise InputError(path, "the file is empty; expected a header row and data rows")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    end = 0
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record:
                continue  # a blank line
            if header is None:
                header = record
                continue
            if len(record) != len(header):
                raise InputError(path, f"not a well-formed CSV: {len(record)} fields where the header has "
                                       f"{len(header)}", row=start)
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise InputError(path, f"not a well-formed CSV: {exc}", row=reader.line_num) from None
    if not rows:
        raise InputError(path, "the file has a header row but no data rows")
    return pd.DataFrame(rows, columns=header, index=pd.Index(lines, name="line"))


def read_table(path: Path, table: str) -> pd.DataFrame:
    """A data file as a frame of strings indexed by line (CSV) or row (workbook, the sheet named
    ``table`` or its only sheet: :func:`planeval.inputs.workbook.read_sheet_text`)."""
    from planeval.inputs import workbook

    if workbook.is_workbook(path):
        return workbook.read_sheet_text(path, table)
    return read_csv_text(path)


@contextmanager
def _located(df: pd.DataFrame) -> Iterator[None]:
    """An InputError about a frame read from a workbook names its sheet (and says row and column)."""
    try:
        yield
    except InputError as exc:
        if exc.sheet is None and df.attrs.get("sheet") is not None:
            exc.sheet = df.attrs["sheet"]
        raise


def validate(df: pd.DataFrame, table: str, path: Path, checked: bool = False) -> pd.DataFrame:
    """Validate a table (a key of :data:`COLUMNS`) with pandera; the first failure becomes an InputError
    with line and field. ``checked``: these bytes were validated already (by the run that executes this
    notebook: see :func:`load_dataset`), so only the types are set, as validation leaves them."""
    numbers = "value" in COLUMNS[table]
    if numbers and "value" in df.columns:
        df = df.assign(value=df["value"].replace("", None))
    if checked:
        return df.assign(value=df["value"].astype(float)) if numbers else df
    import pandera.pandas as pa

    schema = schemas()[table]
    try:
        valid = schema.validate(df, lazy=True)
        return valid.assign(value=valid["value"].astype(float)) if numbers else valid
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        missing = cases[cases["check"] == "column_in_dataframe"]  # a missing column before an unknown one
        first = missing.iloc[0] if len(missing) else cases.iloc[0]
        if first["check"] in ("column_in_dataframe", "column_in_schema"):
            expected = ", ".join(schema.columns)
            what = "missing column" if first["check"] == "column_in_dataframe" else "unexpected column"
            raise InputError(path, f"{what} '{first['failure_case']}'; expected columns: {expected}",
                             row=1, field=str(first["failure_case"])) from None
        cases = cases[cases["index"].notna()] if cases["index"].notna().any() else cases
        if cases["index"].notna().any():  # the first line; on it, a cell's own check before the row's
            cases = cases.assign(_wide=cases["schema_context"] == "DataFrameSchema")
            first = cases.sort_values(["index", "_wide"], kind="stable").iloc[0]
        else:
            first = cases.iloc[0]
        row = int(first["index"]) if pd.notna(first["index"]) else None  # the index is the line
        field = first["column"] if isinstance(first["column"], str) else None
        check = str(first["check"])
        if first["schema_context"] == "DataFrameSchema":
            wide = next((c for c in schema.checks if c.error == check), None)
            field = wide.name if wide is not None else field
            return_msg = f"expected {check}"
            if row is not None and field in df.columns:
                return_msg += f", got {_shown(df.loc[int(first['index']), field])}"
            raise InputError(path, return_msg, row=row, field=field) from None
        expected = _expectation(schema, field, check)
        got = df.loc[int(first["index"]), field] if row is not None and field in df.columns else first["failure_case"]
        raise InputError(path, f"expected {expected}, got {_shown(got)}", row=row, field=field) from None


def _shown(value: object) -> str:
    """A cell as the message shows it: quoted, or 'an empty cell'."""
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return "an empty cell"
    return repr(value)


def _expectation(schema: pa.DataFrameSchema, field: str | None, check: str) -> str:
    if "coerce_dtype" in check or "dtype(" in check:
        return "a number"
    checks = schema.columns[field].checks if field in schema.columns else schema.checks
    for c in checks:  # pandera reports a check by its error text when it has one
        if c.error and c.error == check:
            return c.error
    for c in checks:
        if c.error and (c.name in check or check.startswith(str(c.name))):
            return c.error
    for c in list(schema.columns[field].checks if field in schema.columns else []) + list(schema.checks):
        if c.error:
            return c.error
    return check


def load_observations(path: Path, sources: pd.DataFrame | None = None, checked: bool = False) -> pd.DataFrame:
    raw = read_table(path, "observations")
    with _located(raw):
        return _observations(raw, path, sources, checked)


def _sources_name(sources: pd.DataFrame) -> str:
    return "the sources sheet" if sources.attrs.get("sheet") else "sources.csv"


def _observations(raw: pd.DataFrame, path: Path, sources: pd.DataFrame | None, checked: bool = False) -> pd.DataFrame:
    df = validate(raw, "observations", path, checked)
    periods = df["period"].map(parse_period)
    df["period_type"] = periods.map(lambda p: p.type)
    df["start_year"] = periods.map(lambda p: p.start_year).astype(int)
    df["end_year"] = periods.map(lambda p: p.end_year).astype(int)
    df["line"] = df.index
    dup = df.duplicated(subset=["series", "period", "kind", "source", "value", "qualifier"], keep="first")
    if dup.any():
        i = int(dup.idxmax())
        first = df[(df["series"] == df.at[i, "series"]) & (df["period"] == df.at[i, "period"])
                   & (df["source"] == df.at[i, "source"]) & (df["kind"] == df.at[i, "kind"])]["line"].iloc[0]
        line = "row" if raw.attrs.get("sheet") else "line"
        raise InputError(path, f"duplicate of {line} {first} (same series, period, kind, source and value)",
                         row=i, field="source")
    if sources is not None:
        _check_sources(df, ~df["source"].isin(set(sources["source"])), sources, path)
    out = df.reset_index(drop=True)
    out.attrs = dict(raw.attrs)
    return out


def _check_sources(df: pd.DataFrame, unknown: pd.Series, sources: pd.DataFrame, path: Path) -> None:
    """The first row whose source id (``unknown``) is not in the sources table: an error naming it."""
    if unknown.any():
        i = int(unknown.idxmax())
        raise InputError(path, f"source {df.at[i, 'source']!r} is not in {_sources_name(sources)}", row=i,
                         field="source")


def load_sources(path: Path, checked: bool = False) -> pd.DataFrame:
    raw = read_table(path, "sources")
    with _located(raw):
        out = validate(raw, "sources", path, checked).reset_index(drop=True)
    out.attrs = dict(raw.attrs)
    return out


def load_projects(path: Path | None, sources: pd.DataFrame, checked: bool = False) -> pd.DataFrame:
    if path is None:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in COLUMNS["projects"]})
    raw = read_table(path, "projects")
    with _located(raw):
        df = validate(raw, "projects", path, checked)
        _check_sources(df, (df["source"] != "") & ~df["source"].isin(set(sources["source"])), sources, path)
    out = df.reset_index(drop=True)
    out.attrs = dict(raw.attrs)
    return out


def check_against_plan(obs: pd.DataFrame, plan: Plan, path: Path) -> None:
    """Every series in the data is one the plan knows (an indicator's, a rule's, or context)."""
    known: set[str] = {c.id for c in plan.context_series}
    for ind in plan.evaluated:
        known.update(ind.all_series())
    bad = ~obs["series"].isin(known)
    if bad.any():
        i = int(bad.idxmax())
        raise InputError(path, f"series {obs.at[i, 'series']!r} is not used by the plan; add it to an indicator "
                               "or to context_series in the plan file", row=int(obs.at[i, "line"]), field="series",
                         sheet=obs.attrs.get("sheet"))


def check_units(obs: pd.DataFrame, plan: Plan, path: Path) -> None:
    """A plan that words its units (``units:``) words every unit of its data that has letters in it:
    the Chinese report prints none in English."""
    if not plan.units:
        return
    bad = obs["unit"].map(lambda u: re.search("[A-Za-z]", u) is not None and plan.unit_name(u) is None).astype(bool)
    if bad.any():
        i = int(bad.idxmax())
        raise InputError(path, f"unit {obs.at[i, 'unit']!r} has no Chinese form: add it to the plan's units "
                               f"({obs.at[i, 'unit']!r}: {{zh: …, en: …}})", row=int(obs.at[i, "line"]), field="unit",
                         sheet=obs.attrs.get("sheet"))


def load_dataset(loaded: LoadedPlan, checked: bool = False) -> Dataset:
    """Load and validate the plan's data files. ``checked``: the caller knows these exact bytes passed
    the pandera checks (a kernel of a run, which validated the same plan and files before running any
    notebook: ``nbk.load``); the tables then come out the same without them, and the other checks
    still run."""
    files = {name: loaded.data_path(name) for name in ("observations", "sources", "projects")}
    sources = load_sources(files["sources"], checked)
    obs = load_observations(files["observations"], sources, checked)
    check_against_plan(obs, loaded.plan, files["observations"])
    check_units(obs, loaded.plan, files["observations"])
    projects = load_projects(files["projects"], sources, checked)
    return Dataset(obs, sources, projects, {k: v for k, v in files.items() if v is not None})


def check_in_full(loaded: LoadedPlan, path: Path | None = None) -> Dataset:
    """Every check that ``load_plan(..., drawable=False)`` and ``load_dataset(..., checked=True)`` leave
    out, in the order a full load makes them (the plan's texts, then the data files); the first problem
    is raised. Returns the validated data. ``path``: the plan file as the user named it."""
    check_drawable(loaded, path)
    return load_dataset(loaded)
