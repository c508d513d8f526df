"""Targets: parsing, validation, evaluation on a batch, the Targets sheet and the results check."""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest

from jjjplan import Scenario, ScenarioError, project, project_many
from jjjplan.errors import ValidationError
from jjjplan.excel import make_template, read_workbook
from jjjplan.excel.write.target_check import target_check
from jjjplan.targets import Target, TargetError, indicator_values, parse_target, target_margins


@pytest.fixture(scope="module")
def base():
    return project(Scenario.baseline())


def test_parse_expressions():
    t = parse_target("bj_he_ratio@2035<=3.0")
    assert (t.indicator, t.year, t.op, t.value, t.region) == ("bj_he_ratio", 2035, "<=", 3.0, None)
    t = parse_target(" gdp_per_capita [he/tj] @ 2030 ≥ 60% ")
    assert (t.region, t.op, t.value) == ("HE/TJ", ">=", 0.6)
    assert parse_target("theil_t@2030=0.15").op == "="
    assert parse_target(t.key) == t


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("bj_he_ratio<=3", "cannot read target"),
        ("nonsense@2035<=3", "unknown indicator"),
        ("bj_he_ratio@2050<=3", "2023–2035"),
        ("gdp@2035>=1", "needs a region code"),
        ("gdp[XX]@2035>=1", "needs a region code"),
        ("bj_he_ratio[BJ]@2035<=3", "takes no region"),
        ("population[HE/TJ]@2035>=1", "one region"),
    ],
)
def test_bad_targets_are_bilingual_errors(text, words):
    with pytest.raises(TargetError, match=words) as err:
        parse_target(text)
    assert " / " in str(err.value)


def test_operator_and_priority_checked():
    with pytest.raises(TargetError, match="operator"):
        Target("bj_he_ratio", 2035, "<", 3.0)
    with pytest.raises(TargetError, match="priority"):
        Target("bj_he_ratio", 2035, "<=", 3.0, priority=0)


def test_slack_and_met_per_operator():
    le, ge, eq = (Target("theil_t", 2035, op, 2.0) for op in ("<=", ">=", "="))
    x = np.array([1.0, 2.0, 3.0])
    assert le.slack(x).tolist() == [1.0, 0.0, -1.0]
    assert ge.slack(x).tolist() == [-1.0, 0.0, 1.0]
    assert eq.met(np.array([2.0, 2.009, 2.02])).tolist() == [True, True, False]


def test_evaluation_on_a_batch_matches_results(base):
    s2 = Scenario.baseline().replace(name="b2", national_path="high")
    batch = project_many([Scenario.baseline(), s2])
    r2 = batch[1]
    t = parse_target("bj_he_ratio@2035<=3")
    assert indicator_values(batch, t)[0] == pytest.approx(base.ratios.loc[2035, "bj_he_ratio"])
    gdp = parse_target("gdp[HE]@2030>=1")
    assert indicator_values(batch, gdp)[1] == pytest.approx(r2.provinces().loc[2030, ("HE", "gdp")])
    city = parse_target("gdp_per_capita[SJZ]@2035>=1")
    expected = r2.wide("gdp_per_capita").loc[2035, "SJZ"]
    assert indicator_values(batch, city)[1] == pytest.approx(expected)
    rel = parse_target("gdp_per_capita[HE/TJ]@2035>=0.5")
    prov = base.provinces().loc[2035]
    ratio = prov[("HE", "gdp_per_capita")] / prov[("TJ", "gdp_per_capita")]
    assert indicator_values(batch, rel)[0] == pytest.approx(ratio)
    assert target_margins(batch, [t, rel]).shape == (2, 2)


def test_scenario_refuses_duplicate_targets():
    t = parse_target("bj_he_ratio@2035<=3")
    with pytest.raises(ScenarioError, match="twice"):
        Scenario(targets=(t, parse_target("bj_he_ratio@2035<=2.9")))
    with pytest.raises(ScenarioError, match="Target"):
        Scenario(targets=("bj_he_ratio@2035<=3",))


