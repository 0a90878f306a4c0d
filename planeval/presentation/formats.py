"""How numbers, probabilities, values and years are printed: the one place for every output format.

The report's cells (:mod:`planeval.presentation.views`), the charts, the notebooks' tables and the
method's sentences (:mod:`planeval.presentation.sentences`) all print through these functions, so a
value reads the same wherever it is shown. No language strings live here beyond punctuation.
"""

from __future__ import annotations

import math

DASH = "—"
QUALIFIER_SIGNS = {"=": "", "~": "≈", "<=": "≤", "<": "<", ">=": "≥", ">": ">"}


def number(value: float | None, digits: int = 2) -> str | None:
    """A number with thousands separators and at most ``digits`` decimals; None for missing or NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def number_text(value: float | None) -> str:
    """A number as the method's sentences print it: at most two decimals (none from a million up),
    thousands separated; "—" for none."""
    if value is None:
        return DASH
    return number(value, 2 if abs(value) < 1e6 else 0) or str(value)


def ratio(value: float | None, percent: bool = False) -> str | None:
    """A ratio (τ, P, ρ, coverage, MASE) with two decimals, or as a whole per cent; None for missing or NaN."""
    if value is None or not math.isfinite(value):
        return None
    return f"{value:.0%}" if percent else f"{value:.2f}"


def probability(p: float, with_p: bool = False) -> str:
    """A probability as a whole per cent, never "100%" or "0%" for what a model only makes very likely:
    0.998 -> "> 99%", 0.004 -> "< 1%", 0.91 -> "91%". ``with_p``: "p = 91%", "p > 99%", "p < 1%"."""
    text = "> 99%" if p > 0.99 else "< 1%" if p < 0.01 else f"{100 * p:.0f}%"
    if not with_p:
        return text
    return f"p {text}" if text[0] in "<>" else f"p = {text}"


def interval(level: float) -> str:
    """The level of a forecast interval as the labels print it: 0.8 -> "80%", 0.95 -> "95%"."""
    return f"{100 * level:.4g}%"


def value(v: float | None, qualifier: str, unit: str) -> str | None:
    """A reading with its qualifier sign and unit ("≤5.5%", "1,654.36 10k persons"); None for none."""
    num = number(v)
    if num is None:
        return None
    sep = "" if unit in ("%", "") else " "
    return f"{QUALIFIER_SIGNS.get(qualifier, qualifier)}{num}{sep}{unit}"


def aside(text: str, lang: str) -> str:
    """A remark in brackets after what it qualifies: "（2023）" in Chinese, " (2023)" in English."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def year_range(first: int, last: int, lang: str) -> str:
    """2021–2023 (en) / 2021—2023 (zh); a single year alone."""
    if first == last:
        return str(first)
    return f"{first}{'—' if lang == 'zh' else '–'}{last}"


def years_text(years: list[int], lang: str) -> str:
    """2021, 2022 and 2024 / 2021、2022和2024年 — compact, with ranges for runs of three or more."""
    if not years:
        return ""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [year_range(r[0], r[-1], lang) if len(r) >= 3 else ", ".join(map(str, r)) for r in runs]
    if lang == "zh":
        return "、".join(p.replace(", ", "、") for p in parts) + "年"
    return ", ".join(parts)
