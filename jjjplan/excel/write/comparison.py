"""Put several scenarios side by side in one workbook to circulate (DESIGN §6).

Modelled on Excel's Scenario Summary (changing cells = levers, result cells = outcomes, one
column per scenario) and extended with deltas against a chosen baseline scenario, one
year × scenario sheet per headline indicator with a native line chart, and provenance.
Labels, cell writing, indicators, lever rows, charts and the Provenance sheet are shared with
:mod:`jjjplan.excel.write.results` (through :mod:`~jjjplan.excel.catalogue`,
:mod:`~jjjplan.excel.write.sheetio`, :mod:`~jjjplan.excel.write.indicators`,
:mod:`~jjjplan.excel.write.levers`, :mod:`~jjjplan.excel.write.charts` and
:mod:`~jjjplan.excel.write.provenance`), so a number reads the same here as in a single
scenario's results workbook.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl.chart import Reference
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.excel.catalogue import bilingual, word
from jjjplan.excel.safety import atomic_save, check_output_path
from jjjplan.excel.write import styles
from jjjplan.excel.write.charts import line_chart, put_by_year
from jjjplan.excel.write.indicators import KEY_INDICATORS, Indicator, by_year
from jjjplan.excel.write.levers import LeverRow, lever_rows, unchanged_presence_count
from jjjplan.excel.write.printing import apply_print_setup
from jjjplan.excel.write.provenance import PROVENANCE, write_comparison_provenance
from jjjplan.excel.write.sheetio import (
    add_delta_colours,
    group_header,
    header,
    note,
    put,
    put_row,
    section,
    sheet_name,
    title,
)
from jjjplan.results import Results
from jjjplan.scenario import LEVERS, MILESTONE_YEARS, Scenario

if TYPE_CHECKING:
    from jjjplan.uncertainty import RobustComparison

__all__ = ["COMPARISON_LEVERS", "write_comparison"]

SUMMARY = "情景对比 Summary"

#: Levers on the summary sheet, in the order planners discuss them. ``poles.weights`` and
#: ``pathways`` expand to one row per pole / pathway.
COMPARISON_LEVERS: tuple[str, ...] = (
    "reform.origin_share",
    "reform.share_years",
    "reform.ext_years",
    "reform.cap_multiple",
    "reform.eligibility_threshold",
    "reform.government_led_only",
    "reform.market_integration.y2035",
    "poles.weights",
    "poles.investment.y2035",
    "poles.relocation.y2035",
    "innovation.share.y2035",
    "innovation.absorption.y2035",
    "national_path",
    "pathways",
)
_CHANGED = ("变化", "changed")
#: Short bilingual sheet names: "中文 English" must fit Excel's 31 characters.
SHEET_LABELS: dict[str, tuple[str, str]] = {
    "theil_t": ("泰尔指数T", "Theil T"),
    "theil_t_between": ("泰尔T组间", "Theil T between"),
    "theil_t_within": ("泰尔T组内", "Theil T within"),
    "cv_weighted": ("加权变异系数", "Williamson CV"),
    "gini_weighted": ("基尼系数", "Gini"),
    "bj_he_ratio": ("京冀人均比", "BJ-HE per capita"),
    "tj_he_ratio": ("津冀人均比", "TJ-HE per capita"),
    "jjj_gdp": ("京津冀GDP", "JJJ GDP"),
    "he_gdp_per_capita": ("河北人均GDP", "Hebei GDP per capita"),
}
BASELINE_LABEL = ("基准", "Baseline")


def scenario_header(name: str, is_base: bool) -> str:
    """A scenario's column header; the baseline's says so in both languages."""
    if not is_base:
        return name
    if _name_key(name) in {"baseline", "基准"}:
        return bilingual(*BASELINE_LABEL)
    return f"{name}（{bilingual(*BASELINE_LABEL)}）"


_PRESENCE_KEY = "chains.presence"


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------
def _name_key(name: str) -> str:
    """Names a planner would read as the same: width, case and outer spaces ignored."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _check_inputs(results_list: Sequence[Results], source_paths: Any) -> list[Any]:
    if isinstance(results_list, Results) or not isinstance(results_list, Sequence):
        raise TypeError("write_comparison() expects a list of jjjplan.Results")
    if not results_list:
        raise ValueError("write_comparison() needs at least one scenario's results")
    for i, r in enumerate(results_list):
        if not isinstance(r, Results):
            raise TypeError(f"results_list[{i}] is {type(r).__name__}, not jjjplan.Results")
    counts = Counter(_name_key(r.scenario.name) for r in results_list)
    dupes = [r.scenario.name for r in results_list if counts[_name_key(r.scenario.name)] > 1]
    if dupes:
        shown = ", ".join(repr(n) for n in dict.fromkeys(dupes))
        raise ValueError(
            f"scenario names must be unique (ignoring case, width and outer spaces); "
            f"duplicated: {shown}"
        )
    years = [tuple(int(y) for y in r.years) for r in results_list]
    if len(set(years)) > 1:
        raise ValueError("all scenarios must cover the same years to be compared")
    paths = [None] * len(results_list) if source_paths is None else list(source_paths)
    if len(paths) != len(results_list):
        raise ValueError(
            f"source_paths has {len(paths)} entries but there are {len(results_list)} scenarios"
        )
    return paths


