"""Exogenous time paths of the four pathways (they do not depend on projected GDP).

Each function returns the scenario's path; the engine applies the *difference* from the
current-policy reference, because current policy is already inside the calibrated baseline
growth. That is what makes "all pathways off" reproduce the baseline exactly.
"""

from __future__ import annotations

import numpy as np

from jjjplan import baseline
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.scenario import REF_ABSORPTION, REF_RELOCATION, Scenario, base_presence

TECH_SHARE_2022 = 0.045  # article; 356.9 / 7948.7 = 4.49% (tech_contracts.csv, derived)


def pole_weights(s: Scenario, units: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(w, w_dest): weights over all units, and over destinations (Beijing excluded)."""
    w = np.array([s.poles.weights.get(u, 0.0) for u in units], dtype=float)
    w_dest = w.copy()
    w_dest[units.index("BJ")] = 0.0
    return w, w_dest / w_dest.sum()


def relocation_lever(s: Scenario, years: np.ndarray) -> np.ndarray:
    """Government-led relocation out of Beijing (亿元/yr) before the fiscal response; no
    flow in the base year itself."""
    path = s.poles.relocation.path(REF_RELOCATION, int(years[0]), years)
    path[0] = 0.0
    return path


def investment_intensity(s: Scenario, years: np.ndarray) -> np.ndarray:
    path = s.poles.investment.path(0.0, int(years[0]), years)
    path[0] = 0.0
    return path


def chain_value_added(s: Scenario, years: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Value added (亿元/yr, [T, 3 provinces]) from rising intra-region sourcing, and the
    sourcing share per chain ([T]).

    Sourcing share of a chain = mean over segments of P(at least one province supplies it)
    = 1 − Π_p (1 − presence). Its yearly rise × chain size × value-added ratio × (1 + local
    multiplier) is added, allocated to provinces in proportion to where presence grew.
    """
    base = base_presence()
    m_local = s.assumptions["m_local"]
    added = np.zeros((len(years), len(PROVINCES)))
    sourcing: dict[str, np.ndarray] = {}
    start_year = int(years[0])
    for chain in CHAINS:
        pres = np.stack(
            [
                np.stack(
                    [
                        s.chains.presence[f"{chain.id}/{seg.id}/{p}"].path(
                            base[f"{chain.id}/{seg.id}/{p}"], start_year, years
                        )
                        for p in PROVINCES
                    ],
                    axis=-1,
                )
                for seg in chain.segments
            ],
            axis=1,
        )  # [T, segments, provinces]
        share = (1.0 - np.prod(1.0 - pres, axis=2)).mean(axis=1)  # [T]
        sourcing[chain.id] = share
        d_share = np.diff(share, prepend=share[0])
        grew = np.clip(np.diff(pres, axis=0, prepend=pres[:1]), 0.0, None).sum(axis=1)  # [T, P]
        total = grew.sum(axis=1, keepdims=True)
        alloc = np.divide(grew, total, out=np.zeros_like(grew), where=total > 0)
        size = s.assumptions[f"chain_size_{chain.id}"]
        va_ratio = s.assumptions[f"chain_va_{chain.id}"]
        added += (size * va_ratio * (1.0 + m_local) * d_share)[:, None] * alloc
    return added, sourcing


def tech_share_path(s: Scenario, years: np.ndarray) -> np.ndarray:
    """Share of Beijing's turnover flowing to TJ + HE: 2022 4.5%, 2023 8.8% (data), then
    linear to the milestones."""
    path = s.innovation.share.path(0.088, 2023, years)
    path[years == 2022] = TECH_SHARE_2022
    return path


def tech_turnover(s: Scenario, years: np.ndarray) -> np.ndarray:
    """Beijing tech-contract turnover (亿元): 2022 7948.7, 2023 8536.9, then trend growth."""
    g = s.assumptions["tech_turnover_growth"]
    k2023 = baseline.series("tech_turnover_bj").loc[2023]
    out = k2023 * (1.0 + g) ** (years - 2023)
    out[years == 2022] = baseline.series("tech_turnover_bj").loc[2022]
    return out


def tech_stock(
    s: Scenario, years: np.ndarray, w_dest: np.ndarray, base_split: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(flow to each unit [T, N], absorbed stock [T, N]) by perpetual inventory.

    The base-year stock is the steady state of flows that grew at the historical rate,
    S_0 = absorb · F_0 / (g_hist + δ), spread over Tianjin and Hebei by ``base_split`` (their
    GDP shares: where the past flows went is not published). New flows go by pole weight."""
    a = s.assumptions
    flow_total = tech_share_path(s, years) * tech_turnover(s, years)
    flow = flow_total[:, None] * w_dest[None, :]
    absorb = s.innovation.absorption.path(REF_ABSORPTION, int(years[0]), years)
    delta = a["delta_tech"]
    stock = np.empty_like(flow)
    stock[0] = absorb[0] * flow_total[0] * base_split / (a["tech_flow_growth_hist"] + delta)
    for t in range(1, len(years)):
        stock[t] = (1.0 - delta) * stock[t - 1] + absorb[t] * flow[t]
    return flow, stock


def market_integration(s: Scenario, years: np.ndarray) -> np.ndarray:
    return s.reform.market_integration.path(s.assumptions["mi_base"], int(years[0]), years)
