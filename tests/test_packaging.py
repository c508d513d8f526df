"""Packaging: what the wheel and the sdist hold, declared dependencies, lazy imports, and
(slow) an offline install from a wheelhouse into a fresh virtual environment.

The fresh-environment test is the issue's "done when": with only the wheel and its
dependencies installed (no ``--system-site-packages``), from an empty folder,
``jjjplan demo --out o``, ``python -m jjjplan --help`` and ``PYTHONIOENCODING=gbk jjjplan demo
--out o2 > log.txt`` exit 0.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

import jjjplan
from jjjplan import bundled

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CHECKOUT = (ROOT / "setup.py").is_file() and (ROOT / "workbooks").is_dir()
needs_checkout = pytest.mark.skipif(not CHECKOUT, reason="needs the source tree")


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """The sdist, and the wheel built from it (as pip would), by ``python -m build``."""
    if not CHECKOUT:
        pytest.skip("needs the source tree")
    pytest.importorskip("build", reason="the 'build' package (dev extra) is not installed")
    import setuptools

    if int(setuptools.__version__.split(".")[0]) < 77:
        pytest.skip(f"setuptools {setuptools.__version__} < 77 (dev extra) is too old")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="module")
def wheel(dists: dict[str, Path]) -> Path:
    return dists["wheel"]


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


# --- the wheel -------------------------------------------------------------------------------
def test_wheel_holds_license_py_typed_and_the_model_package(wheel_names: set[str]) -> None:
    dist_info = f"jjjplan-{jjjplan.__version__}.dist-info"
    assert f"{dist_info}/licenses/LICENSE" in wheel_names
    assert "jjjplan/py.typed" in wheel_names
    assert "jjjplan/model/__init__.py" in wheel_names
    assert "jjjplan/__main__.py" in wheel_names
    assert {"jjjplan/data/units.csv", "jjjplan/data/observations.csv"} <= wheel_names
    assert not any(n.startswith(("tests/", "tools/", "benchmarks/")) for n in wheel_names)


def test_wheel_bundles_the_top_level_workbooks_template_and_notebooks(wheel: Path) -> None:
    """One source of truth: the wheel's copies are byte-identical to the top-level files."""
    with zipfile.ZipFile(wheel) as zf:
        for kind, pattern in bundled.KINDS.items():
            sources = sorted((ROOT / kind).glob(pattern))
            assert sources, kind
            for src in sources:
                assert zf.read(f"jjjplan/_bundled/{kind}/{src.name}") == src.read_bytes()


