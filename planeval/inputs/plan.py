"""The plan file: indicators, target kinds, targets, units, names and definition changes.

Loaded with PyYAML's safe loader only (its C version where available) and validated with pydantic; any problem raises
:class:`~planeval.inputs.errors.InputError` naming the file, the line and the field.
"""

from __future__ import annotations

import math
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from planeval.inputs.config import DEFAULT, MethodConfig, SettingError
from planeval.inputs.dates import parse_vintage
from planeval.inputs.errors import InputError, read_input


class TargetKind(str, Enum):
    ceiling_each_year = "ceiling_each_year"
    floor_each_year = "floor_each_year"
    cumulative = "cumulative"
    end_level = "end_level"
    increase = "increase"
    around = "around"
    full_rate = "full_rate"
    qualitative = "qualitative"

    @property
    def each_year(self) -> bool:
        return self in (TargetKind.ceiling_each_year, TargetKind.floor_each_year, TargetKind.qualitative)


class _FieldError(ValueError):
    """A validator's complaint about one field; ``loc`` is its path below the model being validated,
    so the error can name that field and its line rather than only the enclosing object."""

    def __init__(self, message: str, *loc: str | int):
        super().__init__(message)
        self.loc = loc


def _number(value: Any) -> Any:
    """A YAML number, nothing that only converts to one (true, "12", .nan, .inf, 1e300)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    if not math.isfinite(value) or abs(value) >= 1e15:
        raise ValueError(f"expected a finite number below 1e15 in size, got {value!r}")
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _year(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2199:  # as the data's periods
        raise ValueError(f"expected a year from 1900 to 2199 written as a whole number, got {value!r}")
    return value


Number = Annotated[float, BeforeValidator(_number)]
Whole = Annotated[int, BeforeValidator(_whole)]
Year = Annotated[int, BeforeValidator(_year)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in both report languages."""

    zh: str
    en: str

    def __getitem__(self, lang: str) -> str:
        if lang not in ("zh", "en"):
            raise KeyError(lang)
        return getattr(self, lang)


class DefinitionChange(_Strict):
    """A change in what a series measures, effective from ``year`` (the first year on the new basis).

    ``break``: the measure changed; pace and fits never cross it. ``relabel``: the wording or scope
    changed slightly; the series continues and the report flags the change.
    """

    year: Year
    type: Literal["break", "relabel"]
    zh: str
    en: str


class QualitativeRule(_Strict):
    """An operational rule for a qualitative target: each year, series ``compare`` ≥ series ``at_least``."""

    compare: str
    at_least: str
    zh: str
    en: str
    # What the report calls the two series (both languages) when no indicator or context series names them.
    compare_name: Text | None = None
    at_least_name: Text | None = None


