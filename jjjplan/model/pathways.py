"""Exogenous time paths of the four pathways (they do not depend on projected GDP).

Each function returns the paths of K members ([K, T, …]); the engine applies the
*difference* from the current-policy reference, because current policy is already inside
the calibrated baseline growth. That is what makes "all pathways off" reproduce the baseline
exactly.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from jjjplan import baseline
from jjjplan.chains import CHAINS
from jjjplan.model.inputs import assumption_columns

_CHAIN_SIZE_IDS = tuple(f"chain_size_{c.id}" for c in CHAINS)
_CHAIN_VA_IDS = tuple(f"chain_va_{c.id}" for c in CHAINS)
TECH_SHARE_2022 = 0.045  # article; 356.9 / 7948.7 = 4.49% (tech_contracts.csv, derived)


def destination_split(weights: np.ndarray, bj: int) -> np.ndarray:
    """Weights over destinations (Beijing excluded), normalised per member; [K, N]."""
    w_dest = weights.copy()
    w_dest[:, bj] = 0.0
    return w_dest / w_dest.sum(axis=1, keepdims=True)


def chain_value_added(inp, a) -> tuple[np.ndarray, np.ndarray]:
    """Value added (亿元/yr, [K, T, 3 provinces]) from rising intra-region sourcing, and the
    sourcing share per chain ([K, C, T]).

    Sourcing share of a chain = mean over segments of P(at least one province supplies it)
    = 1 − Π_p (1 − presence). Its yearly rise × chain size × value-added ratio × (1 + local
    multiplier) is added, allocated to provinces in proportion to where presence grew.
    Current policy holds presence flat, so the reference adds nothing.
    """
    share = inp.chain_share  # [K, C, T]
    if (share == share[:, :, :1]).all():  # presence held flat (current policy): adds 0
        return np.zeros((len(share), share.shape[2], inp.chain_alloc.shape[-1])), share
    d_share = np.diff(share, axis=2, prepend=share[:, :, :1])
    size = assumption_columns(a, _CHAIN_SIZE_IDS)  # [K, C]
    va_ratio = assumption_columns(a, _CHAIN_VA_IDS)
    amount = (size * va_ratio * (1.0 + a["m_local"][:, None]))[:, :, None] * d_share  # [K, C, T]
    # summed over chains in chain order, as the per-chain loop it replaces did
    return (amount[:, :, :, None] * inp.chain_alloc).sum(axis=1), share


def tech_share_path(share: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Share of Beijing's turnover flowing to TJ + HE: 2022 4.5%, 2023 8.8% (data), then
    linear to the milestones (the lever paths come from :mod:`jjjplan.model.inputs`)."""
    out = np.array(share, dtype=float)
    out[:, _year_index(years, 2022)] = TECH_SHARE_2022
    return out


def _year_index(years: np.ndarray, year: int) -> slice:
    """The column of ``year`` in consecutive ``years`` as a slice (empty when outside):
    a boolean mask over the years costs more than the assignment it selects for."""
    i = year - int(years[0])
    return slice(i, i + 1) if 0 <= i < len(years) else slice(0, 0)


def tech_turnover(a, years: np.ndarray, deflator: np.ndarray) -> np.ndarray:
    """Beijing tech-contract turnover at constant base-year prices (亿元, [K, T]).

    Published turnover is nominal (2022 7948.7, 2023 8536.9, then the nominal trend growth);
    dividing by the deflator path puts it on the model's price basis (issue 9 §6)."""
    g = a["tech_turnover_growth"][:, None]
    t2022, t2023 = _observed_turnover()
    nominal = t2023 * (1.0 + g) ** (years - 2023)
    nominal[:, _year_index(years, 2022)] = t2022
    return nominal / deflator


@cache
def _observed_turnover() -> tuple[float, float]:
    """Beijing's published turnover 2022 and 2023 (bundled observations, read once: a
    pandas filter per projection cost more than the projection's arithmetic)."""
    series = baseline.series("tech_turnover_bj")
    return float(series.loc[2022]), float(series.loc[2023])


def tech_stock(
    a,
    turnover: np.ndarray,
    share: np.ndarray,
    absorb: np.ndarray,
    split: np.ndarray,
    base_split: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(flow to each unit, absorbed stock) by perpetual inventory, both time-major
    [T, K, N]: each year's step then works on one contiguous block (``swapaxes(0, 1)``
    gives the [K, T, N] view).

    The first year's stock is the steady state of flows that grew at the historical rate,
    S_0 = absorb · F_0 / (g_hist + δ), spread over Tianjin and Hebei by ``base_split`` (their
    GDP shares: where the past flows went is not published). New flows go by ``split``, the
    technology lever's own destination split (not the pole weights)."""
    flow_total = share * turnover  # [K, T]
    flow = flow_total.T[:, :, None] * split[None, :, :]  # [T, K, N]
    delta = a["delta_tech"][:, None]
    stock = np.empty(flow.shape)
    stock[0] = (
        absorb[:, :1]
        * flow_total[:, :1]
        * base_split
        / (a["tech_flow_growth_hist"][:, None] + delta)
    )
    added = absorb.T[:, :, None] * flow
    # a full [K, N] array: one flat loop per year instead of a broadcast column
    keep = np.empty(stock[0].shape)
    keep[:] = 1.0 - delta
    for t in range(1, len(stock)):
        np.multiply(keep, stock[t - 1], out=stock[t])
        stock[t] += added[t]
    return flow, stock
