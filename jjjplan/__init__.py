"""jjjplan — scenario-planning workbench for Beijing–Tianjin–Hebei (京津冀) coordination.

Data flow: workbook → :func:`read_workbook` → :class:`Scenario` → :func:`project` →
:class:`Results` → :func:`write_results` / :func:`write_comparison` / :class:`Dashboard`.

Every public name is imported on first use (module ``__getattr__``), so ``import jjjplan``
and ``jjjplan --help`` stay fast and the dashboard's libraries load only for the dashboard.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # what the lazy names are, for type checkers and IDEs
    from jjjplan.batch import Batch, project_many
    from jjjplan.dashboard import Dashboard
    from jjjplan.excel import read_workbook, write_comparison, write_results
    from jjjplan.explore import ema_model, explore
    from jjjplan.gaps import gap_measures, gap_measures_frame
    from jjjplan.results import Results, project
    from jjjplan.scenario import (
        ChainFilling,
        GrowthPoles,
        Innovation,
        Milestones,
        Pathways,
        Reform,
        Scenario,
        ScenarioError,
    )
    from jjjplan.uncertainty import (
        Ensemble,
        RobustComparison,
        compare_ensembles,
        ensemble,
        sensitivity,
    )

#: public name → the module that defines it
_EXPORTS: dict[str, str] = {
    "Batch": "jjjplan.batch",
    "project_many": "jjjplan.batch",
    "Dashboard": "jjjplan.dashboard",
    "gap_measures": "jjjplan.gaps",
    "gap_measures_frame": "jjjplan.gaps",
    "Results": "jjjplan.results",
    "project": "jjjplan.results",
    "ChainFilling": "jjjplan.scenario",
    "GrowthPoles": "jjjplan.scenario",
    "Innovation": "jjjplan.scenario",
    "Milestones": "jjjplan.scenario",
    "Pathways": "jjjplan.scenario",
    "Reform": "jjjplan.scenario",
    "Scenario": "jjjplan.scenario",
    "ScenarioError": "jjjplan.scenario",
    "read_workbook": "jjjplan.excel",
    "write_comparison": "jjjplan.excel",
    "write_results": "jjjplan.excel",
    "Ensemble": "jjjplan.uncertainty",
    "RobustComparison": "jjjplan.uncertainty",
    "compare_ensembles": "jjjplan.uncertainty",
    "ensemble": "jjjplan.uncertainty",
    "sensitivity": "jjjplan.uncertainty",
    "Target": "jjjplan.targets",
    "seek": "jjjplan.goalseek",
    "SeekResult": "jjjplan.goalseek",
    "explore": "jjjplan.explore",
    "ema_model": "jjjplan.explore",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jjjplan' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "Batch",
    "ChainFilling",
    "Dashboard",
    "Ensemble",
    "GrowthPoles",
    "Innovation",
    "Milestones",
    "Pathways",
    "Reform",
    "Results",
    "RobustComparison",
    "Scenario",
    "ScenarioError",
    "SeekResult",
    "Target",
    "__version__",
    "compare_ensembles",
    "ema_model",
    "ensemble",
    "explore",
    "gap_measures",
    "gap_measures_frame",
    "project",
    "project_many",
    "read_workbook",
    "seek",
    "sensitivity",
    "write_comparison",
    "write_results",
]
