"""Every model coefficient in one table: value, plausible range, unit, and source or ASSUMPTION.

Why one table: planners must see (and may edit, in the workbook's 参数 Assumptions sheet) every
number the model uses. A coefficient without a source is labelled ``ASSUMPTION`` here, in the
workbook and in docs/model.md. Sources P1…P19 refer to ../shared/research/model-lit.md §1.
"""

from __future__ import annotations

from dataclasses import dataclass

from jjjplan.chains import CHAINS

LIT = "model-lit.md"
ASSUMPTION = "ASSUMPTION"


@dataclass(frozen=True)
class Assumption:
    id: str
    name_zh: str
    name_en: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    is_assumption: bool = False
    #: How the value is drawn in ensembles and sweeps: "uniform" on [low, high], or
    #: "triangular" with its mode at ``value``. Point values (low == high) never vary.
    distribution: str = "uniform"

    @property
    def flag(self) -> str:
        return ASSUMPTION if self.is_assumption else "sourced"

    @property
    def varies(self) -> bool:
        return self.high > self.low

    def ppf(self, u):
        """Map uniform numbers ``u`` in [0, 1] (an array) to draws of this coefficient."""
        import numpy as np

        u = np.asarray(u, dtype=float)
        if not self.varies:
            return np.full(u.shape, self.value)
        if self.distribution == "uniform":
            return self.low + u * (self.high - self.low)
        if self.distribution == "triangular":
            from scipy.stats import triang

            c = (self.value - self.low) / (self.high - self.low)
            return triang.ppf(u, c, loc=self.low, scale=self.high - self.low)
        raise ValueError(f"{self.id}: unknown distribution {self.distribution!r}")


def _a(id, zh, en, value, low, high, unit, source, assumption=False):
    """A sourced coefficient with a central value inside its range is drawn triangular (mode
    at the central value); ASSUMPTIONs are drawn uniform over their range."""
    inside = float(low) < float(value) < float(high)
    dist = "triangular" if inside and not assumption else "uniform"
    return Assumption(
        id, zh, en, float(value), float(low), float(high), unit, source, assumption, dist
    )


