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

from jjjplan import baseline
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.model import pathways as pw
from jjjplan.model.inputs import (
    MemberLevers,
    assumption_columns,
    compile_inputs,
    inputs_from_levers,
)
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
_NATIONAL_RATES = (
    "g_nat_central_2024_2025", "g_nat_central_2026_2030", "g_nat_central_2031_2035",
    "g_nat_low", "g_nat_high", "g_nat_2023", "g_nat_2024",
)  # fmt: skip


@cache
def _national_columns(years: tuple[int, ...], base_year: int) -> np.ndarray:
    """[3, T] column of ``_NATIONAL_RATES`` that applies in each year, per national path
    (0 low, 1 central, 2 high): the year rules of :func:`national_growth` worked out once."""
    y = np.asarray(years)
    central = np.where(y <= 2025, 0, np.where(y <= 2030, 1, 2))
    cols = np.stack([np.full(len(y), 3), central, np.full(len(y), 4)])
    cols = np.where((y == 2024) & (y <= base_year), 6, cols)  # observed 2024
    cols = np.where(y <= 2023, 5, cols)
    cols.setflags(write=False)
    return cols


def national_growth(a: dict[str, np.ndarray], national: np.ndarray, years, base_year: int):
    """National real GDP growth (log points) of the year ending at each t; [K, T], column
    0 = 0. Observed years use the observed rates (2023; 2024 once observed); projected
    years the path ``national`` (0 low, 1 central by period, 2 high) of each member."""
    table = assumption_columns(a, _NATIONAL_RATES)  # [K, 7]
    cols = _national_columns(tuple(np.asarray(years).tolist()), int(base_year))[national]
    g = np.log1p(table[np.arange(len(table))[:, None], cols])  # [K, T]
    g[:, 0] = 0.0
    return g


def _yearly_change(x: np.ndarray) -> np.ndarray:
    """x[..., t] − x[..., t − 1] along the last axis, 0 in the first year (``np.diff`` with
    the first value prepended, without its concatenation)."""
    out = np.empty_like(x)
    out[..., 0] = 0.0
    np.subtract(x[..., 1:], x[..., :-1], out=out[..., 1:])
    return out


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
    """A [K, 1] column as a contiguous [K, width] array (same values): the loop multiplies
    by it every year, and a same-shape product runs one flat loop where a broadcast column
    pays for its iterator on every call (about 1.5 us more at K = 1)."""
    out = np.empty((len(column), width))
    out[:] = column
    return out


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


