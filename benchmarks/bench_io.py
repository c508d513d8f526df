"""Workbook I/O speed: reading the template, writing a results and a 10-scenario comparison
workbook, each next to raw openpyxl handling the same number of cells, interleaved in the
same run; and ``jjjplan compare`` on 100 scenario workbooks.

Run: .venv/bin/python benchmarks/bench_io.py [--skip-compare | --compare-only] [--phases]
[--peer DIR]
Why the raw baseline: it shows what our safety costs (pre-flight, isolation, validation,
text checks, atomic save with fsync and CRC verification, styles, charts) over the floor
openpyxl itself sets. The goals (issue 15): reading (isolated, the default) <= 1.5x raw,
each writer <= 2x raw, comparing 100 workbooks <= 4 s on a 2-core machine.
The raw writing peer saves plainly (no temp file, fsync or CRC check): the atomic save's
cost is printed on its own line (about 1 ms of fsync here), so the ratio shows it rather
than hiding it in both. Each writer also gets a second, informative peer: raw openpyxl
writing our very cells (text, number formats), which shows what the workbook's content
costs openpyxl itself (text cells serialise slower than numbers), and the context switches
behind the wall time beyond CPU (preemption by other processes vs waiting on I/O).
Prints medians over repeated runs; nothing here is asserted in tests.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from jjjplan import Scenario, project
from jjjplan.excel.write.comparison import build_comparison_workbook, write_comparison
from jjjplan.excel.write.indicators import baseline_for
from jjjplan.excel.write.provenance import dataset_of
from jjjplan.excel.write.results import build_results_workbook, write_results
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


def raw_xlsxwriter_write(counts: list[int], path: Path) -> None:
    """Plain XlsxWriter, the same cells as :func:`raw_write`: the floor of the other backend
    the issue weighed (see benchmarks/bench_write_backends.py for our own workbooks)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    for k, n in enumerate(counts):
        ws = wb.add_worksheet(f"s{k}")
        for i in range(n):
            ws.write_number(i // 20, i % 20, i * 0.5)
    wb.close()


def written_cells(path: Path) -> list[list[tuple[int, int, object, str]]]:
    """Per sheet, every stored value of a workbook we wrote: (row, column, value, number
    format), for :func:`raw_same_cells`."""
    wb = openpyxl.load_workbook(path)
    return [
        [
            (c.row, c.column, c.value, c.number_format)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        ]
        for ws in wb.worksheets
    ]


def raw_same_cells(cells: list[list[tuple[int, int, object, str]]], path: Path) -> None:
    """Plain openpyxl writing the very values of our workbook (its text as text, its number
    formats) in one save: no checks, styles other than number formats, merges, tables,
    conditional formats, charts or print setup. A second, informative peer: the share of
    our time that the workbook's content itself costs openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for k, sheet in enumerate(cells):
        ws = wb.create_sheet(f"s{k}")
        for row, col, value, fmt in sheet:
            cell = ws.cell(row=row, column=col, value=value)
            if fmt != "General":
                cell.number_format = fmt
    wb.save(path)


def _switches() -> tuple[int, int]:
    """(voluntary, involuntary) context switches of this process so far: waiting for I/O
    (fsync, files) vs waiting for a core (other processes); (0, 0) where unknown."""
    try:
        import resource
    except ImportError:  # Windows
        return 0, 0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_nvcsw, usage.ru_nivcsw


def wall_cpu_gap(fn: Callable[[], object], repeat: int = REPEAT) -> str:
    """Why wall time exceeds CPU time for ``fn``: median wall and CPU ms and the context
    switches per run (voluntary = blocked on I/O such as fsync; involuntary = preempted)."""
    rows = []
    for _ in range(repeat):
        s0, w0, c0 = _switches(), time.perf_counter(), time.process_time()
        fn()
        w, c, s1 = time.perf_counter() - w0, time.process_time() - c0, _switches()
        rows.append((w, c, s1[0] - s0[0], s1[1] - s0[1]))
    wall, cpu, vol, invol = (statistics.median(r[i] for r in rows) for i in range(4))
    return (
        f"wall {wall * 1e3:.0f} ms vs CPU {cpu * 1e3:.0f} ms; per run {vol:.0f} voluntary "
        f"(I/O) and {invol:.0f} involuntary (preempted) context switches"
    )


def atomic_save_cost(build: Callable[[], object], tmp: Path, repeat: int = REPEAT) -> str:
    """What :func:`jjjplan.excel.safety.atomic_save` adds to the ``wb.save`` it wraps (temp
    file, fsync of file and folder, CRC check, permissions, rename): each save timed inside
    the atomic save that runs it, so the difference is free of run-to-run noise; and the
    fsync calls' own wall time."""
    from jjjplan.excel import safety

    wb: Any = build()
    plain_save, real_fsync = wb.save, safety._fsync_path
    inner: list[tuple[float, float]] = []
    fsyncs: list[float] = []

    def timed_save(path: str) -> None:
        w, c = time.perf_counter(), time.process_time()
        plain_save(path)
        inner.append((time.perf_counter() - w, time.process_time() - c))

    def timed_fsync(*args: Any, **kwargs: Any) -> None:
        w = time.perf_counter()
        real_fsync(*args, **kwargs)
        fsyncs.append(time.perf_counter() - w)

    wb.save = timed_save  # atomic_save calls the workbook's save: this one, timed
    safety._fsync_path = timed_fsync
    extra = []
    try:
        for _ in range(repeat):
            w, c = time.perf_counter(), time.process_time()
            safety.atomic_save(wb, tmp / "atomic.xlsx")
            wall, cpu = time.perf_counter() - w, time.process_time() - c
            extra.append((wall - inner[-1][0], cpu - inner[-1][1]))
    finally:
        safety._fsync_path = real_fsync
    wall_ms = statistics.median(e[0] for e in extra) * 1e3
    cpu_ms = statistics.median(e[1] for e in extra) * 1e3
    fsync_ms = statistics.median(fsyncs) * 2e3  # two per save: the file and its folder
    return (
        f"atomic save adds {wall_ms:.1f} ms wall, {cpu_ms:.1f} ms CPU to its wb.save "
        f"(of which fsync of file + folder {fsync_ms:.1f} ms wall)"
    )


def _write_figures(
    label: str,
    ours: Callable[[], object],
    counts: list[int],
    tmp: Path,
    written: Path,
    build: Callable[[], object],
) -> None:
    """Wall and CPU medians of ``ours`` next to raw openpyxl on the same number of cells
    (interleaved; the goal's peer), raw openpyxl writing the same cells as ours (content
    peer), raw XlsxWriter's CPU when it is installed, where the wall time beyond CPU goes,
    and what the atomic save costs."""
    raw_fn = lambda: raw_write(counts, tmp / "raw.xlsx")  # noqa: E731
    wall = interleaved(ours, raw_fn)
    cpu = cpu_interleaved(ours, raw_fn)
    report(label, *wall, sum(counts), 2, cpu)
    cells = written_cells(written)
    same = cpu_interleaved(ours, lambda: raw_same_cells(cells, tmp / "raw-same.xlsx"))
    print(
        f"  vs raw openpyxl writing our very cells (text, number formats; no charts, merges, "
        f"tables, conditional formats): CPU {same[1] * 1e3:.0f} ms, ours/that "
        f"{same[0] / same[1]:.2f}x"
    )
    print(f"  {wall_cpu_gap(ours)}; {atomic_save_cost(build, tmp)}")
    line = f"  CPU ours {cpu[0] * 1e3:.0f} ms, raw openpyxl {cpu[1] * 1e3:.0f} ms"
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        line += "; raw XlsxWriter: not installed"
    else:
        xw = statistics.median(
            _cpu_of(lambda: raw_xlsxwriter_write(counts, tmp / "raw-xw.xlsx"))
            for _ in range(REPEAT)
        )
        line += f", raw XlsxWriter {xw * 1e3:.0f} ms ({xw / cpu[1]:.2f}x raw openpyxl)"
    print(f"{line}; load average {_load()}")


def raw_read(path: Path) -> int:
    wb = openpyxl.load_workbook(path)
    return sum(
        v is not None for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r
    )


def raw_parallel_seconds(paths: list[Path]) -> tuple[float, int]:
    """Wall seconds for raw openpyxl to load ``paths`` on one already-started process per
    CPU: what any reader built on openpyxl needs at least, before checks, projection,
    writing and process start-up (the pool is warmed first and its start is not timed)."""
    from concurrent.futures import ProcessPoolExecutor

    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(raw_read, paths[:workers]))  # start and warm every worker
        t = time.perf_counter()
        list(pool.map(raw_read, paths, chunksize=max(1, len(paths) // (4 * workers))))
        return time.perf_counter() - t, workers


def scenarios(n: int) -> list[Scenario]:
    """The baseline and ``n - 1`` variants (levers cycle within their valid ranges)."""
    out = [Scenario.baseline()]
    for i in range(1, n):
        k = i % 10
        out.append(
            Scenario.baseline().replace(
                name=f"s{i}",
                reform=Reform(origin_share=0.05 * (i % 20)),
                innovation=Innovation(share=Milestones(0.09, 0.1 + 0.01 * k, 0.1 + 0.02 * k)),
            )
        )
    return out


def report(
    label: str, ours: float, raw: float, cells: int, goal: float, cpu: tuple[float, float]
) -> None:
    """Wall-clock medians and their ratio, then the CPU-time ratio (steadier when other
    processes share the machine: it does not count the time spent waiting for a core)."""
    print(
        f"{label:<40} {ours * 1e3:7.1f} ms  raw openpyxl {raw * 1e3:7.1f} ms  "
        f"ratio {ours / raw:5.2f}x (goal <= {goal:g}x)  CPU ratio {cpu[0] / cpu[1]:5.2f}x  "
        f"({cells:,} cells)"
    )


def cpu_interleaved(
    ours: Callable[[], object], raw: Callable[[], object], repeat: int = REPEAT
) -> tuple[float, float]:
    """Median CPU seconds of this process for ``ours`` and ``raw``, run alternately."""
    ours(), raw()
    a, b = [], []
    for _ in range(repeat):
        t = time.process_time()
        ours()
        a.append(time.process_time() - t)
        t = time.process_time()
        raw()
        b.append(time.process_time() - t)
    return statistics.median(a), statistics.median(b)


def _cpu_of(fn: Callable[[], object]) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def isolated_read_cpu(path: Path, repeat: int = REPEAT) -> float:
    """CPU seconds of one isolated read, caller and helper together: the helpers' CPU is
    counted when they exit, so two batches (1 and 1 + ``repeat`` reads, each starting its
    own helper) are timed and the difference divided by ``repeat`` (start-up cancels)."""
    from jjjplan.excel.guard import isolation
    from jjjplan.excel.read.reader import read_workbook

    def batch(n: int) -> float:
        isolation.shutdown()
        before = time.process_time() + _children_cpu()
        for _ in range(n):
            read_workbook(path)
        isolation.shutdown()
        return time.process_time() + _children_cpu() - before

    return (batch(1 + repeat) - batch(1)) / repeat


def interleaved(ours: Callable[[], object], raw: Callable[[], object]) -> tuple[float, float]:
    """Medians of ``ours`` and ``raw`` run alternately, so a load change on the machine (other
    processes) weighs on both alike."""
    ours(), raw()  # warm-up: imports, caches, the isolation helper, first file-system touch
    a, b = [], []
    for _ in range(REPEAT):
        t = time.perf_counter()
        ours()
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        raw()
        b.append(time.perf_counter() - t)
    return statistics.median(a), statistics.median(b)


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
    ours, raw = interleaved(lambda: read_workbook(TEMPLATE), lambda: raw_read(TEMPLATE))
    raw_cpu = statistics.median(_cpu_of(lambda: raw_read(TEMPLATE)) for _ in range(REPEAT))
    cpu = (isolated_read_cpu(TEMPLATE), raw_cpu)
    report("read template (read_workbook, isolated)", ours, raw, cells, 1.5, cpu)
    ours, raw = interleaved(
        lambda: read_workbook(TEMPLATE, isolated=False), lambda: raw_read(TEMPLATE)
    )
    cpu = cpu_interleaved(
        lambda: read_workbook(TEMPLATE, isolated=False), lambda: raw_read(TEMPLATE)
    )
    report("read template (in-process)", ours, raw, cells, 1.5, cpu)


def bench_results(tmp: Path) -> None:
    results = project(scenarios(2)[1])
    _ = results.contributions  # the 16-run Shapley decomposition is model time, not I/O
    out = tmp / "results.xlsx"
    write_results(results, out)
    counts = cell_counts(out)
    base = project(baseline_for(results.scenario), data=dataset_of(results))
    _write_figures(
        "write results (write_results)",
        lambda: write_results(results, out),
        counts,
        tmp,
        out,
        lambda: build_results_workbook(results, base),
    )
    print("  (includes one baseline projection; Shapley contributions computed beforehand)")


def bench_comparison(tmp: Path) -> None:
    """10 scenarios (the goal), and 100: the writing step of ``jjjplan compare`` on 100
    workbooks (goal <= 4 s for the whole command)."""
    for n in (10, 100):
        results = [project(s) for s in scenarios(n)]
        for r in results:
            _ = r.gaps, r.ratios  # model time, not I/O
        out = tmp / f"comparison-{n}.xlsx"
        write_comparison(results, out)
        counts = cell_counts(out)
        ours = lambda: write_comparison(results, out)  # noqa: B023, E731 - used in this turn
        build = lambda: build_comparison_workbook(results)  # noqa: B023, E731 - likewise
        _write_figures(f"write comparison, {n} scenarios", ours, counts, tmp, out, build)


COMPARE_FILES = 100


def compare_command() -> list[str]:
    script = Path(sys.executable).with_name("jjjplan.exe" if os.name == "nt" else "jjjplan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jjjplan"]


def make_compare_workbooks(tmp: Path) -> list[Path]:
    from jjjplan.excel.write.template import make_template

    folder = tmp / "hundred"
    folder.mkdir()
    return [
        make_template(folder / f"{i:03d}.xlsx", s) for i, s in enumerate(scenarios(COMPARE_FILES))
    ]


def time_compare(paths: list[Path], tmp: Path, code: Path, tag: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the process and its helpers) of one ``jjjplan compare``
    in a fresh process importing jjjplan from ``code``."""
    out = tmp / f"cmp-{tag}.xlsx"
    env = {**os.environ, "PYTHONPATH": str(code)}
    cmd = [*compare_command(), "compare", *map(str, paths), "-o", str(out), "-q"]
    before = _children_cpu()
    t = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, check=True)
    return time.perf_counter() - t, _children_cpu() - before


def bench_compare(tmp: Path, paths: list[Path], peer: Path | None = None) -> None:
    """``jjjplan compare`` on 100 scenario workbooks in a fresh process (start-up, helper
    start, reading, projection and writing included), next to raw openpyxl loading the same
    100 files one after another in this process. With ``peer`` (another checkout, e.g. the
    main branch before a change), its compare runs alternately with ours in the same run."""
    runs: dict[str, list[tuple[float, float]]] = {"ours": [], "peer": []}
    for k in range(3):
        runs["ours"].append(time_compare(paths, tmp, ROOT, f"ours-{k}"))
        if peer is not None:
            runs["peer"].append(time_compare(paths, tmp, peer, f"peer-{k}"))
    raw = median_seconds(lambda: [raw_read(p) for p in paths], repeat=1)
    floor, workers = raw_parallel_seconds(paths)
    ours = statistics.median(w for w, _c in runs["ours"])
    cpu = statistics.median(c for _w, c in runs["ours"])
    print(
        f"jjjplan compare, {COMPARE_FILES} workbooks        {ours:8.2f} s    goal <= 4 s "
        f"({'met' if ours <= 4 else 'NOT met'});  raw openpyxl loading them: {raw:.2f} s "
        f"(ratio {ours / raw:.2f}x; {os.cpu_count()} CPUs)",
        flush=True,
    )
    print(
        f"  CPU time of the compare process and its helpers: {cpu:.2f} s "
        f"(load average now {_load()})"
    )
    print(
        f"  floor: raw openpyxl alone loading the {len(paths)} files on {workers} warm processes "
        f"(no checks, no projection, no writing, no start-up): {floor:.2f} s "
        f"({'below' if floor < 4 else 'ABOVE'} the 4 s goal)"
    )
    if peer is not None:
        wall = statistics.median(w for w, _c in runs["peer"])
        peer_cpu = statistics.median(c for _w, c in runs["peer"])
        print(
            f"  peer {peer}: {wall:.2f} s, CPU {peer_cpu:.2f} s; ours/peer: wall "
            f"{ours / wall:.2f}x, CPU {cpu / peer_cpu:.2f}x"
        )


def compare_phases(paths: list[Path]) -> None:
    """Where a compare's CPU time goes, step by step in this process (no isolation), then
    the isolated read of the same files (helpers' CPU included) for the cost of the
    process boundary: fork, copy-on-write, pickling, helper start."""
    import gc
    import pickle

    from jjjplan import project_many
    from jjjplan.excel.guard import isolation
    from jjjplan.excel.guard.preflight import preflight
    from jjjplan.excel.read import reader

    reader.warm_up_isolated_helper()
    gc.collect()
    spent = dict.fromkeys(
        ("guard checks", "parse (openpyxl + cells)", "findings + assemble", "pickling the answer"),
        0.0,
    )
    names = list(spent)
    scenarios_read = []
    for path in paths:
        t = time.process_time()
        report = preflight(path, cells=True)
        spent[names[0]] += time.process_time() - t
        t = time.process_time()
        book = reader._Reader(Path(path), report)
        spent[names[1]] += time.process_time() - t
        book.found.notices.extend(reader.planner_notices(report.notices))
        t = time.process_time()
        reading = book.read()
        spent[names[2]] += time.process_time() - t
        t = time.process_time()
        pickle.loads(pickle.dumps(reading))
        spent[names[3]] += time.process_time() - t
        scenarios_read.append(reading.scenario)
        del book, reading
        gc.collect()  # untimed: each isolated read starts clean in a fresh process
    t = time.process_time()
    batch = project_many(scenarios_read)
    results = [batch[k] for k in range(len(batch))]
    spent["projection (project_many)"] = time.process_time() - t
    out = Path(tempfile.mkdtemp()) / "phases.xlsx"
    t = time.process_time()
    write_comparison(results, out)
    spent["writing the comparison (iowrite)"] = time.process_time() - t
    isolation.shutdown()
    before = time.process_time() + _children_cpu()
    reader.read_workbooks(paths)
    isolation.shutdown()
    isolated = time.process_time() + _children_cpu() - before
    in_process = sum(spent[n] for n in names)
    print(f"  CPU seconds by step, {len(paths)} workbooks, in this process (load {_load()}):")
    for name, seconds in spent.items():
        print(f"    {name:<36} {seconds:6.2f} s  ({seconds / len(paths) * 1e3:5.1f} ms/file)")
    print(
        f"    {'isolated read (helpers included)':<36} {isolated:6.2f} s  -> process boundary "
        f"and helper start {isolated - in_process:5.2f} s"
    )


def _children_cpu() -> float:
    """User + system CPU seconds of the finished child processes (and theirs)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


def main() -> None:
    """Options: --skip-compare, --compare-only, --phases (where a compare's CPU goes),
    --peer DIR (time another checkout's compare alternately with ours)."""
    print(
        f"median of {REPEAT} runs after one warm-up, ours and raw openpyxl alternately; "
        f"openpyxl {openpyxl.__version__}; load average {_load()}"
    )
    peer = Path(sys.argv[sys.argv.index("--peer") + 1]) if "--peer" in sys.argv else None
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if "--compare-only" not in sys.argv:
            bench_template(tmp)
            bench_results(tmp)
            bench_comparison(tmp)
        if "--skip-compare" not in sys.argv:
            paths = make_compare_workbooks(tmp)
            bench_compare(tmp, paths, peer)
            if "--phases" in sys.argv:
                compare_phases(paths)


if __name__ == "__main__":
    main()
