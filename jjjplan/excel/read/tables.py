"""Read the rows of the scenario's Excel Tables into :class:`Findings`.

Why a module of its own: Tables are where planners edit the most — they insert, reorder,
filter, hide and merge rows, and rename or move columns — so reading one is a job of its own:
find the columns by header (:mod:`jjjplan.excel.layout`), refuse merges over input cells,
match each row's key (chain, province, unit, assumption id …) case- and width-insensitively,
refuse duplicate rows, and report missing rows. Each Table kind then puts its cells into
Scenario field paths; the reader (:mod:`jjjplan.excel.read.reader`) finds the Tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.assumptions import ASSUMPTION_BY_ID
from jjjplan.baseline import units
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.excel import layout as L
from jjjplan.excel.guard.limits import EXCEL_MAX_COLS, EXCEL_MAX_ROWS
from jjjplan.excel.read.assemble import YEARS
from jjjplan.excel.read.cellvalues import parse_number, parse_text
from jjjplan.excel.read.findings import Cell, Findings
from jjjplan.scenario import LEVERS, ChainFilling

__all__ = ["read_table", "unit_words"]

Row = dict[str, Cell]  # column key -> cell of one data row


def read_table(findings: Findings, spec: L.TableSpec, ws: Worksheet, table: Any) -> None:
    """Read the Excel Table ``table`` on ``ws``, declared by ``spec``, into ``findings``."""
    rows = _table_rows(findings, spec, ws, table)
    if rows is not None:
        read: Callable[[Findings, L.TableSpec, Worksheet, list[Row]], None] = {
            L.POLE_WEIGHTS.name: _weights,
            L.TECH_DESTINATIONS.name: _destinations,
            L.CHAIN_PRESENCE.name: _presence,
            L.ASSUMPTION_TABLE.name: _assumptions,
            L.BASELINE_TABLE.name: _overrides,
        }.get(spec.name, _milestones)
        read(findings, spec, ws, rows)


# -- layout: columns, rows, merges --------------------------------------------------------
def _columns(
    findings: Findings, spec: L.TableSpec, ws: Worksheet, header_row: int, cols: range
) -> dict[str, int]:
    """Column key → sheet column, found by header; reports duplicates."""
    where: dict[str, int] = {}
    for col in cols:
        header = ws.cell(header_row, col).value
        column = next((c for c in spec.columns if c.read and c.accepts(header)), None)
        if header is None or column is None:
            continue
        if column.key in where:
            here = ws.cell(header_row, col).coordinate
            cells = f"{get_column_letter(where[column.key])}{header_row}, {here}"
            findings.error(
                (ws.title, here),
                f"{spec.name}.{column.key}",
                "dup_header",
                column.header,
                cells,
            )
        where[column.key] = col
    return where


def _valid_bounds(ref: Any) -> tuple[int, int, int, int] | None:
    """The Table's range as (min_col, min_row, max_col, max_row), or None when the stored
    ``ref`` is damaged (outside the sheet grid, reversed, or not a range at all)."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(str(ref))
    except (TypeError, ValueError):
        return None
    if None in (min_col, min_row, max_col, max_row):
        return None
    if not (
        1 <= min_row <= max_row <= EXCEL_MAX_ROWS and 1 <= min_col <= max_col <= EXCEL_MAX_COLS
    ):
        return None
    return min_col, min_row, max_col, max_row


def _table_rows(
    findings: Findings, spec: L.TableSpec, ws: Worksheet, table: Any
) -> list[Row] | None:
    """The Table's non-blank data rows as {column key: cell}; None without key columns."""
    bounds = _valid_bounds(table.ref)
    if bounds is None:
        findings.error(
            (ws.title, None), spec.name, "bad_table_ref", "A1:XFD1048576", table.ref, name=spec.name
        )
        return None
    min_col, min_row, max_col, max_row = bounds
    header = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{min_row}"
    if table.headerRowCount == 0:
        findings.error((ws.title, header), spec.name, "no_header_row", name=spec.name)
        return None
    where = _columns(findings, spec, ws, min_row, range(min_col, max_col + 1))
    found = ", ".join(str(ws.cell(min_row, c).value) for c in range(min_col, max_col + 1))
    absent = [c for c in spec.columns if c.read and c.key not in where]
    for column in absent:
        findings.error(
            (ws.title, header),
            f"{spec.name}.{column.key}",
            "missing_column",
            column.header,
            found,
            name=spec.name,
        )
    if any(c.role == "key" for c in absent):
        return None
    last = max_row - (table.totalsRowCount or 0)
    _merged_data(findings, spec, ws, (min_row + 1, last), set(where.values()))
    rows, hidden = [], 0
    for r in range(min_row + 1, last + 1):
        row = {k: Cell(ws, f"{get_column_letter(c)}{r}") for k, c in where.items()}
        if any(cell.value not in (None, "") for cell in row.values()):
            rows.append(row)
            dim = ws.row_dimensions.get(r)  # .get: indexing would create the row
            hidden += bool(dim is not None and dim.hidden)
    _rows_below(findings, spec, ws, (min_col, max_row), where)
    where_table = (ws.title, table.ref)
    if hidden:
        findings.notice(where_table, spec.name, "hidden_rows", name=spec.name, n=hidden)
    auto = getattr(table, "autoFilter", None)
    if auto is not None and (auto.filterColumn or auto.sortState):
        findings.notice(where_table, spec.name, "filter", name=spec.name)
    return rows


