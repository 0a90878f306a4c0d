"""The package's layers: imports only go down (pipeline -> presentation -> method -> inputs), and the
method holds no natural-language text (its words are in planeval/presentation/sentences.py).

Read from the source with ``ast``: nothing is imported, so a violation anywhere in a module (also an
import inside a function) is found.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "planeval"
LAYERS = ("inputs", "method", "presentation", "pipeline")  # each may import its own layer and those before it
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE)
METHOD = sorted((PACKAGE / "method").glob("*.py"))
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z]")
# A generated data table: its PROVENANCE names the corpus the forecast was calibrated on (data, not words of the report).
GENERATED = ("calibrated.py",)


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[0] == "planeval" and parts[1] in LAYERS else None


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every planeval import, with ``from planeval.x import y`` read as planeval.x.y."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "imports are absolute"
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return [(line, m) for line, m in found if m.startswith("planeval.")]


def violations(path: Path) -> list[str]:
    """The imports of the module at ``path`` that go up a layer."""
    own = LAYERS.index(path.parent.name)
    return [f"{path.name}:{line} imports {m}" for line, m in _imports(ast.parse(path.read_text(encoding="utf-8")))
            if (_layer(m) or 0) > own]


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _raised(tree: ast.AST) -> set[int]:
    """String constants inside a ``raise``: a programmer's error message, not the report's words."""
    return {id(n) for r in ast.walk(tree) if isinstance(r, ast.Raise) for n in ast.walk(r)}


def sentences(source: str) -> list[str]:
    """String literals of four or more words (docstrings and raised errors aside), f-strings' text included."""
    tree = ast.parse(source)
    skip = _docstrings(tree) | _raised(tree)
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in skip and sum(1 for w in n.value.split() if WORD.search(w)) >= 4]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_imports_only_go_down(path: Path) -> None:
    assert not violations(path)


@pytest.mark.parametrize("path", METHOD, ids=lambda p: p.name)
def test_the_method_reads_the_data_model_not_the_loader(path: Path) -> None:
    """The method takes a Dataset (planeval.inputs.model); the CSV loader and its pandera schemas stay out."""
    loaded = [m for _, m in _imports(ast.parse(path.read_text(encoding="utf-8")))]
    assert not [m for m in loaded if m.startswith("planeval.inputs.data")]


@pytest.mark.parametrize("path", METHOD, ids=lambda p: p.name)
def test_the_method_holds_no_words(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not CJK.findall(source), f"{path.name}: Chinese text belongs in planeval/presentation/sentences.py"
    if path.name not in GENERATED:
        assert not sentences(source), f"{path.name}: sentences belong in planeval/presentation/sentences.py"


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """The checks themselves: an upward import (also inside a function) and a sentence are found."""
    method = tmp_path / "method"
    method.mkdir()
    bad = method / "bad.py"
    bad.write_text("def f():\n    from planeval.presentation import sentences\n    return sentences\n", encoding="utf-8")
    assert violations(bad) == ["bad.py:2 imports planeval.presentation.sentences"]
    ok = method / "ok.py"
    ok.write_text("from planeval.inputs.plan import Plan\nfrom planeval.method import forecast\n", encoding="utf-8")
    assert violations(ok) == []
    assert sentences('x = f"Only {n} annual values are known."\n') == [" annual values are known."]
    assert sentences('"""A docstring of many words."""\nraise ValueError("an error of many words")\nx = "period_mean_needs_floor"\n') == []
    assert CJK.findall("x = '尚难判断'") and not CJK.findall("x = 'ρ = P / τ'")


@pytest.mark.parametrize("path", METHOD, ids=lambda p: p.name)
def test_method_functions_fit_on_a_screen(path: Path) -> None:
    """No function of the method is longer than 60 lines (issue 15): a reader sees each rule whole."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [f"{n.name}: {n.end_lineno - n.lineno + 1} lines" for n in ast.walk(tree)  # type: ignore[operator]
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > 60]  # type: ignore[operator]
    assert not long
