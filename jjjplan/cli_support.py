"""Conventions shared by every ``jjjplan`` subcommand, applied with one decorator.

``@command_conventions()`` (or ``@command_conventions(json_output=True)``) under
``@main.command()`` gives a command:

- ``-v/--verbose`` and ``-q/--quiet`` (also accepted before the subcommand), backed by the
  ``jjjplan`` logger: status lines are ``INFO`` records (:func:`say`), ``-q`` keeps warnings
  and errors only, ``-v`` adds the library's ``DEBUG`` records;
- exit codes :data:`EXIT_OK` 0, :data:`EXIT_INPUT` 1 (input problems, all listed, never a
  traceback), :data:`EXIT_USAGE` 2 (Click's usage errors), :data:`EXIT_INTERNAL` 3 (a bug:
  one line, ``JJJPLAN_DEBUG=1`` for the traceback);
- with ``json_output=True`` a ``--json`` flag: stdout then holds one JSON object (ASCII only,
  so any console can carry it) with ``problems``, ``notices``, ``outputs`` and ``figures``
  filled through :func:`current_report`; human-readable lines go to stderr.

:func:`prepare_console` makes output survive a GBK (cp936) console or a redirected file on
Chinese Windows: characters the console cannot encode become ASCII stand-ins instead of a
``UnicodeEncodeError`` after the first file was written.
"""

from __future__ import annotations

import codecs
import functools
import io
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = [
    "EXIT_INPUT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "LOGGER_NAME",
    "CommandReport",
    "command_conventions",
    "current_report",
    "install_hint",
    "prepare_console",
    "say",
    "verbosity_options",
]

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
LOGGER_NAME = "jjjplan"
_VERBOSITY_KEY = "jjjplan.verbosity"
_REPORT_KEY = "jjjplan.report"
_CONSOLE_ERRORS = "jjjplan-console"

log = logging.getLogger(LOGGER_NAME)

F = TypeVar("F", bound=Callable[..., Any])


def install_hint(extra: str) -> str:
    """The pip command for an optional extra, double-quoted so cmd.exe, PowerShell and POSIX
    shells all accept it (cmd.exe does not understand single quotes)."""
    return f'pip install "jjjplan[{extra}]"'


# ---------------------------------------------------------------------------------------------
# Console encoding
# ---------------------------------------------------------------------------------------------
#: Stand-ins for symbols outside GBK that library text may contain.
_ASCII_STANDINS = {
    "\u2713": "OK",  # ✓
    "\u2714": "OK",
    "\u2717": "X",  # ✗
    "\u2718": "X",
    "\u203a": ">",  # › (location separator)
    "\u2039": "<",
    "\u2022": "-",  # •
    "\u2212": "-",  # minus sign
}


def _console_fallback(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    bad = err.object[err.start : err.end]
    return "".join(_ASCII_STANDINS.get(ch, "?") for ch in bad), err.end


try:
    codecs.lookup_error(_CONSOLE_ERRORS)
except LookupError:
    codecs.register_error(_CONSOLE_ERRORS, _console_fallback)


def prepare_console() -> None:
    """Let stdout/stderr replace characters their encoding lacks instead of raising
    (a GBK console or ``> log.txt`` on Chinese Windows); UTF-8 streams are unaffected."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            try:
                stream.reconfigure(errors=_CONSOLE_ERRORS)
            except (ValueError, io.UnsupportedOperation):  # closed or detached
                continue


# ---------------------------------------------------------------------------------------------
# Verbosity and the jjjplan logger
# ---------------------------------------------------------------------------------------------
def _store_verbosity(delta: int) -> Callable[[click.Context, click.Parameter, Any], None]:
    def store(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value:
            root = ctx.find_root()
            count = value if isinstance(value, int) and not isinstance(value, bool) else 1
            root.meta[_VERBOSITY_KEY] = root.meta.get(_VERBOSITY_KEY, 0) + delta * count

    return store


def verbosity_options(fn: F) -> F:
    """Add ``-v/--verbose`` (repeatable) and ``-q/--quiet`` to a command or group."""
    fn = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_store_verbosity(-1),
        help="Only warnings and errors / 只显示警告和错误.",
    )(fn)
    return click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=_store_verbosity(+1),
        help="More detail (repeatable) / 显示更多细节.",
    )(fn)


class _EchoHandler(logging.Handler):
    """Log records through ``click.echo`` so they reach the current stdout/stderr (also in
    Click's test runner); warnings and errors always go to stderr."""

    def __init__(self, to_stderr: bool) -> None:
        super().__init__()
        self.to_stderr = to_stderr

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            click.echo(text, err=self.to_stderr or record.levelno >= logging.WARNING)
        except Exception:
            self.handleError(record)


def _level(verbosity: int) -> int:
    if verbosity < 0:
        return logging.WARNING
    return logging.DEBUG if verbosity > 0 else logging.INFO


def _attach_logging(ctx: click.Context, to_stderr: bool) -> None:
    verbosity = ctx.find_root().meta.get(_VERBOSITY_KEY, 0)
    handler = _EchoHandler(to_stderr)
    if verbosity > 0:
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))
    previous = (log.level, log.propagate)
    log.setLevel(_level(verbosity))
    log.propagate = False
    log.addHandler(handler)

    def detach() -> None:
        log.removeHandler(handler)
        log.setLevel(previous[0])
        log.propagate = previous[1]

    ctx.call_on_close(detach)