def _pick_baseline(results_list: Sequence[Results], baseline: Results | str | None) -> int:
    """Index of the baseline: the given Results (or name), else 'baseline', else the first."""
    if baseline is None:
        for i, r in enumerate(results_list):
            if _name_key(r.scenario.name) == "baseline":
                return i
        return 0
    if isinstance(baseline, Results):
        for i, r in enumerate(results_list):
            if r is baseline:
                return i
        name = baseline.scenario.name
    elif isinstance(baseline, str):
        name = baseline
    else:
        raise TypeError(f"baseline must be Results, a scenario name or None, not {baseline!r}")
    for i, r in enumerate(results_list):
        if _name_key(r.scenario.name) == _name_key(name):
            return i
    raise ValueError(f"baseline {name!r} is not one of the compared scenarios")


# --------------------------------------------------------------------------------------------
# Lever rows, aligned across scenarios
# --------------------------------------------------------------------------------------------
def _wanted(path: str) -> bool:
    return path in COMPARISON_LEVERS or path.rsplit(".", 1)[0] in ("poles.weights", "pathways")


def _aligned_levers(scenarios: Sequence[Scenario]) -> list[tuple[LeverRow, list[Any]]]:
    """(row template, value per scenario). A pole absent from a scenario has weight 0."""
    per = [{r.path: r for r in lever_rows(s) if _wanted(r.path)} for s in scenarios]
    order: dict[str, LeverRow] = {}
    for rows in per:
        for path, row in rows.items():
            order.setdefault(path, row)

    def rank(path: str) -> int:
        for i, key in enumerate(COMPARISON_LEVERS):
            if path == key or path.startswith(key + "."):
                return i
        return len(COMPARISON_LEVERS)  # pragma: no cover

    out = []
    for path in sorted(order, key=rank):  # stable: weights keep the scenario's pole order
        default = 0.0 if path.startswith("poles.weights.") else None
        values = [rows[path].value if path in rows else default for rows in per]
        out.append((order[path], values))
    spec = LEVERS[_PRESENCE_KEY]
    presence = LeverRow(
        f"{_PRESENCE_KEY}.changed",
        f"{spec.name_zh}：调整的环节数",
        f"{spec.name_en}: segments changed from base",
        "count",
        None,
        styles.INTEGER,
    )
    total = [len(s.chains.presence) for s in scenarios]
    changed = [t - unchanged_presence_count(s) for s, t in zip(scenarios, total, strict=True)]
    out.append((presence, changed))
    return out


