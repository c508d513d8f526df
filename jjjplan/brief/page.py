"""Lay the briefing out on one A4 page (portrait): heading, key-figure table and map, gap
chart and pathway contributions, fiscal ledger and the assumptions caveat, and a footer with
version, base-year data and the SHA-256 of every input.

Tables are drawn as text on a grid (not ``ax.table``) so long Chinese labels can be wrapped
by display width — Chinese has no spaces for a word wrapper to break at.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from matplotlib.figure import Figure

from jjjplan.brief.charts import draw_contributions, draw_gap_chart
from jjjplan.brief.content import KEY_YEARS, LEDGER_ITEMS, BriefContent, KeyFigure
from jjjplan.brief.fonts import figure_rc
from jjjplan.brief.lang import check_lang, pick
from jjjplan.excel.write import styles
from jjjplan.maps.figure import draw_legend, draw_map, map_title
from jjjplan.maps.geometry import BOUNDARY_SOURCE
from jjjplan.maps.values import MEASURES, map_values
from jjjplan.results import VARIABLES

A4_PORTRAIT = (8.27, 11.69)
#: Short ledger headings (the workbook's long names do not fit six columns).
LEDGER_LABELS = {
    "own_revenue": ("本级收入", "own revenue"),
    "shares_received": ("分享收入", "shares in"),
    "shares_paid": ("分享支出", "shares out"),
    "net_revenue": ("净收入", "net revenue"),
}
GOOD, BAD, NEUTRAL = "#2f7d3b", "#b23a35", "#333333"
RULE = "#999999"


# ------------------------------------------------------------------------------- text helpers
def display_width(text: str) -> int:
    """Columns a string takes: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> str:
    """Wrap ``text`` at ``width`` display columns, breaking English at spaces and Chinese
    anywhere (never inside an English word when a space is near)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if line and display_width(line + token) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return "\n".join(lines)


def _tokens(text: str) -> list[str]:
    """Words with their trailing space, and single CJK characters."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
            if ch == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    return tokens


# ------------------------------------------------------------------------------- formatting
def _number(value: float, number_format: str) -> str:
    if number_format == styles.INDEX:
        return f"{value:.4f}"
    if number_format == styles.RATIO:
        return f"{value:.3f}"
    return f"{value:,.0f}"


def _signed(value: float, number_format: str) -> str:
    text = _number(abs(value), number_format)
    return ("+" if value > 0 else "-" if value < 0 else "±") + text


def unit_label(figure: KeyFigure, lang: str) -> str:
    fmt, unit = figure.indicator.number_format, figure.indicator.unit
    if fmt == styles.INDEX:
        return pick("指数", "index", lang, "\n")
    if fmt == styles.RATIO:
        return pick("比值", "ratio", lang, "\n")
    if unit == VARIABLES["gdp"][2]:
        return pick("亿元", "100m yuan", lang, "\n")
    if unit == VARIABLES["gdp_per_capita"][2]:
        return pick("元/人", "yuan/person", lang, "\n")
    return unit


# ------------------------------------------------------------------------------- blocks
def _table(fig: Figure, rect, header: list[str], rows: list[list[tuple[str, str]]], widths):
    """A text grid in ``rect`` (figure fraction): ``rows`` of (text, colour) cells."""
    x0, y0, w, h = rect
    n = len(rows) + 1
    row_h = h / n
    xs = [x0]
    for share in widths[:-1]:
        xs.append(xs[-1] + share * w)
    top = y0 + h
    fig.add_artist(_rule(fig, x0, top, w, lw=0.8))
    for k, text in enumerate(header):
        fig.text(
            xs[k] + 0.003,
            top - row_h / 2,
            text,
            va="center",
            fontsize=6.2,
            ha="left",
        )
    fig.add_artist(_rule(fig, x0, top - row_h, w, lw=0.5))
    for i, row in enumerate(rows, start=1):
        y = top - row_h * (i + 0.5)
        for k, (text, colour) in enumerate(row):
            fig.text(
                xs[k] + 0.003,
                y,
                text,
                va="center",
                fontsize=6.2,
                color=colour,
                ha="left",
                linespacing=1.0,
            )
    fig.add_artist(_rule(fig, x0, y0, w, lw=0.8))


