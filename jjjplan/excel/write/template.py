"""Write the scenario workbook a planner edits (DESIGN §6), from a :class:`Scenario`.

Why generated, not hand-made: the template is drift-tested against this code, and every
block is placed from :mod:`jjjplan.excel.layout`, the same declaration the reader uses.
Inputs are Excel Tables and workbook-scoped defined names; every input cell is yellow,
validated and carries a bilingual note (meaning, unit, allowed range, source). Planner text
goes through ``write_text_cell`` and the file through ``atomic_save``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan import baseline
from jjjplan.assumptions import ASSUMPTIONS
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.excel import layout as L
from jjjplan.excel.safety import atomic_save, check_output_path, write_text_cell
from jjjplan.excel.write.printing import apply_print_setup
from jjjplan.excel.write.styles import display_width
from jjjplan.scenario import LEVERS, Scenario, assumption_bounds

__all__ = ["build_workbook", "make_template"]

INPUT_FILL = PatternFill("solid", fgColor="FFFF99")
INFO_FILL = PatternFill("solid", fgColor="EDEDED")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
HEADING_FONT = Font(bold=True, size=11, color="1F4E78")
WRAP = Alignment(wrap_text=True, vertical="top")
TABLE_STYLE = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
NOTE_AUTHOR = "jjjplan"
SCALAR_HEADERS = (
    ("中文名称", "Name (Chinese)"),
    ("英文名称", "Name (English)"),
    ("取值", "Value"),
    ("单位", "Unit"),
    ("允许范围", "Allowed range"),
    ("参考值", "Reference"),
)
SCALAR_WIDTHS = (24, 34, 40, 18, 18, 30)


def make_template(path: str | os.PathLike[str], scenario: Scenario | None = None) -> Path:
    """Write the scenario workbook for ``scenario`` (default: the baseline) to ``path``.

    The write is atomic and refuses a path that is open in Excel/LibreOffice.
    """
    out = check_output_path(path)
    atomic_save(build_workbook(scenario or Scenario.baseline()), out)
    return out


def build_workbook(scenario: Scenario) -> Workbook:
    """The openpyxl workbook for ``scenario`` (not saved), e.g. for a dashboard download."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, build in (
        (L.ABOUT, _about),
        (L.POLES, _poles),
        (L.CHAINS, _chains),
        (L.INNOVATION, _innovation),
        (L.REFORM, _reform),
        (L.ASSUMPTIONS, _assumptions),
        (L.BASELINE, _baseline),
    ):
        sheet = _Sheet(wb, wb.create_sheet(title))
        build(sheet, scenario)
        sheet.finish()
    apply_print_setup(wb, scenario.name, planner_edits=True)
    return wb


# --- validation rules and notes ------------------------------------------------------------
@dataclass(frozen=True)
class _Rule:
    """A data-validation rule; equal rules on one sheet share one DataValidation."""

    kind: str  # "decimal" | "whole" | "list"
    low: float = 0.0
    high: float = 0.0
    choices: tuple[str, ...] = ()
    percent: bool = False

    def validation(self) -> DataValidation:
        if self.kind == "list":
            text = ", ".join(self.choices)
            dv = DataValidation("list", formula1=f'"{",".join(self.choices)}"', allow_blank=False)
            dv.error = f"请选择：{text} / Choose one of: {text}"
        else:
            shown = L.format_range(self.low, self.high, self.percent)
            dv = DataValidation(
                self.kind, formula1=_num(self.low), formula2=_num(self.high), operator="between"
            )
            word_zh, word_en = (
                ("整数", "a whole number") if self.kind == "whole" else ("数值", "a number")
            )
            dv.error = f"请输入 {shown} 之间的{word_zh} / Enter {word_en} in {shown}"
        dv.errorTitle = "输入无效 Invalid input"
        dv.showErrorMessage = True
        return dv


def _num(value: float) -> str:
    """A bound as plain decimal text (no exponent) for a validation formula."""
    return f"{value:.12f}".rstrip("0").rstrip(".") or "0"


def _lever_rule(spec: Any) -> _Rule:
    kind = "whole" if spec.integer else "decimal"
    return _Rule(kind, spec.low, spec.high, percent=spec.percent)


