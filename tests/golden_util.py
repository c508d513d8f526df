"""Golden-file tests for written workbooks, compared by content (XlsxWriter's idea).

Zip bytes differ on every save (timestamps, ordering), so a workbook is reduced to a JSON
digest of what a planner sees and a program reads: sheet names, cell values and types,
number formats, merged cells, freeze panes, widths, Excel Tables, defined names, conditional
formats and charts (type, series count, data ranges, title). Volatile provenance (time,
versions, paths, hashes) is replaced by ``<volatile>``: in a row whose column-A key is in
:data:`VOLATILE_KEYS`, the values from column D on (A = key, B–C = labels) are volatile.
Floats are compared with a tolerance.

Regenerate after an intended change with ``JJJPLAN_UPDATE_GOLDEN=1 pytest`` (or
``pytest --update-golden``) and review the JSON diff.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

GOLDEN_DIR = Path(__file__).parent / "golden"
VOLATILE = "<volatile>"
VOLATILE_KEYS = frozenset(
    {
        "source_path",
        "source_sha256",
        "template_version",
        "jjjplan_version",
        "python_version",
        "openpyxl_version",
        "pandas_version",
        "numpy_version",
        "generated_utc",
    }
)
VALUES_FROM_COLUMN = 4  # provenance rows: key | 中文 | English | value(s)
REL_TOL = 1e-9
ABS_TOL = 1e-12
MAX_SHOWN = 40


# --------------------------------------------------------------------------------------------
# Digest
# --------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """JSON-able cell value; floats kept to 12 significant digits (diffs use a tolerance)."""
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return float(f"{value:.12g}")
    return str(value)  # dates and anything exotic: compare their text


def _format_ranges(formats: dict[tuple[int, int], str]) -> dict[str, list[str]]:
    """{number format: ["B6:N19", ...]}: runs along rows, then identical runs stacked."""
    runs: dict[tuple[str, int, int], list[int]] = {}
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (row, col), fmt in sorted(formats.items()):
        by_row.setdefault(row, []).append((col, fmt))
    for row, cells in by_row.items():
        start, prev, fmt = cells[0][0], cells[0][0], cells[0][1]
        for col, f in [*cells[1:], (-1, None)]:
            if f == fmt and col == prev + 1:
                prev = col
                continue
            runs.setdefault((fmt, start, prev), []).append(row)
            start, prev, fmt = col, col, f
    out: dict[str, list[str]] = {}
    for (fmt, c0, c1), rows in runs.items():
        r0 = rows[0]
        for i, r in enumerate([*rows[1:], None], start=1):
            if r is not None and r == rows[i - 1] + 1:
                continue
            r1 = rows[i - 1]
            ref = f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"
            out.setdefault(fmt, []).append(ref)
            r0 = r
    return {fmt: sorted(refs) for fmt, refs in sorted(out.items())}


def _text(title: Any) -> str | None:
    """Plain text of a chart or axis title (rich text runs joined)."""
    if title is None or title.tx is None or title.tx.rich is None:
        return None
    return "".join(run.t for p in title.tx.rich.p for run in (p.r or []))


def _ref(data: Any) -> str | None:
    if data is None:
        return None
    for attr in ("numRef", "strRef"):
        ref = getattr(data, attr, None)
        if ref is not None:
            return ref.f
    return None


def _chart(chart: Any) -> dict[str, Any]:
    anchor = chart.anchor._from
    return {
        "type": chart.tagname,
        "bar_dir": getattr(chart, "type", None),
        "grouping": getattr(chart, "grouping", None),
        "title": _text(chart.title),
        "anchor": f"{get_column_letter(anchor.col + 1)}{anchor.row + 1}",
        "series": [
            {
                "title": _ref(s.tx) if s.tx is not None else None,
                "values": _ref(s.val),
                "categories": _ref(s.cat),
            }
            for s in chart.series
        ],
    }


def _sheet(ws: Any, volatile_keys: Iterable[str]) -> dict[str, Any]:
    keys = set(volatile_keys)
    volatile_rows = {
        cell.row for cell in ws["A"] if isinstance(cell.value, str) and cell.value in keys
    }
    cells: dict[str, Any] = {}
    formats: dict[tuple[int, int], str] = {}
    formulas, quoted = [], []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            volatile = cell.row in volatile_rows and cell.column >= VALUES_FROM_COLUMN
            cells[cell.coordinate] = VOLATILE if volatile else _plain(cell.value)
            if cell.number_format != "General":
                formats[(cell.row, cell.column)] = cell.number_format
            if cell.data_type == "f":
                formulas.append(cell.coordinate)
            if cell.quotePrefix:
                quoted.append(cell.coordinate)
    return {
        "freeze_panes": ws.freeze_panes,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": {
            k: round(d.width, 2) for k, d in sorted(ws.column_dimensions.items()) if d.customWidth
        },
        "tables": {
            t.displayName: {"ref": t.ref, "columns": [c.name for c in t.tableColumns]}
            for t in sorted(ws.tables.values(), key=lambda t: t.displayName)
        },
        "conditional_formatting": sorted(
            [
                {
                    "range": str(cf.sqref),
                    "rules": [[r.type, r.operator, list(r.formula)] for r in cf.rules],
                }
                for cf in ws.conditional_formatting
            ],
            key=lambda d: (d["range"], json.dumps(d["rules"])),
        ),
        "charts": [_chart(c) for c in ws._charts],
        "local_names": sorted(f"{n}={d.attr_text}" for n, d in ws.defined_names.items()),
        "formulas": formulas,
        "quote_prefix": quoted,
        "number_formats": _format_ranges(formats),
        "cells": cells,
    }


def workbook_digest(
    path: str | os.PathLike[str], *, volatile_keys: Iterable[str] = VOLATILE_KEYS
) -> dict[str, Any]:
    """A JSON-able summary of everything in the workbook that should not change by accident."""
    wb = openpyxl.load_workbook(path)
    digest = {
        "sheets": wb.sheetnames,
        "defined_names": sorted(f"{n}={d.attr_text}" for n, d in wb.defined_names.items()),
        "sheet": {ws.title: _sheet(ws, volatile_keys) for ws in wb.worksheets},
    }
    return json.loads(json.dumps(digest))  # tuples -> lists, as they come back from a file


# --------------------------------------------------------------------------------------------
# Diff
# --------------------------------------------------------------------------------------------
def _is_num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def diff_digests(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Readable differences, one line each, e.g. ``sheet › 差距 Gaps › cells › B6: ...``."""
    here = path or "workbook"
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in expected.keys() | actual.keys():
            sub = f"{path} › {key}" if path else str(key)
            if key not in actual:
                out.append(f"{sub}: missing (expected {expected[key]!r})")
            elif key not in expected:
                out.append(f"{sub}: unexpected {actual[key]!r}")
            else:
                out += diff_digests(expected[key], actual[key], sub)
        return sorted(out)
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual) or not all(isinstance(x, dict) for x in expected):
            if _lists_equal(expected, actual):
                return []
            return [f"{here}: expected {expected!r}, got {actual!r}"]
        return [line for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for line in diff_digests(e, a, f"{here}[{i}]")]  # fmt: skip
    if _is_num(expected) and _is_num(actual):
        if math.isclose(expected, actual, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return []
    elif expected == actual and type(expected) is type(actual):
        return []
    return [f"{here}: expected {expected!r}, got {actual!r}"]


def _lists_equal(expected: list[Any], actual: list[Any]) -> bool:
    return len(expected) == len(actual) and not any(
        diff_digests(e, a) for e, a in zip(expected, actual, strict=True)
    )


def check_golden(path: str | os.PathLike[str], name: str, *, update: bool) -> dict[str, Any]:
    """Compare the workbook at ``path`` with ``tests/golden/<name>.json`` (or rewrite it)."""
    golden = GOLDEN_DIR / f"{name}.json"
    digest = workbook_digest(path)
    if update:
        GOLDEN_DIR.mkdir(exist_ok=True)
        text = json.dumps(digest, ensure_ascii=False, indent=1)  # row-major cell order
        golden.write_text(text + "\n", encoding="utf-8")
        return digest
    if not golden.exists():
        pytest.fail(f"{golden} is missing; create it with JJJPLAN_UPDATE_GOLDEN=1", pytrace=False)
    expected = json.loads(golden.read_text(encoding="utf-8"))
    problems = diff_digests(expected, digest)
    if problems:
        shown = problems[:MAX_SHOWN]
        more = len(problems) - len(shown)
        lines = [
            f"{name}: {len(problems)} difference(s) from {golden.name} "
            "(if intended, regenerate with JJJPLAN_UPDATE_GOLDEN=1 and review the JSON diff):",
            *(f"  {p}" for p in shown),
            *([f"  ... and {more} more"] if more else []),
        ]
        pytest.fail("\n".join(lines), pytrace=False)
    return digest
