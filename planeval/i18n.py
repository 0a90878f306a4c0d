"""Every user-facing string of the report and charts, in Chinese and English, plus status colours.

``t(key, lang)`` looks a string up; ``t(key, lang, n=3)`` fills ``{n}`` placeholders. Status and
likelihood codes are the ones written into the result record (``record.status.code``,
``record.forecast.likelihood.code``); their names and colours live here and nowhere else.
"""

from __future__ import annotations

LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}
FONT_FAMILY = "Noto Sans CJK SC"

# Status code -> colour (hex), in the order the report lists them.
STATUS_COLOURS: dict[str, str] = {
    "achieved_early": "#1b7837",
    "achieved": "#1b7837",
    "ahead": "#4dac26",
    "on_track": "#7fbc41",
    "needs_acceleration": "#e6ab02",
    "lagging": "#e66101",
    "moving_away": "#b2182b",
    "missed": "#b2182b",
    "insufficient_data": "#999999",
    "not_identified": "#cccccc",
}
STATUSES = tuple(STATUS_COLOURS)
LIKELIHOODS = ("very_likely", "likely", "about_even", "unlikely", "very_unlikely")
UNKNOWN_COLOUR = "#bbbbbb"

_S: dict[str, tuple[str, str]] = {
    # Status names (METHOD.md vocabulary).
    "status.achieved_early": ("提前实现", "achieved early"),
    "status.achieved": ("已实现", "achieved"),
    "status.ahead": ("快于预期", "ahead of schedule"),
    "status.on_track": ("符合预期", "on track"),
    "status.needs_acceleration": ("基本符合预期", "needs acceleration"),
    "status.lagging": ("进度滞后", "lagging"),
    "status.moving_away": ("逆向变化", "moving away"),
    "status.missed": ("未实现", "missed"),
    "status.insufficient_data": ("数据不足", "insufficient data"),
    "status.not_identified": ("公开来源中未能识别", "not identified in public sources"),
    "status.no_record": ("无评估记录", "no result record"),
    # Likelihood words (IPCC scale).
    "likelihood.very_likely": ("很可能实现", "very likely"),
    "likelihood.likely": ("可能实现", "likely"),
    "likelihood.about_even": ("难以判断", "about as likely as not"),
    "likelihood.unlikely": ("可能难以实现", "unlikely"),
    "likelihood.very_unlikely": ("很可能无法实现", "very unlikely"),
    # Target kinds in plain words.
    "kind.ceiling_each_year": ("上限目标：每年都不超过目标值", "ceiling: every year at or below the target"),
    "kind.floor_each_year": ("下限目标：每年都不低于目标值", "floor: every year at or above the target"),
    "kind.cumulative": ("累计目标：规划期内各年之和达到目标值", "cumulative: the sum over the plan years reaches the target"),
    "kind.end_level": ("期末水平目标：规划末年达到目标值", "end level: the value in the end year reaches the target"),
    "kind.increase": ("增量目标：规划末年比基期增加目标值", "increase: the end-year value exceeds the base by the target"),
    "kind.around": ("区间目标：规划末年在目标值上下容差以内", "about: the end-year value within the tolerance around the target"),
    "kind.full_rate": ("全覆盖目标：达到100%", "full rate: reaching 100%"),
    "kind.qualitative": ("定性目标：按规划文件中的操作规则逐年判断", "qualitative: judged each year by the rule in the plan file"),
    # Report sections.
    "report.title": ("中期评估报告", "mid-term evaluation report"),
    "sec.toc": ("目录", "Contents"),
    "sec.cover": ("封面", "Cover"),
    "sec.summary": ("执行摘要", "Executive summary"),
    "sec.overview": ("全部指标一览", "All indicators at a glance"),
    "sec.indicators": ("分指标评估", "Indicator by indicator"),
    "sec.projects": ("重大事项", "Major projects"),
    "sec.coverage": ("数据覆盖情况", "Data coverage"),
    "sec.method": ("评估方法", "Method"),
    "sec.sources": ("资料来源", "Sources"),
    # Cover.
    "cover.issuer": ("发布机关", "Issued by"),
    "cover.plan_period": ("规划期", "Plan period"),
    "cover.year": ("评估年份", "Evaluation year"),
    "cover.cutoff": ("数据截止", "Data cut-off"),
    "cover.commit": ("代码版本", "Code commit"),
    "cover.data_hash": ("数据指纹", "Data hash"),
    "cover.generated_from": ("生成依据的输入文件", "Generated from"),
    "cover.file": ("文件", "File"),
    "cover.hash": ("指纹", "Hash"),
    "cover.asof": ("仅使用截至{year}年末的观测值。", "Only observations for periods ending by the end of {year} are used."),
    # Summary table.
    "col.indicator": ("指标", "Indicator"),
    "col.target": ("目标", "Target"),
    "col.base": ("基期值", "Base"),
    "col.latest": ("最新值", "Latest"),
    "col.progress": ("进度", "Progress"),
    "col.status": ("评估结论", "Status"),
    "col.forecast": ("期末预测（80%区间）", "End-year forecast (80% interval)"),
    "col.probability": ("实现概率", "Probability"),
    "col.count": ("指标数", "Indicators"),
    "summary.counts": ("各评估结论的指标数", "Indicators per status"),
    "summary.findings": ("主要发现", "Findings"),
    "summary.good": ("进度达到或快于预期：{names}。", "On track or better: {names}."),
    "summary.bad": ("进度滞后或需加快：{names}。", "Lagging or needing acceleration: {names}."),
    "summary.nodata": ("数据不足或未能识别：{names}。", "Lacking data or not identified: {names}."),
    "summary.none": ("无", "none"),
    "summary.count_line": ("共{n}项核心指标，其中{m}项有评估结果。", "{n} core indicators, {m} of them with a result."),
    "sep": ("、", ", "),
    "colon": ("：", ": "),
    # Indicator section.
    "ind.measures": ("衡量内容", "What it measures"),
    "ind.kind": ("目标类型", "Target kind"),
    "ind.target": ("规划目标", "Plan target"),
    "ind.rule": ("判断规则", "Rule"),
    "ind.notes": ("说明", "Notes"),
    "ind.key_figures": ("关键数据", "Key figures"),
    "ind.verdict": ("评估结论", "Verdict"),
    "ind.flags": ("需要注意", "To note"),
    "ind.reasons": ("无法给出的数据及原因", "Figures that cannot be given, and why"),
    "ind.sources": ("本节数值来源", "Sources of the values shown"),
    "ind.no_record": ("本指标没有评估结果记录。", "There is no result record for this indicator."),
    "ind.chart_alt": ("{name}：历史数据、目标与预测", "{name}: history, target and forecast"),
    "ind.definition_changes": ("口径变化", "Definition changes"),
    "change.break": ("口径断点", "break"),
    "change.relabel": ("名称或范围调整", "relabel"),
    "fig.latest": ("最新值", "Latest value"),
    "fig.base": ("基期值", "Base value"),
    "fig.base_substituted": ("基期缺值，以其后第一个观测值代替", "base year missing; the first later value is used"),
    "fig.tau": ("时间进度 τ", "Elapsed share τ"),
    "fig.progress": ("目标进度 P", "Progress P"),
    "fig.pace": ("进度比 ρ = P/τ", "Pace ρ = P/τ"),
    "fig.years_met": ("达标年份", "Years met"),
    "fig.years_missed": ("未达标年份", "Years missed"),
    "fig.years_unknown": ("无法判断的年份", "Years unknown"),
    "fig.headroom": ("距目标的余量", "Headroom to the target"),
    "fig.min_ratio": ("最低值与目标之比", "Lowest value / target"),
    "fig.cumulative_done": ("已累计完成", "Done so far (sum)"),
    "fig.required": ("剩余各年每年需完成", "Needed per remaining year"),
    "fig.average": ("已过各年平均每年", "Average per elapsed year"),
    "fig.forecast": ("{year}年预测值（80%区间）", "Forecast for {year} (80% interval)"),
    "fig.probability": ("实现概率 p", "Probability p"),
    "fig.probability_uninflated": ("不放大残差时的概率", "p without spread inflation"),
    "fig.probability_by_model": ("各模型的概率", "p per model"),
    "fig.fit_years": ("拟合所用年份", "Years fitted"),
    "fig.value": ("数值", "Value"),
    "model.rw_drift": ("带漂移随机游走", "random walk with drift"),
    "model.linear": ("线性趋势", "linear trend"),
    "model.ets_damped": ("阻尼趋势ETS", "damped-trend ETS"),
    # Missing values: "—" and why.
    "na.no_value": ("无年度数据", "no annual value"),
    "na.no_base": ("无基期数据", "no base value"),
    "na.no_forecast": ("数据不足，未作预测", "too few data for a forecast"),
    "na.not_applicable": ("不适用", "not applicable"),
    "na.see_section": ("原因见分指标评估", "why: see the indicator section"),
    "na.see_reasons": ("原因见下", "see reasons below"),
    "na.no_target": ("无数值目标", "no numeric target"),
    "na.no_record": ("无评估记录", "no result record"),
    "na.not_identified": ("指标未识别", "indicator not identified"),
    "ind.values": ("图中及上表所示数值", "Values shown in the chart and figures"),
    "col.period": ("期间", "Period"),
    "col.kind": ("类别", "Type"),
    "col.note": ("备注", "Note"),
    "pkind.actual": ("实际值", "actual"),
    "pkind.partial": ("部分期间", "partial period"),
    "pkind.annual_target": ("年度目标", "annual target"),
    "pkind.plan_target": ("规划目标", "plan target"),
    "pkind.projection": ("官方预期", "official projection"),
    "ind.not_used": ("（未采用）", " (not used)"),
    "method.statuses": ("评估结论及其颜色", "Statuses and their colours"),
    "method.likelihood": ("实现概率的表述", "Words for the probability"),
    "summary.table": ("核心指标评估结果", "Results for the core indicators"),
    "sec.indicator_list": ("指标", "Indicators"),
    # Projects.
    "col.project": ("重大事项", "Project"),
    "col.date": ("日期", "Date"),
    "col.evidence": ("进展证据", "Evidence"),
    "col.source": ("来源", "Source"),
    "project.done": ("已完成", "done"),
    "project.moved": ("调整或改期", "moved"),
    "project.in_progress": ("推进中", "in progress"),
    "project.no_public_evidence": ("无公开进展证据", "no public evidence"),
    # Coverage.
    "cov.actual": ("年度值", "annual value"),
    "cov.bound": ("仅有上/下限", "bound only"),
    "cov.partial": ("仅有部分月份数据", "partial year only"),
    "cov.missing": ("缺失", "missing"),
    "cov.not_identified": ("未识别", "not identified"),
    "cov.short.actual": ("有值", "value"),
    "cov.short.bound": ("界值", "bound"),
    "cov.short.partial": ("部分", "partial"),
    "cov.short.missing": ("缺", "–"),
    "cov.short.not_identified": ("未识别", "n/i"),
    "cov.legend": ("图例", "Legend"),
    "cov.gaps": ("规划期内缺少年度值的年份", "Plan years without an annual value"),
    "cov.no_gaps": ("无缺口", "no gaps"),
    # Method.
    "method.intro": ("以下为本报告实际使用的规则和阈值（由代码中的配置直接生成）。",
                     "The rules and thresholds this report actually used (generated from the code's configuration)."),
    "col.setting": ("参数", "Setting"),
    "col.value": ("取值", "Value"),
    "col.meaning": ("含义", "Meaning"),
    # Sources.
    "col.id": ("编号", "ID"),
    "col.publisher": ("发布者", "Publisher"),
    "col.title": ("标题", "Title"),
    "col.published": ("发布日期", "Published"),
    "col.url": ("网址", "URL"),
    "col.confidence": ("可信度", "Confidence"),
    "conf.high": ("高", "high"),
    "conf.medium": ("中", "medium"),
    "conf.low": ("低", "low"),
    "url.none": ("无网址", "no URL"),
    # Index page.
    "index.title": ("评估报告", "Evaluation reports"),
    "index.html": ("网页版", "Web page"),
    "index.pdf": ("PDF版", "PDF"),
    "lang.zh": ("中文", "中文"),
    "lang.en": ("English", "English"),
    # Charts.
    "chart.year": ("年份", "Year"),
    "chart.history": ("年度值", "annual value"),
    "chart.bound": ("仅知上/下限", "bound only"),
    "chart.base": ("基期", "base"),
    "chart.target": ("目标", "target"),
    "chart.target_band": ("目标区间", "target band"),
    "chart.annual_target": ("年度计划目标", "annual target"),
    "chart.evidence": ("部分期间数据", "partial-period value"),
    "chart.fan": ("预测80%区间", "forecast 80% interval"),
    "chart.median": ("预测中位数", "forecast median"),
    "chart.plan_period": ("规划期", "plan period"),
    "chart.definition_change": ("口径变化", "definition change"),
    "chart.cumulative": ("规划期累计值", "cumulative sum in the plan"),
    "chart.schedule": ("按期完成所需累计进度", "cumulative pace needed"),
    "chart.flows": ("各年完成量", "annual flows"),
    "chart.rule_compare": ("规则中被比较的数值", "value the rule tests"),
    "chart.rule_fail": ("不满足规则的年份", "year failing the rule"),
    "chart.no_data": ("无可绘制的数据", "no data to plot"),
    "chart.progress": ("目标进度 P（条形）与时间进度 τ（竖线）", "progress P (bar) against elapsed share τ (tick)"),
}

DASH = "—"


def t(key: str, lang: str, **fmt: object) -> str:
    """The string for ``key`` in ``lang`` ("zh" or "en"), with ``{placeholders}`` filled from ``fmt``."""
    if lang not in LANGS:
        raise KeyError(f"unknown language {lang!r}; use one of {LANGS}")
    text = _S[key][LANGS.index(lang)]
    return text.format(**fmt) if fmt else text


def has(key: str) -> bool:
    return key in _S


def status_colour(code: str | None) -> str:
    return STATUS_COLOURS.get(code or "", UNKNOWN_COLOUR)


def status_name(code: str | None, lang: str) -> str:
    key = f"status.{code}"
    return t(key, lang) if has(key) else DASH


def all_strings(lang: str) -> list[str]:
    """Every UI string in one language (tests use it to check that a report mixes no languages)."""
    i = LANGS.index(lang)
    return [v[i] for v in _S.values()]