class Indicator(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    number: Whole | None = None
    identified: bool = True
    name: Text
    unit: Text | None = None
    series: str | None = None
    kind: TargetKind | None = None
    target: Number | None = None
    tolerance: Number | None = Field(default=None, gt=0)
    direction: Literal["higher", "lower"] = "higher"
    scale: Literal["log", "logit", "identity"] = "identity"
    target_text: Text | None = None
    source: str | None = None
    rule: QualitativeRule | None = None
    notes: Text | None = None
    definition_changes: list[DefinitionChange] = Field(default_factory=list)
    # What one year's value is: a flow summed over the year, a stock at year end, or a mean over the
    # year (a rate). Decides what partial-year readings say. Default: see ``measure_kind``.
    measure: Literal["flow", "stock", "mean"] | None = None
    # 约束性 (binding) or 预期性 (indicative); None when the plan does not say.
    binding: bool | None = None
    # Each-year ceilings/floors: also judge the mean over the plan years (``aggregate: mean``), and
    # which reading is the verdict's ("primary").
    aggregate: Literal["mean"] | None = None
    primary: Literal["each_year", "mean"] = "each_year"

    @property
    def measure_kind(self) -> str:
        """The plan's ``measure``, or the usual one for the target kind: a cumulative or floor target
        counts a flow, a ceiling or ``around`` target a rate (a mean over the year), the rest stocks."""
        if self.measure is not None:
            return self.measure
        if self.kind in (TargetKind.cumulative, TargetKind.floor_each_year):
            return "flow"
        if self.kind in (TargetKind.ceiling_each_year, TargetKind.around):
            return "mean"
        return "stock"
    context: list[str] = Field(default_factory=list)  # context_series ids drawn on this indicator's chart

    @model_validator(mode="after")
    def _complete(self) -> "Indicator":
        if not self.identified:
            return self
        if not self.series:
            raise _FieldError("an identified indicator needs a 'series'", "series")
        if self.kind is None:
            raise _FieldError("an identified indicator needs a 'kind' (one of: "
                              + ", ".join(k.value for k in TargetKind) + ")", "kind")
        if self.unit is None:
            raise _FieldError("an identified indicator needs a 'unit'", "unit")
        if self.kind is TargetKind.qualitative:
            if self.rule is None:
                raise _FieldError("a qualitative indicator needs a 'rule' (compare / at_least)", "rule")
        elif self.target is None:
            raise _FieldError(f"a {self.kind.value} indicator needs a numeric 'target'", "target")
        if self.kind is TargetKind.increase and self.target is not None and self.target <= 0:
            raise _FieldError("an increase target must be positive (the amount to add)", "target")
        if self.kind is TargetKind.full_rate and self.target != 100:
            raise _FieldError("a full_rate target is 100 (per cent)", "target")
        each = self.kind in (TargetKind.ceiling_each_year, TargetKind.floor_each_year)
        if self.aggregate is not None and not each:
            raise _FieldError("'aggregate: mean' applies to ceiling_each_year and floor_each_year targets only", "aggregate")
        if self.primary == "mean" and self.aggregate != "mean":
            raise _FieldError("'primary: mean' needs 'aggregate: mean'", "primary")
        if self.target is not None:
            if self.scale == "log" and self.target <= 0:
                raise _FieldError(f"a target on log scale must be above 0, got {self.target:g}", "target")
            plain_percent = self.unit.en.startswith("%") and not any(w in self.unit.en for w in ("yoy", "change"))
            if plain_percent and not 0 <= self.target <= 100:
                raise _FieldError(f"a percentage target lies from 0 to 100, got {self.target:g}", "target")
        return self

    @property
    def sign(self) -> int:
        """d = +1 when higher is better, −1 when lower is better."""
        return 1 if self.direction == "higher" else -1

    def breaks(self) -> list[int]:
        return sorted(c.year for c in self.definition_changes if c.type == "break")

    def all_series(self) -> list[str]:
        """Every series whose rows can change this indicator's result."""
        names = [self.series] if self.series else []
        if self.rule is not None:
            names += [self.rule.compare, self.rule.at_least]
        return sorted(set(names))


class NamedItem(_Strict):
    id: str
    name: Text


class DataFiles(_Strict):
    observations: str
    sources: str
    projects: str | None = None


class Plan(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    name: Text
    issuer: Text | None = None
    base_year: Year
    end_year: Year
    midterm_year: Year | None = None  # the mid-term review year; default: see scorecard.midterm_year
    # The day the mid-term report was (or would have been) written: the hindsight scorecard recomputes
    # the mid-term view from the sources published by then. Default: see scorecard.midterm_vintage.
    midterm_vintage: str | None = None
    data: DataFiles
    method: dict[str, Any] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(min_length=1)
    context_series: list[NamedItem] = Field(default_factory=list)
    major_projects: list[NamedItem] = Field(default_factory=list)
    # A data unit (as the observations write it, e.g. "10k persons") -> what each report prints for it.
    # An indicator's own unit needs no entry. With any entry, every unit in the data needs one.
    units: dict[str, Text] = Field(default_factory=dict)
    synthetic: bool = False

    @field_validator("midterm_vintage", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        """YAML reads an unquoted 2024-06-30 as a date and 2024 as a number: both mean their text."""
        return value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _consistent(self) -> "Plan":
        if self.end_year <= self.base_year:
            raise _FieldError(f"end_year {self.end_year} must be after base_year {self.base_year}", "end_year")
        if self.midterm_year is not None and not self.base_year < self.midterm_year < self.end_year:
            raise _FieldError(f"midterm_year {self.midterm_year} must lie strictly between base_year {self.base_year} "
                              f"and end_year {self.end_year}", "midterm_year")
        if self.midterm_vintage is not None:
            try:
                day = parse_vintage(self.midterm_vintage)
            except ValueError as exc:
                raise _FieldError(f"midterm_vintage: {exc}", "midterm_vintage") from None
            if self.midterm_year is not None and day.year < self.midterm_year:
                raise _FieldError(f"midterm_vintage {self.midterm_vintage} is before the mid-term year "
                                  f"{self.midterm_year}", "midterm_vintage")
        seen: set[str] = set()
        for i, ind in enumerate(self.indicators):
            if ind.id in seen:
                raise _FieldError(f"duplicate indicator id '{ind.id}'", "indicators", i, "id")
            seen.add(ind.id)
        context = {c.id for c in self.context_series}
        for i, ind in enumerate(self.indicators):
            for j, sid in enumerate(ind.context):
                if sid not in context:
                    known = ", ".join(sorted(context)) or "none"
                    raise _FieldError(f"'{sid}' is not a context_series id of the plan (it has: {known})",
                                      "indicators", i, "context", j)
        try:
            DEFAULT.with_overrides(self.method)
        except SettingError as exc:
            raise _FieldError(str(exc), "method", exc.key) from None
        return self

    def series_name(self, series: str) -> Text | None:
        """A series' name in both languages: its indicator's, its context series', or a rule's
        ``compare_name``/``at_least_name``; None when the plan names it nowhere."""
        for ind in self.indicators:
            if ind.series == series:
                return ind.name
        for c in self.context_series:
            if c.id == series:
                return c.name
        for ind in self.indicators:
            if ind.rule is not None:
                if ind.rule.compare == series and ind.rule.compare_name is not None:
                    return ind.rule.compare_name
                if ind.rule.at_least == series and ind.rule.at_least_name is not None:
                    return ind.rule.at_least_name
        return None

    def unit_name(self, unit: str) -> Text | None:
        """A data unit in both languages: the plan's ``units`` entry, or the indicator unit whose English
        form it is; None when neither."""
        if unit in self.units:
            return self.units[unit]
        return next((i.unit for i in self.indicators if i.unit is not None and i.unit.en == unit), None)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(f"unknown indicator '{indicator_id}'; the plan has: "
                       + ", ".join(i.id for i in self.indicators))

    @property
    def evaluated(self) -> list[Indicator]:
        return [i for i in self.indicators if i.identified]

    @property
    def method_config(self) -> MethodConfig:
        return DEFAULT.with_overrides(self.method)


class LoadedPlan(BaseModel):
    """A plan together with where it was read from (data paths are relative to it)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)
    plan: Plan
    path: Path

    def data_path(self, name: Literal["observations", "sources", "projects"]) -> Path | None:
        rel = getattr(self.plan.data, name)
        return None if rel is None else (self.path.parent / rel).resolve()

    def data_paths(self) -> list[Path | None]:
        """The observations, sources and projects files (None: not given)."""
        return [self.data_path("observations"), self.data_path("sources"), self.data_path("projects")]


def plan_of(plan: Plan | LoadedPlan) -> Plan:
    """The plan itself, whether given alone or as loaded from its file."""
    return plan.plan if isinstance(plan, LoadedPlan) else plan


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location, as deep as it can be followed."""
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _field_name(loc: tuple[Any, ...], data: Any) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            try:
                ident = data[part].get("id") if isinstance(data, list) else None
            except (AttributeError, IndexError, KeyError, TypeError):
                ident = None
            parts.append(f"{label}(id={ident})" if ident else label)
        else:
            if not (part.startswith("function-") or part in ("str", "int", "float", "list", "dict")):
                parts.append(("." if parts else "") + part)
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            data = None
    return "".join(parts) or "(plan)"


MAX_YAML_VALUES = 100_000  # values in the plan once its aliases are expanded: a plan has a few hundred


def _check_yaml(root: yaml.Node | None, path: Path) -> None:
    """Refuse what safe_load lets through silently: a key given twice in one mapping (the last one
    would win) and aliases that expand beyond any plan's size (an "alias bomb" would make the
    validation walk billions of values)."""
    seen: set[int] = set()
    twice: list[tuple[int, int, str]] = []  # (line, line of the first one, field)
    count = 0
    stack: list[tuple[yaml.Node, str]] = [(root, "")] if root is not None else []
    while stack:
        node, where = stack.pop()
        count += 1
        if count > MAX_YAML_VALUES:
            raise InputError(path, f"the plan expands to more than {MAX_YAML_VALUES:,} values through its YAML "
                                   "aliases (*name); write the values out, or use fewer aliases",
                             row=node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            keys: dict[object, int] = {}
            for key, value in node.value:
                name = getattr(key, "value", None)
                if isinstance(key, yaml.ScalarNode) and name != "<<" and id(node) not in seen:
                    if name in keys:
                        twice.append((key.start_mark.line + 1, keys[name], f"{where}.{name}".lstrip(".")))
                    keys[name] = key.start_mark.line + 1
                stack.append((value, f"{where}.{name}"))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(node.value))
        seen.add(id(node))
    if twice:
        line, first, field = min(twice)
        raise InputError(path, f"'{field.rsplit('.', 1)[-1]}' is given twice in the same mapping (first on line "
                               f"{first}); YAML would keep only the last one: remove one", row=line, field=field)


# PyYAML's safe loader, in C (libyaml) where the wheel has it: ten times faster than the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    """The YAML text parsed once: its node tree (for :func:`_check_yaml` and line numbers) and its values."""
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


def _read(path: Path) -> tuple[yaml.Node | None, dict[str, Any]]:
    """A plan file's YAML: its node tree (for line numbers) and its values, a mapping."""
    try:
        text = read_input(path, missing="plan file not found").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start}); save the plan as UTF-8") from None
    try:
        try:
            root, raw = _parse(text, SAFE_LOADER)
        except yaml.YAMLError:
            root, raw = _parse(text, yaml.SafeLoader)  # the same error, in PyYAML's own words (docs/errors.md)
        _check_yaml(root, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        what = ("YAML tag not allowed (a plan holds plain values only; it is read with safe_load and nothing in "
                "it is executed)" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax error")
        raise InputError(path, f"{what}: {problem}", row=mark.line + 1 if mark else None) from None
    if not isinstance(raw, dict):
        raise InputError(path, "a plan file is a YAML mapping with id, name, base_year, end_year, data, indicators")
    return root, raw


def load_plan(path: Path | str, drawable: bool = True) -> LoadedPlan:
    """Read and validate a plan file. ``drawable``: also check that the charts' font can draw its texts
    (:func:`check_drawable`; a run does it beside the notebooks, a few tenths of a second)."""
    path = Path(path)
    root, raw = _read(path)
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"]) + getattr((err.get("ctx") or {}).get("error"), "loc", ())
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "enum":
            msg = f"{msg} (got {err.get('input')!r})"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field (misspelt?)"
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise InputError(path, msg + more, row=_line_of(root, loc), field=_field_name(loc, raw)) from None
    loaded = LoadedPlan(plan=plan, path=path.resolve())
    if drawable:
        check_drawable(loaded, path)
    return loaded


def check_drawable(loaded: LoadedPlan, path: Path | None = None) -> None:
    """Refuse a text the charts draw (names, units, rules) with a character their font cannot draw:
    the notebook would fail on it. (A '$' is drawn literally: the charts never read formulas.) The
    file (``path``, as the user named it; default: the plan's) is read again for the line of such a
    text only."""
    from planeval.inputs.glyphs import undrawable

    plan, path = loaded.plan, path or loaded.path

    texts: list[tuple[tuple[Any, ...], Text]] = []
    for i, ind in enumerate(plan.indicators):
        texts += [(("indicators", i, "name"), ind.name), (("indicators", i, "unit"), ind.unit),
                  (("indicators", i, "rule"), ind.rule)]  # type: ignore[list-item]
    texts += [(("context_series", i, "name"), c.name) for i, c in enumerate(plan.context_series)]
    texts += [(("units", unit), text) for unit, text in plan.units.items()]
    for loc, text in texts:
        for lang in ("zh", "en") if text is not None else ():
            bad = undrawable(getattr(text, lang))
            if bad:
                root, raw = _read(path)
                shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in bad)
                raise InputError(path, f"{shown} cannot be drawn in the charts (their font has no glyph for it); "
                                       "write it in words", row=_line_of(root, (*loc, lang)),
                                 field=_field_name((*loc, lang), raw))