# --------------------------------------------------------------------------------------------
# Summary sheet
# --------------------------------------------------------------------------------------------
class _Grid:
    """Column positions of the summary sheet: labels, scenarios, Δ, %Δ."""

    LABELS = 5  # field, 中文, English, unit, year

    def __init__(self, n: int, base: int) -> None:
        self.n = n
        self.base = base
        self.others = [i for i in range(n) if i != base]
        self.first = self.LABELS + 1

    def value(self, i: int) -> int:
        return self.first + i

    def delta(self, k: int) -> int:
        return self.first + self.n + k

    def pct(self, k: int) -> int:
        return self.first + self.n + len(self.others) + k

    @property
    def last(self) -> int:
        return self.first + self.n + 2 * len(self.others) - 1


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def pct_change(value: float, base: float) -> float | str:
    """Relative change, or ``"n/a"`` when the baseline is 0 (explained in a note)."""
    return (value - base) / abs(base) if base != 0 else "n/a"


def _write_row(
    ws: Worksheet, row: int, grid: _Grid, labels: Sequence[Any], values: list[Any], fmt: str
) -> None:
    put_row(ws, row, 1, labels)
    put_row(ws, row, grid.value(0), values, fmt)  # the scenarios' columns are adjacent
    base = values[grid.base]
    for k, i in enumerate(grid.others):
        v = values[i]
        if _is_number(v) and _is_number(base):
            put(ws, row, grid.delta(k), v - base, fmt)
            put(ws, row, grid.pct(k), pct_change(v, base), styles.PERCENT)
        elif v != base:
            put(ws, row, grid.delta(k), bilingual(*_CHANGED))


def _summary_header(ws: Worksheet, row: int, grid: _Grid, names: list[str]) -> None:
    groups = [(grid.value(0), grid.n, word("scenario"))]
    if grid.others:
        groups += [
            (grid.delta(0), len(grid.others), f"{word('delta')}（相对基准 vs baseline）"),
            (grid.pct(0), len(grid.others), f"{word('pct_delta')}（相对基准 vs baseline）"),
        ]
    for col, width, text in groups:
        group_header(ws, row, col, width, text)
    others = [names[i] for i in grid.others]
    labels = [word("field"), "项目", "Item", word("unit"), word("year")]
    shown = [scenario_header(n, i == grid.base) for i, n in enumerate(names)]
    header(ws, row + 1, 1, [*labels, *shown, *others, *others])


def _write_summary(ws: Worksheet, results_list: Sequence[Results], grid: _Grid) -> None:
    scenarios = [r.scenario for r in results_list]
    names = [s.name for s in scenarios]
    title(ws, "情景对比摘要 Scenario comparison summary")
    put(ws, 2, 1, "基准情景 Baseline scenario").font = styles.HEADER_FONT
    put(ws, 2, 3, names[grid.base])
    note(
        ws,
        3,
        "差值 = 情景 − 基准；变化率 = 差值 / |基准|，基准为0时记为 n/a。绿色 = 改善，红色 = 恶化"
        "（差距指标越低越好，GDP越高越好）。 / Δ = scenario − baseline; %Δ = Δ / |baseline|, "
        "n/a where the baseline is 0. Green = improvement, red = deterioration (lower gaps, "
        "higher GDP are better).",
    )
    _summary_header(ws, 5, grid, names)
    row = 7
    section(ws, row, "杠杆（可变单元格） Levers (changing cells)", grid.last)
    for lever, values in _aligned_levers(scenarios):
        row += 1
        _write_row(
            ws, row, grid, [lever.path, lever.zh, lever.en, lever.unit], values, lever.number_format
        )
    row += 1
    section(ws, row, "结果（结果单元格） Outcomes (result cells)", grid.last)
    for ind in KEY_INDICATORS:
        series = [by_year(ind, r) for r in results_list]
        first = row + 1
        for year in MILESTONE_YEARS:
            row += 1
            values = [float(s[year]) for s in series]
            labels = [ind.key, ind.zh, ind.en, ind.unit, year]
            _write_row(ws, row, grid, labels, values, ind.number_format)
        if grid.others:
            for a, b in (
                (grid.delta(0), grid.delta(len(grid.others) - 1)),
                (grid.pct(0), grid.last),
            ):
                ref = f"{get_column_letter(a)}{first}:{get_column_letter(b)}{row}"
                add_delta_colours(ws, ref, ind.lower_is_better)
    ws.freeze_panes = ws.cell(row=7, column=grid.first)
    styles.set_widths(ws, {"A": 30, "B": 30, "C": 40, "D": 16, "E": 7})
    styles.set_widths(ws, dict.fromkeys(range(grid.first, grid.last + 1), 14))
    styles.fit_row_height(ws, 6)


