"""Workbook I/O speed: reading the template, writing a results and a 10-scenario comparison
workbook, each next to raw openpyxl handling the same number of cells.

Run: .venv/bin/python benchmarks/bench_io.py
Why the raw baseline: it shows what our safety costs (validation, text checks, atomic save
with fsync and CRC verification, styles, charts) over the floor openpyxl itself sets.
Prints medians over repeated runs; nothing here is asserted in tests.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl

from jjjplan import Scenario, project
from jjjplan.excel.write.comparison import write_comparison
from jjjplan.excel.write.results import write_results
from jjjplan.scenario import Innovation, Milestones, Reform

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "jjjplan-template.xlsx"
REPEAT = 5


def median_seconds(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    fn()  # warm-up: imports, caches, first-file-system touch
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def cell_counts(path: Path) -> list[int]:
    """Non-empty cells per sheet."""
    wb = openpyxl.load_workbook(path, read_only=True)
    return [
        sum(v is not None for row in ws.iter_rows(values_only=True) for v in row)
        for ws in wb.worksheets
    ]


def raw_write(counts: list[int], path: Path) -> None:
    """Plain openpyxl: the same number of float cells per sheet, 20 per row, one save."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for k, n in enumerate(counts):
        ws = wb.create_sheet(f"s{k}")
        for i in range(n):
            ws.cell(row=1 + i // 20, column=1 + i % 20, value=i * 0.5)
    wb.save(path)


def raw_read(path: Path) -> int:
    wb = openpyxl.load_workbook(path)
    return sum(
        v is not None for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r
    )


def scenarios(n: int) -> list[Scenario]:
    out = [Scenario.baseline()]
    for i in range(1, n):
        out.append(
            Scenario.baseline().replace(
                name=f"s{i}",
                reform=Reform(origin_share=0.05 * i),
                innovation=Innovation(share=Milestones(0.09, 0.1 + 0.01 * i, 0.1 + 0.02 * i)),
            )
        )
    return out


def report(label: str, ours: float, raw: float, cells: int) -> None:
    print(
        f"{label:<38} {ours * 1e3:8.1f} ms   raw openpyxl {raw * 1e3:8.1f} ms   "
        f"ratio {ours / raw:5.2f}×   ({cells:,} cells)"
    )


def bench_template(tmp: Path) -> None:
    try:
        from jjjplan.excel.read.reader import read_workbook
    except ImportError:
        print("read template: skipped (jjjplan.excel.read.reader not available)")
        return
    if not TEMPLATE.exists():
        print(f"read template: skipped ({TEMPLATE.relative_to(ROOT)} not present)")
        return
    cells = sum(cell_counts(TEMPLATE))
    report(
        "read template (read_workbook)",
        median_seconds(lambda: read_workbook(TEMPLATE)),
        median_seconds(lambda: raw_read(TEMPLATE)),
        cells,
    )


def bench_results(tmp: Path) -> None:
    results = project(scenarios(2)[1])
    _ = results.contributions  # the 16-run Shapley decomposition is model time, not I/O
    out = tmp / "results.xlsx"
    ours = median_seconds(lambda: write_results(results, out))
    counts = cell_counts(out)
    raw = median_seconds(lambda: raw_write(counts, tmp / "raw-results.xlsx"))
    report("write results (write_results)", ours, raw, sum(counts))
    print("  (includes one baseline projection; Shapley contributions computed beforehand)")


def bench_comparison(tmp: Path) -> None:
    results = [project(s) for s in scenarios(10)]
    for r in results:
        _ = r.gaps, r.ratios  # model time, not I/O
    out = tmp / "comparison.xlsx"
    ours = median_seconds(lambda: write_comparison(results, out))
    counts = cell_counts(out)
    raw = median_seconds(lambda: raw_write(counts, tmp / "raw-comparison.xlsx"))
    report("write comparison, 10 scenarios", ours, raw, sum(counts))


def main() -> None:
    print(f"median of {REPEAT} runs after one warm-up; openpyxl {openpyxl.__version__}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        bench_template(tmp)
        bench_results(tmp)
        bench_comparison(tmp)


if __name__ == "__main__":
    main()
