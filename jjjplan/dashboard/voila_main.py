"""Start Voilà with the dashboard's settings: ``python -m jjjplan.dashboard.voila_main NB
--port=N [--open-browser=True]`` (used by :func:`jjjplan.dashboard.serve.start_server`).

Settings go in as a traitlets ``Config`` built by :func:`~jjjplan.dashboard.serve.voila_config`
rather than as command-line strings, so numbers and nested dicts (tornado settings) keep
their types.

One route is added to Voilà's: ``/jjjplan/static/widgetbundle.js``, plotly's chart-widget
module from the installed plotly package. The charts load it by URL (see
:func:`jjjplan.dashboard.charts.figure_class`) instead of each chart carrying its own 4.8 MB
copy through the websocket: the browser fetches and compiles it once (the page template
preloads it), which also keeps every chart inside anywidget's 2-second start-up limit.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from traitlets.config import Config

from jjjplan.dashboard.serve import ASSETS_ENV, ASSETS_ROUTE, HOST, voila_config

#: Files served from plotly's package data (nothing else there is reachable).
ASSET_FILES = r"(widgetbundle\.js)"


def plotly_assets() -> Path:
    """plotly's ``package_data`` folder (holds ``widgetbundle.js``)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jjjplan.dashboard.voila_main")
    parser.add_argument("notebook")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--open-browser", default="False", choices=("True", "False"))
    args = parser.parse_args(argv)
    config = Config()
    for section, values in voila_config(args.port, args.open_browser == "True").items():
        for name, value in values.items():
            setattr(config[section], name, value)
    os.environ[ASSETS_ENV] = f"http://{HOST}:{args.port}{ASSETS_ROUTE}"  # inherited by kernels

    import tornado.web
    from voila.app import Voila

    class AssetHandler(tornado.web.StaticFileHandler):
        def set_default_headers(self) -> None:
            # the page may be opened as localhost:PORT while charts name 127.0.0.1:PORT
            self.set_header("Access-Control-Allow-Origin", "*")

    class DashboardVoila(Voila):
        def init_handlers(self) -> list:
            route = (ASSETS_ROUTE + ASSET_FILES, AssetHandler, {"path": str(plotly_assets())})
            return [route, *super().init_handlers()]

    DashboardVoila.launch_instance(argv=[args.notebook], config=config)


if __name__ == "__main__":
    main(sys.argv[1:])
