"""CLI pieces for baseline data: ``jjjplan data template``, ``--data``, ``--data-vintage``.

Why here and not in ``jjjplan/cli.py``: every branch adds to the CLI, so the logic lives with
the data and ``cli.py`` only registers it. A data file is read and validated before any
projection starts, so a broken file stops the command with its sheet!cell problems (exit 1)
and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # baseline imports pandas: only when a command runs, not for --help
    from jjjplan import baseline

__all__ = ["data_options", "echo_data", "load_data", "write_data_template"]

F = TypeVar("F", bound=Callable[..., Any])


class _VintageOption(click.Option):
    """``--data-vintage``: lists the bundled vintages when help is shown, so building the
    command line does not import pandas (``jjjplan --help`` stays fast)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from jjjplan import baseline

        self.help = (
            "Bundled data vintage for every scenario of this run "
            f"({', '.join(baseline.VINTAGES)}; default: the scenario's, else "
            f"{baseline.DEFAULT_VINTAGE})."
        )
        return super().get_help_record(ctx)


def data_options(fn: F) -> F:
    """Add ``--data FILE`` and ``--data-vintage ID`` to a command."""
    fn = click.option(
        "--data-vintage",
        "data_vintage",
        cls=_VintageOption,
        metavar="ID",
        default=None,
    )(fn)
    fn = click.option(
        "--data",
        "data_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Baseline-data workbook (from 'jjjplan data template') with your own yearbook "
        "figures; values left empty come from the bundled vintage.",
    )(fn)
    return fn


def load_data(data_file: Path | None, data_vintage: str | None) -> baseline.Dataset | None:
    """The Dataset the options ask for, validated now; None = each scenario's own vintage."""
    if data_file is None and data_vintage is None:
        return None
    from jjjplan import baseline

    return baseline.resolve(data_file, data_vintage)


def echo_data(data: baseline.Dataset | None) -> None:
    """One line naming the data a run used, and the notices of a planner's file (status
    lines: hidden by -q, on stderr under --json)."""
    from jjjplan.cli_support import say

    if data is None:
        return
    say(f"基期数据 / baseline data: {data.vintage} (base year {data.base_year})")
    for notice in data.notices[:20]:
        say(f"  提示 / notice: {notice}")
    if len(data.notices) > 20:
        say(f"  … {len(data.notices) - 20} more notice(s) / 另有 {len(data.notices) - 20} 条提示")


def write_data_template(out: Path, data_vintage: str | None) -> Path:
    """``jjjplan data template OUT``: the baseline-data workbook, prefilled, written atomically."""
    from jjjplan.excel.write.data_template import make_data_template

    path = make_data_template(out, data_vintage)
    click.echo(f"已写出基期数据工作簿 / baseline-data workbook written: {path}")
    click.echo("请填写黄色单元格并注明来源 / fill in the yellow cells and cite your sources")
    return path
