"""Scenario: the immutable, validated set of levers, milestone targets and assumptions.

A pathway that is switched off keeps *current policy* for its levers (the reference values
of :meth:`Scenario.baseline`), so "all pathways off" reproduces the baseline exactly and
the four pathways can be attributed by Shapley decomposition. Field paths used in error
messages (``reform.origin_share``, ``poles.weights.TJ``…) are the same ones the workbook
reader maps to sheet!cell.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jjjplan.assumptions import ASSUMPTION_BY_ID, defaults
from jjjplan.baseline import unit_codes
from jjjplan.chains import CHAINS, PROVINCES

MILESTONE_YEARS = (2025, 2030, 2035)
END_YEAR = 2035
#: First year of the 15th Five-Year Plan: pathways act from here by default (issue 8 §2).
DEFAULT_POLICY_START_YEAR = 2026
#: Earliest allowed policy start: the year after the earliest base year of any bundled vintage.
EARLIEST_POLICY_START_YEAR = 2023
NATIONAL_PATHS = ("low", "central", "high")
PATHWAYS = ("growth_poles", "chain_filling", "innovation", "reform")
PATHWAY_LABELS = {
    "growth_poles": ("增长极", "Growth poles"),
    "chain_filling": ("补链强链", "Chain filling"),
    "innovation": ("创新匹配", "Innovation matching"),
    "reform": ("体制改革", "Institutional reform"),
}
#: Lines of the detailed contribution table: the reform pathway split into its two mechanisms.
CONTRIBUTORS = ("growth_poles", "chain_filling", "innovation", "tax_sharing", "market_integration")
CONTRIBUTOR_LABELS = {
    **{p: PATHWAY_LABELS[p] for p in PATHWAYS if p != "reform"},
    "tax_sharing": ("税收分享", "Tax sharing"),
    "market_integration": ("市场一体化", "Market integration"),
}
#: The scalar levers of the tax-sharing rule, in the order planners discuss them.
REFORM_SCALARS = (
    "origin_share",
    "share_years",
    "ext_years",
    "cap_multiple",
    "eligibility_threshold",
    "government_led_only",
)
WEIGHT_TOLERANCE = 0.001  # pole weights must sum to 100% ± 0.1 point

#: Reference (current-policy) values, each with its basis.
REF_POLE_WEIGHTS = {"BJ": 0.10, "TJ": 0.30, "SJZ": 0.10, "BD": 0.30, "TS": 0.15, "HD": 0.05}
REF_RELOCATION = 300.0  # 亿元/yr government-led relocation out of Beijing (ASSUMPTION)
REF_TECH_SHARE = 0.088  # 2023: 748.7 / 8536.9 (tech_contracts.csv, derived)
REF_ABSORPTION = 0.5  # P10 default (ASSUMPTION)


class ScenarioError(ValueError):
    """Invalid scenario values; ``problems`` lists (field path, message) for every one."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        lines = "\n".join(f"  {f}: {m}" for f, m in problems)
        super().__init__(f"{len(problems)} invalid scenario value(s) / 情景参数无效:\n{lines}")


@dataclass(frozen=True)
class Milestones:
    """Targets for 2025, 2030, 2035; linear in between, from a start value (see ``path``)."""

    y2025: float
    y2030: float
    y2035: float

    @classmethod
    def flat(cls, value: float) -> Milestones:
        return cls(value, value, value)

    def values(self) -> tuple[float, float, float]:
        return (self.y2025, self.y2030, self.y2035)

    def path(self, start_value: float, start_year: int, years: np.ndarray) -> np.ndarray:
        """Linear interpolation from (start_year, start_value) through the milestones."""
        xs = [start_year, *MILESTONE_YEARS]
        ys = [start_value, *self.values()]
        return np.interp(years, xs, ys)


@dataclass(frozen=True)
class LeverSpec:
    """Metadata for one lever: labels, unit, allowed range. Shared by workbook and dashboard."""

    path: str
    name_zh: str
    name_en: str
    unit: str
    low: float
    high: float
    pathway: str
    percent: bool = False
    integer: bool = False
    help_en: str = ""


