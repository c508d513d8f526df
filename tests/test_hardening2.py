"""Issue 16 (hardening 2): one output policy, what Excel really writes, bounded cost, clear
messages. Every case of the issue has a test asserting its exact outcome; the hostile files
are generated in code (``tests/hostile_files.py``). docs/reliability.md §9 maps each case to
its test and its measured cost (``benchmarks/bench_hostile.py``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import hostile_files as H
import openpyxl
import pytest
from click.testing import CliRunner

import jjjplan
from jjjplan.cli import main
from jjjplan.errors import ValidationError, WorkbookRejected
from jjjplan.excel import layout as L
from jjjplan.excel import make_template, write_results
from jjjplan.excel.read.reader import read_workbook_report
from jjjplan.output_policy import OutputRefused, check_output, writeback_losses
from jjjplan.scenario import Scenario


# =============================================================================================
# Helpers
# =============================================================================================
@pytest.fixture(scope="module")
def template_bytes(tmp_path_factory) -> bytes:
    return make_template(tmp_path_factory.mktemp("h2") / "plan.xlsx").read_bytes()


@pytest.fixture()
def good(tmp_path: Path, template_bytes: bytes) -> Path:
    path = tmp_path / "good.xlsx"
    path.write_bytes(template_bytes)
    return path


def build(tmp_path: Path, template_bytes: bytes, change, name: str = "case.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(change(template_bytes))
    return path


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output, result.output
    return result


def refusal(call) -> OutputRefused:
    with pytest.raises(OutputRefused) as info:
        call()
    return info.value


def both(err: ValidationError, zh: str, en: str) -> None:
    text = str(err)
    assert zh in text and en in text, text


def read(path: Path):
    return read_workbook_report(path, isolated=False)


def problems_of(path: Path):
    """The issues of reading ``path``, whether the pre-flight refused it or the reader
    reported them; asserts that no scenario came out."""
    try:
        reading = read(path)
    except ValidationError as err:
        return err.issues
    assert reading.scenario is None
    return reading.issues


def issue_with(items, zh: str, en: str):
    for issue in items:
        if zh in issue.message_zh and en in issue.message_en:
            return issue
    shown = "\n".join(str(i) for i in items)
    raise AssertionError(f"{zh!r} / {en!r} not in:\n{shown}")


# =============================================================================================
# §1 One output policy
# =============================================================================================
@pytest.mark.parametrize(
    ("name", "kind", "shown"),
    [
        ("results.xlsm", "results", ".xlsm"),
        ("results.csv", "results", ".csv"),
        ("results", "results", "none"),
        ("table.xlsx", "csv", ".xlsx"),
        ("brief.xlsx", "pdf", ".xlsx"),
    ],
)
def test_extension_must_match_what_is_written(tmp_path, name, kind, shown) -> None:
    err = refusal(lambda: check_output(tmp_path / name, kind))
    assert f"the extension ({shown}) does not match what is written" in str(err)
    assert "扩展名" in str(err)


def test_upper_case_extension_is_fine(tmp_path) -> None:
    assert check_output(tmp_path / "R.XLSX", "results").exists is False


@pytest.mark.parametrize("name", ["results.xlsm", "results.csv"])
def test_cli_run_refuses_a_misleading_extension(tmp_path, good, name) -> None:
    result = invoke("run", str(good), "-o", str(tmp_path / name))
    assert result.exit_code == 1
    assert "a results workbook is .xlsx" in result.output
    assert not (tmp_path / name).exists()


def test_device_is_refused_and_kept(tmp_path, good) -> None:
    """`run -o /dev/null` as root replaced the device node; a private null device here."""
    dev = tmp_path / "null.xlsx"
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError) as exc:
        pytest.skip(f"cannot create a device node here: {exc}")
    err = refusal(lambda: check_output(dev, "results", existing="replace"))
    both(err, "不是普通文件，而是设备", "is not a regular file but a device")
    result = invoke("run", str(good), "-o", str(dev), "--overwrite")
    assert result.exit_code == 1 and "is not a regular file but a device" in result.output
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_link_to_a_device_is_refused(tmp_path) -> None:
    link = tmp_path / "out.xlsx"
    link.symlink_to("/dev/null")
    err = refusal(lambda: check_output(link, "results", existing="replace"))
    assert "is not a regular file but a device" in str(err)


def test_fifo_is_refused_without_blocking(tmp_path, good) -> None:
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    err = refusal(lambda: check_output(fifo, "results", existing="replace"))
    both(err, "管道 (FIFO)", "is not a regular file but a pipe (FIFO)")
    result = invoke("run", str(good), "-o", str(fifo), "--overwrite")
    assert result.exit_code == 1 and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_folder_and_dangling_link_are_refused(tmp_path) -> None:
    (tmp_path / "dir.xlsx").mkdir()
    assert "the output path is a folder" in str(
        refusal(lambda: check_output(tmp_path / "dir.xlsx", "results"))
    )
    (tmp_path / "dangling.xlsx").symlink_to(tmp_path / "nowhere" / "x.xlsx")
    err = refusal(lambda: check_output(tmp_path / "dangling.xlsx", "results"))
    assert "is a link to a place that does not exist" in str(err)


def test_link_to_an_input_is_refused(tmp_path, good) -> None:
    (tmp_path / "link.xlsx").symlink_to(good)
    err = refusal(
        lambda: check_output(tmp_path / "link.xlsx", "results", inputs=[good], existing="replace")
    )
    assert "the output file is the same file as the input good.xlsx" in str(err)


@pytest.mark.parametrize("name", ["nul.xlsx", "COM1.xlsx", "con.csv"])
def test_windows_device_names_are_refused(tmp_path, name) -> None:
    kind = "csv" if name.endswith(".csv") else "results"
    err = refusal(lambda: check_output(tmp_path / name, kind))
    both(err, "在 Windows 上是设备名", "is a device on Windows, not a file")


def test_existing_file_refuse_ask_replace(tmp_path) -> None:
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"planner's notes")
    err = refusal(lambda: check_output(target, "results"))
    both(err, "文件已存在，不会被替换", "add --overwrite to replace it")
    asked = check_output(target, "results", existing="ask")
    assert asked.needs_confirmation and asked.exists
    assert asked.question == "文件 r.xlsx 已存在，是否替换？ / r.xlsx already exists; replace it?"
    assert not check_output(target, "results", existing="replace").needs_confirmation
    assert target.read_bytes() == b"planner's notes"  # the policy never writes


def test_cli_run_refuses_an_existing_file_unless_overwrite(tmp_path, good) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"previous")
    result = invoke("run", str(good), "-o", str(out))
    assert result.exit_code == 1 and "add --overwrite to replace it" in result.output
    assert out.read_bytes() == b"previous"
    assert invoke("run", str(good), "-o", str(out), "--overwrite").exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames


def test_export_onto_a_scenario_workbook_is_refused_even_when_confirmed(tmp_path, good) -> None:
    """The dashboard's "Export comparison" to a scenario workbook's name replaced it."""
    for existing in ("ask", "replace"):
        err = refusal(lambda e=existing: check_output(good, "comparison", existing=e))
        both(err, "输出文件是一个情景工作簿（输入文件）", "is a scenario workbook (an input)")


def test_save_onto_the_loaded_workbook_asks_when_nothing_is_lost(good) -> None:
    decision = check_output(good, "scenario", existing="ask")
    assert decision.needs_confirmation
    assert writeback_losses(good) == []


def test_save_onto_a_workbook_with_planner_sheets_is_refused_listing_them(tmp_path, good) -> None:
    """Save rebuilt the workbook from the template: the planner's own sheet was gone."""
    wb = openpyxl.load_workbook(good)
    wb.create_sheet("我的笔记 Notes")["A1"] = "keep me"
    wb.save(good)
    assert writeback_losses(good) == ["工作表 sheet '我的笔记 Notes'"]
    for existing in ("ask", "replace"):
        err = refusal(lambda e=existing: check_output(good, "scenario", existing=e))
        both(
            err,
            "丢失 jjjplan 不负责写出的内容：工作表 sheet '我的笔记 Notes'",
            "would lose what jjjplan does not write: 工作表 sheet '我的笔记 Notes'",
        )


