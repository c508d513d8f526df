"""Read a planner's scenario workbook into a validated :class:`Scenario`, or report every problem.

Why this shape: planners insert rows, reorder them, move blocks and add sheets, so inputs are
found only by Excel Table name and defined name, and Table columns by header (see
:mod:`jjjplan.excel.layout`). Nothing in the file is trusted: each cell is parsed strictly
(text numbers only where unambiguous, each normalisation reported as a notice), all problems
are collected with workbook, sheet, cell and Scenario field, and range checks come from
:func:`jjjplan.scenario.validate`, mapped back to the cell each value was read from.

The data flow, one module per step:

1. :func:`jjjplan.excel.guard.preflight.preflight` checks the file is a safe .xlsx (in a child
   process, :func:`jjjplan.excel.guard.isolation.run_isolated`, unless ``isolated=False``);
   if openpyxl still cannot load it, :mod:`~jjjplan.excel.read.diagnose` says which cell;
2. :func:`~jjjplan.excel.read.openbook.load_values` loads it once (saved values; which cells
   hold formulas the pre-flight already found) and this module walks the workbook: sheets,
   defined names (one scalar each) and Excel Tables, whose rows
   :mod:`~jjjplan.excel.read.tables` reads;
3. each input cell goes through :meth:`Findings.get <jjjplan.excel.read.findings.Findings.get>`,
   parsed by :mod:`~jjjplan.excel.read.cellvalues`; values, cells and problems are collected
   in :class:`~jjjplan.excel.read.findings.Findings`, with texts from
   :mod:`~jjjplan.excel.catalogue`;
4. :mod:`~jjjplan.excel.read.assemble` builds the Scenario and maps its problems back to cells.
"""

from __future__ import annotations

import contextlib
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.errors import Issue, ValidationError, WorkbookRejected, _sheet_ref
from jjjplan.excel import layout as L
from jjjplan.excel.catalogue import HINTS as HINTS
from jjjplan.excel.catalogue import MESSAGES
from jjjplan.excel.catalogue import NOTES as NOTES
from jjjplan.excel.guard.emptyrows import compacted_package
from jjjplan.excel.guard.isolation import run_isolated, run_isolated_many
from jjjplan.excel.guard.preflight import PreflightReport, preflight
from jjjplan.excel.read.assemble import build_scenario
from jjjplan.excel.read.cellvalues import parse_bool, parse_choice, parse_number, parse_text
from jjjplan.excel.read.diagnose import diagnose
from jjjplan.excel.read.findings import Cell, Findings, cell_at
from jjjplan.excel.read.notices import planner_notices
from jjjplan.excel.read.openbook import load_values
from jjjplan.excel.read.tables import read_table, unit_words
from jjjplan.excel.read.targets import read_targets
from jjjplan.names import describe_invisible, invisible_characters
from jjjplan.scenario import Scenario

__all__ = [
    "MESSAGES",
    "WorkbookReading",
    "read_workbook",
    "read_workbook_report",
    "read_workbooks",
    "scenario_cells",
]

# Programs whose saved formula results are current (they recalculate before saving).
_RECALCULATING_APPS = ("Microsoft Excel", "Microsoft Macintosh Excel", "LibreOffice")


@dataclass(frozen=True)
class WorkbookReading:
    """What one read found: the scenario (None when there are errors), the errors, the
    notices (accepted normalisations) and the sheet and cell each Scenario field came from."""

    scenario: Scenario | None
    issues: tuple[Issue, ...]
    notices: tuple[Issue, ...]
    cells: Mapping[str, tuple[str, str]]


def read_workbook(path: str | os.PathLike[str], *, isolated: bool = True) -> Scenario:
    """The validated Scenario in ``path``; raises ValidationError listing every problem.

    ``isolated`` (default) parses in a separate process limited in memory and time
    (:func:`jjjplan.excel.guard.isolation.run_isolated`), so a hostile file can never take down
    the caller (a Jupyter kernel, the CLI); ``isolated=False`` parses in this process.
    """
    reading = read_workbook_report(path, isolated=isolated)
    if reading.issues or reading.scenario is None:
        raise ValidationError(reading.issues, reading.notices)
    return reading.scenario


