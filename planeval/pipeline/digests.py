"""Content hashes with the standard library only: of bytes, JSON, files, and of the library code a
notebook or a module runs (its import closure within planeval).

Kept free of pandas and the rest so that a run can tell, in a fraction of a second, that a report
is already up to date (see :mod:`planeval.pipeline.keys`).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any, Iterable

from planeval.inputs.paths import PACKAGE, ROOT


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


def input_digests(plan: Path, data_files: Iterable[Path | None], plan_digest: str | None = None) -> dict[Path, str]:
    """sha256 of a plan file and of each of its data files (those that exist), in that order;
    ``plan_digest``: the plan's, taken before it was read."""
    return {plan: plan_digest or sha256_file(plan), **{p: sha256_file(p) for p in data_files if p and p.is_file()}}


def inputs_key(digests: dict[Path, str]) -> str:
    """One key for a plan and its data files' bytes (:func:`input_digests`): what a run hands its
    kernels for the inputs it validated, and what ``nbk.load`` compares with what it reads."""
    return sha256_bytes("\n".join(digests.values()).encode("ascii"))


def sha256_json(obj: Any) -> str:
    return sha256_bytes(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def library_files() -> list[Path]:
    """The library's code, templates and styles: any change can change a result or the report."""
    return sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".css"))


def files_digest(paths: Iterable[Path], root: Path = ROOT) -> dict[str, str]:
    return {str(p.relative_to(root)) if p.is_relative_to(root) else str(p): sha256_file(p) for p in paths}


def git_commit() -> str:
    """The checkout's commit, marked when tracked files have uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + ("+uncommitted changes" if dirty else "")


def _module_file(name: str) -> Path | None:
    """The file of a planeval module or package (None: not one of ours, or no such module)."""
    parts = name.split(".")
    if parts[0] != PACKAGE.name:
        return None
    base = PACKAGE.parent.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imported(tree: ast.AST) -> set[str]:
    """Every module an import statement anywhere in ``tree`` may load (also inside functions):
    ``from a.b import c`` may load ``a.b`` and ``a.b.c``; relative imports are not used in planeval."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _packages(name: str) -> list[str]:
    """A module and the packages above it (importing it runs their ``__init__``)."""
    parts = name.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def module_closure(modules: Iterable[str]) -> list[Path]:
    """The planeval files that importing ``modules`` can run: their own and, transitively, those of
    every planeval module they import. A change outside these files cannot change what they do."""
    seen: set[Path] = set()
    todo = [name for module in modules for name in _packages(module)]
    while todo:
        path = _module_file(todo.pop())
        if path is None or path in seen:
            continue
        seen.add(path)
        todo += [name for module in _file_imports(path, path.read_bytes()) for name in _packages(module)]
    return sorted(seen)


# An import statement of a library module, at any indentation: ``from a.b import c, d`` (also in
# parentheses over several lines) or ``import a.b as x, c``.
_IMPORT_STATEMENT = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)|import[ \t]+([^\n]*))",
                               re.MULTILINE)


@functools.lru_cache(maxsize=None)
def _file_imports(path: Path, source: bytes) -> frozenset[str]:
    """What :func:`_imported` finds in one of the library's files, by scanning its lines (40 times
    faster than parsing it: every run that checks its cache does this for about 40 files). The files are
    the library's own: valid Python without relative imports. A docstring line that reads like an
    import adds a file to the closure at most: a key that covers more is still right. Scanned once per
    process for the same bytes (a run asks for three closures that share most files)."""
    names: set[str] = set()
    for module, imported, plain in _IMPORT_STATEMENT.findall(source.decode("utf-8")):
        if module:
            names.add(module)
            parts = (re.sub(r"#[^\n]*", "", imported)).strip("() \t\n\\").split(",")
            names.update(f"{module}.{part.split()[0]}" for part in parts if part.strip())
        else:
            names.update(part.split()[0] for part in re.sub(r"#.*", "", plain).split(",") if part.strip())
    return frozenset(names)


def notebook_imports(notebook: Path) -> list[str]:
    """The modules a notebook's code cells import (IPython magics and shell lines skipped)."""
    names: set[str] = set()
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            names |= _imported(ast.parse("\n".join(lines)))
        except SyntaxError:
            # Cannot tell: every module of the library.
            names |= {".".join(p.relative_to(ROOT).with_suffix("").parts) for p in PACKAGE.rglob("*.py")}
    return sorted(names)
