"""Lever controls: widget groups, each bound to one part of a :class:`~jjjplan.Scenario`.

Every control follows one small protocol so the dashboard can treat them alike:

* ``widget`` — the box to place in the layout;
* ``set_from(scenario)`` — show the scenario's values (quietly: no change callback);
* ``apply(scenario) -> Scenario`` — the scenario with *this control's* part replaced, leaving
  every other field bit-for-bit as it was (so a loaded workbook is not disturbed by float
  round trips through sliders it was never touched with);
* ``on_change(callback)`` — called after a planner's change, never after ``set_from``;
* ``relabel(lang)`` — switch captions between 中文 (bilingual) and English.

Sliders use ``continuous_update=False``: the model runs when a handle is released.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from html import escape
from typing import Any

import ipywidgets as widgets

from jjjplan.baseline import BASE_YEAR, unit_codes
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.dashboard.labels import (
    NATIONAL_PATH_LABELS,
    Lang,
    both,
    lever_label_html,
    pathway,
    ui,
    unit_name,
)
from jjjplan.dashboard.naming import round_weights
from jjjplan.scenario import (
    END_YEAR,
    LEVERS,
    MILESTONE_YEARS,
    PATHWAYS,
    Milestones,
    Pathways,
    Scenario,
    base_presence,
)

#: Slider step per lever, in display units (percent levers in percentage points).
STEPS: dict[str, float] = {
    "poles.weights": 0.1,
    "poles.investment": 0.1,
    "poles.relocation": 10.0,
    "innovation.share": 0.1,
    "innovation.absorption": 1.0,
    "reform.origin_share": 1.0,
    "reform.share_years": 1,
    "reform.ext_years": 1,
    "reform.cap_multiple": 0.5,
    "reform.eligibility_threshold": 100.0,
    "reform.market_integration": 0.01,
    "chains.presence": 0.05,
}
_WIDE = widgets.Layout(width="98%")
_DESC = {"description_width": "15em"}
#: Pole rows hold a slider, a lock and a remove button: a narrower caption leaves the
#: slider room at 1,280 px.
#: One pole's row under its name: slider (takes the room left), lock, remove.
_POLE_ROW = widgets.Layout(width="100%", align_items="center", flex_flow="row nowrap")


def tidy(x: float) -> float:
    """``x`` rounded to 12 significant digits.

    Values the dashboard derives (slider/100, rescaled weights, interpolated milestones)
    would otherwise carry 17-digit binary noise that Excel and openpyxl (≤ 16 digits) cannot
    store, so a saved workbook would read back a hair different from the dashboard's
    scenario. 12 digits keeps weights summing to 1 within 1e-11.
    """
    return float(f"{x:.12g}")


def rebalance(
    weights: Mapping[str, float],
    changed: str,
    new_value: float,
    locked: Collection[str] = (),
) -> dict[str, float]:
    """Pole weights after one pole is moved to ``new_value``, still summing to exactly 1.

    Planners think in shares of one budget, so moving one pole must take from (or give to)
    the others: the *unlocked* others are rescaled in proportion to their current weights, or
    share the remainder equally when they are all zero. Locked poles never change. The moved
    pole is clamped to what the locked poles leave; if every other pole is locked (or the
    moved pole is itself locked) the move is refused and the weights come back unchanged.
    Input weights that do not sum to 1 are first normalised (negative values count as 0).

    >>> rebalance({"A": 0.5, "B": 0.3, "C": 0.2}, "A", 0.8, locked=())
    {'A': 0.8, 'B': 0.12, 'C': 0.08}
    """
    if changed not in weights:
        raise KeyError(f"unknown pole {changed!r}; poles are {', '.join(weights)}")
    clean = {k: max(0.0, float(v)) if math.isfinite(v) else 0.0 for k, v in weights.items()}
    total = sum(clean.values())
    n = len(clean)
    w = {k: v / total for k, v in clean.items()} if total > 0 else dict.fromkeys(clean, 1.0 / n)
    free = [k for k in w if k != changed and k not in locked]
    if changed in locked or not free or not math.isfinite(new_value):
        return w
    fixed = sum(v for k, v in w.items() if k != changed and k in locked)
    room = max(0.0, 1.0 - fixed)
    value = min(max(float(new_value), 0.0), room)
    rest = room - value
    held = sum(w[k] for k in free)
    out = dict(w)
    out[changed] = value
    for k in free:
        out[k] = rest * (w[k] / held) if held > 0 else rest / len(free)
    return out


def _get(s: Scenario, path: str) -> Any:
    """Value at a lever path such as ``reform.origin_share`` or ``national_path``."""
    obj: Any = s
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _set(s: Scenario, path: str, value: Any) -> Scenario:
    """Scenario with the field at ``path`` replaced (validated by ``Scenario``)."""
    head, _, rest = path.partition(".")
    if not rest:
        return s.replace(**{head: value})
    return s.replace(**{head: dataclasses.replace(getattr(s, head), **{rest: value})})


class Control:
    """Base of all controls: change callbacks and a quiet mode for programmatic updates."""

    widget: widgets.Widget

    def __init__(self) -> None:
        self._callbacks: list[Callable[[Control], None]] = []
        self._quiet = 0
        #: Wraps a control's own button handlers so their errors reach the dashboard's log
        #: (set by the dashboard; identity when the control is used alone).
        self.guard: Callable[[Callable[..., Any]], Callable[..., Any]] = lambda fn: fn

    def on_change(self, callback: Callable[[Control], None]) -> None:
        """Call ``callback(self)`` after every change a planner makes."""
        self._callbacks.append(callback)

    def _notify(self, *_: Any) -> None:
        if not self._quiet:
            for cb in self._callbacks:
                cb(self)

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Update widgets without triggering a model run (loading, reverting, rescaling)."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def set_from(self, scenario: Scenario) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def apply(self, scenario: Scenario) -> Scenario:  # pragma: no cover - abstract
        raise NotImplementedError

    def relabel(self, lang: Lang) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def _slider(path: str, scale: float, disabled: bool = False) -> widgets.Widget:
    spec = LEVERS[path]
    kw = dict(continuous_update=False, layout=_WIDE, disabled=disabled)
    if spec.integer:
        return widgets.IntSlider(min=int(spec.low), max=int(spec.high), step=1, **kw)
    step = STEPS.get(path, (spec.high - spec.low) / 100)
    digits = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return widgets.FloatSlider(
        min=spec.low * scale,
        max=spec.high * scale,
        step=step,
        readout_format=f".{digits}f",
        **kw,
    )


class ScalarControl(Control):
    """One scalar lever (slider, or a checkbox for yes/no levers)."""

    def __init__(self, path: str, lang: Lang) -> None:
        super().__init__()
        self.path = path
        self.spec = LEVERS[path]
        self.scale = 100.0 if self.spec.percent else 1.0
        self.caption = widgets.HTML()
        if self.spec.unit == "yes/no":
            self.input: widgets.ValueWidget = widgets.Checkbox(indent=False)
        else:
            self.input = _slider(path, self.scale)
        self.input.tooltip = self.spec.help_en or None
        self.input.add_class("jjj-" + path.replace(".", "-").replace("_", "-"))
        self.input.observe(self._notify, "value")
        self.widget = widgets.VBox([self.caption, self.input])
        self.relabel(lang)

    def _to_model(self, value: Any) -> Any:
        if isinstance(self.input, widgets.Checkbox):
            return bool(value)
        if self.spec.integer:
            return int(value)
        return tidy(float(value) / self.scale)

    def set_from(self, scenario: Scenario) -> None:
        value = _get(scenario, self.path)
        with self.quiet():
            if isinstance(self.input, widgets.Checkbox) or self.spec.integer:
                self.input.value = value
            else:
                self.input.value = value * self.scale

    def apply(self, scenario: Scenario) -> Scenario:
        return _set(scenario, self.path, self._to_model(self.input.value))

    def relabel(self, lang: Lang) -> None:
        self.caption.value = lever_label_html(self.spec, lang)


class MilestoneControl(Control):
    """A milestone lever: the 2035 target up front, 2025/2030 in an expandable section.

    Moving the 2035 target puts 2030 halfway between 2025 and 2035, i.e. a straight path
    from 2025 to the target (the model interpolates linearly between milestones); 2030 and
    2025 can still be set on their own in the milestones section.
    """

    def __init__(self, path: str, lang: Lang) -> None:
        super().__init__()
        self.path = path
        self.spec = LEVERS[path]
        self.scale = 100.0 if self.spec.percent else 1.0
        self.caption = widgets.HTML()
        self.sliders = {year: _slider(path, self.scale) for year in MILESTONE_YEARS}
        self.target = self.sliders[END_YEAR]
        self.target.add_class("jjj-" + path.replace(".", "-").replace("_", "-"))
        self._ms = _get(Scenario.baseline(), path)
        for year, slider in self.sliders.items():
            slider.observe(lambda ch, y=year: self._moved(y, ch["new"]), "value")
        self.early = widgets.VBox([self.sliders[2025], self.sliders[2030]])
        self.widget = widgets.VBox([self.caption, self.target])
        self.relabel(lang)

    @property
    def milestones(self) -> Milestones:
        """The lever's current 2025/2030/2035 targets, in model units."""
        return self._ms

    def _moved(self, year: int, value: float) -> None:
        if self._quiet:
            return
        v = tidy(float(value) / self.scale)
        ms = self._ms
        if year == END_YEAR:
            ms = Milestones(ms.y2025, tidy((ms.y2025 + v) / 2), v)
            with self.quiet():
                self.sliders[2030].value = ms.y2030 * self.scale
        else:
            ms = dataclasses.replace(ms, **{f"y{year}": v})
        self._ms = ms
        self._notify()

    def set_from(self, scenario: Scenario) -> None:
        self._ms = _get(scenario, self.path)
        with self.quiet():
            for year, value in zip(MILESTONE_YEARS, self._ms.values(), strict=True):
                self.sliders[year].value = value * self.scale

    def apply(self, scenario: Scenario) -> Scenario:
        return _set(scenario, self.path, self._ms)

    def relabel(self, lang: Lang) -> None:
        self.caption.value = lever_label_html(self.spec, lang, f" · {ui('target_2035', lang)}")
        for year in (2025, 2030):
            self.sliders[year].description = str(year)