def _rows_below(
    findings: Findings,
    spec: L.TableSpec,
    ws: Worksheet,
    corner: tuple[int, int],
    where: dict[str, int],
    limit: int = 50,
) -> None:
    """Rows typed just below the Table (it was not resized to include them, or was shrunk
    past them) are not read: say so at the row, instead of "default used" or "missing"."""
    first_col, last_row = corner
    keys = [c.key for c in spec.columns if c.role == "key" and c.key in where]
    for r in range(last_row + 1, min(last_row + 1 + limit, EXCEL_MAX_ROWS + 1)):
        values = {k: ws.cell(r, c).value for k, c in where.items()}
        if all(v in (None, "") for v in values.values()):
            return
        key = " / ".join(str(values[k]) for k in keys if values[k] not in (None, "")) or "?"
        findings.error(
            (ws.title, f"{get_column_letter(first_col)}{r}"),
            spec.name,
            "outside_table",
            f"表格 {spec.name} 内的行 a row inside Table {spec.name}",
            key,
            row=r,
            key=key,
            name=spec.name,
        )


def _merged_data(
    findings: Findings, spec: L.TableSpec, ws: Worksheet, rows: tuple[int, int], cols: set[int]
) -> None:
    """Report merged ranges over the data rows of the columns we read; only their
    top-left cell has a value, so the rows below would silently read as empty. Merges
    in informational columns (e.g. a chain name spanning its rows) are fine."""
    r1, r2 = rows
    for merged in ws.merged_cells.ranges:
        if merged.max_row < r1 or merged.min_row > r2:
            continue
        if not any(merged.min_col <= c <= merged.max_col for c in cols):
            continue
        ref = merged.coord
        findings.error((ws.title, ref), spec.name, "merged", "未合并的单元格 unmerged cells", ref)
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                findings.merged.add((ws.title, f"{get_column_letter(col)}{row}"))


# -- row keys -----------------------------------------------------------------------------
def _key(
    findings: Findings, cell: Cell, field: str, known: Mapping[str, str], what: tuple[str, str]
) -> str | None:
    """A row key matched case-insensitively against ``known`` (variant → canonical)."""
    text = findings.get(cell, field, parse_text)
    key = None if text is None else known.get(L.header_key(text))
    if text is not None and key is None:
        allowed = ", ".join(dict.fromkeys(known.values()))
        findings.error(
            cell.where,
            field,
            "unknown_key",
            allowed,
            repr(text),
            what_zh=what[0],
            what_en=what[1],
        )
    elif key is not None and key != text:
        findings.notice(cell.where, field, "text_word", found=repr(text), value=key)
    return key


def _unique(findings: Findings, seen: set[str], key: str, cell: Cell, field: str) -> bool:
    if key in seen:
        findings.error(cell.where, field, "dup_row", "每行唯一 unique rows", key)
        return False
    seen.add(key)
    return True


def _missing_rows(
    findings: Findings, spec: L.TableSpec, ws: Worksheet, wanted: Iterable[str], seen: set[str]
) -> None:
    """A deleted input row is an error, not a silent default: the projection would use a
    value the planner no longer sees in the workbook (see docs/outputs.md)."""
    for key in (k for k in wanted if k not in seen):
        findings.error((ws.title, None), key, "missing_row", key, "缺失 missing", name=spec.name)


@cache
def unit_words() -> dict[str, str]:
    """Unit code or Chinese or English name (any case or width) → unit code (built once:
    the units are shipped data; callers only read the mapping)."""
    words = {}
    for code, row in units().iterrows():
        for word in (code, row["name_zh"], row["name_en"]):
            words[L.header_key(word)] = code
    return words


# -- one reader per kind of Table -----------------------------------------------------------
def _milestone_values(findings: Findings, row: Row, path: str, percent: bool) -> None:
    for year in YEARS:
        if year in row:
            findings.put(row[year], f"{path}.{year}", lambda v: parse_number(v, percent))
        else:
            findings.failed.add(f"{path}.{year}")


def _milestones(findings: Findings, spec: L.TableSpec, ws: Worksheet, rows: list[Row]) -> None:
    wanted = L.MILESTONE_ROWS[spec.name]
    known = {L.header_key(k): k for k in wanted}
    seen: set[str] = set()
    for row in rows:
        key = _key(findings, row["key"], f"{spec.name}.key", known, ("参数代码", "key"))
        if key and _unique(findings, seen, key, row["key"], key):
            _milestone_values(findings, row, key, LEVERS[key].percent)
    _missing_rows(findings, spec, ws, wanted, seen)


