"""The one error type for bad input: it names the file, the row and the field."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_INPUT_BYTES = 50 * 2**20  # a plan or data file larger than this is not one


@dataclass
class InputError(Exception):
    """Input that the tool refuses, located as precisely as it can be.

    ``row`` is the 1-based line number in the file as a text editor shows it (the header of a CSV
    is line 1, so the first data row is line 2); ``None`` when the problem is the whole file. In a
    workbook (``sheet`` given) it is the row number the spreadsheet shows, and ``field`` the column.
    """

    file: Path | str | None
    message: str
    row: int | None = None
    field: str | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.sheet is not None:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"{'row' if self.sheet is not None else 'line'} {self.row}")
        if self.field is not None:
            where.append(f"{'column' if self.sheet is not None else 'field'} '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


def read_input(path: Path, missing: str = "file not found") -> bytes:
    """The bytes of an input file, or InputError: only a regular file of at most MAX_INPUT_BYTES is
    read, so a folder, a device or a pipe given as an input is refused without being opened (nothing
    blocks, nothing endless is read)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, missing) from None
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a pipe" if stat.S_ISFIFO(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "a device")
        raise InputError(path, f"this is {kind}, not a file; give the path of a file")
    too_big = InputError(path, f"larger than {MAX_INPUT_BYTES // 2**20} MB: not a plan or data file")
    if st.st_size > MAX_INPUT_BYTES:
        raise too_big
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise too_big
    return data
