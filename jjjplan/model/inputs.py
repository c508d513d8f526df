"""Scenarios → arrays with a leading member axis K: what the vectorised engine consumes.

Reading K scenarios is the only per-member Python work of a batch, so it is kept lean:
sub-objects shared between members (``Scenario.replace`` keeps them) are read once, and
milestone paths are one matrix product (linear interpolation is linear in the milestone
values, so ``path = values @ W`` with a weight matrix W per policy start year).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from operator import attrgetter, itemgetter

import numpy as np

from jjjplan.assumptions import ASSUMPTIONS
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.scenario import (
    MILESTONE_YEARS,
    PATHWAYS,
    REF_ABSORPTION,
    REF_RELOCATION,
    REF_TECH_SHARE,
    Scenario,
    base_presence,
)

ASSUMPTION_IDS: tuple[str, ...] = tuple(a.id for a in ASSUMPTIONS)
_NATIONAL = {"low": 0, "central": 1, "high": 2}
#: Year in which the technology-share series is last observed (2023: 8.8%).
TECH_SHARE_OBSERVED_YEAR = 2023


@cache
def reference() -> Scenario:
    """Current-policy levers (built once: Scenario construction validates everything)."""
    return Scenario.baseline()


@cache
def interp_weights(start_year: int, years: tuple[int, ...]) -> np.ndarray:
    """W [4, T]: path(years) = [start value, m2025, m2030, m2035] @ W.

    Linear from (start_year, start value) through the milestones after start_year; flat at
    the start value before it. Milestones at or before the start year are not reached."""
    knots = [start_year] + [y for y in MILESTONE_YEARS if y > start_year]
    cols = [0] + [1 + i for i, y in enumerate(MILESTONE_YEARS) if y > start_year]
    w = np.zeros((4, len(years)))
    for j, col in enumerate(cols):
        basis = np.zeros(len(knots))
        basis[j] = 1.0
        w[col] = np.interp(np.asarray(years, dtype=float), knots, basis)
    return w


def milestone_paths(
    start: np.ndarray, values: np.ndarray, start_years: np.ndarray, years: tuple[int, ...]
) -> np.ndarray:
    """[K, T] paths: start [K], values [K, 3] (2025/2030/2035), start_years [K]."""
    start = np.asarray(start, dtype=float)
    out = np.empty((len(start), len(years)))
    dev = values - start[:, None]  # written as deviations so a flat path is exactly flat
    first = int(start_years[0])
    if (start_years == first).all():  # the usual case: one policy start year for all
        return start[:, None] + dev @ interp_weights(first, years)[1:]
    for sy in np.unique(start_years):
        rows = start_years == sy
        out[rows] = start[rows, None] + dev[rows] @ interp_weights(int(sy), years)[1:]
    return out


@dataclass(frozen=True)
class ChainPaths:
    """Sourcing share per chain [C, T] and where presence grew [C, T, 3] (allocation)."""

    share: np.ndarray
    alloc: np.ndarray


def chain_paths(chains, start_year: int, years: tuple[int, ...]) -> ChainPaths:
    """Sourcing share of a chain = mean over segments of P(at least one province supplies
    it) = 1 − Π_p (1 − presence); its rise is allocated to provinces where presence grew."""
    base = base_presence()
    w = interp_weights(start_year, years)
    shares, allocs = [], []
    for chain in CHAINS:
        keys = [f"{chain.id}/{seg.id}/{p}" for seg in chain.segments for p in PROVINCES]
        start = np.array([base[k] for k in keys])
        dev = np.array([chains.presence[k].values() for k in keys]) - start[:, None]
        pres = (start[:, None] + dev @ w[1:]).T.reshape(
            len(years), len(chain.segments), len(PROVINCES)
        )
        share = (1.0 - np.prod(1.0 - pres, axis=2)).mean(axis=1)
        grew = np.clip(np.diff(pres, axis=0, prepend=pres[:1]), 0.0, None).sum(axis=1)
        total = grew.sum(axis=1, keepdims=True)
        shares.append(share)
        allocs.append(np.divide(grew, total, out=np.zeros_like(grew), where=total > 0))
    return ChainPaths(np.stack(shares), np.stack(allocs))


#: years -> {(id(ChainFilling), start year): (the object, its paths)}: the object is kept so an
#: id is never reused while cached; chain paths depend on nothing else.
_CHAIN_CACHE: dict[tuple[int, ...], dict[tuple[int, int], tuple[object, ChainPaths]]] = {}


@dataclass(frozen=True)
class Inputs:
    """Levers and assumptions of K members as arrays (K leading). ``a[id]`` is [K]."""

    scenarios: tuple[Scenario, ...]
    a: dict[str, np.ndarray]
    national: np.ndarray  # [K] 0 low, 1 central, 2 high
    policy_start: np.ndarray  # [K] first year the pathways act
    weights: np.ndarray  # [K, N] pole weights (over all units)
    weights_ref: np.ndarray  # [N]
    relocation: np.ndarray  # [K, T] lever path before the fiscal response
    relocation_ref: np.ndarray  # [T]
    investment: np.ndarray  # [K, T] share of regional GDP
    tech_share: np.ndarray  # [K, T]
    tech_share_ref: np.ndarray  # [T]
    tech_split: np.ndarray  # [K, N] destination split of technology flows; NaN row = default
    absorption: np.ndarray  # [K, T]
    absorption_ref: np.ndarray  # [T]
    market_integration: np.ndarray  # [K, T]
    market_integration_ref: np.ndarray  # [K, T]
    chain_share: np.ndarray  # [K, C, T] sourcing share per chain
    chain_alloc: np.ndarray  # [K, C, T, 3]
    rule: dict[str, np.ndarray]  # SharingRule fields, each [K]
    rule_ref: dict[str, float]
    overrides: tuple[int, ...]  # members with baseline overrides


def _effective(s: Scenario, ref: Scenario) -> tuple:
    """(poles, chains, innovation, reform) with switched-off pathways at current policy."""
    on = s.pathways
    return (
        s.poles if on.growth_poles else ref.poles,
        s.chains if on.chain_filling else ref.chains,
        s.innovation if on.innovation else ref.innovation,
        s.reform if on.reform else ref.reform,
    )


_RULE_FIELDS = (
    "origin_share",
    "share_years",
    "ext_years",
    "cap_multiple",
    "eligibility_threshold",
    "government_led_only",
)


_rule_fields = attrgetter(*_RULE_FIELDS)


def compile_inputs(
    scenarios: Sequence[Scenario], units: tuple[str, ...], base_year: int, years: tuple[int, ...]
) -> Inputs:
    """Arrays for K scenarios on the projection years ``years`` (years[0] = base year)."""
    ref = reference()
    k_n = len(scenarios)
    keys = tuple(scenarios[0].assumptions)
    by_key = itemgetter(*keys)  # by id, so a member's own key order cannot misplace a value
    assumptions = np.array([by_key(s.assumptions) for s in scenarios], dtype=float)
    a = {key: assumptions[:, j] for j, key in enumerate(keys)}
    # members that share their lever objects (an ensemble's draws, a sweep's repeated
    # structure) are read once: group them, read each group's levers, expand by index
    group_of: dict[tuple, int] = {}
    firsts: list[Scenario] = []
    member_group = np.empty(k_n, dtype=np.intp)
    for k, s in enumerate(scenarios):
        key = (id(s.poles), id(s.chains), id(s.innovation), id(s.reform), id(s.pathways),
               s.policy_start_year)  # fmt: skip
        g = group_of.get(key)
        if g is None:
            g = group_of[key] = len(firsts)
            firsts.append(s)
        member_group[k] = g

    eff = [_effective(s, ref) for s in firsts]
    start_g = np.array([max(int(s.policy_start_year) - 1, base_year) for s in firsts])
    n = len(units)
    col = {u: j for j, u in enumerate(units)}

    def lever_row(poles, innov, reform) -> list[float]:
        w = [0.0] * n
        for u, v in poles.weights.items():
            w[col[u]] = v
        reloc, invest, share = poles.relocation, poles.investment, innov.share
        absorb, mi = innov.absorption, reform.market_integration
        return [
            *w,
            *(reloc.y2025, reloc.y2030, reloc.y2035),
            *(invest.y2025, invest.y2030, invest.y2035),
            *(share.y2025, share.y2030, share.y2035),
            *(absorb.y2025, absorb.y2030, absorb.y2035),
            *(mi.y2025, mi.y2030, mi.y2035),
            *_rule_fields(reform),
        ]

    flat = np.array([lever_row(p, i, r) for p, _c, i, r in eff], dtype=float)[member_group]
    start = start_g[member_group]
    weights = flat[:, :n]
    reloc_ms, invest_ms = flat[:, n : n + 3], flat[:, n + 3 : n + 6]
    innov = flat[:, n + 6 : n + 12]
    mi_ms = flat[:, n + 12 : n + 15]
    rule = {f: flat[:, n + 15 + j] for j, f in enumerate(_RULE_FIELDS)}
    weights_ref = np.array([ref.poles.weights.get(u, 0.0) for u in units])
    tech_split = np.full((len(eff), n), np.nan)
    for g, (_p, _c, i, _r) in enumerate(eff):
        if i.destinations:
            tech_split[g] = [i.destinations.get(u, 0.0) for u in units]
    tech_split = tech_split[member_group]

    ones = np.ones(k_n)
    relocation = milestone_paths(REF_RELOCATION * ones, reloc_ms, start, years)
    investment = milestone_paths(0.0 * ones, invest_ms, start, years)
    relocation[:, 0] = 0.0  # no flow in the base year itself
    investment[:, 0] = 0.0
    relocation_ref = np.full(len(years), REF_RELOCATION)
    relocation_ref[0] = 0.0
    tech_start = np.maximum(start, TECH_SHARE_OBSERVED_YEAR)
    tech_share = milestone_paths(REF_TECH_SHARE * ones, innov[:, :3], tech_start, years)
    absorption = milestone_paths(REF_ABSORPTION * ones, innov[:, 3:], start, years)
    mi_base = a["mi_base"]
    mi = milestone_paths(mi_base, mi_ms, start, years)
    ref_mi = np.array(ref.reform.market_integration.values())
    mi_ref = milestone_paths(mi_base, np.broadcast_to(ref_mi, (k_n, 3)), start, years)

    chain_cache = _CHAIN_CACHE.setdefault(years, {})
    distinct: dict[tuple[int, int], int] = {}  # (chain object, start) -> row of the stack
    paths: list[ChainPaths] = []
    group_chain = np.empty(len(eff), dtype=np.intp)
    for g, ((_p, chains, _i, _r), sy) in enumerate(zip(eff, start_g.tolist(), strict=True)):
        key = (id(chains), sy)
        row = distinct.get(key)
        if row is None:
            hit = chain_cache.get(key)
            if hit is None or hit[0] is not chains:
                if len(chain_cache) > 256:
                    chain_cache.clear()
                hit = chain_cache[key] = (chains, chain_paths(chains, sy, years))
            row = distinct[key] = len(paths)
            paths.append(hit[1])
        group_chain[g] = row
    member_chain = group_chain[member_group]
    chain_share = np.stack([c.share for c in paths])[member_chain]  # [K, C, T]
    chain_alloc = np.stack([c.alloc for c in paths])[member_chain]  # [K, C, T, 3]

    return Inputs(
        scenarios=tuple(scenarios),
        a=a,
        national=np.array([_NATIONAL[s.national_path] for s in scenarios]),
        policy_start=start + 1,
        weights=weights,
        weights_ref=weights_ref,
        relocation=relocation,
        relocation_ref=relocation_ref,
        investment=investment,
        tech_share=tech_share,
        tech_share_ref=np.full(len(years), REF_TECH_SHARE),
        tech_split=tech_split,
        absorption=absorption,
        absorption_ref=np.full(len(years), REF_ABSORPTION),
        market_integration=mi,
        market_integration_ref=mi_ref,
        chain_share=chain_share,
        chain_alloc=chain_alloc,
        rule=rule,
        rule_ref={f: float(getattr(ref.reform, f)) for f in _RULE_FIELDS},
        overrides=tuple(k for k, s in enumerate(scenarios) if s.baseline_overrides),
    )


__all__ = ["ASSUMPTION_IDS", "PATHWAYS", "Inputs", "compile_inputs", "milestone_paths"]
