"""The ``jjjplan`` command line (Click). Bad input → a clear message and exit 1, never a
traceback; usage errors → exit 2."""

from __future__ import annotations

import sys

import click

import jjjplan


def gap_table(results: jjjplan.Results, years=(2022, 2025, 2030, 2035)) -> str:
    """A short bilingual table of the key gap measures."""
    g = results.gaps.join(results.ratios)
    cols = [
        "theil_t",
        "theil_t_between",
        "theil_t_within",
        "cv_weighted",
        "gini_weighted",
        "bj_he_ratio",
        "tj_he_ratio",
    ]
    table = g.loc[[y for y in years if y in g.index], cols]
    return table.to_string(float_format=lambda v: f"{v:.4f}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(jjjplan.__version__, prog_name="jjjplan")
def main() -> None:
    """jjjplan — 京津冀产业协同情景规划 / JJJ scenario-planning workbench."""


@main.command()
def baseline() -> None:
    """Project the baseline and print the key gap measures 2022–2035.

    Example: jjjplan baseline
    """
    results = jjjplan.project(jjjplan.Scenario.baseline())
    click.echo("基准情景区域差距 / Baseline regional gaps (13 units, province groups)")
    click.echo(gap_table(results, years=tuple(int(y) for y in results.years)))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
