"""Targets: what planners want to reach ("Beijing/Hebei per-capita GDP ratio ≤ 2.8 by 2035").

Why a module of its own: the workbook's 目标 Targets sheet, the results workbook, goal seek
(:mod:`jjjplan.goalseek`) and the dashboard all state, parse and check targets the same way.
A target names an indicator — a gap measure or ratio column of :attr:`Batch.indicators`, or
the GDP / per-capita GDP of a unit, a province or JJJ (``region``), or the per-capita GDP of
one region relative to another (``region="HE/TJ"``) — a year, an operator and a value.
Evaluation takes a whole :class:`~jjjplan.batch.Batch` and returns one array per target.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from jjjplan.gaps import DECOMPOSITION_NAMES, GAP_MEASURE_LABELS, GAP_MEASURE_NAMES

if TYPE_CHECKING:
    from jjjplan.batch import Batch

__all__ = [
    "INDICATORS",
    "OPS",
    "REGIONAL",
    "Target",
    "TargetError",
    "indicator_label",
    "indicator_values",
    "parse_target",
    "result_value",
    "target_margins",
]

#: Indicators measured on the whole region (columns of ``Batch.indicators``).
_RATIO_LABELS = {
    "bj_he_ratio": ("京冀人均GDP比", "Beijing/Hebei per-capita GDP"),
    "tj_he_ratio": ("津冀人均GDP比", "Tianjin/Hebei per-capita GDP"),
    "jjj_share_national": ("京津冀占全国GDP比重", "JJJ share of national GDP"),
}
INDICATORS: dict[str, tuple[str, str]] = {
    **{k: GAP_MEASURE_LABELS[k] for k in (*GAP_MEASURE_NAMES, *DECOMPOSITION_NAMES)},
    **_RATIO_LABELS,
}
#: Indicators of one region (a unit code, BJ/TJ/HE, JJJ, or "A/B" for A relative to B).
REGIONAL: dict[str, tuple[str, str]] = {
    "gdp": ("地区生产总值", "GDP"),
    "gdp_per_capita": ("人均地区生产总值", "GDP per capita"),
    "population": ("常住人口", "resident population"),
}
#: Operator spellings accepted → canonical.
OPS = {"<=": "<=", "≤": "<=", "=<": "<=", ">=": ">=", "≥": ">=", "=>": ">=", "=": "=", "==": "="}
#: An "=" target is met within this relative tolerance (or 1e-6 absolute near zero).
EQUAL_TOLERANCE = 0.005
YEARS = range(2023, 2036)
_REGION_NAMES = ("BJ", "TJ", "HE", "JJJ")


class TargetError(ValueError):
    """A target that cannot be understood; the message is bilingual (zh / en)."""


def _region_codes() -> tuple[str, ...]:
    from jjjplan.baseline import unit_codes

    return (*_REGION_NAMES, *(u for u in unit_codes() if u not in _REGION_NAMES))


@dataclass(frozen=True)
class Target:
    """``indicator`` in ``year`` must be ``op`` (≤, ≥ or =) ``value``; ``priority`` orders
    targets when not all can be met (1 = most important)."""

    indicator: str
    year: int
    op: str
    value: float
    region: str | None = None
    priority: int = 1

    def __post_init__(self) -> None:
        op = OPS.get(str(self.op).strip())
        if op is None:
            raise TargetError(
                f"目标运算符应为 ≤、≥ 或 =，实际为 {self.op!r} / "
                f"target operator must be <=, >= or =, found {self.op!r}"
            )
        object.__setattr__(self, "op", op)
        region = self.region.strip().upper() if isinstance(self.region, str) else None
        object.__setattr__(self, "region", region or None)
        if self.indicator in INDICATORS:
            if self.region is not None:
                raise TargetError(
                    f"{self.indicator} 是全区域指标，不需要地区 / {self.indicator} is a "
                    f"region-wide indicator and takes no region (found {self.region!r})"
                )
        elif self.indicator in REGIONAL:
            self._check_region()
        else:
            known = ", ".join([*INDICATORS, *REGIONAL])
            raise TargetError(
                f"未知指标 {self.indicator!r}，可选：{known} / unknown indicator "
                f"{self.indicator!r}; choose one of: {known}"
            )
        try:
            year = int(self.year)
        except (TypeError, ValueError):
            year = -1
        if year != self.year or year not in YEARS:
            raise TargetError(
                f"目标年份应为 {YEARS[0]}–{YEARS[-1]} 的整数，实际为 {self.year!r} / target "
                f"year must be a whole year in {YEARS[0]}–{YEARS[-1]}, found {self.year!r}"
            )
        object.__setattr__(self, "year", year)
        try:
            value = float(self.value)
        except (TypeError, ValueError):
            value = float("nan")
        if not np.isfinite(value) or isinstance(self.value, bool):
            raise TargetError(
                f"目标值应为有限数值，实际为 {self.value!r} / target value must be a finite "
                f"number, found {self.value!r}"
            )
        object.__setattr__(self, "value", value)
        if not isinstance(self.priority, (int, np.integer)) or not 1 <= self.priority <= 9:
            raise TargetError(
                f"优先级应为 1–9 的整数，实际为 {self.priority!r} / priority must be a whole "
                f"number 1–9, found {self.priority!r}"
            )

    def _check_region(self) -> None:
        codes = _region_codes()
        parts = (self.region or "").split("/")
        if not self.region or len(parts) > 2 or any(p not in codes for p in parts):
            raise TargetError(
                f"{self.indicator} 需要地区代码（{', '.join(codes)}，或 A/B 表示相对值），"
                f"实际为 {self.region!r} / {self.indicator} needs a region code "
                f"({', '.join(codes)}, or A/B for A relative to B), found {self.region!r}"
            )
        if len(parts) == 2 and self.indicator == "population":
            raise TargetError(
                "人口目标不支持 A/B 相对值 / population targets take one region, not A/B"
            )

    @property
    def key(self) -> str:
        """The target as an expression: ``bj_he_ratio@2035<=3`` or ``gdp[HE]@2030>=60000``."""
        region = f"[{self.region}]" if self.region else ""
        return f"{self.indicator}{region}@{self.year}{self.op}{self.value:g}"

    @property
    def label(self) -> str:
        return indicator_label(self.indicator, self.region)

    def slack(self, achieved: np.ndarray) -> np.ndarray:
        """Signed margin, positive when met: value − achieved for ≤, achieved − value for ≥,
        tolerance − |achieved − value| for =."""
        achieved = np.asarray(achieved, dtype=float)
        if self.op == "<=":
            return self.value - achieved
        if self.op == ">=":
            return achieved - self.value
        return self.tolerance - np.abs(achieved - self.value)

    @property
    def tolerance(self) -> float:
        return max(EQUAL_TOLERANCE * abs(self.value), 1e-6)

    def met(self, achieved: np.ndarray) -> np.ndarray:
        # a hair of slack for values written to and read back from Excel
        return self.slack(achieved) >= -1e-9 * max(1.0, abs(self.value))


def indicator_label(indicator: str, region: str | None = None) -> str:
    """Bilingual label, e.g. ``人均地区生产总值 HE/TJ GDP per capita``."""
    zh, en = INDICATORS.get(indicator) or REGIONAL.get(indicator) or (indicator, indicator)
    where = f" {region}" if region else ""
    return f"{zh}{where} / {en}{where}"


_EXPR = re.compile(
    r"^\s*(?P<ind>[A-Za-z_]+)\s*(?:\[\s*(?P<region>[A-Za-z/ ]+?)\s*\])?\s*@\s*(?P<year>\d{4})"
    r"\s*(?P<op><=|>=|=<|=>|==|=|≤|≥)\s*(?P<value>[-+0-9.eE%]+)\s*$"
)


def parse_target(text: str, *, priority: int = 1) -> Target:
    """``"bj_he_ratio@2035<=3.0"``, ``"gdp_per_capita[HE/TJ]@2030>=0.6"`` → Target.

    A value may end in % (``60%`` = 0.6). Raises TargetError (bilingual) for anything else.
    """
    m = _EXPR.match(str(text))
    if m is None:
        raise TargetError(
            f"无法理解目标 {text!r}；格式：指标[地区]@年份<=值，例如 bj_he_ratio@2035<=3.0 / "
            f"cannot read target {text!r}; write indicator[region]@year<=value, e.g. "
            "bj_he_ratio@2035<=3.0 or gdp_per_capita[HE/TJ]@2030>=0.6"
        )
    raw = m["value"]
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise TargetError(
            f"目标值 {raw!r} 不是数值 / target value {raw!r} is not a number"
        ) from None
    return Target(m["ind"].lower(), int(m["year"]), m["op"], value, m["region"], priority=priority)


# --- evaluation on a batch --------------------------------------------------------------
def _regional(arrays, indicator: str, region: str, t: int) -> np.ndarray:
    """``indicator`` of ``region`` (unit, province or JJJ) at time index ``t``, shape [K].

    ``arrays`` has ``gdp`` and ``population`` [K, T, N], ``units`` and ``provinces``."""
    units, provinces = np.array(arrays.units), np.array(arrays.provinces)
    if region == "JJJ":
        mask = np.ones(len(units), bool)
    elif region in _REGION_NAMES:
        mask = provinces == region
    else:
        mask = units == region
    gdp = arrays.gdp[:, t, mask].sum(axis=1)
    pop = arrays.population[:, t, mask].sum(axis=1)
    if indicator == "gdp":
        return gdp
    if indicator == "population":
        return pop
    return gdp / pop * 1e4


def indicator_values(batch: Batch, target: Target) -> np.ndarray:
    """The target's indicator in its year for every member of ``batch`` (shape [K]),
    computed on the batch's arrays (no per-member loop)."""
    if target.indicator in INDICATORS:
        col = batch.indicators[target.indicator]
        return col.xs(target.year, level="year").to_numpy(dtype=float)
    p = batch.projection
    t = list(np.asarray(p.years)).index(target.year)
    parts = (target.region or "").split("/")
    values = _regional(p, target.indicator, parts[0], t)
    if len(parts) == 2:
        values = values / _regional(p, target.indicator, parts[1], t)
    return values


def result_value(results, target: Target) -> float:
    """The target's indicator for one :class:`~jjjplan.results.Results`."""
    if target.indicator in INDICATORS:
        return float(results.gaps.join(results.ratios).loc[target.year, target.indicator])
    p = results.projection

    class _One:  # one projection seen as a batch of one
        units, provinces = p.units, p.provinces
        gdp, population = p.gdp[None], p.population[None]

    t = list(np.asarray(p.years)).index(target.year)
    parts = (target.region or "").split("/")
    value = _regional(_One, target.indicator, parts[0], t)
    if len(parts) == 2:
        value = value / _regional(_One, target.indicator, parts[1], t)
    return float(value[0])


def target_margins(batch: Batch, targets: Sequence[Target]) -> np.ndarray:
    """Signed margins (positive = met), shape [K, n_targets]."""
    if not targets:
        return np.zeros((len(batch), 0))
    return np.column_stack([t.slack(indicator_values(batch, t)) for t in targets])
