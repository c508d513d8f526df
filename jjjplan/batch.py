"""``project_many``: K scenarios evaluated together, returned as one :class:`Batch`.

Every consumer that needs many projections (ensembles, sensitivity, goal seek, sweeps, the
dashboard's bands) calls :func:`project_many` with the whole batch, never a Python loop over
:func:`jjjplan.project`: the engine evaluates the batch along a leading member axis
(:func:`jjjplan.model.engine.run`), and ``project`` is its K = 1 case.

The public shape is fixed here: ``len(batch)``, ``batch[k]`` (the :class:`Results` of member
k), ``batch.gaps``, ``batch.ratios`` and ``batch.indicators`` (DataFrames indexed by
``(member, year)``, built from the arrays in one pass, not from K frames).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from jjjplan.chains import PROVINCES
from jjjplan.gaps import FISCAL_GAP_NAMES, fiscal_gap_measures, gap_measures_array
from jjjplan.model.engine import BatchProjection, _province_membership, _province_sum, run
from jjjplan.results import RATIO_NAMES, Results
from jjjplan.scenario import Scenario


@dataclass(frozen=True)
class Batch:
    """The results of K scenarios; member k is ``batch[k]``."""

    projection: BatchProjection
    _members: dict = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.projection)

    def __getitem__(self, k: int) -> Results:
        k = range(len(self))[k]  # negative indices; IndexError when out of range
        if k not in self._members:
            self._members[k] = Results(self.projection.member(k))
        return self._members[k]

    def __iter__(self):
        return (self[k] for k in range(len(self)))

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return self.projection.scenarios

    @property
    def years(self) -> np.ndarray:
        return self.projection.years

    def _index(self) -> pd.MultiIndex:
        return pd.MultiIndex.from_product([range(len(self)), self.years], names=["member", "year"])

    def _frame(self, values: np.ndarray, columns) -> pd.DataFrame:
        k, t = values.shape[:2]
        return pd.DataFrame(values.reshape(k * t, -1), index=self._index(), columns=list(columns))

    @cached_property
    def _province_sums(self) -> tuple[np.ndarray, np.ndarray]:
        """GDP and population by province (BJ, TJ, HE), [K, T, 3] each."""
        p = self.projection
        _, in_prov = _province_membership(p.provinces)
        return _province_sum(p.gdp, in_prov), _province_sum(p.population, in_prov)

    @cached_property
    def gap_values(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """(values [K, T, C], names): the numbers behind :attr:`gaps`, no DataFrame."""
        p = self.projection
        values, names = gap_measures_array(p.gdp, p.population, groups=p.provinces)
        fiscal = fiscal_gap_measures(p.ledger["expenditure"], self._province_sums[1])
        values = np.concatenate(
            [values, np.stack([fiscal[f] for f in FISCAL_GAP_NAMES], axis=-1)], axis=-1
        )
        return values, (*names, *FISCAL_GAP_NAMES)

    @cached_property
    def ratio_values(self) -> np.ndarray:
        """[K, T, 3] values behind :attr:`ratios` (columns ``RATIO_NAMES``)."""
        p = self.projection
        gdp, pop = self._province_sums
        per_capita = gdp / pop
        he = per_capita[:, :, PROVINCES.index("HE")]
        return np.stack(
            [
                per_capita[:, :, PROVINCES.index("BJ")] / he,
                per_capita[:, :, PROVINCES.index("TJ")] / he,
                p.gdp.sum(axis=2) / p.national_gdp,
            ],
            axis=2,
        )

    @property
    def indicator_values(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """(values [K, T, C], names) of :attr:`indicators` without building a DataFrame:
        what ensembles and the dashboard's bands take quantiles over."""
        gaps, names = self.gap_values
        return np.concatenate([gaps, self.ratio_values], axis=2), (*names, *RATIO_NAMES)

    @cached_property
    def gaps(self) -> pd.DataFrame:
        """Gap measures of every member: index (member, year), columns of ``Results.gaps``."""
        values, names = self.gap_values
        return self._frame(values, names)

    @cached_property
    def ratios(self) -> pd.DataFrame:
        """Per-capita ratios of every member: index (member, year), as ``Results.ratios``."""
        return self._frame(self.ratio_values, RATIO_NAMES)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """Gap measures and ratios side by side, index (member, year): what targets, bands and
        sweeps select from (e.g. ``theil_t``, ``bj_he_ratio``)."""
        return self._frame(*self.indicator_values)


def project_many(scenarios: Sequence[Scenario], data=None) -> Batch:
    """Project every scenario in ``scenarios`` at once (levers and assumptions may differ).

    ``data`` selects the baseline dataset: None (the bundled data in the scenarios' common
    ``data_vintage``), the path of a planner's baseline-data workbook, or a Dataset.
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("project_many needs at least one scenario")
    for k, s in enumerate(scenarios):
        if not isinstance(s, Scenario):
            raise TypeError(f"project_many: member {k} is {type(s).__name__}, not a Scenario")
    return Batch(run(scenarios, data))
