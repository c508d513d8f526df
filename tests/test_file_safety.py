"""Never lose a planner's file (reliability.md §8 G, cases 53–56).

* every CLI command leaves its input workbooks byte-identical (sha256), whether it succeeds
  or refuses, including outputs that point at an input, a link to it, or another scenario
  workbook;
* a save that is interrupted (SIGTERM, Ctrl-C) or killed (SIGKILL) keeps the previous output;
* two processes writing the same output leave one complete, valid workbook;
* a reader holding the old file keeps reading the old content while it is replaced.

Workbooks are generated (``make_template`` + openpyxl edits); nothing binary is committed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jjjplan.cli import main
from jjjplan.excel import make_template, write_results
from jjjplan.excel.safety import atomic_save
from jjjplan.excel.write.template import build_workbook
from jjjplan.results import project
from jjjplan.scenario import Scenario

PYTHON = sys.executable


# --- helpers -------------------------------------------------------------------------------
def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def temp_files(folder: Path) -> list[str]:
    """Leftovers of atomic_save (``.{stem}.tmp-{pid}-….xlsx``)."""
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def set_named(path: Path, dest: Path, name: str, value: object) -> Path:
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    wb[sheet][ref.replace("$", "")].value = value
    wb.save(dest)
    return dest


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, bytes]:
    """Bytes of a valid workbook, a second valid one (another name) and a broken one."""
    folder = tmp_path_factory.mktemp("books")
    good = make_template(folder / "good.xlsx")
    other = make_template(folder / "other.xlsx", Scenario.baseline().replace(name="other"))
    bad = set_named(good, folder / "bad.xlsx", "OriginShare", "abc")
    data = {p.name: p.read_bytes() for p in (good, other, bad)}
    old = write_results(project(Scenario.baseline().replace(name="old")), folder / "old.xlsx")
    data["previous-results.bin"] = old.read_bytes()  # not *.xlsx: tests copy it where needed
    return data


@pytest.fixture()
def folder(tmp_path: Path, books: dict[str, bytes], monkeypatch) -> Path:
    for name, data in books.items():
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    text = result.output
    assert "Traceback" not in text, text
    return result.exit_code, text


# --- every command, its inputs byte-identical ----------------------------------------------
#: args, expected exit code, phrase that must appear in the output ("" = any)
COMMANDS = {
    "template onto an existing workbook": (
        ["template", "good.xlsx"],
        1,
        "the file already exists; a template never replaces a file",
    ),
    "validate ok": (["validate", "good.xlsx"], 0, "valid"),
    "validate bad": (["validate", "bad.xlsx"], 1, "bad.xlsx"),
    "validate --annotate to a new file": (
        ["validate", "bad.xlsx", "--annotate", "bad-checked.xlsx"],
        1,
        "annotated copy",
    ),
    "validate --annotate onto the input": (
        ["validate", "bad.xlsx", "--annotate", "bad.xlsx"],
        1,
        "annotated copy not written",
    ),
    "validate several --annotate into a folder": (
        ["validate", "good.xlsx", "bad.xlsx", "--annotate", "."],
        1,
        "bad-annotated.xlsx",
    ),
    "run": (["run", "good.xlsx", "-o", "r.xlsx"], 0, "results written"),
    "run -o the input": (
        ["run", "good.xlsx", "-o", "good.xlsx"],
        1,
        "the output file is the same file as the input good.xlsx",
    ),
    "run -o a link to the input": (
        ["run", "good.xlsx", "-o", "link.xlsx"],
        1,
        "the output file is the same file as the input good.xlsx",
    ),
    "run -o a hard link to the input": (
        ["run", "good.xlsx", "-o", "hard.xlsx"],
        1,
        "the output file is the same file as the input good.xlsx",
    ),
    "run -o another scenario workbook": (
        ["run", "good.xlsx", "-o", "other.xlsx"],
        1,
        "the output file is a scenario workbook (an input)",
    ),
    "run a bad workbook": (["run", "bad.xlsx", "-o", "r.xlsx"], 1, "bad.xlsx"),
    "run -o an existing file": (
        ["run", "good.xlsx", "-o", "old-results.xlsx"],
        1,
        "add --overwrite to replace it",
    ),
    "run --overwrite onto a scenario workbook": (
        ["run", "good.xlsx", "-o", "other.xlsx", "--overwrite"],
        1,
        "the output file is a scenario workbook (an input)",
    ),
    "run -o a .xlsm name": (["run", "good.xlsx", "-o", "r.xlsm"], 1, "use r.xlsx"),
    "validate --annotate onto another scenario workbook": (
        ["validate", "bad.xlsx", "--annotate", "other.xlsx", "--overwrite"],
        1,
        "annotated copy not written",
    ),
    "compare": (["compare", "good.xlsx", "other.xlsx", "-o", "c.xlsx"], 0, "comparison written"),
    "compare -o an input": (
        ["compare", "good.xlsx", "other.xlsx", "-o", "other.xlsx"],
        1,
        "the output file is the same file as the input other.xlsx",
    ),
    "compare the same workbook twice": (
        ["compare", "good.xlsx", "good.xlsx", "-o", "c.xlsx"],
        1,
        "is also the name in good.xlsx",
    ),
}


@pytest.mark.parametrize("case", COMMANDS)
def test_commands_never_change_their_inputs(folder: Path, case: str) -> None:
    args, code, phrase = COMMANDS[case]
    (folder / "link.xlsx").symlink_to(folder / "good.xlsx")
    (folder / "old-results.xlsx").write_bytes((folder / "previous-results.bin").read_bytes())
    os.link(folder / "good.xlsx", folder / "hard.xlsx")
    before = {p.name: sha256(p) for p in folder.glob("*.xlsx")}
    got, text = invoke(*args)
    assert got == code, text
    assert phrase in text
    after = {p.name: sha256(folder / p.name) for p in folder.glob("*.xlsx") if p.name in before}
    assert after == before
    assert temp_files(folder) == []


def test_results_and_annotated_copies_are_new_valid_files(folder: Path) -> None:
    assert invoke("run", "good.xlsx", "-o", "r.xlsx")[0] == 0
    assert invoke("validate", "bad.xlsx", "--annotate", "checked.xlsx")[0] == 1
    for name in ("r.xlsx", "checked.xlsx"):
        with zipfile.ZipFile(folder / name) as zf:
            assert zf.testzip() is None
    wb = openpyxl.load_workbook(folder / "checked.xlsx")
    assert wb.sheetnames[0] == "错误 Errors"


# --- interrupted or killed saves -----------------------------------------------------------
SLOW_SAVE = textwrap.dedent(
    """
    import sys, time
    import openpyxl.workbook.workbook as wbmod

    original = wbmod.Workbook.save

    def slow_save(self, filename):
        original(self, filename)  # the temp file is complete ...
        with open(filename, "r+b") as fh:  # ... then cut, as if the write were half done
            fh.truncate(fh.seek(0, 2) // 2)
        print("SAVING", filename, flush=True)
        time.sleep(120)

    wbmod.Workbook.save = slow_save
    """
)


def start_slow_save(code: str, cwd: Path) -> tuple[subprocess.Popen, str]:
    """Run ``code`` after SLOW_SAVE in a child; return it once it is inside a save."""
    proc = subprocess.Popen(
        [PYTHON, "-c", SLOW_SAVE + textwrap.dedent(code)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 90
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if line.startswith("SAVING") or not line:
            break
    if not line.startswith("SAVING"):
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"the child never reached the save:\n{err}")
    return proc, line.split(" ", 1)[1].strip()


WRITE_RESULTS = """
    import jjjplan
    from jjjplan.excel import write_results
    results = jjjplan.project(jjjplan.Scenario.baseline().replace(name="new"))
    write_results(results, "r.xlsx")
"""
CLI_RUN = """
    from jjjplan.cli import main
    main(["run", "good.xlsx", "-o", "r.xlsx", "--overwrite"])
"""


@pytest.mark.parametrize(
    ("code", "signum"),
    [(CLI_RUN, signal.SIGTERM), (CLI_RUN, signal.SIGHUP), (WRITE_RESULTS, signal.SIGINT)],
    ids=["cli-SIGTERM", "cli-SIGHUP", "api-Ctrl-C"],
)
def test_interrupted_save_keeps_old_output_and_no_temp(folder: Path, code, signum) -> None:
    old = folder / "r.xlsx"
    old.write_bytes((folder / "previous-results.bin").read_bytes())
    before = sha256(old)
    proc, tmp = start_slow_save(code, folder)
    assert Path(tmp).parent == folder and Path(tmp).name.startswith(".r.tmp-")
    assert Path(tmp).exists()  # the half-written temp file exists right now
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert sha256(old) == before
    assert temp_files(folder) == []
    if code is CLI_RUN:
        assert "Traceback" not in err


def test_killed_save_keeps_old_output(folder: Path) -> None:
    old = folder / "r.xlsx"
    old.write_bytes((folder / "previous-results.bin").read_bytes())
    before = sha256(old)
    proc, tmp = start_slow_save(WRITE_RESULTS, folder)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert sha256(old) == before
    # The only possible leftover is the hidden temp file of the killed process: SIGKILL runs
    # no clean-up code. It never has the target's name, is never read by jjjplan, and the
    # next save of the same target deletes it (next test).
    assert temp_files(folder) in ([], [Path(tmp).name])
    assert openpyxl.load_workbook(old).sheetnames  # the old output still opens


def test_killed_save_leaves_no_temp_after_the_next_save(folder: Path) -> None:
    proc, tmp = start_slow_save(WRITE_RESULTS, folder)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert Path(tmp).exists()  # nothing could run in the killed process
    assert invoke("run", "good.xlsx", "-o", "r.xlsx")[0] == 0
    assert temp_files(folder) == []


# --- concurrency ---------------------------------------------------------------------------
WRITER = """
import sys
import jjjplan
from jjjplan.excel import write_results
name = sys.argv[1]
results = jjjplan.project(jjjplan.Scenario.baseline().replace(name=name))
for _ in range(3):
    write_results(results, "shared.xlsx")
"""


def scenario_name_in_results(path: Path) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if value in ("writer-a", "writer-b"):
                        return value
    finally:
        wb.close()
    raise AssertionError("no scenario name in the results workbook")


def test_two_writers_leave_one_complete_workbook(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen(
            [PYTHON, "-c", WRITER, name], cwd=tmp_path, stderr=subprocess.PIPE, text=True
        )
        for name in ("writer-a", "writer-b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    target = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(target) as zf:
        assert zf.testzip() is None
    assert scenario_name_in_results(target) in ("writer-a", "writer-b")
    assert temp_files(tmp_path) == []


def test_open_reader_keeps_reading_the_old_file(tmp_path: Path) -> None:
    target = make_template(tmp_path / "book.xlsx", Scenario.baseline().replace(name="old"))
    old_bytes = target.read_bytes()
    handle = open(target, "rb")  # noqa: SIM115 - held open across the replacement
    archive = zipfile.ZipFile(target)
    try:
        head = handle.read(100)
        first = archive.namelist()[0]
        newer = Scenario.baseline().replace(name="new", description="x" * 5000)
        atomic_save(build_workbook(newer), target)
        assert target.read_bytes() != old_bytes
        # the old inode is still there for whoever had it open
        assert head + handle.read() == old_bytes
        assert archive.testzip() is None
        assert all(archive.read(n) for n in archive.namelist())
        assert archive.namelist()[0] == first
        content = b"".join(archive.read(n) for n in archive.namelist())
        assert b">old<" in content and b"x" * 5000 not in content
    finally:
        archive.close()
        handle.close()
    new = openpyxl.load_workbook(target)
    assert any(
        cell.value == "new" for ws in new.worksheets for row in ws.iter_rows() for cell in row
    )
