"""Where a run writes, and how a finished report replaces the previous one without losing either.

A run writes only below ``--out``: the report ``<out>/<year>/``, its staging folder
``<out>/.staging-<year>-<pid>/``, the failed notebooks ``<out>/<year>.failed/``, the cache
``<out>/.cache/`` and, for an instant while publishing, ``<out>/.old-<year>-<pid>/``.
:func:`check_output_paths` refuses any of them that would equal, contain or sit inside an input,
before any work is done: publishing replaces ``<out>/<year>`` as a whole, so a report folder that
holds the data would delete the data.

:func:`publish` swaps the staging folder in with one atomic ``renameat2(RENAME_EXCHANGE)`` where
the file system allows it. Elsewhere it falls back to two renames with SIGINT/SIGTERM blocked in
between, and :func:`recover` (called at the start of every run) restores the previous report if a
harder stop (SIGKILL, power loss) came between them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import re
import shutil
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from planeval.inputs.errors import InputError

_HOLDING = threading.Event()  # set while the swap's two renames run: a signal handler must wait
_HELD: list[int] = []  # signals a handler put off meanwhile; sent again right after


def hold_signal(signum: int) -> bool:
    """For a signal handler: True (the signal is put off and sent again after the swap) while
    :func:`publish` is between its two renames. Blocking the signals in the main thread is not
    enough: another thread can take it, and Python then runs the handler in the main thread."""
    if _HOLDING.is_set():
        _HELD.append(signum)
        return True
    return False


MARKER = "manifest.json"  # (manifest.NAME) every published report has one; a folder without it is not ours to replace
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def report_dir(out: Path, year: int) -> Path:
    return out / str(year)


def failed_dir(out: Path, year: int) -> Path:
    return out / f"{year}.failed"


def staging_dir(out: Path, year: int, pid: int | None = None) -> Path:
    return out / f".staging-{year}-{os.getpid() if pid is None else pid}"


def old_dir(out: Path, year: int, pid: int | None = None) -> Path:
    return out / f".old-{year}-{os.getpid() if pid is None else pid}"


def cache_dir(out: Path) -> Path:
    return out / ".cache"


def lock_file(out: Path, year: int) -> Path:
    return out / f".lock-{year}"


@contextmanager
def locked(out: Path, year: int, log: Callable[[str], None] = print) -> Iterator[None]:
    """Hold ``<out>/.lock-<year>`` (an advisory lock, released by the system however the holder
    ends): one run at a time writes a year's report, its staging folder and its cache work folders.
    A second run says which process it waits for, then waits (Ctrl-C stops the wait)."""
    path = lock_file(out, year)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            log(f"waiting for another run writing {report_dir(out, year)} (process {holder}) to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays (removing it would race with a waiting run)


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def check_output_paths(out: Path, year: int, inputs: list[Path], cache: Path | None = None) -> None:
    """Refuse (InputError, nothing done yet) an output path that equals, contains or sits inside an
    input: a plan or data file, or a folder holding inputs (the plan's, the data's, the notebooks',
    the library's). Also refuse to replace a ``<out>/<year>`` that is not a report this tool made."""
    out = out.resolve()
    outputs = [report_dir(out, year), failed_dir(out, year), staging_dir(out, year), old_dir(out, year),
               (cache or cache_dir(out)).resolve()]
    for protected in (given.resolve() for given in inputs):
        if out == protected or out.is_relative_to(protected):
            raise InputError(None, f"--out {out} is inside {protected}, which holds inputs; choose another folder")
    check_written(out, outputs, inputs)
    final = report_dir(out, year)
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        raise InputError(None, f"--out {out}: {final} exists and is not a folder; move it away or choose another folder")
    if final.is_dir() and any(final.iterdir()) and not (final / MARKER).is_file():
        raise InputError(None, f"--out {out}: {final} exists and is not a report made by run_all.py (it has no "
                               f"{MARKER}); a run replaces that folder as a whole, so move it away or choose another folder")


def check_written(out: Path, outputs: list[Path], inputs: list[Path]) -> None:
    """Refuse (InputError) to write any of ``outputs`` (paths below ``--out``) that equals, holds or
    sits inside one of ``inputs``."""
    protected_paths = [given.resolve() for given in inputs]
    for path in outputs:
        for protected in protected_paths:
            if _overlap(path, protected):
                raise InputError(None, f"--out {out}: the run would write {path}, which "
                                       f"{'is' if path == protected else 'holds' if protected.is_relative_to(path) else 'is inside'} "
                                       f"the input {protected}; choose another folder")


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(out: Path, prefix: str, year: int) -> list[tuple[Path, int]]:
    pattern = re.compile(rf"^\.{prefix}-{year}-(\d+)$")
    found = []
    if out.is_dir():
        for path in out.iterdir():
            m = pattern.match(path.name)
            if m and int(m.group(1)) != os.getpid():
                found.append((path, int(m.group(1))))
    return sorted(found)


def recover(out: Path, year: int) -> list[str]:
    """Finish what a killed run left half done; returns what was done, for the log.

    A previous report moved aside (``.old-<year>-<pid>`` of a dead process) goes back in place when
    ``<year>`` is missing, and is removed when a newer report is in place. Staging folders of dead
    processes are removed."""
    done: list[str] = []
    out = out.resolve()
    final = report_dir(out, year)
    for path, pid in _leftovers(out, "old", year):
        if alive(pid):
            continue
        if not final.exists() and (path / MARKER).is_file():
            os.replace(path, final)
            done.append(f"restored the previous report {final} from {path.name} (a run was stopped while publishing)")
        else:
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"removed {path.name}, left by a stopped run")
    for path, pid in _leftovers(out, "staging", year):
        if not alive(pid):
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"removed {path.name}, left by a stopped run")
    return done


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def publish(staging: Path, final: Path) -> None:
    """Make ``staging`` the report at ``final``; at every instant one of the two reports is in place.

    The swap itself is atomic where the file system supports it; otherwise the two renames run with
    SIGINT and SIGTERM held back, and :func:`recover` repairs what only SIGKILL can leave."""
    if not final.exists():
        os.replace(staging, final)
        return
    if _exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous report
        return
    old = final.parent / f".old-{final.name}-{os.getpid()}"
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    _HOLDING.set()
    try:
        os.replace(final, old)
        try:
            os.replace(staging, final)
        except OSError:
            os.replace(old, final)
            raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        _HOLDING.clear()
        for signum in dict.fromkeys(_HELD):
            _HELD.clear()
            os.kill(os.getpid(), signum)  # the handler runs now, with both renames done
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged(out: Path, year: int) -> Iterator[Path]:
    """An empty staging folder for the report being made; removed on leaving (after :func:`publish`
    it holds the previous report, or nothing)."""
    folder = staging_dir(out, year)
    shutil.rmtree(folder, ignore_errors=True)
    try:
        folder.mkdir(parents=True)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def keep_failed(out: Path, year: int, notebooks: list[Path]) -> Path:
    """Keep the failed runs' executed notebooks in ``<out>/<year>.failed/notebooks/`` (replacing
    those of an earlier failure); returns the folder."""
    kept = failed_dir(out, year)
    shutil.rmtree(kept, ignore_errors=True)
    (kept / "notebooks").mkdir(parents=True)
    for notebook in notebooks:
        if notebook.exists():
            shutil.copy2(notebook, kept / "notebooks" / notebook.name)
    return kept


def clear_failed(out: Path, year: int) -> None:
    """A report was published: the notebooks of an earlier failure are history."""
    shutil.rmtree(failed_dir(out, year), ignore_errors=True)