def test_wheel_metadata_version_and_extras(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(f"jjjplan-{jjjplan.__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {jjjplan.__version__}\n" in meta
    assert "License-Expression: MIT" in meta
    for extra in ("dashboard", "lab", "parquet"):
        assert f"Provides-Extra: {extra}" in meta


def test_dashboard_extra_is_lean_and_lab_adds_jupyterlab() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    names = {re.split(r"[<>=\[ ]", r)[0].lower() for r in extras["dashboard"]}
    assert {"voila", "ipywidgets", "ipykernel"} <= names
    assert "jupyterlab" not in names
    assert any(r.startswith("jupyterlab") for r in extras["lab"])
    assert "jjjplan[dashboard]" in extras["lab"]


def test_version_has_one_source() -> None:
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "jjjplan.__version__"}


def _third_party_imports(folder: Path) -> dict[str, str]:
    """Top-level module → first file importing it, for every non-stdlib import."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "jjjplan":
                    found.setdefault(top, str(path.relative_to(folder.parent)))
    return found


def _declared(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=\[ ;]", r)[0].lower().replace("_", "-") for r in requirements}


def test_every_imported_package_is_declared() -> None:
    """A module imported by jjjplan/ must come from a runtime dependency or a non-dev extra;
    one imported by tests/ or benchmarks/ at least from the dev extra."""
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    runtime = _declared(project["dependencies"])
    for name, reqs in extras.items():
        if name != "dev":
            runtime |= _declared(reqs)
    everything = runtime | _declared(extras["dev"])
    dists = importlib.metadata.packages_distributions()
    for folder, allowed in (("jjjplan", runtime), ("tests", everything), ("tools", everything)):
        for module, where in _third_party_imports(ROOT / folder).items():
            local = module == folder or (ROOT / folder / f"{module}.py").is_file()
            if local or module == "setuptools":
                continue  # a helper module next to the tests; setuptools is the build backend
            candidates = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
            assert candidates & allowed, f"{module} (imported in {where}) is not declared"


def test_public_api_names_agree() -> None:
    assert set(jjjplan.__all__) == {*jjjplan._EXPORTS, "__version__"}
    for name in ("read_workbook", "write_results", "write_comparison", "project", "Results"):
        assert callable(getattr(jjjplan, name))


# --- lazy imports ------------------------------------------------------------------------------
def _modules_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return set(proc.stdout.split())


HEAVY = {"pandas", "numpy", "scipy", "openpyxl", "matplotlib", "ipywidgets", "pyarrow"}


def test_import_jjjplan_and_cli_help_load_no_heavy_library() -> None:
    assert not HEAVY & _modules_after("import jjjplan")
    loaded = _modules_after(
        "from click.testing import CliRunner\nfrom jjjplan.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0"
    )
    assert not HEAVY & loaded


# --- bundled files ----------------------------------------------------------------------------
@needs_checkout
def test_checkout_reads_the_top_level_folders() -> None:
    assert bundled.bundled_dir("workbooks") == ROOT / "workbooks"
    assert bundled.template_path() == ROOT / "templates" / bundled.TEMPLATE_NAME
    names = [p.name for p in bundled.bundled_files("notebooks")]
    assert names == ["dashboard.ipynb", "explore.ipynb"]


def test_copy_examples_never_replaces_a_file(tmp_path: Path) -> None:
    copies = bundled.copy_examples(tmp_path)
    assert {p.parent.name for p in copies} == {"workbooks", "templates", "notebooks"}
    first = copies[0]
    first.write_bytes(b"planner's edits")
    with pytest.raises(FileExistsError):
        bundled.copy_examples(tmp_path)
    assert first.read_bytes() == b"planner's edits"


def test_unknown_bundled_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown bundled kind"):
        bundled.bundled_dir("secrets")


# --- the sdist ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sdist(dists: dict[str, Path]) -> Path:
    return dists["sdist"]


def test_sdist_is_a_complete_source_tree(sdist: Path) -> None:
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    must = {"setup.py", "pyproject.toml", "LICENSE", "Makefile", "README.md", "tests/conftest.py"}
    must |= {"tools/build_workbooks.py", "templates/jjjplan-template.xlsx", ".ci/run"}
    must |= {f"workbooks/{p.name}" for p in (ROOT / "workbooks").glob("*.xlsx")}
    must |= {".github/workflows/ci.yml", "docs/model.md", "notebooks/dashboard.ipynb"}
    assert must <= names, sorted(must - names)
    assert not any("__pycache__" in n for n in names)


@pytest.mark.slow
def test_sdist_tests_run(sdist: Path, tmp_path: Path) -> None:
    """The unpacked sdist runs its own tests (a sample: template drift, gaps, exports)."""
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp_path, filter="data")
    (src,) = tmp_path.glob("jjjplan-*")
    env = {**os.environ, "PYTHONPATH": str(src)}
    tests = ["tests/test_template.py", "tests/test_gaps.py", "tests/test_exports.py"]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "passed" in proc.stdout


# --- offline install into a fresh environment ---------------------------------------------------
def _venv_bin(env_dir: Path, name: str) -> Path:
    folder = env_dir / ("Scripts" if os.name == "nt" else "bin")
    return folder / (f"{name}.exe" if os.name == "nt" else name)


@pytest.mark.slow
def test_offline_install_from_a_wheelhouse_runs_the_demo(tmp_path: Path) -> None:
    """``make wheelhouse`` (tools/build_wheelhouse.py), then ``pip install --no-index`` into a
    fresh venv without system site-packages; the issue's three commands from an empty folder."""
    if not CHECKOUT:
        pytest.skip("needs the source tree")
    house = tmp_path / "wheelhouse"
    build = [sys.executable, str(ROOT / "tools" / "build_wheelhouse.py"), "--out", str(house)]
    subprocess.run([*build, "--extras", "parquet"], check=True, capture_output=True)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python = _venv_bin(env_dir, "python")
    # nothing of this checkout or this venv may leak in (PYTHONPATH would make pip think
    # jjjplan is installed already)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env = {k: v for k, v in env.items() if not k.startswith("PIP_")}
    pip = [str(python), "-m", "pip", "install", "--no-index", "--find-links", str(house)]
    subprocess.run([*pip, "jjjplan[parquet]"], check=True, capture_output=True, env=env)
    empty = tmp_path / "empty"
    empty.mkdir()
    exe = str(_venv_bin(env_dir, "jjjplan"))

    def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), cwd=empty, env=kwargs.pop("env", env), **kwargs)

    site = run(str(python), "-c", "import jjjplan; print(jjjplan.__file__)", capture_output=True)
    assert str(env_dir) in site.stdout.decode()  # the wheel, not the checkout
    demo = run(exe, "demo", "--out", "o", capture_output=True)
    assert demo.returncode == 0, demo.stderr.decode()
    assert len(list((empty / "o").glob("*-results.xlsx"))) == 6
    assert (empty / "o" / "comparison.xlsx").is_file()
    helped = run(str(python), "-m", "jjjplan", "--help", capture_output=True)
    assert helped.returncode == 0 and b"Usage: jjjplan" in helped.stdout
    with open(empty / "log.txt", "wb") as log:
        gbk = run(exe, "demo", "--out", "o2", stdout=log, env={**env, "PYTHONIOENCODING": "gbk"})
    assert gbk.returncode == 0
    assert "comparison" in (empty / "log.txt").read_bytes().decode("gbk")
    examples = run(exe, "examples", "ex", capture_output=True)
    assert examples.returncode == 0 and (empty / "ex" / "notebooks" / "dashboard.ipynb").is_file()
    csv = run(
        exe, "run", "ex/workbooks/01-growth-poles.xlsx", "-o", "r.xlsx", "--parquet", "r.parquet"
    )
    assert csv.returncode == 0 and (empty / "r.parquet").is_file()
