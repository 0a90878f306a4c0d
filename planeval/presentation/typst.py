"""The printed report: the dict of :func:`planeval.presentation.report.report_view` laid out by Typst.

The view goes to the template (templates/report.typ) as a JSON data file, never as markup built from
strings: Typst shows every string it reads with ``json()`` literally, so no text from a plan, a data file
or a record can inject markup. The figures (data: URIs in the view) are written as PNG files beside it
in a temporary folder next to the PDF, the compile's root (in a run: inside the staging folder, which
goes if the run is stopped). Fonts: the system Noto CJK fonts (plus Typst's own, for monospace) and
never other system fonts, so the output does not depend on what else is installed.
The document date is fixed (none), so identical inputs give identical bytes.
"""

from __future__ import annotations

import base64
import functools
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

from planeval.inputs.plan import Indicator, Plan
from planeval.presentation import labels

HERE = Path(__file__).parent
TEMPLATE = HERE / "templates" / "report.typ"
FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"),
             Path("/usr/share/fonts/opentype/noto-cjk"))
DATA_URI = "data:image/png;base64,"

# Labels the template words with parameters; filled here, as the HTML template fills them.
_TITLES = {"preliminary": "report.title_preliminary", "final": "report.title_final", None: "report.title"}


def font_paths() -> list[str]:
    """The folders holding the Noto CJK fonts that exist on this machine."""
    return [str(p) for p in FONT_DIRS if p.is_dir()]


@functools.cache
def fonts() -> Any:
    """The fonts, scanned once per process (the CJK collections are large: 0.25 s)."""
    import typst

    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=font_paths())


def _indicator(ind: Indicator, lang: str) -> dict[str, Any]:
    return {"id": ind.id, "number": ind.number, "name": ind.name[lang], "identified": ind.identified,
            "target_text": ind.target_text[lang] if ind.target_text else None, "source": ind.source}


def _plan(plan: Plan, lang: str) -> dict[str, Any]:
    return {"name": plan.name[lang], "issuer": plan.issuer[lang] if plan.issuer else None,
            "base_year": plan.base_year, "end_year": plan.end_year}


class _Images:
    """The figures of the view, as files img/<n>.png under the compile's root."""

    def __init__(self, root: Path) -> None:
        self.root, self.n = root, 0
        (root / "img").mkdir()

    def __call__(self, uri: str) -> str:
        self.n += 1
        name = f"/img/{self.n}.png"
        (self.root / name[1:]).write_bytes(base64.b64decode(uri[len(DATA_URI):]))
        return name


def _plain(value: Any, lang: str, images: _Images) -> Any:
    """The view as JSON values: indicators and the plan reduced to what the report shows in ``lang``,
    figures to file names, a section's record to whether it has one, any other value to its text."""
    if isinstance(value, Indicator):
        return _indicator(value, lang)
    if isinstance(value, Plan):
        return _plan(value, lang)
    if isinstance(value, dict):
        return {str(k): (v is not None if k == "record" else _plain(v, lang, images)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, lang, images) for v in value]
    if isinstance(value, str) and value.startswith(DATA_URI):
        return images(value)
    if isinstance(value, float):  # shown as Python writes it (1.0, not Typst's 1), as in the HTML
        return str(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _texts(view: dict[str, Any]) -> dict[str, str]:
    """The template's words: every label of the catalogue without parameters, and those with."""
    lang, plan = view["lang"], view["plan"]
    t = lambda key, **kw: labels.t(key, lang, **kw)  # noqa: E731
    words = {key: t(key) for key in labels.keys() if "{" not in labels.t(key, lang)}
    title = t(_TITLES["preliminary" if view["preliminary"] else "final" if view["final"] else None])
    words |= {
        "title": title,
        "cover.asof": t("cover.asof", year=view["year"]),
        "summary.count_line": t("summary.count_line", n=len(view["rows"]), m=view["n_results"]),
        "sc.midterm": t("sc.midterm", year=view["midterm_year"]),
        "sc.final": t("sc.final", year=plan.end_year),
        "context.no_rows": t("context.no_rows", year=view["year"]),
        **{key: t(key, level=view["level"]) for key in ("col.forecast", "sc.inside", "bt.coverage")},
    }
    if view["backtest"]:
        words["bt.mase"] = [t("bt.mase", model=m) for m in view["backtest"]["models"]]
    if view["calibration"]:
        words["cal.coverage_h"] = t("cal.coverage_h", h=", ".join(view["calibration"]["horizons"]))
    words["cov.short"] = {code: t(f"cov.short.{code}") for code, _ in view["coverage"]["legend"]}
    return words


def write_pdf(view: dict[str, Any], path: Path) -> None:
    """Print the report of :func:`planeval.presentation.report.report_view` to ``path`` (A4, page
    numbers, contents page, bookmarks from the headings, embedded figures and fonts)."""
    import typst

    # The compile's folder sits beside the PDF (in a run, inside its staging folder): a process killed
    # while it compiles (a stopped run) leaves nothing anywhere else.
    with tempfile.TemporaryDirectory(prefix=".typst-", dir=Path(path).parent) as tmp:
        root = Path(tmp)
        data = _plain({k: v for k, v in view.items() if k != "meta"}, view["lang"], _Images(root))
        meta = view["meta"]
        data["meta"] = {k: (str(meta[k]) if meta.get(k) else None) for k in ("data_cutoff", "commit", "data_hash")}
        data["words"] = _texts(view)
        data["region"] = labels.HTML_LANG[view["lang"]].partition("-")[2].lower() or None
        (root / "data.json").write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        pdf, problems = typst.compile_with_warnings(TEMPLATE.read_bytes(), root=str(root), font_paths=fonts(),
                                                    format="pdf")
    for problem in problems:  # e.g. a font not found: said, not silently printed with another font
        warnings.warn(f"Typst: {problem.message}", stacklevel=2)
    Path(path).write_bytes(pdf)
