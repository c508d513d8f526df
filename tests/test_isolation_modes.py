"""Isolated reading reuses one helper process on every platform: "fork" on Linux, "serial"
on macOS and Windows (exercised here by forcing the mode and by monkeypatching the
platform); a failure replaces the helper; helpers start without a console window."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jjjplan.errors import WorkbookRejected
from jjjplan.excel import make_template, read_workbook
from jjjplan.excel.guard import isolation
from jjjplan.scenario import Scenario


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("iso") / "t.xlsx")


@pytest.fixture
def serial(monkeypatch):
    monkeypatch.setenv("JJJPLAN_ISOLATION", "serial")
    isolation.shutdown()
    yield
    isolation.shutdown()


def test_mode_by_platform(monkeypatch) -> None:
    monkeypatch.delenv("JJJPLAN_ISOLATION", raising=False)
    for platform, expected in (("win32", "serial"), ("darwin", "serial")):
        monkeypatch.setattr(sys, "platform", platform)
        assert isolation.isolation_mode() == expected
    monkeypatch.setattr(sys, "platform", "linux")
    assert isolation.isolation_mode() == ("fork" if hasattr(os, "fork") else "serial")
    monkeypatch.setenv("JJJPLAN_ISOLATION", "once")
    assert isolation.isolation_mode() == "once"


def test_serial_mode_reuses_one_helper_for_many_reads(serial, template: Path) -> None:
    assert [read_workbook(template) for _ in range(3)] == [Scenario.baseline()] * 3
    first = isolation._pool.pids()
    assert len(first) == 1
    assert read_workbook(template) == Scenario.baseline()
    assert isolation._pool.pids() == first  # the same process served every call
    assert isolation.run_isolated(os.getpid) == first[0]


def test_serial_mode_replaces_the_helper_after_a_crash(serial, template: Path) -> None:
    before = isolation.run_isolated(os.getpid)
    with pytest.raises(WorkbookRejected):
        isolation.run_isolated(os.abort, workbook="boom.xlsx")
    assert isolation.run_isolated(os.getpid) != before
    assert read_workbook(template) == Scenario.baseline()


def test_serial_mode_enforces_the_time_limit(serial, template: Path) -> None:
    started = time.perf_counter()
    with pytest.raises(WorkbookRejected) as info:
        isolation.run_isolated(time.sleep, 30, timeout_s=1)
    assert time.perf_counter() - started < 10
    assert "time limit 1 s" in str(info.value)
    assert read_workbook(template) == Scenario.baseline()


def test_serial_mode_resets_the_cpu_limit_for_each_call(serial) -> None:
    resource = pytest.importorskip("resource")
    limits = [isolation.run_isolated(resource.getrlimit, resource.RLIMIT_CPU) for _ in range(2)]
    (soft1, hard1), (soft2, hard2) = limits
    assert soft1 != resource.RLIM_INFINITY and soft2 >= soft1  # counted from the time used
    assert hard1 == hard2  # the hard limit is never lowered in a reused helper


def test_serial_helper_imports_the_reader_but_not_the_writers(serial, template: Path) -> None:
    read_workbook(template)
    # builtins.eval is importable by name, so the test module is not imported in the helper
    loaded = set(isolation.run_isolated(eval, "list(__import__('sys').modules)"))
    assert "jjjplan.excel.read.reader" in loaded
    assert not {"jjjplan.excel.write", "jjjplan.results", "matplotlib", "scipy"} & loaded


def test_helper_starts_without_a_console_window_on_windows(monkeypatch) -> None:
    """On Windows the helper gets CREATE_NO_WINDOW (checked by intercepting Popen)."""
    seen = {}
    real_popen = subprocess.Popen

    def popen(cmd, **kwargs):
        seen.update(kwargs)
        kwargs.pop("creationflags", None)  # not valid on this platform
        return real_popen(cmd, **kwargs)

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(isolation.subprocess, "Popen", popen)
    helper = isolation._Helper("serial")
    try:
        assert seen["creationflags"] == 0x08000000
    finally:
        helper.close()


@pytest.mark.parametrize("mode", ["fork", "serial"])
def test_many_files_are_read_in_parallel_helpers_kept_warm(monkeypatch, template, mode) -> None:
    """read_workbooks: every file isolated, results in order, problems handed back per file,
    one warm helper per worker reused by the next batch."""
    if mode == "fork" and not (sys.platform.startswith("linux") and hasattr(os, "fork")):
        pytest.skip("fork mode needs Linux")
    from jjjplan.errors import ValidationError
    from jjjplan.excel.read import read_workbooks

    monkeypatch.setenv("JJJPLAN_ISOLATION", mode)
    isolation.shutdown()
    try:
        bad = template.with_name("not-a-workbook.xlsx")
        bad.write_text("a,b\n1,2\n", encoding="utf-8")
        paths = [template, bad, template, template]
        out = read_workbooks(paths)
        assert out[0] == out[2] == out[3] == Scenario.baseline()
        assert isinstance(out[1], ValidationError) and out[1].issues[0].workbook == bad.name
        workers = isolation.parallel_workers(len(paths))
        assert 1 <= len(isolation._pool.pids()) <= workers  # kept warm, one per worker
        assert read_workbooks(paths[:1] * 4) == [Scenario.baseline()] * 4
        assert len(isolation._pool.pids()) <= workers
        # two calls meet: each leaves a mark and waits (at most 20 s) for the other's
        meet = template.parent / f"meet-{mode}"
        meet.mkdir()
        rendezvous = (
            "(lambda os, time, d: (open(os.path.join(d, str(os.getpid())), 'w').close(),"
            " [time.sleep(0.05) for _ in range(400) if len(os.listdir(d)) < 2],"
            f" len(os.listdir(d)))[-1])(__import__('os'), __import__('time'), {str(meet)!r})"
        )
        assert isolation.run_isolated_many(eval, [(rendezvous,)] * 2, workers=2) == [2, 2]
    finally:
        isolation.shutdown()


def test_parallel_workers_rule() -> None:
    assert isolation.parallel_workers(1) == 1
    assert isolation.parallel_workers(isolation.PARALLEL_FROM - 1) == 1
    assert 1 <= isolation.parallel_workers(100) <= (os.cpu_count() or 1)
