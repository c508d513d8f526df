"""``discovery.xlsx``: PRIM's box in plain words, its peeling trajectory with a trade-off
chart, and the feature-scoring table — bilingual, written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.chart import Reference, ScatterChart, Series

from jjjplan.excel.safety import atomic_save
from jjjplan.excel.write.provenance import PROVENANCE, run_info, write_key_values
from jjjplan.excel.write.styles import (
    NOTE_FONT,
    PERCENT,
    TITLE_FONT,
    autofit_columns,
    style_header,
)

if TYPE_CHECKING:
    from jjjplan.explore.sweep import Sweep


def _table(ws, top: int, headers: list[str], rows: list[list], formats: dict[int, str]) -> int:
    for j, h in enumerate(headers, 1):
        ws.cell(top, j, h)
    style_header(ws[top][: len(headers)])
    for i, row in enumerate(rows, top + 1):
        for j, value in enumerate(row, 1):
            cell = ws.cell(i, j, None if value != value else value)  # NaN → empty
            if j in formats:
                cell.number_format = formats[j]
    return top + len(rows) + 1


def write_discovery(sweep: Sweep, path: str | Path) -> Path:
    """Write the sweep's discovery (PRIM box, trajectory, feature scores) to ``path``."""
    d = sweep.discovery
    wb = Workbook()
    ws = wb.active
    ws.title = "发现 Discovery"
    ws["A1"] = "情景发现（PRIM）/ Scenario discovery (PRIM)"
    ws["A1"].font = TITLE_FONT
    facts = [
        ("条件 / condition", d.condition),
        ("抽样数 / samples", d.samples),
        ("PRIM 所用样本 / samples PRIM peeled", d.prim_note),
        ("满足条件的样本比例 / share of samples meeting it", d.share_met),
        ("所选框的密度目标 / density goal of the chosen box", d.goal),
        ("覆盖率 / coverage (share of all such samples in the box)", d.coverage),
        ("密度 / density (share of the box's samples meeting it)", d.density),
        ("种子 / seed", sweep.spec["seed"]),
        ("数据版本 / data vintage", sweep.spec["data_vintage"]),
    ]
    for i, (label, value) in enumerate(facts, 3):
        ws.cell(i, 1, label)
        cell = ws.cell(i, 2, value)
        if isinstance(value, float):
            cell.number_format = PERCENT
    top = 4 + len(facts)
    ws.cell(top, 1, "条件成立的杠杆与参数范围 / where the condition holds").font = TITLE_FONT
    rows = [
        [
            r.words,
            r.input,
            r.box_low,
            r.box_high,
            r.sampled_low,
            r.sampled_high,
            r.qp_low,
            r.qp_high,
        ]
        for r in d.box.itertuples()
    ]
    end = _table(
        ws,
        top + 1,
        [
            "说明 / in words",
            "输入 / input",
            "框下限 / box low",
            "框上限 / box high",
            "抽样下限 / sampled low",
            "抽样上限 / sampled high",
            "下限准p值 / qp low",
            "上限准p值 / qp high",
        ],
        rows,
        {3: "0.0000", 4: "0.0000", 5: "0.0000", 6: "0.0000", 7: "0.000", 8: "0.000"},
    )
    ws.cell(
        end + 1,
        1,
        (
            "准p值小（< 0.05）表示该限制不太可能是偶然 / a small quasi-p-value (< 0.05) means the "
            "restriction is unlikely to be chance (EMA Workbench PRIM)"
        ),
    ).font = NOTE_FONT
    autofit_columns(ws)

    tr = wb.create_sheet("剥离轨迹 Trajectory")
    t = d.trajectory
    rows = [
        [i, r.coverage, r.density, r.mass, int(r.res_dim), "*" if i == d.chosen else ""]
        for i, r in enumerate(t.itertuples())
    ]
    headers = [
        "步 / step",
        "覆盖率 / coverage",
        "密度 / density",
        "质量 / mass",
        "受限维数 / restricted dimensions",
        "所选 / chosen",
    ]
    _table(tr, 1, headers, rows, {2: PERCENT, 3: PERCENT, 4: PERCENT})
    chart = ScatterChart()
    chart.title = "覆盖率与密度的取舍 / coverage vs density trade-off"
    chart.style = 13
    chart.x_axis.title = "覆盖率 / coverage"
    chart.y_axis.title = "密度 / density"
    xs = Reference(tr, min_col=2, min_row=2, max_row=len(rows) + 1)
    ys = Reference(tr, min_col=3, min_row=2, max_row=len(rows) + 1)
    series = Series(ys, xs, title="PRIM")
    series.marker.symbol = "circle"
    series.graphicalProperties.line.noFill = True
    chart.series.append(series)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    tr.add_chart(chart, "H2")
    autofit_columns(tr)

    fs = wb.create_sheet("重要性 Feature scores")
    from jjjplan.explore.discovery import input_label

    rows = [
        [i, *input_label(r.input)[:2], r.input, r.score]
        for i, r in enumerate(d.scores.itertuples(), 1)
    ]
    end = _table(
        fs,
        1,
        ["排序 / rank", "名称 / name", "name", "输入 / input", "得分 / score"],
        rows,
        {5: "0.0000"},
    )
    fs.cell(
        end + 1,
        1,
        (
            "极端随机树（EMA feature_scoring）对结果指标的重要性，合计为 1 / extra-trees "
            "importance "
            f"for {d.condition.split('@')[0]} (EMA feature_scoring), summing to 1"
        ),
    ).font = NOTE_FONT
    autofit_columns(fs)

    pv = wb.create_sheet(PROVENANCE)
    pv["A1"] = "来源 Provenance"
    pv["A1"].font = TITLE_FONT
    spec = sweep.spec
    rows = [
        *run_info(),
        ("scenario", "情景", "scenario", spec["scenario"]),
        ("samples", "抽样数", "samples", spec["samples"]),
        ("seed", "随机种子", "seed", spec["seed"]),
        ("chunk_size", "每块样本数", "samples per chunk", spec["chunk_size"]),
        ("sampling", "抽样方法", "sampling", spec["sampling"]),
        ("data_vintage", "数据版本", "data vintage", str(spec["data_vintage"])),
        ("where", "条件", "condition", d.condition),
        ("prim", "情景发现方法", "discovery method", "EMA Workbench PRIM, feature_scoring"),
        ("inputs", "输入列", "input columns", ", ".join(spec["inputs"])),
    ]
    write_key_values(pv, 3, rows)
    autofit_columns(pv, max_width=80)
    return atomic_save(wb, path)
