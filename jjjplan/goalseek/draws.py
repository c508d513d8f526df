"""Common assumption draws for robust goal seek.

Why: ``robust=0.8`` asks that targets hold in at least 80% of plausible worlds, so every
candidate lever setting is judged on the *same* draws (common random numbers) — otherwise the
optimiser would chase sampling noise. The draws are the ensembles' own design
(:mod:`jjjplan.uncertainty.design`: a Latin hypercube through each :meth:`Assumption.ppf`).
"""

from __future__ import annotations

__all__ = ["assumption_draws"]


def assumption_draws(base: dict[str, float], n: int, seed: int = 20351) -> list[dict[str, float]]:
    """``n`` assumption sets: every varying assumption the planner left at its default drawn
    by Latin hypercube; values the planner set stay as set. Deterministic for a ``seed``."""
    from jjjplan.uncertainty.design import to_values, uncertain_assumptions, unit_design

    varying = [a for a in uncertain_assumptions() if base.get(a.id, a.value) == a.value]
    values = to_values(unit_design(len(varying), n, "lhs", seed), varying)
    return [
        {**base, **{a.id: float(values[i, j]) for j, a in enumerate(varying)}} for i in range(n)
    ]
