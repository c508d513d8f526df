"""The dashboard notebook runs headless in a real kernel, ships without outputs, and the
copy packaged for ``jjjplan dashboard`` (Voilà) is the same file."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

from jjjplan.dashboard.serve import (
    HOST,
    WORKBOOK_ENV,
    WORKDIR_ENV,
    notebook_path,
    template_root,
    voila_command,
    voila_config,
    voila_env,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "dashboard.ipynb"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _kernel_name() -> str:
    """``python3`` must start this interpreter (jupyter_client maps a bare ``python``
    in a kernelspec to sys.executable); otherwise the kernel could not import jjjplan."""
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.fail("no python3 kernelspec: run .venv/bin/python -m ipykernel install --sys-prefix")
    exe = spec.argv[0]
    assert exe in {"python", "python3", sys.executable}, f"python3 kernel runs {exe}"
    return "python3"


def _execute(workbook: str | None = None, extra: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    with pytest.MonkeyPatch.context() as mp:
        if workbook:
            mp.setenv(WORKBOOK_ENV, workbook)
        else:
            mp.delenv(WORKBOOK_ENV, raising=False)
        nb = nbformat.read(NOTEBOOK, as_version=4)
        for source in extra:  # inspect the displayed dashboard (``_``) after the notebook ran
            nb.cells.append(nbformat.v4.new_code_cell(source))
        NotebookClient(
            nb, kernel_name=_kernel_name(), timeout=120, resources={"metadata": {"path": str(ROOT)}}
        ).execute()
    return nb


def _outputs(cells) -> list[dict]:
    return [o for cell in cells if cell.cell_type == "code" for o in cell.outputs]


#: cells run after the notebook, in the same kernel: open the contributions tab, move a
#: lever, and report whether the Shapley view is stale during the callback and after it
_MOVE = (
    "d = _\n"
    "d.views.tabs.selected_index = 4\n"
    "d.controls['reform.origin_share'].input.value = 20\n"
    "print('during', d.views.contrib_stale)"
)
_AFTER = (  # notices (e.g. no CJK font on this machine) are not errors
    "problems = [x for x in d.log.text.splitlines() if not x.startswith('[notice]')]\n"
    "print('after', d.views.contrib_stale, d._contrib_pending, repr(''.join(problems)))"
)


@pytest.fixture(scope="module")
def plain_run() -> tuple[list, list]:
    """One kernel run of the notebook as shipped (no workbook in the environment), then the
    lever-move cells: (the notebook's own cells, the appended cells). Two tests read it, so
    the default suite starts one kernel for both instead of two."""
    own = len(nbformat.read(NOTEBOOK, as_version=4).cells)
    nb = _execute(extra=(_MOVE, _AFTER))
    return nb.cells[:own], nb.cells[own:]


def test_notebook_runs_without_errors(plain_run):
    outputs = _outputs(plain_run[0])
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert any(WIDGET_MIME in o.get("data", {}) for o in outputs)


def test_notebook_reads_the_workbook_from_the_environment(tmp_path):
    from jjjplan import Scenario
    from jjjplan.excel.write.template import make_template

    path = tmp_path / "start.xlsx"
    make_template(path, Scenario.baseline().replace(name="from env"))
    check = "print(_.scenario.name, '|', _.log.text)"
    nb = _execute(str(path), extra=(check,))
    outputs = _outputs(nb.cells)
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.text for o in outputs if o.output_type == "stream")
    assert printed.startswith("from env |"), printed
    assert "[error]" not in printed


def test_contributions_follow_lever_moves_in_a_kernel(plain_run):
    """With the contributions tab open, a lever move updates the main views first and the
    Shapley view right after, on the kernel's event loop (not inside the callback)."""
    outputs = _outputs(plain_run[1])
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.text for o in outputs if o.output_type == "stream")
    assert "during True" in printed
    assert "after False False ''" in printed


@pytest.mark.parametrize("path", [NOTEBOOK, notebook_path()], ids=["notebooks", "package"])
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    code = "".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "Dashboard(" in code and "JJJPLAN_WORKBOOK" in code


def test_packaged_notebook_is_the_repository_notebook():
    assert notebook_path().read_bytes() == NOTEBOOK.read_bytes()


def test_voila_command_binds_to_localhost_only():
    cmd = voila_command(8899)
    assert cmd[:3] == [sys.executable, "-m", "jjjplan.dashboard.voila_main"]
    assert "--port=8899" in cmd and "--open-browser=False" in cmd
    config = voila_config(8899)
    assert config["Voila"]["ip"] == HOST == "127.0.0.1"
    assert config["Voila"]["port"] == 8899 and config["Voila"]["port_retries"] == 0


def test_voila_settings_for_culling_uploads_and_offline_pages():
    from jjjplan.excel.guard.limits import MAX_FILE_BYTES

    config = voila_config(8899)
    tornado = config["Voila"]["tornado_settings"]
    assert tornado["websocket_max_message_size"] > MAX_FILE_BYTES  # any readable upload fits
    assert tornado["disable_check_xsrf"] is True  # Voilà's shutdown beacon has no _xsrf
    kernels = config["MappingKernelManager"]
    assert kernels["cull_idle_timeout"] > 0 and kernels["cull_connected"] is False
    assert config["VoilaConfiguration"]["template"] == "jjjplan"
    page = template_root() / "voila" / "templates" / "jjjplan" / "index.html.j2"
    text = page.read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net" in text and "extends 'lab/index.html.j2'" in text


def test_voila_env_passes_an_absolute_workbook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wb.xlsx").write_bytes(b"x")
    env = voila_env("wb.xlsx")
    assert env[WORKBOOK_ENV] == str(tmp_path / "wb.xlsx")
    assert env[WORKDIR_ENV] == str(tmp_path)
    monkeypatch.setenv(WORKBOOK_ENV, "stale.xlsx")
    assert WORKBOOK_ENV not in voila_env(None)
    assert voila_env(None)["JUPYTER_PATH"].split(os.pathsep)[0] == str(template_root())
    with pytest.raises(FileNotFoundError, match=r"missing\.xlsx"):
        voila_env("missing.xlsx")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_stop_signals_interrupt_the_wait_and_are_restored(name):
    import signal

    from jjjplan.dashboard.serve import _Stop, _stop_signals

    sig = getattr(signal, name)
    before = signal.getsignal(sig)
    with pytest.raises(_Stop), _stop_signals():
        os.kill(os.getpid(), sig)
        time.sleep(5)  # the handler interrupts this
    assert signal.getsignal(sig) == before


def test_stop_server_ends_the_process_tree(tmp_path):
    """A parent with a child (like Voilà and a kernel): both are gone afterwards."""
    import subprocess

    import psutil

    from jjjplan.dashboard.serve import _own_group, stop_server

    code = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], **_own_group())
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 30
    while not parent.children() and time.monotonic() < deadline:
        time.sleep(0.1)
    tree = [parent, *parent.children(recursive=True)]
    assert len(tree) == 2
    stop_server(proc, timeout=5)
    _, alive = psutil.wait_procs(tree, timeout=10)
    assert alive == []
