"""Simulated end-year paths and the probability of meeting a target (docs/method.md, "Forecast").

Three models produce simulated future paths on a transformed scale (log for positive counts and
stocks, logit for rates bounded by 100%): random walk with drift, linear trend (OLS), and
damped-trend ETS when there are at least ``min_points_ets`` consecutive points. They are pooled,
not selected. The residual spread is inflated by ``spread_inflation``; the same random draws with
no inflation give the sensitivity figure. Pure computation: arrays in, arrays out.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from .config import MethodConfig, grade

MODELS = ("rw_drift", "linear_trend", "ets_damped")


def to_scale(values: np.ndarray, scale: str) -> np.ndarray:
    if scale == "log":
        return np.log(values)
    if scale == "logit":
        share = values / 100.0
        return np.log(share / (1.0 - share))
    return values.astype(float)


def from_scale(z: np.ndarray, scale: str) -> np.ndarray:
    if scale == "log":
        return np.exp(z)
    if scale == "logit":
        return 100.0 / (1.0 + np.exp(-z))
    return z


def usable_scale(values: np.ndarray, scale: str) -> str:
    """The requested scale, or identity when the values don't allow it (e.g. a zero on log scale)."""
    if scale == "log" and np.all(values > 0):
        return "log"
    if scale == "logit" and np.all((values > 0) & (values < 100)):
        return "logit"
    return "identity"


def rw_drift_paths(t: np.ndarray, z: np.ndarray, horizon: np.ndarray, n: int, k: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Random walk with drift on possibly gapped years: Δz over a gap h ~ N(μh, σ²h).

    μ̂ = (z_n − z_1)/(t_n − t_1); σ̂² from the scaled residuals with m − 1 degrees of freedom;
    the drift is drawn from N(μ̂, k²σ̂²/(t_n − t_1)) once per path (drift uncertainty).
    """
    gaps = np.diff(t).astype(float)
    span = float(t[-1] - t[0])
    mu = (z[-1] - z[0]) / span
    resid = (np.diff(z) - mu * gaps) / np.sqrt(gaps)
    dof = max(len(resid) - 1, 1)
    sigma = float(np.sqrt(np.sum(resid**2) / dof))
    drift = rng.normal(mu, k * sigma / np.sqrt(span), size=(n, 1))
    steps = np.diff(np.concatenate([[t[-1]], horizon])).astype(float)
    shocks = rng.normal(0.0, 1.0, size=(n, len(horizon))) * (k * sigma * np.sqrt(steps))
    return z[-1] + np.cumsum(drift * steps + shocks, axis=1)


def linear_trend_paths(t: np.ndarray, z: np.ndarray, horizon: np.ndarray, n: int, k: float,
                       rng: np.random.Generator) -> np.ndarray:
    """OLS trend z = a + b(t − t_n) + e; parameters drawn from N(β̂, k²·cov), residuals N(0, k²σ̂²)."""
    x = add_constant((t - t[-1]).astype(float))
    fit = OLS(z, x).fit()
    cov = (k**2) * fit.cov_params()
    try:
        beta = rng.multivariate_normal(fit.params, cov, size=n, method="cholesky")
    except np.linalg.LinAlgError:  # an exact fit (e.g. a constant series): zero, not positive-definite, covariance
        beta = rng.multivariate_normal(fit.params, cov, size=n, method="eigh")
    sigma = float(np.sqrt(fit.scale))
    h = (horizon - t[-1]).astype(float)
    shocks = rng.normal(0.0, k * sigma, size=(n, len(horizon)))
    return beta[:, [0]] + beta[:, [1]] * h + shocks


def ets_damped_paths(t: np.ndarray, z: np.ndarray, horizon: np.ndarray, n: int, k: float,
                     rng: np.random.Generator) -> np.ndarray:
    """statsmodels ETSModel (additive error, damped additive trend), simulated from the end.

    Deviations of the simulations from the point forecast are scaled by k.
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    steps = int(horizon[-1] - t[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ETSModel(np.asarray(z, dtype=float), error="add", trend="add", damped_trend=True).fit(disp=False)
        sims = np.asarray(fit.simulate(nsimulations=steps, repetitions=n, anchor="end",
                                       rng=rng))
        mean = np.asarray(fit.forecast(steps))
    sims = sims.reshape(steps, n).T  # (n, steps)
    paths = mean + k * (sims - mean)
    idx = (horizon - t[-1] - 1).astype(int)
    return paths[:, idx]


MODEL_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "rw_drift": rw_drift_paths,
    "linear_trend": linear_trend_paths,
    "ets_damped": ets_damped_paths,
}


def consecutive(t: np.ndarray) -> bool:
    return bool(np.all(np.diff(t) == 1))


def models_for(t: np.ndarray, config: MethodConfig) -> list[str]:
    """Which models apply: ETS only with enough consecutive points."""
    chosen = ["rw_drift", "linear_trend"]
    if len(t) >= config.min_points_ets and consecutive(t):
        chosen.append("ets_damped")
    return chosen


@dataclass(frozen=True)
class Simulation:
    """Future paths in the indicator's unit, per model: array (paths, len(horizon))."""

    horizon: np.ndarray
    paths: dict[str, np.ndarray]
    paths_uninflated: dict[str, np.ndarray]
    scale: str


def simulate(years: np.ndarray, values: np.ndarray, horizon: np.ndarray, scale: str,
             config: MethodConfig) -> Simulation:
    """Simulate every applicable model, inflated and not, with fixed seeds (same inputs, same paths)."""
    years = np.asarray(years, dtype=int)
    values = np.asarray(values, dtype=float)
    scale = usable_scale(values, scale)
    z = to_scale(values, scale)
    paths: dict[str, np.ndarray] = {}
    plain: dict[str, np.ndarray] = {}
    for index, name in enumerate(models_for(years, config)):
        fn = MODEL_FUNCTIONS[name]
        for k, store in ((config.spread_inflation, paths), (1.0, plain)):
            rng = np.random.default_rng([config.seed, index])
            store[name] = from_scale(fn(years, z, horizon, config.paths_per_model, k, rng), scale)
    return Simulation(np.asarray(horizon), paths, plain, scale)


def probability(sim_paths: dict[str, np.ndarray], met: Callable[[np.ndarray], np.ndarray]) -> tuple[float, dict[str, float]]:
    """Pooled p (the mean over models) and p per model; ``met`` maps paths to a boolean per path."""
    by_model = {name: float(np.mean(met(p))) for name, p in sim_paths.items()}
    return float(np.mean(list(by_model.values()))), by_model


def likelihood_code(p: float, config: MethodConfig) -> str:
    """The IPCC likelihood word for p."""
    return grade(p, [(config.very_likely_at, "very_likely"), (config.likely_at, "likely"),
                     (config.about_even_at, "about_even"), (config.unlikely_at, "unlikely")], below="very_unlikely")
