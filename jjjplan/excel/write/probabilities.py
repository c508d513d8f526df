"""The comparison workbook's 概率 Probabilities sheet: rank probabilities on common draws.

Written when the planner asks for draws (``jjjplan compare --draws N``). For each headline gap
measure and milestone year: the probability of each rank (1 = smallest gap), of beating the
baseline, and a verdict; then, for 2035, the pairwise matrix "row lower than column". A
probability between 40% and 60% is a coin flip: the cell is marked and labelled 不确定 /
undecided.
"""

from __future__ import annotations

from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.excel.catalogue import bilingual, word
from jjjplan.excel.write import styles
from jjjplan.excel.write.sheetio import add_table, header, note, put, section, title
from jjjplan.gaps import GAP_MEASURE_LABELS
from jjjplan.results import RATIO_LABELS
from jjjplan.scenario import MILESTONE_YEARS
from jjjplan.uncertainty.compare import UNDECIDED, UNDECIDED_RANGE, RobustComparison

PROBABILITIES = "概率 Probabilities"
#: Outcomes shown (all "lower is better"), in the order of the headline indicators.
SHOWN = ("theil_t", "theil_t_between", "theil_t_within", "cv_weighted", "gini_weighted",
         "bj_he_ratio", "tj_he_ratio")  # fmt: skip
PAIRWISE_OUTCOMES = ("theil_t", "bj_he_ratio")
UNDECIDED_FILL = PatternFill("solid", fgColor="FFEB9C")
UNDECIDED_FONT = Font(color="9C5700")
PERCENT = styles.PERCENT


def _label(outcome: str) -> str:
    return bilingual(*(GAP_MEASURE_LABELS.get(outcome) or RATIO_LABELS[outcome]))


def is_undecided(p: float) -> bool:
    lo, hi = UNDECIDED_RANGE
    return lo <= p <= hi


def _mark(ws: Worksheet, row: int, col: int) -> None:
    cell = ws.cell(row=row, column=col)
    cell.fill = UNDECIDED_FILL
    cell.font = UNDECIDED_FONT


def _rank_table(ws: Worksheet, c: RobustComparison, first: int) -> int:
    """One row per (outcome, year, scenario); returns the last row."""
    n = len(c.names)
    years = [y for y in MILESTONE_YEARS if y in set(c.years.tolist())]
    labels = [
        word("indicator"), word("year"), word("scenario"),
        *(f"P(第{r}名 rank {r})" for r in range(1, n + 1)),
        "P(优于基准 better than baseline)", "判断 Verdict",
    ]  # fmt: skip
    header(ws, first, 1, labels)
    ranks = c.ranks.set_index(["outcome", "year", "scenario", "rank"])["probability"]
    vb = c.vs_baseline.set_index(["outcome", "year", "scenario"])
    row = first
    for outcome in SHOWN:
        for year in years:
            for name in c.names:
                row += 1
                put(ws, row, 1, _label(outcome))
                put(ws, row, 2, int(year))
                put(ws, row, 3, name)
                for r in range(1, n + 1):
                    put(ws, row, 3 + r, float(ranks.loc[(outcome, year, name, r)]), PERCENT)
                p = float(vb.loc[(outcome, year, name), "probability"])
                put(ws, row, 4 + n, p, PERCENT)
                put(ws, row, 5 + n, vb.loc[(outcome, year, name), "verdict"])
                if is_undecided(p):
                    _mark(ws, row, 4 + n)
                    _mark(ws, row, 5 + n)
    add_table(ws, "RankProbabilities", first, row, len(labels))
    return row


def _pairwise(ws: Worksheet, c: RobustComparison, outcome: str, year: int, first: int) -> int:
    """Matrix P(row scenario lower than column scenario); returns the last row."""
    section(ws, first, f"{year}年 {_label(outcome)}：P(行情景低于列情景 row lower than column)",
            len(c.names) + 1)  # fmt: skip
    header(ws, first + 1, 1, [word("scenario"), *c.names])
    pw = c.pairwise
    pw = pw[(pw.outcome == outcome) & (pw.year == year)].set_index(["scenario", "other"])
    for i, a in enumerate(c.names, start=first + 2):
        put(ws, i, 1, a).font = styles.HEADER_FONT
        for j, b in enumerate(c.names, start=2):
            if a == b:
                put(ws, i, j, "—")
                continue
            p = float(pw.loc[(a, b), "probability"])
            put(ws, i, j, p, PERCENT)
            if is_undecided(p):
                _mark(ws, i, j)
    return first + 1 + len(c.names)


def write_probability_sheet(ws: Worksheet, c: RobustComparison) -> None:
    """Fill ``ws`` with the rank probabilities and pairwise matrices of ``c``."""
    title(ws, f"{PROBABILITIES}（{c.draws} 次共同参数抽样 / {c.draws} common assumption draws）")
    lo, hi = UNDECIDED_RANGE
    first = next(iter(c.ensembles.values()))
    note(
        ws, 2,
        f"所有情景使用同一组参数抽样（共同随机数），差异只来自政策。基准情景：{c.baseline}。"
        f"抽样方法 method: {first.method}；随机种子 seed: {first.seed}。"
        f" / Every scenario is projected on the same draws (common random numbers), so a "
        f"difference is the effect of policy. Baseline: {c.baseline}.",
    )  # fmt: skip
    note(
        ws, 3,
        f"指标越低差距越小；第1名 = 差距最小。概率在 {lo:.0%}–{hi:.0%} 之间标为“{UNDECIDED}”"
        f"（黄色）。 / Lower = smaller gap; rank 1 = smallest. Probabilities between "
        f"{lo:.0%} and {hi:.0%} are marked {UNDECIDED} (amber).",
    )  # fmt: skip
    last = _rank_table(ws, c, 5)
    row = last + 3
    end = int(c.years[-1])
    for outcome in PAIRWISE_OUTCOMES:
        row = _pairwise(ws, c, outcome, end, row) + 2
    ws.freeze_panes = "D6"
    styles.set_widths(ws, {"A": 30, "B": 8, "C": 28})
    styles.set_widths(ws, dict.fromkeys(range(4, 6 + len(c.names)), 16))
