"""Run a workbook parser in a separate process limited in memory and time.

Why: openpyxl, pandas and zipfile have no resource limits of their own. The pre-flight
(:mod:`jjjplan.excel.guard.preflight`) refuses every known hostile shape before any parser runs,
but a file we did not foresee must still never take down a Jupyter kernel or the CLI. So the
parse runs in a child process with an address-space cap (``RLIMIT_AS``), a CPU-time backstop
(``RLIMIT_CPU``) and a wall-clock timeout; exhaustion becomes a planner-facing
:class:`~jjjplan.errors.WorkbookRejected` and the caller lives on.

How: a small helper process (``python -c …``, never the caller's ``__main__``) is started
once, without a console window on Windows, and imports only the module of the function it
runs (the reader, not the writers). On Linux it then ``fork``-s a fresh, single-use child per
call ("fork" mode), so a call costs a fork (tens of milliseconds) instead of a Python
start-up plus imports (about a second). Elsewhere (macOS, Windows) the same warm helper runs
the calls one after another itself ("serial" mode), under soft limits reset for each call;
after any failure (memory, time, crash) it is killed and the next call starts a new one.
The caller's ``__main__`` is never re-imported, unlike ``multiprocessing``'s "spawn", which
re-runs a planner's guard-less script in the child (and crashes it).

Many files at once (``jjjplan compare``): :func:`run_isolated_many` runs the calls from a
few threads, each using a warm helper of its own (one per CPU, kept for later calls), so
the parses run in parallel while every one keeps its own limits and process.

Set ``JJJPLAN_ISOLATION=once`` to force one new process per call (e.g. for debugging),
``=serial`` to use the reused helper on Linux too, and ``JJJPLAN_DEBUG=1`` to let the
helper's stderr through.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import IO, Any, TypeVar

from jjjplan.errors import Issue, ValidationError, WorkbookRejected
from jjjplan.subprocesses import no_window

__all__ = [
    "ISOLATED_MEMORY_MB",
    "ISOLATED_TIMEOUT_S",
    "MIN_HEADROOM_MB",
    "isolation_mode",
    "parallel_workers",
    "run_isolated",
    "run_isolated_many",
    "shutdown",
]

MiB = 1024 * 1024

#: Address-space cap of the parsing process. The helper's own footprint after importing
#: jjjplan (pandas, numpy, openpyxl) is about 200-300 MiB of address space with BLAS threads
#: disabled, so 1 GiB leaves ~700 MiB for the parse; a template-sized workbook needs < 50.
ISOLATED_MEMORY_MB = 1024
#: Wall-clock limit of one parse. A template-sized workbook reads in about 0.2 s, a workbook
#: at the pre-flight's cell limits in well under 60 s.
ISOLATED_TIMEOUT_S = 60.0
#: Head-room always granted above the helper's own size, so a machine whose libraries map
#: more address space at import time (many-core BLAS, other allocators) is not refused
#: every file.
MIN_HEADROOM_MB = 512
_CPU_SLACK_S = 5  # RLIMIT_CPU backstop = timeout + this
_REPLY_SLACK_S = 10.0  # caller-side slack over the timeout the helper enforces itself
_ONCE_SLACK_S = 0.5  # "once" mode: the caller enforces the timeout (imports are done)
_SERIAL_SLACK_S = 2.0  # "serial" mode: the caller enforces it; the first call also imports
_STARTUP_S = 120.0  # a cold start (imports from a slow disk) must finish within this

# BLAS thread pools are useless for parsing, cost address space, and must not exist in a
# process that forks.
_CHILD_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}
_PATH_ENV = "_JJJPLAN_ISOLATION_SYS_PATH"
_MODE_ENV = "_JJJPLAN_ISOLATION_MODE"
#: A function of this name in the called function's module is run once when a helper
#: starts (e.g. to build caches), so forked children share its work.
WARM_UP = "warm_up_isolated_helper"
_PRELOAD_ENV = "_JJJPLAN_ISOLATION_PRELOAD"
_BOOT = (
    "import json,os,sys;"
    f"sys.path[:]=json.loads(os.environ.pop({_PATH_ENV!r}));"
    "from jjjplan.excel.guard.isolation import _server_main;"
    "_server_main()"
)
MODES = ("fork", "serial", "once")
_FRAME = struct.Struct("<Q")

T = TypeVar("T")


def isolation_mode() -> str:
    """``"fork"`` (one warm helper, a forked child per call; Linux), ``"serial"`` (one warm
    helper running the calls itself; macOS, Windows) or ``"once"`` (a new helper per call,
    only when ``JJJPLAN_ISOLATION=once``)."""
    wanted = os.environ.get("JJJPLAN_ISOLATION", "").strip().lower()
    can_fork = sys.platform.startswith("linux") and hasattr(os, "fork")
    if wanted in ("once", "serial"):
        return wanted
    return "fork" if can_fork else "serial"


# ---------------------------------------------------------------------------------------------
# Framing: 8-byte little-endian length, then a pickle
# ---------------------------------------------------------------------------------------------
def _send(fh: IO[bytes], data: bytes) -> None:
    fh.write(_FRAME.pack(len(data)))
    fh.write(data)
    fh.flush()


def _read_exact(fh: IO[bytes], n: int) -> bytes | None:
    parts, got = [], 0
    while got < n:
        chunk = fh.read(n - got)
        if not chunk:
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _recv(fh: IO[bytes]) -> bytes | None:
    head = _read_exact(fh, _FRAME.size)
    if head is None:
        return None
    return _read_exact(fh, _FRAME.unpack(head)[0])


# ---------------------------------------------------------------------------------------------
# The isolated side
# ---------------------------------------------------------------------------------------------
class _RemoteTraceback(Exception):
    """The child's traceback, attached as ``__cause__`` of a re-raised exception."""

    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return self.tb