def _note(zh: str, en: str, unit: str, allowed: str, source: str, help_zh="", help_en="") -> str:
    """Bilingual note text: meaning, unit, allowed range, source."""
    return (
        f"{zh}{'：' + help_zh if help_zh else ''}\n单位：{unit or '—'}；允许范围：{allowed}\n"
        f"来源/参考：{source}\n\n{en}{': ' + help_en if help_en else ''}\n"
        f"Unit: {unit or '—'}; allowed: {allowed}\nSource/reference: {source}"
    )


def _lever_note(spec: Any, what_zh: str, what_en: str, source: str) -> str:
    return _note(
        f"{spec.name_zh}（{what_zh}）",
        f"{spec.name_en} ({what_en})",
        spec.unit,
        L.format_range(spec.low, spec.high, spec.percent),
        source,
        L.LEVER_HELP_ZH.get(spec.path, ""),
        spec.help_en,
    )


TARGET_SOURCE = (
    "情景目标，由规划人员设定（非官方） / scenario target set by the planner (not official)"
)


@dataclass
class _Input:
    """How one input cell is formatted, validated and annotated."""

    number_format: str | None
    rule: _Rule | None
    note: str
    unlock: bool = False


# --- sheet writer --------------------------------------------------------------------------
class _Sheet:
    """Writes blocks top to bottom on one worksheet and tracks column widths."""

    def __init__(self, wb: Workbook, ws: Worksheet) -> None:
        self.wb, self.ws, self.row = wb, ws, 1
        self.widths: dict[int, float] = {}
        self.rules: dict[_Rule, list[Any]] = {}  # rule -> cells it checks
        self.freeze: str | None = "A3"

    def text(self, row: int, col: int, value: str | None, font: Font | None = None) -> Any:
        cell = self.ws.cell(row, col)
        write_text_cell(cell, value or None)
        if font:
            cell.font = font
        return cell

    def title(self, zh: str, en: str, lines: Iterable[str] = ()) -> None:
        self.text(self.row, 1, f"{zh}  {en}", TITLE_FONT)
        self.row += 1
        for line in lines:
            self.text(self.row, 1, line)
            self.row += 1
        self.row += 1

    def heading(self, zh: str, en: str) -> None:
        self.text(self.row, 1, f"{zh}  {en}", HEADING_FONT)
        self.row += 1

    def width(self, col: int, width: float) -> None:
        self.widths[col] = max(self.widths.get(col, 8.0), width)

    def header_row(self, headers: Iterable[str]) -> None:
        for col, text in enumerate(headers, 1):
            cell = self.text(self.row, col, text, HEADER_FONT)
            cell.fill, cell.alignment = HEADER_FILL, Alignment(wrap_text=True, vertical="center")
        self.ws.row_dimensions[self.row].height = 32

    def input(self, cell: Any, spec: _Input) -> None:
        cell.fill = INPUT_FILL
        if spec.number_format:
            cell.number_format = spec.number_format
        if spec.rule is not None:
            self.rules.setdefault(spec.rule, []).append(cell)
        cell.comment = Comment(spec.note, NOTE_AUTHOR, height=190, width=360)
        if spec.unlock:
            cell.protection = Protection(locked=False)

    def define(self, name: str, coordinate: str) -> None:
        col, row = coordinate.rstrip("0123456789"), coordinate.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        ref = f"{quote_sheetname(self.ws.title)}!${col}${row}"
        self.wb.defined_names[name] = DefinedName(name, attr_text=ref)

    def scalars(self, scalars: Iterable[L.Scalar], scenario: Scenario) -> None:
        """A block of single-cell levers, each reachable by its defined name."""
        self.header_row(f"{zh} {en}" for zh, en in SCALAR_HEADERS)
        scalars = tuple(scalars)
        for col, w in enumerate(SCALAR_WIDTHS, 1):
            self.width(col, w)
        # the name columns fit the longest name, so no label is cut by the value beside it
        for col, attr in ((1, "zh"), (2, "en")):
            longest = max((display_width(getattr(s, attr)) for s in scalars), default=0.0)
            self.width(col, max(SCALAR_WIDTHS[col - 1], longest + 2))
        for s in scalars:
            self.row += 1
            self.text(self.row, 1, s.zh)
            self.text(self.row, 2, s.en)
            cell = self.ws.cell(self.row, 3)
            _write_scalar(cell, s, scenario)
            if s.editable:
                self.input(cell, _scalar_input(s))
            else:
                cell.fill = INFO_FILL
            self.text(self.row, 4, s.unit)
            allowed = L.format_range(s.low, s.high, s.percent) if s.low is not None else ""
            self.text(self.row, 5, allowed or ("/".join(s.choices) if s.choices else ""))
            self.text(self.row, 6, s.reference)
            self.define(s.name, cell.coordinate)
        self.row += 2

    def table(
        self,
        spec: L.TableSpec,
        rows: list[dict[str, Any]],
        inputs: Callable[[dict[str, Any], L.Column], _Input],
    ) -> int:
        """An Excel Table named ``spec.name``; returns its header row."""
        self.heading(spec.title_zh, spec.title_en)
        top = self.row
        self.header_row(c.header for c in spec.columns)
        for r, values in enumerate(rows, top + 1):
            for col, column in enumerate(spec.columns, 1):
                cell = self.ws.cell(r, col)
                _write_value(cell, values.get(column.key))
                if column.role == "input":
                    self.input(cell, inputs(values, column))
                else:
                    cell.fill = INFO_FILL
                    if column.number_format:
                        cell.number_format = column.number_format
        for col, column in enumerate(spec.columns, 1):
            self.width(col, column.width)
        last = get_column_letter(len(spec.columns))
        table = Table(displayName=spec.name, ref=f"A{top}:{last}{top + len(rows)}")
        table.tableStyleInfo = TABLE_STYLE
        self.ws.add_table(table)
        self.row = top + len(rows) + 2
        return top

    def finish(self) -> None:
        for rule, cells in self.rules.items():
            dv = rule.validation()
            for ref in _ranges(cells):
                dv.add(ref)
            self.ws.add_data_validation(dv)
        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = width
        self.ws.freeze_panes = self.freeze


