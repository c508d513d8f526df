"""The projection: annual, base year → 2035, for the 13 units. Pure function, no I/O.

Per unit i: y[t+1] = y[t] · exp(g_base + Δpoles + Δchain + Δinnov + Δreform), Y = y·P.
In code the pathway terms are applied as exact level changes of GDP (亿元, base-year
prices) and population (万人); docs/model.md gives the equations with symbols.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from jjjplan import baseline
from jjjplan.chains import PROVINCES
from jjjplan.model import pathways as pw
from jjjplan.model.taxshare import (
    SharingRule,
    eligible_share,
    relocation_response,
    sharing_schedule,
)
from jjjplan.scenario import END_YEAR, Scenario


@dataclass(frozen=True)
class Projection:
    """Raw arrays of one projection; index 0 along time is the base year."""

    scenario: Scenario
    years: np.ndarray
    units: tuple[str, ...]
    provinces: tuple[str, ...]  # province of each unit
    gdp: np.ndarray  # [T, N] 亿元, base-year prices
    population: np.ndarray  # [T, N] 万人
    relocated_out: np.ndarray  # [T] 亿元 leaving Beijing (absolute, scenario)
    relocated_in: np.ndarray  # [T, N] 亿元 arriving (absolute, scenario)
    relocation_factor: float  # fiscal response of government-led relocation vs current rule
    pole_investment: np.ndarray  # [T, N] 亿元 extra pole investment
    chain_va: np.ndarray  # [T, N] 亿元 added by chain filling (vs current policy)
    chain_sourcing: dict[str, np.ndarray]  # chain id -> intra-region sourcing share [T]
    tech_share: np.ndarray  # [T]
    tech_inflow: np.ndarray  # [T, N] 亿元
    tech_stock: np.ndarray  # [T, N] 亿元
    market_integration: np.ndarray  # [T]
    ledger: dict[str, np.ndarray] = field(default_factory=dict)  # name -> [T, 3 provinces]
    increments: dict[str, np.ndarray] = field(default_factory=dict)  # pathway -> [T, N] log pts


def national_growth(s: Scenario, years: np.ndarray) -> np.ndarray:
    """National per-capita real growth (log points) for the year ending at each t; [0] = 0."""
    a = s.assumptions
    g = np.zeros(len(years))
    for t, year in enumerate(years[1:], start=1):
        if year <= 2023:
            rate = a["g_nat_2023"]
        elif s.national_path == "low":
            rate = a["g_nat_low"]
        elif s.national_path == "high":
            rate = a["g_nat_high"]
        elif year <= 2025:
            rate = a["g_nat_central_2024_2025"]
        elif year <= 2030:
            rate = a["g_nat_central_2026_2030"]
        else:
            rate = a["g_nat_central_2031_2035"]
        g[t] = np.log1p(rate) - np.log1p(a["nat_pop_growth"])
    return g


def convergence(y, ybar, y0, ybar0, beta, rho):
    """Conditional β-convergence term: β·(ln(y/ȳ) − ρ·ln(y0/ȳ0)), subtracted from growth."""
    return beta * (np.log(y / ybar) - rho * np.log(y0 / ybar0))


@lru_cache(maxsize=64)
def _reference(assumptions, national_path: str) -> Scenario:
    """Current-policy levers under the scenario's own assumptions and national path."""
    return Scenario.baseline().replace(assumptions=assumptions, national_path=national_path)


def _rule(s: Scenario) -> SharingRule:
    r = s.reform
    return SharingRule(
        r.origin_share,
        int(r.share_years),
        int(r.ext_years),
        r.cap_multiple,
        r.eligibility_threshold,
        bool(r.government_led_only),
    )


def _base_data(s: Scenario) -> tuple[np.ndarray, np.ndarray]:
    by = baseline.base_year()
    gdp, pop = by.gdp.copy(), by.population.copy()
    codes = list(by.table.index)
    for unit, vals in s.baseline_overrides.items():
        i = codes.index(unit)
        gdp[i] = vals.get("gdp", gdp[i])
        pop[i] = vals.get("population", pop[i])
    return gdp, pop