def read_workbook_report(path: str | os.PathLike[str], *, isolated: bool = True) -> WorkbookReading:
    """Read ``path`` without raising for content problems, so callers can show notices or
    annotate cells. WorkbookRejected is still raised for a file that is not a safe .xlsx,
    and when an isolated parse exceeds its memory or time limit."""
    if isolated:
        text = os.fspath(path)
        return run_isolated(_read_report, text, workbook=os.path.basename(text))
    return _read_report(path)


def read_workbooks(
    paths: Sequence[str | os.PathLike[str]], *, isolated: bool = True
) -> list[Scenario | ValidationError]:
    """Each workbook's validated Scenario, or the ValidationError listing its problems, in
    the order of ``paths``, so a caller can report every file's problems together.

    Isolated reads run in parallel, each in its own process with its own limits
    (:func:`jjjplan.excel.guard.isolation.run_isolated_many`: one warm helper per CPU).
    Errors that are not about a workbook's content are raised."""
    texts = [os.fspath(p) for p in paths]
    if isolated:
        readings = run_isolated_many(_read_report, [(t,) for t in texts])
    else:
        readings = []
        for text in texts:
            try:
                readings.append(_read_report(text))
            except ValidationError as exc:
                readings.append(exc)
    out: list[Scenario | ValidationError] = []
    for reading in readings:
        if isinstance(reading, ValidationError):
            out.append(reading)
        elif isinstance(reading, BaseException):
            raise reading
        elif reading.issues or reading.scenario is None:
            out.append(ValidationError(reading.issues, reading.notices))
        else:
            out.append(reading.scenario)
    return out


def warm_up_isolated_helper() -> None:
    """Build the reader's caches once in the isolation helper, before it forks a child per
    workbook (see :data:`jjjplan.excel.guard.isolation.WARM_UP`): the unit words, and one
    read of the bundled template (our own file), so that the modules openpyxl imports on
    first use, its caches and compiled patterns are there in every forked child instead of
    being rebuilt by each."""
    unit_words()
    from jjjplan.bundled import template_path

    with contextlib.suppress(Exception):  # a broken install shows on the planner's file
        _read_report(template_path())


def _read_report(path: str | os.PathLike[str]) -> WorkbookReading:
    report = preflight(path, cells=True)
    reader = _Reader(Path(path), report)
    reader.found.notices.extend(planner_notices(report.notices))
    return reader.read()


def scenario_cells(path: str | os.PathLike[str]) -> dict[str, str]:
    """Scenario field path → ``sheet!cell`` (or range) it is read from, e.g. for annotating."""
    cells = read_workbook_report(path).cells
    return {field: f"{s}!{c}" if c else s for field, (s, c) in cells.items()}