def _ranges(cells: list[Any]) -> list[str]:
    """Cells as column runs (``H11:H115``), so a validation's range stays short."""
    refs, by_col = [], {}
    for cell in cells:
        by_col.setdefault(cell.column_letter, []).append(cell.row)
    for col, rows in by_col.items():
        rows.sort()
        start = prev = rows[0]
        for row in [*rows[1:], None]:
            if row != prev + 1:
                refs.append(f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}")
                start = row
            prev = row
    return refs


def _write_value(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        write_text_cell(cell, value or None)
    elif value is not None:
        cell.value = float(value) if not isinstance(value, bool) else value


def _write_scalar(cell: Any, s: L.Scalar, scenario: Scenario) -> None:
    if s.kind == "version":
        write_text_cell(cell, L.TEMPLATE_VERSION)
        return
    value = L.field_value(scenario, s.field)
    if s.kind == "bool":
        cell.value = bool(value)
    elif s.kind == "number":
        cell.value = int(value) if s.integer else float(value)
        cell.number_format = s.number_format
    else:
        value = "" if value is None else str(value)
        write_text_cell(cell, value or None)
        cell.alignment = WRAP
        cell.parent.row_dimensions[cell.row].height = _text_height(str(value), SCALAR_WIDTHS[2])


def _text_height(text: str, width: float) -> float:
    """Row height (points) that shows wrapped text whole; Excel does not autofit on open."""

    def columns(line: str) -> int:  # CJK characters take two columns
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in line)

    lines = sum(max(1, math.ceil(columns(line) / width)) for line in text.split("\n"))
    return min(15.0 * lines, 409.0)


def _scalar_input(s: L.Scalar) -> _Input:
    allowed = {
        "bool": "TRUE / FALSE（是/否）",
        "choice": "/".join(s.choices),
        "text": "文本 text",
    }.get(s.kind, L.format_range(s.low or 0, s.high or 0, s.percent))
    source = s.reference or "由规划人员填写 / entered by the planner"
    note = _note(s.zh, s.en, s.unit, allowed, source, s.help_zh, s.help_en)
    rule = None
    if s.kind == "bool":
        rule = _Rule("list", choices=("TRUE", "FALSE"))
    elif s.kind == "choice":
        rule = _Rule("list", choices=s.choices)
    elif s.kind == "number":
        rule = _Rule("whole" if s.integer else "decimal", s.low, s.high, percent=s.percent)
    fmt = s.number_format if s.kind == "number" else None
    return _Input(fmt, rule, note)


