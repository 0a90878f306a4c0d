"""The data the method reads: observations, sources and project evidence as loaded, and the as-of cut.

No validation here (that is :mod:`planeval.inputs.data`, with pandera, which builds a :class:`Dataset`):
the method imports these types and names only, never the loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planeval.inputs.dates import parse_vintage, published_by

QUALIFIERS = ("=", "~", "<=", "<", ">=", ">")
POINT_QUALIFIERS = ("=", "~")
OBSERVATION_KINDS = ("actual", "partial", "annual_target", "plan_target", "projection")
CONFIDENCE = ("high", "medium", "low")
PROJECT_STATUSES = ("done", "moved", "in_progress")


@dataclass(frozen=True)
class Period:
    """A period as written in the data: a year, a span of years, or a span of months."""

    text: str
    type: str  # "year" | "years" | "months"
    start_year: int
    end_year: int


@dataclass(frozen=True)
class Dataset:
    observations: pd.DataFrame  # validated, plus columns period_type, start_year, end_year, line
    sources: pd.DataFrame
    projects: pd.DataFrame
    files: dict[str, Path]

    def as_of(self, year: int, vintage: str | None = None) -> "Dataset":
        """Only what was observed for periods ending at or before ``year`` (the as-of discipline) and,
        with a ``vintage`` (YYYY, YYYY-MM or YYYY-MM-DD), only what was published by then: the sources
        surely out by that day (:func:`planeval.inputs.dates.published_by`: a partial date counts by the last
        day it could mean) and the observation rows and dated project events citing them. Cutting again
        with the same or a later year and no vintage changes nothing."""
        obs = self.observations[self.observations["end_year"] <= year]
        dated = self.projects["date"].str.slice(0, 4)
        projects = self.projects[dated.map(lambda d: d == "" or int(d) <= year).astype(bool)]
        sources = self.sources
        if vintage is not None:
            day = parse_vintage(vintage)
            sources = sources[sources["published"].map(lambda p: published_by(p, day)).astype(bool)]
            known = set(sources["source"])
            obs = obs[obs["source"].isin(known)]
            projects = projects[(projects["source"] == "") | projects["source"].isin(known)]
        return Dataset(obs, sources, projects, self.files)

    def copy(self) -> "Dataset":
        """The same rows in tables of its own."""
        return Dataset(self.observations.copy(), self.sources.copy(), self.projects.copy(), dict(self.files))

    def series(self, name: str) -> pd.DataFrame:
        return self.observations[self.observations["series"] == name]
