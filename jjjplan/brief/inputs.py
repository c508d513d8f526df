"""Which scenario a briefing is about: a scenario workbook itself, or the scenario workbook a
results workbook was made from.

A results workbook holds numbers, not the scenario; re-reading its tables would be a second
reader to keep in step with the writer. Its Provenance sheet names the input file and its
SHA-256, so the briefing re-projects that file when it is still there and unchanged, and
otherwise says exactly that — never a briefing from a file that differs from the results.
"""

from __future__ import annotations

from pathlib import Path

from jjjplan.errors import Issue, ValidationError

SUMMARY = "摘要 Summary"
PROVENANCE = "来源 Provenance"
KEY_COLUMN, VALUE_COLUMN = 1, 4


def _problem(path: Path, cell: str | None, expected: str, found: str, zh: str, en: str):
    return ValidationError(
        [Issue(path.name, PROVENANCE if cell else None, cell, None, expected, found, zh, en)]
    )


def _provenance_values(path: Path) -> dict[str, tuple[str, str]]:
    """key -> (cell, value) of the Provenance sheet's run-information rows."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[PROVENANCE]
        out = {}
        rows = ws.iter_rows(min_row=1, max_row=40, max_col=VALUE_COLUMN, values_only=True)
        for number, row in enumerate(rows, start=1):
            if len(row) < VALUE_COLUMN or not isinstance(row[KEY_COLUMN - 1], str):
                continue
            value = row[VALUE_COLUMN - 1]
            out[row[KEY_COLUMN - 1]] = (f"D{number}", "" if value is None else str(value))
        return out
    finally:
        wb.close()


def scenario_source(path: Path) -> tuple[Path, tuple[Path, ...]]:
    """(the scenario workbook to read, the input files to hash in the footer)."""
    from jjjplan.excel.guard.preflight import preflight
    from jjjplan.excel.write.provenance import file_sha256

    report = preflight(path)  # the guard every untrusted file passes first
    if not {SUMMARY, PROVENANCE} <= set(report.sheet_names):
        return path, (path,)
    values = _provenance_values(path)
    cell, source = values.get("source_path", ("D5", ""))
    scenario = Path(source)
    if not source or not scenario.is_file():
        raise _problem(
            path,
            cell,
            "the scenario workbook the results were made from",
            source or "empty",
            f"结果工作簿记录的情景工作簿不存在：{source or '未记录'}。请直接对情景工作簿生成简报"
            "（jjjplan brief 情景.xlsx）",
            f"the scenario workbook these results were made from is not there: "
            f"{source or 'not recorded'}. Run the briefing on the scenario workbook itself "
            "(jjjplan brief scenario.xlsx)",
        )
    hash_cell, recorded = values.get("source_sha256", ("D6", ""))
    actual = file_sha256(scenario)
    if recorded != actual:
        raise _problem(
            path,
            hash_cell,
            f"SHA-256 {recorded}",
            f"SHA-256 {actual}",
            f"情景工作簿 {scenario.name} 在生成这些结果后已被修改；请重新运行 jjjplan run，"
            "或直接对情景工作簿生成简报",
            f"the scenario workbook {scenario.name} changed after these results were made; "
            "run jjjplan run again, or run the briefing on the scenario workbook itself",
        )
    return scenario, (path, scenario)