def _rule(fig: Figure, x: float, y: float, width: float, lw: float):
    from matplotlib.lines import Line2D

    return Line2D([x, x + width], [y, y], transform=fig.transFigure, color=RULE, lw=lw)


def _key_rows(content: BriefContent, lang: str) -> list[list[tuple[str, str]]]:
    final = KEY_YEARS[-1]
    rows = []
    for fig in content.key_figures:
        ind = fig.indicator
        better = fig.improved(final)
        colour = NEUTRAL if better is None else GOOD if better else BAD
        fmt = ind.number_format
        rows.append(
            [
                (wrap(pick(ind.zh, ind.en, lang, "\n"), 30 if lang != "both" else 34), NEUTRAL),
                (unit_label(fig, lang), NEUTRAL),
                *((_number(fig.scenario[y], fmt), NEUTRAL) for y in KEY_YEARS),
                (_number(fig.baseline[final], fmt), NEUTRAL),
                (_signed(fig.delta(final), fmt), colour),
            ]
        )
    return rows


def _key_header(lang: str) -> list[str]:
    final = KEY_YEARS[-1]
    return [
        pick("关键指标", "Key figure", lang, " "),
        pick("单位", "unit", lang, " "),
        *(f"{y}\n" + pick("情景", "scenario", lang, "\n") for y in KEY_YEARS),
        f"{final}\n" + pick("基准", "baseline", lang, "\n"),
        pick("差值", "Δ", lang, " "),
    ]


def _ledger_block(fig: Figure, rect, content: BriefContent, lang: str) -> None:
    from jjjplan.baseline import PROVINCE_NAMES

    year = int(content.gap_scenario.index[-1])
    fig.text(
        rect[0],
        rect[1] + rect[3] + 0.012,
        pick(f"{year}年财政账户（亿元）", f"Fiscal ledger {year} (100m yuan)", lang, " / "),
        fontsize=8,
        ha="left",
        va="bottom",
    )
    header = [pick("省市", "province", lang, " ")]
    header += [pick(*LEDGER_LABELS[k], lang, "\n") for k in LEDGER_ITEMS]
    header.append(pick("净收入较基准", "net vs base", lang, "\n"))
    rows = []
    for prov in content.ledger.index:
        values = content.ledger.loc[prov]
        delta = values["net_revenue"] - content.ledger_baseline.loc[prov, "net_revenue"]
        colour = NEUTRAL if abs(delta) < 0.05 else GOOD if delta > 0 else BAD
        rows.append(
            [
                (pick(*PROVINCE_NAMES[prov], lang, " "), NEUTRAL),
                *((f"{values[k]:,.0f}", NEUTRAL) for k in LEDGER_ITEMS),
                (f"{delta:+,.1f}", colour),
            ]
        )
    _table(fig, rect, header, rows, [0.16, 0.17, 0.17, 0.17, 0.16, 0.17])


def caveat_text(content: BriefContent, lang: str) -> str:
    zh = (
        f"本简报为情景推演，不是预测。模型为透明的简化模型；{content.assumption_count}个参数中"
        f"{content.assumption_flagged}个无可靠估计，标为“假设”（ASSUMPTION），取值及上下限见结果"
        "工作簿“来源”表。差值为相对于现行政策基准的政策效应（相同参数、全国增长路径与基期数据）。"
        "路径贡献为精确Shapley分解。"
    )
    en = (
        "A scenario exploration, not a forecast. The model is a transparent reduced form; "
        f"{content.assumption_flagged} of its {content.assumption_count} coefficients have no "
        "reliable estimate and are flagged ASSUMPTION (values and ranges: the results "
        "workbook's Provenance sheet). Δ is the effect of policy against current policy under "
        "the same coefficients, national path and base-year data; contributions are exact "
        "Shapley shares."
    )
    if content.bands is None:
        zh += "未做参数不确定性分析（无区间）。"
        en += " No uncertainty run: no bands."
    return pick(zh, en, lang, "\n")


