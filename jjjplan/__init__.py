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

__version__ = "0.1.0"


def __getattr__(name: str):
    """``jjjplan.Dashboard``, ``jjjplan.explore`` and ``jjjplan.ema_model`` imported on first
    use: CLI and model users do not pay for ipywidgets, Dask or EMA Workbench."""
    if name == "Dashboard":
        from jjjplan.dashboard import Dashboard

        return Dashboard
    if name in ("explore", "ema_model"):  # optional extra jjjplan[explore]; imported on use
        import jjjplan.explore as explore_package

        return explore_package if name == "explore" else explore_package.ema_model
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
    "__version__",
    "ema_model",
    "explore",
    "gap_measures",
    "gap_measures_frame",
    "project",
    "project_many",
]
