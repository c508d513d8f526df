"""Baseline-data speed: bundled vintage load, data-template write, and reading a data workbook
(guarded, isolated) next to raw openpyxl loading the same file.

Run: .venv/bin/python benchmarks/bench_data.py
Prints medians over repeated runs; nothing here is asserted in tests.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl

from jjjplan import baseline
from jjjplan.excel.read.data_workbook import read_data_workbook
from jjjplan.excel.write.data_template import make_data_template

REPEAT = 5


def median_seconds(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.xlsx"
        build = median_seconds(
            lambda: baseline.build_dataset(
                baseline.DEFAULT_VINTAGE, baseline._bundled_table(baseline.DEFAULT_VINTAGE)
            )
        )
        write = median_seconds(lambda: make_data_template(path))
        raw = median_seconds(lambda: openpyxl.load_workbook(path, data_only=True))
        read_iso = median_seconds(lambda: read_data_workbook(path))
        read_in = median_seconds(lambda: read_data_workbook(path, isolated=False))
    rows = [
        ("assemble the default Dataset (uncached)", build, None),
        ("write the data template", write, None),
        ("read it: raw openpyxl load (floor)", raw, None),
        ("read it: jjjplan, in process", read_in, raw),
        ("read it: jjjplan, isolated (default)", read_iso, raw),
    ]
    for label, seconds, peer in rows:
        ratio = f"  ({seconds / peer:.1f}x raw)" if peer else ""
        print(f"{label:42s} {seconds * 1e3:8.1f} ms{ratio}")


if __name__ == "__main__":
    main()
