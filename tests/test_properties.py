"""Properties over random SYNTHETIC inputs: the engine never crashes on valid data, and the loader
turns every invalid cell into an InputError (never another exception, never a silent acceptance)."""

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from planeval.presentation import sentences as words
from planeval.inputs.data import OBSERVATION_KINDS, QUALIFIERS
from planeval.inputs.errors import InputError
from synthetic import HEADER, build, indicator, rows, run

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = {"method": {"paths_per_model": 200}}  # fewer simulated paths: same code, quicker examples
KINDS = ["ceiling_each_year", "floor_each_year", "cumulative", "end_level", "increase", "around", "full_rate",
         "qualitative"]
RATES = {"ceiling_each_year", "around", "full_rate"}  # values in %, so at most 100


def series_values(draw, name: str, unit: str, top: float) -> list[dict]:
    last, n = draw(st.integers(2019, 2027)), draw(st.integers(0, 12))  # the series' last year and length
    value = st.floats(0.01, top).map(lambda v: round(v, 4))
    out = []
    for year in range(last - n + 1, last + 1):
        qualifier = draw(st.sampled_from(["="] * 6 + ["~", "<=", ">=", "<", ">"]))
        out += rows(name, {year: draw(value)}, qualifier=qualifier, unit=unit)
    return out


@st.composite
def cases(draw):
    kind = draw(st.sampled_from(KINDS))
    percent = kind in RATES or draw(st.booleans())
    unit, top = ("%", 100.0) if percent else ("10k", 1e6)
    target = {"full_rate": 100.0, "qualitative": None}.get(kind, draw(st.floats(0.5, top).map(lambda v: round(v, 2))))
    extra = {"direction": draw(st.sampled_from(["higher", "lower"])),
             "scale": draw(st.sampled_from(["log", "logit", "identity"]))}
    if kind == "around":
        extra["tolerance"] = draw(st.sampled_from([0.5, 1.0, 2.5]))
    if kind == "qualitative":
        extra["rule"] = {"compare": "a", "at_least": "b", "zh": "规则", "en": "rule"}
        obs = series_values(draw, "a", unit, top) + series_values(draw, "b", unit, top)
    else:
        obs = series_values(draw, "s", unit, top)
    if draw(st.booleans()):
        extra["definition_changes"] = [{"year": draw(st.integers(2010, 2026)),
                                        "type": draw(st.sampled_from(["break", "relabel"])), "zh": "变", "en": "c"}]
    return indicator("s", kind, target, **extra), obs, draw(st.sampled_from([2023, 2025, 2022, 2024, 2021, 2026, 2020]))


@SETTINGS
@given(case=cases())
def test_valid_series_never_crash(case):
    ind, obs, year = case
    # A series without rows: the file still needs one (a header alone is refused), here of a context series.
    other = {} if obs else {"context": ["c"]}
    with tempfile.TemporaryDirectory() as tmp:
        record = run(Path(tmp), ind, obs or rows("c", {2020: 1}), year, plan_extra=FAST, **other)
    assert record.status.code in words.STATUS and record.verdict.params["status"] == record.status
    json.loads(record.to_json())  # serialisable: no numpy scalars, no NaN
    if ind["kind"] in ("ceiling_each_year", "floor_each_year", "qualitative"):
        judged = sorted(record.years_met + record.years_missed + record.years_unknown)
        assert judged == list(range(2021, min(year, 2025) + 1))  # every elapsed year exactly once
    f = record.forecast
    event(f"status {record.status.code}, forecast {'yes' if f else 'no'}")
    if f is not None:
        assert 0 <= f.probability <= 1 and 0 <= f.probability_uninflated <= 1
        assert f.low <= f.point <= f.high


# --------------------------------------------------------------------------------------------
# Invalid cells
# --------------------------------------------------------------------------------------------

def not_a_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return True
    return False


BAD_CELLS = {
    "value": st.one_of(st.text().filter(not_a_float), st.sampled_from(["inf", "-1", "1,5", "1e999", ""])),
    "period": st.one_of(
        st.text(alphabet="abcxyz-/ .:"),  # no digits at all
        st.integers(0, 999).map(str), st.integers(10000, 99999).map(str),  # not four digits
        st.integers(13, 99).map(lambda m: f"2023-{m:02d}/2023-12"),  # no such month
        st.integers(2001, 2030).map(lambda y: f"{y}-2000"),  # a span that ends before it starts
    ),
    "qualifier": st.text().filter(lambda q: q not in QUALIFIERS),
    "kind": st.text().filter(lambda k: k not in OBSERVATION_KINDS),
    "source": st.text().filter(lambda s: s not in ("T1", "T2", "T3")),
    "series": st.text().filter(lambda s: s != "x"),
    "unit": st.just(""),
}


@SETTINGS
@given(column=st.sampled_from(sorted(BAD_CELLS)), data=st.data(), line=st.integers(2, 4))
def test_invalid_cells_raise_input_error(column, data, line):
    bad = data.draw(BAD_CELLS[column], label="bad cell")
    good = rows("x", {2019: 10, 2020: 11, 2021: 12})
    good[line - 2] = {**good[line - 2], column: bad}
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(good)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            build(Path(tmp), [indicator("x")], buf.getvalue())
        except InputError as err:
            event(f"InputError on field {err.field}")
            assert "observations.csv" in str(err) and err.row is not None
        else:
            raise AssertionError(f"{column}={bad!r} on line {line} was accepted")
