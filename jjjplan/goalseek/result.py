"""What goal seek returns, and the explanation of each change.

Why a module of its own: the result is read by the CLI, the 求解 Seek sheet and the
dashboard; building its tables (targets, changes, messages) and the "why" of each change
(:func:`lever_effects`) is separate from searching.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jjjplan.batch import project_many
from jjjplan.goalseek.levers import LeverSpace, lever_space, resolve_free, undo_change
from jjjplan.goalseek.problem import Evaluator, achieved_values
from jjjplan.scenario import Scenario
from jjjplan.targets import indicator_values, parse_target

OBJECTIVES = {
    "min-change": ("最小改动", "smallest change from the starting scenario"),
    "min-fiscal-cost": (
        "最低财政成本",
        "least fiscal cost (pole investment + central compensation)",
    ),
    "min-investment": ("最少投资", "least extra pole investment"),
}


@dataclass(frozen=True)
class SeekResult:
    """What goal seek found.

    ``table``: one row per target — target, required, achieved, margin (positive = met),
    met, best_possible (closest achievable value with these free levers) and, when robust,
    p_met (share of assumption draws meeting it). ``changes``: one row per moved lever.
    """

    scenario: Scenario
    met: bool
    table: pd.DataFrame
    message: str
    changes: pd.DataFrame
    objective: str
    investment: float  # cumulative extra pole investment 2024–2035, 亿元
    fiscal_cost: float  # investment + central one-off compensation, 亿元
    evaluations: int
    seconds: float
    robust: float | None = None
    start: Scenario | None = field(default=None, repr=False)
    #: The baseline data searched on (a Dataset), None = the bundled data of the vintage.
    data: Any = field(default=None, repr=False, compare=False)


def build_result(ev, problem, start, x, best, objective, started) -> SeekResult:
    space = ev.space
    found = space.scenario(x)
    margins, share, invest, fiscal = ev.run(x)
    achieved = achieved_values(ev, x)
    met_each = margins[0] >= -1e-9 * np.maximum(1.0, ev.scale)
    if ev.robust:
        met_each &= share[0] >= ev.robust - 1e-12
    table = pd.DataFrame(
        {
            "target": [t.key for t in ev.targets],
            "indicator": [t.label for t in ev.targets],
            "required": [f"{t.op} {t.value:g}" for t in ev.targets],
            "value": [t.value for t in ev.targets],
            "achieved": achieved,
            "margin": margins[0],
            "met": met_each,
            "best_possible": best if best is not None else achieved,
        }
    )
    if ev.robust:
        table["p_met"] = share[0]
    changes = _changes(space, x)
    met = bool(met_each.all())
    seconds = time.perf_counter() - started
    return SeekResult(
        scenario=found.replace(name=_found_name(start.name)),
        met=met,
        table=table,
        message=_message(ev, table, changes, met, objective),
        changes=changes,
        objective=objective,
        investment=float(invest[0]),
        fiscal_cost=float(fiscal[0]),
        evaluations=ev.count,
        seconds=seconds,
        robust=ev.robust,
        start=start,
        data=ev.data,
    )


def lever_effects(result: SeekResult) -> pd.DataFrame:
    """Why each change was made: every target's achieved value with that one change undone
    (all other found levers kept), minus the value achieved — one project_many call.
    Rows = changed levers, columns = target keys."""
    changed = list(result.changes["lever"])
    if not changed or result.start is None:
        return pd.DataFrame(index=pd.Index(changed, name="lever"))
    targets = [parse_target(k) for k in result.table["target"]]
    start = lever_space(result.start, resolve_free(None)).start
    rows = [undo_change(result.scenario, start, lever) for lever in changed]
    batch = project_many([result.scenario, *rows], data=result.data)
    out = {}
    for t in targets:
        values = indicator_values(batch, t)
        out[t.key] = values[1:] - values[0]
    return pd.DataFrame(out, index=pd.Index(changed, name="lever"))


def _found_name(name: str) -> str:
    suffix = " 目标反推 seek"
    return name if name.endswith(suffix) else f"{name}{suffix}"


def _changes(space: LeverSpace, x: np.ndarray) -> pd.DataFrame:
    x0 = space.clean(space.x0)
    rows = []
    for var, a, b in zip(space.variables, x0, x, strict=True):
        if abs(b - a) > 1e-9 * max(1.0, abs(a)):
            rows.append(
                {
                    "lever": var.name,
                    "start": a,
                    "found": b,
                    "change": b - a,
                    "share_of_range": (b - a) / var.span,
                }
            )
    return pd.DataFrame(rows, columns=["lever", "start", "found", "change", "share_of_range"])


def _message(
    ev: Evaluator, table: pd.DataFrame, changes: pd.DataFrame, met: bool, objective: str
) -> str:
    zh_obj, en_obj = OBJECTIVES[objective]
    robust = f"（在 {ev.robust:.0%} 的参数抽样中成立）" if ev.robust else ""
    robust_en = f" (holding in {ev.robust:.0%} of assumption draws)" if ev.robust else ""
    if met:
        head = (
            f"已找到满足全部 {len(table)} 个目标的方案{robust}，目标函数：{zh_obj}；调整了 "
            f"{len(changes)} 个杠杆 / found levers meeting all {len(table)} target(s)"
            f"{robust_en} at {en_obj}; {len(changes)} lever value(s) changed"
        )
        return head
    lines = [
        f"无法同时满足全部目标{robust}；以下为可达到的最接近值 / the targets cannot all "
        f"be met{robust_en}; closest achievable values:"
    ]
    for row in table.itertuples():
        if not row.met:
            lines.append(
                f"  {row.target}: 最接近可达 closest achievable {row.best_possible:.4g}"
                f"（折中方案 compromise {row.achieved:.4g}）"
            )
    return "\n".join(lines)