# fmt: off
ASSUMPTIONS: tuple[Assumption, ...] = (
    # --- baseline growth ------------------------------------------------------------------
    _a("beta_conv", "β收敛速度", "conditional β-convergence speed", 0.02, 0.008, 0.045, "1/yr",
       "P1: Kholodilin & Girardin 2011 (DIW DP 1124) 1.7–2.6%; Luo et al. 2002 ~4.5%; review ≈2%"),
    _a("gap_persistence", "结构性差距比例ρ", "structural share of today's gap (ρ)", 1.0, 0.4, 1.2,
       "share", "1.0 = relative positions follow the national-rate rule (the better naive "
       "forecast out of sample, docs/model.md); < 1 closes (1 − ρ) of today's gap at speed β "
       "(P2 range 0.4–1.0)", assumption=True),
    _a("fe_weight", "单位固定效应权重", "weight on estimated unit growth fixed effects", 0.0, 0.0,
       1.0, "share", "0 = national-rate rule; the fixed-effect model did not beat both naive "
       "forecasts out of sample (docs/model.md), so it is a sensitivity, not the default",
       assumption=True),
    _a("g_nat_2023", "2023年全国GDP实际增速", "national real GDP growth 2023", 0.052, 0.052, 0.052,
       "1/yr", "gdp.csv CN 2023 initial release (5.2%)"),
    _a("g_nat_2024", "2024年全国GDP实际增速", "national real GDP growth 2024", 0.050, 0.050, 0.050,
       "1/yr", "NBS 2024 communiqué (5.0%, observations.csv CN 2024); used when 2024 is observed"),
    _a("g_nat_central_2024_2025", "全国增速（中）2024–25", "national growth, central, 2024–25",
       0.050, 0.045, 0.055, "1/yr", "P17 central path (model-lit §6)", assumption=True),
    _a("g_nat_central_2026_2030", "全国增速（中）2026–30", "national growth, central, 2026–30",
       0.045, 0.040, 0.050, "1/yr", "P17 central path (model-lit §6)", assumption=True),
    _a("g_nat_central_2031_2035", "全国增速（中）2031–35", "national growth, central, 2031–35",
       0.038, 0.030, 0.045, "1/yr", "P17 central path (model-lit §6)", assumption=True),
    _a("g_nat_low", "全国增速（低）", "national growth, low path (2024–35)", 0.035, 0.030, 0.040,
       "1/yr", "P17 low ≈ EIU long-term outlook 4.3%→2.0% (model-lit §6)", assumption=True),
    _a("g_nat_high", "全国增速（高）", "national growth, high path (2024–35)", 0.053, 0.050, 0.060,
       "1/yr", "P17 high: reform case ≈5.3%/yr 2020–35 (model-lit §6)", assumption=True),
    _a("nat_pop_growth", "全国人口增长率", "national population growth", -0.00147, -0.005, 0.0,
       "1/yr", "derived: CN year-end 2022 141175 → 2023 140967 (population.csv)"),
    _a("pop_trend_BJ", "北京常住人口趋势", "Beijing population trend", 0.00069, -0.005, 0.005,
       "1/yr", "derived: BJ year-end 2022 2184.3 → 2023 2185.8 (population.csv)"),
    _a("pop_trend_TJ", "天津常住人口趋势", "Tianjin population trend", 0.00037, -0.005, 0.005,
       "1/yr", "derived: TJ year-end 2022 1363 → 2024 1364 (population.csv)"),
    _a("pop_trend_HE", "河北常住人口趋势", "Hebei population trend", -0.00314, -0.008, 0.002,
       "1/yr", "derived: HE year-end 2021 7448 → 2024 7378 (population.csv)"),
    # --- growth poles ---------------------------------------------------------------------
    _a("phi_backfill", "北京腾笼换鸟回填率", "Beijing backfill of relocated value added", 0.7, 0.3,
       1.0, "share", "P6 (supported qualitatively by 姚永玲、李若愚 2017)", assumption=True),
    _a("m_local", "本地间接增加值乘数", "local indirect value-added multiplier", 0.4, 0.2, 0.8,
       "ratio", "P7: to be computed from a JJJ IRIO table; placeholder range", assumption=True),
    _a("inv_yield", "增长极投资增加值产出率", "value added per yuan of pole investment", 0.15,
       0.10, 0.25, "yuan/yuan", "inverse of an incremental capital–output ratio of 4–10",
       assumption=True),
    _a("alpha_agglo", "集聚弹性", "agglomeration elasticity (density)", 0.03, 0.015, 0.039,
       "elasticity", "P3: Donovan et al. 2024 meta-analysis likely range 0.015–0.039 (central "
       "0.03 inside it); Grover et al. 2023: developing countries < 1 point higher"),
    _a("reloc_productivity_gain", "迁入地生产率差异", "productivity differential of relocated "
       "value added at the destination", 0.0, -0.1, 0.1, "share", "0 = relocation moves value "
       "added and its multiplier one for one (no free lunch); no estimate found",
       assumption=True),
    _a("capacity_share", "年承接能力", "new capacity a province can host per year (relocation "
       "and chain filling together)", 0.02, 0.01, 0.04, "share of GDP/yr", "industrial land and "
       "labour limit how much new activity lands in a year; no estimate found",
       assumption=True),
    _a("delta_capital", "资本折旧率", "depreciation of pole and public capital", 0.096, 0.05,
       0.12, "1/yr", "张军、吴桂英、张吉鹏 2004《中国省际物质资本存量估算》(经济研究): 9.6%; "
       "range spans common provincial capital-stock conventions"),
    _a("debt_rate", "地方债务成本", "cost of the provincial debt financing pole investment",
       0.03, 0.02, 0.045, "1/yr", "local-government bond yields of recent years; not in the "
       "bundled data", assumption=True),
    _a("lambda_spill", "增长极溢出系数", "pole spill-over coefficient (sign!)", 0.0, -0.3, 0.3,
       "ratio", "P4: sign contested (陈玉、孙斌栋 2017 'shadow' −; Wu 2018 +); default 0",
       assumption=True),
    _a("d_decay", "溢出衰减距离", "spill-over decay distance", 120.0, 100.0, 150.0, "km",
       "P4: 100–150 km", assumption=True),
    _a("pop_cap_bj", "北京人口上限", "Beijing population cap", 2300.0, 2300.0, 2300.0, "万人",
       "北京城市总体规划(2016–2035): ≤2,300万 from 2020 on"),
    _a("labour_productivity", "全员劳动生产率", "labour productivity (JJJ)", 21.5, 18.0, 25.0,
       "万元/person", "NBS 京津冀协同发展指数 2024 (model-lit §2, secondary)"),
    _a("mig_share", "随迁就业比例", "share of relocated jobs whose workers move", 0.3, 0.1, 0.6,
       "share", "no estimate found", assumption=True),
    # --- innovation matching --------------------------------------------------------------
    _a("tech_turnover_growth", "北京技术合同成交额增速", "Beijing tech-contract turnover growth",
       0.120, 0.07, 0.15, "1/yr (nominal)",
       "derived: 3452.6 (2015) → 8536.9 (2023) CAGR (tech_contracts.csv), current prices; the "
       "engine deflates it with deflator_growth"),
    _a("deflator_growth", "GDP平减指数增速", "GDP deflator growth (nominal → base-year prices)",
       0.015, 0.0, 0.03, "1/yr", "deflates nominal technology turnover and gives the "
       "current-price view; no official projection", assumption=True),
    _a("tech_flow_growth_hist", "输出津冀历史增速", "historical growth of flows to TJ+HE",
       0.265, 0.20, 0.30, "1/yr", "derived: 71.2 (2013) → 748.7 (2023) CAGR; used to "
       "initialise the technology stock"),
    _a("eps_tech", "技术存量TFP弹性", "TFP elasticity to absorbed technology stock", 0.05, 0.02,
       0.10, "elasticity", "P8: no direct estimate; proxy 0.06 (Jiang, Cai, Wu 2011)",
       assumption=True),
    _a("delta_tech", "技术存量折旧率", "depreciation of technology stock", 0.15, 0.10, 0.20,
       "1/yr", "P9: R&D-capital convention", assumption=True),
    # --- institutional reform -------------------------------------------------------------
    _a("tax_local_per_va", "地方“三税”/增加值", "local-share VAT+CIT per unit value added", 0.09,
       0.06, 0.12, "yuan/yuan", "P15 local shares (VAT 50%, CIT 40%) × statutory rates "
       "(VAT 13%, CIT 25%) × profit/VA ≈ 0.3", assumption=True),
    _a("firm_tax_pareto", "企业税额帕累托指数", "Pareto index of firm tax size", 1.1, 1.05, 1.5,
       "index", "Zipf-like firm sizes (Axtell 2001, Science 293:1818)", assumption=True),
    _a("firm_tax_min", "迁移企业最小税额", "smallest relocated firm's annual tax", 500.0, 200.0,
       1000.0, "万元/yr", "no estimate found", assumption=True),
    _a("eta_origin", "迁出地财政弹性", "relocation elasticity to origin fiscal share", 0.5, 0.0,
       1.5, "elasticity", "P16: no estimate", assumption=True),
    _a("eta_dest", "迁入地财政弹性", "relocation elasticity to destination fiscal share", 0.5, 0.0,
       1.5, "elasticity", "P16: no estimate", assumption=True),
    _a("b_origin", "迁出地非财政收益", "origin's non-fiscal value of a move", 0.3, 0.0, 1.0,
       "share", "model-lit §8(4)", assumption=True),
    _a("b_dest", "迁入地非财政收益", "destination's non-fiscal value of a move", 0.5, 0.0, 1.0,
       "share", "model-lit §8(4)", assumption=True),
    _a("fiscal_horizon", "财政价值期限", "fiscal valuation horizon", 10, 5, 20, "years",
       "model-lit §8(4)", assumption=True),
    _a("discount_rate", "贴现率", "discount rate", 0.05, 0.03, 0.08, "1/yr", "model-lit §8(4)",
       assumption=True),
    _a("post_move_tax_growth", "迁移后税收增速", "growth of a moved firm's tax", 0.0, -0.05, 0.10,
       "1/yr", "model-lit §8(4) illustration uses 0", assumption=True),
    _a("market_reloc_ratio", "市场自发迁移/政府主导迁移", "market-driven moves per unit of "
       "government-led relocation", 0.4, 0.1, 1.0, "ratio", "the 2015 rule excludes market "
       "moves; their volume is not published", assumption=True),
    _a("comp_frac", "中央一次性补助比例", "central one-off compensation (share of shortfall)", 0.5,
       0.0, 1.0, "share", "财预〔2015〕92号 says 'appropriate' (amount unspecified)",
       assumption=True),
    _a("fiscal_ratio_BJ", "北京财政收入/GDP", "Beijing budget revenue / GDP", 0.1279, 0.11, 0.15,
       "share", "derived: 6372.7 / 49843.1 (2024 budget revenue / post-census GDP, dataset "
       "2024-census5); applied to GDP at constant base-year prices"),
    _a("fiscal_ratio_TJ", "天津财政收入/GDP", "Tianjin budget revenue / GDP", 0.1178, 0.10, 0.14,
       "share", "derived: 2027.3 / 17211.8 (2023 budget revenue / post-census GDP, dataset "
       "2024-census5)"),
    _a("fiscal_ratio_HE", "河北财政收入/GDP", "Hebei budget revenue / GDP", 0.0763, 0.06, 0.10,
       "share", "derived from Handan only: 314.1 / 4114.8 (2021); no Hebei figure in the data",
       assumption=True),
    _a("fiscal_transfer_BJ", "北京支出/收入−1", "Beijing expenditure beyond own revenue "
       "(per yuan of revenue)", 0.3176, 0.2, 0.45, "ratio", "derived: 8396.5 / 6372.7 − 1 "
       "(2024 general budget expenditure / revenue, dataset 2024-census5)"),
    _a("fiscal_transfer_TJ", "天津支出/收入−1", "Tianjin expenditure beyond own revenue "
       "(per yuan of revenue)", 0.618, 0.4, 0.8, "ratio", "derived: 3280.4 / 2027.3 − 1 "
       "(2023 general budget expenditure / revenue, dataset 2024-census5)"),
    _a("fiscal_transfer_HE", "河北支出/收入−1", "Hebei expenditure beyond own revenue "
       "(per yuan of revenue)", 1.2, 0.8, 1.6, "ratio", "no Hebei budget figures in the bundled "
       "data; central transfers make a net-recipient province's spending about twice its "
       "revenue", assumption=True),
    _a("fiscal_multiplier", "地方财政支出乘数", "local fiscal spending multiplier", 0.8, 0.6,
       1.4, "yuan/yuan", "Guo, Liu & Ma 2016 (J. Comp. Econ. 44(2):343–352) ≈0.6 (counties); "
       "IMF WP/17/273 'Credit and Fiscal Multipliers in China' 0.8 (0.75 2001–08, 1.4 2010–15)"),
    _a("pubcap_elasticity", "公共资本产出弹性", "output elasticity of public capital", 0.106,
       0.083, 0.122, "elasticity", "Bom & Ligthart 2014 (J. Econ. Surveys 28(5):889–916): "
       "0.083 short run, 0.122 long run, average 0.106"),
    _a("pubcap_ratio", "公共资本/GDP", "public capital stock / GDP", 1.0, 0.7, 1.5, "ratio",
       "no provincial public-capital stock in the bundled data", assumption=True),
    _a("pubinv_share", "新增财力用于公共投资比例", "share of an extra budget spent on public "
       "investment", 0.3, 0.2, 0.5, "share", "the rest goes to services; no estimate found",
       assumption=True),
    _a("mi_base", "市场一体化指数基期值", "market-integration index, base year", 0.5, 0.3, 0.7,
       "index 0–1", "no published index on this scale", assumption=True),
    _a("mi_level_elast", "一体化增长效应", "growth per unit rise of integration index", 0.02,
       0.0, 0.05, "log points", "no estimate found", assumption=True),
    _a("mi_rho_gain", "一体化缩小结构性差距", "cut in the structural gap share per unit of "
       "integration", 0.5, 0.0, 1.0, "ratio", "no estimate found", assumption=True),
)
# fmt: on


def _chain_assumptions() -> tuple[Assumption, ...]:
    """Size and value-added ratio of each key chain: no chain-level output statistics are in
    the bundled data, so both are ASSUMPTIONS (defaults in jjjplan/chains.py)."""
    out = []
    for c in CHAINS:
        out.append(
            _a(
                f"chain_size_{c.id}",
                f"{c.name_zh}产业链规模",
                f"{c.name_en}: chain size",
                c.size,
                c.size / 2,
                c.size * 2,
                "亿元/yr",
                "intermediate demand of the chain in JJJ; no statistic found",
                assumption=True,
            )
        )
        out.append(
            _a(
                f"chain_va_{c.id}",
                f"{c.name_zh}增加值率",
                f"{c.name_en}: value-added ratio",
                c.va_ratio,
                0.2,
                0.45,
                "share",
                "no chain-level estimate found",
                assumption=True,
            )
        )
    return tuple(out)


ASSUMPTIONS = ASSUMPTIONS + _chain_assumptions()
ASSUMPTION_BY_ID: dict[str, Assumption] = {a.id: a for a in ASSUMPTIONS}


def defaults() -> dict[str, float]:
    """Default value of every assumption, by id."""
    return {a.id: a.value for a in ASSUMPTIONS}
