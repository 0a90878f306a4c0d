"""The report's HTML: one self-contained HTML page per language (CSS and script inlined, figures as data URIs), laid
out from the display cells of :func:`planeval.presentation.views.report_view`; its PDF is laid out from
the same view by :mod:`planeval.presentation.typst`.

Jinja2 autoescapes every string, and only http(s) URLs become links.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from planeval.inputs.plan import LoadedPlan
from planeval.presentation.labels import HTML_LANG, t
# The display layer, re-exported: callers build the view here and render it (render_html(report_view(...))).
from planeval.presentation.views import awaiting_end_year, report_view, safe_url, vintage_text  # noqa: F401

HERE = Path(__file__).parent


@functools.cache
def _env() -> Environment:
    """One environment per process, so each template is compiled once (run_all.py compiles them
    while the notebooks run, before the per-language workers are forked)."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["link"] = safe_url
    return env


def _css() -> str:
    return (HERE / "static" / "report.css").read_text(encoding="utf-8")


def render_html(view: dict[str, Any]) -> str:
    """The report of :func:`report_view` as one self-contained HTML string (CSS and script inlined)."""
    lang = view["lang"]
    return _env().get_template("report.html.j2").render(
        t=lambda key, **kw: t(key, lang, **kw), css=_css(), js=_script(), **view)


def _script() -> str:
    """The page's one script (static/report.js: sorting, the status filter, chart points), inlined."""
    js = (HERE / "static" / "report.js").read_text(encoding="utf-8")
    if "</" in js:
        raise ValueError("static/report.js must not contain '</': it is inlined in a <script> element")
    return js


def compile_templates() -> None:
    """Compile the templates now (a few tenths of a second), ahead of the first render."""
    for name in ("report.html.j2", "index.html.j2"):
        _env().get_template(name)


def render_index(plan: LoadedPlan, year: int, langs: list[str] | tuple[str, ...], meta: dict[str, Any],
                 preliminary: bool = False) -> str:
    """A small bilingual landing page linking report.<lang>.html and report.<lang>.pdf; ``preliminary``:
    a final report still waiting for end-year values (:func:`awaiting_end_year`)."""
    return _env().get_template("index.html.j2").render(
        plan=plan.plan, year=year, langs=list(langs), meta=meta, html_lang=HTML_LANG, preliminary=preliminary,
        vintage=meta.get("vintage"), vintage_text=lambda lang: vintage_text(meta.get("vintage"), lang),
        css=_css(), t=t)

