"""The projection: observed years, then annual steps from the base year to 2035, 13 units.

One engine: :func:`run` evaluates K scenarios at once along a leading member axis (levers
and assumptions may differ per member); :func:`project_arrays` is its K = 1 case.

Per unit i and year t after the base year (docs/model.md has the equations and sources):

* baseline: real GDP grows at the national rate (the better naive rule out of sample),
  optionally plus estimated unit fixed effects, with β-convergence towards a structural
  share ρ of today's gap; the baseline state is policy-free;
* policy shifts the level persistently: the scenario grows at the baseline's rate from its
  own (shifted) level, so convergence does not erode policy effects;
* relocation moves value added *and* its multiplier from Beijing to the destinations (net
  of backfill), within one yearly capacity per province shared with chain filling;
* pole investment builds a depreciating capital stock financed by provincial debt whose
  service is a budget cost;
* the tax-sharing ledger and the debt service change each province's budget, which moves
  GDP through a fiscal multiplier and public capital.

All money is in constant prices of the dataset's base year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from jjjplan import baseline
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.model import pathways as pw
from jjjplan.model.inputs import compile_inputs
from jjjplan.model.taxshare import (
    Schedule,
    SharingRule,
    eligible_share,
    joint_schedules,
    relocation_response,
)
from jjjplan.scenario import END_YEAR, Scenario


@dataclass(frozen=True)
class Projection:
    """Raw arrays of one projection; time runs over the observed years then to 2035."""

    scenario: Scenario
    years: np.ndarray
    base_year: int
    vintage: str
    price_basis: str
    units: tuple[str, ...]
    provinces: tuple[str, ...]  # province of each unit
    gdp: np.ndarray  # [T, N] 亿元, base-year prices
    population: np.ndarray  # [T, N] 万人
    relocated_out: np.ndarray  # [T] 亿元 leaving Beijing (absolute, scenario)
    relocated_in: np.ndarray  # [T, N] 亿元 arriving (absolute, scenario)
    relocation_factor: float  # fiscal response of government-led relocation vs current rule
    pole_investment: np.ndarray  # [T, N] 亿元 extra pole investment
    pole_capital: np.ndarray  # [T, N] 亿元 depreciated stock of extra pole investment
    chain_va: np.ndarray  # [T, N] 亿元 added by chain filling (vs current policy)
    chain_sourcing: dict[str, np.ndarray]  # chain id -> intra-region sourcing share [T]
    tech_share: np.ndarray  # [T]
    tech_inflow: np.ndarray  # [T, N] 亿元 (base-year prices)
    tech_stock: np.ndarray  # [T, N] 亿元 (base-year prices)
    market_integration: np.ndarray  # [T]
    national_gdp: np.ndarray  # [T] 亿元, national GDP path (same prices)
    deflator: np.ndarray  # [T] price level relative to the base year (current = constant × it)
    ledger: dict[str, np.ndarray] = field(default_factory=dict)  # name -> [T, 3 provinces]
    data: BaseData | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class BatchProjection:
    """Raw arrays of K projections (leading axis K); ``member(k)`` is one Projection."""

    scenarios: tuple[Scenario, ...]
    years: np.ndarray
    base_year: int
    vintage: str
    price_basis: str
    units: tuple[str, ...]
    provinces: tuple[str, ...]
    gdp: np.ndarray  # [K, T, N]
    population: np.ndarray  # [K, T, N]
    relocated_out: np.ndarray  # [K, T]
    relocated_in: np.ndarray  # [K, T, N]
    relocation_factor: np.ndarray  # [K]
    pole_investment: np.ndarray  # [K, T, N]
    pole_capital: np.ndarray  # [K, T, N]
    chain_va: np.ndarray  # [K, T, N]
    chain_sourcing: np.ndarray  # [K, C, T]
    tech_share: np.ndarray  # [K, T]
    tech_inflow: np.ndarray  # [K, T, N]
    tech_stock: np.ndarray  # [K, T, N]
    market_integration: np.ndarray  # [K, T]
    national_gdp: np.ndarray  # [K, T]
    deflator: np.ndarray  # [K, T]
    ledger: dict[str, np.ndarray]  # name -> [K, T, 3]
    data: BaseData | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.scenarios)

    def member(self, k: int) -> Projection:
        return Projection(
            scenario=self.scenarios[k],
            years=self.years,
            base_year=self.base_year,
            vintage=self.vintage,
            price_basis=self.price_basis,
            units=self.units,
            provinces=self.provinces,
            gdp=self.gdp[k],
            population=self.population[k],
            relocated_out=self.relocated_out[k],
            relocated_in=self.relocated_in[k],
            relocation_factor=float(self.relocation_factor[k]),
            pole_investment=self.pole_investment[k],
            pole_capital=self.pole_capital[k],
            chain_va=self.chain_va[k],
            chain_sourcing={c.id: self.chain_sourcing[k, j] for j, c in enumerate(CHAINS)},
            tech_share=self.tech_share[k],
            tech_inflow=self.tech_inflow[k],
            tech_stock=self.tech_stock[k],
            market_integration=self.market_integration[k],
            national_gdp=self.national_gdp[k],
            deflator=self.deflator[k],
            ledger={name: arr[k] for name, arr in self.ledger.items()},
            data=self.data,
        )


# -- data ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BaseData:
    """The observed starting point (one dataset for the whole batch)."""

    vintage: str
    base_year: int
    years: tuple[int, ...]  # observed years, years[-1] == base_year
    units: tuple[str, ...]
    provinces: tuple[str, ...]
    gdp: np.ndarray  # [To, N] 亿元 at constant base-year prices
    population: np.ndarray  # [To, N] 万人
    distances: np.ndarray  # [N, N] km
    national_gdp: float  # 亿元, base year
    price_basis: str
    fixed_effects: np.ndarray  # [N] estimated relative growth per unit (log points/yr)


_BASE_CACHE: dict[int, tuple[object, BaseData]] = {}


def base_data(dataset: baseline.Dataset) -> BaseData:
    """The engine's view of a Dataset (cached per Dataset object)."""
    hit = _BASE_CACHE.get(id(dataset))
    if hit is not None and hit[0] is dataset:
        return hit[1]
    from jjjplan.calibration import unit_fixed_effects

    units = tuple(dataset.units)
    provinces = tuple(baseline.units().loc[list(units), "province"])
    data = BaseData(
        vintage=dataset.vintage,
        base_year=int(dataset.base_year),
        years=tuple(int(y) for y in dataset.years),
        units=units,
        provinces=provinces,
        gdp=np.asarray(dataset.gdp, dtype=float),
        population=np.asarray(dataset.population, dtype=float),
        distances=baseline.distances_km(),
        national_gdp=float(dataset.national_gdp),
        price_basis=dataset.price_basis,
        fixed_effects=unit_fixed_effects(provinces),
    )
    if len(_BASE_CACHE) > 16:
        _BASE_CACHE.clear()
    _BASE_CACHE[id(dataset)] = (dataset, data)
    return data


