"""``project_many``: K scenarios evaluated together, returned as one :class:`Batch`.

Every consumer that needs many projections (ensembles, sensitivity, goal seek, sweeps, the
dashboard's bands) calls :func:`project_many` with the whole batch, never a Python loop over
:func:`jjjplan.project`, so that the engine can evaluate the batch along a leading axis.

The public shape is fixed here: ``len(batch)``, ``batch[k]`` (the :class:`Results` of member
k), ``batch.gaps`` and ``batch.indicators`` (DataFrames indexed by ``(member, year)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from jjjplan.results import Results, project
from jjjplan.scenario import Scenario


@dataclass(frozen=True)
class Batch:
    """The results of K scenarios; member k is ``batch[k]``."""

    results: tuple[Results, ...]

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, k: int) -> Results:
        return self.results[k]

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return tuple(r.scenario for r in self.results)

    def _stack(self, attr: str) -> pd.DataFrame:
        frames = [getattr(r, attr) for r in self.results]
        df = pd.concat(frames, keys=range(len(frames)), names=["member", "year"])
        return df

    @cached_property
    def gaps(self) -> pd.DataFrame:
        """Gap measures of every member: index (member, year), columns of ``Results.gaps``."""
        return self._stack("gaps")

    @cached_property
    def ratios(self) -> pd.DataFrame:
        """Per-capita ratios of every member: index (member, year), as ``Results.ratios``."""
        return self._stack("ratios")

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """Gap measures and ratios side by side, index (member, year): what targets, bands and
        sweeps select from (e.g. ``theil_t``, ``bj_he_ratio``)."""
        return self.gaps.join(self.ratios)


def project_many(scenarios: Sequence[Scenario], data=None) -> Batch:
    """Project every scenario in ``scenarios`` (levers and assumptions may differ).

    ``data`` selects the baseline dataset (``None``: each scenario's own data vintage).
    """
    if data is not None:
        raise NotImplementedError("project_many(data=...) arrives with Baseline data v2")
    scenarios = list(scenarios)
    for k, s in enumerate(scenarios):
        if not isinstance(s, Scenario):
            raise TypeError(f"project_many: member {k} is {type(s).__name__}, not a Scenario")
    return Batch(tuple(project(s) for s in scenarios))