# --------------------------------------------------------------------------------------------
# Indicator sheets
# --------------------------------------------------------------------------------------------
def _write_indicator(
    ws: Worksheet, ind: Indicator, results_list: Sequence[Results], base: int
) -> None:
    names = [r.scenario.name for r in results_list]
    title(ws, f"{ind.label}（{ind.unit}）")
    # one cell: a label in A2 would be covered by a value in B2
    put(ws, 2, 1, f"基准情景 Baseline scenario：{names[base]}").font = styles.NOTE_FONT
    years = [int(y) for y in results_list[0].years]
    header(ws, 3, 1, [word("year"), *(scenario_header(n, i == base) for i, n in enumerate(names))])
    columns = [(by_year(ind, r), ind.number_format) for r in results_list]
    last = put_by_year(ws, 4, years, columns)
    chart = line_chart(
        title_text=f"{ind.zh} / {ind.en}",
        y_title=ind.unit,
        number_format=ind.number_format,
        years=Reference(ws, min_col=1, min_row=4, max_row=last),
        data=Reference(ws, min_col=2, max_col=1 + len(names), min_row=3, max_row=last),
    )
    baseline_line = chart.series[base].graphicalProperties.line
    baseline_line.solidFill = "404040"
    baseline_line.dashStyle = "dash"
    chart.width, chart.height = 24, 12  # room for a legend of up to ~10 scenarios
    ws.add_chart(chart, f"A{last + 2}")  # below the table, however many scenarios
    ws.freeze_panes = "B4"
    styles.set_widths(ws, {"A": 10})
    styles.set_widths(ws, dict.fromkeys(range(2, 2 + len(names)), 16))
    styles.fit_row_height(ws, 3)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def build_comparison_workbook(
    results_list: Sequence[Results],
    *,
    baseline: Results | str | None = None,
    source_paths: Sequence[str | os.PathLike[str] | None] | None = None,
    robust: RobustComparison | None = None,
) -> Workbook:
    """The comparison workbook in memory (no file written); ``robust`` (the same scenarios
    from :func:`jjjplan.compare_ensembles`) adds the 概率 Probabilities sheet."""
    sources = _check_inputs(results_list, source_paths)
    base = _pick_baseline(results_list, baseline)
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY
    _write_summary(summary, results_list, _Grid(len(results_list), base))
    taken = [SUMMARY, PROVENANCE]
    for ind in KEY_INDICATORS:
        name = sheet_name(*SHEET_LABELS.get(ind.key, (ind.zh, ind.en)), taken)
        taken.append(name)
        _write_indicator(wb.create_sheet(name), ind, results_list, base)
    if robust is not None:
        from jjjplan.excel.write.probabilities import PROBABILITIES, write_probability_sheet

        write_probability_sheet(wb.create_sheet(PROBABILITIES), robust)
    write_comparison_provenance(wb.create_sheet(PROVENANCE), results_list, sources, base)
    apply_print_setup(wb, "情景对比 Scenario comparison")  # last: every sheet, whoever added it
    return wb


def write_comparison(
    results_list: Sequence[Results],
    path: str | os.PathLike[str],
    *,
    baseline: Results | str | None = None,
    source_paths: Sequence[str | os.PathLike[str] | None] | None = None,
    robust: RobustComparison | None = None,
) -> Path:
    """Write a comparison workbook of ``results_list`` to ``path``; return its absolute path.

    ``baseline`` is one of the compared results (or its scenario name); by default the
    scenario named "baseline", else the first. ``source_paths`` (aligned with
    ``results_list``, entries may be ``None``) are hashed into the Provenance sheet and are
    never overwritten. Scenario names must be unique (ValueError names the duplicates).
    """
    sources = _check_inputs(results_list, source_paths)  # bad input first, then the path
    out = check_output_path(path, [p for p in sources if p is not None])
    wb = build_comparison_workbook(
        results_list, baseline=baseline, source_paths=source_paths, robust=robust
    )
    return atomic_save(wb, out)
