"""Read a planner's baseline-data workbook into a :class:`~jjjplan.baseline.Dataset`.

Why this shape: the file is as untrusted as a scenario workbook, so it goes through the same
guard (pre-flight, parse in an isolated child process) and the same cell parsing and Table
reading (:mod:`~jjjplan.excel.read.findings`, :mod:`~jjjplan.excel.read.tables`): every
problem is reported at once with its sheet and cell, in Chinese and English. A partial file is
fine: each value left empty (or each row deleted) falls back to the bundled vintage with one
notice (:func:`jjjplan.data.editable.merge`). The file's SHA-256 names it in Provenance.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from jjjplan import baseline
from jjjplan.data.editable import SERIES_BY_ID, Key, PlannerValue, keys, merge
from jjjplan.errors import Issue, ValidationError, WorkbookRejected, _sheet_ref
from jjjplan.excel import data_layout as D
from jjjplan.excel.guard.isolation import run_isolated
from jjjplan.excel.guard.preflight import preflight
from jjjplan.excel.layout import format_range
from jjjplan.excel.read.cellvalues import parse_choice, parse_number, parse_text
from jjjplan.excel.read.diagnose import diagnose
from jjjplan.excel.read.findings import Cell, Findings
from jjjplan.excel.read.openbook import load_values
from jjjplan.excel.read.tables import _key, _table_rows, _unique

__all__ = ["DataReading", "read_data_report", "read_data_workbook"]


@dataclass(frozen=True)
class DataReading:
    """What one read of a data workbook found (picklable, so it crosses the isolation)."""

    values: dict[Key, PlannerValue]
    vintage: str | None  # the bundled vintage named in the file (None if unreadable)
    issues: tuple[Issue, ...]
    notices: tuple[Issue, ...]


def read_data_workbook(
    path: str | os.PathLike[str], vintage: str | None = None, *, isolated: bool = True
) -> baseline.Dataset:
    """The Dataset of the data workbook at ``path``, on bundled ``vintage`` for what it omits.

    ``vintage`` (e.g. ``--data-vintage``) overrides the vintage named in the file; unknown
    vintages, unreadable files and bad values raise :class:`ValidationError` listing every
    problem with its sheet and cell.
    """
    if vintage is not None and vintage not in baseline.VINTAGES:
        baseline.dataset(vintage)  # raises the bilingual unknown-vintage error
    text = os.fspath(path)
    digest = _sha256(text)
    reading = read_data_report(text, vintage, isolated=isolated)
    if reading.issues:
        raise ValidationError(reading.issues, reading.notices)
    base = baseline.dataset(vintage or reading.vintage)
    return merge(
        base,
        reading.values,
        file_label=os.path.basename(text),
        source_file=str(Path(text).resolve()),
        source_sha256=digest,
        extra_notices=tuple(str(n) for n in reading.notices),
    )


def read_data_report(
    path: str | os.PathLike[str], vintage: str | None = None, *, isolated: bool = True
) -> DataReading:
    """Read without raising for content problems (a refused file still raises)."""
    if isolated:
        text = os.fspath(path)
        return run_isolated(_read, text, vintage, workbook=os.path.basename(text))
    return _read(path, vintage)


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        issue = Issue(
            os.path.basename(path),
            None,
            None,
            None,
            "一个可读的 .xlsx 文件 a readable .xlsx file",
            type(exc).__name__,
            f"无法读取基期数据文件：{exc.strerror or exc}",
            f"cannot read the baseline-data file: {exc.strerror or exc}",
        )
        raise WorkbookRejected([issue]) from exc
    return h.hexdigest()


def _read(path: str | os.PathLike[str], vintage: str | None) -> DataReading:
    path = Path(path)
    report = preflight(path)
    found = Findings(path, report.sheets)
    found.notices.extend(report.notices)
    try:
        wb = load_values(path)
    except MemoryError:
        raise
    except Exception as exc:  # preflight passed: a damaged or unusual file
        issues = diagnose(path, report, found.issue) or [
            found.issue((None, None), None, "unreadable", ".xlsx", type(exc).__name__, detail=exc)
        ]
        raise WorkbookRejected(issues) from exc
    file_vintage = _scalars(found, wb)
    base = baseline.dataset(vintage or file_vintage or baseline.DEFAULT_VINTAGE)
    values = _data(found, wb, base)
    return DataReading(values, file_vintage, tuple(found.issues), tuple(found.notices))


def _scalars(found: Findings, wb: openpyxl.Workbook) -> str | None:
    """Template version (checked) and the bundled vintage named in the file."""
    names = {k.casefold(): n for k, n in wb.defined_names.items()}
    vintage = None
    for spec in D.SCALARS:
        dn = names.get(spec.name.casefold())
        dests = list(dn.destinations) if dn is not None else []
        if len(dests) != 1 or dests[0][0] not in wb.sheetnames:
            found.error(
                (spec.sheet, None),
                spec.field or spec.name,
                "missing_name",
                spec.name,
                "缺失 missing",
                name=spec.name,
                sheet=spec.sheet,
            )
            continue
        sheet, ref = dests[0]
        cell = Cell(wb[sheet], ref.replace("$", "").partition(":")[0])
        if spec.kind == "version":
            version = found.get(cell, "data_template_version", parse_text)
            if version is not None and version.split(".")[0] != D.DATA_VERSION.split(".")[0]:
                found.error(cell.where, "data_template_version", "version", D.DATA_VERSION, version)
        else:
            vintage = found.get(cell, "data_vintage", _parse_vintage)
    return vintage


def _parse_vintage(value: object) -> tuple[str, object]:
    return parse_choice(value, {v.casefold(): v for v in baseline.VINTAGES})


def _data(
    found: Findings, wb: openpyxl.Workbook, base: baseline.Dataset
) -> dict[Key, PlannerValue]:
    spec = D.DATA_TABLE
    tables = {
        (t.displayName or t.name).casefold(): (ws, t)
        for ws in wb.worksheets
        for t in ws.tables.values()
    }
    hit = tables.get(spec.name.casefold())
    if hit is None:
        code = "missing_table" if D.DATA in wb.sheetnames else "missing_sheet"
        present = ", ".join(f"'{s}'" for s in wb.sheetnames)
        found.error(
            (spec.sheet, None),
            spec.name,
            code,
            spec.name if code == "missing_table" else spec.sheet,
            "缺失 missing" if code == "missing_table" else present,
            name=spec.name,
            sheet=spec.sheet,
            names=spec.name,
        )
        return {}
    ws, table = hit
    rows = _table_rows(found, spec, ws, table)
    if rows is None:
        return {}
    wanted = set(keys(base))
    regions, series = D.region_words(), D.series_words()
    years = {str(y): y for y in base.years}
    seen: set[str] = set()
    values: dict[Key, PlannerValue] = {}
    for row in rows:
        r = ws[row["region"].coord].row
        region = _key(found, row["region"], f"row{r}.region", regions, ("单元", "unit"))
        sid = _key(found, row["series"], f"row{r}.series", series, ("指标", "series"))
        year_raw = found.get(row["year"], f"row{r}.year", parse_number)
        year = None
        if year_raw is not None:
            year = years.get(f"{year_raw:g}")
            if year is None:
                found.error(
                    row["year"].where,
                    f"row{r}.year",
                    "unknown_key",
                    ", ".join(years),
                    f"{year_raw:g}",
                    what_zh="年份",
                    what_en="year",
                )
        if region is None or sid is None or year is None:
            continue
        key = (region, year, sid)
        field = f"{region}.{year}.{sid}"
        if key not in wanted:
            allowed = ", ".join(SERIES_BY_ID[sid].region_codes())
            found.error(
                row["region"].where,
                field,
                "unknown_key",
                f"{allowed} ({', '.join(years)})",
                f"{region} {year}",
                what_zh="单元/年份",
                what_en="unit/year for this series",
            )
            continue
        if not _unique(found, seen, field, row["region"], field):
            continue
        value = found.get(row["value"], field, parse_number, blank_ok=True)
        if value is None:
            continue  # empty: the bundled value is used, with a notice from merge()
        s = SERIES_BY_ID[sid]
        positive = sid != "real_growth"  # levels must be > 0; growth may be negative
        if not ((value > s.low) if positive else (value >= s.low)) or value > s.high:
            found.error(
                row["value"].where,
                field,
                "range",
                format_range(s.low, s.high, False),
                f"{value:g}",
                label_zh=s.name_zh,
                label_en=s.name_en,
            )
            continue
        source = found.get(row["source"], f"{field}.source", parse_text, blank_ok=True)
        vint = found.get(row["vintage"], f"{field}.vintage", parse_text, blank_ok=True)
        values[key] = PlannerValue(
            value, source or "", vint or "", f"{_sheet_ref(ws.title)}!{row['value'].coord}"
        )
    return values
