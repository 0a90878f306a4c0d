"""Simulated future paths and the probability of meeting a target (docs/method.md, "Forecast").

Models, on a transformed scale (log for positive counts and stocks, logit for rates bounded by
100%): random walk with drift (the drift shrunk by ``drift_shrinkage``), linear trend (OLS), the
Theta method on consecutive years, and damped-trend ETS when asked for in ``config.models`` and
there are at least ``min_points_ets`` consecutive points. Their paths are pooled, not selected. The
pool is then recalibrated (:func:`recalibrate`): its median stays, and the spread of the truth
around it, in units of the pool's own 80% band, takes the distribution learned by
``make calibrate`` on real short yearly series for the same number of points and years ahead
(planeval/method/calibrated.py; README, "Forecast calibration"). The models' own paths are kept as the
sensitivity figure. :func:`predictive_paths` is the entry point. Pure computation: arrays in,
arrays out.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from planeval.method import calibrated
from planeval.inputs.config import MethodConfig, grade

MODELS = ("rw_drift", "linear_trend", "theta", "ets_damped")


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
                   rng: np.random.Generator, shrink: float = 1.0) -> np.ndarray:
    """Random walk with drift on possibly gapped years: Δz over a gap h ~ N(μh, σ²h).

    μ̂ = (z_n − z_1)/(t_n − t_1); σ̂² from the scaled residuals with m − 1 degrees of freedom;
    the drift is drawn from N(shrink·μ̂, k²σ̂²/(t_n − t_1)) once per path (drift uncertainty):
    ``shrink`` < 1 pulls the drift towards none (a short series' drift is mostly noise).
    """
    gaps = np.diff(t).astype(float)
    span = float(t[-1] - t[0])
    mu = (z[-1] - z[0]) / span
    resid = (np.diff(z) - mu * gaps) / np.sqrt(gaps)
    dof = max(len(resid) - 1, 1)
    sigma = float(np.sqrt(np.sum(resid**2) / dof))
    drift = rng.normal(shrink * mu, k * sigma / np.sqrt(span), size=(n, 1))
    steps = np.diff(np.concatenate([[t[-1]], horizon])).astype(float)
    shocks = rng.normal(0.0, 1.0, size=(n, len(horizon))) * (k * sigma * np.sqrt(steps))
    return z[-1] + np.cumsum(drift * steps + shocks, axis=1)


def linear_trend_paths(t: np.ndarray, z: np.ndarray, horizon: np.ndarray, n: int, k: float,
                       rng: np.random.Generator) -> np.ndarray:
    """OLS trend z = a + b(t − t_n) + e; parameters drawn from N(β̂, k²·cov), residuals N(0, k²σ̂²)."""
    # Imported here, as ETSModel below: statsmodels takes seconds to import, and the processes that
    # only lay out reports (the run's own, the language processes) import this module but fit nothing.
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

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


# Smoothing parameters tried by the Theta model's simple exponential smoothing (a grid: exact, fast, no optimiser).
_ALPHAS = np.linspace(0.01, 1.0, 100)


def ses_fit(z: np.ndarray) -> tuple[float, float, float]:
    """Simple exponential smoothing with the first value as known initial level, as statsmodels' ThetaModel
    fits it: (α minimising the sum of squared one-step errors over a grid, the last level, that SSE)."""
    level = np.full(len(_ALPHAS), float(z[0]))
    sse = np.zeros(len(_ALPHAS))
    for v in z[1:]:
        err = v - level
        sse += err**2
        level = level + _ALPHAS * err
    best = int(np.argmin(sse))
    return float(_ALPHAS[best]), float(level[best]), float(sse[best])


def theta_paths(t: np.ndarray, z: np.ndarray, horizon: np.ndarray, n: int, k: float,
                rng: np.random.Generator) -> np.ndarray:
    """The Theta method (θ = 2; Hyndman & Billah's form, as statsmodels' ThetaModel) on consecutive years.

    Point forecast: ℓ_n + ½·b̂·(h − 1 + 1/α − (1 − α)ⁿ/α), with b̂ the OLS slope and ℓ_n, α from
    :func:`ses_fit`. Paths: that forecast plus the simple-exponential-smoothing error structure
    ε_h + α·Σ_{i<h} ε_i, ε ~ N(0, k²σ̂²), σ̂² the one-step squared errors over m − 2 degrees of freedom.
    """
    m = len(z)
    slope = float(np.polyfit((t - t[-1]).astype(float), z, 1)[0])
    alpha, level, sse = ses_fit(z)
    steps = int(horizon[-1] - t[-1])
    h = np.arange(1, steps + 1, dtype=float)
    point = level + 0.5 * slope * (h - 1 + 1 / alpha - (1 - alpha) ** m / alpha)
    sigma = float(np.sqrt(sse / max(m - 2, 1)))
    eps = rng.normal(0.0, k * sigma, size=(n, steps))
    dev = eps + alpha * (np.cumsum(eps, axis=1) - eps)
    idx = (horizon - t[-1] - 1).astype(int)
    return (point + dev)[:, idx]


MODEL_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "rw_drift": rw_drift_paths,
    "linear_trend": linear_trend_paths,
    "theta": theta_paths,
    "ets_damped": ets_damped_paths,
}


def consecutive(t: np.ndarray) -> bool:
    return bool(np.all(np.diff(t) == 1))


def models_for(t: np.ndarray, config: MethodConfig) -> list[str]:
    """Which models apply: those of ``config.models`` whose needs the years meet (Theta needs
    consecutive years, ETS ``min_points_ets`` consecutive points), in the order of :data:`MODELS`."""
    wanted = set(config.models.split(","))
    run = consecutive(t)
    chosen = [m for m in ("rw_drift", "linear_trend") if m in wanted]
    if "theta" in wanted and run:
        chosen.append("theta")
    if "ets_damped" in wanted and len(t) >= config.min_points_ets and run:
        chosen.append("ets_damped")
    return chosen or ["rw_drift"]


def raw_paths(years: np.ndarray, values: np.ndarray, horizon: np.ndarray, scale: str, config: MethodConfig,
              n: int | None = None) -> tuple[str, dict[str, np.ndarray]]:
    """(the scale used, per model the simulated paths on that transformed scale with the models' own
    spread), fixed seeds: same inputs, same paths. ``n`` paths per model (default ``config.paths_per_model``)."""
    years = np.asarray(years, dtype=int)
    values = np.asarray(values, dtype=float)
    horizon = np.asarray(horizon, dtype=int)
    scale = usable_scale(values, scale)
    z = to_scale(values, scale)
    count = config.paths_per_model if n is None else n
    out: dict[str, np.ndarray] = {}
    for name in models_for(years, config):
        rng = np.random.default_rng([config.seed, MODELS.index(name)])
        extra = {"shrink": config.drift_shrinkage} if name == "rw_drift" else {}
        out[name] = MODEL_FUNCTIONS[name](years, z, horizon, count, 1.0, rng, **extra)
    return scale, out


def error_quantiles(steps: np.ndarray, points: int) -> np.ndarray:
    """The learned quantiles of the standardised error (``calibrated.QUANTILES`` at ``calibrated.LEVELS``),
    one row per horizon column, for ``points`` annual points and each column's years ahead ``steps``;
    clamped to the lengths (k) and horizons (h) they were learned on."""
    table = calibrated.QUANTILES
    k = min(max(int(points), min(table)), max(table))
    rows = table[k]
    return np.array([rows[min(max(int(h), 1), len(rows)) - 1] for h in steps], dtype=float)


def recalibrate(z: np.ndarray, quantiles: np.ndarray, stretch: float = 1.0) -> np.ndarray:
    """Give each column of the pooled paths the learned error distribution about the pool's own median.

    Per column: m is the pooled median and [lo, hi] the pool's own 80% band. The path ranked at
    quantile level q within the column moves to m + s·(hi − m) when s ≥ 0, m + s·(m − lo) when s < 0,
    s being the learned standardised error at level q (row j of ``quantiles``, linear between
    ``calibrated.LEVELS``, held at the end values beyond) times ``stretch``. The models set the centre,
    the scale and the order of the paths over the years; the corpus sets how far from the centre, in
    units of that scale, the truth falls. The learned quantiles are 0 at the median level, so the
    pool's median stays the point forecast. A column of equal values stays as it is.
    """
    n, cols = z.shape
    out = np.empty((n, cols), dtype=float)
    levels = np.asarray(calibrated.LEVELS, dtype=float)
    q = (np.arange(n) + 0.5) / n
    for j in range(cols):
        col = z[:, j]
        mid = float(np.median(col))
        lo, hi = np.quantile(col, [0.1, 0.9])
        s = np.interp(q, levels, quantiles[j]) * stretch
        out[np.argsort(col, kind="stable"), j] = np.where(s >= 0, mid + s * (hi - mid), mid + s * (mid - lo))
    return out


@dataclass(frozen=True)
class Simulation:
    """Future paths in the indicator's unit, per model: array (paths, len(horizon))."""

    horizon: np.ndarray
    paths: dict[str, np.ndarray]  # each model's share of the recalibrated pool
    paths_uninflated: dict[str, np.ndarray]  # the models' own spread, before recalibration (sensitivity)
    scale: str

    @property
    def pooled(self) -> np.ndarray:
        """All models' recalibrated paths together: the predictive distribution."""
        return np.concatenate(list(self.paths.values()))


def simulate(years: np.ndarray, values: np.ndarray, horizon: np.ndarray, scale: str,
             config: MethodConfig, n: int | None = None) -> Simulation:
    """Simulate every applicable model, pool the paths (equal numbers, not selected) and recalibrate
    the pool (:func:`recalibrate`) with the error quantiles learned for the series' number of points
    and each column's years ahead. Each model's share of the recalibrated pool is kept per model
    (its p is reported), and so are the models' own paths (the 'uninflated' sensitivity)."""
    years = np.asarray(years, dtype=int)
    horizon = np.asarray(horizon, dtype=int)
    used, raw = raw_paths(years, values, horizon, scale, config, n)
    pool = recalibrate(np.concatenate(list(raw.values())), error_quantiles(horizon - years[-1], len(years)),
                       config.spread_inflation)
    bounds = np.cumsum([0] + [len(p) for p in raw.values()])
    paths = {m: from_scale(pool[a:b], used) for m, a, b in zip(raw, bounds[:-1], bounds[1:])}
    plain = {m: from_scale(p, used) for m, p in raw.items()}
    return Simulation(horizon, paths, plain, used)


def predictive_paths(years: np.ndarray, values: np.ndarray, horizon: np.ndarray, scale: str,
                     config: MethodConfig) -> np.ndarray:
    """The forecast: simulated future paths, shape (n, len(horizon)), in the indicator's unit.

    ``years`` (ascending ints, gaps allowed) and ``values`` are the observed annual points,
    ``horizon`` the future years (ascending, after the last observed one), ``scale`` "log", "logit"
    or "identity" (identity when the values don't allow the one asked for). n is
    ``config.paths_per_model`` times the number of models that apply (:func:`models_for`).
    Deterministic: fixed seeds. The report, the backtest and ``make calibrate`` forecast through this
    (the latter two via :func:`simulate`, which keeps the per-model split of the same paths).
    """
    return simulate(years, values, horizon, scale, config).pooled


def probability(sim_paths: dict[str, np.ndarray], met: Callable[[np.ndarray], np.ndarray]) -> tuple[float, dict[str, float]]:
    """Pooled p (the mean over models) and p per model; ``met`` maps paths to a boolean per path."""
    by_model = {name: float(np.mean(met(p))) for name, p in sim_paths.items()}
    return float(np.mean(list(by_model.values()))), by_model


def interval_quantiles(config: MethodConfig) -> tuple[float, float]:
    """The quantiles that end the central ``config.interval`` interval: (0.1, 0.9) for 80%."""
    return (1 - config.interval) / 2, (1 + config.interval) / 2


def likelihood_code(p: float, config: MethodConfig) -> str:
    """The IPCC likelihood word for p."""
    return grade(p, [(config.very_likely_at, "very_likely"), (config.likely_at, "likely"),
                     (config.about_even_at, "about_even"), (config.unlikely_at, "unlikely")], below="very_unlikely")
