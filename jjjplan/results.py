"""Results of one projection: the tidy table, gap measures by year, pathway contributions.

Built lazily from the raw arrays of :mod:`jjjplan.model.engine`, so a dashboard that only
needs the gaps never pays for the long table, and the 16-run Shapley decomposition runs only
when ``contributions`` is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from jjjplan import baseline
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.gaps import fiscal_gap_measures, gap_measures_labelled
from jjjplan.model.engine import Projection, _province_membership, project_arrays, run
from jjjplan.scenario import CONTRIBUTORS, MILESTONE_YEARS, PATHWAYS, Scenario

#: The canonical tidy columns, defined once.
COLUMNS = ("scenario", "region", "year", "variable", "unit", "value")
#: Money unit of every projected figure; ``unit_label`` names the year (the dataset's base
#: year), e.g. "亿元 (2024 prices)".
PRICES = "亿元 (base-year prices)"
CURRENT_PRICES = "亿元 (current prices, deflator path)"

#: variable -> (label zh, label en, unit)
VARIABLES = {
    "gdp": ("地区生产总值", "GDP", PRICES),
    "population": ("常住人口", "resident population", "万人"),
    "gdp_per_capita": ("人均地区生产总值", "GDP per capita", "元/person"),
    "gdp_current": ("地区生产总值（现价）", "GDP (current prices)", CURRENT_PRICES),
    "relocated_va_out": ("疏解迁出增加值", "value added relocated out", PRICES),
    "relocated_va_in": ("承接迁入增加值", "relocated value added received", PRICES),
    "pole_investment": ("增长极新增投资", "extra pole investment", PRICES),
    "pole_capital": ("增长极新增资本存量", "extra pole capital (depreciated)", PRICES),
    "chain_value_added": ("补链新增增加值", "value added from chain filling", PRICES),
    "tech_inflow": ("技术合同流入", "technology-contract inflow", PRICES),
    "tech_stock": ("吸收技术存量", "absorbed technology stock", PRICES),
    "tech_share": ("北京技术合同流向津冀比例", "share of BJ tech turnover to TJ+HE", "share"),
    "target_tech_share": ("目标：流向津冀比例", "target: share to TJ+HE", "share"),
    "target_bj_population_cap": ("目标：北京人口上限", "target: Beijing population cap", "万人"),
    "market_integration": ("市场一体化指数", "market-integration index", "index 0–1"),
    "own_revenue": ("本级财政收入", "own budget revenue", PRICES),
    "shares_received": ("分享税收收入", "shared taxes received", PRICES),
    "shares_paid": ("分享税收支出", "shared taxes paid", PRICES),
    "compensation": ("中央一次性补助", "central one-off compensation", PRICES),
    "net_revenue": ("净财政收入", "net budget revenue", PRICES),
    "expenditure": ("一般公共预算支出", "general budget expenditure", PRICES),
    "budget_change": (
        "政策引起的财力变化",
        "budget change from policy (sharing, compensation, debt service)",
        PRICES,
    ),
    "shared_firm_tax": ("迁移企业地方三税", "relocated firms' local taxes", PRICES),
    "destination_keeps": ("迁入地留存", "kept by destination", PRICES),
    "gdp_history": ("地区生产总值（历史）", "GDP (history)", "亿元 (current prices)"),
    "population_history": ("常住人口（历史）", "population (history)", "万人"),
}
for _c in CHAINS:
    VARIABLES[f"sourcing_{_c.id}"] = (
        f"区域内配套率：{_c.name_zh}",
        f"intra-region sourcing: {_c.name_en}",
        "share",
    )


@lru_cache(maxsize=32)
def _index(values: tuple, name: str | None) -> pd.Index:
    return pd.Index(values, name=name)


def _labels(values: tuple, name: str | None = None) -> pd.Index:
    """A fresh view of a cached Index: building an Index of labels costs more than the
    13-unit gap computation itself; a view (its own object and name, shared read-only
    labels) keeps callers from changing the cached one."""
    return _index(values, name).view()


def unit_label(variable: str, base_year: int) -> str:
    """The unit of ``variable`` with the price basis named, e.g. "亿元 (2024 prices)"."""
    return VARIABLES[variable][2].replace("base-year", str(base_year))


RATIO_NAMES = ("bj_he_ratio", "tj_he_ratio", "jjj_share_national")
RATIO_LABELS = {
    "bj_he_ratio": ("京冀人均GDP比", "Beijing/Hebei per-capita GDP"),
    "tj_he_ratio": ("津冀人均GDP比", "Tianjin/Hebei per-capita GDP"),
    "jjj_share_national": ("京津冀占全国GDP比重", "JJJ share of national GDP"),
}


@dataclass(frozen=True)
class Results:
    """One scenario's projection. ``frame``, ``gaps``, ``ratios`` and ``contributions``
    are computed on first access."""

    projection: Projection
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def scenario(self) -> Scenario:
        return self.projection.scenario

    @property
    def years(self) -> np.ndarray:
        return self.projection.years

    @property
    def base_year(self) -> int:
        """Last observed year; money is in constant prices of this year."""
        return self.projection.base_year

    @property
    def price_basis(self) -> str:
        return self.projection.price_basis

    # -- wide views ------------------------------------------------------------------------
    def wide(self, variable: str) -> pd.DataFrame:
        """year × unit table of gdp, population, gdp_per_capita or another [T, N] array."""
        p = self.projection
        arrays = {
            "gdp": p.gdp,
            "population": p.population,
            "gdp_per_capita": p.gdp / p.population * 1e4,
            "gdp_current": p.gdp * p.deflator[:, None],
            "relocated_va_in": p.relocated_in,
            "pole_investment": p.pole_investment,
            "pole_capital": p.pole_capital,
            "chain_value_added": p.chain_va,
            "tech_inflow": p.tech_inflow,
            "tech_stock": p.tech_stock,
        }
        return pd.DataFrame(
            arrays[variable],
            index=pd.Index(p.years, name="year"),
            columns=pd.Index(p.units, name="region"),
        )

    def provinces(self) -> pd.DataFrame:
        """GDP, population and per-capita GDP by province (BJ, TJ, HE) and JJJ, by year."""
        p = self.projection
        prov = np.array(p.provinces)
        out = {}
        for name in (*PROVINCES, "JJJ"):
            mask = np.ones(len(prov), bool) if name == "JJJ" else prov == name
            gdp = p.gdp[:, mask].sum(axis=1)
            pop = p.population[:, mask].sum(axis=1)
            out[(name, "gdp")] = gdp
            out[(name, "population")] = pop
            out[(name, "gdp_per_capita")] = gdp / pop * 1e4
        df = pd.DataFrame(out, index=pd.Index(p.years, name="year"))
        df.columns.names = ["region", "variable"]
        return df

    @cached_property
    def gaps(self) -> pd.DataFrame:
        """Gap measures over the 13 units (province groups), rows = years; plus the fiscal
        gaps (Theil T of per-capita budget expenditure over BJ/TJ/HE, Beijing/Hebei ratio)."""
        p = self.projection
        values, names = gap_measures_labelled(
            p.gdp, p.population, p.years, p.units, groups=p.provinces
        )
        fiscal = fiscal_gap_measures(p.ledger["expenditure"], self._province_population())
        table = np.empty((len(values), len(names) + len(fiscal)))
        table[:, : len(names)] = values
        for j, column in enumerate(fiscal.values(), start=len(names)):
            table[:, j] = column
        return pd.DataFrame(
            table,
            index=_labels(tuple(p.years.tolist()), "year"),
            columns=_labels((*names, *fiscal)),
            copy=False,  # ``table`` is this frame's own
        )

    def _province_population(self) -> np.ndarray:
        _, in_prov = _province_membership(self.projection.provinces)
        return np.dot(self.projection.population, in_prov.T)  # [T, 3] (np.dot: less overhead)

    @cached_property
    def ratios(self) -> pd.DataFrame:
        """Beijing/Hebei and Tianjin/Hebei per-capita ratios; JJJ share of national GDP."""
        prov = self.provinces()
        national = self.projection.national_gdp
        he = prov[("HE", "gdp_per_capita")]
        return pd.DataFrame(
            {
                "bj_he_ratio": prov[("BJ", "gdp_per_capita")] / he,
                "tj_he_ratio": prov[("TJ", "gdp_per_capita")] / he,
                "jjj_share_national": prov[("JJJ", "gdp")].to_numpy() / national,
            },
            index=prov.index,
        )

    def ledger(self) -> pd.DataFrame:
        """Fiscal ledger: rows = (year, province), columns = ledger items (亿元)."""
        p = self.projection
        index = pd.MultiIndex.from_product(
            [np.asarray(p.years), list(PROVINCES)], names=["year", "province"]
        )  # year-major, provinces in PROVINCES order (a [T, 3] array read row by row)
        items = {name: np.asarray(arr, dtype=float).reshape(-1) for name, arr in p.ledger.items()}
        return pd.DataFrame(items, index=index)

    # -- tidy table ------------------------------------------------------------------------
    @cached_property
    def frame(self) -> pd.DataFrame:
        """The canonical long table: scenario, region, year, variable, unit, value."""
        p = self.projection
        name = self.scenario.name
        parts = []

        def add(region, years, variable, values, unit=None):
            unit = unit or unit_label(variable, p.base_year)
            values = np.asarray(values, dtype=float)
            years = np.asarray(years)
            parts.append(
                pd.DataFrame(
                    {
                        "scenario": name,
                        "region": region,
                        "year": years,
                        "variable": variable,
                        "unit": unit,
                        "value": values,
                    }
                )
            )

        for var in (
            "gdp",
            "gdp_current",
            "population",
            "gdp_per_capita",
            "relocated_va_in",
            "pole_investment",
            "pole_capital",
            "chain_value_added",
            "tech_inflow",
            "tech_stock",
        ):
            wide = self.wide(var)
            for unit in p.units:
                add(unit, p.years, var, wide[unit].to_numpy())
        prov = self.provinces()
        for region in ("HE", "JJJ"):  # BJ and TJ are units already
            for var in ("gdp", "population", "gdp_per_capita"):
                add(region, p.years, var, prov[(region, var)].to_numpy())
        add("BJ", p.years, "relocated_va_out", p.relocated_out)
        for var, arr in p.ledger.items():
            for k, province in enumerate(PROVINCES):
                add(province, p.years, var, arr[:, k])
        add("JJJ", p.years, "tech_share", p.tech_share)
        add("JJJ", p.years, "market_integration", p.market_integration)
        for chain_id, share in p.chain_sourcing.items():
            add("JJJ", p.years, f"sourcing_{chain_id}", share)
        s = self.scenario.effective()
        add("JJJ", list(MILESTONE_YEARS), "target_tech_share", s.innovation.share.values())
        add(
            "BJ",
            p.years,
            "target_bj_population_cap",
            np.full(len(p.years), s.assumptions["pop_cap_bj"]),
        )
        hist = baseline.province_history()
        hist = hist[hist.year < int(p.years[0])]
        for var in ("gdp", "population"):
            for region, grp in hist.groupby("region"):
                add(region, grp.year, f"{var}_history", grp[var])
        df = pd.concat(parts, ignore_index=True)
        return df.loc[:, list(COLUMNS)]

    # -- pathway contributions -------------------------------------------------------------
    def subset(self, pathways: tuple[str, ...]) -> Results:
        """Results with only ``pathways`` switched on (others keep current policy)."""
        key = tuple(sorted(pathways))
        cache = self._cache.setdefault("subsets", {})
        if key not in cache:
            cache[key] = Results(
                project_arrays(self.scenario.with_pathways(key), self.projection.data)
            )
        return cache[key]

    @cached_property
    def contributions(self) -> pd.DataFrame:
        """Exact Shapley decomposition of the change in every gap measure versus the
        baseline (all pathways at current policy): rows = (year, pathway), columns =
        measures. Contributions of a year sum to that year's total change."""
        enabled = self.scenario.pathways.enabled()
        n = len(PATHWAYS)
        self._prefetch_subsets(enabled)
        value = {}
        for k in range(n + 1):
            for combo in combinations(PATHWAYS, k):
                on = tuple(q for q in combo if q in enabled)
                value[combo] = self.subset(on).gaps
        out = {}
        for player in PATHWAYS:
            others = [q for q in PATHWAYS if q != player]
            total = 0.0
            for k in range(n):
                weight = factorial(k) * factorial(n - k - 1) / factorial(n)
                for combo in combinations(others, k):
                    with_player = tuple(q for q in PATHWAYS if q in combo or q == player)
                    total = total + weight * (value[with_player] - value[combo])
            out[player] = total
        df = pd.concat(out, names=["pathway", "year"]).swaplevel().sort_index()
        return df

    def _prefetch_subsets(self, enabled: tuple[str, ...]) -> None:
        """Project every pathway subset not cached yet in one batch (one engine call)."""
        cache = self._cache.setdefault("subsets", {})
        keys = {
            tuple(sorted(q for q in combo if q in enabled))
            for k in range(len(PATHWAYS) + 1)
            for combo in combinations(PATHWAYS, k)
        }
        todo = sorted(k for k in keys if k not in cache)
        if not todo:
            return
        batch = run([self.scenario.with_pathways(k) for k in todo], self.projection.data)
        for j, key in enumerate(todo):
            cache[key] = Results(batch.member(j))

    @cached_property
    def contributions_detail(self) -> pd.DataFrame:
        """Exact Shapley decomposition over five lines: the three pathways and the reform
        pathway's two mechanisms, the tax-sharing rule and market integration, each its own
        line (32 subsets, one engine call). Rows (year, contributor); a year sums to the
        same total change as :attr:`contributions`."""
        players = CONTRIBUTORS
        enabled = set(self.scenario.pathways.enabled())
        active = {
            q for q in players if q in enabled or (q in _REFORM_PARTS and "reform" in enabled)
        }
        combos = [c for k in range(len(players) + 1) for c in combinations(players, k)]
        keys = sorted({tuple(q for q in c if q in active) for c in combos})
        batch = run([_with_players(self.scenario, k) for k in keys], self.projection.data)
        gaps = {key: Results(batch.member(j)).gaps for j, key in enumerate(keys)}
        n = len(players)
        out = {}
        for player in players:
            others = [q for q in players if q != player]
            total = 0.0
            for k in range(n):
                weight = factorial(k) * factorial(n - k - 1) / factorial(n)
                for combo in combinations(others, k):
                    with_p = tuple(
                        q for q in players if (q in combo or q == player) and q in active
                    )
                    without = tuple(q for q in players if q in combo and q in active)
                    total = total + weight * (gaps[with_p] - gaps[without])
            out[player] = total
        return pd.concat(out, names=["contributor", "year"]).swaplevel().sort_index()

    def total_change(self) -> pd.DataFrame:
        """Change of every gap measure versus the baseline (all pathways at current policy)."""
        return self.subset(self.scenario.pathways.enabled()).gaps - self.subset(()).gaps

    # -- files (implemented in jjjplan.exports) ------------------------------------------------
    def to_excel(self, path, **kwargs):
        """The results workbook (as ``jjjplan.write_results``)."""
        from jjjplan.exports import write_excel

        return write_excel(self, path, **kwargs)

    def to_csv(self, path):
        """The tidy table plus gap measures as CSV (UTF-8 with BOM, for Excel)."""
        from jjjplan.exports import write_csv

        return write_csv(self, path)

    def to_parquet(self, path):
        """The tidy table plus gap measures as Parquet (needs pyarrow)."""
        from jjjplan.exports import write_parquet

        return write_parquet(self, path)

    def to_iamc(self, path=None, layout="wide"):
        """The IAMC table pyam reads; written to ``path`` (.csv or .xlsx) if given, else
        returned as a DataFrame."""
        from jjjplan.exports import iamc_frame, write_iamc

        return iamc_frame(self, layout) if path is None else write_iamc(self, path, layout)


_REFORM_PARTS = ("tax_sharing", "market_integration")


def _with_players(scenario: Scenario, players: tuple[str, ...]) -> Scenario:
    """``scenario`` with only ``players`` active: pathways by switch, the reform pathway's
    two mechanisms by resetting the other one's levers to current policy."""
    parts = [q for q in players if q in _REFORM_PARTS]
    on = [q for q in players if q in PATHWAYS] + (["reform"] if parts else [])
    s = scenario.with_pathways(on)
    if parts and len(parts) == 1:
        ref = Scenario.baseline().reform
        if parts[0] == "tax_sharing":
            s = s.replace(reform=replace(s.reform, market_integration=ref.market_integration))
        else:
            s = s.replace(reform=replace(ref, market_integration=s.reform.market_integration))
    return s


def project(scenario: Scenario, data=None) -> Results:
    """Project ``scenario`` from the base year to 2035 (observed years reproduced first).

    ``data``: None (the bundled data in ``scenario.data_vintage``), the path of a planner's
    baseline-data workbook, or a :class:`jjjplan.baseline.Dataset`. Pure otherwise."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"project() expects a jjjplan.Scenario, got {type(scenario).__name__}")
    return Results(project_arrays(scenario, data))
