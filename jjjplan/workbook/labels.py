"""Bilingual words and region names shared by the results and comparison workbooks.

Every label in a written workbook is Chinese first, then English (the template's convention).
Keeping the vocabulary in one place means the two workbooks name a column, a region or the
enabled pathways with exactly the same words.
"""

from __future__ import annotations

from jjjplan import baseline
from jjjplan.scenario import PATHWAY_LABELS, Scenario

__all__ = ["WORDS", "bilingual", "pathways_on", "region_name", "word"]

#: Words that appear only in result workbooks: key -> (中文, English).
WORDS: dict[str, tuple[str, str]] = {
    "year": ("年份", "Year"),
    "code": ("代码", "Code"),
    "name_zh": ("中文名称", "Name (Chinese)"),
    "name_en": ("英文名称", "Name (English)"),
    "province": ("省份", "Province"),
    "unit": ("单位", "Unit"),
    "indicator": ("指标", "Indicator"),
    "scenario": ("情景", "Scenario"),
    "baseline": ("基准", "Baseline"),
    "delta": ("差值", "Δ"),
    "pct_delta": ("变化率", "%Δ"),
    "total": ("合计", "Total"),
    "key": ("键", "Key"),
    "value": ("取值", "Value"),
    "default": ("默认值", "Default"),
    "low": ("下限", "Low"),
    "high": ("上限", "High"),
    "source": ("来源", "Source"),
    "flag": ("标记", "Flag"),
    "changed": ("已修改", "Changed"),
    "current_policy": ("现行政策", "Current policy"),
    "field": ("字段", "Field"),
    "variable": ("变量", "Variable"),
    "status": ("状态", "Status"),
    "confidence": ("可信度", "Confidence"),
    "method": ("方法", "Method"),
    "pathway": ("路径", "Pathway"),
    "measure": ("差距指标", "Gap measure"),
    "none": ("无", "none"),
    "index": ("指数", "index"),
    "ratio": ("比值", "ratio"),
}

#: Region display names: the 13 units, Hebei as a province, and the JJJ total.
_JJJ = ("京津冀", "Beijing–Tianjin–Hebei")


def region_name(code: str) -> tuple[str, str]:
    """(中文, English) name of a unit, a province or ``JJJ``."""
    if code == "JJJ":
        return _JJJ
    if code in baseline.PROVINCE_NAMES:
        return baseline.PROVINCE_NAMES[code]
    row = baseline.units().loc[code]
    return row["name_zh"], row["name_en"]


def bilingual(zh: str, en: str) -> str:
    """One label, Chinese first: the convention of every sheet (and of the template)."""
    return f"{zh} {en}"


def word(key: str) -> str:
    """The bilingual label of a :data:`WORDS` key."""
    return bilingual(*WORDS[key])


def pathways_on(scenario: Scenario) -> str:
    """The scenario's enabled pathways, bilingual and ``；``-separated, or "无 none"."""
    on = [bilingual(*PATHWAY_LABELS[p]) for p in scenario.pathways.enabled()]
    return "；".join(on) if on else word("none")
