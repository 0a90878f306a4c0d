"""Every threshold and default of the evaluation method, in one place.

The report's method section is generated from :func:`describe`, so what it prints is what the code
used. A plan file may override any field under its ``method:`` key.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class MethodConfig:
    # Status from r = the pace the remaining years need ÷ the pace achieved so far (docs/method.md, "Pace").
    ahead_r: float = 0.95
    on_track_r: float = 1.05
    broadly_on_track_r: float = 1.5
    # No ρ or r when the distance from the base to the target is within this share of the base value.
    distance_within_error: float = 0.01
    # Evidence: the spread of a reported value's error, as a share of the value, by source confidence.
    value_error_high: float = 0.005
    value_error_medium: float = 0.02
    value_error_low: float = 0.05
    # Partial-year readings: years of history a nowcast needs, and the default spread (share of the
    # value, doubled when used) without them.
    nowcast_min_years: int = 3
    partial_default_spread: float = 0.05
    # A binding target is never "broadly on track" with p below this.
    binding_min_p: float = 0.66
    # `around` targets: half-width of the band around the target, unless the indicator sets one.
    around_tolerance: float = 0.5
    # `full_rate` targets: a value at or above this counts as 100%.
    full_rate_threshold: float = 99.5
    # Forecast. The error spread is learned by `make calibrate` (planeval/method/calibrated.py, README
    # "Forecast calibration"); spread_inflation stretches it further (1.0: as calibrated).
    min_points_pace: int = 2
    min_points_probability: int = 5
    min_points_ets: int = 8
    models: str = "rw_drift,linear_trend,theta"
    drift_shrinkage: float = 0.25
    spread_inflation: float = 1.0
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
            low, high, open_ = RANGES.get(key, (None, None, False))
            if low is not None and not (low < value < high if open_ else low <= value <= high):  # also refuses nan
                raise SettingError(key, f"method setting '{key}' must be from {low} to {high}"
                                        f"{' (both excluded)' if open_ else ''}, got {value!r}")
            clean[key] = value
        new = replace(self, **clean)
        for ladder, order in ((("ahead_r", "on_track_r", "broadly_on_track_r"), "increase"),
                              (("very_likely_at", "likely_at", "about_even_at", "unlikely_at"), "decrease")):
            values = [getattr(new, k) for k in ladder]
            pairs = list(zip(values, values[1:]))
            if any(a >= b for a, b in pairs) if order == "increase" else any(a <= b for a, b in pairs):
                key = next((k for k in ladder if k in clean), ladder[0])
                raise SettingError(key, f"method settings {', '.join(ladder)} must {order} in that order, got "
                                        f"{', '.join(map(repr, values))}")
        return new

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT = MethodConfig()

# Each setting's allowed range: (low, high, both ends excluded?). Counts of points and paths are whole numbers.
RANGES: dict[str, tuple[float, float, bool]] = {
    "ahead_r": (0, 100, True), "on_track_r": (0, 100, True), "broadly_on_track_r": (0, 100, True),
    "distance_within_error": (0, 1, False), "value_error_high": (0, 1, False), "value_error_medium": (0, 1, False),
    "value_error_low": (0, 1, False), "nowcast_min_years": (1, 50, False), "partial_default_spread": (0, 1, True),
    "binding_min_p": (0, 1, False), "drift_shrinkage": (0, 1, False),
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
    "ahead_r": ("所需速度与已实现速度之比r不高于此值为“快于预期”", "r (pace needed ÷ pace achieved) at or below this: ahead of schedule"),
    "on_track_r": ("r不高于此值为“符合预期”", "r at or below this: on track"),
    "broadly_on_track_r": ("r不高于此值为“基本符合预期”，高于则“相对滞后”", "r at or below this: broadly on track; above: lagging"),
    "distance_within_error": ("基期值与目标之差不超过基期值的此比例时，不计算ρ和r",
                              "no ρ or r when the base is within this share of its value from the target"),
    "value_error_high": ("高可信度来源数值的误差幅度（占数值的比例）", "error spread of a high-confidence value (share of the value)"),
    "value_error_medium": ("中可信度来源数值的误差幅度", "error spread of a medium-confidence value"),
    "value_error_low": ("低可信度来源数值的误差幅度", "error spread of a low-confidence value"),
    "nowcast_min_years": ("用历年同期至年末变化推算年末值所需的最少年数", "fewest earlier years for a year-end nowcast from a partial reading"),
    "partial_default_spread": ("历史不足时部分年度数据推算的默认离散度（使用时加倍）",
                               "default spread of a partial-year nowcast without history (doubled when used)"),
    "binding_min_p": ("约束性指标概率低于此值时不评为“基本符合预期”", "a binding target below this p is never broadly on track"),
    "around_tolerance": ("“左右”类目标的默认容差（百分点）", "default tolerance of 'about' targets (points)"),
    "full_rate_threshold": ("“全覆盖”类目标视为达到100%的阈值", "value counted as 100% for full-rate targets"),
    "min_points_pace": ("计算进度所需的最少年度观测数", "fewest annual points for pace"),
    "min_points_probability": ("计算实现概率所需的最少年度观测数", "fewest annual points for a probability"),
    "min_points_ets": ("使用阻尼趋势ETS模型所需的最少观测数", "fewest points for the damped-trend ETS model"),
    "models": ("合并的预测模型（适用时）", "forecast models pooled (where they apply)"),
    "drift_shrinkage": ("随机游走漂移项的收缩权重（1为不收缩）", "weight on the random walk's estimated drift (1: none shrunk)"),
    "spread_inflation": ("在校准误差分布之上的额外放大系数（1为按校准）",
                         "extra stretch on top of the calibrated error spread (1: as calibrated)"),
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