def _vm_size() -> int:
    """This process's address-space size in bytes (0 if unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0


def _limit_resources(memory_mb: int, timeout_s: float, reused: bool = False) -> None:
    """Cap address space and CPU time. A single-use child caps soft and hard limits; a
    reused ("serial") helper caps only the soft ones, from its current size and CPU time,
    so the next call can set its own."""
    try:
        import resource
    except ImportError:  # Windows: only the caller's timeout applies
        return
    limit = max(int(memory_mb) * MiB, _vm_size() + MIN_HEADROOM_MB * MiB)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):  # macOS may refuse RLIMIT_AS
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard if reused else limit))
    used = 0
    if reused:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = int(usage.ru_utime + usage.ru_stime)
    cpu = used + int(timeout_s) + 1 + _CPU_SLACK_S
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or hard > cpu:
        with contextlib.suppress(ValueError, OSError):
            second = hard if reused else cpu + _CPU_SLACK_S
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, second))


def _call(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    memory_mb: int,
    timeout_s: float,
    reused: bool = False,
) -> bytes:
    """Run the call under the limits; the pickled ``(message, warnings)`` to send back."""
    caught: list[tuple[Any, str, str, int]] = []
    try:
        _limit_resources(memory_mb, timeout_s, reused)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            try:
                msg: tuple[str, Any] = ("ok", func(*args))
            except MemoryError:
                msg = ("memory", None)
            except ValidationError as exc:
                msg = ("validation", exc)
            except BaseException as exc:
                msg = ("error", (exc, traceback.format_exc()))
        caught = [(w.category, str(w.message), w.filename, w.lineno) for w in seen]
        try:
            return pickle.dumps((msg, caught))
        except MemoryError:
            raise
        except Exception as exc:  # the result or exception cannot be pickled
            tb = msg[1][1] if msg[0] == "error" else ""
            problem = RuntimeError(f"could not send the result back: {exc!r}")
            return pickle.dumps((("error", (problem, tb)), []))
    except MemoryError:
        return pickle.dumps((("memory", None), []))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(_FRAME.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _serve_fork(request: dict[str, Any]) -> bytes:
    """Fork a fresh child for one call; enforce the timeout; relay the child's answer."""
    try:
        func, args = pickle.loads(request["payload"])  # imported here once, shared by forks
    except Exception as exc:
        return pickle.dumps((("load", f"{type(exc).__name__}: {exc}"), []))
    timeout_s = float(request["timeout_s"])
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_fd)
            os.chdir(request["cwd"])
            _write_all(write_fd, _call(func, args, request["memory_mb"], timeout_s))
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    deadline = time.monotonic() + timeout_s
    chunks: list[bytes] = []
    timed_out = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if timed_out:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    if timed_out:
        return pickle.dumps((("timeout", None), []))
    data = b"".join(chunks)
    if len(data) >= _FRAME.size and _FRAME.unpack(data[: _FRAME.size])[0] == len(data) - 8:
        return data[_FRAME.size :]
    return pickle.dumps((("died", os.waitstatus_to_exitcode(status)), []))


