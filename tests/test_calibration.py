"""The estimated baseline: fixed effects, β, and the out-of-sample comparison (issue 9 §1)."""

import numpy as np
import pytest

from jjjplan import calibration as cal


def test_relative_growth_is_unit_minus_national_in_observed_years():
    rel = cal.relative_growth()
    assert list(rel.index) == [2019, 2022, 2023, 2024]
    # Hebei grew faster than the nation in 2023 and 2024 (5.5/5.4% vs 5.2/5.0%)
    assert rel.loc[2023, "HE"] == pytest.approx(np.log(1.055) - np.log(1.052))
    assert rel.loc[2024, "HE"] == pytest.approx(np.log(1.054) - np.log(1.050))


def test_fixed_effects_are_window_means_with_standard_errors():
    fe = cal.fit_fixed_effects(2022)
    rel = cal.relative_growth().loc[[2019, 2022]]
    np.testing.assert_allclose(fe.effect.to_numpy(), rel.mean().to_numpy())
    assert (fe.std_error > 0).all()


def test_out_of_sample_table_and_default_rule():
    t = cal.out_of_sample()
    assert list(t.index) == [2019, 2022]
    assert list(t.n_forecasts) == [9, 6]
    # by hand: fit to 2022, national rate, errors 0.0/0.2 (BJ), 0.9/0.1 (TJ), 0.3/0.4 (HE)
    assert t.loc[2022, "national_rate"] == pytest.approx(
        (0 + 0.2 + 0.9 + 0.1 + 0.3 + 0.4) / 6, abs=0.01
    )
    # the fixed-effect model does not beat both naive rules in every window, so the
    # default baseline engine is the better naive rule (the national rate)
    assert cal.default_rule() == "national_rate"


def test_default_engine_matches_the_calibration_choice():
    from jjjplan.assumptions import ASSUMPTION_BY_ID

    weight = ASSUMPTION_BY_ID["fe_weight"].value
    assert (weight == 0.0) == (cal.default_rule() != "fixed_effects")


def test_beta_is_reported_with_its_standard_error():
    b = cal.fit_beta()
    assert b.n_obs == 6 and b.years == (2023, 2024)
    assert np.isfinite(b.beta) and b.std_error > 0


def test_model_doc_tables_match_the_code():
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("render", root / "tools" / "render_model_doc.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    doc = (root / "docs" / "model.md").read_text(encoding="utf-8")
    assert mod.render(doc) == doc, "docs/model.md is stale: run python tools/render_model_doc.py"
