"""The projection: annual, base year → 2035, for the 13 units. Pure function, no I/O.

Per unit i: y[t+1] = y[t] · exp(g_base + Δpoles + Δchain + Δinnov + Δreform), Y = y·P.
In code the pathway terms are applied as exact level changes of GDP (亿元, base-year
prices) and population (万人); docs/model.md gives the equations with symbols.

One engine: :func:`run` evaluates K scenarios at once along a leading member axis (levers
and assumptions may differ per member); :func:`project_arrays` is its K = 1 case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from jjjplan import baseline
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.model import pathways as pw
from jjjplan.model.inputs import Inputs, compile_inputs
from jjjplan.model.taxshare import (
    SharingRule,
    eligible_share,
    relocation_response,
    sharing_schedule,
)
from jjjplan.scenario import END_YEAR, Scenario

INCREMENTS = ("growth_poles", "chain_filling", "innovation", "reform")


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
    national_gdp: np.ndarray  # [T] 亿元, national GDP path (same prices)
    ledger: dict[str, np.ndarray] = field(default_factory=dict)  # name -> [T, 3 provinces]
    increments: dict[str, np.ndarray] = field(default_factory=dict)  # pathway -> [T, N] log pts


@dataclass(frozen=True)
class BatchProjection:
    """Raw arrays of K projections (leading axis K); ``member(k)`` is one Projection."""

    scenarios: tuple[Scenario, ...]
    years: np.ndarray
    units: tuple[str, ...]
    provinces: tuple[str, ...]
    gdp: np.ndarray  # [K, T, N]
    population: np.ndarray  # [K, T, N]
    relocated_out: np.ndarray  # [K, T]
    relocated_in: np.ndarray  # [K, T, N]
    relocation_factor: np.ndarray  # [K]
    pole_investment: np.ndarray  # [K, T, N]
    chain_va: np.ndarray  # [K, T, N]
    chain_sourcing: np.ndarray  # [K, C, T]
    tech_share: np.ndarray  # [K, T]
    tech_inflow: np.ndarray  # [K, T, N]
    tech_stock: np.ndarray  # [K, T, N]
    market_integration: np.ndarray  # [K, T]
    national_gdp: np.ndarray  # [K, T]
    ledger: dict[str, np.ndarray]  # name -> [K, T, 3]
    increments: dict[str, np.ndarray]  # pathway -> [K, T, N]

    def __len__(self) -> int:
        return len(self.scenarios)

    def member(self, k: int) -> Projection:
        return Projection(
            scenario=self.scenarios[k],
            years=self.years,
            units=self.units,
            provinces=self.provinces,
            gdp=self.gdp[k],
            population=self.population[k],
            relocated_out=self.relocated_out[k],
            relocated_in=self.relocated_in[k],
            relocation_factor=float(self.relocation_factor[k]),
            pole_investment=self.pole_investment[k],
            chain_va=self.chain_va[k],
            chain_sourcing={c.id: self.chain_sourcing[k, j] for j, c in enumerate(CHAINS)},
            tech_share=self.tech_share[k],
            tech_inflow=self.tech_inflow[k],
            tech_stock=self.tech_stock[k],
            market_integration=self.market_integration[k],
            national_gdp=self.national_gdp[k],
            ledger={name: arr[k] for name, arr in self.ledger.items()},
            increments={name: arr[k] for name, arr in self.increments.items()},
        )


def national_growth(a: dict[str, np.ndarray], national: np.ndarray, years) -> np.ndarray:
    """National per-capita real growth (log points) for the year ending at each t; [K, T],
    column 0 = 0. ``national``: 0 low, 1 central, 2 high path per member."""
    years = np.asarray(years)
    central = np.select(
        [years <= 2025, years <= 2030],
        [a["g_nat_central_2024_2025"][:, None], a["g_nat_central_2026_2030"][:, None]],
        a["g_nat_central_2031_2035"][:, None],
    )
    path = np.where(
        national[:, None] == 0,
        a["g_nat_low"][:, None],
        np.where(national[:, None] == 2, a["g_nat_high"][:, None], central),
    )
    rate = np.where(years <= 2023, a["g_nat_2023"][:, None], path)
    g = np.log1p(rate) - np.log1p(a["nat_pop_growth"])[:, None]
    g[:, 0] = 0.0
    return g


def convergence(y, ybar, y0, ybar0, beta, rho):
    """Conditional β-convergence term: β·(ln(y/ȳ) − ρ·ln(y0/ȳ0)), subtracted from growth."""
    return beta * (np.log(y / ybar) - rho * np.log(y0 / ybar0))


@dataclass(frozen=True)
class BaseData:
    """The observed starting point the engine needs (one dataset for the whole batch)."""

    base_year: int
    units: tuple[str, ...]
    provinces: tuple[str, ...]
    gdp: np.ndarray  # [N] 亿元 base-year prices
    population: np.ndarray  # [N] 万人
    distances: np.ndarray  # [N, N] km
    national_gdp: float  # 亿元, base year


def base_data() -> BaseData:
    by = baseline.base_year()
    return BaseData(
        base_year=baseline.BASE_YEAR,
        units=baseline.unit_codes(),
        provinces=tuple(baseline.units()["province"]),
        gdp=by.gdp,
        population=by.population,
        distances=baseline.distances_km(),
        national_gdp=pw.NATIONAL_GDP_BASE,
    )


def _start_values(inp: Inputs, data: BaseData) -> tuple[np.ndarray, np.ndarray]:
    k_n = len(inp.scenarios)
    gdp0 = np.broadcast_to(data.gdp, (k_n, len(data.units))).copy()
    pop0 = np.broadcast_to(data.population, (k_n, len(data.units))).copy()
    for k in inp.overrides:
        for unit, vals in inp.scenarios[k].baseline_overrides.items():
            i = data.units.index(unit)
            gdp0[k, i] = vals.get("gdp", gdp0[k, i])
            pop0[k, i] = vals.get("population", pop0[k, i])
    return gdp0, pop0


def run(scenarios: Sequence[Scenario], data: BaseData | None = None) -> BatchProjection:
    """Run the model for K scenarios at once (switched-off pathways keep current policy)."""
    data = base_data() if data is None else data
    units, prov = data.units, data.provinces
    n = len(units)
    bj = units.index("BJ")
    years = np.arange(data.base_year, END_YEAR + 1)
    T = len(years)
    inp = compile_inputs(scenarios, units, data.base_year, tuple(int(y) for y in years))
    a = inp.a
    K = len(inp.scenarios)
    prov_idx = np.array([PROVINCES.index(p) for p in prov])
    in_prov = np.stack([prov_idx == j for j in range(len(PROVINCES))]).astype(float)  # [3, N]

    gdp0, pop0 = _start_values(inp, data)
    g_nat = national_growth(a, inp.national, years)
    n_trend = np.log1p(np.column_stack([a[f"pop_trend_{p}"] for p in prov]))  # [K, N]

    # -- exogenous pathway paths (scenario and current-policy reference) -------------------
    w = inp.weights
    w_dest = pw.destination_split(w, bj)
    w_dest_ref = pw.destination_split(inp.weights_ref[None, :], bj)
    rule = SharingRule(**inp.rule)
    rule_ref = SharingRule(**inp.rule_ref)
    factor, _ = relocation_response(rule, rule_ref, a)
    factor = np.broadcast_to(np.asarray(factor, dtype=float), (K,))
    reloc = inp.relocation * factor[:, None]
    reloc_ref = inp.relocation_ref
    invest = inp.investment
    chain_dev, sourcing = pw.chain_value_added(inp, a)  # [K, T, 3], [K, C, T]
    base_split = np.where(np.arange(n) == bj, 0.0, gdp0)
    base_split = base_split / base_split.sum(axis=1, keepdims=True)
    tech_share = pw.tech_share_path(inp.tech_share, years)
    tech_share_ref = pw.tech_share_path(inp.tech_share_ref[None, :], years)
    flow, stock = pw.tech_stock(a, years, tech_share, inp.absorption, w_dest, base_split)
    _, stock_ref = pw.tech_stock(
        a, years, tech_share_ref, inp.absorption_ref[None, :], w_dest_ref, base_split
    )
    mi, mi_ref = inp.market_integration, inp.market_integration_ref

    with np.errstate(divide="ignore", invalid="ignore"):
        dln_stock = np.where(stock[:, 1:] > 0, np.log(stock[:, 1:] / stock[:, :-1]), 0.0)
        dln_ref = np.where(stock_ref[:, 1:] > 0, np.log(stock_ref[:, 1:] / stock_ref[:, :-1]), 0.0)
    d_innov = np.concatenate(
        [np.zeros((K, 1, n)), a["eps_tech"][:, None, None] * (dln_stock - dln_ref)], axis=1
    )

    beta, rho = a["beta_conv"][:, None], a["gap_persistence"]
    phi, m_local = a["phi_backfill"], a["m_local"][:, None]
    migrants_per_va = (a["mig_share"] / a["labour_productivity"])[:, None]  # 万人 per 亿元
    decay = np.exp(-data.distances[None, :, :] / a["d_decay"][:, None, None])
    decay[:, np.arange(n), np.arange(n)] = 0.0
    spill_weights = a["lambda_spill"][:, None, None] * decay * w[:, None, :]  # [K, j, k]
    alpha, cap = a["alpha_agglo"][:, None], a["pop_cap_bj"]
    inv_yield = a["inv_yield"][:, None]
    mi_elast = a["mi_level_elast"]

    gdp = np.empty((K, T, n))
    pop = np.empty((K, T, n))
    gdp[:, 0], pop[:, 0] = gdp0, pop0
    invest_amount = np.zeros((K, T, n))
    chain_va = np.zeros((K, T, n))
    incr = {p: np.zeros((K, T, n)) for p in INCREMENTS}
    rel0 = np.log(
        (gdp0 / pop0) / (gdp0.sum(axis=1, keepdims=True) / pop0.sum(axis=1, keepdims=True))
    )  # ln(y0/ȳ0)
    dest = w_dest[:, :]
    exp_trend = np.exp(n_trend)

    for t in range(1, T):
        Y, P = gdp[:, t - 1], pop[:, t - 1]
        ybar = Y.sum(axis=1, keepdims=True) / P.sum(axis=1, keepdims=True)
        # market integration lowers the structural part of today's gaps (never below 0)
        rho_t = np.maximum(rho - a["mi_rho_gain"] * (mi[:, t] - mi_ref[:, t]), 0.0)[:, None]
        g_base = g_nat[:, t, None] - beta * (np.log(Y / P / ybar) - rho_t * rel0)
        P_b = P * exp_trend
        Y_b = Y * np.exp(g_base + n_trend)

        # growth poles: relocation (difference from current policy) and extra investment
        out_dev = reloc[:, t] - reloc_ref[t]
        arrive_dev = reloc[:, t, None] * dest - reloc_ref[t] * w_dest_ref
        add_poles = arrive_dev * (1.0 + m_local)
        add_poles[:, bj] -= out_dev * (1.0 - phi)
        invest_amount[:, t] = invest[:, t, None] * Y.sum(axis=1, keepdims=True) * w
        add_poles += invest_amount[:, t] * inv_yield * (1.0 + m_local)
        moved = migrants_per_va * arrive_dev
        moved[:, bj] -= migrants_per_va[:, 0] * out_dev
        P_new = P_b + moved
        excess = np.maximum(P_new[:, bj] - cap, 0.0)  # the cap binds: excess settles in poles
        P_new[:, bj] -= excess
        P_new += excess[:, None] * dest
        agglo = (P_new / P_b) ** alpha

        # chain filling: provincial value added, allocated by GDP share within the province
        by_prov = Y_b[:, None, :] * in_prov[None]  # [K, 3, N]
        shares = by_prov / by_prov.sum(axis=2, keepdims=True)
        chain_va[:, t] = np.einsum("kp,kpn->kn", chain_dev[:, t], shares)

        level_innov = np.exp(d_innov[:, t])
        level_reform = np.exp(
            mi_elast * ((mi[:, t] - mi[:, t - 1]) - (mi_ref[:, t] - mi_ref[:, t - 1]))
        )[:, None]
        Y_new = (Y_b + add_poles + chain_va[:, t]) * agglo * level_innov * level_reform
        # distance-decayed spill-over of the poles' pathway-induced extra growth
        extra = np.log(Y_new / Y_b)
        spill = np.einsum("kjn,kn->kj", spill_weights, extra)
        Y_new = Y_new * np.exp(spill)

        bad = ~((Y_new > 0).all(axis=1) & (P_new > 0).all(axis=1))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            who = f"member {k} ({inp.scenarios[k].name}), " if K > 1 else ""
            raise ValueError(
                f"{who}{years[t]}: projected GDP or population fell to zero or below "
                "(relocation or chain targets too large for a unit's economy)"
            )
        gdp[:, t], pop[:, t] = Y_new, P_new
        incr["growth_poles"][:, t] = np.log1p(add_poles / Y_b) + np.log(agglo) + spill
        incr["chain_filling"][:, t] = np.log1p(chain_va[:, t] / (Y_b + add_poles))
        incr["innovation"][:, t] = d_innov[:, t]
        incr["reform"][:, t] = np.log(level_reform) + beta * (rho_t - rho[:, None]) * rel0

    national = data.national_gdp * np.exp(
        np.cumsum(g_nat + np.log1p(a["nat_pop_growth"])[:, None] * (years > years[0]), axis=1)
    )
    reloc_in = reloc[:, :, None] * w_dest[:, None, :]
    ledger = fiscal_ledger(a, rule, reloc_in, gdp, in_prov)
    return BatchProjection(
        scenarios=inp.scenarios,
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
        tech_share=tech_share,
        tech_inflow=flow,
        tech_stock=stock,
        market_integration=mi,
        national_gdp=national,
        ledger=ledger,
        increments=incr,
    )


def project_arrays(scenario: Scenario, data: BaseData | None = None) -> Projection:
    """Run the model for one scenario: the K = 1 case of :func:`run`."""
    return run([scenario], data).member(0)


def _cohort_matrix(values: np.ndarray) -> np.ndarray:
    """[K, T, T] matrix M with M[k, t, t0] = values[k, t − t0 − 1] for t > t0, else 0:
    receipts in year t of a cohort that moved in year t0 (sharing starts the year after)."""
    T = values.shape[1]
    lag = np.arange(T)[:, None] - np.arange(T)[None, :] - 1  # t − t0 − 1
    valid = lag >= 0
    m = np.where(valid[None], values[:, np.clip(lag, 0, T - 1)], 0.0)
    return m


def fiscal_ledger(a, rule: SharingRule, relocated_in, gdp, in_prov) -> dict[str, np.ndarray]:
    """Per province and year (亿元): own revenue + shares received − shares paid + central
    compensation = net revenue. Only Beijing is an origin; Tianjin and Hebei pay shares for
    the eligible firms that moved to them. Arrays [K, T, 3]."""
    T = gdp.shape[1]
    sched = sharing_schedule(rule, T, a["post_move_tax_growth"], a["comp_frac"])
    elig = eligible_share(rule.eligibility_threshold, a["firm_tax_pareto"], a["firm_tax_min"])
    # The 2015 rule shares only government-led moves (the relocation lever). Extending it
    # to market-driven moves adds their firms, in proportion, to the shared base; the
    # eligibility threshold applies either way.
    gov_only = np.asarray(rule.government_led_only, dtype=bool)
    coverage = np.where(gov_only, 1.0, 1.0 + a["market_reloc_ratio"])
    covered = (elig * coverage)[:, None, None] * relocated_in  # [K, T, N] shared-tax VA
    tau_pre = a["tax_local_per_va"][:, None, None] * covered  # cohort tax per year of move
    origin = np.einsum("kts,ksn->ktn", _cohort_matrix(sched.origin), tau_pre)
    firm_tax = np.einsum("kts,ksn->ktn", _cohort_matrix(sched.firm_tax), tau_pre)
    comp = np.einsum("kts,ks->kt", _cohort_matrix(sched.compensation), tau_pre.sum(axis=2))
    gdp_prov = gdp @ in_prov.T  # [K, T, 3]
    ratios = np.column_stack([a[f"fiscal_ratio_{p}"] for p in PROVINCES])  # [K, 3]
    own = gdp_prov * ratios[:, None, :]
    paid = origin @ in_prov.T
    bj = PROVINCES.index("BJ")
    received = np.zeros_like(paid)
    received[:, :, bj] = origin.sum(axis=2)
    compensation = np.zeros_like(paid)
    compensation[:, :, bj] = comp
    return {
        "own_revenue": own,
        "shares_received": received,
        "shares_paid": paid,
        "compensation": compensation,
        "net_revenue": own + received - paid + compensation,
        "shared_firm_tax": firm_tax @ in_prov.T,
        "destination_keeps": (firm_tax - origin) @ in_prov.T,
    }