def _pair(own: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """[2K, ...]: K members' ``own`` rows, then ``ref`` (broadcast to the same shape) for
    each member: the scenario and its current-policy reference stacked for one pass."""
    out = np.empty((2 * len(own), *own.shape[1:]))
    out[: len(own)] = own
    out[len(own) :] = ref
    return out


def _distinct(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, index of each element's value): ``np.unique`` unless all are equal
    (one scenario, a sweep that does not vary it)."""
    if (x == x[0]).all():
        return x[:1], np.zeros(len(x), dtype=np.intp)
    values, which = np.unique(x, return_inverse=True)
    return values, which.reshape(-1)


def _distance_decay(distances: np.ndarray, d_decay: np.ndarray) -> np.ndarray:
    """exp(−distance / d_decay) between distinct units, 0 on the diagonal, per member
    [K, N, N]. A sweep rarely varies d_decay, so each distinct value is exponentiated once
    (an [N, N] exp per member is a large part of a big batch's set-up)."""
    values, which = _distinct(d_decay)
    if len(values) == 1:  # one value (one scenario, or a sweep that does not vary it)
        decay = _decay_matrix(distances, float(values[0]))
        if len(which) == 1:
            return decay[None]
        return np.broadcast_to(decay, (len(which), *distances.shape))
    decay = np.exp(-distances[None, :, :] / values[:, None, None])
    n = len(distances)
    decay[:, np.arange(n), np.arange(n)] = 0.0
    return decay[which]


#: (id of the distance matrix, d_decay) -> (that matrix, its decay matrix), see below
_DECAY_CACHE: dict[tuple[int, float], tuple[np.ndarray, np.ndarray]] = {}


def _decay_matrix(distances: np.ndarray, d_decay: float) -> np.ndarray:
    """exp(−distance / d_decay), 0 on the diagonal, [N, N] (read-only): remembered per
    dataset and d_decay value, which depend on no lever (the dataset's distances are one
    array per dataset, see :func:`base_data`)."""
    hit = _DECAY_CACHE.get((id(distances), d_decay))
    if hit is not None and hit[0] is distances:
        return hit[1]
    decay = np.exp(-distances / d_decay)
    np.fill_diagonal(decay, 0.0)
    decay.setflags(write=False)
    if len(_DECAY_CACHE) >= 64:
        _DECAY_CACHE.clear()
    _DECAY_CACHE[(id(distances), d_decay)] = (distances, decay)
    return decay


class _Spillover:
    """Spillovers of K members: ``spill(x)[k, j] = Σ_n λ_k · decay_k(j, n) · w_kn · x_kn``.

    One [N, N] operator per member, applied by a batched matrix-vector product: each
    member's numbers then do not depend on which other members share its batch (chunked
    ensembles equal one batch to the last bit), which a product over members grouped by
    their d_decay value would not guarantee."""

    def __init__(self, distances: np.ndarray, d_decay: np.ndarray, weights: np.ndarray):
        self.operator = np.ascontiguousarray(
            weights[:, None, :] * _distance_decay(distances, d_decay)
        )  # [K, j, n]
        self.one = self.operator[0].T if len(weights) == 1 else None  # [n, j]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.one is not None:  # one member (project): a plain product, less overhead
            return np.dot(x, self.one)
        return np.matmul(self.operator, x[:, :, None])[:, :, 0]


def _rule(inp) -> tuple[SharingRule, SharingRule]:
    return SharingRule(**inp.rule), SharingRule(**inp.rule_ref)


#: Assumptions the sharing schedules and the relocation response read (nothing else does).
_RESPONSE_IDS = (
    "fiscal_horizon", "post_move_tax_growth", "comp_frac", "discount_rate", "firm_tax_pareto",
    "firm_tax_min", "b_origin", "b_dest", "eta_origin", "eta_dest",
)  # fmt: skip
#: (rule fields, reference fields, response assumptions, T) -> (schedules, factor), K = 1 only
_RESPONSE_CACHE: dict[tuple, tuple[list[Schedule], np.ndarray]] = {}


def _sharing_response(inp, rule: SharingRule, rule_ref: SharingRule, T: int):
    """Both rules' yearly schedules (one joint pass, long enough for the engine and the
    response) and the relocation factor [K].

    A single scenario's are remembered by the dozen numbers they depend on: the dashboard,
    goal seek and Shapley subsets re-project the same sharing terms again and again, and
    the two schedules' year loop costs a tenth of one ``project()``."""
    a, K = inp.a, len(inp.scenarios)
    key = None
    if K == 1:
        key = (
            tuple(float(v[0]) for v in inp.rule.values()),
            tuple(inp.rule_ref.values()),
            tuple(float(a[i][0]) for i in _RESPONSE_IDS),
            T,
        )
        hit = _RESPONSE_CACHE.get(key)
        if hit is not None:
            return hit
    horizon = max(T, int(np.max(a["fiscal_horizon"])))
    both = joint_schedules([rule, rule_ref], K, horizon, a["post_move_tax_growth"], a["comp_frac"])
    factor, _ = relocation_response(rule, rule_ref, a, (both[0], both[1]))
    factor = np.broadcast_to(np.asarray(factor, dtype=float), (K,))
    if key is not None:
        for sched in both:
            for arr in (sched.firm_tax, sched.origin, sched.destination, sched.compensation):
                arr.setflags(write=False)  # shared by every hit: nobody may change them
        if len(_RESPONSE_CACHE) >= 256:
            _RESPONSE_CACHE.clear()
        _RESPONSE_CACHE[key] = (both, factor)
    return both, factor


# -- the engine ----------------------------------------------------------------------------
def run(scenarios: Sequence[Scenario] | MemberLevers, data=None) -> BatchProjection:
    """Run the model for K scenarios at once (switched-off pathways keep current policy).

    A caller that holds its members as lever arrays already (a sweep chunk) passes their
    :class:`~jjjplan.model.inputs.MemberLevers`, built for ``data`` (a BaseData): the same
    engine, entered after the reading of Scenario objects."""
    levers = scenarios if isinstance(scenarios, MemberLevers) else None
    if levers is not None and not isinstance(data, BaseData):
        raise TypeError("run(MemberLevers): pass the BaseData the levers were built for")
    scenarios = list(scenarios) if levers is None else []
    bd = data if isinstance(data, BaseData) else resolve_data(scenarios, data)
    units, prov = bd.units, bd.provinces
    n = len(units)
    bj = units.index("BJ")
    years = np.arange(bd.years[0], END_YEAR + 1)
    T, To = len(years), len(bd.years)
    b = To - 1  # index of the base year
    years_t = tuple(int(y) for y in years)
    if levers is None:
        inp = compile_inputs(scenarios, units, bd.base_year, years_t)
    elif (levers.units, levers.years) == (units, years_t):
        inp = inputs_from_levers(levers)
    else:
        raise ValueError("run(MemberLevers): the levers were built for other units or years")
    a = inp.a
    K = len(inp.scenarios)
    _, in_prov = _province_membership(prov)  # [3, N]

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
    n_trend = np.log1p(assumption_columns(a, _pop_trend_ids(prov)))  # [K, N]
    deflator = np.exp(np.log1p(a["deflator_growth"])[:, None] * (years - bd.base_year))
    cum = np.cumsum(g_nat, axis=1)
    national = bd.national_gdp * np.exp(cum - cum[:, b : b + 1])

    # -- exogenous pathway paths -----------------------------------------------------------
    w = inp.weights
    w_dest = pw.destination_split(w, bj)
    w_dest_ref = pw.destination_split(inp.weights_ref[None, :], bj)
    rule, rule_ref = _rule(inp)
    both, factor = _sharing_response(inp, rule, rule_ref, T)
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
    twice = {key: _pair(a[key], a[key]) for key in ("delta_tech", "tech_flow_growth_hist")}
    flow_tm, stock_tm = pw.tech_stock(
        twice,
        _pair(turnover, turnover),
        _pair(tech_share, tech_share_ref),
        _pair(inp.absorption, inp.absorption_ref),
        _pair(tech_split, gdp_split),
        _pair(gdp_split, gdp_split),
    )
    flow, stock = flow_tm[:, :K].swapaxes(0, 1), stock_tm[:, :K].swapaxes(0, 1)  # [K, T, N]
    mi, mi_ref = inp.market_integration, inp.market_integration_ref
    with np.errstate(divide="ignore", invalid="ignore"):  # both stocks' log growth at once
        dln = np.where(stock_tm[1:] > 0, np.log(stock_tm[1:] / stock_tm[:-1]), 0.0)
    d_innov = np.zeros((T, K, n))
    d_innov[1:] = a["eps_tech"][None, :, None] * (dln[:, :K] - dln[:, K:])  # [T-1, K, N]

    # -- coefficients ----------------------------------------------------------------------
    col = _Columns(a)
    beta, rho = col["beta_conv"], col["gap_persistence"]
    m1 = 1.0 + col["m_local"]
    gain = 1.0 + col["reloc_productivity_gain"]
    migrants_per_va = col["mig_share"] / col["labour_productivity"]  # 万人 per 亿元
    spill = _Spillover(bd.distances, a["d_decay"], a["lambda_spill"][:, None] * w)
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

    # Sharing flows are linear in the cohorts' shared-tax bases and only province sums (and
    # their total, Beijing being the only origin) are reported, so bases are kept as [.., 4]
    # (BJ, TJ, HE, all). Every cohort's arrivals are the current-policy path (one path for
    # all members, so its flows in all years are one product) plus the scenario's deviation,
    # added year by year in the loop. Scenario and reference flows come from the same
    # operations, so they cancel exactly when the scenario is current policy.
    to_prov4 = _province_columns(prov)  # [N, 4]
    # current-policy arrivals are one yearly amount × one destination split: their flows
    # are the schedules convolved with the amounts [T, 5, K], times the split's bases [4]
    lagged = _lagged(
        [sched["origin"], sched["compensation"], sched["firm_tax"],
         sched_ref["origin"], sched_ref["compensation"]], reloc_ref,
    )  # fmt: skip
    ref_split = (w_dest_ref @ to_prov4)[0]  # [4]
    # [T, 3 schedules (origin, compensation, firm tax), 4 bases, K]
    # members last: the loop's yearly update then runs over K contiguous values
    flows = (lagged[:, :3] * (elig * coverage * tax_va))[:, :, None, :] * ref_split[:, None]
    ref_flows = (lagged[:, 3:] * (elig_ref * 1.0 * tax_va))[:, :, None, :] * ref_split[:, None]

    # -- everything that does not depend on the projected state, for all years at once ----
    # (the loop below then costs a few array operations per year, whatever K is)
    x0 = np.log((gdp0 / pop0) / (gdp0.sum(1, keepdims=True) / pop0.sum(1, keepdims=True)))
    e_n = np.exp(n_trend)  # [K, N] yearly population growth factor
    conv_target = (1.0 - rho) * x0  # structural share ρ of today's gap kept
    # baseline growth in logs: national rate + FE − β·(ln yb − ln Σyb + this constant)
    lyb_const = conv_target + np.log(gdp0.sum(1, keepdims=True)) - np.log(gdp0)
    gfe = (g_nat[:, :, None] + fe[:, None, :] - (beta * lyb_const)[:, None, :]).swapaxes(0, 1)
    ref_arrive = reloc_ref[:, None] * w_dest_ref  # [T, N] current-policy arrivals
    arrive0 = (reloc[:, :, None] * w_dest[:, None, :]).swapaxes(0, 1) - ref_arrive[:, None]
    # (Beijing's column is 0: destination splits exclude Beijing.) No deviation from the
    # current-policy arrivals in any member: the relocation steps add exactly nothing
    has_relocation = bool(arrive0.any())
    # [T, K, N] deviations the capacity limit may scale down (up) and may not (down)
    arrive_up, arrive_down = np.maximum(arrive0, 0.0), np.minimum(arrive0, 0.0)
    chain_t = chain_dev.swapaxes(0, 1)  # [T, K, 3] 亿元 before capacity
    chain_up, chain_down = np.maximum(chain_t, 0.0), np.minimum(chain_t, 0.0)
    extra = _province_sum(arrive_up * (m1 * np.ones((1, n))), in_prov) + chain_up  # [T, K, 3]
    with np.errstate(divide="ignore", invalid="ignore"):  # no demand: inf (or NaN), scale 1
        cap_per_demand = a["capacity_share"][None, :, None] / extra
    has_chains = bool(chain_t.any())  # else chain filling adds exactly nothing: skipped
    # market integration: growth effect and a smaller structural gap (persistent)
    # (index at current policy in every member, ρ ≥ 0: the reform term is exactly 0, skipped)
    if (mi != mi_ref).any() or (rho < 0.0).any():
        d_mi = _yearly_change(mi) - _yearly_change(mi_ref)
        rho_cut = a["mi_rho_gain"][:, None] * (mi - mi_ref)  # [K, T]
        reform = (a["mi_level_elast"][:, None] * d_mi)[:, :, None] - beta[:, :, None] * np.minimum(
            rho_cut[:, :, None], rho[:, :, None]
        ) * x0[:, None, :]  # [K, T, N]
        d_innov += reform.swapaxes(0, 1)
    shock = np.exp(d_innov)  # [T, K, N] technology and reform
    invest_w = (inp.investment[:, :, None] * w[:, None, :]).swapaxes(0, 1)  # [T, K, N]
    has_investment = bool(invest_w.any())  # else no pole capital, no debt service: skipped
    # value added (and its multiplier) per 亿元 of net relocation: arriving, and (Beijing's
    # column, whose net relocation is minus the outflow) leaving net of backfill
    add_rate = np.empty((K, n))
    add_rate[:] = m1 * gain
    add_rate[:, bj] = m1[:, 0] * (1.0 - a["phi_backfill"])
    # where Beijing's population above its cap settles: the poles, and minus 1 in Beijing
    w_cap = w_dest.copy()
    w_cap[:, bj] = -1.0
    # province sums of arrivals (Beijing's row out: its column holds the outflow)
    in_prov_arrive = in_prov.T.copy()
    in_prov_arrive[bj] = 0.0
    alpha = col["alpha_agglo"]
    inv_yield = col["inv_yield"]
    service_rate = col["debt_rate"] + delta_k
    pubinv = a["pubinv_share"][:, None]
    keep = 1.0 - delta_k  # capital (pole and public) left after depreciation
    in_prov_t = np.ascontiguousarray(in_prov.T)
    # a member's numbers must not depend on the batch it is in (chunked ensembles equal one
    # batch): totals over units are reductions, province sums [K, N] @ [N, 3] products (a
    # product's rounding can depend on its shape, e.g. with a total column added)
    total = np.add.reduce
    # 2-D products: np.dot calls the same BLAS product as ``@`` (equal to the last bit,
    # tests/test_batch_speed_paths.py) with less overhead per call, which a small batch's
    # loop feels; on big batches ``@`` is the quicker of the two
    dot = np.dot if K < 64 else np.matmul
    # [K, 1] coefficient columns widened to the arrays they multiply in the loop: a column
    # broadcast over 13 units runs a short inner loop per member, a full array one flat loop
    # (tau_rate: shared-tax base per 亿元 moved)
    beta, alpha, migrants_per_va, inv_yield = (
        _wide(x, n) for x in (beta, alpha, migrants_per_va, inv_yield)
    )
    keep_n = _wide(keep, n)

    # -- the budget channel: linear in the budget changes, so its GDP effect in year t is a
    # sum over past years with fixed weights per lag (kernels), added when a change is known
    # budget change of year s -> fiscal spending in year t >= s (multiplier, then the public
    # capital it builds, depreciating): G[d] = fm·[d = 0] + (elasticity/ratio)·pubinv·keep^d
    lag = np.arange(T)
    response = pubcap_mp * pubinv * keep**lag  # [K, T]
    response[:, 0] += fiscal_m[:, 0]
    to_fiscal = _lower_toeplitz(response)  # [K, t, s]: year-s budget -> year-t spending
    # budget changes of the current-policy cohorts (both rules), all years at once
    budget_ref = (flows[:, :2] - ref_flows).transpose(0, 3, 1, 2).reshape(
        T, K, 8
    ) @ _NET_SHARING  # [T, K, 3]
    budget_ref[:To] = 0.0  # the channel starts in the first projected year
    fiscal_due = np.matmul(to_fiscal, budget_ref.swapaxes(0, 1)).swapaxes(0, 1).copy()
    # a cohort's net sharing receipts per 亿元 moved, by years since the move (receipts
    # start the year after): Beijing gets the origin share and the compensation of the
    # total moved, a destination pays the origin share of what it received (Beijing
    # receives no arrivals: its own base is 0); columns (BJ, TJ, HE), applied to
    # (total moved, moved to TJ, moved to HE)
    origin, compensation = sched["origin"], sched["compensation"]  # [K, T]
    per_moved = (elig * coverage * tax_va)[:, None, None] * np.stack(
        [origin + compensation, -origin, -origin], axis=2
    )  # [K, lag, 3]
    cohort_fiscal = np.matmul(to_fiscal, per_moved).swapaxes(0, 1).copy()  # [lag, K, 3]
    moved_bases = in_prov_arrive.copy()  # [N, 3]: (all destinations, TJ, HE)
    moved_bases[:, 0] = 1.0  # (BJ's column, first: Beijing receives no arrivals)
    moved_bases[bj] = 0.0
    # pole debt service of year s's capital is a budget cost from year s + 1
    debt_fiscal = np.repeat((response * service_rate).T[:, :, None], 3, axis=2)  # [lag, K, 3]

    # -- state -----------------------------------------------------------------------------
    y_core = gdp0.copy()  # persistent level (baseline path × policy shift)
    yb = gdp0.copy()  # policy-free baseline GDP (its population is the national-rate path)
    # net relocation vs current policy: arrivals, and in Beijing's column minus the outflow
    net_moved = np.zeros((T, K, n))
    invest_amount = np.zeros((T, K, n))
    pole_capital = np.zeros((T, K, n))
    chain_va = np.zeros((T, K, n))

    # a year that goes non-positive poisons the later ones (NaN, silenced here); the
    # check after the loop names the first such year, once instead of every year
    with np.errstate(divide="ignore", invalid="ignore"):
        for t in range(To, T):
            # baseline: national rate (+ fixed effects), convergence to ρ × today's gap. Relative
            # to the national-rate reference (same population path), the gap term is
            # ln(yb/gdp0) − ln(Σyb/Σgdp0): the population terms cancel.
            g = gfe[t] - beta * np.log(yb / total(yb, axis=1, keepdims=True))
            growth = np.exp(g)
            yb *= growth
            P_b = pop[t - 1] * e_n
            Y = y_core * growth  # policy shift carried: not eroded by convergence
            P_new = pop[t]  # this year's population, filled in place

            # relocation and chain filling share one yearly capacity per province
            if has_relocation or has_chains:
                Y_prov = dot(Y, in_prov_t)  # [K, 3]
                scale = np.fmin(Y_prov * cap_per_demand[t], 1.0)  # [K, 3]; fmin: NaN -> 1
            if has_relocation:
                moved = net_moved[t]
                np.multiply(arrive_up[t], dot(scale, in_prov), out=moved)
                moved += arrive_down[t]
                cohort = dot(moved, moved_bases)  # moved in all, to TJ, to HE
                np.negative(cohort[:, 0], out=moved[:, bj])  # what arrives leaves Beijing
                # value added and its multiplier arrive, and leave Beijing net of backfill
                Y_add = Y + moved * add_rate
                np.add(P_b, migrants_per_va * moved, out=P_new)
            else:
                Y_add = Y
                P_new[:] = P_b
            excess = np.maximum(P_new[:, bj] - cap, 0.0)  # the cap binds: excess settles in poles
            P_new += excess[:, None] * w_cap
            if has_chains:
                chain_prov = chain_up[t] * scale + chain_down[t]
                chain_va[t] = dot(chain_prov / Y_prov, in_prov) * Y  # by unit's GDP share
                Y_add = Y_add + chain_va[t]

            Y_new = Y_add * (P_new / P_b) ** alpha * shock[t]
            y_core = Y_new * np.exp(spill(np.log(Y_new / Y)))
            y_prov = dot(y_core, in_prov_t)  # [K, 3]

            # pole investment: a depreciating stock financed by the pole's province (debt)
            if has_investment:
                np.multiply(invest_w[t], total(y_core, axis=1, keepdims=True), out=invest_amount[t])
                capital = np.multiply(keep_n, pole_capital[t - 1], out=pole_capital[t])
                capital += invest_amount[t]
                # its debt service: a budget cost from next year on
                fiscal_due[t + 1 :] -= debt_fiscal[: T - t - 1] * dot(capital, in_prov_t)
            # this year's cohort: net sharing receipts from next year on (vs current policy)
            if has_relocation:
                fiscal_due[t + 1 :] += cohort_fiscal[: T - t - 1] * cohort

            # fiscal spending from the budget changes so far, spread over each province's
            # units by their share of its GDP
            Y_t = np.add(y_core, dot(fiscal_due[t] / y_prov, in_prov) * y_core, out=gdp[t])
            if has_investment:
                Y_t += inv_yield * capital
    _check_positive_state(gdp[To:], pop[To:], years[To:], inp.scenarios)

    relocated = net_moved.swapaxes(0, 1).copy()
    relocated[:, :, bj] = 0.0  # arrivals only (Beijing's column held its outflow)
    relocated += ref_arrive[None]
    # the ledger: the projected cohorts' flows added to the current-policy cohorts' (their
    # shared-tax bases BJ, TJ, HE, all, times the schedules by lag), and the budget change
    flows = flows.transpose(3, 0, 1, 2)  # [K, T, 3 schedules, 4 bases]
    if has_relocation:
        bases = (
            np.concatenate(
                [net_moved @ in_prov_arrive, -net_moved[:, :, bj, None]], axis=2
            ).swapaxes(0, 1)
            * (elig * coverage * tax_va)[:, None, None]
        )  # [K, T, 4]
        by_lag = np.stack([sched["origin"], sched["compensation"], sched["firm_tax"]], axis=1)
        flows = flows + np.matmul(_lower_toeplitz(by_lag, lag=1), bases[:, None]).swapaxes(1, 2)
    budget_change = (flows[:, :, :2] - ref_flows.transpose(3, 0, 1, 2)).reshape(K, T, 8)
    budget_change = budget_change @ _NET_SHARING
    if has_investment:
        budget_change[:, 1:] -= service_rate[:, :, None] * (pole_capital[:-1] @ in_prov_t).swapaxes(
            0, 1
        )
    budget_change[:, :To] = 0.0
    ledger = fiscal_ledger(a, flows, gdp.swapaxes(0, 1), in_prov)
    ledger["budget_change"] = budget_change
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


def _check_positive_state(gdp, pop, years, scenarios) -> None:
    """Raise for the first projected year (then member) with GDP or population ≤ 0 or NaN."""
    if gdp.min() > 0.0 and pop.min() > 0.0:  # NaN fails too
        return
    bad = ~((gdp > 0).all(axis=2) & (pop > 0).all(axis=2))  # [T, K]
    t, k = (int(x[0]) for x in np.nonzero(bad))  # row-major: earliest year first
    who = f"member {k} ({scenarios[k].name}), " if len(scenarios) > 1 else ""
    raise ValueError(
        f"{who}{years[t]}: projected GDP or population fell to zero or below "
        "(relocation or chain targets too large for a unit's economy)"
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
def _province_columns(provinces: tuple[str, ...]) -> np.ndarray:
    """[N, 4]: a unit's value summed into its province (BJ, TJ, HE) and into the total."""
    _, in_prov = _province_membership(provinces)
    out = np.column_stack([in_prov.T, np.ones(len(provinces))])
    out.setflags(write=False)
    return out


#: [8, 3]: net sharing receipts per province from flows [2 schedules (origin, compensation)
#: × 4 bases (BJ, TJ, HE, total)]: a destination pays the origin share of its firms' tax;
#: Beijing (the only origin) receives all of it plus the central compensation.
_NET_SHARING = np.zeros((2, 4, 3))
_NET_SHARING[0, :3] = -np.eye(3)
_NET_SHARING[0, 3, PROVINCES.index("BJ")] = 1.0
_NET_SHARING[1, 3, PROVINCES.index("BJ")] = 1.0
_NET_SHARING = _NET_SHARING.reshape(8, 3)
_NET_SHARING.setflags(write=False)


def _lower_toeplitz(kernel: np.ndarray, lag: int = 0) -> np.ndarray:
    """[..., T, T] matrices M[t, s] = kernel[..., t − s − lag] (0 where t − s < lag), from
    kernels [..., T] by lag (lag 0 or 1): ``M @ x`` sums each year's effect of every earlier
    x[s]. Small batches gather from the kernel padded with one 0 (one call); big ones take
    windows over the reversed, zero-padded kernel (a strided view copied once), which is
    much cheaper than gathering T² elements per kernel. Both copy the same numbers."""
    T = kernel.shape[-1]
    if kernel.size <= 64 * T:
        padded = np.zeros((*kernel.shape[:-1], T + 1))
        padded[..., :T] = kernel
        return padded[..., _toeplitz_take(T, lag)]
    padded = np.zeros((*kernel.shape[:-1], 2 * T))
    padded[..., :T] = kernel[..., ::-1]  # padded[T − 1 − j] = kernel[j], zeros after
    windows = np.lib.stride_tricks.sliding_window_view(padded, T, axis=-1)  # [..., T+1, T]
    # row t is the window starting at T − 1 − t + lag: M[t, s] = padded[T − 1 − t + lag + s]
    return np.ascontiguousarray(windows[..., lag : T + lag, :][..., ::-1, :])


@cache
def _toeplitz_take(T: int, lag: int) -> np.ndarray:
    """[T, T] index t − s − lag into a kernel padded with one 0 (index T where t − s < lag)."""
    d = np.arange(T)[:, None] - np.arange(T)[None, :] - lag
    take = np.where(d >= 0, d, T)
    take.setflags(write=False)
    return take


@cache
def _lag_index(T: int) -> tuple[np.ndarray, np.ndarray]:
    """(cohort year t0 = t − l − 1 clipped [T, T], t0 ≥ 0 mask) indexed [lag l, year t]."""
    t0 = np.arange(T)[None, :] - np.arange(T)[:, None] - 1
    valid = t0 >= 0
    t0 = np.clip(t0, 0, T - 1)
    t0.setflags(write=False)
    valid.setflags(write=False)
    return t0, valid


def _lagged(schedules: Sequence[np.ndarray], amounts: np.ndarray) -> np.ndarray:
    """Receipts [T, S, K] in year t of every cohort t0 < t that moved ``amounts[t0]`` (one
    path [T] for all members): Σ_t0 schedule[k, t − t0 − 1] · amounts[t0].

    ``schedules``: S arrays [K, T]. The lagged copies of the amounts form a fixed [T lags, T]
    matrix: one [S, T] @ [T, T] product per member (a member's numbers then do not depend on
    the size of its batch, as one [S·K, T] product's might)."""
    t0, valid = _lag_index(schedules[0].shape[1])
    lagged = np.where(valid, amounts[t0], 0.0)  # [lag, T]
    return np.matmul(np.stack(schedules, axis=1), lagged).transpose(2, 1, 0)


_FISCAL_RATIO_IDS = tuple(f"fiscal_ratio_{p}" for p in PROVINCES)
_FISCAL_TRANSFER_IDS = tuple(f"fiscal_transfer_{p}" for p in PROVINCES)


@cache
def _pop_trend_ids(provinces: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"pop_trend_{p}" for p in provinces)


def fiscal_ledger(a, flows, gdp, in_prov) -> dict[str, np.ndarray]:
    """Per province and year (亿元, base-year prices): own revenue + shares received −
    shares paid + central compensation = net revenue; expenditure = net revenue + the
    province's transfers (a fixed ratio of own revenue) − pole debt service is not included
    here (see ``budget_change``). ``flows`` [K, T, 3, 4]: the sharing schedules (origin,
    compensation, firm tax) applied to the cohorts' tax bases (BJ, TJ, HE, total). Arrays
    [K, T, 3]."""
    bj = PROVINCES.index("BJ")
    paid = flows[:, :, 0, :3]  # destinations pay the origin's share of their firms' tax
    firm_tax = flows[:, :, 2, :3]
    received = np.zeros_like(paid)
    received[..., bj] = flows[:, :, 0, 3]  # only Beijing is an origin
    compensation = np.zeros_like(paid)
    compensation[..., bj] = flows[:, :, 1, 3]
    gdp_prov = _province_sum(gdp, in_prov)  # [K, T, 3]
    ratios = assumption_columns(a, _FISCAL_RATIO_IDS)  # [K, 3]
    transfer = assumption_columns(a, _FISCAL_TRANSFER_IDS)
    own = gdp_prov * ratios[:, None, :]
    net = own + received - paid + compensation
    expenditure = net + own * transfer[:, None, :]
    return {
        "own_revenue": own,
        "shares_received": received,
        "shares_paid": paid,
        "compensation": compensation,
        "net_revenue": net,
        "expenditure": expenditure,
        "shared_firm_tax": firm_tax,
        "destination_keeps": firm_tax - paid,
    }
