"""Calibration of the convergence block: the reported numbers are what the code computes."""

from __future__ import annotations

import numpy as np
import pytest

from jjjplan import calibration
from jjjplan.assumptions import ASSUMPTION_BY_ID


def test_observed_relative_positions_are_centred_on_the_mean():
    obs = calibration.observed_relative()
    assert list(obs.index) == [2014, 2019, 2022]
    assert (obs["BJ"] > obs["TJ"]).all() and (obs["TJ"] > obs["HE"]).all()


def test_rho_one_keeps_relative_positions_when_population_is_fixed():
    x0 = calibration.observed_relative().loc[2014].to_numpy()
    x = calibration.simulate(x0, 2014, 2022, beta=0.02, rho=1.0)
    # only shifting population weights move the mean; positions stay within 1%
    assert np.abs(x - x0).max() < 0.01


def test_rho_below_one_converges():
    x0 = calibration.observed_relative().loc[2014].to_numpy()
    x = calibration.simulate(x0, 2014, 2022, beta=0.02, rho=0.5)
    assert np.abs(x).sum() < np.abs(x0).sum()


def test_report_figures_are_reproducible_and_documented():
    r = calibration.report()
    assert r.rho_full == pytest.approx(1.17, abs=0.01)
    assert len(r.fit) == 6 and len(r.out_of_sample) == 3
    # the default is the literature bound, and the note says why
    a = ASSUMPTION_BY_ID["gap_persistence"]
    assert a.value == 1.0 and "1.17" in a.source and a.is_assumption


def test_model_doc_tables_match_the_code():
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("render", root / "tools" / "render_model_doc.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    doc = (root / "docs" / "model.md").read_text(encoding="utf-8")
    assert mod.render(doc) == doc, "docs/model.md is stale: run python tools/render_model_doc.py"