class PoleWeights(Control):
    """One slider per pole (percent) with a lock each; always 100% in total (:func:`rebalance`).

    Any of the 13 units can be added as a pole (with weight 0, then moved up) or removed
    (its weight goes to the unlocked others). After a move the unlocked poles are put on
    the sliders' 0.1-point grid (:func:`~jjjplan.dashboard.naming.round_weights`), so what
    is stored is what the planner sees.
    """

    def __init__(self, weights: Mapping[str, float], lang: Lang) -> None:
        super().__init__()
        self.lang: Lang = lang
        self.caption = widgets.HTML()
        self.note = widgets.HTML()
        self.total = widgets.HTML()
        self.total.add_class("jjj-weight-total")
        self.rows = widgets.VBox()
        self.new_pole = widgets.Dropdown(layout=widgets.Layout(width="14em"))
        self.new_pole.add_class("jjj-new-pole")
        self.add_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.add_button.add_class("jjj-add-pole")
        self.add_button.on_click(lambda _: self.guard(self.add_pole)(self.new_pole.value))
        self.widget = widgets.VBox(
            [
                self.caption,
                self.rows,
                self.total,
                widgets.HBox([self.new_pole, self.add_button]),
                self.note,
            ]
        )
        self.weights: dict[str, float] = {}
        self.sliders: dict[str, widgets.FloatSlider] = {}
        self.locks: dict[str, widgets.Checkbox] = {}
        self.removers: dict[str, widgets.Button] = {}
        self._build(weights)
        self.relabel(lang)

    @property
    def locked(self) -> set[str]:
        """Poles whose lock box is ticked."""
        return {code for code, box in self.locks.items() if box.value}

    def _build(self, weights: Mapping[str, float]) -> None:
        self.weights = {k: float(v) for k, v in weights.items()}
        old_locks = self.locked
        self.sliders, self.locks, self.removers, rows = {}, {}, {}, []
        self.labels: dict[str, widgets.HTML] = {}
        for code, value in self.weights.items():
            # the unit's name on its own line above the slider: a fixed-width description
            # cut long names ("张家口 Zhangjiakou") at 1,280 px
            label = widgets.HTML(layout=widgets.Layout(width="100%", margin="2px 0 0 0"))
            label.add_class("jjj-pole-label")
            label.add_class(f"jjj-pole-label-{code}")
            slider = _slider("poles.weights", 100.0)
            slider.value = value * 100
            slider.layout = widgets.Layout(flex="1 1 0", width="auto", min_width="8em")
            slider.add_class(f"jjj-pole-{code}")
            lock = widgets.Checkbox(
                value=code in old_locks, indent=False, layout=widgets.Layout(width="auto")
            )
            lock.add_class(f"jjj-lock-{code}")
            remove = widgets.Button(layout=widgets.Layout(width="auto", flex="0 0 auto"))
            remove.add_class(f"jjj-remove-{code}")
            slider.disabled = lock.value
            slider.observe(lambda ch, c=code: self._moved(c, ch["new"]), "value")
            lock.observe(lambda ch, c=code: self._locked(c, ch["new"]), "value")
            remove.on_click(lambda _, c=code: self.guard(self.remove_pole)(c))
            self.sliders[code], self.locks[code], self.removers[code] = slider, lock, remove
            self.labels[code] = label
            row = widgets.HBox([slider, lock, remove], layout=_POLE_ROW)
            rows.append(widgets.VBox([label, row], layout=widgets.Layout(width="100%")))
        self._label_rows(self.lang)  # named before the page shows a new row (no blank label)
        self.rows.children = rows

    def _moved(self, code: str, value: float) -> None:
        if self._quiet:
            return
        value = round(value / STEPS["poles.weights"]) * STEPS["poles.weights"]  # slider grid
        new = rebalance(self.weights, code, tidy(value / 100), self.locked)
        keep = self.locked | {code}
        self.weights = {k: tidy(v) for k, v in round_weights(new, keep).items()}
        self._show()
        self._notify()

    def _locked(self, code: str, value: bool) -> None:
        self.sliders[code].disabled = bool(value)

    def add_pole(self, code: str | None) -> None:
        """Make unit ``code`` a pole with weight 0 (placed last; move its slider up)."""
        if not code or code in self.weights:
            return
        self._build({**self.weights, code: 0.0})
        self.relabel(self.lang)
        self._notify()

    def remove_pole(self, code: str) -> None:
        """Drop pole ``code``; its weight goes to the unlocked others in proportion."""
        if code not in self.weights:
            return
        new = rebalance(self.weights, code, 0.0, self.locked - {code})
        if new[code] > 0:
            raise ValueError(
                f"{unit_name(code, 'both')}：其余增长极均已锁定，无法转移其权重；请先解锁一个"
                f" / every other pole is locked, so its weight has nowhere to go: unlock one"
            )
        del new[code]
        self._build({k: tidy(v) for k, v in round_weights(new, self.locked).items()})
        self.relabel(self.lang)
        self._notify()

    def _show(self) -> None:
        with self.quiet():
            for code, slider in self.sliders.items():
                slider.value = self.weights[code] * 100
        self._show_total()

    def _show_total(self) -> None:
        total = sum(self.weights.values()) * 100
        ok = abs(total - 100) <= 0.1
        color = "#1b5e20" if ok else "#b71c1c"
        self.total.value = (
            f"<span style='color:{color}'><b>{escape(ui('weights_total', self.lang))}："
            f"{total:.1f}%</b></span>"
        )

    def set_from(self, scenario: Scenario) -> None:
        weights = scenario.poles.weights
        with self.quiet():
            if list(weights) != list(self.sliders):
                self._build(weights)
                self.relabel(self.lang)
            self.weights = {k: float(v) for k, v in weights.items()}
            self._show()

    def apply(self, scenario: Scenario) -> Scenario:
        return _set(scenario, "poles.weights", dict(self.weights))

    def _label_rows(self, lang: Lang) -> None:
        """Each pole's name, lock and remove captions."""
        for code, slider in self.sliders.items():
            self.labels[
                code
            ].value = f"<span style='white-space:normal'>{escape(unit_name(code, lang))}</span>"
            slider.description = ""
            slider.tooltip = unit_name(code, lang)
            self.locks[code].description = ui("lock", lang)
            self.removers[code].description = ui("remove_pole", lang)
            self.removers[code].tooltip = f"{ui('remove_pole', lang)}: {unit_name(code, lang)}"

    def relabel(self, lang: Lang) -> None:
        self.lang = lang
        self.caption.value = lever_label_html(LEVERS["poles.weights"], lang)
        self.note.value = f"<small>{ui('weights_rule', lang)}</small>"
        self._label_rows(lang)
        others = [c for c in unit_codes() if c not in self.weights]
        with self.quiet():
            self.new_pole.options = [(unit_name(c, lang), c) for c in others]
        self.add_button.description = ui("add_pole", lang)
        self.add_button.disabled = not others
        self._show_total()