def test_demo_replaces_its_own_outputs_but_nothing_else(tmp_path, good) -> None:
    books = tmp_path / "books"
    books.mkdir()
    shutil.copy(good, books / "a.xlsx")
    out = tmp_path / "out"
    assert invoke("demo", "--out", str(out), "--workbooks", str(books)).exit_code == 0
    assert invoke("demo", "--out", str(out), "--workbooks", str(books)).exit_code == 0
    (out / "comparison.xlsx").write_bytes(b"a planner's file")
    result = invoke("demo", "--out", str(out), "--workbooks", str(books))
    assert result.exit_code == 1
    assert "is not an earlier jjjplan output" in result.output
    assert (out / "comparison.xlsx").read_bytes() == b"a planner's file"


def test_compare_baseline_given_as_the_absolute_path_of_a_listed_file(
    tmp_path, good, monkeypatch
) -> None:
    make_template(tmp_path / "other.xlsx", Scenario.baseline().replace(name="other"))
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "c.xlsx"
    result = invoke("compare", "good.xlsx", "other.xlsx", "-o", "c.xlsx", "--baseline", str(good))
    assert result.exit_code == 0, result.output
    assert "(2 scenarios)" in result.output and out.exists()


# --- Windows items of the safe save (issue 14) ---------------------------------------------------
def _sharing_violation() -> PermissionError:
    exc = PermissionError(errno.EACCES, "The process cannot access the file")
    exc.winerror = 32  # ERROR_SHARING_VIOLATION
    return exc