# --- sheets --------------------------------------------------------------------------------
LEGEND_FILLS = (INPUT_FILL, INFO_FILL, HEADER_FILL)  # in the order of layout.LEGEND


def _about(sh: _Sheet, scenario: Scenario) -> None:
    sh.title(
        "京津冀产业协同情景工作簿",
        "JJJ industrial-coordination scenario workbook",
        (f"依据 Based on: {L.ARTICLE} — {L.ARTICLE_PART}",),
    )
    sh.scalars(L.scalars_on(L.ABOUT), scenario)
    sh.heading("颜色说明", "Colour legend")
    for fill, (zh, en) in zip(LEGEND_FILLS, L.LEGEND, strict=True):
        sh.ws.cell(sh.row, 1).fill = fill
        sh.text(sh.row, 2, f"{zh} / {en}")
        sh.row += 1
    sh.row += 1
    sh.heading("如何编辑", "How to edit")
    for line in (*L.HOW_TO_ZH, "", *L.HOW_TO_EN):
        sh.text(sh.row, 1, line)
        sh.row += 1
    sh.row += 1
    sh.heading("工作表与名称（请勿改名）", "Sheets, Tables and defined names (do not rename)")
    for sheet in L.SHEETS:
        names = [t.name for t in L.tables_on(sheet)] + [s.name for s in L.scalars_on(sheet)]
        sh.text(sh.row, 1, sheet)
        sh.text(sh.row, 2, ", ".join(names) or None)
        sh.row += 1
    sh.freeze = None


def _pathway_title(
    sh: _Sheet, scenario: Scenario, pathway: str, titles: tuple[str, str, str, str]
) -> None:
    """Title, the article heading the sheet follows, and the sheet's scalar levers."""
    zh, en, line_zh, line_en = titles
    sh.title(zh, en, (f"{L.ARTICLE_PART} {L.ARTICLE_SECTIONS[pathway]}", line_zh, line_en))
    sh.scalars(L.scalars_on(sh.ws.title), scenario)


def _milestone_rows(table: str, scenario: Scenario) -> list[dict[str, Any]]:
    ref = Scenario.baseline()
    rows = []
    for key in L.MILESTONE_ROWS[table]:
        spec = LEVERS[key]
        ms = L.field_value(scenario, key)
        rows.append(
            {
                "key": key,
                "name_zh": spec.name_zh,
                "name_en": spec.name_en,
                "unit": spec.unit,
                "y2025": ms.y2025,
                "y2030": ms.y2030,
                "y2035": ms.y2035,
                "current": L.field_value(ref, key).y2025,
            }
        )
    return rows


def _milestone_input(row: dict[str, Any], column: L.Column) -> _Input:
    spec = LEVERS[row["key"]]
    what = (f"{column.key[1:]}年目标", f"target {column.key[1:]}")
    return _Input(L.lever_format(spec), _lever_rule(spec), _lever_note(spec, *what, TARGET_SOURCE))


def _milestone_table(sh: _Sheet, spec: L.TableSpec, scenario: Scenario) -> None:
    rows = _milestone_rows(spec.name, scenario)
    top = sh.table(spec, rows, _milestone_input)
    fmt_col = {c.key: i for i, c in enumerate(spec.columns, 1)}["current"]
    for r, row in enumerate(rows, top + 1):
        sh.ws.cell(r, fmt_col).number_format = L.lever_format(LEVERS[row["key"]])