def chain_cells(chain_id: str) -> list[str]:
    """Presence keys ``chain/segment/province`` of one chain."""
    chain = next(c for c in CHAINS if c.id == chain_id)
    return [f"{chain.id}/{seg.id}/{p}" for seg in chain.segments for p in PROVINCES]


def raise_presence(
    reference: Mapping[str, Milestones], chain_id: str, target: float
) -> dict[str, Milestones]:
    """Presence of one chain after applying a 2035 target (the chain-filling rule).

    Each province–segment below ``target`` rises to it by 2035 along a straight line from
    its base-year presence (2025 and 2030 on that line); no milestone ever falls below the
    ``reference`` (loaded) value, so cells above the target are untouched.
    """
    base = base_presence()
    out = {}
    for key in chain_cells(chain_id):
        ref = reference[key]
        b = base[key]
        line = [
            b + (target - b) * (y - BASE_YEAR) / (END_YEAR - BASE_YEAR) for y in MILESTONE_YEARS
        ]
        out[key] = Milestones(*(max(r, tidy(v)) for r, v in zip(ref.values(), line, strict=True)))
    return out


class ChainTargets(Control):
    """A chain selector and one 2035 target presence per chain (rule: :func:`raise_presence`)."""

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.caption = widgets.HTML()
        self.chain = widgets.Dropdown(layout=_WIDE)
        self.target = _slider("chains.presence", 1.0)
        self.target.add_class("jjj-chain-target")
        self.note = widgets.HTML()
        self.widget = widgets.VBox([self.caption, self.chain, self.target, self.note])
        self._reference: Mapping[str, Milestones] = Scenario.baseline().chains.presence
        self._targets: dict[str, float] = {}
        self._touched: set[str] = set()
        self.relabel(lang)
        self.chain.value = CHAINS[0].id
        self._reset(self._reference)
        self.chain.observe(self._selected, "value")
        self.target.observe(self._moved, "value")

    def _reset(self, presence: Mapping[str, Milestones]) -> None:
        self._reference = presence
        self._targets = {c.id: min(presence[k].y2035 for k in chain_cells(c.id)) for c in CHAINS}
        self._touched = set()
        with self.quiet():
            self.target.value = self._targets[self.chain.value]

    def _selected(self, change: dict) -> None:
        with self.quiet():
            self.target.value = self._targets[change["new"]]

    def _moved(self, change: dict) -> None:
        if self._quiet:
            return
        self._targets[self.chain.value] = tidy(float(change["new"]))
        self._touched.add(self.chain.value)
        self._notify()

    @property
    def targets(self) -> dict[str, float]:
        """2035 target per chain (untouched chains show their lowest 2035 presence)."""
        return dict(self._targets)

    def set_from(self, scenario: Scenario) -> None:
        self._reset(scenario.chains.presence)

    def apply(self, scenario: Scenario) -> Scenario:
        presence = dict(scenario.chains.presence)
        for chain_id in self._touched:
            presence.update(raise_presence(self._reference, chain_id, self._targets[chain_id]))
        return _set(scenario, "chains.presence", presence)

    def relabel(self, lang: Lang) -> None:
        self.caption.value = f"<b>{ui('chain', lang)}</b> · " + lever_label_html(
            LEVERS["chains.presence"], lang
        )
        with self.quiet():
            value = self.chain.value
            self.chain.options = [(both((c.name_zh, c.name_en), lang), c.id) for c in CHAINS]
            if value is not None:
                self.chain.value = value
        self.target.description = ui("target_2035", lang)
        self.target.style = {"description_width": "initial"}
        self.note.value = f"<small>{ui('chain_rule', lang)}</small>"


