"""Goal seek on three realistic planning questions: targets, levers found, cost, timings.

Run: .venv/bin/python benchmarks/bench_seek.py [--quick] [--dashboard]
Each case starts from a shipped workbook (``workbooks/``). Prints, per case, whether the
targets are met, the levers that moved, the objective value, the cumulative extra pole
investment and fiscal cost (2024–2035, 亿元), the projections run and the wall and CPU
seconds. ``--quick`` frees only the pole levers (for a fast smoke run). ``--dashboard`` also
measures the dashboard's background seek: how long the Seek click holds the kernel, how long
until the found levers are on the sliders, and how soon Cancel stops a long search.
Nothing is asserted.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from jjjplan.excel import read_workbook
from jjjplan.excel.write.seek_sheet import lever_label
from jjjplan.goalseek import seek

WORKBOOKS = Path(__file__).resolve().parents[1] / "workbooks"

CASES = (
    (
        "1. 京冀人均GDP比 2035 ≤ 3.0，最小改动 / BJ/HE ratio ≤ 3.0 by 2035, least change",
        "00-baseline.xlsx",
        ["bj_he_ratio@2035<=3.0"],
        {"objective": "min-change"},
    ),
    (
        "2. 河北人均GDP达天津的50%（2035）且泰尔指数 ≤ 0.16，最低财政成本 / "
        "HE at 50% of TJ per capita and Theil T ≤ 0.16 by 2035, least fiscal cost",
        "00-baseline.xlsx",
        ["gdp_per_capita[HE/TJ]@2035>=0.5", "theil_t@2035<=0.16"],
        {"objective": "min-fiscal-cost"},
    ),
    (
        "3. 协同推进情景：京冀比 2035 ≤ 2.7，80%参数抽样成立，最少投资（增长极、创新、改革杠杆）/ "
        "coordinated scenario: BJ/HE ≤ 2.7 in 80% of assumption draws, least investment "
        "(pole, innovation and reform levers)",
        "05-coordinated.xlsx",
        ["bj_he_ratio@2035<=2.7"],
        {
            "objective": "min-investment",
            "robust": 0.8,
            "n_draws": 8,
            "free": [
                "poles.investment",
                "poles.relocation",
                "innovation.share",
                "reform.origin_share",
                "reform.market_integration",
            ],
        },
    ),
)


def _objective_value(r) -> float:
    """The minimised objective at the found levers (what the Problem scores)."""
    change = float((r.changes["share_of_range"] ** 2).sum())
    if r.objective == "min-change":
        return change
    cost = r.investment if r.objective == "min-investment" else r.fiscal_cost
    return cost / 1e4 + 1e-3 * change


def main(quick: bool) -> None:
    for title, workbook, targets, options in CASES:
        if quick:
            options = {**options, "free": ["poles.investment", "poles.relocation"]}
        start = read_workbook(WORKBOOKS / workbook)
        wall, cpu = time.perf_counter(), time.process_time()
        r = seek(start, targets, **options)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"\n{title}\n  from workbooks/{workbook}; objective {r.objective}")
        print(f"  met: {r.met}; projections: {r.evaluations}; {wall:.1f} s wall, {cpu:.1f} s CPU")
        print(f"  objective value: {_objective_value(r):.5g}")
        cols = [
            c for c in ("target", "achieved", "margin", "best_possible", "p_met") if c in r.table
        ]
        print(r.table[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        print(
            f"  extra pole investment 2024-2035: {r.investment:,.0f} 亿元; "
            f"fiscal cost: {r.fiscal_cost:,.0f} 亿元"
        )
        for c in r.changes.itertuples():
            _zh, en, unit = lever_label(c.lever)
            print(f"    {c.lever:30s} {c.start:>12.4g} -> {c.found:>12.4g} {unit}  ({en})")


def dashboard() -> None:
    """The dashboard's background seek (a running asyncio loop, as under Jupyter/Voilà)."""
    from jjjplan.dashboard import Dashboard

    dash = Dashboard(workbook=WORKBOOKS / "00-baseline.xlsx")
    sp = dash.seek_panel
    sp.indicator.value, sp.year.value, sp.op.value, sp.value.value = "bj_he_ratio", 2035, "<=", 3.0

    async def run() -> tuple[float, float, float]:
        t0 = time.perf_counter()
        sp.button.click()
        held = time.perf_counter() - t0
        found = await dash.seek_runner.done
        assert found is not None
        applied = time.perf_counter() - t0
        sp.value.value = 2.0  # not reachable: a long search to cancel
        sp.button.click()
        while dash.seek_runner.progress is None:
            await asyncio.sleep(0.01)
        t1 = time.perf_counter()
        sp.cancel_button.click()
        await dash.seek_runner.done
        return held, applied, time.perf_counter() - t1

    held, applied, cancel = asyncio.run(run())
    print("\nDashboard background seek (bj_he_ratio@2035<=3.0, every lever, 00-baseline):")
    print(f"  Seek click holds the kernel {held * 1000:.0f} ms (was the whole search)")
    search = dash.last_seek.seconds
    print(f"  found levers on the sliders after {applied:.1f} s ({search:.1f} s search)")
    print(f"  Cancel stops a running search in {cancel * 1000:.0f} ms")


if __name__ == "__main__":
    main("--quick" in sys.argv)
    if "--dashboard" in sys.argv:
        dashboard()
