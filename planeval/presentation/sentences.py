"""The method's words, one catalogue per language: status and likelihood words, reasons, flags,
findings, data needed and the verdict sentence.

The method writes what it found as :class:`~planeval.method.record.Message`: a code and its
parameters (numbers, years, codes, nested messages, the plan's own texts). :func:`text` is the one
place a message becomes words: it looks the code up in the catalogue of the language and fills the
template, formatting the parameters here (numbers with :func:`number`, years with
:func:`years_text`, probabilities with :func:`percent`). A third language is one more dict below
(and the plan's texts in that language).

A template field takes a format of its own after the colon:
``{p:percent}`` a probability, ``{share:share}`` a share that may pass 100%, ``{x:number}`` a number
(also an int, "—" for none), ``{c:conf}`` a confidence code, ``{l:list}`` strings joined by commas,
``{v:values}`` competing values, ``{parts:join}`` messages run together, ``{n:one|many}`` the word
for a count (or a list's length). Without a format: a float prints as :func:`number`, a list as
years, a message as its text, ``{"zh": …, "en": …}`` (a plan's text) in the language, None as nothing.
These are the words of docs/method.md (China's mid-term review vocabulary and the IPCC likelihood scale).
"""

from __future__ import annotations

import string
from typing import Any

from planeval.method.record import Message
from planeval.presentation.formats import number_text as number
from planeval.presentation.formats import probability as percent
from planeval.presentation.formats import years_text