@pytest.fixture(scope="module")
def with_targets(tmp_path_factory):
    s = Scenario.baseline().replace(
        targets=(
            parse_target("bj_he_ratio@2035<=3.4"),
            parse_target("gdp_per_capita[HE/TJ]@2030>=0.6", priority=2),
        )
    )
    path = tmp_path_factory.mktemp("targets") / "t.xlsx"
    make_template(path, s)
    return s, path


def test_targets_sheet_round_trips(with_targets):
    s, path = with_targets
    assert read_workbook(path).targets == s.targets


def test_bad_target_rows_name_the_cell(with_targets, tmp_path):
    _, path = with_targets
    wb = openpyxl.load_workbook(path)
    ws = wb["目标 Targets"]
    table = ws.tables["tblTargets"]
    first = int(table.ref.split(":")[0][1:]) + 1
    row = first + 2  # the first blank row
    for col, value in zip("ABCDE", ("gdp", "XX", 2035, ">=", 1), strict=True):
        ws[f"{col}{row}"] = value
    ws[f"E{row + 1}"] = "abc"
    ws[f"A{row + 1}"], ws[f"C{row + 1}"], ws[f"D{row + 1}"] = "theil_t", 2035, "<="
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(ValidationError) as err:
        read_workbook(bad)
    where = {(i.sheet, i.cell) for i in err.value.issues}
    assert ("目标 Targets", f"A{row}") in where
    assert ("目标 Targets", f"E{row + 1}") in where
    assert any("region code" in i.message_en for i in err.value.issues)


def test_workbook_without_targets_sheet_still_reads(with_targets, tmp_path):
    _, path = with_targets
    wb = openpyxl.load_workbook(path)
    del wb["目标 Targets"]
    old = tmp_path / "old.xlsx"
    wb.save(old)
    assert read_workbook(old).targets == ()


def test_results_check_reports_met_and_missed(with_targets):
    s, _ = with_targets
    res = project(s)
    table = target_check(res, s.targets)
    assert table["met"].tolist() == [True, False]  # baseline: 3.31 <= 3.4; HE/TJ ≈ 0.48
    assert table.loc[0, "margin"] == pytest.approx(3.4 - res.ratios.loc[2035, "bj_he_ratio"])
    draws = project_many([s, s.replace(national_path="high")])
    assert set(target_check(res, s.targets, draws)["p_met"]) <= {0.0, 0.5, 1.0}


def test_probability_of_meeting_from_an_ensemble_matches_its_members():
    """Results workbooks with draws show P(met): computed from the ensemble's kept outcomes,
    it equals the share of the ensemble's own members (re-projected) that meet the target."""
    import numpy as np

    import jjjplan
    from jjjplan.excel.write.target_check import target_check
    from jjjplan.targets import Target, indicator_values

    targets = (
        Target("theil_t", 2035, "<=", 0.16),
        Target("gdp_per_capita", 2035, ">=", 0.5, region="HE/TJ"),
        Target("population", 2035, ">=", 1000.0, region="BJ"),
    )
    s = jjjplan.Scenario.baseline().replace(targets=targets)
    e = jjjplan.ensemble(s, draws=16, seed=3)
    table = target_check(jjjplan.project(s), targets, ensemble=e)
    members = [
        s.replace(assumptions={**s.assumptions, **row}) for row in e.samples.to_dict("records")
    ]
    batch = jjjplan.project_many(members)
    for k in (0, 1, 2):  # population too: the ensemble keeps it for targets
        expected = np.mean(targets[k].met(indicator_values(batch, targets[k])))
        assert table.p_met[k] == expected
    # a population target that holds in some draws and not in others: P(met) strictly inside
    pop = indicator_values(batch, targets[2])
    middle = Target("population", 2035, ">=", float(np.median(pop)), region="BJ")
    split = target_check(jjjplan.project(s), (middle,), ensemble=e).p_met[0]
    assert 0 < split < 1 and split == np.mean(pop >= np.median(pop))