LEVERS: dict[str, LeverSpec] = {
    s.path: s
    for s in (
        LeverSpec(
            "poles.weights",
            "增长极权重",
            "growth-pole weight",
            "%",
            0,
            1,
            "growth_poles",
            True,
            help_en="share of pole investment and relocated value added directed to each"
            " pole; Beijing receives no relocated value added (technology flows have their"
            " own destination split)",
        ),
        LeverSpec(
            "poles.investment",
            "增长极投资强度",
            "pole investment intensity",
            "% of regional GDP/yr",
            0,
            0.05,
            "growth_poles",
            True,
            help_en="extra investment in poles beyond current policy",
        ),
        LeverSpec(
            "poles.relocation",
            "政府主导疏解规模",
            "government-led relocation out of Beijing",
            "亿元/yr",
            0,
            3000,
            "growth_poles",
            help_en="value added moved out of Beijing per year before the fiscal response",
        ),
        LeverSpec(
            "chains.presence",
            "环节本地配套水平",
            "provincial presence in a chain segment",
            "0–1",
            0,
            1,
            "chain_filling",
            help_en="0 = segment absent in the province, 1 = complete local supply",
        ),
        LeverSpec(
            "innovation.share",
            "北京技术合同流向津冀比例",
            "share of Beijing tech-contract turnover going to Tianjin + Hebei",
            "%",
            0,
            0.6,
            "innovation",
            True,
            help_en="2022: 4.5%, 2023: 8.8% of total turnover",
        ),
        LeverSpec(
            "innovation.destinations",
            "技术流向分配",
            "destination split of the technology flow",
            "%",
            0,
            1,
            "innovation",
            True,
            help_en="share of the flow to Tianjin + Hebei going to each unit (sums to 100%);"
            " empty = current policy (GDP shares of the destinations)",
        ),
        LeverSpec(
            "innovation.absorption",
            "技术成果本地转化率",
            "absorption (implementation) rate",
            "%",
            0,
            1,
            "innovation",
            True,
        ),
        LeverSpec(
            "reform.origin_share",
            "迁出地分享比例",
            "origin's share of shared taxes",
            "%",
            0,
            1,
            "reform",
            True,
            help_en="财预〔2015〕92号: 50%",
        ),
        LeverSpec(
            "reform.share_years",
            "分享年限",
            "sharing years",
            "years",
            0,
            10,
            "reform",
            integer=True,
            help_en="2015 rule: 3",
        ),
        LeverSpec(
            "reform.ext_years",
            "延长年限",
            "extension years if cap unmet",
            "years",
            0,
            10,
            "reform",
            integer=True,
            help_en="2015 rule: 2",
        ),
        LeverSpec(
            "reform.cap_multiple",
            "分享上限（迁移前年数）",
            "cap on origin's take (pre-move years of tax)",
            "years",
            0,
            10,
            "reform",
            help_en="2015 rule: the sum of the 3 pre-move years' taxes",
        ),
        LeverSpec(
            "reform.eligibility_threshold",
            "分享门槛",
            "eligibility threshold",
            "万元/yr",
            0,
            100000,
            "reform",
            help_en="2015 rule: ≥ 2,000万元 a year",
        ),
        LeverSpec(
            "reform.government_led_only",
            "仅限政府主导迁移",
            "government-led moves only",
            "yes/no",
            0,
            1,
            "reform",
            help_en="2015 rule: yes (market moves excluded)",
        ),
        LeverSpec(
            "reform.market_integration",
            "市场一体化指数",
            "market-integration index",
            "0–1",
            0,
            1,
            "reform",
        ),
        LeverSpec(
            "policy_start_year",
            "政策起始年份",
            "policy start year",
            "year",
            EARLIEST_POLICY_START_YEAR,
            END_YEAR,
            "none",
            integer=True,
            help_en="first year in which the pathways act (default 2026, first year of the"
            " 15th Five-Year Plan); observed years are never changed, so a start year at or"
            " before the data's base year acts from the first projected year",
        ),
        LeverSpec(
            "data_vintage",
            "数据版本",
            "baseline data vintage",
            "vintage id",
            0,
            0,
            "none",
            help_en="which published vintage of the baseline data the run uses; empty = the"
            " default (latest complete post-census) vintage",
        ),
        LeverSpec(
            "national_path",
            "全国增长路径",
            "national growth path",
            "low/central/high",
            0,
            0,
            "none",
        ),
    )
}


class FrozenDict(dict):
    """A read-only, picklable, hashable dict (scenarios cross process boundaries)."""

    def _readonly(self, *args, **kwargs):
        raise TypeError("scenario mappings are read-only; use Scenario.replace()")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly

    def __hash__(self):  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __reduce__(self):
        return (FrozenDict, (dict(self),))


def _freeze(mapping: Mapping) -> FrozenDict:
    return FrozenDict(mapping)


@dataclass(frozen=True, eq=True)
class GrowthPoles:
    weights: Mapping[str, float] = field(default_factory=lambda: _freeze(REF_POLE_WEIGHTS))
    investment: Milestones = Milestones.flat(0.0)
    relocation: Milestones = Milestones.flat(REF_RELOCATION)

    def __post_init__(self):
        object.__setattr__(self, "weights", _freeze(self.weights))