def test_replace_is_retried_through_a_transient_lock(tmp_path, monkeypatch) -> None:
    from jjjplan.excel import safety

    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) < 3:  # antivirus / OneDrive holds the file for a moment
            raise _sharing_violation()
        real(src, dst)

    monkeypatch.setattr(safety.os, "replace", flaky)
    monkeypatch.setattr(safety.time, "sleep", lambda s: None)
    results = jjjplan.project(Scenario.baseline())
    out = write_results(results, tmp_path / "r.xlsx")
    assert len(calls) == 3 and openpyxl.load_workbook(out).sheetnames
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_a_persistent_lock_says_open_in_excel_or_wps(tmp_path, monkeypatch) -> None:
    from jjjplan.excel import safety

    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")
    sleeps = []

    def locked(src, dst):
        raise _sharing_violation()

    monkeypatch.setattr(safety.os, "replace", locked)
    monkeypatch.setattr(safety.time, "sleep", sleeps.append)
    with pytest.raises(ValidationError) as info:
        write_results(jjjplan.project(Scenario.baseline()), target)
    both(info.value, "可能正在 Excel/WPS 中打开", "it may be open in Excel/WPS")
    assert len(sleeps) >= 3 and sum(sleeps) < 10
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_other_permission_errors_are_not_retried(tmp_path, monkeypatch) -> None:
    from jjjplan.excel import safety

    sleeps = []
    monkeypatch.setattr(
        safety.os,
        "replace",
        lambda s, d: (_ for _ in ()).throw(OSError(errno.EROFS, "Read-only file system")),
    )
    monkeypatch.setattr(safety.time, "sleep", sleeps.append)
    with pytest.raises((ValidationError, OSError)):
        write_results(jjjplan.project(Scenario.baseline()), tmp_path / "r.xlsx")
    assert sleeps == []


def test_liveness_of_temp_owners_uses_psutil_not_kill(tmp_path, monkeypatch) -> None:
    """os.kill(pid, 0) sends Ctrl-C on Windows; the sweep must never call it."""
    import psutil

    from jjjplan.excel import safety

    asked = []
    monkeypatch.setattr(psutil, "pid_exists", lambda pid: asked.append(pid) or pid == os.getpid())
    monkeypatch.setattr(safety.os, "kill", lambda *a: pytest.fail("os.kill called"))
    dead = 2**22 + 12345
    mine = tmp_path / f".r.tmp-{os.getpid()}-abc.xlsx"
    gone = tmp_path / f".r.tmp-{dead}-abc.xlsx"
    mine.write_bytes(b"")
    gone.write_bytes(b"")
    assert safety.sweep_stale_temps(tmp_path, ".r.tmp-") == [gone]
    assert mine.exists() and not gone.exists()
    assert sorted(asked) == sorted([os.getpid(), dead])