ZH: dict[str, str] = {
    # Status words (China's mid-term review vocabulary)
    "achieved_early": "提前实现",
    "ahead": "快于预期",
    "on_track": "符合预期",
    "broadly_on_track": "基本符合预期",
    "lagging": "相对滞后",
    "moving_away": "逆向变化",
    "insufficient_data": "数据不足",
    "achieved": "已实现",
    "target_reached": "已达到目标值",
    "likely_achieved": "初步判断已实现",
    "likely_missed": "初步判断未实现",
    "undetermined": "尚难判断",
    "missed": "未实现",
    "not_identified": "公开来源中未能识别",
    # Likelihood words (the IPCC scale)
    "very_likely": "很可能实现",
    "likely": "可能实现",
    "about_even": "难以判断",
    "unlikely": "可能难以实现",
    "very_unlikely": "很可能无法实现",
    # Evidence confidence
    "conf_high": "高",
    "conf_medium": "中",
    "conf_low": "低",
    # Flags: what the reader must know
    "competing_values": "{year}年有不同来源的数值：{values:values}；采用可信度较高的来源。",
    "definition_break": "口径断点（{year}年起）：{note}",
    "definition_relabel": "口径变化（{year}年起）：{note}",
    "scale_fallback": "数据不适合{scale}变换，改用原始尺度拟合。",
    "base_substituted": "因{why}，以{year}年数值作为基数，时间进度相应缩短。",
    "base_why_break": "{year}年口径断点",
    "base_why_missing": "基期{year}年没有可用数值",
    # Reasons: why a figure could not be given
    "no_current_value": "{since}年以来（截至{year}年）没有年度数值，无法计算进度。",
    "no_base": "基期之后只有一个可用数值，至少需要{need}个才能计算进度。",
    "no_progress_share": "基数已在目标一侧，进度比例无意义。",
    "scope_change": "基期至最新值之间口径有变化（{year}年），不计算进度比ρ和r。",
    "within_error": "基期值与目标之差在测量误差以内，不计算进度比ρ和r。",
    "cumulative_gap": "{year}年的数值缺失，{later}的数值无法计入逐年累计数。",
    "already_missed": "{years}未达标，规划期目标已不可能全部实现，概率为0。",
    "years_unknown": "{years}没有可定论的年度数值，不能认定“每年均达标”。",
    "no_forecast_qualitative": "定性目标按规则逐年判断，不作概率预测。",
    "stale": "进度按{year}年计算；{gap}没有年度数值。",
    "too_few_points": "{since}只有{n}个年度观测值，少于计算实现概率所需的{need}个，不给出概率。",
    "since_break": "{year}年口径断点后",
    "binding_not_broadly": "约束性指标实现概率低于{cut}，不评为“基本符合预期”。",
    "backtest_not_identified": "指标未识别，无法回测。",
    "backtest_qualitative": "定性目标不作概率预测，不回测。",
    "backtest_too_short": "当前口径下截至{year}年只有{n}个年度观测值；回测至少需要{need}个（{fit}个用于拟合，并在其后1–{horizon}年内有观测值）。",
    # Findings: what partial readings and bounds say
    "mean_partial": "{year}年：{period}平均为{value}（{source}，{confidence:conf}可信度）；全年要控制在{target}以内，其余月份平均须不超过{break_even}，{record}；全年达标概率{p:percent}。",
    "mean_partial_floor": "{year}年：{period}平均为{value}（{source}，{confidence:conf}可信度）；全年要达到{target}，其余月份平均须不低于{break_even}，{record}；全年达标概率{p:percent}。",
    "never_recorded": "历史上从未出现（有记录的最有利年度值为{ref}）",
    "recorded_before": "有记录的最有利年度值为{ref}",
    "flow_partial": "{year}年：{period:list}已达{value}（{source:list}），全年至少为此数，{verdict}。",
    "flow_partial_met": "已达到目标",
    "flow_partial_missed": "已超过上限",
    "stock_nowcast": "{year}年：{period}为{value}（{source}）；按{how}推算年末约为{nowcast}（离散度{spread}），达标概率{p:percent}。",
    "nowcast_history": "此前{n}年同期至年末的平均变化",
    "nowcast_default": "默认离散度（历史数据不足，加倍，低可信度）",
    "value_uncertain": "{year}年数值{value}来自{confidence:conf}可信度来源{source}，{why}，尚不能据此定论；按数值误差估计达标概率{p:percent}。",
    "why_confidence": "仅一个低可信度来源",
    "why_margin": "与目标之差在四舍五入误差以内",
    "lower_bound": "规划期内不重叠时段的已知数值合计至少为{value}（{periods:list}），为目标的{share:share}。",
    "lower_bound_settles": "已超过目标{target}。",
    "lower_bound_needs": "尚缺{years}的数值；只有它们合计不少于{need}，目标才能实现。",
    "period_mean_known": "{first}—{last}年平均为{mean}，{verdict}。",
    "period_mean_needs": "规划期平均要控制在{target}以内，需{years}合计不超过{need}（已知年份合计{known}）。",
    "period_mean_needs_floor": "规划期平均要达到{target}，需{years}合计不少于{need}（已知年份合计{known}）。",
    "period_mean_settled": "即使按下限计算也已{verdict}。",
    "met": "达标",
    "not_met": "未达标",
    "reached_can_fall": "{year}年已达到目标值；该指标可能回落，{end}年是否仍达标{p:percent}。",
    "reached_unknown": "尚不可知",
    "rule_gap": "{year}年缺少{missing}的数值；按相邻年份及历年变化估计，规则成立的概率为{p:percent}（已知一侧为{known:number}）。",
    "all_years_bound": "{years}没有任何数据，所有年份均达标的概率至多为{p:percent}（最不利年份的概率）。",
    # Data needed and the rule that settles it
    "need_annual": "{years}年度值（{rule}）",
    "need_end": "{year}年的数值（{rule}）",
    "need_base": "基期{year}年的准确数值",
    "need_flows": "{years}的年度数值（合计不少于{need}即实现目标）",
    "rule_at_most": "不超过{target}即达标",
    "rule_at_least": "不低于{target}即达标",
    "rule_increase": "比{base}年增加不少于{target}即达标",
    "rule_band": "在{low}至{high}之间即达标",
    "rule_compare": "两个比较序列的数值",
    # The verdict sentence and its parts
    "verdict": "{name}（目标：{target:number}）截至{year}年：{status}{parts:join}。",
    "verdict_missed": "，{years}未达标",
    "verdict_met": "，{years}达标",
    "verdict_year_p": "，{year}年达标概率{p:percent}",
    "verdict_no_data": "，{years}无数据",
    "verdict_at_least": "，已知至少{value:number}",
    "verdict_p_each_year": "。规划期内每年均达标{likelihood}（概率{bound}{p:percent}）",
    "verdict_p_end": "。目标{likelihood}（概率{bound}{p:percent}）",
    "verdict_p_by_end": "。预计{end}年目标{likelihood}（概率{bound}{p:percent}）",
    "at_most": "至多",
    "verdict_confidence": "；证据可信度{confidence:conf}（{publishers}个发布者）",
}

