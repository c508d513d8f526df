"""Start Voilà with the dashboard's settings: ``python -m jjjplan.dashboard.voila_main NB
--port=N [--open-browser=True]`` (used by :func:`jjjplan.dashboard.serve.start_server`).

Settings go in as a traitlets ``Config`` built by :func:`~jjjplan.dashboard.serve.voila_config`
rather than as command-line strings, so numbers and nested dicts (tornado settings) keep
their types.
"""

from __future__ import annotations

import argparse
import sys

from traitlets.config import Config

from jjjplan.dashboard.serve import voila_config


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

    from voila.app import Voila

    Voila.launch_instance(argv=[args.notebook], config=config)


if __name__ == "__main__":
    main(sys.argv[1:])