@functools.cache
def default_presence() -> Mapping[str, Milestones]:
    """Base-year presence held flat: current policy fills no links (built once: it is
    read-only, and every default ChainFilling shares it)."""
    out = {}
    for chain in CHAINS:
        for seg in chain.segments:
            for prov, base in zip(PROVINCES, seg.base_presence, strict=True):
                out[f"{chain.id}/{seg.id}/{prov}"] = Milestones.flat(base)
    return _freeze(out)


def base_presence() -> dict[str, float]:
    return {
        f"{c.id}/{s.id}/{p}": b
        for c in CHAINS
        for s in c.segments
        for p, b in zip(PROVINCES, s.base_presence, strict=True)
    }


@dataclass(frozen=True)
class ChainFilling:
    presence: Mapping[str, Milestones] = field(default_factory=default_presence)

    def __post_init__(self):
        if self.presence is default_presence():
            return  # already complete and frozen (the common case: no chain lever moved)
        full = dict(default_presence())
        full.update(self.presence)
        object.__setattr__(self, "presence", _freeze(full))


@dataclass(frozen=True)
class Innovation:
    share: Milestones = Milestones.flat(REF_TECH_SHARE)
    absorption: Milestones = Milestones.flat(REF_ABSORPTION)
    #: Split of the technology flow over Tianjin and the Hebei cities (sums to 1); empty =
    #: current policy, the destinations' GDP shares (where past flows went is not published).
    #: Its own lever: pole weights no longer redirect technology flows.
    destinations: Mapping[str, float] = field(default_factory=lambda: _freeze({}))

    def __post_init__(self):
        object.__setattr__(self, "destinations", _freeze(self.destinations))


@dataclass(frozen=True)
class Reform:
    origin_share: float = 0.5
    share_years: int = 3
    ext_years: int = 2
    cap_multiple: float = 3.0
    eligibility_threshold: float = 2000.0
    government_led_only: bool = True
    market_integration: Milestones = Milestones.flat(ASSUMPTION_BY_ID["mi_base"].value)


@dataclass(frozen=True)
class Pathways:
    growth_poles: bool = True
    chain_filling: bool = True
    innovation: bool = True
    reform: bool = True

    def enabled(self) -> tuple[str, ...]:
        return tuple(p for p in PATHWAYS if getattr(self, p))

    @classmethod
    def only(cls, names: Iterable[str]) -> Pathways:
        names = set(names)
        return cls(**{p: p in names for p in PATHWAYS})


@dataclass(frozen=True)
class Scenario:
    """Everything that defines one projection. Build with keywords; validated on creation."""

    name: str = "baseline"
    description: str = ""
    author: str = ""
    national_path: str = "central"
    pathways: Pathways = Pathways()
    poles: GrowthPoles = GrowthPoles()
    chains: ChainFilling = ChainFilling()
    innovation: Innovation = Innovation()
    reform: Reform = Reform()
    assumptions: Mapping[str, float] = field(default_factory=lambda: _freeze(defaults()))
    #: Baseline data vintage id (``jjjplan.baseline.VINTAGES``); None = the default vintage.
    data_vintage: str | None = None
    #: First year in which the pathways act (levers interpolate from current policy here).
    policy_start_year: int = DEFAULT_POLICY_START_YEAR
    #: Planner-pasted base-year figures {unit: {"gdp": 亿元, "population": 万人}}.
    baseline_overrides: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: _freeze({})
    )
    #: Planner targets (:class:`jjjplan.targets.Target`), checked in results, used by seek.
    targets: tuple[Any, ...] = ()

    def __post_init__(self):
        full = defaults()
        full.update(self.assumptions)
        object.__setattr__(self, "assumptions", _freeze(full))
        object.__setattr__(
            self,
            "baseline_overrides",
            _freeze({u: _freeze(v) for u, v in self.baseline_overrides.items()}),
        )
        object.__setattr__(self, "targets", tuple(self.targets))
        problems = validate(self)
        if problems:
            raise ScenarioError(problems)

    # -- constructors ----------------------------------------------------------------------
    @classmethod
    def baseline(cls) -> Scenario:
        """Current policy: 50% origin share (2015 rule), current technology flows, no extra
        pole investment, chain presence held at the base year."""
        return cls(
            name="baseline",
            description="现行政策基准 / Current policy reference (财预〔2015〕92号, 2023 flows)",
        )

    def replace(self, **changes: Any) -> Scenario:
        return dataclasses.replace(self, **changes)

    def effective(self) -> Scenario:
        """The scenario with every switched-off pathway reset to current-policy levers."""
        ref = Scenario.baseline()
        changes: dict[str, Any] = {}
        if not self.pathways.growth_poles:
            changes["poles"] = ref.poles
        if not self.pathways.chain_filling:
            changes["chains"] = ref.chains
        if not self.pathways.innovation:
            changes["innovation"] = ref.innovation
        if not self.pathways.reform:
            changes["reform"] = ref.reform
        return dataclasses.replace(self, **changes) if changes else self

    def with_pathways(self, names: Iterable[str]) -> Scenario:
        return dataclasses.replace(self, pathways=Pathways.only(names))