def _weights(findings: Findings, spec: L.TableSpec, ws: Worksheet, rows: list[Row]) -> None:
    if rows and "weight" not in rows[0]:  # header missing: reported by _table_rows
        findings.failed.add("poles.weights")
        return
    seen: set[str] = set()
    order: list[str] = []  # the planner's row order is the poles' order (sets have none)
    for row in rows:
        unit = _key(findings, row["unit"], f"{spec.name}.unit", unit_words(), ("单元", "unit"))
        if unit and _unique(findings, seen, unit, row["unit"], f"poles.weights.{unit}"):
            order.append(unit)
            findings.put(row["weight"], f"poles.weights.{unit}", lambda v: parse_number(v, True))
    values = findings.values
    values["poles.weights"] = {u: values.get(f"poles.weights.{u}", 0.0) for u in order}
    cells = [r["weight"].coord for r in rows]
    findings.cells["poles.weights"] = (ws.title, f"{cells[0]}:{cells[-1]}" if cells else None)


def _destinations(findings: Findings, spec: L.TableSpec, ws: Worksheet, rows: list[Row]) -> None:
    """Technology-flow split: all blank = current policy (no value), else one share per row."""
    if rows and "share" not in rows[0]:  # header missing: reported by _table_rows
        findings.failed.add("innovation.destinations")
        return
    seen: set[str] = set()
    field = "innovation.destinations"
    for row in rows:
        unit = _key(findings, row["unit"], f"{spec.name}.unit", unit_words(), ("单元", "unit"))
        if unit and _unique(findings, seen, unit, row["unit"], f"{field}.{unit}"):
            parse = lambda v: parse_number(v, True)  # noqa: E731
            findings.put(row["share"], f"{field}.{unit}", parse, blank_ok=True)
    values = findings.values
    given = {u: values[f"{field}.{u}"] for u in seen if f"{field}.{u}" in values}
    if given:
        values[field] = {u: given.get(u, 0.0) for u in seen}
    cells = [r["share"].coord for r in rows]
    findings.cells[field] = (ws.title, f"{cells[0]}:{cells[-1]}" if cells else None)


def _presence(findings: Findings, spec: L.TableSpec, ws: Worksheet, rows: list[Row]) -> None:
    chains = {L.header_key(c.id): c.id for c in CHAINS}
    segments = {c.id: {L.header_key(s.id): s.id for s in c.segments} for c in CHAINS}
    provinces = {L.header_key(p): p for p in PROVINCES}
    seen: set[str] = set()
    for row in rows:
        chain = _key(findings, row["chain"], f"{spec.name}.chain", chains, ("产业链", "chain"))
        seg = chain and _key(
            findings, row["segment"], f"{spec.name}.segment", segments[chain], ("环节", "segment")
        )
        prov = _key(
            findings, row["province"], f"{spec.name}.province", provinces, ("省份", "province")
        )
        key = f"chains.presence.{chain}/{seg}/{prov}"
        if chain and seg and prov and _unique(findings, seen, key, row["chain"], key):
            _milestone_values(findings, row, key, percent=False)
    wanted = [f"chains.presence.{k}" for k in ChainFilling().presence]
    _missing_rows(findings, spec, ws, wanted, seen)


def _assumptions(findings: Findings, spec: L.TableSpec, ws: Worksheet, rows: list[Row]) -> None:
    known = {L.header_key(k): k for k in ASSUMPTION_BY_ID}
    seen: set[str] = set()
    for row in rows:
        aid = _key(findings, row["id"], f"{spec.name}.id", known, ("参数编号", "assumption id"))
        field = f"assumptions.{aid}"
        # without a value column the missing header is already reported
        if aid and _unique(findings, seen, field, row["id"], field) and "value" in row:
            unit = row["unit"].value if "unit" in row else None
            unit = unit if isinstance(unit, str) else ""
            findings.put(row["value"], field, lambda v, u=unit: parse_number(v, unit=u))
    wanted = [f"assumptions.{k}" for k in ASSUMPTION_BY_ID]
    _missing_rows(findings, spec, ws, wanted, seen)


def _overrides(findings: Findings, spec: L.TableSpec, ws: Worksheet, rows: list[Row]) -> None:
    seen: set[str] = set()
    for row in rows:
        unit = _key(findings, row["unit"], f"{spec.name}.unit", unit_words(), ("单元", "unit"))
        if unit and _unique(findings, seen, unit, row["unit"], f"baseline_overrides.{unit}"):
            for var in ("gdp", "population"):
                field = f"baseline_overrides.{unit}.{var}"
                if f"{var}_override" in row:  # else the missing header is reported
                    findings.put(row[f"{var}_override"], field, parse_number, blank_ok=True)