def say(message: str) -> None:
    """A status line for the planner (hidden by ``-q``; on stderr under ``--json``)."""
    log.info(message)


# ---------------------------------------------------------------------------------------------
# The --json report
# ---------------------------------------------------------------------------------------------
@dataclass
class CommandReport:
    """What ``--json`` prints: problems, notices, written files and key figures."""

    command: str
    problems: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    details: list[dict[str, Any]] = field(default_factory=list)

    def add_issues(self, err: Any) -> None:
        """Record a ValidationError's issues and notices."""
        self.problems += [_issue_dict(i) for i in getattr(err, "issues", ())]
        self.notices += [_issue_dict(i) for i in getattr(err, "notices", ())]

    def add_output(self, path: str | os.PathLike[str]) -> None:
        self.outputs.append(str(Path(path)))

    def as_dict(self, exit_code: int, error: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "command": self.command,
            "ok": exit_code == EXIT_OK,
            "exit_code": exit_code,
            "problems": self.problems,
            "notices": self.notices,
            "outputs": self.outputs,
            "figures": self.figures,
        }
        if self.details:
            data["details"] = self.details
        if error:
            data["error"] = error
        return data


def _issue_dict(issue: Any) -> dict[str, Any]:
    keys = ("workbook", "sheet", "cell", "field", "expected", "found", "message_zh")
    data = {k: getattr(issue, k, None) for k in (*keys, "message_en", "severity")}
    data["location"] = issue.location() if hasattr(issue, "location") else None
    return data


def current_report() -> CommandReport:
    """The report of the running command (a throw-away one outside ``--json`` commands)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return CommandReport("python")
    report = ctx.find_root().meta.get(_REPORT_KEY)
    if report is None:
        report = ctx.find_root().meta[_REPORT_KEY] = CommandReport(ctx.info_name or "")
    return report


# ---------------------------------------------------------------------------------------------
# Errors → exit codes
# ---------------------------------------------------------------------------------------------
def _input_problem(err: BaseException) -> str | None:
    """The planner-facing text if ``err`` is an input problem (exit 1), else ``None``."""
    from jjjplan.errors import ValidationError
    from jjjplan.scenario import ScenarioError

    if isinstance(err, ValidationError | ScenarioError):
        return str(err)
    if isinstance(err, OSError):
        return f"文件错误 / file error: {err.strerror or err} ({err.filename or ''})"
    return None


def _finish(ctx: click.Context, report: CommandReport | None, code: int, error: str = "") -> None:
    if report is not None:
        click.echo(json.dumps(report.as_dict(code, error or None), ensure_ascii=True, indent=2))
    if code:
        ctx.exit(code)


def command_conventions(json_output: bool = False) -> Callable[[F], F]:
    """Give a Click command the shared -v/-q, exit codes and (optionally) ``--json``.

    Put it directly under ``@main.command()`` and above the command's own options.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            as_json = bool(kwargs.pop("as_json", False)) if json_output else False
            ctx = click.get_current_context()
            _attach_logging(ctx, to_stderr=as_json)
            report = current_report() if as_json else None
            log.debug("jjjplan %s: start", ctx.info_name)
            try:
                value = fn(*args, **kwargs)
            except (click.ClickException, click.exceptions.Exit, click.Abort):
                raise
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else EXIT_INPUT
                _finish(ctx, report, code)
                raise
            except KeyboardInterrupt:  # Ctrl-C: saves are atomic, so say so and stop quietly
                click.echo(
                    "\n已中断 / interrupted (已写出的文件完整，未写完的不会留下 / files already "
                    "written are complete; nothing half-written is left)",
                    err=True,
                )
                ctx.exit(130)
            except Exception as err:
                text = _input_problem(err)
                if text is not None:
                    if report is not None:
                        report.add_issues(err)
                    click.echo(text, err=True)
                    _finish(ctx, report, EXIT_INPUT, "" if report is None else text)
                    return None
                if os.environ.get("JJJPLAN_DEBUG"):
                    raise
                line = f"内部错误 / internal error: {type(err).__name__}: {err}"
                click.echo(
                    f"{line}\n(set JJJPLAN_DEBUG=1 for the traceback and report it)", err=True
                )
                _finish(ctx, report, EXIT_INTERNAL, line)
                return None
            _finish(ctx, report, EXIT_OK)
            return value

        command = verbosity_options(wrapper)
        if json_output:
            command = click.option(
                "--json",
                "as_json",
                is_flag=True,
                help="Print one JSON object (problems, outputs, key figures) on stdout.",
            )(command)
        return command  # type: ignore[return-value]

    return decorate