EN: dict[str, str] = {
    # Status words (China's mid-term review vocabulary)
    "achieved_early": "achieved early",
    "ahead": "ahead of schedule",
    "on_track": "on track",
    "broadly_on_track": "broadly on track",
    "lagging": "lagging",
    "moving_away": "moving away",
    "insufficient_data": "insufficient data",
    "achieved": "achieved",
    "target_reached": "target level reached",
    "likely_achieved": "provisionally achieved",
    "likely_missed": "provisionally not achieved",
    "undetermined": "undetermined",
    "missed": "not achieved",
    "not_identified": "not identified in public sources",
    # Likelihood words (the IPCC scale)
    "very_likely": "very likely",
    "likely": "likely",
    "about_even": "about as likely as not",
    "unlikely": "unlikely",
    "very_unlikely": "very unlikely",
    # Evidence confidence
    "conf_high": "high",
    "conf_medium": "medium",
    "conf_low": "low",
    # Flags: what the reader must know
    "competing_values": "{year} has values from several sources: {values:values}; the higher-confidence source is used.",
    "definition_break": "Definition break from {year}: {note}",
    "definition_relabel": "Definition change from {year}: {note}",
    "scale_fallback": "The values do not allow a {scale} scale; fitted on the original scale.",
    "base_substituted": "Because {why}, {year} serves as the base and the elapsed share is shortened to match.",
    "base_why_break": "the definition break in {year}",
    "base_why_missing": "the base year {year} has no usable value",
    # Reasons: why a figure could not be given
    "no_current_value": "No annual value since {since} (as of {year}): progress cannot be computed.",
    "no_base": "Only one usable value from the base on; pace needs at least {need}.",
    "no_progress_share": "The base value is already at the target: the progress share has no meaning.",
    "scope_change": "The definition changed between the base and the latest value ({year}): no ρ or r.",
    "within_error": "The base is within measurement error of the target: no ρ or r.",
    "cumulative_gap": "{year} is missing, so the value(s) for {later} cannot be added to the running sum.",
    "already_missed": "{years} missed: the every-year target can no longer be met (p = 0).",
    "years_unknown": "No annual value settles {years}: 'met every year' cannot be claimed.",
    "no_forecast_qualitative": "A qualitative rule is judged year by year; no probability is forecast.",
    "stale": "Progress is as of {year}; {gap} {gap:has|have} no annual value.",
    "too_few_points": "Only {n} annual point value(s){since}; a probability needs at least {need}.",
    "since_break": " since the definition break in {year}",
    "binding_not_broadly": "A binding target with p below {cut} is not rated broadly on track.",
    "backtest_not_identified": "The indicator is not identified: nothing to backtest.",
    "backtest_qualitative": "A qualitative rule has no probability forecast to backtest.",
    "backtest_too_short": "Only {n} annual point value(s) as of {year} on the current definition; a backtest needs at least {need} ({fit} to fit and one observed 1–{horizon} years later).",
    # Findings: what partial readings and bounds say
    "mean_partial": "{year}: {period} averaged {value} ({source}, {confidence:conf} confidence); the year stays within {target} only if the remaining months average at most {break_even}, {record}; P(year met) {p:percent}.",
    "mean_partial_floor": "{year}: {period} averaged {value} ({source}, {confidence:conf} confidence); the year reaches {target} only if the remaining months average at least {break_even}, {record}; P(year met) {p:percent}.",
    "never_recorded": "a level never recorded (the most favourable annual value on record is {ref})",
    "recorded_before": "the most favourable annual value on record is {ref}",
    "flow_partial": "{year}: {value} by {period:list} ({source:list}); the year is at least that, so {verdict}.",
    "flow_partial_met": "it is met",
    "flow_partial_missed": "the ceiling is exceeded",
    "stock_nowcast": "{year}: {value} in {period} ({source}); a year-end nowcast from {how} gives about {nowcast} (spread {spread}); P(met) {p:percent}.",
    "nowcast_history": "the same-month-to-December change of {n} earlier years",
    "nowcast_default": "the default spread (too little history: doubled, graded low)",
    "value_uncertain": "The {year} value {value} comes from {source} ({confidence:conf} confidence); {why}, so it does not settle the verdict alone; allowing for its error, P(met) {p:percent}.",
    "why_confidence": "it has a single low-confidence publisher",
    "why_margin": "its distance to the target is within rounding",
    "lower_bound": "Values over disjoint periods of the plan add up to at least {value} ({periods:list}): {share:share} of the target.",
    "lower_bound_settles": "That is past the target of {target}.",
    "lower_bound_needs": "{years} are missing; the target is met only if they add up to at least {need}.",
    "period_mean_known": "The {first}–{last} mean is {mean}: {verdict}.",
    "period_mean_needs": "The plan-period mean stays within {target} only if {years} add up to at most {need} (the known years sum to {known}).",
    "period_mean_needs_floor": "The plan-period mean reaches {target} only if {years} add up to at least {need} (the known years sum to {known}).",
    "period_mean_settled": "Even at their logical bounds it is {verdict}.",
    "met": "met",
    "not_met": "not met",
    "reached_can_fall": "The target level was reached in {year}; it can fall back, so whether it holds in {end} {p:percent}.",
    "reached_unknown": "is not known",
    "rule_gap": "{year} lacks {missing}; estimated from the adjacent years and its year-to-year changes, P(rule holds) {p:percent} (the known side is {known:number}).",
    "all_years_bound": "{years} have no data at all; P(all years met) is at most {p:percent}, the weakest year's.",
    # Data needed and the rule that settles it
    "need_annual": "the annual values for {years} ({rule})",
    "need_end": "the {year} value ({rule})",
    "need_base": "an exact value for the base year {year}",
    "need_flows": "the annual values for {years} (the target is met if they add up to at least {need})",
    "rule_at_most": "at most {target} meets it",
    "rule_at_least": "at least {target} meets it",
    "rule_increase": "an increase of at least {target} on {base} meets it",
    "rule_band": "between {low} and {high} meets it",
    "rule_compare": "both compared series",
    # The verdict sentence and its parts
    "verdict": "{name} (target: {target:number}) as of {year}: {status}{parts:join}.",
    "verdict_missed": "; missed in {years}",
    "verdict_met": "; met in {years}",
    "verdict_year_p": "; P({year} met) {p:percent}",
    "verdict_no_data": "; no data for {years}",
    "verdict_at_least": "; at least {value:number} recorded",
    "verdict_p_each_year": ". That every plan year meets the target is {likelihood} (p {bound}{p:percent})",
    "verdict_p_end": ". That the target was met is {likelihood} (p {bound}{p:percent})",
    "verdict_p_by_end": ". The {end} target is {likelihood} to be met (p {bound}{p:percent})",
    "at_most": "at most ",
    "verdict_confidence": "; {confidence:conf} confidence ({publishers} publisher{publishers:|s})",
}