def _check_range(problems, path, value, low, high, integer=False):
    if type(value) is float and not integer and low <= value <= high and math.isfinite(value):
        return  # fast path for the common case; every other value takes the full checks
    if isinstance(value, bool) and not integer:
        value = float(value)
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
        problems.append((path, f"expected a number in [{low:g}, {high:g}], found {value!r}"))
        return
    try:
        finite = math.isfinite(float(value))  # a huge int overflows float(): not finite
    except OverflowError:
        finite = False
    if not finite:
        problems.append((path, f"expected a finite number in [{low:g}, {high:g}], found {value}"))
    elif value < low or value > high:
        problems.append((path, f"expected a value in [{low:g}, {high:g}], found {value:g}"))
    elif integer and float(value) != int(value):
        problems.append((path, f"expected a whole number in [{low:g}, {high:g}], found {value:g}"))


def _check_milestones(problems, path, ms, spec: LeverSpec):
    if not isinstance(ms, Milestones):
        problems.append((path, f"expected milestones for 2025/2030/2035, found {ms!r}"))
        return
    for year, v in zip(MILESTONE_YEARS, ms.values(), strict=True):
        _check_range(problems, f"{path}.y{year}", v, spec.low, spec.high)


def assumption_bounds(a) -> tuple[float, float]:
    """Allowed values of an assumption: its literature range widened by twice its span, so
    planners can test beyond the literature but not type absurd values; a quantity that is
    non-negative in the table stays non-negative."""
    lo, hi = min(a.low, a.value), max(a.high, a.value)
    span = max(hi - lo, abs(a.value), 1e-9)
    low = lo - 2 * span if lo < 0 else max(0.0, lo - 2 * span)
    return low, hi + 2 * span


@functools.cache
def _bounds_of(a) -> tuple[float, float]:
    """assumption_bounds, once per assumption (validation runs for every scenario built)."""
    return assumption_bounds(a)


#: id(presence mapping) -> (the mapping, its problems): scenarios made by ``replace`` or with
#: default chains share one presence mapping, so its ~100 milestones are checked once. The
#: mapping is kept so an id is never reused while cached; mappings are read-only.
_PRESENCE_CHECKED: dict[int, tuple[Mapping, tuple[tuple[str, str], ...]]] = {}


def _presence_problems(presence: Mapping) -> tuple[tuple[str, str], ...]:
    """Problems of the chain-presence levers (unknown keys, out-of-range milestones)."""
    hit = _PRESENCE_CHECKED.get(id(presence))
    if hit is not None and hit[0] is presence:
        return hit[1]
    known = default_presence()
    p: list[tuple[str, str]] = []
    for key, ms in presence.items():
        if key not in known:
            p.append((f"chains.presence.{key}", "unknown chain/segment/province"))
        else:
            _check_milestones(p, f"chains.presence.{key}", ms, LEVERS["chains.presence"])
    if isinstance(presence, FrozenDict):  # only read-only mappings can be cached safely
        if len(_PRESENCE_CHECKED) > 256:
            _PRESENCE_CHECKED.clear()
        _PRESENCE_CHECKED[id(presence)] = (presence, tuple(p))
    return tuple(p)


def _check_destinations(problems, split: Mapping, units: set[str]) -> None:
    """The technology-flow split: destination units only (not Beijing), summing to 100%."""
    if not split:
        return
    for unit, v in split.items():
        path = f"innovation.destinations.{unit}"
        if unit not in units or unit == "BJ":
            problems.append((path, "expected a destination unit code (not BJ)"))
        else:
            _check_range(problems, path, v, 0.0, 1.0)
    try:
        total = float(sum(split.values()))
    except TypeError:
        return
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        problems.append(
            (
                "innovation.destinations",
                f"destination shares must sum to 100% (±0.1 point), found {total * 100:.2f}%",
            )
        )


