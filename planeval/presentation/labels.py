"""Every user-facing string of the report and charts, in Chinese and English, plus status colours.

``t(key, lang)`` looks a string up; ``t(key, lang, n=3)`` fills ``{n}`` placeholders. Status and
likelihood codes are the ones written into the result record (``record.status.code``,
``record.forecast.likelihood.code``); their names are the method's vocabulary in
:mod:`planeval.presentation.sentences`, their colours live here, and :func:`indicator_status` is the one
way a plan indicator's status is resolved (record, unidentified, no record, not in this run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planeval.inputs.paths import LANGS  # noqa: F401  (the languages are named with the paths)
from planeval.presentation.sentences import LIKELIHOOD, STATUS

if TYPE_CHECKING:
    from planeval.inputs.plan import Indicator

HTML_LANG = {"zh": "zh-CN", "en": "en"}

# Status code -> colour (hex), in the order the report lists them.
STATUS_COLOURS: dict[str, str] = {
    "achieved_early": "#1b7837",
    "achieved": "#1b7837",
    "target_reached": "#4dac26",
    "likely_achieved": "#7fbc41",
    "ahead": "#4dac26",
    "on_track": "#7fbc41",
    "broadly_on_track": "#e6ab02",
    "lagging": "#e66101",
    "moving_away": "#b2182b",
    "likely_missed": "#d6604d",
    "missed": "#b2182b",
    "undetermined": "#bdbdbd",
    "insufficient_data": "#999999",
    "not_identified": "#cccccc",
}
STATUSES = tuple(STATUS_COLOURS)
# Older records call 基本符合预期 "needs_acceleration"; it is read as, and shown as, "broadly on track".
STATUS_ALIASES: dict[str, str] = {"needs_acceleration": "broadly_on_track"}
LIKELIHOODS = tuple(LIKELIHOOD)
UNKNOWN_COLOUR = "#bbbbbb"

_S: dict[str, tuple[str, str]] = {
    # Status and likelihood names come from planeval.presentation.sentences (below); these two exist only in the report.
    "status.no_record": ("无评估记录", "no result record"),
    "status.not_included": ("本次未包含", "not included in this run"),
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
    "report.title_final": ("终期评估报告", "final evaluation report"),
    "report.title_preliminary": ("终期评估报告（初步评估）", "final evaluation report (preliminary assessment)"),
    "report.preliminary_note": ("初步评估：{n}项指标尚无{end}年年度数值（{names}），其结论依据{end}年以前的数据或年内部分数据；"
                                "{end}年统计公报发布后应重新运行本报告。",
                                "Preliminary assessment: {n} indicator(s) have no annual value for {end} yet ({names}); "
                                "their verdicts rest on earlier years or part-year readings. Run the report again "
                                "once the {end} statistical bulletins are out."),
    "sec.toc": ("目录", "Contents"),
    "sec.summary": ("执行摘要", "Executive summary"),
    "sec.overview": ("全部指标一览", "All indicators at a glance"),
    "sec.indicators": ("分指标评估", "Indicator by indicator"),
    "sec.projects": ("重大事项", "Major projects"),
    "sec.scorecard": ("中期预测与实际结果对照", "Mid-term forecasts against outcomes"),
    "sec.context": ("背景数据", "Context series"),
    "sec.coverage": ("数据覆盖情况", "Data coverage"),
    "sec.method": ("评估方法", "Method"),
    "sec.sources": ("资料来源", "Sources"),
    # Cover.
    "cover.issuer": ("发布机关", "Issued by"),
    "cover.plan_period": ("规划期", "Plan period"),
    "cover.year": ("评估年份", "Evaluation year"),
    "cover.cutoff": ("数据截止", "Data cut-off"),
    "cover.vintage": ("数据版本", "Data vintage"),
    "cover.vintage_text": ("仅使用{day}（含）以前已发布来源的数据（--vintage {vintage}）。",
                           "Only rows whose source was published by {day} are used (--vintage {vintage})."),
    "cover.commit": ("代码版本", "Code commit"),
    "cover.data_hash": ("数据指纹", "Data hash"),
    "cover.asof": ("仅使用截至{year}年末的观测值。", "Only observations for periods ending by the end of {year} are used."),
    # Summary table.
    "col.indicator": ("指标", "Indicator"),
    "col.target": ("目标", "Target"),
    "col.base": ("基期值", "Base"),
    "col.latest": ("最新值", "Latest"),
    "col.progress": ("进度", "Progress"),
    "col.status": ("评估结论", "Status"),
    "col.forecast": ("期末预测（{level}区间）", "End-year forecast ({level} interval)"),
    "col.probability": ("实现概率", "Probability"),
    "col.count": ("指标数", "Indicators"),
    "summary.counts": ("各评估结论的指标数", "Indicators per status"),
    "summary.findings": ("主要发现", "Findings"),
    "summary.good": ("已实现、已达到或进度符合预期：{names}。", "Achieved, reached, or on track or better: {names}."),
    "reason.years_unknown": ("{years}无数据", "no data for {years}"),
    "reason.years_partial": ("{years}仅有部分月份数据", "{years}: part-year readings only"),
    "reason.lower_bound": ("{years}缺年度数值，累计数只知下限", "{years} missing: the total is known only from below"),
    "reason.no_value": ("{year}年以来无年度数值", "no annual value since {year}"),
    "reason.as_of": ("进度按{year}年计算，其后无年度数值", "progress as of {year}; no annual value since"),
    "sep.clause": ("；", "; "),
    "summary.watch": ("基本符合预期（所需进度见表）：{names}。", "Broadly on track (the pace needed is in the table): {names}."),
    "summary.bad": ("进度滞后、逆向变化或（初步判断）未实现：{names}。", "Lagging, moving away or (provisionally) not achieved: {names}."),
    "summary.end_observed": ("“—”：已有期末年份数值，无需预测。", "“—” under forecast and probability: the end year is observed, no forecast is needed."),
    "summary.nodata": ("尚难判断、数据不足或未能识别：{names}。", "Undetermined, lacking data or not identified: {names}."),
    "summary.none": ("无", "none"),
    "summary.count_line": ("共{n}项核心指标，其中{m}项有评估结果。", "{n} core indicators, {m} of them with a result."),
    "sep": ("、", ", "),
    "colon": ("：", ": "),
    # Indicator section.
    "ind.kind": ("目标类型", "Target kind"),
    "ind.target": ("规划目标", "Plan target"),
    "ind.rule": ("判断规则", "Rule"),
    "ind.notes": ("说明", "Notes"),
    "ind.key_figures": ("关键数据", "Key figures"),
    "ind.verdict": ("评估结论", "Verdict"),
    "ind.flags": ("需要注意", "To note"),
    "ind.reasons": ("无法给出的数据及原因", "Figures that cannot be given, and why"),
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
    "fig.already_met": ("已达到目标", "already met"),
    "pace.required": ("需每年{value}", "needs {value} a year"),
    "latest.total": ("{years}年累计{value}（{year}年：{last}）", "{value} in {years} ({year}: {last})"),
    "latest.total_one": ("{years}年累计{value}", "{value} in {years}"),
    "latest.at_least": ("累计至少{value}", "at least {value} in all"),
    "latest.flow_only": ("{value}（仅{year}年，累计数未知）", "{value} ({year} alone; total unknown)"),
    "fig.average": ("已过各年平均每年", "Average per elapsed year"),
    "fig.forecast": ("{year}年预测值（{level}区间）", "Forecast for {year} ({level} interval)"),
    "ind.findings": ("数据说明了什么", "What the rows settle"),
    "ind.data_needed": ("可据以定论的数据", "Data that would settle it"),
    "sec.data_needed": ("数据需求清单", "Data needed"),
    "needed.intro": ("下列数值一经公布即可对相应指标作出定论或明显收窄判断，可作为向统计部门的数据需求清单。",
                     "Each value below would settle an indicator's verdict, or narrow it sharply: the request list to the statistics office."),
    "needed.what": ("所需数据", "Values needed"),
    "needed.none": ("所有指标均已有定论，无需补充数据。", "Every verdict is settled: no data are needed."),
    "summary.binding": ("约束性指标{b}项（其中{bg}项已实现或进度正常），预期性指标{i}项（其中{ig}项已实现或进度正常），未注明属性{u}项。",
                        "Binding targets: {b} ({bg} achieved or on track); indicative: {i} ({ig} achieved or on track); not stated: {u}."),
    "fig.lower_bound": ("规划期累计至少（不重叠时段之和）", "Plan-period sum at least (disjoint periods)"),
    "fig.required_ratio": ("所需速度与已实现速度之比 r", "Pace needed ÷ pace achieved, r"),
    "fig.basis": ("结论依据", "Basis of the verdict"),
    "fig.evidence": ("证据可信度", "Evidence grade"),
    "fig.forecast_probability": ("模型预测的实现概率", "p from the forecast models"),
    "basis.settled_annual": ("已由年度数值定论", "settled by annual values"),
    "basis.settled_bounds": ("已由区间或累计数定论", "settled by bounds or running totals"),
    "basis.provisional": ("初步判断（部分年度数据或单一低可信度来源）", "provisional (partial-year readings or a weak value)"),
    "basis.forecast": ("模型预测", "forecast"),
    "basis.pace": ("按已实现进度判断", "pace so far"),
    "basis.undetermined": ("尚无依据", "undetermined"),
    "confidence.high": ("高", "high"),
    "confidence.medium": ("中", "medium"),
    "confidence.low": ("低", "low"),
    "grade.short": ("，可信度{confidence}", ", {confidence} confidence"),
    "grade.long": ("{confidence}（{n}个发布者：{sources}）", "{confidence} ({n} publisher(s): {sources})"),
    "na.no_evidence": ("无可依据的数据", "no row to rest on"),
    "fig.probability": ("实现概率 p", "Probability p"),
    "fig.probability_uninflated": ("按模型自身离散度（未校准）的概率", "p with the models' own spread (uncalibrated)"),
    "fig.probability_by_model": ("各模型的概率", "p per model"),
    "fig.fit_years": ("拟合所用年份", "Years fitted"),
    "fig.value": ("数值", "Value"),
    "model.rw_drift": ("带漂移随机游走", "random walk with drift"),
    "model.ets_damped": ("阻尼趋势ETS", "damped-trend ETS"),
    "model.theta": ("Theta方法", "Theta method"),
    "model.linear_trend": ("线性趋势", "linear trend"),
    "model.pooled": ("合并", "pooled"),
    # Progress of each-year kinds: years met out of the elapsed years.
    "progress.years": ("{n}年中{met}年达标", "{met} of {n} years met"),
    "progress.missed": ("{k}年未达标", "{k} missed"),
    "progress.unknown": ("{k}年无数据", "{k} unknown"),
    # Partial runs.
    "partial.note": ("部分报告：本次运行只评估了{m}项核心指标中的{n}项（{names}），其余指标本次未包含。",
                     "Partial report: this run evaluated only {n} of the {m} core indicators ({names}); "
                     "the others are not included in this run."),
    "ind.not_included": ("本指标未包含在本次运行中。", "This indicator is not included in this run."),
    # Final evaluation: the mid-term forecasts against the outcomes.
    "sc.intro": ("{mid}年中期评估（按截至{mid}年末、且在{vintage}（中期报告的数据版本）以前已发布的数据重新计算）"
                 "对规划末年的判断，与截至{end}年的实际结果对照。"
                 "“判断正确”指p ≥ 0.5且目标实现，或p < 0.5且目标未实现。标“初步”者，其结果仅依据末年的年内部分数据。",
                 "What the {mid} mid-term evaluation (recomputed from the data for periods ending by {mid} whose source "
                 "was published by {vintage}, the mid-term report's vintage) said about the end year, against what "
                 "happened by {end}. 'Called' means p ≥ 0.5 and the target was achieved, or p < 0.5 and it was "
                 "missed. An outcome marked 'provisional' rests only on part-year readings of the end year."),
    "sc.tally": ("有中期概率且结果已知的指标：{n}项；其中判断正确：{k}项。",
                 "Indicators with a mid-term p and a known outcome: {n}; called correctly: {k}."),
    "sc.midterm": ("中期（{year}年）", "Mid-term ({year})"),
    "sc.final": ("实际结果（{year}年）", "Outcome ({year})"),
    "sc.mid_status": ("中期结论", "Mid-term status"),
    "sc.final_status": ("终期结论", "Final status"),
    "sc.end_value": ("期末实际值", "End value"),
    "sc.inside": ("落在{level}区间内？", "Inside the {level} interval?"),
    "sc.call": ("判断", "Call"),
    "sc.yes": ("是", "yes"),
    "sc.no": ("否", "no"),
    "sc.provisional": ("初步", "provisional"),
    "sc.no_end_value": ("期末无年度数值", "no end-year value"),
    "sc.no_interval": ("中期无预测区间", "no mid-term interval"),
    "sc.no_mid_forecast": ("中期未作预测", "no forecast at the mid-term"),
    "call.called": ("判断正确", "called"),
    "call.wrong": ("判断有误", "wrong"),
    "call.no_forecast": ("中期未作预测", "no mid-term forecast"),
    "call.no_outcome": ("结果未知", "outcome unknown"),
    # Method: the backtest.
    "bt.title": ("预测模型回测", "Backtest of the forecast models"),
    "bt.intro": ("用截至{year}年的数据做滚动起点回测：每个起点只用此前的数据预测其后1–3年，再与实际值比较。"
                 "覆盖率接近{interval}说明{level}区间校准良好；MASE小于1说明预测优于“沿用上一年数值”的朴素预测。",
                 "A rolling-origin backtest on the data as of {year}: at each origin the models see only the data "
                 "up to it and forecast 1–3 years ahead, compared with what was later observed. Coverage near "
                 "{interval} means well-calibrated {level} intervals; MASE below 1 means better than the naive "
                 "last-value forecast."),
    "bt.n": ("预测次数", "Forecasts"),
    "bt.coverage": ("{level}区间覆盖率", "{level} coverage"),
    "bt.coverage_uninflated": ("覆盖率（模型自身离散度，未校准）", "Coverage, models' own spread"),
    "bt.mase": ("MASE：{model}", "MASE: {model}"),
    "bt.all": ("全部指标合并", "All indicators pooled"),
    "bt.none": ("没有可回测的指标。", "No indicator could be backtested."),
    # Method: the forecast's calibration (make calibrate).
    "cal.title": ("预测的校准", "Calibration of the forecast"),
    "cal.intro": ("预测区间和概率不是凭经验放大，而是在公开的真实年度序列上校准的：M1和Tourism竞赛的年度序列"
                  "截取最后k个点（k = 5–12，与中期评估时指标的长度相当），预测其后的1–6年，再与实际值比较；"
                  "各模型合并后的中位数决定中心，误差分布（按k和预测年数）从这些序列学得。M3年度序列只用于独立检验，"
                  "不参与任何拟合或选择。表中MASE与sMAPE依次为：本方法 / Theta方法 / 朴素预测；Brier技能分数以"
                  "各事件的基础频率为参照，大于0表示优于基础频率。（校准日期{date}，代码版本{code}）",
                  "The forecast's intervals and probabilities are not widened by a rule of thumb but calibrated on "
                  "public real yearly series: the yearly series of the M1 and Tourism competitions, cut to their "
                  "last k points (k = 5–12, as long as an indicator's history at mid-term), forecast 1–6 years "
                  "ahead and compared with what happened. The models' pooled median sets the centre; the spread "
                  "of the errors around it (by k and years ahead) is learned from these series. M3's yearly series "
                  "are an independent check only: nothing is fitted or chosen on them. MASE and sMAPE: this method "
                  "/ the Theta method / the naive last value. Brier skill against each event's base rate: above 0 "
                  "is better than the base rate. (Calibrated {date}, code {code}.)"),
    "cal.calibration": ("M1 + Tourism（校准）", "M1 + Tourism (calibration)"),
    "cal.check": ("M3（独立检验）", "M3 (independent check)"),
    "cal.corpus": ("序列集", "Corpus"),
    "cal.series": ("序列数", "Series"),
    "cal.mase": ("MASE", "MASE"),
    "cal.smape": ("sMAPE (%)", "sMAPE (%)"),
    "cal.coverage_h": ("80%区间覆盖率（h = {h}年）", "80% coverage, h = {h} years ahead"),
    "cal.skill": ("Brier技能分数", "Brier skill"),
    "cal.fig.coverage": ("80%区间的实际覆盖率，按预测年数（灰带：78–82%）",
                         "Share of outcomes inside the 80% interval, by years ahead (grey band: 78–82%)"),
    "cal.fig.accuracy": ("合并中位数、Theta方法与朴素预测的精度，按历史长度k",
                         "Accuracy of the pooled median, the Theta method and the naive forecast, by history length k"),
    "cal.fig.reliability": ("可靠性曲线：预测概率与实际发生频率（阈值事件：自身趋势路径±2%/±5%、最后观测值及其+10%）",
                            "Reliability: forecast probability against observed frequency (threshold events: the "
                            "series' own trend path ±2%/±5%, its last value and last value +10%)"),
    "na.no_model": ("该模型未拟合", "model not fitted"),
    # Missing values: "—" and why.
    "na.no_value": ("无年度数据", "no annual value"),
    "na.no_base": ("无基期数据", "no base value"),
    "na.no_forecast": ("数据不足，未作预测", "too few data for a forecast"),
    "na.end_observed": ("已有期末年份数值，无需预测", "the end year is observed: no forecast needed"),
    "na.see_section": ("原因见分指标评估", "why: see the indicator section"),
    "na.see_reasons": ("原因见下", "see reasons below"),
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
    # Projects.
    "project.none": ("本规划未列出重大事项。", "The plan lists no major projects."),
    "col.project": ("重大事项", "Project"),
    "col.evidence": ("进展证据", "Evidence"),
    "col.source": ("来源", "Source"),
    "project.done": ("已完成", "done"),
    "project.moved": ("调整或改期", "moved"),
    "project.in_progress": ("推进中", "in progress"),
    "project.no_public_evidence": ("无公开进展证据", "no public evidence"),
    # Context series: shown, never evaluated.
    "context.intro": ("以下数据不参与评估，仅作为理解相关指标的背景。", "These series are not evaluated; they are background to the indicators."),
    "context.none": ("本规划未列出背景数据。", "The plan lists no context series."),
    "context.no_rows": ("截至{year}年无数据。", "No values for periods up to {year}."),
    "context.linked": ("图中与之一同显示的指标", "Drawn on the chart of"),
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
    "index.html": ("网页版", "Web page"),
    "index.pdf": ("PDF版", "PDF"),
    "index.docx": ("Word版", "Word"),
    # Word document.
    "docx.figure": ("图", "Figure"),
    "docx.toc_hint": ("在 Word 中右键单击目录并选择“更新域”，即可显示页码。",
                      "In Word, right-click the contents and choose Update Field to show page numbers."),
    "lang.zh": ("中文", "中文"),
    "lang.en": ("English", "English"),
    # The comparison page of a run over several plans (planeval/presentation/comparison.py).
    "compare.title": ("规划比较", "Plan comparison"),
    "compare.intro": ("每个单元格为该规划中同一指标（按指标代码对应）的评估结论及实现目标的概率p，点击可跳转至该规划报告中的相应章节。",
                      "Each cell gives the indicator's status and the probability p that its target is met, in each plan "
                      "(indicators are matched by their id); it links to the indicator's section in that plan's report."),
    "compare.plan": ("规划", "Plan"),
    "compare.not_in_plan": ("本规划无此指标", "not in this plan"),
    "compare.failed_kept": ("本次运行失败，所示为上一份报告", "this run failed; the previous report is shown"),
    "compare.failed_none": ("本次运行失败，尚无报告", "this run failed; there is no report yet"),
    # Charts.
    "chart.year": ("年份", "Year"),
    "chart.history": ("年度值", "annual value"),
    "chart.bound": ("仅知上/下限", "bound only"),
    "chart.base": ("基期", "base"),
    "chart.target": ("目标", "target"),
    "chart.target_band": ("目标区间", "target band"),
    "chart.annual_target": ("年度计划目标", "annual target"),
    "chart.evidence": ("部分期间数据", "partial-period value"),
    "chart.fan": ("预测{level}区间", "forecast {level} interval"),
    "chart.median": ("预测中位数", "forecast median"),
    "chart.plan_period": ("规划期", "plan period"),
    "chart.definition_change": ("口径变化", "definition change"),
    "chart.cumulative": ("规划期累计值", "cumulative sum in the plan"),
    "chart.schedule": ("按期完成所需累计进度", "cumulative pace needed"),
    "chart.flows": ("各年完成量", "annual flows"),
    "chart.rule_compare": ("规则中被比较的数值", "value the rule tests"),
    "chart.rule_fail": ("不满足规则的年份", "year failing the rule"),
    "chart.no_data": ("无可绘制的数据", "no data to plot"),
    "chart.context": ("背景：{name}", "context: {name}"),
    "chart.context_axis": ("背景数据", "context"),
    "chart.progress": ("目标进度 P（条形）与时间进度 τ（竖线）", "progress P (bar) against elapsed share τ (tick)"),
    # The interactive page: a chart point's reading, the summary table's sorting and status filter.
    "chart.hint": ("将鼠标移到图中数据点上（手机上点按），可查看其期间、数值、限定和来源。",
                   "Hover over a point of the chart (tap it on a phone) to see its period, value, qualifier and source."),
    "tip.value": ("数值", "value"),
    "tip.qualifier": ("限定", "qualifier"),
    "tip.source": ("来源", "source"),
    "tip.forecast": ("本报告的预测，80%区间 {low}–{high}", "this report's forecast, 80% interval {low}–{high}"),
    "qual.=": ("确切值", "exact"),
    "qual.~": ("约数", "approximate"),
    "qual.<=": ("上限：不超过该值", "at most this value"),
    "qual.<": ("上限：低于该值", "below this value"),
    "qual.>=": ("下限：不低于该值", "at least this value"),
    "qual.>": ("下限：高于该值", "above this value"),
    "filter.status": ("按状态筛选", "Show status"),
    "filter.all": ("全部", "all"),
    "sort.hint": ("点击表头可按该列排序，再次点击则反向排序。", "Click a column heading to sort by it; click again to reverse."),
}
# What changed since the previous report (planeval/presentation/changes.py) and the report's history.
_S.update({
    "sec.changes": ("与上一版报告相比的变化", "What changed since the previous report"),
    "changes.against": ("对照上一版报告（第{n}版；代码版本{commit}，数据哈希{data}）。",
                        "Compared with the previous report (report {n}; commit {commit}, data hash {data})."),
    "changes.nothing": ("数据、评估结论和规划均无变化。", "No value, verdict, probability or plan entry changed."),
    "changes.values": ("新增或修订的数值", "Values added or revised"),
    "changes.moved": ("评估结论或概率的变化", "Verdicts and probabilities that moved"),
    "changes.plan": ("规划的修改", "Plan edits"),
    "changes.added": ("新增", "added"),
    "changes.revised": ("修订", "revised"),
    "changes.withdrawn": ("删除", "withdrawn"),
    "changes.no_number": ("无数值", "no number"),
    "changes.col.change": ("变化", "Change"),
    "changes.col.old": ("原值", "Before"),
    "changes.col.new": ("现值", "Now"),
    "changes.col.field": ("规划项", "Plan field"),
    "changes.col.why": ("原因", "Why"),
    "changes.why_values": ("其{n}个数值新增或修订（见上表）", "{n} of its values were added or revised (see above)"),
    "changes.why_plan": ("其规划条目有修改（见下表）", "its plan entry was edited (see below)"),
    "changes.why_code": ("评估方法的代码有更新", "the method's code changed"),
    "changes.plan_file": ("规划文件有修改，但不涉及各指标的目标、类型、方向、单位或规划期。",
                          "The plan file was edited, but no indicator's target, kind, direction, unit or period changed."),
    "changes.code": ("本版报告所用代码与上一版不同。", "This report was made with other code than the previous one."),
    "changes.field.kind": ("目标类型", "target kind"),
    "changes.field.target": ("目标值", "target"),
    "changes.field.tolerance": ("容差", "tolerance"),
    "changes.field.direction": ("方向", "direction"),
    "changes.field.unit": ("单位", "unit"),
    "changes.field.base_year": ("基期", "base year"),
    "changes.field.end_year": ("规划期末", "end year"),
    "changes.direction.higher": ("越高越好", "higher is better"),
    "changes.direction.lower": ("越低越好", "lower is better"),
    "history.title": ("本报告的历次版本", "This report's history"),
    "history.report": ("版次", "Report"),
    "history.newest_source": ("最新来源日期", "Newest source"),
    "history.changes": ("相对上一版的变化", "Changes on the previous one"),
    "history.first": ("首版", "first report"),
    "history.counts": ("{values}个数值、{moved}项结论、{plan}处规划修改", "{values} values, {moved} verdicts, {plan} plan edits"),
})
_S.update({f"status.{code}": names for code, names in STATUS.items() if code not in STATUS_ALIASES})
_S.setdefault("status.broadly_on_track", ("基本符合预期", "broadly on track"))
_S.update({f"likelihood.{code}": names for code, names in LIKELIHOOD.items()})

DASH = "—"


def t(key: str, lang: str, **fmt: object) -> str:
    """The string for ``key`` in ``lang`` ("zh" or "en"), with ``{placeholders}`` filled from ``fmt``."""
    if lang not in LANGS:
        raise KeyError(f"unknown language {lang!r}; use one of {LANGS}")
    text = _S[key][LANGS.index(lang)]
    return text.format(**fmt) if fmt else text


def has(key: str) -> bool:
    return key in _S


def keys() -> list[str]:
    """Every key of the catalogue (a format that lays the report out itself, like the Typst PDF, takes them all)."""
    return list(_S)


def status_code(code: str | None) -> str:
    """The display code of a record's status code (an old code read as its new name)."""
    return STATUS_ALIASES.get(code or "", code or "")


NO_RECORD = "no_record"  # an identified indicator without a result record
NOT_INCLUDED = "not_included"  # an indicator a partial run (``--only``) left out


def indicator_status(ind: Indicator, rec: dict[str, Any] | None, only: list[str] | None = None) -> str:
    """The display status code of a plan indicator: not identified, not included in a partial run
    (``only``: the ids it evaluated), no record, or the record's status."""
    if not ind.identified:
        return "not_identified"
    if rec is None:
        return NOT_INCLUDED if only and ind.id not in only else NO_RECORD
    return status_code(rec["status"]["code"])


def status_colour(code: str | None) -> str:
    return STATUS_COLOURS.get(status_code(code), UNKNOWN_COLOUR)


def status_name(code: str | None, lang: str) -> str:
    key = f"status.{status_code(code)}"
    return t(key, lang) if has(key) else DASH


def all_strings(lang: str) -> list[str]:
    """Every UI string in one language (tests use it to check that a report mixes no languages)."""
    i = LANGS.index(lang)
    return [v[i] for v in _S.values()]
