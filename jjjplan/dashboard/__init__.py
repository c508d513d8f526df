"""Interactive dashboard (ipywidgets + plotly) for JupyterLab and Voilà.

``from jjjplan.dashboard import Dashboard; Dashboard()`` in a notebook; ``serve_dashboard``
runs the same notebook as a web app. Names are resolved lazily so that importing the
package (or the CLI) does not import ipywidgets or plotly, and so that a missing
``dashboard`` extra gives an install hint instead of a bare ModuleNotFoundError.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jjjplan.dashboard.app import Dashboard
    from jjjplan.dashboard.controls import rebalance
    from jjjplan.dashboard.serve import serve_dashboard

__all__ = ["Dashboard", "rebalance", "serve_dashboard"]

_WHERE = {
    "Dashboard": "jjjplan.dashboard.app",
    "rebalance": "jjjplan.dashboard.controls",
    "serve_dashboard": "jjjplan.dashboard.serve",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'jjjplan.dashboard' has no attribute {name!r}")
    from importlib import import_module

    try:
        module = import_module(_WHERE[name])
    except ModuleNotFoundError as err:
        from jjjplan.cli_support import install_hint

        raise ModuleNotFoundError(
            f"the dashboard needs {err.name!r}: {install_hint('dashboard')}"
        ) from err
    return getattr(module, name)
