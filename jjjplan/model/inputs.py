"""Scenarios → arrays with a leading member axis K: what the vectorised engine consumes.

Reading K scenarios is the only per-member Python work of a batch, so it is kept lean:
sub-objects shared between members (``Scenario.replace`` keeps them) are read once, and
milestone paths are one matrix product (linear interpolation is linear in the milestone
values, so ``path = values @ W`` with a weight matrix W per policy start year). Chain
paths of all members' distinct chain settings are computed together the same way (a sweep
gives every member its own settings, so a per-member loop would dominate a batch), with the
settings on the last axis so every step is one pass over contiguous rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import attrgetter, itemgetter, methodcaller

import numpy as np

from jjjplan.assumptions import ASSUMPTIONS
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.scenario import (
    MILESTONE_YEARS,
    PATHWAYS,
    REF_ABSORPTION,
    REF_RELOCATION,
    REF_TECH_SHARE,
    Milestones,
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
    """Sourcing share per chain [D, C, T] and where presence grew [D, C, T, 3] (allocation),
    for D chain settings (a leading axis, so many members are one array operation)."""

    share: np.ndarray
    alloc: np.ndarray


@dataclass(frozen=True)
class ChainLayout:
    """Where each chain's presence levers sit in one flat key order (built once, read-only).

    ``keys`` are every ``chain/segment/province`` in ``CHAINS`` order, ``base`` their base-year
    presence [M]; chain c owns segments ``seg_start[c] : seg_start[c] + n_seg[c]``."""

    keys: tuple[str, ...]
    base: np.ndarray  # [M], M = segments × provinces
    seg_start: np.ndarray  # [C] first segment of each chain
    n_seg: np.ndarray  # [C] segments per chain


@cache
def chain_layout() -> ChainLayout:
    """The base presence comes from the module constants in ``jjjplan.chains`` (not from a
    dataset vintage), so one layout serves every batch; its arrays are made read-only."""
    base = base_presence()
    keys = tuple(base)
    base_arr = np.array([base[k] for k in keys])
    n_seg = np.array([len(c.segments) for c in CHAINS], dtype=np.intp)
    seg_start = np.concatenate([[0], np.cumsum(n_seg)[:-1]]).astype(np.intp)
    for arr in (base_arr, n_seg, seg_start):
        arr.setflags(write=False)
    return ChainLayout(keys, base_arr, seg_start, n_seg)


_milestone_values = attrgetter("y2025", "y2030", "y2035")


def presence_matrix(
    presences: Sequence[Mapping[str, Milestones]], keys: tuple[str, ...]
) -> np.ndarray:
    """[D, M, 3] milestone values. Complete presence mappings keep the canonical key order
    (``ChainFilling`` fills from ``default_presence()``), so most are read by their values;
    any other is read key by key (never misplaced)."""
    by_key = itemgetter(*keys)
    m = len(keys)
    rows = [
        map(_milestone_values, p.values() if len(p) == m and tuple(p) == keys else by_key(p))
        for p in presences
    ]
    flat = np.fromiter(
        itertools.chain.from_iterable(itertools.chain.from_iterable(rows)),
        dtype=float,
        count=len(presences) * m * 3,
    )
    return flat.reshape(len(presences), m, 3)


#: distinct chain settings evaluated at once: bounds the [M, D] year buffers (~0.9 MB each)
_CHAIN_BLOCK = 1024


def chain_paths_many(
    chains: Sequence, start_years: Sequence[int], years: tuple[int, ...]
) -> ChainPaths:
    """Chain paths of D chain settings (``ChainFilling``) with their policy start years:
    their presence milestones read into one [D, M, 3] matrix, then
    :func:`chain_paths_from_values`."""
    keys = chain_layout().keys
    values = np.empty((len(chains), len(keys), 3))
    for lo in range(0, len(chains), _CHAIN_BLOCK):  # Python floats of one block at a time
        block = chains[lo : lo + _CHAIN_BLOCK]
        values[lo : lo + len(block)] = presence_matrix([c.presence for c in block], keys)
    return chain_paths_from_values(values, start_years, years)


def chain_paths_from_values(
    values: np.ndarray, start_years: Sequence[int], years: tuple[int, ...]
) -> ChainPaths:
    """Chain paths of D chain settings given as presence milestones ``values`` [D, M, 3]
    (2025, 2030, 2035 of every ``chain_layout().keys``) with their policy start years.

    Sourcing share of a chain = mean over segments of P(at least one province supplies
    it) = 1 − Π_p (1 − presence); its rise is allocated to provinces where presence grew.
    Settings are laid out along the last axis ([M, D] per year), so every step — the
    interpolation, the product over the three provinces, the sums over a chain's segments
    — is a whole-row operation over D contiguous values, year by year in a few reused
    buffers; rows with the same start year share their interpolation weights."""
    lay = chain_layout()
    values = np.asarray(values, dtype=float)
    d_n, t_n, c_n = len(values), len(years), len(CHAINS)
    share = np.empty((c_n, t_n, d_n))
    alloc = np.zeros((c_n, t_n, len(PROVINCES), d_n))  # stays 0 where nothing grew
    sy_all = np.asarray(start_years, dtype=np.intp)
    for lo in range(0, d_n, _CHAIN_BLOCK):
        hi = min(lo + _CHAIN_BLOCK, d_n)
        sy_block = sy_all[lo:hi]
        for sy in np.unique(sy_block):
            same = sy_block == sy
            rows = slice(lo, hi) if same.all() else lo + np.flatnonzero(same)
            # deviations from the base presence (a flat path stays exactly flat), [3, M, d]
            dev = np.ascontiguousarray((values[rows] - lay.base[None, :, None]).transpose(2, 1, 0))
            got_share, got_alloc = _chain_block(dev, interp_weights(int(sy), years)[1:], lay)
            share[:, :, rows] = got_share
            alloc[:, :, :, rows] = got_alloc
    return ChainPaths(
        np.ascontiguousarray(share.transpose(2, 0, 1)),
        np.ascontiguousarray(alloc.transpose(3, 0, 1, 2)),
    )


def _chain_block(
    dev: np.ndarray, weights: np.ndarray, lay: ChainLayout
) -> tuple[np.ndarray, np.ndarray]:
    """(share [C, T, d], alloc [C, T, 3, d]) of d settings with one start year: ``dev``
    [3, M, d] milestone deviations, ``weights`` [3, T] their interpolation weights.

    The paths are one matrix product (the same product, so the same rounding, as the
    earlier [d·M, 3] @ [3, T] form); the reductions keep that form's order too (a product
    over provinces in province order, sums over a chain's segments in segment order), so
    the results are equal to the last bit."""
    _, m_n, d_n = dev.shape
    p_n, t_n = len(PROVINCES), weights.shape[1]
    s_n = m_n // p_n
    share = np.empty((len(lay.n_seg), t_n, d_n))
    alloc = np.zeros((len(lay.n_seg), t_n, p_n, d_n))
    base = lay.base[:, None]  # [M, 1]
    pres, prev, step = np.empty((m_n, d_n)), np.empty((m_n, d_n)), np.empty((m_n, d_n))
    absent = np.empty((m_n, d_n))
    none = np.empty((s_n, d_n))
    grew = np.empty((p_n, d_n))
    total = np.empty(d_n)
    segments = list(zip(lay.seg_start.tolist(), lay.n_seg.tolist(), strict=True))
    paths = (weights.T @ dev.reshape(3, -1)).reshape(t_n, m_n, d_n)  # [T, M, d]
    for t in range(t_n):
        np.add(paths[t], base, out=pres)
        # P(no province supplies a segment) = Π_p (1 − presence), [S, d]
        np.subtract(1.0, pres, out=absent)
        by_prov = absent.reshape(s_n, p_n, d_n)
        np.multiply(by_prov[:, 0], by_prov[:, 1], out=none)
        for p in range(2, p_n):
            none *= by_prov[:, p]
        if t:
            np.subtract(pres, prev, out=step)
            np.maximum(step, 0.0, out=step)
        else:
            step.fill(0.0)
        step_by_prov = step.reshape(s_n, p_n, d_n)
        for c, (first, n) in enumerate(segments):
            supplied = 1.0 - none[first : first + n]
            np.divide(supplied.sum(axis=0), n, out=share[c, t])
            np.add.reduce(step_by_prov[first : first + n], axis=0, out=grew)
            np.add.reduce(grew, axis=0, out=total)
            np.divide(grew, total, out=alloc[c, t], where=total > 0)
        pres, prev = prev, pres
    return share, alloc


#: years -> {(id(ChainFilling), start year): (the object, its paths)}: the object is kept so an
#: id is never reused while cached; chain paths depend on nothing else.
_CHAIN_CACHE: dict[tuple[int, ...], dict[tuple[int, int], tuple[object, ChainPaths]]] = {}
#: a batch with more new chain settings than this (a sweep: every member its own) is not
#: cached: it would only evict the few settings a dashboard or goal-seek reuses
_CHAIN_CACHE_MAX = 256


class AssumptionArrays(dict):
    """Assumption id -> its values [K]: the rows of one [ids, K] matrix, so a group of
    assumptions is one index (:func:`assumption_columns`) instead of a stack of K-arrays."""

    def __init__(self, keys: Sequence[str], matrix: np.ndarray) -> None:
        super().__init__(zip(keys, matrix, strict=True))
        self.matrix = matrix  # [ids, K]
        self.row = {key: j for j, key in enumerate(keys)}


def assumption_columns(a: Mapping[str, np.ndarray], ids: Sequence[str]) -> np.ndarray:
    """[K, len(ids)] values of the assumptions ``ids`` (``a`` maps id -> [K])."""
    if isinstance(a, AssumptionArrays):
        return a.matrix[[a.row[i] for i in ids]].T
    return np.column_stack([a[i] for i in ids])


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


#: Scenario fields whose objects identify a member's levers (members sharing them share levers)
_GROUP_FIELDS = ("poles", "chains", "innovation", "reform", "pathways")
_PATHWAY_LEVERS = (
    ("growth_poles", "poles"), ("chain_filling", "chains"), ("innovation", "innovation"),
    ("reform", "reform"),
)  # fmt: skip


def _effective_levers(scenarios: Sequence[Scenario], ref: Scenario) -> list[list]:
    """[poles, chains, innovation, reform] lists of the members' effective levers: a
    switched-off pathway keeps current policy (``ref``'s levers)."""
    out = []
    for switch, name in _PATHWAY_LEVERS:
        levers = list(map(attrgetter(name), scenarios))
        on = list(map(attrgetter(switch), map(attrgetter("pathways"), scenarios)))
        if not all(on):
            fallback = getattr(ref, name)
            levers = [x if o else fallback for x, o in zip(levers, on, strict=True)]
        out.append(levers)
    return out


RULE_FIELDS = (
    "origin_share",
    "share_years",
    "ext_years",
    "cap_multiple",
    "eligibility_threshold",
    "government_led_only",
)


_rule_fields = attrgetter(*RULE_FIELDS)


def _float_matrix(rows: Sequence[Sequence[float]], width: int) -> np.ndarray:
    """[len(rows), width] float array of equal-length rows: ``np.fromiter`` over the flat
    sequence is about twice as fast as ``np.array`` on a list of K Python rows."""
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=float, count=len(rows) * width)
    return flat.reshape(len(rows), width)


