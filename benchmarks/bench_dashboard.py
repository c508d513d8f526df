"""Dashboard callback latency: lever change → Scenario → project() → gaps → chart update.

Run: .venv/bin/python benchmarks/bench_dashboard.py [N]
Each sample sets a widget's ``.value`` exactly as the front end does, so the time covers the
whole observer chain in the kernel: control.apply, project(), the key-figure table, and the
edit message of the visible plotly chart (the browser draws it). Shapley is not included
(it runs only on its tab or button); it is timed separately. The browser's part (message
transfer and plotly redraw) is measured by tests/test_browser.py, which prints the time
from releasing a dragged slider handle to the redrawn chart. Prints median and 95th
percentile per view, and the machine's load (the figures scale with it); nothing is asserted.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from jjjplan.dashboard import Dashboard
from jjjplan.dashboard.views import TABS


def moves(d: Dashboard, n: int) -> list:
    """n lever changes cycling through different levers and values."""
    c = d.controls
    steps = [
        lambda i: setattr(c["reform.origin_share"].input, "value", 10 + (i * 7) % 80),
        lambda i: setattr(c["poles.weights"].sliders["TJ"], "value", 15 + (i * 3) % 40),
        lambda i: setattr(c["poles.investment"].target, "value", (i % 30) / 10),
        lambda i: setattr(c["innovation.share"].target, "value", 5 + (i * 1.3) % 30),
        lambda i: setattr(c["reform.share_years"].input, "value", 1 + i % 8),
    ]
    return [lambda i=i: steps[i % len(steps)](i) for i in range(n)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def run(view: str, n: int) -> list[float]:
    d = Dashboard()
    d.views.tabs.selected_index = TABS.index(view)
    out = []
    for move in moves(d, n):
        t = time.perf_counter()
        move()
        out.append((time.perf_counter() - t) * 1000)
    if d.log.text:
        raise SystemExit(f"errors during the benchmark:\n{d.log.text}")
    return out


def main(n: int = 50) -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"dashboard callback latency over {n} lever changes (ms, in-kernel, no browser)")
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'visible view':<12} {'median':>8} {'p95':>8} {'max':>8}")
    for view in ("gaps", "ratios", "percap", "ledger", "compare"):
        ms = run(view, n)
        print(f"{view:<12} {statistics.median(ms):8.1f} {percentile(ms, 0.95):8.1f} {max(ms):8.1f}")
    d = Dashboard()
    t = time.perf_counter()
    d.compute_contributions()
    print(f"{'contrib':<12} {(time.perf_counter() - t) * 1000:8.1f}  (Shapley, 16 runs; on demand)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