def project_arrays(scenario: Scenario) -> Projection:
    """Run the model for one scenario (switched-off pathways keep current policy)."""
    s = scenario.effective()
    ref = _reference(s.assumptions, s.national_path)
    a = s.assumptions
    units = baseline.unit_codes()
    prov = tuple(baseline.units()["province"])
    n = len(units)
    bj = units.index("BJ")
    years = np.arange(baseline.BASE_YEAR, END_YEAR + 1)
    T = len(years)
    prov_idx = np.array([PROVINCES.index(p) for p in prov])
    in_prov = np.stack([prov_idx == k for k in range(len(PROVINCES))])  # [3, N]

    gdp0, pop0 = _base_data(s)
    g_nat = national_growth(s, years)
    n_trend = np.log1p(np.array([a[f"pop_trend_{p}"] for p in prov]))
    dist = baseline.distances_km()

    # -- exogenous pathway paths (scenario and current-policy reference) -------------------
    w, w_dest = pw.pole_weights(s, units)
    _, w_dest_ref = pw.pole_weights(ref, units)
    factor, _ = relocation_response(_rule(s), _rule(ref), dict(a))
    reloc = pw.relocation_lever(s, years) * factor
    reloc_ref = pw.relocation_lever(ref, years)
    invest = pw.investment_intensity(s, years)
    chain_add, sourcing = pw.chain_value_added(s, years)
    chain_ref, _ = pw.chain_value_added(ref, years)
    chain_dev = chain_add - chain_ref  # [T, 3]
    base_split = np.where(np.arange(n) == bj, 0.0, gdp0)
    base_split = base_split / base_split.sum()
    flow, stock = pw.tech_stock(s, years, w_dest, base_split)
    _, stock_ref = pw.tech_stock(ref, years, w_dest_ref, base_split)
    mi = pw.market_integration(s, years)
    mi_ref = pw.market_integration(ref, years)

    with np.errstate(divide="ignore", invalid="ignore"):
        dln_stock = np.where(stock[1:] > 0, np.log(stock[1:] / stock[:-1]), 0.0)
        dln_stock_ref = np.where(stock_ref[1:] > 0, np.log(stock_ref[1:] / stock_ref[:-1]), 0.0)
    d_innov = np.vstack([np.zeros(n), a["eps_tech"] * (dln_stock - dln_stock_ref)])

    beta, rho = a["beta_conv"], a["gap_persistence"]
    phi, m_local = a["phi_backfill"], a["m_local"]
    migrants_per_va = a["mig_share"] / a["labour_productivity"]  # 万人 per 亿元
    decay = np.exp(-dist / a["d_decay"])
    np.fill_diagonal(decay, 0.0)
    spill_weights = a["lambda_spill"] * decay * w[None, :]  # [j, k]

    gdp = np.empty((T, n))
    pop = np.empty((T, n))
    gdp[0], pop[0] = gdp0, pop0
    invest_amount = np.zeros((T, n))  # 亿元 invested in each pole
    chain_va = np.zeros((T, n))
    incr = {p: np.zeros((T, n)) for p in ("growth_poles", "chain_filling", "innovation", "reform")}
    y0 = gdp0 / pop0
    ybar0 = gdp0.sum() / pop0.sum()

    for t in range(1, T):
        Y, P = gdp[t - 1], pop[t - 1]
        y = Y / P
        ybar = Y.sum() / P.sum()
        # market integration lowers the structural part of today's gaps (never below 0)
        rho_t = max(rho - a["mi_rho_gain"] * (mi[t] - mi_ref[t]), 0.0)
        g_base = g_nat[t] - convergence(y, ybar, y0, ybar0, beta, rho_t)
        P_b = P * np.exp(n_trend)
        Y_b = Y * np.exp(g_base + n_trend)

        # growth poles: relocation (difference from current policy) and extra investment
        out_dev = reloc[t] - reloc_ref[t]
        arrive_dev = reloc[t] * w_dest - reloc_ref[t] * w_dest_ref
        add_poles = arrive_dev * (1.0 + m_local)
        add_poles[bj] -= out_dev * (1.0 - phi)
        invest_amount[t] = invest[t] * Y.sum() * w
        add_poles += invest_amount[t] * a["inv_yield"] * (1.0 + m_local)
        moved = migrants_per_va * arrive_dev
        moved[bj] -= migrants_per_va * out_dev
        P_new = P_b + moved
        excess = P_new[bj] - a["pop_cap_bj"]
        if excess > 0:  # the cap binds: the excess settles in the destination poles
            P_new[bj] -= excess
            P_new += excess * w_dest
        agglo = (P_new / P_b) ** a["alpha_agglo"]

        # chain filling: provincial value added, allocated by GDP share within the province
        shares = Y_b * in_prov / (Y_b * in_prov).sum(axis=1, keepdims=True)  # [3, N]
        chain_va[t] = chain_dev[t] @ shares

        level_innov = np.exp(d_innov[t])
        level_reform = np.exp(
            a["mi_level_elast"] * ((mi[t] - mi[t - 1]) - (mi_ref[t] - mi_ref[t - 1]))
        )
        Y_new = (Y_b + add_poles + chain_va[t]) * agglo * level_innov * level_reform
        # distance-decayed spill-over of the poles' pathway-induced extra growth
        extra = np.log(Y_new / Y_b)
        spill = spill_weights @ extra
        Y_new = Y_new * np.exp(spill)

        if not np.all(Y_new > 0) or not np.all(P_new > 0):
            raise ValueError(
                f"{years[t]}: projected GDP or population fell to zero or below "
                "(relocation or chain targets too large for a unit's economy)"
            )
        gdp[t], pop[t] = Y_new, P_new
        incr["growth_poles"][t] = np.log1p(add_poles / Y_b) + np.log(agglo) + spill
        incr["chain_filling"][t] = np.log1p(chain_va[t] / (Y_b + add_poles))
        incr["innovation"][t] = d_innov[t]
        incr["reform"][t] = np.log(level_reform) + beta * (rho_t - rho) * np.log(y0 / ybar0)

    reloc_in = reloc[:, None] * w_dest[None, :]
    proj = Projection(
        scenario=scenario,
        years=years,
        units=units,
        provinces=prov,
        gdp=gdp,
        population=pop,
        relocated_out=reloc,
        relocated_in=reloc_in,
        relocation_factor=factor,
        pole_investment=invest_amount,
        chain_va=chain_va,
        chain_sourcing=sourcing,
        tech_share=pw.tech_share_path(s, years),
        tech_inflow=flow,
        tech_stock=stock,
        market_integration=mi,
        increments=incr,
    )
    proj.ledger.update(fiscal_ledger(s, proj, in_prov))
    return proj


