"""Scoring a forecast against what happened: the pure arithmetic of ``make calibrate``.

scripts/calibrate.py cuts real yearly series to their last k points, forecasts the held-out years
with :func:`planeval.method.forecast.predictive_paths` and scores the forecasts with these functions:
point accuracy (MASE, sMAPE), the standardised error whose quantiles the forecast learns,
interval coverage, and the Brier score, its skill against the base rate and
the reliability curve of threshold events. Arrays in, numbers out: no files, no randomness.
"""

from __future__ import annotations

import math

import numpy as np


def naive_scale(values: np.ndarray) -> float:
    """The in-sample mean absolute one-step naive error of consecutive annual values (MASE's denominator)."""
    return float(np.mean(np.abs(np.diff(np.asarray(values, dtype=float)))))


def scaled_errors(actual: np.ndarray, forecast: np.ndarray, scale: float) -> np.ndarray:
    """|actual − forecast| / scale, element-wise; MASE is their mean (NaN when the scale is 0)."""
    if scale <= 0:
        return np.full(np.shape(actual), np.nan)
    return np.abs(np.asarray(actual, dtype=float) - np.asarray(forecast, dtype=float)) / scale


def smape(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """Symmetric absolute percentage error, element-wise, in percent: 200·|a − f| / (|a| + |f|) (0 when both are 0)."""
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    denom = np.abs(a) + np.abs(f)
    return np.where(denom > 0, 200.0 * np.abs(a - f) / np.where(denom > 0, denom, 1.0), 0.0)


def standardised_error(actual: np.ndarray, mid: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """How far ``actual`` falls from the forecast median ``mid`` in units of the forecast's own band
    [low, high] on its side: (a − m)/(high − m) when a ≥ m, (a − m)/(m − low) when a < m. So ±1 are
    the band's ends; 0 when a = m; ±inf when a is off a side of zero width."""
    a, m = np.asarray(actual, dtype=float), np.asarray(mid, dtype=float)
    side = np.where(a >= m, np.asarray(high, dtype=float) - m, m - np.asarray(low, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a == m, 0.0, np.where(side > 0, (a - m) / np.where(side > 0, side, 1.0), np.sign(a - m) * np.inf))


def coverage(actual: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Share of actual values inside [low, high]."""
    a = np.asarray(actual, dtype=float)
    return float(np.mean((a >= np.asarray(low)) & (a <= np.asarray(high))))


def brier(p: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared difference between the probabilities and the 0/1 outcomes."""
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(outcome, dtype=float)) ** 2))


def brier_skill(p: np.ndarray, outcome: np.ndarray, groups: np.ndarray | None = None) -> float:
    """1 − BS / BS_ref, the reference always answering the base rate: the share of outcomes that happened,
    within each group when ``groups`` labels the forecasts (e.g. by event and horizon), else overall.
    Positive: better than the base rate; 1: perfect; NaN when the reference is perfect (no variation)."""
    o = np.asarray(outcome, dtype=float)
    base = np.full(o.shape, o.mean())
    if groups is not None:
        labels = np.asarray(groups)
        for g in np.unique(labels):
            base[labels == g] = o[labels == g].mean()
    ref = brier(base, o)
    return float("nan") if ref == 0 else 1.0 - brier(p, o) / ref


def reliability(p: np.ndarray, outcome: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """The reliability curve: for each of ``bins`` equal-width probability bins holding forecasts,
    the mean forecast probability, the observed frequency and the count (bin i holds i/bins ≤ p < (i+1)/bins;
    p = 1 falls in the last)."""
    p, o = np.asarray(p, dtype=float), np.asarray(outcome, dtype=float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for i in range(bins):
        sel = which == i
        if sel.any():
            out.append({"low": i / bins, "high": (i + 1) / bins, "forecast": float(p[sel].mean()),
                        "observed": float(o[sel].mean()), "n": int(sel.sum())})
    return out
