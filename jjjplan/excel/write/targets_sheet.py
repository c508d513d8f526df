"""The 目标 Targets sheet of the scenario template: planner targets as an Excel Table.

Why a module of its own: targets are optional and read by their own reader
(:mod:`jjjplan.excel.read.targets`); the sheet lists the scenario's targets, leaves blank
yellow rows to add more, gives every input a dropdown or range check and a bilingual note,
and lists every indicator a target may name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jjjplan.excel import layout as L
from jjjplan.scenario import Scenario
from jjjplan.targets import INDICATORS, REGIONAL, YEARS, indicator_label

if TYPE_CHECKING:
    from jjjplan.excel.write.template import _Sheet

__all__ = ["BLANK_ROWS", "write_targets"]

BLANK_ROWS = 8  # empty yellow rows for planners to fill


def _inputs():
    from jjjplan.excel.write.template import _Input, _note, _Rule

    names = (*INDICATORS, *REGIONAL)
    notes = {
        "indicator": _Input(
            None,
            _Rule("list", choices=names),
            _note(
                "指标",
                "Indicator",
                "—",
                "见下方列表",
                "jjjplan",
                "区域差距指标、人均GDP比，或某地区的 gdp / gdp_per_capita / population",
                "a gap measure or ratio, or gdp / gdp_per_capita / population of a region",
            ),
        ),
        "region": _Input(
            None,
            None,
            _note(
                "地区",
                "Region",
                "代码 code",
                "BJ、TJ、HE、JJJ、城市代码，或 A/B",
                "基期数据 Baseline",
                "仅 gdp / gdp_per_capita / population 需要；HE/TJ 表示河北相对天津",
                "only for gdp / gdp_per_capita / population; HE/TJ = Hebei relative to Tianjin",
            ),
        ),
        "year": _Input(
            L.WHOLE,
            _Rule("whole", YEARS[0], YEARS[-1]),
            _note("年份", "Year", "年 year", f"{YEARS[0]}–{YEARS[-1]}", "—"),
        ),
        "op": _Input(
            None,
            _Rule("list", choices=("<=", ">=", "=")),
            _note(
                "比较", "Operator", "—", "<= ≥ =", "—", "≤ 不超过，≥ 不低于", "at most / at least"
            ),
        ),
        "value": _Input(
            L.GENERAL,
            _Rule("decimal", -1e12, 1e12),
            _note("目标值", "Target value", "同指标 as the indicator", "数值 a number", "—"),
        ),
        "priority": _Input(
            L.WHOLE,
            _Rule("whole", 1, 9),
            _note(
                "优先级",
                "Priority",
                "1–9",
                "1–9",
                "—",
                "无法全部满足时，1 最重要；空白 = 1",
                "when not all can be met, 1 matters most; blank = 1",
            ),
        ),
    }
    return notes


def write_targets(sh: _Sheet, scenario: Scenario) -> None:
    """The Targets sheet for ``scenario`` (its targets, then blank rows to fill)."""
    sh.title(
        "目标",
        "Targets",
        (
            "可选：填写规划目标，结果工作簿逐项显示是否达到；jjjplan seek 反推满足目标的杠杆。",
            "Optional: planning targets; the results workbook shows each as met or missed, and "
            "jjjplan seek finds lever settings that meet them.",
            "例 e.g.: bj_he_ratio | | 2035 | <= | 2.8  ·  gdp_per_capita | HE/TJ | 2030 | >= | 0.6",
        ),
    )
    rows: list[dict[str, Any]] = [
        {
            "indicator": t.indicator,
            "region": t.region or "",
            "year": t.year,
            "op": t.op,
            "value": t.value,
            "priority": t.priority,
        }
        for t in getattr(scenario, "targets", ())
    ]
    rows += [{} for _ in range(BLANK_ROWS)]
    notes = _inputs()
    sh.table(L.TARGETS_TABLE, rows, lambda _row, column: notes[column.key])
    sh.heading("可用指标", "Indicators")
    for name in (*INDICATORS, *REGIONAL):
        sh.text(sh.row, 1, name)
        sh.text(sh.row, 2, indicator_label(name))
        sh.row += 1
    sh.width(2, 22)
