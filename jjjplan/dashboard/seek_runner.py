"""Goal seek for the dashboard, off the kernel's thread: busy state, progress, Cancel.

Why: a seek over every lever takes up to ~30 s; run in the widget callback it froze the whole
dashboard. Here :func:`jjjplan.goalseek.seek` runs on a worker thread and never touches a
widget: ipywidgets send their updates over the kernel's comm, which is not thread-safe, so
every widget change (progress, result, error) is handed to the kernel's asyncio event loop
with ``loop.call_soon_threadsafe`` and runs there. Cancel sets a flag the search checks
before every batch of projections (a fraction of a second apart), so it stops promptly.

Without a running event loop (a plain script, or widget tests that call ``.click()``)
there is nothing to hand results back to, so the seek runs synchronously and returns its
result — the same behaviour as before, for scripts and tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jjjplan.dashboard.labels import ui
from jjjplan.dashboard.seek_panel import word

if TYPE_CHECKING:
    from jjjplan.goalseek import SeekProgress, SeekResult
    from jjjplan.scenario import Scenario
    from jjjplan.targets import Target

__all__ = ["SeekRequest", "SeekRunner"]

#: Shortest interval between two progress readouts sent to the browser, seconds.
PROGRESS_INTERVAL = 0.25


@dataclass(frozen=True)
class SeekRequest:
    """What one seek searches: a snapshot of the settings when Seek was pressed."""

    scenario: Scenario
    targets: tuple[Target, ...]
    free: tuple[str, ...]
    objective: str
    data: Any = None

    def run(self, cancelled=None, progress=None) -> SeekResult:
        from jjjplan.goalseek import seek

        return seek(
            self.scenario,
            list(self.targets),
            free=list(self.free),
            objective=self.objective,
            data=self.data,
            cancelled=cancelled,
            progress=progress,
        )


class SeekRunner:
    """Runs the seek panel's search for a :class:`~jjjplan.dashboard.Dashboard`.

    :meth:`start` returns at once when an event loop runs (the result arrives later:
    :attr:`done` is an asyncio future of the SeekResult, or None when cancelled or failed);
    :meth:`run_now` blocks and returns the SeekResult.
    """

    def __init__(self, dashboard: Any) -> None:
        self.dash = dashboard
        self.panel = dashboard.seek_panel
        #: True from Seek until the result (or cancellation, or error) is shown.
        self.running = False
        #: Future of the running (or last) background seek: its SeekResult, None otherwise.
        self.done: asyncio.Future | None = None
        #: The last progress report of the running seek.
        self.progress: SeekProgress | None = None
        #: The error of the last seek, if it failed.
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        self._job = 0
        self._started_from: Scenario | None = None
        self.panel.cancel_button.on_click(dashboard.log.guard(lambda _: self.cancel()))

    # -- requests --------------------------------------------------------------------------
    def request(self) -> SeekRequest:
        """The panel's targets (its row, or the scenario's own), levers and objective, from
        the dashboard's current settings and baseline data (TargetError / ValueError,
        bilingual, if the row is invalid)."""
        scenario = self.dash.scenario
        targets = self.panel.targets_for(scenario)
        free = tuple(self.panel.free.value)
        if not free:
            raise ValueError(" / ".join(word("no_free", lang) for lang in ("zh", "en")))
        return SeekRequest(scenario, targets, free, self.panel.objective.value, self.dash.data)

    def start(self, *, background: bool | None = None) -> SeekResult | None:
        """Seek from the panel. In the background (the default when an event loop runs):
        returns None at once and applies the result when it is found; otherwise blocks and
        returns the SeekResult."""
        lang = self.dash.lang
        if self.running:
            self.dash.log.notice(word("busy_already", lang))
            return None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if background is None:
            background = loop is not None
        if not background:
            return self.run_now()
        if loop is None:
            raise RuntimeError("a background seek needs a running asyncio event loop")
        request = self._checked(self.request)
        self._begin()
        self._started_from = request.scenario
        self._job += 1
        job, self._cancel = self._job, threading.Event()
        self.done = loop.create_future()
        post = _Poster(loop)
        cancel = self._cancel
        last = [0.0]

        def progress(p: SeekProgress) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_INTERVAL:
                last[0] = now
                post(self._show_progress, job, p)

        def work() -> None:
            try:
                result = request.run(cancelled=cancel.is_set, progress=progress)
            except BaseException as err:  # handed to the loop, shown in the panel
                post(self._finish, job, None, err)
            else:
                post(self._finish, job, result, None)

        threading.Thread(target=work, name="jjjplan-seek", daemon=True).start()
        return None

    def run_now(self) -> SeekResult:
        """Seek and apply the result before returning (blocks: scripts and tests)."""
        request = self._checked(self.request)
        self._begin()
        try:
            result = request.run()
        except BaseException as err:
            self._fail(err, log=False)  # the caller (or the button's guard) logs it
            raise
        finally:
            self.running = False
            self.panel.set_busy(False)
        self._apply(result)
        return result

    def cancel(self) -> None:
        """Ask the running seek to stop at its next batch of projections."""
        if not self.running:
            return
        self._cancel.set()
        self.panel.cancel_button.disabled = True
        self.panel.say(word("cancelling", self.dash.lang))

    # -- on the kernel's thread ------------------------------------------------------------
    def _checked(self, make):
        try:
            return make()
        except Exception as err:
            self.panel.say(_bilingual(err), error=True)
            raise

    def _begin(self) -> None:
        self.running, self.progress, self.error = True, None, None
        self.panel.set_busy(True)
        self.panel.say(ui("seek_busy", self.dash.lang))

    def _show_progress(self, job: int, p: SeekProgress) -> None:
        if job != self._job or not self.running or self._cancel.is_set():
            return
        self.progress = p
        margin = f"{p.best_margin:+.1%}" if p.best_margin > -1e300 else "—"
        self.panel.say(
            word("progress", self.dash.lang, batches=p.batches, evaluations=p.evaluations,
                 margin=margin)
        )  # fmt: skip

    def _finish(self, job: int, result: SeekResult | None, err: BaseException | None) -> None:
        if job != self._job:
            return
        from jjjplan.goalseek import SeekCancelled

        self.running = False
        self.panel.set_busy(False)
        future = self.done
        try:
            if isinstance(err, SeekCancelled):
                lang = self.dash.lang
                text = f"{word('cancelled', lang)} — {word('unchanged', lang)}"
                self.panel.say(text)
                self.dash.log.notice(text)
                result = None
            elif err is not None:
                self._fail(err)
                result = None
            else:
                if self.dash.scenario != self._started_from:
                    self.dash.log.notice(word("moved", self.dash.lang))
                try:
                    self._apply(result)
                except Exception as apply_err:
                    self._fail(apply_err)
                    result = None
        finally:
            if future is not None and not future.done():
                future.set_result(result)

    def _apply(self, result: SeekResult) -> None:
        """Show the found levers on the sliders (set_scenario) and say what was found."""
        self.dash.last_seek = result
        self.dash.set_scenario(result.scenario)
        took = word("took", self.dash.lang, seconds=result.seconds, evaluations=result.evaluations)
        self.panel.say(f"{result.message}\n({took})")
        self.dash.log.info(result.message)

    def _fail(self, err: BaseException, *, log: bool = True) -> None:
        """Say what went wrong in the panel (zh + en) and, unless the caller re-raises it
        for the log, log it."""
        self.error = err
        self.panel.say(_bilingual(err), error=True)
        if log and isinstance(err, Exception):
            self.dash.log.exception(err)


def _bilingual(err: BaseException) -> str:
    """The error for the panel, always zh and en: the package's own errors already are
    (``中文 / English``); anything else gets a bilingual head."""
    from jjjplan.errors import ValidationError
    from jjjplan.goalseek import SeekError
    from jjjplan.targets import TargetError

    text = str(err)
    if isinstance(err, TargetError | SeekError | ValidationError) or " / " in text:
        return text
    return f"{word('failed', 'both')}: {type(err).__name__}: {text}"


class _Poster:
    """``post(fn, *args)`` runs ``fn(*args)`` on ``loop`` (from any thread); a loop that has
    closed meanwhile (the kernel shut down) drops it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def __call__(self, fn, *args) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed
            self.loop.call_soon_threadsafe(fn, *args)