def test_read_only_folder_is_named_not_its_temp_file(tmp_path, good, monkeypatch) -> None:
    """Root ignores permissions, so the refusal of the temp file is simulated."""
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".r.tmp-1-x.xlsx"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = invoke("run", str(good), "-o", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 1
    assert f"the output folder {tmp_path} is not writable" in result.output
    assert "输出文件夹" in result.output and ".tmp-" not in result.output


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.3])
def test_ctrl_c_right_after_a_save_prints_no_traceback(tmp_path, good, delay) -> None:
    """Ctrl-C reaches the whole console process group (the CLI and its reading helper) while
    the CLI prints its table or shuts the helper down; no traceback may appear."""
    env = {**os.environ, "PYTHONPATH": str(Path(jjjplan.__file__).parents[1])}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from jjjplan.cli import main; main()",
            "run",
            str(good),
            "-o",
            str(tmp_path / "r.xlsx"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
        start_new_session=True,
    )
    while (line := proc.stdout.readline()) and "results written" not in line:
        pass
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    # -SIGINT: the signal arrived while the interpreter was already shutting down (Python
    # restores the default handler there), after every file was written: allowed, no traceback.
    assert proc.returncode in (0, 130, -signal.SIGINT), err
    if proc.returncode == 130:
        assert "已中断 / interrupted" in err
    with zipfile.ZipFile(tmp_path / "r.xlsx") as zf:  # the saved workbook is complete
        assert zf.testzip() is None
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames  # the saved file is whole


# =============================================================================================
# §2 What Excel, WPS and LibreOffice really write
# =============================================================================================
@pytest.mark.parametrize("form", ["sheet", "cell", "range", "bare"])
def test_ref_names_in_every_form(tmp_path, template_bytes, form) -> None:
    path = build(tmp_path, template_bytes, lambda d: H.ref_name(d, form=form))
    reading = read(path)
    assert reading.scenario is None
    issue = issue_with(
        reading.issues,
        "名称 CapMultiple 指向无效位置",
        "defined name CapMultiple points nowhere valid",
    )
    assert issue.sheet == L.REFORM and "#REF!" in issue.found
    assert "internal error" not in invoke("validate", str(path)).output


def test_strict_open_xml_says_save_as_ordinary_xlsx(tmp_path, template_bytes) -> None:
    path = build(tmp_path, template_bytes, H.strict_open_xml)
    with pytest.raises(WorkbookRejected) as info:
        read(path)
    both(info.value, "Strict Open XML 电子表格", "saved as 'Strict Open XML Spreadsheet'")
    assert "Excel Workbook (*.xlsx)" in str(info.value)
    assert len(info.value.issues) == 1  # not "7 sheets missing"


@pytest.mark.parametrize(
    "stored", ["٣", "1_0", "\u00a03\u00a0", "3\u200b", "１２", "0x10", "3 4", "infinity", " "]
)
def test_stored_values_only_python_reads_are_refused(tmp_path, template_bytes, stored) -> None:
    path = build(tmp_path, template_bytes, lambda d: H.stored_number(d, stored))
    issue = issue_with(
        problems_of(path),
        "不是数字（文件已损坏，或由有缺陷的工具写入）",
        "is not a number (file damaged",
    )
    assert (issue.sheet, issue.cell) == (L.REFORM, H.NUMBER_CELL)


@pytest.mark.parametrize(
    ("stored", "value"), [(" 3 ", 3.0), ("\n3\t", 3.0), ("+3.", 3.0), (".5E1", 5.0), ("3E0", 3.0)]
)
def test_stored_values_of_the_xml_schema_grammar_are_read(
    tmp_path, template_bytes, stored, value
) -> None:
    path = build(tmp_path, template_bytes, lambda d: H.stored_number(d, stored))
    reading = read(path)
    assert reading.issues == (), reading.issues
    assert reading.scenario.reform.cap_multiple == value