CATALOGUE: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}

STATUS_CODES = ("achieved_early", "ahead", "on_track", "broadly_on_track", "lagging", "moving_away",
                "insufficient_data", "achieved", "target_reached", "likely_achieved", "likely_missed",
                "undetermined", "missed", "not_identified")
LIKELIHOOD_CODES = ("very_likely", "likely", "about_even", "unlikely", "very_unlikely")
# The status and likelihood words by code, (zh, en), for the report's label table.
STATUS: dict[str, tuple[str, str]] = {c: (ZH[c], EN[c]) for c in STATUS_CODES}
LIKELIHOOD: dict[str, tuple[str, str]] = {c: (ZH[c], EN[c]) for c in LIKELIHOOD_CODES}


def _is_message(value: object) -> bool:
    return isinstance(value, Message) or (isinstance(value, dict) and "code" in value and "params" in value)


def _field(value: Any, spec: str, lang: str) -> str:
    """One parameter of a message as words in ``lang`` (see the module docstring for ``spec``)."""
    if "|" in spec:
        one, many = spec.split("|", 1)
        return one if (len(value) if isinstance(value, list) else value) == 1 else many
    if _is_message(value):
        return text(value, lang)
    if isinstance(value, dict):
        return str(value[lang])  # the plan's own text, in each language
    formats = {"percent": percent, "number": number, "conf": lambda c: CATALOGUE[lang][f"conf_{c}"],
               "share": lambda s: percent(s) if s < 1 else f"{100 * s:.0f}%", "list": ", ".join,
               "values": lambda vs: "; ".join(f"{v['qualifier']}{number(v['value'])} ({v['source']})" for v in vs),
               "join": lambda ms: "".join(text(m, lang) for m in ms)}
    if spec:
        return formats[spec](value)
    if value is None:
        return ""
    if isinstance(value, list):
        return years_text(value, lang)
    return number(value) if isinstance(value, float) else str(value)


class _Words(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        return _field(value, format_spec, self.lang)


def text(message: Message | dict[str, Any] | None, lang: str) -> str:
    """What a message of a record says in ``lang`` ("" for none): the one place the report, the
    notebooks and every output format turn a record's message (a :class:`Message` or its JSON form,
    ``{"code": ..., "params": {...}}``) into words."""
    if message is None:
        return ""
    code, params = (message.code, message.params) if isinstance(message, Message) else (message["code"], message["params"])
    return _Words(lang).vformat(CATALOGUE[lang][code], (), params)
