"""The briefing's charts, each drawn onto a given axis so the page and the slide exports share
one drawing: the gap path against the baseline (with a band when draws exist) and the
pathway contributions to its 2035 change.

The gap axis is scaled to the data, never from 0: a 0.03 difference in a Theil index of
0.15 is the story, and an axis from 0 flattens it.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from jjjplan.brief.content import GAP_MEASURE, BriefContent
from jjjplan.brief.fonts import figure_rc
from jjjplan.brief.lang import pick
from jjjplan.gaps import GAP_MEASURE_LABELS
from jjjplan.scenario import PATHWAY_LABELS

SCENARIO_COLOUR = "#1f5fa8"
BASELINE_COLOUR = "#8a8a8a"
BETTER, WORSE = "#3f8f4f", "#c0504d"


def gap_title(lang: str) -> str:
    zh, en = GAP_MEASURE_LABELS[GAP_MEASURE]
    return pick(f"区域差距：{zh}", f"Regional gap: {en}", lang, sep="\n")


def draw_gap_chart(ax, content: BriefContent, lang: str) -> None:
    """Scenario and baseline paths of the gap measure; lower is a smaller gap."""
    years = content.gap_scenario.index
    if content.bands is not None:
        band = content.bands.reindex(years)
        ax.fill_between(
            years,
            band["low"],
            band["high"],
            color=SCENARIO_COLOUR,
            alpha=0.18,
            lw=0,
            label=pick("情景不确定区间", "scenario range", lang, " / "),
        )
    ax.plot(
        years,
        content.gap_baseline,
        color=BASELINE_COLOUR,
        lw=1.4,
        ls="--",
        label=pick("基准（现行政策）", "baseline (current policy)", lang, " / "),
    )
    ax.plot(
        years,
        content.gap_scenario,
        color=SCENARIO_COLOUR,
        lw=1.8,
        label=pick("情景", "scenario", lang, " ") + "：" + content.scenario_name,
    )
    lo = min(content.gap_scenario.min(), content.gap_baseline.min())
    hi = max(content.gap_scenario.max(), content.gap_baseline.max())
    pad = 0.08 * (hi - lo) if hi > lo else 0.01 * hi
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_title(gap_title(lang), fontsize=8, loc="left")
    ax.set_ylabel(pick("指数（越低差距越小）", "index (lower = smaller gap)", lang, "\n"))
    ax.grid(axis="y", lw=0.3, color="#cccccc")
    ax.legend(fontsize=6, loc="best")
    ax.tick_params(labelsize=6.5)


#: Short names of the charted gap measure for titles.
SHORT_GAP_LABEL = ("泰尔指数T", "Theil T")


def contributions_title(year: int, lang: str) -> str:
    zh, en = SHORT_GAP_LABEL
    return pick(
        f"各路径对{year}年{zh}变化的贡献",
        f"Pathway contributions to the {year} change in {en}",
        lang,
        sep="\n",
    )


def draw_contributions(ax, content: BriefContent, lang: str) -> None:
    """Shapley contribution of each pathway (negative = narrows the gap), with the total."""
    contrib = content.contributions
    labels = [pick(*PATHWAY_LABELS[p], lang, sep="\n") for p in contrib.index]
    total_label = pick("合计", "total", lang, "\n")
    values = [*contrib.to_numpy(), float(contrib.sum())]
    colours = [BETTER if v < 0 else WORSE for v in values]
    positions = list(range(len(values)))[::-1]
    ax.barh(positions, values, color=colours, height=0.6)
    ax.set_yticks(positions, [*labels, total_label], fontsize=6.5)
    ax.axvline(0, color="black", lw=0.6)
    span = max(abs(v) for v in values) or 1.0
    for y, v in zip(positions, values, strict=True):
        ax.text(
            v + (0.03 * span if v >= 0 else -0.03 * span),
            y,
            f"{v:+.4f}",
            va="center",
            ha="left" if v >= 0 else "right",
            fontsize=6,
        )
    ax.set_xlim(-1.35 * span, 1.35 * span)
    ax.set_title(
        contributions_title(int(content.gap_scenario.index[-1]), lang), fontsize=8, loc="left"
    )
    ax.tick_params(axis="x", labelsize=6)
    ax.grid(axis="x", lw=0.3, color="#cccccc")


def chart_figures(content: BriefContent, lang: str = "zh") -> dict[str, Figure]:
    """Each briefing chart as its own slide-sized figure: ``gaps``, ``contributions``, ``map``."""
    from matplotlib import rc_context

    from jjjplan.maps import choropleth_figure

    out: dict[str, Figure] = {}
    with rc_context(figure_rc(lang)):
        for name, draw in (("gaps", draw_gap_chart), ("contributions", draw_contributions)):
            fig = Figure(figsize=(6.4, 3.6), dpi=150, layout="constrained")
            draw(fig.add_subplot(), content, lang)
            out[name] = fig
    out["map"] = choropleth_figure(
        content.results, "change", base=content.base, lang=lang, size=(4.8, 5.6)
    )
    return out
