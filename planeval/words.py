"""The method's vocabulary in both languages: status words, likelihood words, reasons and flags.

These are the words of METHOD.md (China's mid-term review vocabulary and the IPCC likelihood
scale). The record carries them as :class:`~planeval.record.Message` so the report never re-derives
a verdict.
"""

from __future__ import annotations

from .record import Message

STATUS: dict[str, tuple[str, str]] = {
    "achieved_early": ("提前实现", "achieved early"),
    "ahead": ("快于预期", "ahead of schedule"),
    "on_track": ("符合预期", "on track"),
    "needs_acceleration": ("基本符合预期", "needs acceleration"),
    "lagging": ("进度滞后", "lagging"),
    "moving_away": ("逆向变化", "moving away"),
    "insufficient_data": ("数据不足", "insufficient data"),
    "achieved": ("已实现", "achieved"),
    "missed": ("未实现", "not achieved"),
    "not_identified": ("公开来源中未能识别", "not identified in public sources"),
}

LIKELIHOOD: dict[str, tuple[str, str]] = {
    "very_likely": ("很可能实现", "very likely"),
    "likely": ("可能实现", "likely"),
    "about_even": ("难以判断", "about as likely as not"),
    "unlikely": ("可能难以实现", "unlikely"),
    "very_unlikely": ("很可能无法实现", "very unlikely"),
}

def status(code: str) -> Message:
    zh, en = STATUS[code]
    return Message(code, zh, en)


def likelihood(code: str) -> Message:
    zh, en = LIKELIHOOD[code]
    return Message(code, zh, en)


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
    dash = "—" if lang == "zh" else "–"
    parts = [f"{r[0]}{dash}{r[-1]}" if len(r) >= 3 else ", ".join(map(str, r)) for r in runs]
    if lang == "zh":
        return "、".join(p.replace(", ", "、") for p in parts) + "年"
    return ", ".join(parts)


def message(code: str, zh: str, en: str) -> Message:
    return Message(code, zh, en)
