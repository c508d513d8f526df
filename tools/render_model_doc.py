"""Refresh the generated tables in docs/model.md (parameters, data flags, calibration fit).

Why generated: the numbers in the document must be the numbers in the code. A test fails when
docs/model.md is stale; run ``python tools/render_model_doc.py`` to refresh it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jjjplan
from jjjplan import baseline, calibration
from jjjplan.assumptions import ASSUMPTIONS
from jjjplan.chains import CHAINS

DOC = Path(__file__).resolve().parents[1] / "docs" / "model.md"


def _fmt(v: float) -> str:
    return f"{v:g}"


def params_table() -> str:
    rows = [
        "| id | 名称 | name | value | low | high | unit | source | flag |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for a in ASSUMPTIONS:
        rows.append(
            f"| `{a.id}` | {a.name_zh} | {a.name_en} | {_fmt(a.value)} | {_fmt(a.low)} "
            f"| {_fmt(a.high)} | {a.unit} | {a.source} | {a.flag} |"
        )
    return "\n".join(rows)


def chains_table() -> str:
    rows = [
        "| chain | 产业链 | segments | size (亿元/yr) | VA ratio | flag |",
        "|---|---|---|---|---|---|",
    ]
    for c in CHAINS:
        segs = ", ".join(s.name_en for s in c.segments)
        rows.append(
            f"| {c.name_en} | {c.name_zh} | {segs} | {_fmt(c.size)} | "
            f"{_fmt(c.va_ratio)} | ASSUMPTION |"
        )
    return "\n".join(rows)


def data_table() -> str:
    t = baseline.base_year().table
    rows = [
        "| unit | GDP 2022 (亿元) | vintage | population 2022 (万人) | status | method |",
        "|---|---|---|---|---|---|",
    ]
    for code, r in t.iterrows():
        method = r.population_method or "published year-end figure"
        rows.append(
            f"| {code} | {r.gdp:,.1f} | {r.gdp_vintage} | {r.population:,.1f} | "
            f"{r.population_status} | {method} |"
        )
    counts = baseline.base_year().count_status()
    rows.append("")
    rows.append(
        f"Base year {baseline.BASE_YEAR}: {counts.get('sourced', 0)} sourced values, "
        f"{counts.get('estimate', 0)} estimates (GDP and population of 13 units)."
    )
    return "\n".join(rows)


def fit_tables() -> str:
    r = calibration.report()
    obs = calibration.observed_relative()
    out = [
        "Observed ln(y_i/ȳ) (ȳ over BJ+TJ+HE):",
        "",
        "| year | BJ | TJ | HE |",
        "|---|---|---|---|",
    ]
    for year, row in obs.iterrows():
        out.append(f"| {year} | {row.BJ:.4f} | {row.TJ:.4f} | {row.HE:.4f} |")
    out += [
        "",
        f"Fit 2014→2022 with β = {r.beta}: best ρ = **{r.rho_full}**. "
        "Per-province error of relative per-capita GDP (model vs observed, %):",
        "",
        "| year | province | observed | model | error % |",
        "|---|---|---|---|---|",
    ]
    for _, row in r.fit.iterrows():
        out.append(
            f"| {row.year} | {row.province} | {row.observed:.4f} | {row.model:.4f} | "
            f"{row.error_pct:+.2f} |"
        )
    out += [
        "",
        f"Out of sample: fit on 2014→2019 (best ρ = **{r.rho_in_sample}**), predict 2022 "
        "from observed 2019; compared with a no-change forecast (2022 = 2019):",
        "",
        "| province | observed 2022 | model 2022 | model error % | no-change error % |",
        "|---|---|---|---|---|",
    ]
    for _, row in r.out_of_sample.iterrows():
        out.append(
            f"| {row.province} | {row.observed_2022:.4f} | {row.model_2022:.4f} | "
            f"{row.model_error_pct:+.2f} | {row.no_change_error_pct:+.2f} |"
        )
    out += [
        "",
        "Identification: best ρ and RMSE (%) for other β values, fit 2014→2022:",
        "",
        "| β | best ρ | RMSE % |",
        "|---|---|---|",
    ]
    for _, row in r.beta_grid.iterrows():
        out.append(f"| {row.beta:g} | {row.best_rho:g} | {row.rmse_pct:.3f} |")
    return "\n".join(out)


def baseline_table() -> str:
    res = jjjplan.project(jjjplan.Scenario.baseline())
    g = res.gaps.join(res.ratios)
    out = [
        "| year | Theil T | between | within | Williamson CV | Gini | BJ/HE | TJ/HE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for year in (2022, 2025, 2030, 2035):
        r = g.loc[year]
        out.append(
            f"| {year} | {r.theil_t:.4f} | {r.theil_t_between:.4f} | "
            f"{r.theil_t_within:.4f} | {r.cv_weighted:.4f} | {r.gini_weighted:.4f} | "
            f"{r.bj_he_ratio:.3f} | {r.tj_he_ratio:.3f} |"
        )
    return "\n".join(out)


SECTIONS = {
    "params": params_table,
    "chains": chains_table,
    "data": data_table,
    "fit": fit_tables,
    "baseline": baseline_table,
}


def render(text: str) -> str:
    for name, fn in SECTIONS.items():
        pattern = re.compile(rf"(<!-- BEGIN:{name} -->\n)(?:.*?\n)?(<!-- END:{name} -->)", re.S)
        text = pattern.sub(lambda m, fn=fn: m.group(1) + fn() + "\n" + m.group(2), text)
    return text


def main() -> int:
    old = DOC.read_text(encoding="utf-8")
    new = render(old)
    if "--check" in sys.argv:
        return 0 if new == old else 1
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
