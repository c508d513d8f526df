"""The dashboard's log panel, and the wrapper that routes every callback error into it.

ipywidgets swallows exceptions raised in callbacks (they go to the kernel log, which a
planner never sees; hnn-core issue #699 is the same pain). So every callback is wrapped by
:meth:`LogPanel.guard`: an error is shown inside the dashboard, with the full bilingual
sheet!cell list for a rejected workbook. An HTML widget is used rather than an Output widget
because it works the same with and without a kernel (tests, Voilà) and needs no
``sys.stdout`` redirection.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any, TypeVar

import ipywidgets as widgets

F = TypeVar("F", bound=Callable[..., Any])

_STYLE = {"info": "color:#1b5e20", "error": "color:#b71c1c", "notice": "color:#8a6d00"}


class LogPanel:
    """Messages shown newest first; ``text`` gives them as plain text (for tests)."""

    def __init__(self, max_entries: int = 50) -> None:
        self.max_entries = max_entries
        self.entries: list[tuple[str, str, str, str]] = []  # (time, level, text, detail)
        self.widget = widgets.HTML(layout=widgets.Layout(max_height="16em", overflow="auto"))
        self.widget.add_class("jjj-log")
        self._render()

    @property
    def text(self) -> str:
        """All messages, oldest first, as plain text."""
        return "\n".join(f"[{lvl}] {text}" for _, lvl, text, _ in self.entries)

    def info(self, text: str) -> None:
        """Record a success or progress message."""
        self._add("info", text)

    def notice(self, text: str) -> None:
        """Record something the planner should know that is not an error."""
        self._add("notice", text)

    def error(self, text: str, detail: str = "") -> None:
        """Record an error message (``detail``: e.g. a traceback, shown collapsed)."""
        self._add("error", text, detail)

    def exception(self, err: BaseException) -> None:
        """Record an exception: the message for known planner-facing errors, else a traceback."""
        from jjjplan.errors import ValidationError
        from jjjplan.scenario import ScenarioError

        if isinstance(err, ValidationError | ScenarioError | FileNotFoundError):
            self.error(str(err))
        elif isinstance(err, ValueError | OSError):
            self.error(f"{type(err).__name__}: {err}")
        else:
            detail = "".join(traceback.format_exception(err))
            self.error(f"{type(err).__name__}: {err}", detail)

    def guard(self, fn: F) -> F:
        """``fn`` wrapped so any exception it raises is logged here instead of lost."""

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as err:
                self.exception(err)
                return None

        return wrapper  # type: ignore[return-value]

    def clear(self) -> None:
        """Remove every message."""
        self.entries.clear()
        self._render()

    def _add(self, level: str, text: str, detail: str = "") -> None:
        self.entries.append((datetime.now().strftime("%H:%M:%S"), level, text, detail))
        del self.entries[: -self.max_entries]
        self._render()

    def _render(self) -> None:
        if not self.entries:
            self.widget.value = "<i style='color:#888'>—</i>"
            return
        parts = []
        for time, level, text, detail in reversed(self.entries):
            body = (
                f"<pre style='margin:0;white-space:pre-wrap;{_STYLE[level]}'>"
                f"{escape(time)} {escape(text)}</pre>"
            )
            if detail:
                body += (
                    f"<details><summary>traceback</summary><pre style='font-size:11px'>"
                    f"{escape(detail)}</pre></details>"
                )
            parts.append(f"<div class='jjj-log-{level}'>{body}</div>")
        self.widget.value = "".join(parts)
