"""Read the optional 目标 Targets Table (``tblTargets``) into ``Scenario.targets``.

Why a module of its own: a target row is several cells that only make sense together
(indicator, region, year, operator, value, priority), so each cell is parsed like every
input — named by sheet!cell — and the row is then checked as a whole by
:class:`jjjplan.targets.Target`, whose bilingual reason is reported at the row's first cell.
"""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.excel import layout as L
from jjjplan.excel.read.cellvalues import parse_number, parse_text
from jjjplan.excel.read.findings import Findings
from jjjplan.excel.read.tables import _table_rows
from jjjplan.targets import Target, TargetError

__all__ = ["read_targets"]


def _op(value: Any) -> tuple[str, Any]:
    text, note = parse_text(value)
    return text.replace(" ", ""), note


def read_targets(findings: Findings, spec: L.TableSpec, ws: Worksheet, table: Any) -> None:
    """Every non-blank row of ``tblTargets`` → a Target in ``findings.values["targets"]``."""
    rows = _table_rows(findings, spec, ws, table)
    if rows is None:
        findings.failed.add("targets")
        return
    targets = []
    for k, row in enumerate(rows):
        field = f"targets.{k}"
        parts = {}
        ok = True
        for key, parse, blank_ok in (
            ("indicator", parse_text, False),
            ("region", parse_text, True),
            ("year", parse_number, False),
            ("op", _op, False),
            ("value", parse_number, False),
            ("priority", parse_number, True),
        ):
            if key not in row:  # missing header: reported by _table_rows
                ok = False
                continue
            before = len(findings.issues)
            parts[key] = findings.get(row[key], f"{field}.{key}", parse, blank_ok)
            ok = ok and len(findings.issues) == before
        anchor = row.get("indicator") or next(iter(row.values()))
        findings.cells[field] = anchor.where
        if not ok:
            findings.failed.add("targets")
            continue
        priority = parts["priority"]
        year = parts["year"]
        try:
            targets.append(
                Target(
                    L.clean_text(parts["indicator"]).lower(),
                    int(year) if float(year).is_integer() else year,
                    parts["op"],
                    parts["value"],
                    parts["region"],
                    1
                    if priority is None
                    else int(priority)
                    if float(priority).is_integer()
                    else -1,
                )
            )
        except TargetError as err:
            zh, _, en = str(err).partition(" / ")
            findings.error(
                anchor.where,
                field,
                "bad_target",
                "indicator@year<=value",
                parts["indicator"],
                detail_zh=zh,
                detail_en=en,
            )
    if "targets" not in findings.failed:
        findings.values["targets"] = tuple(targets)