def _poles(sh: _Sheet, scenario: Scenario) -> None:
    _pathway_title(
        sh,
        scenario,
        "growth_poles",
        (
            "增长极",
            "Growth poles",
            "权重决定增长极投资和北京疏解增加值的去向；北京本身不承接疏解。",
            "Weights direct pole investment and relocated value added (not technology flows).",
        ),
    )
    _milestone_table(sh, L.POLE_MILESTONES, scenario)
    names = baseline.units()
    rows = [
        {
            "unit": u,
            "name_zh": names.loc[u, "name_zh"] if u in names.index else "",
            "name_en": names.loc[u, "name_en"] if u in names.index else "",
            "weight": w,
        }
        for u, w in scenario.poles.weights.items()
    ]
    spec = LEVERS["poles.weights"]
    note = _lever_note(spec, "权重", "weight", TARGET_SOURCE)
    top = sh.table(L.POLE_WEIGHTS, rows, lambda _r, _c: _Input(L.PERCENT, _lever_rule(spec), note))
    codes = _Rule("list", choices=tuple(names.index))
    dv = codes.validation()
    dv.add(f"A{top + 1}:A{top + len(rows)}")
    sh.ws.add_data_validation(dv)
    total_col = len(L.POLE_WEIGHTS.columns) + 2
    sh.text(top, total_col, "合计 Total", Font(bold=True))
    weight_header = L.POLE_WEIGHTS.column("weight").header
    total = sh.ws.cell(top, total_col + 1, f"=SUM({L.POLE_WEIGHTS.name}[{weight_header}])")
    total.number_format = L.PERCENT
    sh.width(total_col, 12)


def _chains(sh: _Sheet, scenario: Scenario) -> None:
    _pathway_title(
        sh,
        scenario,
        "chain_filling",
        (
            "补链强链",
            "Chain filling",
            "各省在每个环节的本地配套水平（0 = 缺失，1 = 完全本地配套），按里程碑年份设定。",
            "Each province's presence per segment (0 = absent, 1 = complete local supply).",
        ),
    )
    rows = []
    for chain in CHAINS:
        for seg in chain.segments:
            for prov, base in zip(PROVINCES, seg.base_presence, strict=True):
                ms = scenario.chains.presence[f"{chain.id}/{seg.id}/{prov}"]
                rows.append(
                    {
                        "chain": chain.id,
                        "chain_zh": chain.name_zh,
                        "segment": seg.id,
                        "segment_zh": seg.name_zh,
                        "segment_en": seg.name_en,
                        "province": prov,
                        "base": base,
                        "y2025": ms.y2025,
                        "y2030": ms.y2030,
                        "y2035": ms.y2035,
                    }
                )
    spec = LEVERS["chains.presence"]

    def presence_input(row: dict[str, Any], column: L.Column) -> _Input:
        y = column.key[1:]
        what_zh = f"{row['chain_zh']}/{row['segment_zh']}/{row['province']} {y}年目标"
        what_en = f"{row['chain']}/{row['segment']}/{row['province']} target {y}"
        return _Input(
            L.SHARE, _lever_rule(spec), _lever_note(spec, what_zh, what_en, TARGET_SOURCE)
        )

    top = sh.table(L.CHAIN_PRESENCE, rows, presence_input)
    sh.freeze = f"A{top + 1}"


def _innovation(sh: _Sheet, scenario: Scenario) -> None:
    _pathway_title(
        sh,
        scenario,
        "innovation",
        (
            "创新匹配",
            "Innovation matching",
            "北京技术合同成交额流向津冀的比例及本地转化率。",
            "Share of Beijing's technology-contract turnover going to Tianjin + Hebei; absorption.",
        ),
    )
    _milestone_table(sh, L.INNOVATION_TARGETS, scenario)
    names = baseline.units()
    split = scenario.innovation.destinations
    rows = [
        {
            "unit": u,
            "name_zh": names.loc[u, "name_zh"],
            "name_en": names.loc[u, "name_en"],
            "share": split.get(u, 0.0) if split else None,
        }
        for u in names.index
        if u != "BJ"
    ]
    spec = LEVERS["innovation.destinations"]
    note = _lever_note(spec, "比例", "share", TARGET_SOURCE)
    top = sh.table(
        L.TECH_DESTINATIONS, rows, lambda _r, _c: _Input(L.PERCENT, _lever_rule(spec), note)
    )
    total_col = len(L.TECH_DESTINATIONS.columns) + 2
    sh.text(top, total_col, "合计 Total", Font(bold=True))
    header = L.TECH_DESTINATIONS.column("share").header
    total = sh.ws.cell(top, total_col + 1, f"=SUM({L.TECH_DESTINATIONS.name}[{header}])")
    total.number_format = L.PERCENT
    sh.heading("历史参考", "History (reference)")
    history = (("2020", "7.6%"), ("2021", "5.0%"), ("2022", "4.5%"), ("2023", "8.8%"))
    for year, share in history:
        sh.text(sh.row, 1, f"{year}年 流向津冀比例 share to TJ+HE")
        sh.text(sh.row, 2, share)
        sh.row += 1
    sh.text(
        sh.row, 1, "来源 Source: tech_contracts.csv（北京技术市场统计 / Beijing technology market)"
    )


