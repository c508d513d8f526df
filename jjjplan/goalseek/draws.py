"""Common assumption draws for robust goal seek.

Why here: ``robust=0.8`` asks that targets hold in at least 80% of plausible worlds, so
every candidate lever setting is judged on the *same* draws (common random numbers) —
otherwise the optimiser would chase sampling noise. The draws are a Latin hypercube over
every assumption that varies, mapped through :meth:`Assumption.ppf`.
(``jjjplan.uncertainty`` will offer the ensemble draws; this is the small stand-in goal seek
needs until then.)
"""

from __future__ import annotations

from jjjplan.assumptions import ASSUMPTIONS

__all__ = ["assumption_draws"]


def assumption_draws(base: dict[str, float], n: int, seed: int = 20351) -> list[dict[str, float]]:
    """``n`` assumption sets: every varying assumption the planner left at its default drawn
    by Latin hypercube; values the planner set stay as set. Deterministic for a ``seed``."""
    from scipy.stats import qmc

    varying = [a for a in ASSUMPTIONS if a.varies and base.get(a.id, a.value) == a.value]
    u = qmc.LatinHypercube(d=len(varying), seed=seed).random(n)
    columns = {a.id: a.ppf(u[:, j]) for j, a in enumerate(varying)}
    return [{**base, **{k: float(v[i]) for k, v in columns.items()}} for i in range(n)]