def _server_main() -> None:
    """Entry point of the helper process (started by :class:`_Helper` with ``python -c``)."""
    proto = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints of the parsed code must not corrupt the channel
    stdin = sys.stdin.buffer
    mode = os.environ.get(_MODE_ENV)
    fork = mode == "fork"
    preload = os.environ.pop(_PRELOAD_ENV, "")
    if preload:  # import the called function's module once, before the first request
        with contextlib.suppress(Exception):
            __import__(preload)
            warm_up = getattr(sys.modules[preload], WARM_UP, None)
            if callable(warm_up):  # caches every call would otherwise rebuild in its child
                warm_up()
    if fork:
        # Move everything imported so far out of the collector's sight: a forked child's
        # collections would otherwise write to every object's header, copying nearly all
        # of the helper's memory page by page (most of a small read's cost).
        gc.collect()
        gc.freeze()
    _send(proto, pickle.dumps(("ready", os.getpid())))
    while True:
        data = _recv(stdin)
        if data is None:
            return
        request = pickle.loads(data)
        if fork:
            _send(proto, _serve_fork(request))
            continue
        os.chdir(request["cwd"])
        try:
            func, args = pickle.loads(request["payload"])
        except Exception as exc:
            reply = pickle.dumps((("load", f"{type(exc).__name__}: {exc}"), []))
        else:
            reused = mode == "serial"
            reply = _call(func, args, request["memory_mb"], float(request["timeout_s"]), reused)
        _send(proto, reply)
        if mode != "serial":
            return


# ---------------------------------------------------------------------------------------------
# The caller's side
# ---------------------------------------------------------------------------------------------
class _HelperFailed(Exception):
    """The helper process could not be started (broken install), not a workbook problem."""


class _Helper:
    """One helper process and the pipes to it."""

    def __init__(self, mode: str, preload: str = "") -> None:
        self.mode = mode
        self.owner = os.getpid()
        self.stderr: IO[bytes] | None = None
        env = {**os.environ, **_CHILD_ENV, _PATH_ENV: json.dumps(sys.path), _MODE_ENV: mode}
        env[_PRELOAD_ENV] = preload
        if os.environ.get("JJJPLAN_DEBUG"):
            err: Any = None
        else:
            self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
            err = self.stderr
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            env=env,
            close_fds=True,
            **no_window(),
        )
        status, reply = self._receive(_STARTUP_S)
        if status != "ok" or pickle.loads(reply)[0] != "ready":
            detail = self.stderr_tail()
            self.close()
            raise _HelperFailed(
                "the isolated parsing process did not start"
                + (f" ({status})" if status != "ok" else "")
                + (f":\n{detail}" if detail else "")
            )

    def _receive(self, timeout: float) -> tuple[str, bytes]:
        box: dict[str, bytes | None] = {}

        def read() -> None:
            try:
                box["data"] = _recv(self.proc.stdout)  # type: ignore[arg-type]
            except (OSError, ValueError):
                box["data"] = None

        reader = threading.Thread(target=read, name="jjjplan-isolation-reader", daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            self.kill()
            reader.join(5)
            return "timeout", b""
        data = box.get("data")
        if data is None:
            return "died", b""
        return "ok", data

    def request(self, payload: bytes, memory_mb: int, timeout_s: float) -> tuple[str, bytes]:
        message = pickle.dumps(
            {"payload": payload, "memory_mb": memory_mb, "timeout_s": timeout_s, "cwd": os.getcwd()}
        )
        try:
            _send(self.proc.stdin, message)  # type: ignore[arg-type]
        except (BrokenPipeError, OSError, ValueError):
            return "died", b""
        # in "fork" mode the helper enforces the timeout itself; this is only a backstop
        slack = {"fork": _REPLY_SLACK_S, "serial": _SERIAL_SLACK_S}.get(self.mode, _ONCE_SLACK_S)
        return self._receive(timeout_s + slack)

    def alive(self) -> bool:
        return self.proc.poll() is None and self.owner == os.getpid()

    def exit_code(self) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.proc.wait(timeout=2)
        return None

    def stderr_tail(self, n: int = 2000) -> str:
        if self.stderr is None:
            return ""
        with contextlib.suppress(OSError, ValueError):
            self.stderr.seek(0, os.SEEK_END)
            size = self.stderr.tell()
            self.stderr.seek(max(0, size - n))
            return self.stderr.read().decode("utf-8", "replace").strip()
        return ""

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()

    def close(self) -> None:
        """Ask the helper to exit (EOF on its stdin), then make sure it did."""
        if self.owner != os.getpid():
            return  # a forked copy of the caller must not touch its parent's helper
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=2)
        if self.stderr is not None:
            with contextlib.suppress(OSError):
                self.stderr.close()