class _Reader:
    """One pass over one workbook: locate blocks, read their cells into :class:`Findings`,
    build and map the Scenario."""

    def __init__(self, path: Path, report: PreflightReport) -> None:
        self.path, self.report = path, report
        self.found = Findings(path, report.sheets)
        try:
            captured = {s.part: s.stored_cells for s in report.sheets if s.stored_cells is not None}
            self.wb = load_values(_parse_source(path, report), captured)
        except MemoryError:  # resource exhaustion is not damage; isolation reports it
            raise
        except Exception as exc:  # preflight passed, so this is a damaged or unusual file
            issues = diagnose(path, report, self.found.issue)
            if not issues:
                issues = [
                    self.found.issue(
                        (None, None), None, "unreadable", ".xlsx", type(exc).__name__, detail=exc
                    )
                ]
            raise WorkbookRejected(issues) from exc

    def read(self) -> WorkbookReading:
        found = self.found
        self._duplicate_sheets()
        tables = {  # TableList.items() yields refs, so go through values()
            (table.displayName or table.name).casefold(): (ws, table)
            for ws in self.wb.worksheets
            for table in ws.tables.values()
        }
        missing: dict[str, list[str]] = {}
        for spec in L.SCALARS:
            cell = self._resolve(spec, missing)
            if cell is not None:
                self._read_scalar(spec, cell)
        for spec in L.TABLES:
            table = tables.get(spec.name.casefold())
            if table is None and spec.name in L.OPTIONAL_TABLES:
                found.notice(
                    (spec.sheet, None), None, "optional_table", sheet=spec.sheet, name=spec.name
                )
            elif table is None:
                missing.setdefault(spec.sheet, []).append(spec.name)
            else:
                read_table(found, spec, *table)
        targets = tables.get(L.TARGETS_TABLE.name.casefold())
        if targets is not None:  # optional: older workbooks have no Targets sheet
            read_targets(found, L.TARGETS_TABLE, *targets)
        self._report_missing(missing)
        self._hidden_sheets()
        self._external_links()
        self._stale_results()
        scenario = build_scenario(found.values, found.cells, found.failed, found.error)
        ok = scenario if not found.issues else None
        return WorkbookReading(ok, tuple(found.issues), tuple(found.notices), dict(found.cells))

    # -- defined names ----------------------------------------------------------------------
    def _resolve(self, spec: L.Scalar, missing: dict[str, list[str]]) -> Cell | None:
        """The single cell a defined name points at (names match case-insensitively)."""
        dn = self._defined_name(spec)
        dests = _destinations(dn)
        if len(dests) == 1:
            dests = [(self._sheet_title(dests[0][0]) or dests[0][0], dests[0][1])]
        valid = len(dests) == 1 and dests[0][0] in self.wb.sheetnames and "#REF!" not in dests[0][1]
        if dn is None and spec.since and self._older_than(spec.since):
            # added in a later template version: an older file uses the default, with a notice
            where = (self._sheet_title(spec.sheet) or spec.sheet, None)
            self.found.notice(
                where, spec.field, "default_name", name=spec.name, value=spec.reference
            )
            return None
        if dn is None or (not valid and self._sheet_title(spec.sheet) is None):
            # absent, or left dangling (=#REF!) because its sheet was deleted
            missing.setdefault(spec.sheet, []).append(spec.name)
            self.found.failed.add(spec.field or spec.name)
            return None
        if not valid:
            where = (dests[0][0] if dests else spec.sheet, None)
            self.found.error(
                where,
                spec.field,
                "bad_name",
                "一个单元格 one cell",
                dn.attr_text,
                name=spec.name,
                label_zh=spec.zh,
                label_en=spec.en,
            )
            return None
        sheet, ref = dests[0]
        if not isinstance(self.wb[sheet], Worksheet):
            self._chartsheet(sheet, spec.field)
            return None
        first, _, last = ref.replace("$", "").partition(":")
        merged = _merge_over(self.wb[sheet], first) if not last or last == first else None
        if merged is not None:  # only the merge's top-left cell keeps a value
            self.found.failed.add(spec.field or spec.name)
            if self.found.once("merged", f"{sheet}!{merged}"):
                self.found.error(
                    (sheet, merged), spec.field, "merged", "未合并的单元格 unmerged cells", merged
                )
            return None
        if last and last != first:
            self.found.error(
                (sheet, f"{first}:{last}"),
                spec.field,
                "range_name",
                "一个单元格 one cell",
                f"{first}:{last}",
                name=spec.name,
            )
            return None
        return Cell(self.wb[sheet], first)

    def _defined_name(self, spec: L.Scalar) -> Any:
        """The workbook-level name, else a sheet-level one of that name (with a notice)."""
        names = {k.casefold(): n for k, n in self.wb.defined_names.items()}
        dn = names.get(spec.name.casefold())
        if dn is not None:
            return dn
        for ws in self.wb.worksheets:
            local = {k.casefold(): n for k, n in getattr(ws, "defined_names", {}).items()}
            if spec.name.casefold() in local:
                self.found.notice(
                    (ws.title, None), spec.field, "local_name", name=spec.name, sheet=ws.title
                )
                return local[spec.name.casefold()]
        return None

    def _older_than(self, version: str) -> bool:
        """Whether the file's template version is older than ``version`` (unknown: no)."""
        names = {k.casefold(): n for k, n in self.wb.defined_names.items()}
        dests = _destinations(names.get("templateversion"))
        if len(dests) != 1 or dests[0][0] not in self.wb.sheetnames:
            return False
        sheet, ref = dests[0]
        found = cell_at(self.wb[sheet], ref.replace("$", "").partition(":")[0]).value
        try:
            have = tuple(int(x) for x in str(found).split("."))
            return have < tuple(int(x) for x in version.split("."))
        except ValueError:
            return False

    def _read_scalar(self, spec: L.Scalar, cell: Cell) -> None:
        if spec.kind == "version":
            version = self.found.get(cell, "template_version", parse_text)
            major = L.TEMPLATE_VERSION.split(".")[0]
            if version is not None and version.split(".")[0] != major:
                self.found.error(
                    cell.where, "template_version", "version", L.TEMPLATE_VERSION, version
                )
            return
        parse = {
            "text": parse_text,
            "bool": parse_bool,
            "choice": lambda v: parse_choice(v, _choice_words(spec)),
            "number": lambda v: parse_number(v, spec.percent, spec.unit),
        }[spec.kind]
        self.found.put(cell, spec.field, parse, spec.blank_ok)
        value = self.found.values.get(spec.field)
        if spec.kind == "text" and isinstance(value, str) and invisible_characters(value):
            self.found.notice(
                cell.where,
                spec.field,
                "invisible",
                found=repr(value),
                chars=describe_invisible(value),
            )

    # -- sheets -----------------------------------------------------------------------------
    def _sheet_title(self, wanted: str) -> str | None:
        """The sheet called ``wanted``; else the one sheet that matches it after NFKC, case
        folding and whitespace clean-up (reported in a notice); else None."""
        if wanted in self.wb.sheetnames:
            return wanted
        key = _sheet_key(wanted)
        hits = [s for s in self.wb.sheetnames if _sheet_key(s) == key]
        if len(hits) != 1:
            return None
        if self.found.once("sheet_matched", hits[0]):
            self.found.notice((hits[0], None), None, "sheet_matched", wanted=wanted, sheet=hits[0])
        return hits[0]

    def _chartsheet(self, sheet: str, field: str | None) -> None:
        if field:
            self.found.failed.add(field)
        if self.found.once("chartsheet", sheet):
            self.found.error(
                (sheet, None), field, "chartsheet", "工作表 worksheet", "图表 chart", sheet=sheet
            )

    def _duplicate_sheets(self) -> None:
        """Names as written in the file: openpyxl silently renames a clash to 'Name1'."""
        seen: dict[str, str] = {}
        for title in self.report.sheet_names:
            key = title.casefold()
            if key in seen:
                self.found.error(
                    (title, None),
                    None,
                    "dup_sheet",
                    "不同的名称 distinct names",
                    f"'{seen[key]}', '{title}'",
                    a=seen[key],
                    b=title,
                )
            else:
                seen[key] = title

    def _report_missing(self, missing: dict[str, list[str]]) -> None:
        """One issue per missing sheet, else one per missing Table or defined name."""
        present = ", ".join(f"'{s}'" for s in self.wb.sheetnames)
        for wanted, names in missing.items():
            sheet = self._sheet_title(wanted) or wanted
            if sheet in self.wb.sheetnames and not isinstance(self.wb[sheet], Worksheet):
                self._chartsheet(sheet, None)
                continue
            if sheet not in self.wb.sheetnames:
                self.found.error(
                    (sheet, None),
                    None,
                    "missing_sheet",
                    sheet,
                    present,
                    sheet=sheet,
                    names=", ".join(names),
                )
                continue
            for name in names:
                scalar = L.SCALAR_BY_NAME.get(name)
                code = "missing_name" if scalar else "missing_table"
                field = (scalar.field or name) if scalar else name
                self.found.error(
                    (sheet, None), field, code, name, "缺失 missing", name=name, sheet=sheet
                )

    # -- notices about the whole workbook ---------------------------------------------------
    def _hidden_sheets(self) -> None:
        for sheet in dict.fromkeys(s for s, _c in self.found.cells.values()):
            ws = self.wb[sheet] if sheet in self.wb.sheetnames else None
            state = getattr(ws, "sheet_state", "visible")
            if state != "visible":
                self.found.notice((sheet, None), None, "hidden_sheet", sheet=sheet, state=state)

    def _external_links(self) -> None:
        targets = self.report.external_links
        if not targets:
            return
        shown = ", ".join(targets)
        cells = [
            f"{_sheet_ref(s)}!{c}"
            for (s, c) in self.found.read_cells()
            if self.found.refers_elsewhere(s, c)
        ]
        if cells:
            self.found.notice((None, None), None, "external_link", targets=shown, cells=_few(cells))
        else:
            self.found.notice((None, None), None, "external_link_unused", targets=shown)

    def _stale_results(self) -> None:
        """Formula inputs whose saved results may predate the last edit (non-Excel saver)."""
        if not self.found.has_formulas:
            return
        app = _application(self.path)
        if app.startswith(_RECALCULATING_APPS) and "compatible" not in app.casefold():
            return
        cells = [  # formulas with a saved result (one without is already an error)
            f"{_sheet_ref(s)}!{c}"
            for (s, c) in self.found.read_cells()
            if self.found.is_formula(s, c) and cell_at(self.wb[s], c).value is not None
        ]
        if cells:
            shown = app or "未知程序 an unknown program"
            self.found.notice((None, None), None, "stale", app=shown, cells=_few(cells))


