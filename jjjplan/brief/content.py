"""What the briefing says, as plain data: key figures, gap paths, contributions, the fiscal
ledger, the assumptions caveat and the footer facts. Drawing lives in :mod:`.page`.

The key figures are the results workbook's :data:`KEY_INDICATORS` against the same policy
baseline (:func:`baseline_for`), so a number reads the same in the briefing and the workbook.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import jjjplan
from jjjplan.assumptions import ASSUMPTIONS
from jjjplan.chains import PROVINCES
from jjjplan.excel.write.indicators import KEY_INDICATORS, Indicator, baseline_for
from jjjplan.excel.write.provenance import file_sha256
from jjjplan.results import Results, project
from jjjplan.scenario import PATHWAYS

#: Years of the key-figure table.
KEY_YEARS: tuple[int, ...] = (2030, 2035)
#: The gap measure charted and decomposed by pathway (the workbook's first key indicator).
GAP_MEASURE = "theil_t"
#: Fiscal-ledger items summarised (亿元).
LEDGER_ITEMS: tuple[str, ...] = ("own_revenue", "shares_received", "shares_paid", "net_revenue")


@dataclass(frozen=True)
class KeyFigure:
    indicator: Indicator
    scenario: dict[int, float]
    baseline: dict[int, float]

    def delta(self, year: int) -> float:
        return self.scenario[year] - self.baseline[year]

    def improved(self, year: int) -> bool | None:
        """True when the change goes the better way; None when there is no change."""
        d = self.delta(year)
        if abs(d) < 1e-12:
            return None
        return (d < 0) if self.indicator.lower_is_better else (d > 0)


@dataclass(frozen=True)
class BriefContent:
    """Everything one briefing shows, computed once."""

    results: Results
    base: Results
    key_figures: tuple[KeyFigure, ...]
    gap_scenario: pd.Series
    gap_baseline: pd.Series
    contributions: pd.Series  # pathway -> contribution to the 2035 change of GAP_MEASURE
    ledger: pd.DataFrame  # province x item, scenario 2035, 亿元
    ledger_baseline: pd.DataFrame
    assumption_count: int
    assumption_flagged: int
    inputs: tuple[tuple[str, str], ...]  # (file name, SHA-256)
    bands: pd.DataFrame | None = field(default=None)  # year x (low, high), when draws exist

    @property
    def scenario_name(self) -> str:
        return self.results.scenario.name

    @property
    def version(self) -> str:
        return jjjplan.__version__

    @property
    def base_year(self) -> int:
        return self.results.base_year

    @property
    def vintage(self) -> str:
        return self.results.projection.vintage

    @property
    def code(self) -> str:
        """The scenario code (``jjjplan code``) that rebuilds this scenario exactly."""
        from jjjplan.codes import encode

        return encode(self.results.scenario)


def _key_figures(results: Results, base: Results) -> tuple[KeyFigure, ...]:
    figures = []
    for ind in KEY_INDICATORS:
        s, b = ind.series(results), ind.series(base)
        figures.append(
            KeyFigure(
                ind,
                {y: float(s.loc[y]) for y in KEY_YEARS},
                {y: float(b.loc[y]) for y in KEY_YEARS},
            )
        )
    return tuple(figures)


def _ledger(results: Results, year: int) -> pd.DataFrame:
    return results.ledger().loc[year].loc[list(PROVINCES), list(LEDGER_ITEMS)]


def dataset_of(results: Results) -> jjjplan.baseline.Dataset:
    """The baseline data ``results`` were projected on (bundled vintage or planner's file),
    so the briefing's baseline and bands use the same data as the scenario."""
    from jjjplan.excel.write.provenance import dataset_of as provenance_dataset

    return provenance_dataset(results)


def gather(
    results: Results,
    inputs: tuple[str | os.PathLike[str], ...] = (),
    bands: pd.DataFrame | None = None,
) -> BriefContent:
    """The briefing's content for ``results``; ``inputs`` are hashed for the footer.

    ``bands`` (index = year, columns ``low`` and ``high`` of :data:`GAP_MEASURE`) draws an
    uncertainty band around the scenario's gap path when an ensemble was run.
    """
    base = project(baseline_for(results.scenario), data=dataset_of(results))
    final = int(results.years[-1])
    contributions = results.contributions.loc[final][GAP_MEASURE].reindex(list(PATHWAYS))
    flagged = sum(1 for a in ASSUMPTIONS if a.is_assumption)
    hashed = tuple((Path(p).name, file_sha256(p)) for p in inputs)
    return BriefContent(
        results=results,
        base=base,
        key_figures=_key_figures(results, base),
        gap_scenario=results.gaps[GAP_MEASURE],
        gap_baseline=base.gaps[GAP_MEASURE],
        contributions=contributions,
        ledger=_ledger(results, final),
        ledger_baseline=_ledger(base, final),
        assumption_count=len(ASSUMPTIONS),
        assumption_flagged=flagged,
        inputs=hashed,
        bands=bands,
    )
