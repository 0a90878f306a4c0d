"""The words catalogue: every code in every language with the same parameters, and messages worded
from codes and numbers exactly as written out here by hand."""

from __future__ import annotations

import string

from planeval.method.record import message
from planeval.presentation.sentences import CATALOGUE, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_code_with_the_same_parameters() -> None:
    zh, en = CATALOGUE["zh"], CATALOGUE["en"]
    assert set(zh) == set(en)
    assert not [c for c in zh if _fields(zh[c]) != _fields(en[c])]


def test_numbers_years_and_probabilities_are_formatted_when_worded() -> None:
    m = message("all_years_bound", years=[2021, 2022, 2023, 2025], p=0.004)
    assert text(m, "en") == "2021–2023, 2025 have no data at all; P(all years met) is at most < 1%, the weakest year's."
    assert text(m, "zh") == "2021—2023、2025年没有任何数据，所有年份均达标的概率至多为< 1%（最不利年份的概率）。"
    share = message("lower_bound", value=1234.5, periods=["2021", "2022-01/2022-06"], share=1.2)
    assert text(share, "en") == ("Values over disjoint periods of the plan add up to at least 1,234.5 "
                                 "(2021, 2022-01/2022-06): 120% of the target.")


def test_plurals_nested_messages_and_optional_parts() -> None:
    assert text(message("stale", year=2021, gap=[2023]), "en") == "Progress is as of 2021; 2023 has no annual value."
    assert text(message("stale", year=2021, gap=[2022, 2023]), "en") == "Progress is as of 2021; 2022, 2023 have no annual value."
    since = message("since_break", year=2021)
    assert text(message("too_few_points", n=2, need=5, since=since), "en") == \
        "Only 2 annual point value(s) since the definition break in 2021; a probability needs at least 5."
    assert text(message("too_few_points", n=2, need=5, since=None), "zh") == "只有2个年度观测值，少于计算实现概率所需的5个，不给出概率。"
    values = [{"qualifier": "=", "value": 4.5, "source": "S01"}, {"qualifier": "<=", "value": 5.0, "source": "S02"}]
    assert text(message("competing_values", year=2022, values=values), "en") == \
        "2022 has values from several sources: =4.5 (S01); <=5 (S02); the higher-confidence source is used."


def test_the_verdict_is_composed_from_its_parts_and_reads_from_json() -> None:
    verdict = message("verdict", name={"zh": "新增就业", "en": "New jobs"}, target=55000, year=2023,
                      status=message("on_track"),
                      parts=[message("verdict_p_by_end", end=2025, likelihood=message("very_likely"),
                                     bound=None, p=0.93),
                             message("verdict_confidence", confidence="high", publishers=1)])
    en = "New jobs (target: 55,000) as of 2023: on track. The 2025 target is very likely to be met (p 93%); high confidence (1 publisher)."
    zh = "新增就业（目标：55,000）截至2023年：符合预期。预计2025年目标很可能实现（概率93%）；证据可信度高（1个发布者）。"
    assert text(verdict, "en") == en and text(verdict, "zh") == zh
    import dataclasses
    import json
    as_json = json.loads(json.dumps(dataclasses.asdict(verdict)))  # what the report reads
    assert text(as_json, "en") == en and text(as_json, "zh") == zh
    assert text(None, "en") == ""
