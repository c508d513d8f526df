"""The 求解 Seek sheet: what goal seek changed and why, added to the found scenario workbook.

Why a sheet in the scenario workbook: the found levers travel with their explanation — the
targets (required, achieved, margin, and the closest achievable value when they cannot be
met), every lever that moved (from, to, share of its allowed range), the cost, and for each
change how far each target would slip if that change alone were undone.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.chains import PROVINCES
from jjjplan.excel.layout import lever_format
from jjjplan.excel.safety import atomic_save, check_output_path
from jjjplan.excel.write import sheetio, styles
from jjjplan.excel.write.template import build_workbook
from jjjplan.scenario import LEVERS

if TYPE_CHECKING:
    from jjjplan.goalseek import SeekResult

__all__ = ["SEEK_SHEET", "build_found_workbook", "lever_label", "write_found", "write_seek_sheet"]

SEEK_SHEET = "求解 Seek"
_PROVINCE_ZH = {"BJ": "北京", "TJ": "天津", "HE": "河北"}


def lever_label(variable: str) -> tuple[str, str, str]:
    """(中文, English, unit) of a seek variable such as ``poles.weights.TJ``."""
    for path, spec in LEVERS.items():
        if variable == path:
            return spec.name_zh, spec.name_en, spec.unit
        if variable.startswith(path + "."):
            part = variable[len(path) + 1 :]
            if path == "chains.presence" and part in PROVINCES:
                return (
                    f"{spec.name_zh}（{_PROVINCE_ZH[part]}全部环节）",
                    f"{spec.name_en} ({part}, every segment, 2035 lift)",
                    "0–1",
                )
            return f"{spec.name_zh}（{part}）", f"{spec.name_en} ({part})", spec.unit
    return variable, variable, ""


def _data_words(result: SeekResult) -> str:
    """Which baseline data the search ran on: a planner's file (name and SHA-256) or the
    bundled vintage — the found levers hold for that data, so the sheet must say which."""
    from jjjplan import baseline

    data = result.data
    if data is None:
        start = result.start if result.start is not None else result.scenario
        vintage = getattr(start, "data_vintage", None) or baseline.DEFAULT_VINTAGE
        return f"内置数据 bundled data, {vintage}"
    if data.source_file:
        sha = f", SHA-256 {data.source_sha256}" if data.source_sha256 else ""
        return f"数据工作簿 data workbook {data.source_file} ({data.vintage}{sha})"
    return f"{data.vintage}"


def write_seek_sheet(ws: Worksheet, result: SeekResult) -> None:
    """Fill ``ws`` with the explanation of ``result``."""
    from jjjplan.goalseek import OBJECTIVES, lever_effects

    sheetio.title(ws, "目标反推结果 / Goal-seek result")
    status = (
        "全部目标已满足 / all targets met"
        if result.met
        else "目标未能全部满足——以下为最接近的折中方案 / targets NOT all met — closest compromise"
    )
    zh_obj, en_obj = OBJECTIVES[result.objective]
    start_name = result.start.name if result.start is not None else ""
    facts = [
        ("结果 Status", status),
        ("起始情景 Starting scenario", start_name),
        ("目标函数 Objective", f"{zh_obj} / {en_obj}"),
        (
            "稳健性 Robustness",
            f"每个目标在 ≥{result.robust:.0%} 的参数抽样中成立 / each target holds in "
            f"≥{result.robust:.0%} of assumption draws"
            if result.robust
            else "按参数取值计算 / at the scenario's assumption values",
        ),
        (
            "累计增长极新增投资 2024–2035（亿元） Extra pole investment (100m yuan)",
            result.investment,
        ),
        ("财政成本 2024–2035（亿元） Fiscal cost (100m yuan)", result.fiscal_cost),
        ("基期数据 Baseline data searched on", _data_words(result)),
        ("模型运行次数 Projections run", result.evaluations),
        ("用时（秒） Seconds", round(result.seconds, 1)),
    ]
    row = 3
    for key, value in facts:
        sheetio.put(ws, row, 1, key).font = styles.HEADER_FONT
        sheetio.put(ws, row, 2, value, styles.MONEY if isinstance(value, float) else None)
        row += 1
    sheetio.note(ws, row, result.message.replace("\n", " "))
    row += 2

    sheetio.section(ws, row, "目标 Targets", 8)
    row += 1
    heads = [
        "目标 Target",
        "指标 Indicator",
        "要求 Required",
        "达到 Achieved",
        "余量 Margin",
        "满足 Met",
        "最接近可达 Best possible",
    ]
    if "p_met" in result.table:
        heads.append("满足概率 P(met)")
    sheetio.header(ws, row, 1, heads)
    for t in result.table.itertuples():
        row += 1
        values = [
            t.target,
            t.indicator,
            t.required,
            float(t.achieved),
            float(t.margin),
            bool(t.met),
            float(t.best_possible),
        ]
        if "p_met" in result.table:
            values.append(float(t.p_met))
        sheetio.put_row(ws, row, 1, values)
        if "p_met" in result.table:
            ws.cell(row=row, column=8).number_format = styles.PERCENT
    row += 2

    sheetio.section(ws, row, "改动的杠杆 Levers changed", 8)
    row += 1
    sheetio.header(
        ws,
        row,
        1,
        [
            "杠杆 Lever",
            "中文名称",
            "English name",
            "单位 Unit",
            "原值 Start",
            "新值 Found",
            "变化 Change",
            "占允许范围 Share of range",
        ],
    )
    if result.changes.empty:
        row += 1
        sheetio.note(ws, row, "无需改动：起始情景已满足目标 / no change needed")
    for c in result.changes.itertuples():
        row += 1
        zh, en, unit = lever_label(c.lever)
        sheetio.put_row(
            ws, row, 1, [c.lever, zh, en, unit, c.start, c.found, c.change, c.share_of_range]
        )
        spec = next((s for p, s in LEVERS.items() if c.lever.startswith(p)), None)
        if spec is not None and spec.path != "chains.presence":
            for col in (5, 6, 7):
                ws.cell(row=row, column=col).number_format = lever_format(spec)
        ws.cell(row=row, column=8).number_format = styles.PERCENT
    sheetio.note(
        ws,
        row + 1,
        "里程碑杠杆：2035年取新值，2030年变化一半，2025年不变。产业链杠杆：该省全部环节同时提高。"
        " / Milestone levers: the 2035 value is set, 2030 moves by half, 2025 is unchanged; "
        "chain levers lift every segment of the province.",
    )
    row += 3

    effects = lever_effects(result)
    if not effects.empty:
        sheetio.section(
            ws,
            row,
            "为什么：单独撤销每项改动后目标指标的变化 Why: effect of undoing each change",
            8,
        )
        row += 1
        sheetio.header(ws, row, 1, ["杠杆 Lever", *effects.columns])
        for lever, values in effects.iterrows():
            row += 1
            sheetio.put_row(ws, row, 1, [lever, *(float(v) for v in values)])
        sheetio.note(
            ws,
            row + 1,
            "正值表示撤销该改动会使指标上升（例如京冀比扩大）。/ A positive value means undoing "
            "that change alone would raise the indicator (e.g. widen the Beijing/Hebei ratio).",
        )
    styles.autofit_columns(ws)


def build_found_workbook(result: SeekResult) -> Workbook:
    """The scenario workbook of the found levers with the Seek sheet added (not saved)."""
    wb = build_workbook(result.scenario)
    write_seek_sheet(wb.create_sheet(SEEK_SHEET, 0), result)
    return wb


def write_found(
    result: SeekResult,
    path: str | os.PathLike[str],
    *,
    source_path: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the found scenario workbook atomically; never onto ``source_path``."""
    out = check_output_path(path, [source_path] if source_path is not None else [])
    return atomic_save(build_found_workbook(result), out)