class _Pool:
    """The warm helpers. Calls one after another reuse one helper; calls made at the same
    time from several threads (:func:`run_isolated_many`) each take one of their own, started
    on demand and kept warm for the next call. A helper that failed is never handed out
    again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Helper] = []

    def take(self, mode: str, preload: str) -> _Helper:
        stale = []
        with self._lock:
            helper = None
            while self._idle and helper is None:
                candidate = self._idle.pop()
                if candidate.alive() and candidate.mode == mode:
                    helper = candidate
                else:
                    stale.append(candidate)
        for old in stale:
            if old.owner == os.getpid():  # a forked copy of the caller must not touch them
                old.close()
        # started outside the lock, so helpers for parallel calls start in parallel
        return helper if helper is not None else _Helper(mode, preload)

    def give_back(self, helper: _Helper) -> None:
        with self._lock:
            self._idle.append(helper)

    def pids(self) -> list[int]:
        """Process ids of the warm helpers waiting for a call."""
        with self._lock:
            return [h.proc.pid for h in self._idle if h.alive()]

    def shutdown(self) -> None:
        with self._lock:
            helpers, self._idle = self._idle, []
        for helper in helpers:
            try:
                helper.close()
            except KeyboardInterrupt:  # Ctrl-C while the CLI exits: stop it now, quietly
                helper.kill()


_pool = _Pool()


def shutdown() -> None:
    """Stop the warm helper processes (they are also stopped at interpreter exit)."""
    _pool.shutdown()


atexit.register(shutdown)


def _exchange(
    payload: bytes, memory_mb: int, timeout_s: float, preload: str = ""
) -> tuple[str, Any, list[Any]]:
    """Send one call to a helper; (status, value, warnings)."""
    mode = isolation_mode()
    helper = _Helper(mode, preload) if mode == "once" else _pool.take(mode, preload)
    status = "died"
    try:
        status, data = helper.request(payload, memory_mb, timeout_s)
        if status == "ok":
            try:
                msg, caught = pickle.loads(data)
            except Exception as exc:
                problem = RuntimeError(f"could not read the isolated result: {exc!r}")
                return "error", (problem, ""), []
            if msg[0] == "memory" and mode == "serial":
                status = "memory"  # the reused helper may be left fragmented: replace it
            return (*msg, caught)
        if status == "died":
            return "died", helper.exit_code(), []
        return status, None, []
    finally:
        if mode == "once" or status != "ok":
            helper.close()
        else:
            _pool.give_back(helper)


def _workbook_label(args: tuple[Any, ...]) -> str:
    if args and isinstance(args[0], (str, os.PathLike)):
        return os.path.basename(os.fspath(args[0]))
    return ""


def run_isolated(
    func: Callable[..., T],
    *args: Any,
    timeout_s: float = ISOLATED_TIMEOUT_S,
    memory_mb: int = ISOLATED_MEMORY_MB,
    workbook: str | None = None,
) -> T:
    """Run ``func(*args)`` in a separate process limited to ``memory_mb`` and ``timeout_s``.

    A parser that blows up (MemoryError, kill, crash or hang) then costs only that process,
    never the Jupyter kernel or the CLI. ``func`` must be importable by name (a function of
    a module, not of ``__main__`` or a notebook cell) and args and result picklable; relative
    paths are resolved in the caller's current folder. ``memory_mb`` caps the address space
    (Linux/macOS ``RLIMIT_AS``; at least :data:`MIN_HEADROOM_MB` above the interpreter's own
    size). Warnings raised in the child are re-issued here. ValidationError/WorkbookRejected
    raised in the child are re-raised as they are; other exceptions are re-raised with the
    child's traceback as ``__cause__``; exhaustion of memory or time, or a crash, becomes
    :class:`WorkbookRejected`. ``workbook`` is the file name used in messages (default: the
    basename of the first argument if it is a path).
    """
    if getattr(func, "__module__", None) == "__main__":
        raise TypeError(
            f"run_isolated: {func!r} is defined in __main__ (a script or a notebook cell) and "
            "cannot be loaded in the isolated process; define it in an importable module"
        )
    try:
        payload = pickle.dumps((func, args))
    except Exception as exc:
        raise TypeError(
            f"run_isolated: {func!r} or its arguments cannot be sent to the isolated process "
            f"({type(exc).__name__}: {exc}); use a module-level function and picklable values"
        ) from exc
    label = workbook if workbook is not None else _workbook_label(args)
    started = time.monotonic()
    try:
        preload = getattr(func, "__module__", "") or ""
        status, value, caught = _exchange(payload, memory_mb, timeout_s, preload)
    except _HelperFailed as exc:
        raise RuntimeError(str(exc)) from None
    elapsed = time.monotonic() - started
    for category, message, filename, lineno in caught:
        with contextlib.suppress(Exception):
            warnings.warn_explicit(message, category, filename, lineno)

    if status == "ok":
        return value  # type: ignore[no-any-return]
    if status == "validation":
        raise value
    if status == "error":
        exc, tb = value
        if tb:
            raise exc from _RemoteTraceback(tb)
        raise exc
    if status == "load":
        raise TypeError(
            f"run_isolated: {func!r} could not be loaded in the isolated process ({value}); "
            "define it in an importable module"
        )
    if status == "memory":
        why_zh, why_en = f"内存上限 {memory_mb:,} MiB", f"memory limit {memory_mb:,} MiB"
    elif status == "timeout":
        why_zh, why_en = f"时间上限 {timeout_s:g} 秒", f"time limit {timeout_s:g} s"
    else:
        code = value
        why_zh = f"进程异常结束（退出码 {code}），可能超出内存上限 {memory_mb:,} MiB"
        why_en = (
            f"the process ended abnormally (exit code {code}), "
            f"likely over the memory limit of {memory_mb:,} MiB"
        )
    raise WorkbookRejected(
        [
            Issue(
                label,
                None,
                None,
                None,
                f"≤ {memory_mb:,} MiB and ≤ {timeout_s:g} s",
                f"{status} after {elapsed:.1f} s",
                f"解析超出了内存/时间上限（{why_zh}）；文件可能过大或已损坏，请删除多余内容或拆分文件",
                f"parsing exceeded the memory/time limit ({why_en}); the file may be too "
                "large or damaged — remove unused content or split the file",
            )
        ]
    )


#: Fewest calls for which :func:`run_isolated_many` uses more than one helper.
PARALLEL_FROM = 4


def parallel_workers(calls: int) -> int:
    """How many isolated calls to run at once for ``calls`` calls: one per usable CPU, but
    one helper for fewer than :data:`PARALLEL_FROM` calls (a second helper's start-up, about
    a third of a second, would cost more than it saves)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return 1 if calls < PARALLEL_FROM else max(1, min(cpus, calls))