class NationalPath(Control):
    """Low / central / high national per-capita growth path."""

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.caption = widgets.HTML()
        self.input = widgets.ToggleButtons(options=list(NATIONAL_PATH_LABELS), value="central")
        self.input.add_class("jjj-national-path")
        self.input.observe(self._notify, "value")
        self.widget = widgets.VBox([self.caption, self.input])
        self.relabel(lang)

    def set_from(self, scenario: Scenario) -> None:
        with self.quiet():
            self.input.value = scenario.national_path

    def apply(self, scenario: Scenario) -> Scenario:
        return scenario.replace(national_path=self.input.value)

    def relabel(self, lang: Lang) -> None:
        spec = LEVERS["national_path"]
        self.caption.value = lever_label_html(spec, lang)
        with self.quiet():
            value = self.input.value
            self.input.options = [(both(v, lang), k) for k, v in NATIONAL_PATH_LABELS.items()]
            self.input.value = value


class PathwaySwitches(Control):
    """One on/off box per pathway; off keeps current policy for that pathway's levers."""

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.caption = widgets.HTML()
        self.boxes = {p: widgets.Checkbox(value=True, indent=False) for p in PATHWAYS}
        for name, box in self.boxes.items():
            box.add_class(f"jjj-pathway-{name}")
            box.observe(self._notify, "value")
        self.widget = widgets.VBox([self.caption, *self.boxes.values()])
        self.relabel(lang)

    def set_from(self, scenario: Scenario) -> None:
        with self.quiet():
            for name, box in self.boxes.items():
                box.value = bool(getattr(scenario.pathways, name))

    def apply(self, scenario: Scenario) -> Scenario:
        return scenario.replace(pathways=Pathways(**{p: b.value for p, b in self.boxes.items()}))

    def relabel(self, lang: Lang) -> None:
        self.caption.value = f"<b>{ui('pathways', lang)}</b> · {ui('pathway_on', lang)}"
        for name, box in self.boxes.items():
            box.description = pathway(name, lang)