#: Formatted empty rows above which the reader hands openpyxl a compacted copy: one
#: RowDimension per row cost about 1 KB and 10 µs each.
COMPACT_EMPTY_ROWS = 1_000


def _parse_source(path: Path, report: PreflightReport) -> Any:
    """The file for openpyxl: ``path`` itself, or an in-memory copy whose sheets' formatted
    empty rows were compacted (jjjplan.excel.guard.emptyrows), so parsing cost follows the
    cells, not the formatting."""
    heavy = [s.part for s in report.sheets if s.empty_rows >= COMPACT_EMPTY_ROWS]
    return compacted_package(os.fspath(path), heavy) if heavy else path


def _destinations(dn: Any) -> list[tuple[str, str]]:
    """(sheet, reference) pairs of a defined name; [] for what Excel, WPS and LibreOffice
    leave after a deletion (``#REF!``, ``'Sheet'!#REF!``, ``'Sheet'!$C$11:#REF!``), which
    openpyxl cannot tokenise (IndexError, AttributeError, TokenizerError)."""
    if dn is None:
        return []
    text = dn.attr_text or ""
    if "#REF!" in text.upper():
        sheet = re.match(r"^'((?:[^']|'')+)'!|^([^'!#][^!]*)!", text)
        if sheet is None:
            return []
        return [((sheet.group(1) or "").replace("''", "'") or sheet.group(2), "#REF!")]
    try:
        return list(dn.destinations)
    except Exception:  # any name openpyxl cannot parse points nowhere valid
        return []


def _merge_over(ws: Worksheet, coord: str) -> str | None:
    """The merged range covering ``coord`` if the cell is not its top-left one."""
    for merged in ws.merged_cells.ranges:
        if coord in merged and coord != merged.start_cell.coordinate:
            return merged.coord
    return None


def _choice_words(spec: L.Scalar) -> dict[str, str]:
    """The words a choice cell accepts (case-insensitive) → the canonical choice."""
    if spec.field == "national_path":
        return L.NATIONAL_PATH_WORDS
    return {c.casefold(): c for c in spec.choices}


def _sheet_key(title: str) -> str:
    """A sheet name as a planner reads it: width, case and spacing ignored."""
    return L.clean_text(title).casefold()


def _few(cells: list[str], limit: int = 10) -> str:
    shown = ", ".join(cells[:limit])
    return shown + (f" … (+{len(cells) - limit})" if len(cells) > limit else "")


def _application(path: Path) -> str:
    """``<Application>`` of docProps/app.xml: the program that last saved the file."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/app.xml")
            if info.file_size > 1_000_000:
                return ""
            text = zf.read(info).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return ""
    match = re.search(r"<(?:\w+:)?Application>([^<]{0,200})</", text)
    return match.group(1).strip() if match else ""
