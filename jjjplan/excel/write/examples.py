"""The example scenarios shipped as ``workbooks/*.xlsx``, one per pathway of the article plus
all four together.

Why in the package: tests, the dashboard and ``tools/build_workbooks.py`` use the same
objects, so a shipped workbook always reads back to exactly one of these. Every number here
is an illustrative target chosen to show the pathway's direction, not an official target.
"""

from __future__ import annotations

from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.excel.layout import ARTICLE, ARTICLE_PART, ARTICLE_SECTIONS
from jjjplan.scenario import (
    ChainFilling,
    GrowthPoles,
    Innovation,
    Milestones,
    Pathways,
    Reform,
    Scenario,
)

__all__ = ["EXAMPLE_FILES", "example_scenarios"]

AUTHOR = "jjjplan 示例 / jjjplan example"
ILLUSTRATIVE = (
    "数值为示意性目标，并非官方目标。/ Numbers are illustrative targets, not official ones."
)

#: Workbook file name for each example, in the order of :func:`example_scenarios`.
EXAMPLE_FILES = (
    "00-baseline.xlsx",
    "01-growth-poles.xlsx",
    "02-chain-filling.xlsx",
    "03-innovation-matching.xlsx",
    "04-tax-sharing-reform.xlsx",
    "05-coordinated.xlsx",
)

#: IC segments the article calls weak; raised furthest in Tianjin and Hebei.
WEAK_IC_SEGMENTS = ("materials", "equipment", "packaging", "electronics")


def _cite(pathways: list[str], zh: str, en: str) -> str:
    sections = "；".join(ARTICLE_SECTIONS[p] for p in pathways)
    return f"依据{ARTICLE}“{ARTICLE_PART}”{sections}。{zh} / {en} {ILLUSTRATIVE}"


def growth_poles() -> GrowthPoles:
    """More weight and investment on Shijiazhuang, Baoding/Xiong'an, Tangshan and Handan."""
    return GrowthPoles(
        weights={"BJ": 0.04, "TJ": 0.12, "SJZ": 0.20, "BD": 0.34, "TS": 0.18, "HD": 0.12},
        investment=Milestones(0.005, 0.010, 0.010),
        relocation=Milestones(400.0, 500.0, 500.0),
    )


def chain_filling() -> ChainFilling:
    """Tianjin and Hebei fill links: weak IC segments most, every other segment a little."""
    presence = {}
    for chain in CHAINS:
        for seg in chain.segments:
            weak = chain.id == "ic" and seg.id in WEAK_IC_SEGMENTS
            steps = (0.05, 0.20, 0.30) if weak else (0.05, 0.10, 0.15)
            for prov, base in zip(PROVINCES, seg.base_presence, strict=True):
                if prov == "BJ":
                    continue
                targets = (round(min(1.0, base + step), 2) for step in steps)
                presence[f"{chain.id}/{seg.id}/{prov}"] = Milestones(*targets)
    return ChainFilling(presence)


def innovation() -> Innovation:
    """Share of Beijing's turnover to TJ+HE 15% by 2030 and 20% by 2035; absorption up."""
    return Innovation(share=Milestones(0.10, 0.15, 0.20), absorption=Milestones(0.55, 0.65, 0.75))


def reform() -> Reform:
    """Origin keeps 30% for longer, lower threshold, market moves covered, integration up."""
    return Reform(
        origin_share=0.30,
        share_years=5,
        ext_years=2,
        cap_multiple=3.0,
        eligibility_threshold=500.0,
        government_led_only=False,
        market_integration=Milestones(0.55, 0.65, 0.75),
    )


def example_scenarios() -> list[Scenario]:
    """Baseline, one scenario per pathway, and the coordinated scenario (all four)."""
    single = [
        (
            "growth_poles",
            "增长极优先 Growth poles first",
            {"poles": growth_poles()},
            "提高石家庄、保定（雄安）、唐山、邯郸的权重和增长极投资，扩大疏解规模。",
            "More weight and pole investment for Shijiazhuang, Baoding/Xiong'an, Tangshan and "
            "Handan; more relocation out of Beijing.",
        ),
        (
            "chain_filling",
            "补链强链 Chain filling",
            {"chains": chain_filling()},
            "津冀补齐集成电路材料、设备、封装测试、消费电子等薄弱环节，其他产业链同步提升。",
            "Tianjin and Hebei fill the weak IC segments (materials, equipment, packaging & "
            "testing, consumer electronics) and raise presence in the other chains.",
        ),
        (
            "innovation",
            "创新匹配 Innovation matching",
            {"innovation": innovation()},
            "北京技术合同流向津冀比例2030年达15%、2035年达20%，本地转化率提高。",
            "Share of Beijing's tech-contract turnover going to TJ+HE reaches 15% by 2030 and "
            "20% by 2035; absorption rises.",
        ),
        (
            "reform",
            "体制改革 Tax-sharing reform",
            {"reform": reform()},
            "迁出地分享比例30%、分享5年、门槛降至500万元、市场化迁移纳入分享，市场一体化提高。",
            "Origin share 30% for 5 years, threshold 5 million yuan, market moves covered, "
            "market integration rising.",
        ),
    ]
    scenarios = [Scenario.baseline()]
    for pathway, name, levers, zh, en in single:
        scenarios.append(
            Scenario(
                name=name,
                description=_cite([pathway], zh, en),
                author=AUTHOR,
                pathways=Pathways.only([pathway]),
                **levers,
            )
        )
    scenarios.append(
        Scenario(
            name="协同推进 Coordinated",
            description=_cite(
                list(ARTICLE_SECTIONS),
                "四条路径同时推进（增长极、补链强链、创新匹配、体制改革）。",
                "All four pathways together (growth poles, chain filling, innovation matching, "
                "institutional reform).",
            ),
            author=AUTHOR,
            poles=growth_poles(),
            chains=chain_filling(),
            innovation=innovation(),
            reform=reform(),
        )
    )
    return scenarios
