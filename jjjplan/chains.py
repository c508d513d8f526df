"""The seven key industrial chains of the article (补链强链延链畅链) and their segments.

Base-year presence of each province in each segment (0 = absent, 1 = complete local supply) is
an ASSUMPTION informed by the article's qualitative description (e.g. IC: Beijing and Hebei
strongest in chip design, Tianjin in design, manufacturing and equipment; materials,
packaging & testing and consumer electronics weak). Chain sizes and value-added ratios are
ASSUMPTIONS too: no chain-level output statistics are in the bundled data. Planners replace
them in the 产业链 ChainFilling sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCES = ("BJ", "TJ", "HE")


@dataclass(frozen=True)
class Segment:
    id: str
    name_zh: str
    name_en: str
    base_presence: tuple[float, float, float]  # BJ, TJ, HE


@dataclass(frozen=True)
class Chain:
    id: str
    name_zh: str
    name_en: str
    size: float  # default of assumption chain_size_<id>: 亿元/yr intermediate demand in JJJ
    va_ratio: float  # default of assumption chain_va_<id>: value added per unit supplied
    segments: tuple[Segment, ...]


def _s(id, zh, en, bj, tj, he):
    return Segment(id, zh, en, (bj, tj, he))


# fmt: off
CHAINS: tuple[Chain, ...] = (
    Chain("ic", "集成电路", "Integrated circuits", 3000.0, 0.30, (
        _s("design", "芯片设计", "Chip design", 0.8, 0.5, 0.3),
        _s("manufacturing", "晶圆制造", "Wafer manufacturing", 0.5, 0.5, 0.1),
        _s("equipment", "半导体设备", "Equipment", 0.4, 0.4, 0.1),
        _s("materials", "半导体材料", "Materials", 0.2, 0.2, 0.2),
        _s("packaging", "封装测试", "Packaging & testing", 0.2, 0.3, 0.1),
        _s("electronics", "消费电子", "Consumer electronics", 0.2, 0.2, 0.1),
    )),
    Chain("nev", "新能源汽车和智能网联汽车", "NEV & intelligent connected vehicles", 4000.0, 0.25, (
        _s("vehicles", "整车", "Vehicle assembly", 0.5, 0.4, 0.4),
        _s("batteries", "动力电池", "Traction batteries", 0.2, 0.3, 0.2),
        _s("edrive", "电驱电控", "E-drive & control", 0.3, 0.3, 0.2),
        _s("software", "智能网联软件", "ICV software", 0.7, 0.3, 0.1),
        _s("charging", "充换电", "Charging & swapping", 0.4, 0.3, 0.3),
    )),
    Chain("bio", "生物医药", "Biomedicine", 2500.0, 0.35, (
        _s("rnd", "研发外包", "R&D / CRO", 0.8, 0.4, 0.2),
        _s("api", "原料药", "APIs", 0.2, 0.4, 0.6),
        _s("formulation", "制剂", "Formulations", 0.5, 0.4, 0.4),
        _s("devices", "医疗器械", "Medical devices", 0.5, 0.3, 0.3),
        _s("distribution", "医药流通", "Distribution", 0.6, 0.5, 0.5),
    )),
    Chain("h2", "氢能", "Hydrogen", 500.0, 0.30, (
        _s("production", "制氢", "Production", 0.2, 0.3, 0.5),
        _s("storage", "储运", "Storage & transport", 0.2, 0.3, 0.3),
        _s("fuelcell", "燃料电池", "Fuel cells", 0.6, 0.3, 0.2),
        _s("stations", "加氢站", "Refuelling stations", 0.4, 0.3, 0.3),
        _s("applications", "示范应用", "Applications", 0.4, 0.4, 0.4),
    )),
    Chain("iiot", "工业互联网", "Industrial internet", 1500.0, 0.40, (
        _s("platforms", "平台", "Platforms", 0.8, 0.4, 0.2),
        _s("software", "工业软件", "Industrial software", 0.6, 0.3, 0.1),
        _s("networks", "网络与标识解析", "Networks & identifiers", 0.6, 0.4, 0.3),
        _s("security", "安全", "Security", 0.7, 0.3, 0.1),
        _s("solutions", "应用服务", "Solutions", 0.5, 0.4, 0.3),
    )),
    Chain("tools", "高端工业母机", "High-end machine tools", 800.0, 0.30, (
        _s("cnc", "数控系统", "CNC systems", 0.4, 0.2, 0.1),
        _s("components", "功能部件", "Functional components", 0.2, 0.3, 0.2),
        _s("machines", "整机", "Machines", 0.3, 0.3, 0.2),
        _s("tooling", "刀具量具", "Tools & gauges", 0.2, 0.2, 0.3),
    )),
    Chain("robots", "机器人", "Robotics", 600.0, 0.30, (
        _s("reducers", "减速器", "Reducers", 0.2, 0.2, 0.1),
        _s("servo", "伺服系统", "Servo systems", 0.3, 0.2, 0.1),
        _s("controllers", "控制器", "Controllers", 0.5, 0.3, 0.1),
        _s("bodies", "机器人本体", "Robot bodies", 0.4, 0.3, 0.2),
        _s("integration", "系统集成", "System integration", 0.5, 0.4, 0.3),
    )),
)
# fmt: on

CHAIN_BY_ID: dict[str, Chain] = {c.id: c for c in CHAINS}