def _reform(sh: _Sheet, scenario: Scenario) -> None:
    _pathway_title(
        sh,
        scenario,
        "reform",
        (
            "体制改革",
            "Institutional reform",
            "迁移企业税收分享规则（财预〔2015〕92号）的每一项都是可调参数；以及市场一体化指数。",
            "Every element of the 2015 tax-sharing rule for relocated firms is a lever; plus the "
            "market-integration index.",
        ),
    )
    _milestone_table(sh, L.REFORM_MILESTONES, scenario)


def _assumptions(sh: _Sheet, scenario: Scenario) -> None:
    sh.title(
        "模型参数",
        "Model assumptions",
        (
            "每个系数的取值、文献范围、单位和来源；ASSUMPTION = 未找到估计值。",
            "Every coefficient with value, literature range, unit and source; ASSUMPTION = no "
            "estimate found. The allowed range (in each note) is wider than the literature range.",
        ),
    )
    rows = [
        {
            "id": a.id,
            "name_zh": a.name_zh,
            "name_en": a.name_en,
            "value": scenario.assumptions[a.id],
            "low": a.low,
            "high": a.high,
            "unit": a.unit,
            "source": a.source,
            "flag": a.flag,
        }
        for a in ASSUMPTIONS
    ]
    by_id = {a.id: a for a in ASSUMPTIONS}

    def assumption_input(row: dict[str, Any], _column: L.Column) -> _Input:
        a = by_id[row["id"]]
        lo, hi = assumption_bounds(a)
        allowed = L.format_range(lo, hi)
        note = _note(
            a.name_zh,
            a.name_en,
            a.unit,
            allowed,
            f"{a.source} [{a.flag}]",
            f"文献范围 {a.low:g}–{a.high:g}",
            f"literature range {a.low:g}–{a.high:g}",
        )
        return _Input(None, _Rule("decimal", lo, hi), note)

    top = sh.table(L.ASSUMPTION_TABLE, rows, assumption_input)
    sh.freeze = f"C{top + 1}"


def _baseline(sh: _Sheet, scenario: Scenario) -> None:
    data = baseline.dataset(scenario.data_vintage)
    sh.title(
        f"基期数据（{data.base_year}年，数据版本 {data.vintage}）",
        f"Base-year data ({data.base_year}, vintage {data.vintage})",
        (
            "本表受保护（无密码）。如有官方年鉴数据，可粘贴到黄色“覆盖值”列，模型将使用您的数据。",
            "Protected (no password). Paste official yearbook figures into the yellow override "
            "columns; the model then uses them and the provenance says so.",
        ),
    )
    names = baseline.units()
    rows = []
    for unit, rec in data.base_table().iterrows():
        over = scenario.baseline_overrides.get(unit, {})
        row = {k: rec[k] for k in rec.index if k != "province"}
        row.update(
            unit=unit,
            name_zh=names.loc[unit, "name_zh"],
            province=rec["province"],
            name_en=names.loc[unit, "name_en"],
            gdp_override=over.get("gdp"),
            population_override=over.get("population"),
        )
        rows.append({k: (v if not isinstance(v, str) else v.strip()) for k, v in row.items()})
    rule = _Rule("decimal", 1e-6, 1e7)

    def override_input(row: dict[str, Any], column: L.Column) -> _Input:
        var = column.key.removesuffix("_override")
        unit = "亿元" if var == "gdp" else "万人"
        zh = "地区生产总值" if var == "gdp" else "常住人口"
        source = "官方统计年鉴（由规划人员粘贴） / official yearbook, pasted by the planner"
        note = _note(
            f"{row['name_zh']} {zh}覆盖值",
            f"{row['name_en']} {var} override",
            unit,
            "> 0",
            source,
            "留空 = 使用本表数据",
            "leave empty to use our figure",
        )
        return _Input(column.number_format, rule, note, unlock=True)

    top = sh.table(L.BASELINE_TABLE, rows, override_input)
    sh.freeze = f"D{top + 1}"
    sh.ws.protection.sheet = True
