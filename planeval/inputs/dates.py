"""Dates as the data write them, and the vintage cut's conservative comparison (standard library only,
so ``run_all.py`` can check ``--vintage`` before it imports pandas).

A source's ``published`` date may be partial: ``2024``, ``2024-03`` or ``2024-03-16`` (or a month span,
``2024-01/2024-03``). A partial date could mean any day of its year or month, so the vintage cut
compares the **latest** day it could mean: a source dated only ``2024`` counts as published by a
vintage only when the vintage is 2024-12-31 or later, one dated ``2024-03`` only from 2024-03-31.
A vintage written as a year or a month means the end of it: ``--vintage 2024-06`` is "what was
published by 30 June 2024" (a source dated ``2024-06`` is in, one dated ``2024`` is not).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_DAY = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")
VINTAGE_FORMAT = "YYYY, YYYY-MM or YYYY-MM-DD"


def latest_day(text: str) -> date:
    """The last day ``text`` (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM/YYYY-MM) could mean; ValueError on
    anything else, including a day the calendar does not have (2023-02-29)."""
    last = text.split("/")[-1] if text.count("/") == 1 else text
    m = _DAY.match(last)
    if not m:
        raise ValueError(f"expected a date ({VINTAGE_FORMAT}), got {text!r}")
    year = int(m["y"])
    month = int(m["m"]) if m["m"] else 12
    if not 1 <= month <= 12:
        raise ValueError(f"expected a date ({VINTAGE_FORMAT}), got {text!r}: there is no month {month}")
    days = calendar.monthrange(year, month)[1]
    day = int(m["d"]) if m["d"] else days
    if not 1 <= day <= days:
        raise ValueError(f"expected a date ({VINTAGE_FORMAT}), got {text!r}: {year}-{month:02d} has no day {day}")
    return date(year, month, day)


def parse_vintage(text: str) -> date:
    """The day a ``--vintage`` value stands for (the last day of a year or a month); ValueError with
    the expected format when it is not YYYY, YYYY-MM or YYYY-MM-DD or not a real day."""
    if "/" in text:
        raise ValueError(f"expected a date ({VINTAGE_FORMAT}), got {text!r}")
    return latest_day(text)


def published_by(published: str, vintage: date) -> bool:
    """Whether a source dated ``published`` (possibly partial) was surely out by ``vintage``."""
    return latest_day(published) <= vintage
