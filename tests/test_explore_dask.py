"""Sweeps on a real Dask cluster: a scheduler and two workers on 127.0.0.1 as subprocesses
give exactly the samples and outcomes of the local run; an unreachable scheduler is a clear
error (exit 1 from the CLI)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("dask.distributed")

from jjjplan.cli import main
from jjjplan.excel import read_workbook
from jjjplan.explore import SchedulerError, explore

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask(*args: str, env: dict) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("dask")
    return subprocess.Popen(
        [str(exe), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def cluster():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # workers import this checkout's jjjplan
    port, dash = _free_port(), _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        _dask(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            f"127.0.0.1:{dash}",
            env=env,
        )
    ]
    for _ in range(2):
        procs.append(
            _dask(
                "worker",
                address,
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                env=env,
            )
        )
    from dask.distributed import Client

    try:
        client = Client(address, timeout=60)
        client.wait_for_workers(2, timeout=120)
        client.close()
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.mark.slow  # starts 3 processes; ~1-4 min on a loaded 2-core machine
def test_dask_sweep_identical_to_local(cluster, tmp_path):
    scenario = read_workbook(ROOT / "workbooks" / "05-coordinated.xlsx")
    kw = dict(samples=40, seed=9, chunk_size=10, levers=["poles.weights", "reform.origin_share"])
    local = explore(scenario, out=tmp_path / "local", workers=1, **kw)
    remote = explore(scenario, out=tmp_path / "dask", scheduler=cluster, **kw)
    assert remote.chunks_run == 4
    assert list(remote.samples.columns) == list(local.samples.columns)
    np.testing.assert_array_equal(remote.samples.to_numpy(), local.samples.to_numpy())


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    from jjjplan.explore import runner

    # a short wait (Dask retries a refused connection until the timeout): the error and its
    # words are the same after 1 s as after the default 10 s
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT", 1.0)
    scenario = read_workbook(ROOT / "workbooks" / "05-coordinated.xlsx")
    address = f"tcp://127.0.0.1:{_free_port()}"
    t0 = time.monotonic()
    with pytest.raises(SchedulerError, match=r"cannot reach the Dask scheduler .* within 1 s"):
        explore(scenario, samples=4, chunk_size=2, scheduler=address, out=tmp_path / "x")
    assert time.monotonic() - t0 < 30
    res = CliRunner().invoke(
        main,
        ["explore", "--samples", "4", "--out", str(tmp_path / "y"), "--scheduler", address],
    )
    assert res.exit_code == 1
    assert "无法连接 Dask 调度器" in res.output and "cannot reach" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "y" / "samples.parquet").exists()
