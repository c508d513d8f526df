"""Would XlsxWriter write our workbooks faster than openpyxl? A lower bound, measured.

Issue 15 asks the writers to reach 2x raw openpyxl; openpyxl's own ``save`` of our workbooks
is most of their time. This script builds the results workbook and the 10- and 100-scenario
comparison workbooks in memory as jjjplan does, then times (CPU, median) two ways of writing
each to disk:

* ``openpyxl save`` — what the writers do today (without the atomic-save checks);
* ``XlsxWriter part`` — the same cells (values and their cell formats) and every chart
  series, emitted through XlsxWriter. Merged cells, tables, conditional formats, print
  setup and most chart styling are left out, so an XlsxWriter writer could not be faster
  than this: it is a lower bound of that backend's file-writing step, not a writer.

Run: .venv/bin/python benchmarks/bench_write_backends.py   (needs the ``bench`` extra)
Nothing here is asserted in tests.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter
from bench_io import REPEAT, _load, scenarios

from jjjplan import project
from jjjplan.excel.write.comparison import build_comparison_workbook
from jjjplan.excel.write.indicators import baseline_for
from jjjplan.excel.write.provenance import dataset_of
from jjjplan.excel.write.results import build_results_workbook

_CHART_TYPES = {"lineChart": "line", "areaChart": "area"}


def _cell_format(cell: Any) -> dict[str, Any]:
    """The XlsxWriter format of an openpyxl cell: font, solid fill, alignment, number."""
    font, fill, align = cell.font, cell.fill, cell.alignment
    fmt: dict[str, Any] = {}
    if font.b:
        fmt["bold"] = True
    if font.i:
        fmt["italic"] = True
    if font.sz and float(font.sz) != 11:
        fmt["font_size"] = float(font.sz)
    if fill.fill_type == "solid" and isinstance(fill.fgColor.rgb, str):
        fmt["bg_color"] = "#" + fill.fgColor.rgb[-6:]
    if align.wrap_text:
        fmt["text_wrap"] = True
    if align.vertical:
        fmt["valign"] = {"center": "vcenter"}.get(align.vertical, align.vertical)
    if align.horizontal:
        fmt["align"] = align.horizontal
    if cell.number_format != "General":
        fmt["num_format"] = cell.number_format
    return fmt


def _ref(data: Any) -> str | None:
    if data is None:
        return None
    ref = data.numRef or getattr(data, "strRef", None)
    return None if ref is None else "=" + ref.f


def xlsxwriter_part(wb: Any, path: Path) -> None:
    """Cells (with their formats) and chart series of openpyxl workbook ``wb``, written
    through XlsxWriter."""
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    formats: dict[tuple[int, ...], Any] = {}
    for ws in wb.worksheets:
        sheet = book.add_worksheet(ws.title)
        for (row, col), cell in ws._cells.items():
            key = tuple(cell._style) if cell._style else ()
            fmt = formats.get(key)
            if fmt is None and key:
                fmt = formats[key] = book.add_format(_cell_format(cell))
            value = cell._value
            if value is None:
                if fmt is not None:
                    sheet.write_blank(row - 1, col - 1, None, fmt)
            elif isinstance(value, bool):
                sheet.write_boolean(row - 1, col - 1, value, fmt)
            elif isinstance(value, int | float):
                sheet.write_number(row - 1, col - 1, value, fmt)
            else:
                sheet.write_string(row - 1, col - 1, str(value), fmt)
        for chart in ws._charts:
            kind = _CHART_TYPES.get(chart.tagname)
            if kind is None:
                kind = "column" if getattr(chart, "type", "col") == "col" else "bar"
            xchart = book.add_chart({"type": kind})
            for series in chart.series:
                spec = {"values": _ref(series.val), "categories": _ref(series.cat)}
                if series.tx is not None and series.tx.strRef is not None:
                    spec["name"] = "=" + series.tx.strRef.f
                xchart.add_series({k: v for k, v in spec.items() if v is not None})
            sheet.insert_chart("A1", xchart)
    book.close()


def cpu_median(fn: Callable[[], object]) -> float:
    fn()
    times = []
    for _ in range(REPEAT):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def main() -> None:
    print(f"CPU medians of {REPEAT} runs; load average {_load()}")
    results = project(scenarios(2)[1])
    _ = results.contributions
    base = project(baseline_for(results.scenario), data=dataset_of(results))
    books = [("results workbook", build_results_workbook(results, base))]
    for n in (10, 100):
        runs = [project(s) for s in scenarios(n)]
        books.append((f"comparison, {n} scenarios", build_comparison_workbook(runs)))
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for label, wb in books:
            ours = cpu_median(lambda wb=wb: wb.save(tmp / "openpyxl.xlsx"))
            part = cpu_median(lambda wb=wb: xlsxwriter_part(wb, tmp / "xlsxwriter.xlsx"))
            print(
                f"{label:<28} openpyxl save {ours * 1e3:7.1f} ms   XlsxWriter part "
                f"{part * 1e3:7.1f} ms   ({part / ours:.2f}x)"
            )
    print(f"load average {_load()}")


if __name__ == "__main__":
    main()