def resolve_data(scenarios: Sequence[Scenario], data=None) -> BaseData:
    """One dataset for the batch: ``data`` (None / path / Dataset) in the scenarios' vintage."""
    vintages = {s.data_vintage for s in scenarios}
    if len(vintages) > 1:
        names = ", ".join(sorted(str(v) for v in vintages))
        raise ValueError(
            f"一次运行只能使用一个数据版本，发现：{names} / one run uses one data vintage; "
            f"the scenarios name several: {names}"
        )
    return base_data(baseline.resolve(data, vintages.pop()))


# -- national path -------------------------------------------------------------------------
def national_growth(a: dict[str, np.ndarray], national: np.ndarray, years, base_year: int):
    """National real GDP growth (log points) of the year ending at each t; [K, T], column
    0 = 0. Observed years use the observed rates; ``national``: 0 low, 1 central, 2 high."""
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
    rate = np.where((years == 2024) & (years <= base_year), a["g_nat_2024"][:, None], path)
    rate = np.where(years <= 2023, a["g_nat_2023"][:, None], rate)
    g = np.log1p(rate)
    g[:, 0] = 0.0
    return g


def _province_sum(x: np.ndarray, in_prov: np.ndarray) -> np.ndarray:
    """Sums over each province's units: [..., N] -> [..., 3] (``x @ in_prov.T``).

    Big batches sum contiguous unit runs instead: a matmul with thousands of rows is handed
    to threaded BLAS, which on a shared machine waits for cores it does not get."""
    if x.size < 65536:
        return x @ in_prov.T
    starts = np.argmax(in_prov > 0, axis=1)  # first unit of each province
    sizes = np.diff(starts, append=x.shape[-1])
    if starts[0] == 0 and (sizes > 0).all() and (in_prov.sum(axis=1) == sizes).all():
        return np.add.reduceat(x, starts, axis=-1)
    return x @ in_prov.T


