"""The 目标检查 Targets sheet of a results workbook: each target against the projection.

Why a module of its own: results workbooks are written by several writers, and the target
check is the one part that depends on the scenario's optional targets. One row per target:
required, projected, margin (positive = met), met/missed — and, when an ensemble of
assumption draws is given, the share of draws meeting it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.batch import Batch
from jjjplan.excel.write import sheetio, styles
from jjjplan.results import Results
from jjjplan.targets import Target, indicator_values, result_value

__all__ = ["TARGET_SHEET", "ensemble_values", "target_check", "write_target_check"]

TARGET_SHEET = "目标检查 Targets"


def ensemble_values(ensemble, target: Target) -> np.ndarray | None:
    """The target's indicator in its year for every member of an :class:`Ensemble`, from the
    outcomes it keeps (gap measures, ratios, regional GDP, per-capita GDP and population);
    ``None`` for an indicator, year or region the ensemble does not keep."""
    from jjjplan.targets import INDICATORS
    from jjjplan.uncertainty.evaluate import REGION_VARIABLES

    out = ensemble.outcomes
    years = [int(y) for y in out.years]
    if target.year not in years:
        return None
    t = years.index(target.year)
    if target.indicator in INDICATORS:
        return out.indicator(target.indicator)[:, t]
    if out.region_values is None or target.indicator not in REGION_VARIABLES:
        return None
    v = REGION_VARIABLES.index(target.indicator)
    parts = (target.region or "").split("/")
    if any(p not in out.regions for p in parts):
        return None
    values = out.region_values[:, t, out.regions.index(parts[0]), v]
    if len(parts) == 2:
        values = values / out.region_values[:, t, out.regions.index(parts[1]), v]
    return values


def target_check(
    results: Results, targets: Sequence[Target], draws: Batch | None = None, ensemble=None
) -> pd.DataFrame:
    """One row per target: target, indicator, required, projected, margin, met and, with
    ``draws`` (a batch of assumption draws) or an ``ensemble`` of the same scenario, p_met
    (NaN where the ensemble does not keep that indicator)."""
    rows = []
    for t in targets:
        value = result_value(results, t)
        row = {
            "target": t.key,
            "indicator": t.label,
            "required": f"{t.op} {t.value:g}",
            "projected": value,
            "margin": float(t.slack(value)),
            "met": bool(t.met(value)),
        }
        if draws is not None:
            row["p_met"] = float(np.mean(t.met(indicator_values(draws, t))))
        elif ensemble is not None:
            values = ensemble_values(ensemble, t)
            row["p_met"] = float("nan") if values is None else float(np.mean(t.met(values)))
        rows.append(row)
    return pd.DataFrame(rows)


def write_target_check(
    ws: Worksheet, results: Results, draws: Batch | None = None, ensemble=None
) -> None:
    """Fill ``ws`` with :func:`target_check` of the scenario's own targets."""
    table = target_check(results, results.scenario.targets, draws, ensemble)
    sheetio.title(ws, "目标检查 / Targets: projection against each target")
    sheetio.note(
        ws,
        2,
        "余量为正表示达到目标；“=”目标允许 ±0.5% 的误差。/ A positive margin means the target "
        "is met; '=' targets allow ±0.5%.",
    )
    heads = ["目标 Target", "指标 Indicator", "要求 Required", "预测 Projected", "余量 Margin"]
    heads.append("达到 Met")
    if "p_met" in table:
        heads.append("达到概率 P(met)")
    sheetio.header(ws, 4, 1, heads)
    for r, row in enumerate(table.itertuples(index=False), start=5):
        values = [row.target, row.indicator, row.required, row.projected, row.margin]
        values.append("达到 met" if row.met else "未达到 missed")
        if "p_met" in table:
            values.append(row.p_met)
        sheetio.put_row(ws, r, 1, values)
        cell = ws.cell(row=r, column=6)
        cell.fill = styles.GOOD_FILL if row.met else styles.BAD_FILL
        cell.font = styles.GOOD_FONT if row.met else styles.BAD_FONT
        if "p_met" in table:
            ws.cell(row=r, column=7).number_format = styles.PERCENT
    styles.autofit_columns(ws, min_row=4)
