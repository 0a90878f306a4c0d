"""Every threshold and default of the evaluation method, in one place.

The report's method section is generated from :func:`describe`, so what it prints is what the code
used. A plan file may override any field under its ``method:`` key.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class MethodConfig:
    # Pace ρ = P / τ cut-offs (status table of the method).
    ahead_at: float = 1.05
    on_track_at: float = 0.95
    needs_acceleration_at: float = 0.60
    # `around` targets: half-width of the band around the target, unless the indicator sets one.
    around_tolerance: float = 0.5
    # `full_rate` targets: a value at or above this counts as 100%.
    full_rate_threshold: float = 99.5
    # Forecast.
    min_points_pace: int = 2
    min_points_probability: int = 5
    min_points_ets: int = 8
    spread_inflation: float = 1.5
    paths_per_model: int = 2000
    seed: int = 20211019
    interval: float = 0.80
    # Likelihood words (IPCC scale): p at or above each cut gets the word.
    very_likely_at: float = 0.90
    likely_at: float = 0.66
    about_even_at: float = 0.33
    unlikely_at: float = 0.10

    def with_overrides(self, overrides: dict[str, Any] | None) -> "MethodConfig":
        """A copy with the plan's overrides applied; unknown keys or wrong types raise ValueError."""
        if not overrides:
            return self
        known = {f.name: f for f in fields(self)}
        clean: dict[str, Any] = {}
        for key, value in overrides.items():
            if key not in known:
                raise SettingError(key, f"unknown method setting '{key}'; known: {', '.join(known)}")
            wanted = type(getattr(self, key))
            if wanted is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, wanted) or isinstance(value, bool):
                raise SettingError(key, f"method setting '{key}' must be {'a whole number' if wanted is int else 'a number'}, "
                                        f"got {value!r}")
            low, high, open_ = RANGES[key]
            if not (low < value < high if open_ else low <= value <= high):  # also refuses nan
                raise SettingError(key, f"method setting '{key}' must be from {low} to {high}"
                                        f"{' (both excluded)' if open_ else ''}, got {value!r}")
            clean[key] = value
        new = replace(self, **clean)
        for ladder in (("ahead_at", "on_track_at", "needs_acceleration_at"),
                       ("very_likely_at", "likely_at", "about_even_at", "unlikely_at")):
            values = [getattr(new, k) for k in ladder]
            if any(a <= b for a, b in zip(values, values[1:])):
                key = next(k for k in ladder if k in clean)
                raise SettingError(key, f"method settings {', '.join(ladder)} must decrease in that order, got "
                                        f"{', '.join(map(repr, values))}")
        return new

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT = MethodConfig()

# Each setting's allowed range: (low, high, both ends excluded?). Counts of points and paths are whole numbers.
RANGES: dict[str, tuple[float, float, bool]] = {
    "ahead_at": (0, 10, True), "on_track_at": (0, 10, True), "needs_acceleration_at": (0, 10, True),
    "around_tolerance": (0, 1e6, True), "full_rate_threshold": (0, 100, False),
    "min_points_pace": (2, 100, False), "min_points_probability": (2, 100, False), "min_points_ets": (4, 100, False),
    "spread_inflation": (0, 100, True), "paths_per_model": (100, 1_000_000, False), "seed": (0, 2**32 - 1, False),
    "interval": (0, 1, True),
    "very_likely_at": (0, 1, True), "likely_at": (0, 1, True), "about_even_at": (0, 1, True), "unlikely_at": (0, 1, True),
}


class SettingError(ValueError):
    """A method setting the plan overrides with a value of the wrong type or out of its range."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def grade(value: float, ladder: list[tuple[float, str]], below: str) -> str:
    """The code of the first rung whose cut-off ``value`` reaches (rungs from the highest cut down);
    ``below`` when it reaches none. The status and likelihood scales are both such ladders."""
    for cut, code in ladder:
        if value >= cut:
            return code
    return below

# What each setting means, for the report's method section: (zh, en).
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "ahead_at": ("进度比ρ不低于此值为“快于预期”", "pace ρ at or above this: ahead of schedule"),
    "on_track_at": ("进度比ρ不低于此值为“符合预期”", "pace ρ at or above this: on track"),
    "needs_acceleration_at": (
        "进度比ρ不低于此值为“基本符合预期”，低于则“进度滞后”",
        "pace ρ at or above this: needs acceleration; below: lagging",
    ),
    "around_tolerance": ("“左右”类目标的默认容差（百分点）", "default tolerance of 'about' targets (points)"),
    "full_rate_threshold": ("“全覆盖”类目标视为达到100%的阈值", "value counted as 100% for full-rate targets"),
    "min_points_pace": ("计算进度所需的最少年度观测数", "fewest annual points for pace"),
    "min_points_probability": ("计算实现概率所需的最少年度观测数", "fewest annual points for a probability"),
    "min_points_ets": ("使用阻尼趋势ETS模型所需的最少观测数", "fewest points for the damped-trend ETS model"),
    "spread_inflation": ("残差离散度放大系数", "inflation of the residual spread"),
    "paths_per_model": ("每个模型模拟的路径数", "simulated paths per model"),
    "seed": ("随机数种子", "random seed"),
    "interval": ("预测区间的覆盖概率", "coverage of the forecast interval"),
    "very_likely_at": ("概率不低于此值：很可能实现", "p at or above: very likely"),
    "likely_at": ("概率不低于此值：可能实现", "p at or above: likely"),
    "about_even_at": ("概率不低于此值：难以判断", "p at or above: about as likely as not"),
    "unlikely_at": ("概率不低于此值：可能难以实现；低于则很可能无法实现", "p at or above: unlikely; below: very unlikely"),
}


def describe(config: MethodConfig) -> list[dict[str, Any]]:
    """The settings actually used, with their meaning in both languages, in declaration order."""
    return [
        {"key": key, "value": value, "zh": DESCRIPTIONS[key][0], "en": DESCRIPTIONS[key][1]}
        for key, value in config.as_dict().items()
    ]