def _wide(column: np.ndarray, width: int) -> np.ndarray:
    """A [K, 1] column as a contiguous [K, width] array (same values)."""
    return np.ascontiguousarray(np.broadcast_to(column, (len(column), width)))


@cache
def _province_membership(provinces: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(province index of each unit [N], 0/1 membership [3, N]), built once per layout."""
    prov_idx = np.array([PROVINCES.index(p) for p in provinces])
    in_prov = np.stack([prov_idx == j for j in range(len(PROVINCES))]).astype(float)
    prov_idx.setflags(write=False)
    in_prov.setflags(write=False)
    return prov_idx, in_prov


class _Columns:
    """``col[id]`` is assumption ``id`` as a [K, 1] column (made on use, not for all 68)."""

    def __init__(self, a: dict[str, np.ndarray]) -> None:
        self.a = a

    def __getitem__(self, key: str) -> np.ndarray:
        return self.a[key][:, None]


def _rule(inp) -> tuple[SharingRule, SharingRule]:
    return SharingRule(**inp.rule), SharingRule(**inp.rule_ref)


# -- the engine ----------------------------------------------------------------------------
def run(scenarios: Sequence[Scenario], data=None) -> BatchProjection:
    """Run the model for K scenarios at once (switched-off pathways keep current policy)."""
    scenarios = list(scenarios)
    bd = data if isinstance(data, BaseData) else resolve_data(scenarios, data)
    units, prov = bd.units, bd.provinces
    n = len(units)
    bj = units.index("BJ")
    years = np.arange(bd.years[0], END_YEAR + 1)
    T, To = len(years), len(bd.years)
    b = To - 1  # index of the base year
    inp = compile_inputs(scenarios, units, bd.base_year, tuple(int(y) for y in years))
    a = inp.a
    K = len(inp.scenarios)
    prov_idx, in_prov = _province_membership(prov)  # [N], [3, N]

    # -- observed years (overrides replace the base-year values) --------------------------
    gdp = np.empty((T, K, n))
    pop = np.empty((T, K, n))
    gdp[:To] = bd.gdp[:, None, :]
    pop[:To] = bd.population[:, None, :]
    for k in inp.overrides:
        for unit, vals in inp.scenarios[k].baseline_overrides.items():
            i = units.index(unit)
            gdp[b, k, i] = vals.get("gdp", gdp[b, k, i])
            pop[b, k, i] = vals.get("population", pop[b, k, i])
    gdp0, pop0 = gdp[b].copy(), pop[b].copy()

    g_nat = national_growth(a, inp.national, years, bd.base_year)  # [K, T]
    n_trend = np.log1p(np.column_stack([a[f"pop_trend_{p}"] for p in prov]))  # [K, N]
    deflator = np.exp(np.log1p(a["deflator_growth"])[:, None] * (years - bd.base_year))
    cum = np.cumsum(g_nat, axis=1)
    national = bd.national_gdp * np.exp(cum - cum[:, b : b + 1])

    # -- exogenous pathway paths -----------------------------------------------------------
    w = inp.weights
    w_dest = pw.destination_split(w, bj)
    w_dest_ref = pw.destination_split(inp.weights_ref[None, :], bj)
    rule, rule_ref = _rule(inp)
    # both rules' yearly schedules in one pass, long enough for the engine and the response
    horizon = max(T, int(np.max(a["fiscal_horizon"])))
    both = joint_schedules([rule, rule_ref], K, horizon, a["post_move_tax_growth"], a["comp_frac"])
    factor, _ = relocation_response(rule, rule_ref, a, (both[0], both[1]))
    factor = np.broadcast_to(np.asarray(factor, dtype=float), (K,))
    reloc = inp.relocation * factor[:, None]  # [K, T] scenario relocation (before capacity)
    reloc_ref = inp.relocation_ref  # [T]
    chain_dev, sourcing = pw.chain_value_added(inp, a)  # [K, T, 3], [K, C, T]
    gdp_split = pw.destination_split(gdp0, bj)  # destinations' GDP shares (base year)
    tech_split = np.where(np.isnan(inp.tech_split), gdp_split, inp.tech_split)
    tech_share = pw.tech_share_path(inp.tech_share, years)
    tech_share_ref = pw.tech_share_path(inp.tech_share_ref[None, :], years)
    turnover = pw.tech_turnover(a, years, deflator)
    # scenario and current-policy stocks in one perpetual-inventory pass (stacked members,
    # time-major [T, 2K, N])
    twice = {key: np.tile(a[key], 2) for key in ("delta_tech", "tech_flow_growth_hist")}
    flow_tm, stock_tm = pw.tech_stock(
        twice,
        np.tile(turnover, (2, 1)),
        np.concatenate([tech_share, np.broadcast_to(tech_share_ref, tech_share.shape)]),
        np.concatenate([inp.absorption, np.broadcast_to(inp.absorption_ref, (K, T))]),
        np.concatenate([tech_split, np.broadcast_to(gdp_split, tech_split.shape)]),
        np.tile(gdp_split, (2, 1)),
    )
    flow, stock = flow_tm[:, :K].swapaxes(0, 1), stock_tm[:, :K].swapaxes(0, 1)  # [K, T, N]
    own, ref = stock_tm[:, :K], stock_tm[:, K:]
    mi, mi_ref = inp.market_integration, inp.market_integration_ref
    with np.errstate(divide="ignore", invalid="ignore"):
        dln = np.where(own[1:] > 0, np.log(own[1:] / own[:-1]), 0.0)  # [T-1, K, N]
        dln_ref = np.where(ref[1:] > 0, np.log(ref[1:] / ref[:-1]), 0)
    d_innov = np.zeros((T, K, n))
    d_innov[1:] = a["eps_tech"][None, :, None] * (dln - dln_ref)

    # -- coefficients ----------------------------------------------------------------------
    col = _Columns(a)
    beta, rho = col["beta_conv"], col["gap_persistence"]
    m1 = 1.0 + col["m_local"]
    gain = 1.0 + col["reloc_productivity_gain"]
    migrants_per_va = col["mig_share"] / col["labour_productivity"]  # 万人 per 亿元
    decay = np.exp(-bd.distances[None, :, :] / a["d_decay"][:, None, None])
    decay[:, np.arange(n), np.arange(n)] = 0.0
    spill_weights = a["lambda_spill"][:, None, None] * decay * w[:, None, :]  # [K, j, k]
    cap = a["pop_cap_bj"]
    fe = col["fe_weight"] * bd.fixed_effects[None, :]
    delta_k = col["delta_capital"]
    fiscal_m = col["fiscal_multiplier"]
    pubcap_mp = col["pubcap_elasticity"] / col["pubcap_ratio"]  # yuan of GDP per yuan
    gov_only = rule.government_led_only.astype(bool)
    coverage = np.where(gov_only, 1.0, 1.0 + a["market_reloc_ratio"])
    elig = eligible_share(rule.eligibility_threshold, a["firm_tax_pareto"], a["firm_tax_min"])
    elig_ref = eligible_share(
        rule_ref.eligibility_threshold, a["firm_tax_pareto"], a["firm_tax_min"]
    )
    tax_va = a["tax_local_per_va"]
    sched, sched_ref = _schedules(both[0], T), _schedules(both[1], T)

    # reference (current-policy) sharing: arrivals at the reference split, no capacity limit
    ref_in = reloc_ref[None, :, None] * w_dest_ref[:, None, :]  # [1, T, N]
    ref_tau = (elig_ref * 1.0 * tax_va)[:, None, None] * ref_in  # shared-tax base per cohort
    # scenario [0] and reference [1] sharing side by side, computed by the same operations so
    # that they cancel exactly when they agree. Receipts in year t from the cohort that moved
    # in t0 < t are schedule[t − t0 − 1]: over t0 = 0..t−1 that is the schedule reversed,
    # i.e. the last t entries of the reversed schedule (no [K, T, T] matrix in the loop).
    rev_origin = np.stack([sched["origin"], sched_ref["origin"]])[:, :, None, ::-1].copy()
    rev_comp = np.stack([sched["compensation"], sched_ref["compensation"]])[:, :, None, ::-1]
    rev_comp = rev_comp.copy()  # [2, K, 1, T]

    # -- everything that does not depend on the projected state, for all years at once ----
    # (the loop below then costs a few array operations per year, whatever K is)
    x0 = np.log((gdp0 / pop0) / (gdp0.sum(1, keepdims=True) / pop0.sum(1, keepdims=True)))
    e_n = np.exp(n_trend)  # [K, N] yearly population growth factor
    gfe = (g_nat[:, :, None] + fe[:, None, :]).swapaxes(0, 1)  # [T, K, N] national + FE
    conv_target = (1.0 - rho) * x0  # structural share ρ of today's gap kept
    sum0 = gdp0.sum(1, keepdims=True)
    ref_arrive = reloc_ref[:, None] * w_dest_ref  # [T, N] current-policy arrivals
    arrive0 = (reloc[:, :, None] * w_dest[:, None, :]).swapaxes(0, 1) - ref_arrive[:, None]
    arrive_up = arrive0 > 0  # [T, K, N] deviations the capacity limit may scale down
    chain_t = chain_dev.swapaxes(0, 1)  # [T, K, 3] 亿元 before capacity
    chain_up = chain_t > 0
    m1_arr = m1 * np.ones((1, n))
    extra = _province_sum(np.maximum(arrive0, 0.0) * m1_arr, in_prov) + np.maximum(chain_t, 0.0)
    extra_div = np.where(extra > 0, extra, 1.0)  # [T, K, 3] demand on each capacity
    # market integration: growth effect and a smaller structural gap (persistent)
    d_mi = np.diff(mi, axis=1, prepend=mi[:, :1]) - np.diff(mi_ref, axis=1, prepend=mi_ref[:, :1])
    rho_cut = a["mi_rho_gain"][:, None] * (mi - mi_ref)  # [K, T]
    reform = (a["mi_level_elast"][:, None] * d_mi)[:, :, None] - beta[:, :, None] * np.minimum(
        rho_cut[:, :, None], rho[:, :, None]
    ) * x0[:, None, :]  # [K, T, N]
    shock = np.exp(d_innov + reform.swapaxes(0, 1))  # [T, K, N] technology and reform
    invest_w = (inp.investment[:, :, None] * w[:, None, :]).swapaxes(0, 1)  # [T, K, N]
    cap_share = a["capacity_share"][:, None]
    backfill = m1[:, 0] * (1.0 - a["phi_backfill"])
    mig_bj = migrants_per_va[:, 0]
    alpha = col["alpha_agglo"]
    inv_yield = col["inv_yield"]
    service_rate = col["debt_rate"] + delta_k
    pubinv = a["pubinv_share"][:, None]
    keep = 1.0 - delta_k  # capital (pole and public) left after depreciation
    m1_gain = m1 * gain
    bj_p = PROVINCES.index("BJ")
    spill_op = np.ascontiguousarray(spill_weights)
    in_prov_t = np.ascontiguousarray(in_prov.T)
    # [K, 1] coefficient columns widened to the arrays they multiply in the loop: a column
    # broadcast over 13 units runs a short inner loop per member, a full array one flat loop
    # (tau_rate: shared-tax base per 亿元 moved)
    beta, alpha, m1_gain, migrants_per_va, inv_yield, service_rate, tau_rate = (
        _wide(x, n) for x in (beta, alpha, m1_gain, migrants_per_va, inv_yield, service_rate,
                              (elig * coverage * tax_va)[:, None])
    )  # fmt: skip
    keep_n, keep_3 = _wide(keep, n), _wide(keep, 3)
    cap_share, pubinv, fiscal_m, pubcap_mp = (
        _wide(x, 3) for x in (cap_share, pubinv, fiscal_m, pubcap_mp)
    )

    # -- state -----------------------------------------------------------------------------
    y_core = gdp0.copy()  # persistent level (baseline path × policy shift)
    yb = gdp0.copy()  # policy-free baseline GDP (its population is the national-rate path)
    relocated_in = np.zeros((T, K, n))
    relocated_in[:To] = reloc_ref[:To, None, None] * w_dest_ref[None]
    invest_amount = np.zeros((T, K, n))
    pole_capital = np.zeros((T, K, n))
    chain_va = np.zeros((T, K, n))
    tau2 = np.zeros((2, K, T, n))  # shared-tax base of each cohort (year of move), scenario/ref
    tau2[1] = ref_tau
    tau = tau2[0]
    tau[:, :To] = (elig * coverage * tax_va)[:, None, None] * relocated_in[:To].swapaxes(0, 1)
    tau_total = np.zeros((2, K, T, 1))  # tau2 summed over units (scenario filled year by year)
    tau_total[0, :, :To, 0] = tau[:, :To].sum(axis=2)
    tau_total[1, :, :, 0] = ref_tau.sum(axis=2)
    budget_dev = np.zeros((T, K, 3))
    pubcap = np.zeros((K, 3))

    for t in range(To, T):
        # baseline: national rate (+ fixed effects), convergence to ρ × today's gap. Relative
        # to the national-rate reference (same population path), the gap term is
        # ln(yb/gdp0) − ln(Σyb/Σgdp0): the population terms cancel.
        x_diff = np.log((yb / gdp0) * (sum0 / yb.sum(1, keepdims=True)))
        growth = np.exp(gfe[t] - beta * (x_diff + conv_target))
        yb = yb * growth
        P_b = pop[t - 1] * e_n
        Y = y_core * growth  # policy shift carried: not eroded by convergence

        # relocation and chain filling share one yearly capacity per province
        Y_prov = Y @ in_prov_t  # [K, 3]
        room = cap_share * Y_prov
        scale = np.where(extra[t] > room, room / extra_div[t], 1.0)  # [K, 3]
        arrive_dev = np.where(arrive_up[t], arrive0[t] * (scale @ in_prov), arrive0[t])
        out_dev = arrive_dev.sum(axis=1)
        add = arrive_dev * m1_gain  # value added and its multiplier arrive...
        add[:, bj] -= out_dev * backfill  # ...and leave Beijing
        relocated_in[t] = ref_arrive[t] + arrive_dev
        P_new = P_b + migrants_per_va * arrive_dev
        P_new[:, bj] -= mig_bj * out_dev
        excess = np.maximum(P_new[:, bj] - cap, 0.0)  # the cap binds: excess settles in poles
        P_new[:, bj] -= excess
        P_new += excess[:, None] * w_dest
        chain_prov = np.where(chain_up[t], chain_t[t] * scale, chain_t[t])
        chain_va[t] = (chain_prov / Y_prov)[:, prov_idx] * Y  # by each unit's GDP share

        Y_new = (Y + add + chain_va[t]) * (P_new / P_b) ** alpha * shock[t]
        spill = np.matmul(spill_op, np.log(Y_new / Y)[:, :, None])[:, :, 0]
        y_core = Y_new * np.exp(spill)

        # pole investment: a depreciating stock financed by the pole's province (debt)
        invest_amount[t] = invest_w[t] * y_core.sum(1, keepdims=True)
        pole_capital[t] = keep_n * pole_capital[t - 1] + invest_amount[t]

        # the fiscal ledger of this year's cohorts and the budget channel
        tau[:, t] = tau_rate * relocated_in[t]
        tau_total[0, :, t, 0] = tau[:, t].sum(axis=1)
        # net sharing receipts (received − paid + compensation) of the cohorts that moved
        # before t, scenario and reference at once; Beijing is the only origin
        origin = np.matmul(rev_origin[..., T - t :], tau2[:, :, :t])[:, :, 0]  # [2, K, N]
        comp = np.matmul(rev_comp[..., T - t :], tau_total[:, :, :t])[:, :, 0, 0]  # [2, K]
        sharing = -(origin @ in_prov_t)
        sharing[..., bj_p] += origin.sum(axis=2) + comp
        budget_dev[t] = sharing[0] - sharing[1] - service_rate * pole_capital[t - 1] @ in_prov_t
        pubcap = keep_3 * pubcap + pubinv * budget_dev[t]
        fiscal = fiscal_m * budget_dev[t] + pubcap_mp * pubcap  # [K, 3] 亿元 this year
        # spread over units by their share of the province's GDP
        fiscal_units = (fiscal / (y_core @ in_prov_t))[:, prov_idx] * y_core
        Y_t = y_core + fiscal_units + inv_yield * pole_capital[t]

        if not (Y_t.min() > 0.0 and P_new.min() > 0.0):  # NaN fails too
            bad = ~((Y_t > 0).all(axis=1) & (P_new > 0).all(axis=1))
            k = int(np.flatnonzero(bad)[0])
            who = f"member {k} ({inp.scenarios[k].name}), " if K > 1 else ""
            raise ValueError(
                f"{who}{years[t]}: projected GDP or population fell to zero or below "
                "(relocation or chain targets too large for a unit's economy)"
            )
        gdp[t], pop[t] = Y_t, P_new

    relocated = relocated_in.swapaxes(0, 1)
    ledger = fiscal_ledger(a, sched, tau, gdp.swapaxes(0, 1), in_prov)
    ledger["budget_change"] = budget_dev.swapaxes(0, 1)
    return BatchProjection(
        scenarios=inp.scenarios,
        years=years,
        base_year=bd.base_year,
        vintage=bd.vintage,
        price_basis=bd.price_basis,
        units=units,
        provinces=prov,
        gdp=gdp.swapaxes(0, 1),
        population=pop.swapaxes(0, 1),
        relocated_out=relocated.sum(axis=2),
        relocated_in=relocated,
        relocation_factor=factor,
        pole_investment=invest_amount.swapaxes(0, 1),
        pole_capital=pole_capital.swapaxes(0, 1),
        chain_va=chain_va.swapaxes(0, 1),
        chain_sourcing=sourcing,
        tech_share=tech_share,
        tech_inflow=flow,
        tech_stock=stock,
        market_integration=mi,
        national_gdp=national,
        deflator=deflator,
        ledger=ledger,
        data=bd,
    )


def project_arrays(scenario: Scenario, data=None) -> Projection:
    """Run the model for one scenario: the K = 1 case of :func:`run`."""
    return run([scenario], data).member(0)


# -- fiscal ledger -----------------------------------------------------------------------------
def _schedules(s: Schedule, T: int) -> dict[str, np.ndarray]:
    """The engine's T years of a schedule (its first years do not depend on its length)."""
    return {"origin": s.origin[:, :T], "firm_tax": s.firm_tax[:, :T],
            "compensation": s.compensation[:, :T]}  # fmt: skip


@cache
def _lags(T: int) -> tuple[np.ndarray, np.ndarray]:
    """(t > t0 mask, clipped lag t − t0 − 1) of a [T, T] cohort matrix, built once per T."""
    lag = np.arange(T)[:, None] - np.arange(T)[None, :] - 1  # t − t0 − 1
    return lag >= 0, np.clip(lag, 0, T - 1)


def _cohort_matrix(values: np.ndarray) -> np.ndarray:
    """[K, T, T] matrix M with M[k, t, t0] = values[k, t − t0 − 1] for t > t0, else 0:
    receipts in year t of a cohort that moved in year t0 (sharing starts the year after)."""
    k_n, T = values.shape
    if k_n < 8:  # few members: one fancy index is cheapest
        later, lag = _lags(T)
        return np.where(later, values[:, lag], 0.0)
    # many members: row t is a window of the reversed, zero-padded schedule (same values)
    padded = np.zeros((k_n, 2 * T))
    padded[:, :T] = values[:, ::-1]
    return np.ascontiguousarray(sliding_window_view(padded, T, axis=1)[:, T:0:-1])


def _sharing_flows(sched, tau, in_prov) -> dict[str, np.ndarray]:
    """Sharing flows [K, T, 3] of all years from cohort tax bases ``tau`` [K, T, N]."""
    # stacked matrix products (one per member): ~25x faster than the equivalent einsum
    origin = np.matmul(_cohort_matrix(sched["origin"]), tau)
    firm_tax = np.matmul(_cohort_matrix(sched["firm_tax"]), tau)
    comp = np.matmul(_cohort_matrix(sched["compensation"]), tau.sum(axis=2)[:, :, None])[..., 0]
    return _by_province(origin, firm_tax, comp, in_prov)


def _by_province(origin, firm_tax, comp, in_prov) -> dict[str, np.ndarray]:
    """Only Beijing is an origin: destinations pay the origin's share of their firms' tax."""
    bj = PROVINCES.index("BJ")
    paid = _province_sum(origin, in_prov)
    received = np.zeros_like(paid)
    received[..., bj] = origin.sum(axis=-1)
    compensation = np.zeros_like(paid)
    compensation[..., bj] = comp
    return {
        "received": received,
        "paid": paid,
        "compensation": compensation,
        "firm_tax": _province_sum(firm_tax, in_prov),
    }


def fiscal_ledger(a, sched, tau, gdp, in_prov) -> dict[str, np.ndarray]:
    """Per province and year (亿元, base-year prices): own revenue + shares received −
    shares paid + central compensation = net revenue; expenditure = net revenue + the
    province's transfers (a fixed ratio of own revenue) − pole debt service is not included
    here (see ``budget_change``). Arrays [K, T, 3]."""
    flows = _sharing_flows(sched, tau, in_prov)
    gdp_prov = _province_sum(gdp, in_prov)  # [K, T, 3]
    ratios = np.column_stack([a[f"fiscal_ratio_{p}"] for p in PROVINCES])  # [K, 3]
    transfer = np.column_stack([a[f"fiscal_transfer_{p}"] for p in PROVINCES])
    own = gdp_prov * ratios[:, None, :]
    net = own + flows["received"] - flows["paid"] + flows["compensation"]
    expenditure = net + own * transfer[:, None, :]
    return {
        "own_revenue": own,
        "shares_received": flows["received"],
        "shares_paid": flows["paid"],
        "compensation": flows["compensation"],
        "net_revenue": net,
        "expenditure": expenditure,
        "shared_firm_tax": flows["firm_tax"],
        "destination_keeps": flows["firm_tax"] - flows["paid"],
    }