@pytest.mark.parametrize("index", ["-1", "1", "+0", "0x0", "٠"])
def test_shared_string_index_is_bounds_checked(tmp_path, template_bytes, index) -> None:
    path = build(tmp_path, template_bytes, lambda d: H.shared_string_index(d, index))
    issue = issue_with(problems_of(path), "条文本", "text #")
    assert (issue.sheet, issue.cell) == (L.ABOUT, H.TEXT_CELL)
    assert "(file damaged)" in issue.message_en


def test_shared_string_index_zero_reads_the_first(tmp_path, template_bytes) -> None:
    path = build(tmp_path, template_bytes, lambda d: H.shared_string_index(d, "0"))
    assert read(path).scenario.name == "only"


def test_part_names_differing_only_in_case_are_refused(tmp_path, template_bytes) -> None:
    path = build(tmp_path, template_bytes, H.part_name_case_twin)
    with pytest.raises(WorkbookRejected) as info:
        read(path)
    both(info.value, "仅大小写不同", "differ only in letter case")
    assert "xl/worksheets/Sheet5.xml" in str(info.value)


def test_invisible_characters_in_a_scenario_name_are_reported(tmp_path) -> None:
    path = make_template(tmp_path / "z.xlsx", Scenario.baseline().replace(name="base\u200bline"))
    reading = read(path)
    assert reading.scenario.name == "base\u200bline"  # free text is kept exactly
    notice = issue_with(reading.notices, "不可见字符", "invisible character")
    assert "U+200B" in notice.message_en and notice.cell == "C5"


def test_compare_refuses_look_alike_scenario_names(tmp_path) -> None:
    a = make_template(tmp_path / "a.xlsx", Scenario.baseline().replace(name="协同"))
    b = make_template(tmp_path / "b.xlsx", Scenario.baseline().replace(name="协\u200b同"))
    result = invoke("compare", str(a), str(b), "-o", str(tmp_path / "c.xlsx"))
    assert result.exit_code == 1
    assert "is also the name in a.xlsx" in result.output
    assert "U+200B" in result.output
    assert not (tmp_path / "c.xlsx").exists()


def test_duplicate_name_error_names_the_cell(tmp_path) -> None:
    a = make_template(tmp_path / "a.xlsx", Scenario.baseline().replace(name="x"))
    b = make_template(tmp_path / "b.xlsx", Scenario.baseline().replace(name="X "))
    result = invoke("compare", str(a), str(b), "-o", str(tmp_path / "c.xlsx"))
    assert result.exit_code == 1
    assert f"b.xlsx › '{L.ABOUT}'!C5" in result.output


# =============================================================================================
# §3 Cost bounded by the file, decided before parsing
# =============================================================================================
REFUSED = {
    "hyperlink over the whole sheet": ("超链接", "a hyperlink covers A1:XFD1048576"),
    "hyperlink over a whole column": ("超链接", "a hyperlink covers C:C"),
    "merge over the whole sheet": ("合并单元格", "merged cells cover A20:XFD1048576"),
    "merge over a whole column": ("合并单元格", "merged cells cover J:J"),
}
READ = [
    "conditional format over the whole sheet",
    "data validation over the whole sheet",
    "format on every column",
    "948,576 formatted empty rows (beyond the row limit)",
    "99,983 formatted empty rows (within the row limit)",
]


@pytest.mark.parametrize("case", list(REFUSED))
def test_whole_sheet_ranges_are_refused_in_the_preflight(tmp_path, template_bytes, case) -> None:
    from jjjplan.excel.guard.preflight import preflight

    path = build(tmp_path, template_bytes, H.COST_CASES[case])
    with pytest.raises(WorkbookRejected) as info:
        preflight(path)  # before openpyxl sees the file
    zh, en = REFUSED[case]
    both(info.value, zh, en)
    assert info.value.issues[0].sheet == L.REFORM


