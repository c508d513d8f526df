"""jjjplan — scenario-planning workbench for Beijing–Tianjin–Hebei (京津冀) coordination.

Data flow: workbook → :func:`read_workbook` → :class:`Scenario` → :func:`project` →
:class:`Results` → :func:`write_results` / :func:`write_comparison` / :class:`Dashboard`.
"""

from jjjplan.batch import Batch, project_many
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
from jjjplan.targets import Target

__version__ = "0.1.0"


def __getattr__(name: str):
    """``jjjplan.Dashboard`` without importing ipywidgets/matplotlib for CLI and model users."""
    if name == "Dashboard":
        from jjjplan.dashboard import Dashboard

        return Dashboard
    if name in ("seek", "SeekResult"):  # scipy.optimize only when goal seek is used
        import jjjplan.goalseek as goalseek

        return getattr(goalseek, name)
    raise AttributeError(f"module 'jjjplan' has no attribute {name!r}")


__all__ = [
    "Batch",
    "ChainFilling",
    "Dashboard",
    "GrowthPoles",
    "Innovation",
    "Milestones",
    "Pathways",
    "Reform",
    "Results",
    "Scenario",
    "ScenarioError",
    "SeekResult",
    "Target",
    "__version__",
    "gap_measures",
    "gap_measures_frame",
    "project",
    "project_many",
    "seek",
]
