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
ROBUSTNESS_DRAWS = 300


def _fmt(v: float) -> str:
    return f"{v:g}"


def params_table() -> str:
    rows = [
        "| id | 名称 | name | value | low | high | unit | distribution | source / basis | flag |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for a in ASSUMPTIONS:
        rows.append(
            f"| `{a.id}` | {a.name_zh} | {a.name_en} | {_fmt(a.value)} | {_fmt(a.low)} "
            f"| {_fmt(a.high)} | {a.unit} | {a.distribution} | {a.source} | {a.flag} |"
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
    ds = baseline.dataset()
    t = ds.base_table()
    rows = [
        f"| unit | GDP {ds.base_year} (亿元, current) | vintage | population {ds.base_year} (万人) "
        "| status |",
        "|---|---|---|---|---|",
    ]
    for code, r in t.iterrows():
        rows.append(
            f"| {code} | {r.gdp:,.1f} | {r.gdp_vintage} | {r.population:,.1f} | "
            f"{r.gdp_status} / {r.population_status} |"
        )
    rows += ["", f"Vintage `{ds.vintage}`, observed years {', '.join(map(str, ds.years))}."]
    return "\n".join(rows)


def fit_tables() -> str:
    r = calibration.report()
    rel = calibration.relative_growth()
    out = [
        "Relative real GDP growth, unit minus national (log points):",
        "",
        "| year | BJ | TJ | HE |",
        "|---|---|---|---|",
    ]
    for year, row in rel.iterrows():
        out.append(f"| {year} | {row.BJ:+.4f} | {row.TJ:+.4f} | {row.HE:+.4f} |")
    fe = r.fixed_effects
    out += [
        "",
        f"Fixed effects (all observed years {', '.join(map(str, fe.years))}), log points/yr "
        "(standard error):",
        "",
        "| | BJ | TJ | HE |",
        "|---|---|---|---|",
        "| effect | "
        + " | ".join(f"{fe.effect[p]:+.4f} ({fe.std_error[p]:.4f})" for p in ("BJ", "TJ", "HE"))
        + " |",
        "",
        f"β from the pooled regression on lagged relative per-capita GDP ({r.beta.n_obs} "
        f"observations, {', '.join(map(str, r.beta.years))}): **β = {r.beta.beta:.4f} "
        f"(standard error {r.beta.std_error:.4f})**.",
        "",
        "Out of sample — mean absolute error of real GDP growth (percentage points), "
        "BJ/TJ/HE, every observed year after the fit window up to 2024:",
        "",
        "| fit window ends | fixed-effect model | national rate for every unit "
        "| own previous 5-year average | forecasts |",
        "|---|---|---|---|---|",
    ]
    for end, row in r.out_of_sample.iterrows():
        out.append(
            f"| {end} | {row.fixed_effects:.2f} | {row.national_rate:.2f} | "
            f"{row.own_5yr_average:.2f} | {int(row.n_forecasts)} |"
        )
    out += ["", f"Default baseline engine chosen by this table: **{r.default_rule}**."]
    return "\n".join(out)


def baseline_table() -> str:
    res = jjjplan.project(jjjplan.Scenario.baseline())
    g = res.gaps.join(res.ratios)
    out = [
        "| year | Theil T | between | within | Williamson CV | Gini | BJ/HE | TJ/HE "
        "| fiscal Theil T | fiscal BJ/HE |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for year in (2022, 2024, 2025, 2030, 2035):
        r = g.loc[year]
        out.append(
            f"| {year} | {r.theil_t:.4f} | {r.theil_t_between:.4f} | "
            f"{r.theil_t_within:.4f} | {r.cv_weighted:.4f} | {r.gini_weighted:.4f} | "
            f"{r.bj_he_ratio:.3f} | {r.tj_he_ratio:.3f} | {r.fiscal_theil_t:.4f} | "
            f"{r.fiscal_bj_he_ratio:.3f} |"
        )
    return "\n".join(out)


def _shipped():
    from jjjplan.excel.write.examples import example_scenarios

    return example_scenarios()


def scenarios_table() -> str:
    shipped = _shipped()
    batch = jjjplan.project_many(shipped)
    g = batch.indicators.xs(2035, level="year")
    gdp = batch.projection.gdp[:, -1].sum(axis=1)
    out = [
        "| scenario | Theil T | Δ vs baseline | Gini | BJ/HE | fiscal Theil T | fiscal BJ/HE "
        "| JJJ GDP vs baseline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k, s in enumerate(shipped):
        r = g.loc[k]
        out.append(
            f"| {s.name} | {r.theil_t:.4f} | {r.theil_t - g.loc[0].theil_t:+.4f} | "
            f"{r.gini_weighted:.4f} | {r.bj_he_ratio:.3f} | {r.fiscal_theil_t:.4f} | "
            f"{r.fiscal_bj_he_ratio:.3f} | {(gdp[k] / gdp[0] - 1) * 100:+.2f}% |"
        )
    return "\n".join(out)


def ranking_robustness(draws: int = ROBUSTNESS_DRAWS, seed: int = 20261130):
    """Rank of the shipped scenarios by 2035 Theil T over ``draws`` Latin-hypercube draws of
    every varying assumption (Assumption.ppf), common to all scenarios: one project_many."""
    from scipy.stats import qmc

    shipped = _shipped()
    varying = [a for a in ASSUMPTIONS if a.varies]
    u = qmc.LatinHypercube(d=len(varying), seed=seed).random(draws)
    values = {a.id: a.ppf(u[:, j]) for j, a in enumerate(varying)}
    members = [
        s.replace(assumptions={a: float(v[d]) for a, v in values.items()})
        for d in range(draws)
        for s in shipped
    ]
    theil = jjjplan.project_many(members).gaps["theil_t"].xs(2035, level="year").to_numpy()
    theil = theil.reshape(draws, len(shipped))
    central = jjjplan.project_many(shipped).gaps["theil_t"].xs(2035, level="year").to_numpy()
    return shipped, theil, central


def robustness_table() -> str:
    import numpy as np

    shipped, theil, central = ranking_robustness()
    central_rank = np.argsort(np.argsort(central))
    ranks = np.argsort(np.argsort(theil, axis=1), axis=1)
    same = (ranks == central_rank).all(axis=1).mean()
    out = [
        f"{theil.shape[0]} Latin-hypercube draws of all {sum(a.varies for a in ASSUMPTIONS)} "
        "varying coefficients (each from its own distribution), the same draws for every "
        f"scenario. The full six-way ranking equals the central one in **{same:.1%}** of draws.",
        "",
        "| scenario | central Theil T 2035 | 5% | 50% | 95% | central rank | share of draws at "
        "that rank | share below baseline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k, s in enumerate(shipped):
        q = np.percentile(theil[:, k], [5, 50, 95])
        at_rank = (ranks[:, k] == central_rank[k]).mean()
        below = (theil[:, k] < theil[:, 0]).mean() if k else float("nan")
        below_txt = "—" if k == 0 else f"{below:.1%}"
        out.append(
            f"| {s.name} | {central[k]:.4f} | {q[0]:.4f} | {q[1]:.4f} | {q[2]:.4f} | "
            f"{central_rank[k] + 1} | {at_rank:.1%} | {below_txt} |"
        )
    return "\n".join(out)


def origin_share_table() -> str:
    """The shipped reform scenario with the origin share at 0%, 50%, 100%: with the
    relocation response, and with it switched off (η = 0) to isolate the budget channel."""
    from dataclasses import replace

    from jjjplan.excel.write.examples import reform

    base = jjjplan.Scenario(name="r", reform=reform(), pathways=jjjplan.Pathways.only(["reform"]))
    members, labels = [], []
    for eta in ("literature η", "η = 0"):
        extra = {} if eta == "literature η" else {"eta_origin": 0.0, "eta_dest": 0.0}
        for share in (0.0, 0.5, 1.0):
            s = base.replace(reform=replace(base.reform, origin_share=share), assumptions=extra)
            members.append(s)
            labels.append((eta, share))
    b = jjjplan.project_many(members)
    g = b.gaps.xs(2035, level="year")
    out = [
        "| response | origin share | relocation factor | BJ receives | TJ pays | HE pays "
        "| budget change BJ / TJ / HE | fiscal Theil T | fiscal BJ/HE | Theil T | GDP BJ | GDP TJ "
        "| GDP HE |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    hebei = [i for i, u in enumerate(b.projection.units) if u not in ("BJ", "TJ")]
    for k, (eta, share) in enumerate(labels):
        p = b[k].projection
        led = p.ledger
        budget = " / ".join(f"{v:+.1f}" for v in led["budget_change"][-1])
        out.append(
            f"| {eta} | {share:.0%} | {p.relocation_factor:.3f} | "
            f"{led['shares_received'][-1, 0]:.1f} | {led['shares_paid'][-1, 1]:.1f} | "
            f"{led['shares_paid'][-1, 2]:.1f} | {budget} | {g.loc[k].fiscal_theil_t:.4f} | "
            f"{g.loc[k].fiscal_bj_he_ratio:.3f} | {g.loc[k].theil_t:.4f} | "
            f"{p.gdp[-1, 0]:,.0f} | {p.gdp[-1, 1]:,.0f} | {p.gdp[-1, hebei].sum():,.0f} |"
        )
    return "\n".join(out)


SECTIONS = {
    "params": params_table,
    "chains": chains_table,
    "data": data_table,
    "fit": fit_tables,
    "baseline": baseline_table,
    "scenarios": scenarios_table,
    "robustness": robustness_table,
    "origin": origin_share_table,
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
