"""Timing a slider release in the real browser: shared by tests/test_browser.py and
benchmarks/bench_dashboard.py (``--browser``), so both measure the same thing.

The probe runs in the page and uses ``performance.now()``: pointer up, the key-figure
table's first change, plotly's ``plotly_beforeplot`` (the chart's new data has arrived and
plotly starts) and ``plotly_afterplot`` (redrawn; with draws on, a second redraw brings the
bands). Data-only updates are instant ``Plotly.animate`` calls, timed the same way by
``plotly_animating`` and ``plotly_animated`` (emitted once the paths and axes are redrawn).
Nothing here asserts a time: timings depend on the machine's load.
"""

from __future__ import annotations

import os
import statistics

PROBE = """([chart, table]) => {
    const t = {up: null, table: null, chart: null, drawn: null, plots: []};
    window.__jjj = t;
    document.addEventListener('pointerup', () => { t.up = performance.now(); },
                              {capture: true, once: true});
    new MutationObserver(() => {
        if (t.up !== null && t.table === null) t.table = performance.now();
    }).observe(document.querySelector(table), {subtree: true, attributes: true,
                                               childList: true, characterData: true});
    const gd = document.querySelector(chart + '.js-plotly-plot')
        || document.querySelector(chart + ' .js-plotly-plot');
    if (!gd.__jjjProbe) {
        gd.__jjjProbe = true;
        const start = () => {
            const p = window.__jjj;
            if (p && p.up !== null && p.chart === null) p.chart = performance.now();
        };
        const done = () => {
            const p = window.__jjj;
            if (!p || p.up === null) return;
            if (p.drawn === null) p.drawn = performance.now();
            p.plots.push(performance.now());
        };
        gd.on('plotly_beforeplot', start);  // a full redraw (Plotly.update)
        gd.on('plotly_afterplot', done);
        gd.on('plotly_animating', start);  // a data-only update (instant Plotly.animate)
        gd.on('plotly_animated', done);
    }
}"""


def drag(page, css: str, dx: float) -> None:
    """Drag the slider handle inside ``css`` by ``dx`` pixels with the mouse."""
    handle = page.locator(f"{css} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y, steps=5)
    page.mouse.move(x + dx, y, steps=5)
    page.mouse.up()


def release_timing(
    page, slider: str, dx: float, chart: str = ".jjj-chart-gaps", plots: int = 1
) -> dict[str, float]:
    """Drag ``slider`` by ``dx`` px; milliseconds from releasing the mouse to: the key-figure
    table changed (``table``), plotly starting the chart's redraw (``chart``: kernel and
    messages), the chart redrawn (``drawn``; ``drawn - chart`` is plotly's own time; with
    draws on, the lines and bands arrive together) and, with ``plots=2`` (a change drawn in
    two redraws), the second redraw (``bands``)."""
    page.evaluate(PROBE, [chart, ".jjj-key-figures"])
    drag(page, slider, dx)
    page.wait_for_function(
        "n => window.__jjj.plots.length >= n && window.__jjj.chart !== null"
        " && window.__jjj.table !== null",
        arg=plots,
        timeout=60000,
    )
    t = page.evaluate("window.__jjj")
    out = {k: round(t[k] - t["up"], 1) for k in ("table", "chart", "drawn")}
    if plots >= 2:
        out["bands"] = round(t["plots"][1] - t["up"], 1)
    return out


def summary(samples: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Median and maximum of each timing over the samples."""
    return {
        k: {"median": statistics.median(s[k] for s in samples), "max": max(s[k] for s in samples)}
        for k in samples[0]
    }


def describe(record: dict) -> str:
    """One line: the medians of a record ``{"draws", "samples", "summary"}``."""
    s = record["summary"]
    load = record.get("load_average")
    if load is None and hasattr(os, "getloadavg"):
        load = os.getloadavg()[0]
    bands = f", bands redrawn {s['bands']['median']:.0f}" if "bands" in s else ""
    what = " (lines and bands)" if record["draws"] and not bands else ""
    return (
        f"slider release -> (draws {record['draws']}) key figures {s['table']['median']:.0f} ms, "
        f"chart redraw starts {s['chart']['median']:.0f}, chart redrawn{what} "
        f"{s['drawn']['median']:.0f} ms{bands} (median of {len(record['samples'])}; max "
        f"redrawn {s['drawn']['max']:.0f} ms; load average {load:.1f})"
    )