@pytest.mark.parametrize("case", READ)
def test_whole_sheet_formats_are_read_or_ignored(tmp_path, template_bytes, case) -> None:
    path = build(tmp_path, template_bytes, H.COST_CASES[case])
    if case.startswith("948,576"):  # more row elements than the row limit: refused, cheaply
        with pytest.raises(WorkbookRejected) as info:
            read(path)
        both(info.value, "行数过多：超过 100,000 行", "too many rows: more than 100,000 rows")
        return
    reading = read(path)
    assert reading.scenario == Scenario.baseline(), reading.issues
    if "rows" in case:
        notice = issue_with(
            reading.notices, "只有行格式、没有单元格，已忽略", "have row formatting but no cells"
        )
        assert "99,983 rows (between rows 18 and 100,000)" in notice.message_en


PEAK_RSS = textwrap.dedent(
    """
    import sys
    from jjjplan.errors import ValidationError
    from jjjplan.excel.read.reader import read_workbook_report
    try:
        read_workbook_report(sys.argv[1], isolated=False)
    except ValidationError:
        pass
    with open("/proc/self/status") as fh:  # VmHWM: ru_maxrss survives fork + exec
        print(next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) // 1024)
    """
)


def peak_rss_mib(path: Path) -> int:
    """Peak resident memory (MiB) of a fresh process that reads ``path`` in-process."""
    env = {**os.environ, "PYTHONPATH": str(Path(jjjplan.__file__).parents[1])}
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=True,
    )
    return int(proc.stdout.split()[-1])


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_whole_sheet_cost_is_bounded_in_memory(tmp_path, template_bytes) -> None:
    """Every cost case needs at most 200 MiB more than reading the template itself (the
    time is printed by benchmarks/bench_hostile.py, not asserted)."""
    reference = peak_rss_mib(build(tmp_path, template_bytes, lambda d: d, "plain.xlsx"))
    for case, change in H.COST_CASES.items():
        extra = peak_rss_mib(build(tmp_path, template_bytes, change)) - reference
        assert extra < 200, (case, extra)


# =============================================================================================
# §5 Clear messages
# =============================================================================================
def test_merged_cells_over_two_inputs(tmp_path, good) -> None:
    wb = openpyxl.load_workbook(good)
    wb[L.REFORM].merge_cells("C8:C9")
    wb.save(good)
    reading = read(good)
    issue = issue_with(reading.issues, "已合并", "C8:C9 is merged")
    assert issue.sheet == L.REFORM
    assert not [i for i in reading.issues if "must not be empty" in i.message_en]


def test_utf16_text_export_gets_a_text_hint(tmp_path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes("名称\tValue\r\n增长极\t3\r\n".encode("utf-16"))
    with pytest.raises(WorkbookRejected) as info:
        read(path)
    both(
        info.value,
        "文本/CSV 文件（UTF-16",
        "it looks like a text/CSV export (tab-separated, UTF-16",
    )
    assert "UTF-16" in str(info.value)


def test_table_resized_past_an_edited_row(tmp_path, good) -> None:
    wb = openpyxl.load_workbook(good)
    ws = wb[L.ASSUMPTIONS]
    table = ws.tables[L.ASSUMPTION_TABLE.name]
    first, last = table.ref.split(":")
    col, row = openpyxl.utils.cell.coordinate_from_string(last)
    key = ws.cell(row, 1).value
    table.ref = f"{first}:{col}{row - 1}"
    table.autoFilter.ref = table.ref
    wb.save(good)
    reading = read(good)
    issue = issue_with(reading.issues, "在表格范围之外", "is outside the Table")
    assert issue.sheet == L.ASSUMPTIONS and issue.cell == f"A{row}"
    assert str(key) in issue.message_en


def test_sheet_scoped_name_is_read(tmp_path, good) -> None:
    wb = openpyxl.load_workbook(good)
    dn = wb.defined_names.pop("CapMultiple")
    wb[L.REFORM].defined_names["CapMultiple"] = dn
    wb.save(good)
    reading = read(good)
    assert reading.issues == (), reading.issues
    issue_with(reading.notices, "仅在工作表", "is scoped to the sheet")
