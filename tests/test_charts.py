"""The charts' look: seaborn's theme, kept as values so that drawing a chart does not import seaborn."""

from __future__ import annotations

import math

import matplotlib
import pytest

from planeval.presentation import charts


def _seaborn_theme() -> dict:
    """What ``seaborn.set_theme(style="whitegrid", context="paper")`` changes in matplotlib's defaults."""
    import seaborn as sns

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        before = dict(matplotlib.rcParams)
        sns.set_theme(style="whitegrid", context="paper")
        after = dict(matplotlib.rcParams)
    # Left out: the font list (the charts name the CJK font instead) and the default colour map (no chart
    # draws an image; seaborn's "rocket" exists only where seaborn is imported).
    return {k: v for k, v in after.items() if before.get(k) != v and k not in ("font.sans-serif", "image.cmap")}


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9)
    return str(getattr(a, "value", a)) == str(getattr(b, "value", b))  # CapStyle.round is "round"


def test_the_charts_theme_is_seaborns_whitegrid_paper_theme() -> None:
    theme = _seaborn_theme()
    assert sorted(theme) == sorted(charts.SEABORN_THEME)
    different = {k: (charts.SEABORN_THEME[k], v) for k, v in theme.items()
                 if k != "axes.prop_cycle" and not _same(charts.SEABORN_THEME[k], v)}
    assert different == {}
    colours = [matplotlib.colors.to_hex(c) for c in theme["axes.prop_cycle"].by_key()["color"]]
    assert colours == list(charts.SEABORN_DEEP)


def test_drawing_a_chart_sets_the_theme_and_the_cjk_font() -> None:
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        charts._style()
        assert matplotlib.rcParams["axes.edgecolor"] == ".8"
        assert matplotlib.rcParams["font.sans-serif"][0] == charts.FONT_FAMILY
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == "#4c72b0"


@pytest.mark.parametrize("module", ["planeval.presentation.charts", "planeval.presentation.report"])
def test_the_report_stack_imports_neither_seaborn_nor_statsmodels(module: str) -> None:
    """The processes that lay out a report import these modules; seaborn and statsmodels cost them
    seconds each and draw or fit nothing there."""
    import subprocess
    import sys

    code = (f"import sys, {module}; "
            "print(sorted(m for m in ('seaborn', 'statsmodels', 'scipy.stats', 'pandera') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
