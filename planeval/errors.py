"""The one error type for bad input: it names the file, the row and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class InputError(Exception):
    """Input that the tool refuses, located as precisely as it can be.

    ``row`` is the 1-based line number in the file as a text editor shows it (the header of a CSV
    is line 1, so the first data row is line 2); ``None`` when the problem is the whole file.
    """

    file: Path | str | None
    message: str
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"line {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message
