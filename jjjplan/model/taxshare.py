"""The 2015 JJJ tax-sharing rule (财预〔2015〕92号) and how relocation volume responds to it.

Per unit of a relocated firm's pre-move annual local-share tax ("三税", τ_pre = 1):
the origin takes ``origin_share`` of the firm's tax for ``share_years`` years after the firm
reaches production; if its cumulative take is still below the cap (``cap_multiple`` × τ_pre,
i.e. the sum of the 3 pre-move years), sharing runs ``ext_years`` more; the centre then pays a
one-off compensation (``comp_frac`` × the shortfall, amount unspecified in the rule). The
destination keeps the rest. Every element is a lever. See model-lit §8(4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SharingRule:
    origin_share: float = 0.5
    share_years: int = 3
    ext_years: int = 2
    cap_multiple: float = 3.0
    eligibility_threshold: float = 2000.0  # 万元/yr of pre-move 三税
    government_led_only: bool = True


@dataclass(frozen=True)
class Schedule:
    """Receipts per year k = 1..horizon after a move, per unit of pre-move annual tax."""

    firm_tax: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    compensation: np.ndarray  # central one-off, paid to the origin


def sharing_schedule(
    rule: SharingRule, horizon: int, post_growth: float = 0.0, comp_frac: float = 0.0
) -> Schedule:
    """Split of one relocated firm's tax between origin and destination, year by year."""
    k = np.arange(1, horizon + 1)
    tax = (1.0 + post_growth) ** (k - 1)
    origin = np.zeros(horizon)
    comp = np.zeros(horizon)
    cap = rule.cap_multiple
    paid = 0.0
    end = int(rule.share_years)
    extended = False
    for i in range(horizon):
        year = i + 1
        if year <= end and paid < cap - 1e-12:
            origin[i] = min(rule.origin_share * tax[i], cap - paid)
            paid += origin[i]
        if year == end:
            if not extended and rule.ext_years > 0 and paid < cap - 1e-12:
                end += int(rule.ext_years)  # cap unmet after the sharing years: extend
                extended = True
            elif paid < cap - 1e-12:
                comp[i] = comp_frac * (cap - paid)  # one-off central compensation
    return Schedule(tax, origin, tax - origin, comp)


def discount(horizon: int, rate: float) -> np.ndarray:
    return (1.0 + rate) ** -np.arange(1, horizon + 1)


def fiscal_value_shares(
    rule: SharingRule,
    horizon: int = 10,
    rate: float = 0.05,
    post_growth: float = 0.0,
    comp_frac: float = 0.0,
) -> tuple[float, float]:
    """(S_o, S_d): PV of origin receipts over PV of the tax the firm would have paid had it
    stayed; PV of destination receipts over PV of the firm's post-move tax."""
    s = sharing_schedule(rule, horizon, post_growth, comp_frac)
    d = discount(horizon, rate)
    stay = d.sum()  # τ_pre = 1 each year had the firm stayed
    s_o = float(((s.origin + s.compensation) * d).sum() / stay)
    s_d = float((s.destination * d).sum() / (s.firm_tax * d).sum())
    return s_o, s_d


def eligible_share(threshold: float, pareto_alpha: float, min_tax: float) -> float:
    """Share of relocated firms' tax paid by firms at or above the eligibility threshold,
    with firm tax sizes Pareto-distributed above ``min_tax`` (index ``pareto_alpha`` > 1)."""
    if threshold <= min_tax:
        return 1.0
    return float((threshold / min_tax) ** (1.0 - pareto_alpha))


def relocation_response(
    rule: SharingRule, ref: SharingRule, a: dict[str, float]
) -> tuple[float, dict[str, float]]:
    """Government-led relocation volume relative to current policy (model-lit §8(4)):
    ((B_o + S_o)/(B_o + S_o_ref))^η_o · ((B_d + S_d)/(B_d + S_d_ref))^η_d, where S are the
    fiscal value shares averaged over eligible and ineligible firms."""

    def shares(r: SharingRule) -> tuple[float, float]:
        e = eligible_share(r.eligibility_threshold, a["firm_tax_pareto"], a["firm_tax_min"])
        s_o, s_d = fiscal_value_shares(
            r,
            int(a["fiscal_horizon"]),
            a["discount_rate"],
            a["post_move_tax_growth"],
            a["comp_frac"],
        )
        return e * s_o, e * s_d + (1.0 - e)

    s_o, s_d = shares(rule)
    s_o_ref, s_d_ref = shares(ref)
    b_o, b_d = a["b_origin"], a["b_dest"]
    factor = ((b_o + s_o) / (b_o + s_o_ref)) ** a["eta_origin"] * (
        (b_d + s_d) / (b_d + s_d_ref)
    ) ** a["eta_dest"]
    return float(factor), {"S_o": s_o, "S_d": s_d, "S_o_ref": s_o_ref, "S_d_ref": s_d_ref}