class ScenarioName(Control):
    """The scenario's name, used when saving and in the comparison list."""

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.input = widgets.Text(continuous_update=False, layout=_WIDE)
        self.input.add_class("jjj-scenario-name")
        self.input.observe(self._notify, "value")
        self.widget = self.input
        self.relabel(lang)

    def set_from(self, scenario: Scenario) -> None:
        with self.quiet():
            self.input.value = scenario.name

    def apply(self, scenario: Scenario) -> Scenario:
        return scenario.replace(name=self.input.value.strip())

    def relabel(self, lang: Lang) -> None:
        self.input.description = ui("name", lang)
        self.input.style = {"description_width": "initial"}


class VintageControl(Control):
    """The bundled data vintage the projection starts from (``Scenario.data_vintage``)."""

    path = "data_vintage"

    def __init__(self, lang: Lang) -> None:
        from jjjplan.baseline import VINTAGES

        super().__init__()
        self._vintages = VINTAGES
        self.input = widgets.Dropdown(options=list(VINTAGES), layout=_WIDE)
        self.input.add_class("jjj-data-vintage")
        self.input.observe(self._notify, "value")
        self.caption = widgets.HTML()
        self.widget = widgets.VBox([self.caption, self.input])
        self.relabel(lang)

    def set_from(self, scenario: Scenario) -> None:
        from jjjplan.baseline import DEFAULT_VINTAGE

        with self.quiet():
            self.input.value = scenario.data_vintage or DEFAULT_VINTAGE

    def apply(self, scenario: Scenario) -> Scenario:
        return scenario.replace(data_vintage=self.input.value)

    def relabel(self, lang: Lang) -> None:
        value = self.input.value
        with self.quiet():
            self.input.options = [
                (f"{v} · {both((spec.label_zh, spec.label_en), lang)}", v)
                for v, spec in self._vintages.items()
            ]
            self.input.value = value
        self.caption.value = f"<b>{escape(ui('data_vintage', lang))}</b>"