def _assumption_matrix(maps: Sequence[Mapping[str, float]], keys: tuple[str, ...]) -> np.ndarray:
    """[K, len(keys)] assumption values, columns in the order of ``keys``.

    Scenarios store their assumptions in one canonical order (``Scenario.__post_init__``
    rebuilds them from ``defaults()``), so a member whose keys come in ``keys``' order is
    read by its values; any other member is read key by key (never misplaced)."""
    by_key = itemgetter(*keys)
    canonical = list(map(keys.__eq__, map(tuple, maps)))  # C loops: K is large in a sweep
    if all(canonical):
        rows = map(methodcaller("values"), maps)
    else:
        rows = (m.values() if c else by_key(m) for m, c in zip(maps, canonical, strict=True))
    flat = np.fromiter(
        itertools.chain.from_iterable(rows), dtype=float, count=len(maps) * len(keys)
    )
    return flat.reshape(len(maps), len(keys))


def _member_chain_paths(
    chains: Sequence, start_years: Sequence[int], years: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(share [D, C, T], alloc [D, C, T, 3], row [G]) of the D distinct chain settings among
    G groups' and the distinct row of each group (the caller gathers once, per member).

    Repeated settings (the same object and start year) are computed once; settings seen in an
    earlier batch come from the cache; all new ones are computed together."""
    cache_for_years = _CHAIN_CACHE.setdefault(years, {})
    distinct: dict[tuple[int, int], int] = {}  # (id of chain object, start) -> distinct row
    keys = zip(map(id, chains), start_years, strict=True)
    group_row = np.fromiter(
        (distinct.setdefault(key, len(distinct)) for key in keys), dtype=np.intp, count=len(chains)
    )
    firsts = range(len(chains))  # distinct settings in row order
    if len(distinct) < len(chains):
        firsts = np.unique(group_row, return_index=True)[1].tolist()
    todo: list[tuple[object, int]] = [(chains[i], start_years[i]) for i in firsts]
    c_n, t_n = len(CHAINS), len(years)
    share = np.empty((len(todo), c_n, t_n))
    alloc = np.empty((len(todo), c_n, t_n, len(PROVINCES)))
    missing: list[int] = []
    for row, (obj, sy) in enumerate(todo):
        hit = cache_for_years.get((id(obj), sy))
        if hit is not None and hit[0] is obj:
            share[row], alloc[row] = hit[1].share, hit[1].alloc
        else:
            missing.append(row)
    if missing:
        new = chain_paths_many([todo[r][0] for r in missing], [todo[r][1] for r in missing], years)
        share[missing], alloc[missing] = new.share, new.alloc
        if len(missing) <= _CHAIN_CACHE_MAX:
            if len(cache_for_years) + len(missing) > _CHAIN_CACHE_MAX:
                cache_for_years.clear()
            for j, r in enumerate(missing):
                obj, sy = todo[r]
                paths = ChainPaths(new.share[j].copy(), new.alloc[j].copy())
                cache_for_years[(id(obj), sy)] = (obj, paths)
    return share, alloc, group_row


#: Columns of ``MemberLevers.milestones``: five milestone levers × (2025, 2030, 2035)
MILESTONE_COLUMNS: dict[str, slice] = {
    "poles.relocation": slice(0, 3),
    "poles.investment": slice(3, 6),
    "innovation.share": slice(6, 9),
    "innovation.absorption": slice(9, 12),
    "reform.market_integration": slice(12, 15),
}


@dataclass(frozen=True)
class MemberLevers:
    """K members' effective levers and assumptions as arrays (K leading): everything the
    engine reads from Scenario objects. :func:`collect_levers` reads them from Scenarios; a
    sweep builds them straight from its sample columns (its members exist as arrays
    already); :func:`inputs_from_levers` turns either into :class:`Inputs`."""

    scenarios: Sequence[Scenario]  # the members (a sweep's are built only when asked for)
    units: tuple[str, ...]  # the columns of weights and tech_split
    years: tuple[int, ...]  # projection years (the paths' T)
    assumption_ids: tuple[str, ...]
    assumptions: np.ndarray  # [K, ids]
    national: np.ndarray  # [K] 0 low, 1 central, 2 high
    start: np.ndarray  # [K] last year before the pathways act (>= base year)
    weights: np.ndarray  # [K, N] pole weights
    milestones: np.ndarray  # [K, 15] see MILESTONE_COLUMNS
    rule: np.ndarray  # [K, 6] sharing-rule fields in RULE_FIELDS order
    tech_split: np.ndarray  # [K, N]; NaN row = default split
    chain_share: np.ndarray  # [K, C, T]
    chain_alloc: np.ndarray  # [K, C, T, 3]
    overrides: tuple[int, ...]  # members with baseline overrides


def compile_inputs(
    scenarios: Sequence[Scenario], units: tuple[str, ...], base_year: int, years: tuple[int, ...]
) -> Inputs:
    """Arrays for K scenarios on the projection years ``years`` (years[0] = base year)."""
    return inputs_from_levers(collect_levers(scenarios, units, base_year, years))


def effective_start(policy_start_year: int, base_year: int) -> int:
    """The last year before the pathways act (never before the base year)."""
    return max(int(policy_start_year) - 1, base_year)


def collect_levers(
    scenarios: Sequence[Scenario], units: tuple[str, ...], base_year: int, years: tuple[int, ...]
) -> MemberLevers:
    """The levers and assumptions of K scenarios as arrays (the per-member Python work)."""
    ref = reference()
    k_n = len(scenarios)
    keys = tuple(scenarios[0].assumptions)
    assumptions = _assumption_matrix([s.assumptions for s in scenarios], keys)
    # members that share their lever objects (an ensemble's draws, a sweep's repeated
    # structure) are read once: group them, read each group's levers, expand by index.
    # Attributes are gathered column by column (map/attrgetter run in C): a sweep hands
    # over K distinct lever objects, and per-member Python is the batch's set-up cost.
    keys_k = list(zip(*(map(id, map(attrgetter(f), scenarios)) for f in _GROUP_FIELDS),
                      map(attrgetter("policy_start_year"), scenarios), strict=True))  # fmt: skip
    group_of: dict[tuple, int] = {}
    member_group = np.fromiter(
        (group_of.setdefault(key, len(group_of)) for key in keys_k), dtype=np.intp, count=k_n
    )
    if len(group_of) == k_n:  # every member its own levers (one scenario, a sweep)
        firsts = list(scenarios)
    else:  # groups in first-seen order
        firsts = [scenarios[i] for i in np.unique(member_group, return_index=True)[1].tolist()]

    poles, chains, innovations, reforms = _effective_levers(firsts, ref)
    start_g = np.array([effective_start(s.policy_start_year, base_year) for s in firsts])
    n = len(units)
    col = {u: j for j, u in enumerate(units)}
    g_n = len(firsts)

    cells = [(g, col[u], v) for g, p in enumerate(poles) for u, v in p.weights.items()]
    weights = np.zeros((g_n, n))
    if cells:
        rows_, cols_, vals_ = zip(*cells, strict=True)
        weights[list(rows_), list(cols_)] = vals_
    milestones = itertools.chain.from_iterable(
        zip(  # in MILESTONE_COLUMNS order
            map(attrgetter("relocation"), poles),
            map(attrgetter("investment"), poles),
            map(attrgetter("share"), innovations),
            map(attrgetter("absorption"), innovations),
            map(attrgetter("market_integration"), reforms),
            strict=True,
        )
    )
    ms = np.fromiter(
        itertools.chain.from_iterable(map(_milestone_values, milestones)),
        dtype=float,
        count=g_n * 15,
    ).reshape(g_n, 15)
    tech_split = np.full((g_n, n), np.nan)
    for g, i in enumerate(innovations):
        if i.destinations:
            tech_split[g] = [i.destinations.get(u, 0.0) for u in units]
    chain_share, chain_alloc, chain_row = _member_chain_paths(chains, start_g.tolist(), years)
    chain_row = chain_row[member_group]
    return MemberLevers(
        scenarios=tuple(scenarios),
        units=tuple(units),
        years=tuple(years),
        assumption_ids=keys,
        assumptions=assumptions,
        national=np.fromiter(
            map(_NATIONAL.__getitem__, map(attrgetter("national_path"), scenarios)),
            dtype=np.intp,
            count=k_n,
        ),
        start=start_g[member_group],
        weights=weights[member_group],
        milestones=ms[member_group],
        rule=_float_matrix(list(map(_rule_fields, reforms)), len(RULE_FIELDS))[member_group],
        tech_split=tech_split[member_group],
        chain_share=chain_share[chain_row],
        chain_alloc=chain_alloc[chain_row],
        overrides=tuple(
            k for k, o in enumerate(map(attrgetter("baseline_overrides"), scenarios)) if o
        ),
    )


def inputs_from_levers(levers: MemberLevers) -> Inputs:
    """The engine's :class:`Inputs` from K members' lever arrays: numpy only, no objects."""
    ref = reference()
    years = levers.years
    k_n = len(levers.start)
    a = AssumptionArrays(levers.assumption_ids, np.ascontiguousarray(levers.assumptions.T))
    start, ms = levers.start, levers.milestones
    col = MILESTONE_COLUMNS
    # the six milestone paths of all members in one pass: [6K] starts, [6K, 3] milestones
    ones = np.ones(k_n)
    ref_mi = np.array(ref.reform.market_integration.values())
    mi_base = a["mi_base"]
    tech_start = np.maximum(start, TECH_SHARE_OBSERVED_YEAR)
    paths = milestone_paths(
        np.concatenate([REF_RELOCATION * ones, 0.0 * ones, REF_TECH_SHARE * ones,
                        REF_ABSORPTION * ones, mi_base, mi_base]),
        np.concatenate([ms[:, col["poles.relocation"]], ms[:, col["poles.investment"]],
                        ms[:, col["innovation.share"]], ms[:, col["innovation.absorption"]],
                        ms[:, col["reform.market_integration"]],
                        np.broadcast_to(ref_mi, (k_n, 3))]),
        np.concatenate([start, start, tech_start, start, start, start]),
        years,
    ).reshape(6, k_n, len(years))  # fmt: skip
    relocation, investment, tech_share, absorption, mi, mi_ref = paths
    relocation[:, 0] = 0.0  # no flow in the base year itself
    investment[:, 0] = 0.0
    relocation_ref = np.full(len(years), REF_RELOCATION)
    relocation_ref[0] = 0.0
    return Inputs(
        scenarios=levers.scenarios,
        a=a,
        national=levers.national,
        policy_start=start + 1,
        weights=levers.weights,
        weights_ref=np.array([ref.poles.weights.get(u, 0.0) for u in levers.units]),
        relocation=relocation,
        relocation_ref=relocation_ref,
        investment=investment,
        tech_share=tech_share,
        tech_share_ref=np.full(len(years), REF_TECH_SHARE),
        tech_split=levers.tech_split,
        absorption=absorption,
        absorption_ref=np.full(len(years), REF_ABSORPTION),
        market_integration=mi,
        market_integration_ref=mi_ref,
        chain_share=levers.chain_share,
        chain_alloc=levers.chain_alloc,
        rule={f: np.ascontiguousarray(levers.rule[:, j]) for j, f in enumerate(RULE_FIELDS)},
        rule_ref={f: float(getattr(ref.reform, f)) for f in RULE_FIELDS},
        overrides=levers.overrides,
    )


__all__ = [
    "ASSUMPTION_IDS",
    "MILESTONE_COLUMNS",
    "PATHWAYS",
    "RULE_FIELDS",
    "Inputs",
    "MemberLevers",
    "chain_paths_from_values",
    "collect_levers",
    "compile_inputs",
    "effective_start",
    "inputs_from_levers",
    "milestone_paths",
    "presence_matrix",
]