def fiscal_ledger(s: Scenario, proj: Projection, in_prov: np.ndarray) -> dict[str, np.ndarray]:
    """Per province and year (亿元): own revenue + shares received − shares paid + central
    compensation = net revenue. Only Beijing is an origin; Tianjin and Hebei pay shares for
    the eligible firms that moved to them."""
    a = s.assumptions
    T = len(proj.years)
    rule = _rule(s)
    sched = sharing_schedule(rule, T, a["post_move_tax_growth"], a["comp_frac"])
    elig = eligible_share(rule.eligibility_threshold, a["firm_tax_pareto"], a["firm_tax_min"])
    # The 2015 rule shares only government-led moves (the relocation lever). Extending it
    # to market-driven moves adds their firms, in proportion, to the shared base; the
    # eligibility threshold applies either way.
    coverage = 1.0 if rule.government_led_only else 1.0 + a["market_reloc_ratio"]
    covered = elig * coverage * proj.relocated_in  # [T, N] VA whose taxes are shared
    tau_pre = a["tax_local_per_va"] * covered  # cohort tax per year of move, [T, N]
    origin = np.zeros((T, proj.gdp.shape[1]))
    comp = np.zeros(T)
    firm_tax = np.zeros((T, proj.gdp.shape[1]))
    for t0 in range(T):  # cohorts moving in year t0 share from t0 + 1 on
        k = T - t0 - 1
        if k <= 0:
            continue
        origin[t0 + 1 :] += np.outer(sched.origin[:k], tau_pre[t0])
        firm_tax[t0 + 1 :] += np.outer(sched.firm_tax[:k], tau_pre[t0])
        comp[t0 + 1 :] += sched.compensation[:k] * tau_pre[t0].sum()
    gdp_prov = proj.gdp @ in_prov.T  # [T, 3]
    ratios = np.array([a[f"fiscal_ratio_{p}"] for p in PROVINCES])
    own = gdp_prov * ratios
    paid = origin @ in_prov.T  # destination provinces pay the origin's share
    received = np.zeros_like(paid)
    received[:, PROVINCES.index("BJ")] = origin.sum(axis=1)
    compensation = np.zeros_like(paid)
    compensation[:, PROVINCES.index("BJ")] = comp
    return {
        "own_revenue": own,
        "shares_received": received,
        "shares_paid": paid,
        "compensation": compensation,
        "net_revenue": own + received - paid + compensation,
        "shared_firm_tax": firm_tax @ in_prov.T,
        "destination_keeps": (firm_tax - origin) @ in_prov.T,
    }