def run_isolated_many(
    func: Callable[..., T],
    calls: Sequence[tuple[Any, ...]],
    *,
    workers: int | None = None,
    timeout_s: float = ISOLATED_TIMEOUT_S,
    memory_mb: int = ISOLATED_MEMORY_MB,
) -> list[T | BaseException]:
    """``func(*args)`` for each ``args`` of ``calls``, each isolated as by
    :func:`run_isolated` (its own limits, its own forked or reused helper), up to
    ``workers`` at once (default: :func:`parallel_workers`). Returns, in the order of
    ``calls``, each result or the exception that call raised, so a caller can report the
    problems of every file together."""
    workers = workers or parallel_workers(len(calls))

    def one(args: tuple[Any, ...]) -> T | BaseException:
        try:
            return run_isolated(func, *args, timeout_s=timeout_s, memory_mb=memory_mb)
        except Exception as exc:  # handed back in order; the caller decides what to raise
            return exc

    if workers <= 1 or len(calls) <= 1:
        return [one(args) for args in calls]
    from concurrent.futures import ThreadPoolExecutor

    # threads only wait on pipes: the parsing runs in the helpers' processes
    with ThreadPoolExecutor(workers, thread_name_prefix="jjjplan-isolated") as threads:
        return list(threads.map(one, calls))
