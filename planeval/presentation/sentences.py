"""The method's vocabulary in both languages: status words, likelihood words, reasons and flags.

These are the words of docs/method.md (China's mid-term review vocabulary and the IPCC likelihood
scale). The record carries them as :class:`~planeval.method.record.Message` so the report never re-derives
a verdict.
"""

from __future__ import annotations

from typing import Any

from planeval.method.record import Message
from planeval.presentation.formats import number_text as number  # noqa: F401  (the method's sentences print numbers so)
from planeval.presentation.formats import probability as percent  # noqa: F401  (and probabilities so)
from planeval.presentation.formats import years_text

STATUS: dict[str, tuple[str, str]] = {
    "achieved_early": ("提前实现", "achieved early"),
    "ahead": ("快于预期", "ahead of schedule"),
    "on_track": ("符合预期", "on track"),
    "broadly_on_track": ("基本符合预期", "broadly on track"),
    "lagging": ("相对滞后", "lagging"),
    "moving_away": ("逆向变化", "moving away"),
    "insufficient_data": ("数据不足", "insufficient data"),
    "achieved": ("已实现", "achieved"),
    "target_reached": ("已达到目标值", "target level reached"),
    "likely_achieved": ("初步判断已实现", "provisionally achieved"),
    "likely_missed": ("初步判断未实现", "provisionally not achieved"),
    "undetermined": ("尚难判断", "undetermined"),
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


def message(code: str, zh: str, en: str) -> Message:
    return Message(code, zh, en)


CONFIDENCE: dict[str, tuple[str, str]] = {"high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low")}

