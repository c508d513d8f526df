"""Goal seek on three realistic planning questions: targets, levers found, cost, timings.

Run: .venv/bin/python benchmarks/bench_seek.py [--quick]
Prints, per case, whether the targets are met, the levers that moved, the cumulative extra
pole investment and fiscal cost (2024–2035, 亿元), the projections run and the wall and CPU
seconds. ``--quick`` frees only the pole levers (for a fast smoke run). Nothing is asserted.
"""

from __future__ import annotations

import sys
import time

from jjjplan import Scenario
from jjjplan.excel.write.examples import example_scenarios
from jjjplan.excel.write.seek_sheet import lever_label
from jjjplan.goalseek import seek

CASES = (
    (
        "1. 京冀人均GDP比 2035 ≤ 3.0，最小改动 / BJ/HE ratio ≤ 3.0 by 2035, least change",
        Scenario.baseline(),
        ["bj_he_ratio@2035<=3.0"],
        {"objective": "min-change"},
    ),
    (
        "2. 河北人均GDP达天津的50%（2035）且泰尔指数 ≤ 0.16，最低财政成本 / "
        "HE at 50% of TJ per capita and Theil T ≤ 0.16 by 2035, least fiscal cost",
        Scenario.baseline(),
        ["gdp_per_capita[HE/TJ]@2035>=0.5", "theil_t@2035<=0.16"],
        {"objective": "min-fiscal-cost"},
    ),
    (
        "3. 协同推进情景：京冀比 2035 ≤ 2.7，80%参数抽样成立，最少投资（增长极、创新、改革杠杆）/ "
        "coordinated scenario: BJ/HE ≤ 2.7 in 80% of assumption draws, least investment "
        "(pole, innovation and reform levers)",
        example_scenarios()[5],
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


def main(quick: bool) -> None:
    for title, start, targets, options in CASES:
        if quick:
            options = {**options, "free": ["poles.investment", "poles.relocation"]}
        wall, cpu = time.perf_counter(), time.process_time()
        r = seek(start, targets, **options)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"\n{title}")
        print(f"  met: {r.met}; projections: {r.evaluations}; {wall:.1f} s wall, {cpu:.1f} s CPU")
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


if __name__ == "__main__":
    main("--quick" in sys.argv)
