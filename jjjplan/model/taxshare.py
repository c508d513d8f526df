"""The 2015 JJJ tax-sharing rule (财预〔2015〕92号) and how relocation volume responds to it.

Per unit of a relocated firm's pre-move annual local-share tax ("三税", τ_pre = 1):
the origin takes ``origin_share`` of the firm's tax for ``share_years`` years after the firm
reaches production; if its cumulative take is still below the cap (``cap_multiple`` × τ_pre,
i.e. the sum of the 3 pre-move years), sharing runs ``ext_years`` more; the centre then pays a
one-off compensation (``comp_frac`` × the shortfall, amount unspecified in the rule). The
destination keeps the rest. Every element is a lever. See model-lit §8(4).

Every function works on arrays of K rules at once (a leading member axis), because
``project_many`` evaluates K scenarios together; the scalar forms are the K = 1 case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_EPS = 1e-12


@dataclass(frozen=True)
class SharingRule:
    """One rule (scalars) or K rules (arrays of shape [K]): the engine passes arrays."""

    origin_share: float | np.ndarray = 0.5
    share_years: int | np.ndarray = 3
    ext_years: int | np.ndarray = 2
    cap_multiple: float | np.ndarray = 3.0
    eligibility_threshold: float | np.ndarray = 2000.0  # 万元/yr of pre-move 三税
    government_led_only: bool | np.ndarray = True


@dataclass(frozen=True)
class Schedule:
    """Receipts per year k = 1..horizon after a move, per unit of pre-move annual tax
    (shape [horizon] for one rule, [K, horizon] for K rules)."""

    firm_tax: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    compensation: np.ndarray  # central one-off, paid to the origin


def _vec(x) -> np.ndarray:
    return np.atleast_1d(np.asarray(x, dtype=float))


_MEMO: dict[tuple, Schedule] = {}


def sharing_schedule(rule: SharingRule, horizon: int, post_growth=0.0, comp_frac=0.0) -> Schedule:
    """Split of one relocated firm's tax between origin and destination, year by year.

    Small batches (a dashboard's single projection, its reference) are memoised on their
    inputs: the same rules recur on every update, and a hit skips the schedule's few dozen
    array operations."""
    args = (rule.origin_share, rule.share_years, rule.ext_years, rule.cap_multiple)
    arrays = [np.asarray(x, dtype=float) for x in (*args, post_growth, comp_frac)]
    if max(a.size for a in arrays) <= 8:
        key = (horizon, *(a.tobytes() + bytes(a.ndim) for a in arrays))
        hit = _MEMO.get(key)
        if hit is None:
            if len(_MEMO) > 512:
                _MEMO.clear()
            hit = _MEMO[key] = _schedule(rule, horizon, post_growth, comp_frac)
        return hit
    return _schedule(rule, horizon, post_growth, comp_frac)


def _schedule(rule: SharingRule, horizon: int, post_growth, comp_frac) -> Schedule:
    scalar = np.ndim(rule.origin_share) == 0 and np.ndim(post_growth) == 0
    share = _vec(rule.origin_share)
    cap = _vec(rule.cap_multiple)
    years = _vec(rule.share_years)
    ext = _vec(rule.ext_years)
    g, cf = _vec(post_growth), _vec(comp_frac)
    k_members = max(len(share), len(cap), len(years), len(ext), len(g), len(cf))
    share, cap, years, ext, g, cf = (
        x if len(x) == k_members else _filled(x, k_members) for x in (share, cap, years, ext, g, cf)
    )
    years_1 = np.arange(1, horizon + 1)  # year after the move, 1..horizon
    tax = (1.0 + g[:, None]) ** (years_1 - 1)
    # Closed form of the year-by-year rule (no loop over years): while the cap is not yet
    # reached, the origin's cumulative take is the running sum of share × tax (np.cumsum adds
    # in year order, so it equals the sequential sum to the last bit); the cap stops it.
    cap_col = cap[:, None]
    due = share[:, None] * tax
    cum = np.cumsum(due, axis=1)  # taken by the end of each year had the cap never bound
    cum_before = np.zeros_like(cum)
    cum_before[:, 1:] = cum[:, :-1]
    unmet = cum < cap_col - _EPS  # cap still unmet at the end of the year
    end0 = years.astype(int)
    # the extension runs when the cap is unmet at the end of the first period
    extend = ((years_1 == end0[:, None]) & unmet).any(axis=1) & (ext.astype(int) > 0)
    end = np.where(extend, end0 + ext.astype(int), end0)
    active = (years_1 <= end[:, None]) & (cum_before < cap_col - _EPS)
    origin = np.where(active, np.minimum(due, cap_col - cum_before), 0.0)
    # one-off central compensation of the shortfall at the (extended) end, if still unmet
    comp = np.where((years_1 == end[:, None]) & unmet, cf[:, None] * (cap_col - cum), 0.0)
    if scalar:
        return Schedule(tax[0], origin[0], tax[0] - origin[0], comp[0])
    return Schedule(tax, origin, tax - origin, comp)


def _filled(x, k_members: int) -> np.ndarray:
    """``x`` (a scalar or [1] or [K]) as a fresh [K] float array (cheaper than broadcast_to
    on the small arrays of one projection)."""
    out = np.empty(k_members)
    out[:] = x
    return out


def _stacked(values: Sequence, k_members: int) -> np.ndarray:
    """[len(values) · K]: each value (a scalar or [K]) filled into its own block of K."""
    out = np.empty(len(values) * k_members)
    for j, v in enumerate(values):
        out[j * k_members : (j + 1) * k_members] = v
    return out


def _schedule_arrays(s: Schedule) -> tuple[np.ndarray, ...]:
    return (s.firm_tax, s.origin, s.destination, s.compensation)


def joint_schedules(
    rules: Sequence[SharingRule], k_members: int, horizon: int, post_growth, comp_frac
) -> list[Schedule]:
    """The schedules ([K, horizon] each) of several rules of K members, from ONE evaluation
    of the closed-form schedule over all of them stacked (each rule's fields scalars or [K]
    arrays)."""
    n = len(rules)
    fields = [_stacked(f, k_members) for f in zip(*(_fields(r)[:4] for r in rules), strict=True)]
    g = _stacked([post_growth] * n, k_members)
    cf = _stacked([comp_frac] * n, k_members)
    s = sharing_schedule(SharingRule(*fields), horizon, g, cf)
    return [
        Schedule(*(x[j * k_members : (j + 1) * k_members] for x in _schedule_arrays(s)))
        for j in range(n)
    ]


def discount(horizon: int, rate) -> np.ndarray:
    return (1.0 + np.asarray(rate, dtype=float)[..., None]) ** -np.arange(1, horizon + 1)


def fiscal_value_shares(
    rule: SharingRule,
    horizon=10,
    rate=0.05,
    post_growth=0.0,
    comp_frac=0.0,
    schedule: Schedule | None = None,
):
    """(S_o, S_d): PV of origin receipts over PV of the tax the firm would have paid had it
    stayed; PV of destination receipts over PV of the firm's post-move tax. ``horizon`` may
    differ per member (an array of whole years): years beyond it get zero weight.
    ``schedule``: this rule's schedule if already computed (any horizon ≥ ``horizon``; a
    schedule's first years do not depend on its length)."""
    scalar = all(np.ndim(x) == 0 for x in (rule.origin_share, horizon, rate, post_growth))
    h = np.atleast_1d(np.asarray(horizon)).astype(int)
    h_max = int(h.max())
    s = schedule
    if s is None or s.origin.shape[-1] < h_max:
        s = sharing_schedule(
            SharingRule(*(np.atleast_1d(v) for v in _fields(rule))),
            h_max,
            _vec(post_growth),
            _vec(comp_frac),
        )
    elif s.origin.shape[-1] > h_max:
        s = Schedule(*(np.atleast_2d(x)[:, :h_max] for x in _schedule_arrays(s)))
    d = discount(h_max, _vec(rate)) * (np.arange(1, h_max + 1) <= h[:, None])
    stay = d.sum(axis=1)  # τ_pre = 1 each year had the firm stayed
    s_o = ((s.origin + s.compensation) * d).sum(axis=1) / stay
    s_d = (s.destination * d).sum(axis=1) / (s.firm_tax * d).sum(axis=1)
    if scalar:
        return float(s_o[0]), float(s_d[0])
    return s_o, s_d


def _fields(rule: SharingRule) -> tuple:
    return (
        rule.origin_share,
        rule.share_years,
        rule.ext_years,
        rule.cap_multiple,
        rule.eligibility_threshold,
        rule.government_led_only,
    )


def eligible_share(threshold, pareto_alpha, min_tax):
    """Share of relocated firms' tax paid by firms at or above the eligibility threshold,
    with firm tax sizes Pareto-distributed above ``min_tax`` (index ``pareto_alpha`` > 1)."""
    t, a, m = (np.asarray(x, dtype=float) for x in (threshold, pareto_alpha, min_tax))
    out = np.where(t <= m, 1.0, (np.maximum(t, m) / m) ** (1.0 - a))
    return float(out) if out.ndim == 0 else out


def relocation_response(
    rule: SharingRule, ref: SharingRule, a, schedules: tuple[Schedule, Schedule] | None = None
) -> tuple:
    """Government-led relocation volume relative to current policy (model-lit §8(4)):
    ((B_o + S_o)/(B_o + S_o_ref))^η_o · ((B_d + S_d)/(B_d + S_d_ref))^η_d, where S are the
    fiscal value shares averaged over eligible and ineligible firms. ``a`` maps assumption
    ids to scalars or [K] arrays; ``schedules`` may pass both rules' schedules (see
    :func:`joint_schedules`) so they are not computed again."""

    def shares(r: SharingRule, schedule: Schedule | None):
        e = eligible_share(r.eligibility_threshold, a["firm_tax_pareto"], a["firm_tax_min"])
        s_o, s_d = fiscal_value_shares(
            r,
            np.asarray(a["fiscal_horizon"]).astype(int),
            a["discount_rate"],
            a["post_move_tax_growth"],
            a["comp_frac"],
            schedule,
        )
        return e * s_o, e * s_d + (1.0 - e)

    own, of_ref = schedules or (None, None)
    s_o, s_d = shares(rule, own)
    s_o_ref, s_d_ref = shares(ref, of_ref)
    b_o, b_d = a["b_origin"], a["b_dest"]
    factor = ((b_o + s_o) / (b_o + s_o_ref)) ** a["eta_origin"] * (
        (b_d + s_d) / (b_d + s_d_ref)
    ) ** a["eta_dest"]
    if np.ndim(factor) == 0:
        factor = float(factor)
    return factor, {"S_o": s_o, "S_d": s_d, "S_o_ref": s_o_ref, "S_d_ref": s_d_ref}