# The method's sentences, by code: (zh, en) templates. ``say`` fills them; a list of years prints
# as years_text, a float as ``number``, a (zh, en) pair in each language.
SENTENCES: dict[str, tuple[str, str]] = {
    "mean_partial": (
        "{year}年：{period}平均为{value}（{source}，{confidence}可信度）；全年要控制在{target}以内，其余月份平均须不超过{break_even}，"
        "{record}；全年达标概率{p}。",
        "{year}: {period} averaged {value} ({source}, {confidence} confidence); the year stays within {target} only if "
        "the remaining months average at most {break_even}, {record}; P(year met) {p}."),
    "mean_partial_floor": (
        "{year}年：{period}平均为{value}（{source}，{confidence}可信度）；全年要达到{target}，其余月份平均须不低于{break_even}，"
        "{record}；全年达标概率{p}。",
        "{year}: {period} averaged {value} ({source}, {confidence} confidence); the year reaches {target} only if "
        "the remaining months average at least {break_even}, {record}; P(year met) {p}."),
    "never_recorded": ("历史上从未出现（有记录的最有利年度值为{ref}）", "a level never recorded (the most favourable annual value on record is {ref})"),
    "recorded_before": ("有记录的最有利年度值为{ref}", "the most favourable annual value on record is {ref}"),
    "flow_partial": ("{year}年：{period}已达{value}（{source}），全年至少为此数，{verdict}。",
                     "{year}: {value} by {period} ({source}); the year is at least that, so {verdict}."),
    "flow_partial_met": ("已达到目标", "it is met"),
    "flow_partial_missed": ("已超过上限", "the ceiling is exceeded"),
    "stock_nowcast": ("{year}年：{period}为{value}（{source}）；按{how}推算年末约为{nowcast}（离散度{spread}），达标概率{p}。",
                      "{year}: {value} in {period} ({source}); a year-end nowcast from {how} gives about {nowcast} "
                      "(spread {spread}); P(met) {p}."),
    "nowcast_history": ("此前{n}年同期至年末的平均变化", "the same-month-to-December change of {n} earlier years"),
    "nowcast_default": ("默认离散度（历史数据不足，加倍，低可信度）", "the default spread (too little history: doubled, graded low)"),
    "value_uncertain": ("{year}年数值{value}来自{confidence}可信度来源{source}，{why}，尚不能据此定论；按数值误差估计达标概率{p}。",
                        "The {year} value {value} comes from {source} ({confidence} confidence); {why}, so it does not "
                        "settle the verdict alone; allowing for its error, P(met) {p}."),
    "why_confidence": ("仅一个低可信度来源", "it has a single low-confidence publisher"),
    "why_margin": ("与目标之差在四舍五入误差以内", "its distance to the target is within rounding"),
    "lower_bound": ("规划期内不重叠时段的已知数值合计至少为{value}（{periods}），为目标的{share}。",
                    "Values over disjoint periods of the plan add up to at least {value} ({periods}): {share} of the target."),
    "lower_bound_settles": ("已超过目标{target}。", "That is past the target of {target}."),
    "lower_bound_needs": ("尚缺{years}的数值；只有它们合计不少于{need}，目标才能实现。",
                          "{years} are missing; the target is met only if they add up to at least {need}."),
    "period_mean_known": ("{first}—{last}年平均为{mean}，{verdict}。", "The {first}–{last} mean is {mean}: {verdict}."),
    "period_mean_needs": ("规划期平均要控制在{target}以内，需{years}合计不超过{need}（已知年份合计{known}）。",
                          "The plan-period mean stays within {target} only if {years} add up to at most {need} "
                          "(the known years sum to {known})."),
    "period_mean_needs_floor": ("规划期平均要达到{target}，需{years}合计不少于{need}（已知年份合计{known}）。",
                                "The plan-period mean reaches {target} only if {years} add up to at least {need} "
                                "(the known years sum to {known})."),
    "period_mean_settled": ("即使按下限计算也已{verdict}。", "Even at their logical bounds it is {verdict}."),
    "met": ("达标", "met"),
    "not_met": ("未达标", "not met"),
    "need_annual": ("{years}年度值（{rule}）", "the annual values for {years} ({rule})"),
    "need_end": ("{year}年的数值（{rule}）", "the {year} value ({rule})"),
    "need_base": ("基期{year}年的准确数值", "an exact value for the base year {year}"),
    "need_flows": ("{years}的年度数值（合计不少于{need}即实现目标）", "the annual values for {years} (the target is met if they add up to at least {need})"),
    "rule_at_most": ("不超过{target}即达标", "at most {target} meets it"),
    "rule_at_least": ("不低于{target}即达标", "at least {target} meets it"),
    "rule_increase": ("比{base}年增加不少于{target}即达标", "an increase of at least {target} on {base} meets it"),
    "rule_band": ("在{low}至{high}之间即达标", "between {low} and {high} meets it"),
    "rule_compare": ("两个比较序列的数值", "both compared series"),
    "scope_change": ("基期至最新值之间口径有变化（{year}年），不计算进度比ρ和r。",
                     "The definition changed between the base and the latest value ({year}): no ρ or r."),
    "within_error": ("基期值与目标之差在测量误差以内，不计算进度比ρ和r。",
                     "The base is within measurement error of the target: no ρ or r."),
    "reached_can_fall": ("{year}年已达到目标值；该指标可能回落，{end}年是否仍达标{p}。",
                         "The target level was reached in {year}; it can fall back, so whether it holds in {end} {p}."),
    "reached_unknown": ("尚不可知", "is not known"),
    "rule_gap": ("{year}年缺少{missing}的数值；按相邻年份及历年变化估计，规则成立的概率为{p}（已知一侧为{known}）。",
                 "{year} lacks {missing}; estimated from the adjacent years and its year-to-year changes, "
                 "P(rule holds) {p} (the known side is {known})."),
    "binding_not_broadly": ("约束性指标实现概率低于{cut}，不评为“基本符合预期”。",
                            "A binding target with p below {cut} is not rated broadly on track."),
    "all_years_bound": ("{years}没有任何数据，所有年份均达标的概率至多为{p}（最不利年份的概率）。",
                        "{years} have no data at all; P(all years met) is at most {p}, the weakest year's."),
}


def _param(value: object, lang: str) -> str:
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return value[0] if lang == "zh" else value[1]
    if isinstance(value, Message):
        return value.zh if lang == "zh" else value.en
    if isinstance(value, list):
        return years_text(value, lang)
    if isinstance(value, float):
        return number(value)
    return str(value)


def say(code: str, **params: object) -> Message:
    """The sentence ``code`` of the catalogue, in both languages, with ``params`` filled in."""
    zh, en = SENTENCES[code]
    return Message(code, zh.format(**{k: _param(v, "zh") for k, v in params.items()}),
                   en.format(**{k: _param(v, "en") for k, v in params.items()}))


def text(message: Message | dict[str, Any] | None, lang: str) -> str:
    """What a message of a record says in ``lang`` ("" for none): the one place the report, the
    notebooks and every output format turn a record's message into words."""
    if message is None:
        return ""
    if isinstance(message, Message):
        return getattr(message, lang)
    return str(message[lang])