def _known_vintages() -> tuple[str, ...]:
    """Vintage ids the bundled data offers (empty before the data v2 API exists)."""
    from jjjplan import baseline

    return tuple(getattr(baseline, "VINTAGES", {}))


def validate(s: Scenario) -> list[tuple[str, str]]:
    """Every problem with a scenario, as (field path, message); empty when valid."""
    p: list[tuple[str, str]] = []
    if not isinstance(s.name, str) or not s.name.strip():
        p.append(("name", "expected a non-empty scenario name"))
    if s.national_path not in NATIONAL_PATHS:
        p.append(
            (
                "national_path",
                f"expected one of {', '.join(NATIONAL_PATHS)}, found {s.national_path!r}",
            )
        )
    spec = LEVERS["policy_start_year"]
    _check_range(p, spec.path, s.policy_start_year, spec.low, spec.high, integer=True)
    if s.data_vintage is not None:
        known = _known_vintages()
        if not isinstance(s.data_vintage, str) or (known and s.data_vintage not in known):
            p.append(
                (
                    "data_vintage",
                    f"expected one of {', '.join(known) or 'the bundled vintages'} or empty,"
                    f" found {s.data_vintage!r}",
                )
            )
    units = set(unit_codes())
    w = s.poles.weights
    for unit, v in w.items():
        if unit not in units:
            p.append(
                (f"poles.weights.{unit}", f"expected a unit code ({', '.join(sorted(units))})")
            )
        else:
            _check_range(p, f"poles.weights.{unit}", v, 0.0, 1.0)
    try:
        total = float(sum(w.values()))
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            p.append(
                (
                    "poles.weights",
                    f"pole weights must sum to 100% (±0.1 point), found {total * 100:.2f}%",
                )
            )
        if sum(v for u, v in w.items() if u != "BJ") <= 0:
            p.append(
                (
                    "poles.weights",
                    "at least one pole other than Beijing needs a weight"
                    " (relocated value added needs a destination)",
                )
            )
    except TypeError:
        pass  # non-numeric weights already reported
    _check_milestones(p, "poles.investment", s.poles.investment, LEVERS["poles.investment"])
    _check_milestones(p, "poles.relocation", s.poles.relocation, LEVERS["poles.relocation"])
    p.extend(_presence_problems(s.chains.presence))
    _check_milestones(p, "innovation.share", s.innovation.share, LEVERS["innovation.share"])
    _check_milestones(
        p, "innovation.absorption", s.innovation.absorption, LEVERS["innovation.absorption"]
    )
    _check_destinations(p, s.innovation.destinations, units)
    r = s.reform
    for name in REFORM_SCALARS[:-1]:  # government_led_only is a switch, checked below
        spec = LEVERS[f"reform.{name}"]
        _check_range(p, spec.path, getattr(r, name), spec.low, spec.high, spec.integer)
    if not isinstance(r.government_led_only, (bool, np.bool_)):
        p.append(
            ("reform.government_led_only", f"expected yes/no, found {r.government_led_only!r}")
        )
    _check_milestones(
        p, "reform.market_integration", r.market_integration, LEVERS["reform.market_integration"]
    )
    for key, v in s.assumptions.items():
        a = ASSUMPTION_BY_ID.get(key)
        if a is None:
            p.append((f"assumptions.{key}", "unknown assumption id"))
            continue
        lo, hi = _bounds_of(a)
        _check_range(p, f"assumptions.{key}", v, lo, hi)
    for unit, vals in s.baseline_overrides.items():
        if unit not in units:
            p.append((f"baseline_overrides.{unit}", "expected a unit code"))
            continue
        for var, v in vals.items():
            if var not in ("gdp", "population"):
                p.append((f"baseline_overrides.{unit}.{var}", "expected gdp or population"))
            else:
                _check_range(p, f"baseline_overrides.{unit}.{var}", v, 1e-6, 1e7)
    p.extend(_check_targets(s.targets))
    return p


def _check_targets(targets: tuple[Any, ...]) -> list[tuple[str, str]]:
    """Targets are :class:`jjjplan.targets.Target` (validated when built), each stated once."""
    from jjjplan.targets import Target

    problems, seen = [], set()
    for k, t in enumerate(targets):
        if not isinstance(t, Target):
            problems.append((f"targets.{k}", f"expected a jjjplan.Target, found {t!r}"))
        elif (t.indicator, t.region, t.year, t.op) in seen:
            problems.append((f"targets.{k}", f"target {t.key} is stated twice"))
        else:
            seen.add((t.indicator, t.region, t.year, t.op))
    return problems