def _chunks(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def _footer(content: BriefContent, lang: str) -> str:
    lines = [
        pick(
            f"jjjplan {content.version} · 数据版本 {content.vintage}，基期 {content.base_year} 年"
            f"（来源与口径见结果工作簿“来源”表）· 生成日期 {date.today().isoformat()}",
            f"jjjplan {content.version} · data vintage {content.vintage}, base year "
            f"{content.base_year} (sources in the results workbook's Provenance) · "
            f"{date.today().isoformat()}",
            lang,
            "\n",
        ),
        pick(
            "情景代码（jjjplan template --code 可重建）",
            "scenario code (jjjplan template --code)",
            lang,
            " / ",
        ),
        *_chunks(content.code, 110),  # a long code breaks over lines; decoding ignores spaces
    ]
    for name, digest in content.inputs:
        lines.append(f"{pick('输入', 'input', lang, ' / ')} {name}  SHA-256 {digest}")
    lines.append(pick(*BOUNDARY_SOURCE, lang, "\n"))
    return "\n".join(lines)


# ------------------------------------------------------------------------------- the page
def compose_page(content: BriefContent, lang: str = "zh") -> Figure:
    """The one-page A4 briefing as a matplotlib figure (save with ``save_figure``)."""
    from matplotlib import rc_context

    check_lang(lang)
    with rc_context(figure_rc(lang)):
        fig = Figure(figsize=A4_PORTRAIT, dpi=100)
        s = content.results.scenario
        fig.text(
            0.04,
            0.975,
            pick(
                "京津冀产业协同情景简报",
                "JJJ industrial coordination — scenario briefing",
                lang,
                " / ",
            ),
            fontsize=13,
            va="top",
        )
        fig.text(
            0.04,
            0.948,
            pick("情景", "Scenario", lang, " ") + "：" + s.name,
            fontsize=9,
            va="top",
        )
        fig.text(
            0.04,
            0.930,
            pick(
                f"预测期 {content.base_year}–2035，对照现行政策基准；货币按{content.base_year}年"
                "不变价；绿色 = 改善，红色 = 恶化",
                f"Projection {content.base_year}–2035 against current policy; money at "
                f"{content.base_year} prices; green = better, red = worse",
                lang,
                "\n",
            ),
            fontsize=6.5,
            va="top",
            color="#444444",
        )
        _table(
            fig,
            (0.04, 0.60, 0.56, 0.29),
            _key_header(lang),
            _key_rows(content, lang),
            [0.41, 0.15, 0.11, 0.11, 0.12, 0.10],
        )
        measure = MEASURES["change"]
        final = int(content.gap_scenario.index[-1])
        values = map_values(content.results, "change", final, base=content.base)
        ax_map = fig.add_axes((0.61, 0.615, 0.37, 0.30))
        mappable = draw_map(ax_map, values, measure, lang, label_size=5)
        fig.text(
            0.795, 0.92, map_title(measure, final, lang), ha="center", fontsize=7.5, va="bottom"
        )
        draw_legend(fig, (0.66, 0.60, 0.27, 0.009), mappable, lang)
        draw_gap_chart(fig.add_axes((0.09, 0.345, 0.38, 0.19)), content, lang)
        draw_contributions(fig.add_axes((0.64, 0.345, 0.32, 0.19)), content, lang)
        _ledger_block(fig, (0.04, 0.16, 0.48, 0.10), content, lang)
        fig.text(
            0.56,
            0.272,
            pick("假设与说明", "Assumptions and caveats", lang, " / "),
            fontsize=8,
            va="bottom",
        )
        fig.text(
            0.56,
            0.262,
            wrap(caveat_text(content, lang), 58),
            fontsize=6.2,
            va="top",
            linespacing=1.3,
        )
        fig.add_artist(_rule(fig, 0.04, 0.115, 0.92, lw=0.5))
        fig.text(
            0.04,
            0.108,
            wrap(_footer(content, lang), 150),
            fontsize=5.4,
            va="top",
            color="#444444",
            linespacing=1.3,
        )
    return fig
