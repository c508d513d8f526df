"""LibreOffice must open every workbook jjjplan writes or ships.

Why LibreOffice: it is the strictest reader we can run headless, and many planners' colleagues
open our files in WPS or LibreOffice rather than Excel. Each file is converted to PDF (which
forces a full load, layout of every sheet and rendering of the charts); all files go through
ONE soffice call with a fresh profile, so the module stays fast. A template re-saved by
LibreOffice must still read back to the same Scenario.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest

from jjjplan import Scenario, project
from jjjplan.excel import write_comparison, write_results
from jjjplan.scenario import Innovation, Milestones, Reform

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "jjjplan-template.xlsx"
SHIPPED = sorted((ROOT / "workbooks").glob("*.xlsx"))
TIMEOUT = 120  # seconds per soffice call
MIN_PDF_BYTES = 4096
_PAGE = re.compile(rb"/Type\s*/Page\b")


def run_soffice(
    soffice: str, profile: Path, files: Sequence[Path], outdir: Path, target: str
) -> subprocess.CompletedProcess[str]:
    """One headless conversion of ``files`` into ``outdir`` (never touches a user profile)."""
    cmd = [
        soffice,
        "--headless",
        "--norestore",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *(str(f) for f in files),
    ]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"soffice did not finish within {TIMEOUT} s: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def soffice(require_binary: Callable[[str], str]) -> str:
    return require_binary("soffice")


@pytest.fixture(scope="session")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lo-profile")


@pytest.fixture(scope="session")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every workbook to open, copied into one folder under unique names (stem -> path)."""
    folder = tmp_path_factory.mktemp("lo-in")
    base = Scenario.baseline()
    policy = base.replace(
        name="政策情景 policy",
        reform=Reform(origin_share=0.3),
        innovation=Innovation(share=Milestones(0.1, 0.15, 0.2)),
    )
    files = {
        "results": write_results(project(policy), folder / "results.xlsx"),
        "comparison": write_comparison(
            [project(base), project(policy)], folder / "comparison.xlsx"
        ),
    }
    if TEMPLATE.exists():
        files["template"] = Path(shutil.copy(TEMPLATE, folder / "template.xlsx"))
    for wb in SHIPPED:
        files[f"workbook-{wb.stem}"] = Path(shutil.copy(wb, folder / f"workbook-{wb.stem}.xlsx"))
    return files


@pytest.fixture(scope="session")
def pdfs(
    soffice: str, profile: Path, inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    outdir = tmp_path_factory.mktemp("lo-pdf")
    proc = run_soffice(soffice, profile, list(inputs.values()), outdir, "pdf")
    pdfs = {key: outdir / f"{path.stem}.pdf" for key, path in inputs.items()}
    missing = [k for k, p in pdfs.items() if not p.exists()]
    assert not missing, f"no PDF for {missing}; soffice said:\n{proc.stdout}\n{proc.stderr}"
    return pdfs


def check_pdf(pdf: Path, min_pages: int = 1) -> None:
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF"), f"{pdf.name} is not a PDF"
    assert len(data) >= MIN_PDF_BYTES, f"{pdf.name} is only {len(data)} bytes"
    pages = len(_PAGE.findall(data))
    assert pages >= min_pages, f"{pdf.name} has {pages} page(s), expected >= {min_pages}"


@pytest.mark.parametrize("key", ["results", "comparison"])
def test_written_workbooks_open(pdfs: dict[str, Path], inputs: dict[str, Path], key: str) -> None:
    """Every sheet is laid out: at least one PDF page per sheet."""
    sheets = openpyxl.load_workbook(inputs[key], read_only=True).sheetnames
    check_pdf(pdfs[key], min_pages=len(sheets))


def test_template_opens(pdfs: dict[str, Path]) -> None:
    if "template" not in pdfs:
        pytest.skip(f"{TEMPLATE.relative_to(ROOT)} not present")
    check_pdf(pdfs["template"])


@pytest.mark.parametrize(
    "stem", [p.stem for p in SHIPPED] or [pytest.param("", marks=pytest.mark.skip("none"))]
)
def test_shipped_workbooks_open(pdfs: dict[str, Path], stem: str) -> None:
    check_pdf(pdfs[f"workbook-{stem}"])


def _differences(a: Scenario, b: Scenario) -> list[str]:
    return [
        f.name for f in dataclasses.fields(Scenario) if getattr(a, f.name) != getattr(b, f.name)
    ]


def test_template_resaved_by_libreoffice_reads_back_equal(
    soffice: str, profile: Path, tmp_path: Path
) -> None:
    try:
        from jjjplan.excel.read.reader import read_workbook
    except ImportError:
        pytest.skip("reader not available")
    original = tmp_path / "in" / "template.xlsx"
    original.parent.mkdir()
    if TEMPLATE.exists():
        shutil.copy(TEMPLATE, original)
    else:
        from jjjplan.excel.write.template import make_template

        make_template(original)
    outdir = tmp_path / "resaved"
    outdir.mkdir()
    proc = run_soffice(soffice, profile, [original], outdir, "xlsx:Calc MS Excel 2007 XML")
    resaved = outdir / original.name
    assert resaved.exists(), f"soffice wrote nothing:\n{proc.stdout}\n{proc.stderr}"
    expected, got = read_workbook(original), read_workbook(resaved)
    assert got == expected, f"fields differ after LibreOffice: {_differences(expected, got)}"
