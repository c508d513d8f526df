"""Build jjjplan's bundled baseline dataset from the research data in ../shared/data.

Why a build step: the shared CSVs keep every vintage and scope side by side, as published.
The package needs the same rows with a machine-readable vintage code and scope, plus the
few values we must *estimate* (each flagged with its method), so that the model can pick one
consistent vintage per calculation. Nothing is averaged or silently filled.

Run:  python tools/build_dataset.py [--shared ../shared/data]
Writes jjjplan/data/units.csv and jjjplan/data/observations.csv (UTF-8, LF).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "jjjplan" / "data"
UNITS = ["BJ", "TJ", "SJZ", "TS", "QHD", "HD", "XT", "BD", "ZJK", "CD", "CZ", "LF", "HS"]
KEEP_REGIONS = set(UNITS) | {"HE", "CN", "JJJ"}

OBS_COLUMNS = [
    "region",
    "year",
    "variable",
    "unit",
    "value",
    "vintage_code",
    "vintage",
    "scope",
    "status",
    "method",
    "source",
    "confidence",
    "notes",
]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def gdp_vintage_code(vintage: str) -> str:
    """Map the CSV's free-text vintage to the codes of the data README (I, F, R4, O, R5, W)."""
    v = vintage.lower()
    if "wikipedia" in v and "yearbook" in v:
        return "W"
    if "revised after 4th" in v:
        return "R4"
    if "pre-4th" in v:
        return "O"
    if "post-5th" in v or "revision data" in v:
        return "R5"
    if "final verified" in v or "初步核实" in vintage:
        return "F"
    return "I"


def gdp_scope(region: str, vintage_code: str) -> str:
    if region == "BD":
        return "yearbook (incl. Dingzhou + Xiong'an)" if vintage_code == "W" else "city communiqué"
    if region == "SJZ":
        return (
            "yearbook (incl. Xinji)" if vintage_code == "W" else "as published (incl. Xinji 2017)"
        )
    return "as published" if vintage_code != "W" else "Hebei yearbook"


def pop_vintage_code(vintage: str) -> tuple[str, str]:
    v = vintage.lower()
    if v.startswith("census"):
        if "yearbook scope" in v:
            return "Cy", "Hebei yearbook"
        if "current jurisdiction" in v:
            return "Cc", "city communiqué (excl. Dingzhou + Xiong'an counties)"
        return "C", "as published"
    if "pre-" in v:
        return "Ep", "pre-2020-census vintage"
    if "revised series" in v:
        return "Er", "revised series (census-consistent)"
    return "E", "as published"


def build(shared: Path) -> tuple[list[dict], list[dict]]:
    regions = _read(shared / "regions.csv")
    units = []
    for r in regions:
        if r["code"] not in UNITS:
            continue  # Xiong'an is a note only, not a planning unit (data README)
        units.append(
            {
                "code": r["code"],
                "name_zh": r["name_zh"],
                "name_en": r["name_en"],
                "province": r["province"],
                "lat": r["lat"],
                "lon": r["lon"],
                "source": r["source"],
                "confidence": r["confidence"],
            }
        )
    units.sort(key=lambda u: UNITS.index(u["code"]))

    obs: list[dict] = []

    def add(**row):
        obs.append({c: row.get(c, "") for c in OBS_COLUMNS})

    for r in _read(shared / "gdp.csv"):
        if r["region"] not in KEEP_REGIONS or not r["gdp_100m_yuan"]:
            continue
        code = gdp_vintage_code(r["vintage"])
        for column, variable, unit in (
            ("gdp_100m_yuan", "gdp", "亿元 current prices"),
            ("real_growth_pct", "real_growth", "%"),
        ):
            if r[column]:
                add(
                    region=r["region"],
                    year=r["year"],
                    variable=variable,
                    unit=unit,
                    value=r[column],
                    vintage_code=code,
                    vintage=r["vintage"],
                    scope=gdp_scope(r["region"], code),
                    status="sourced",
                    source=r["source"],
                    confidence=r["confidence"],
                    notes=r["notes"],
                )

    pop_rows = _read(shared / "population.csv")
    for r in pop_rows:
        if r["region"] not in KEEP_REGIONS or not r["resident_population_10k"]:
            continue
        code, scope = pop_vintage_code(r["vintage"])
        add(
            region=r["region"],
            year=r["year"],
            variable="population",
            unit="万人",
            value=r["resident_population_10k"],
            vintage_code=code,
            vintage=r["vintage"],
            scope=scope,
            status="sourced",
            source=r["source"],
            confidence=r["confidence"],
            notes=r["notes"],
        )

    # --- derived and estimated values (each flagged with its method) -------------------
    census = {
        r["region"]: float(r["resident_population_10k"])
        for r in pop_rows
        if r["vintage"].startswith("census") and "yearbook scope" in r["vintage"]
    }
    he_census = next(
        float(r["resident_population_10k"])
        for r in pop_rows
        if r["region"] == "HE" and r["year"] == "2020"
    )
    he_2022 = next(
        float(r["resident_population_10k"])
        for r in pop_rows
        if r["region"] == "HE" and r["year"] == "2022"
    )
    hebei_cities = [u["code"] for u in units if u["province"] == "HE"]
    assert abs(sum(census[c] for c in hebei_cities) - he_census) < 1e-6, "census must sum to HE"
    for c in hebei_cities:
        share = census[c] / he_census
        add(
            region=c,
            year=2022,
            variable="population",
            unit="万人",
            value=f"{share * he_2022:.4f}",
            vintage_code="Est",
            scope="Hebei yearbook",
            status="estimate",
            method=(
                f"2020 census share ({census[c]:.4f}/{he_census:.4f} = {share:.5f}) × "
                f"HE year-end 2022 ({he_2022:g}); assumes shares unchanged Nov 2020–end 2022"
            ),
            source="derived from population.csv rows (census 2020, HE 2022)",
            confidence="estimated",
        )

    # Province populations for the calibration years 2014 and 2019 (none published on a
    # consistent basis; see data README "Coverage: resident population").
    add(
        region="BJ",
        year=2014,
        variable="population",
        unit="万人",
        value="2151.6",
        vintage_code="Ep",
        scope="pre-2020-census vintage",
        status="derived",
        method="BJ year-end 2015 (2170.5) minus the printed +18.9万 change on 2014",
        source="population.csv BJ 2015 row and its notes",
        confidence="medium",
    )
    add(
        region="TJ",
        year=2019,
        variable="population",
        unit="万人",
        value="1385",
        vintage_code="Er",
        scope="revised series (census-consistent)",
        status="derived",
        method="TJ revised series: 1443 (2016) − 33 (2017) − 27 (2018) + 2 (2019)",
        source="population.csv TJ 2016 row and its notes",
        confidence="medium",
    )
    add(
        region="TJ",
        year=2014,
        variable="population",
        unit="万人",
        value="1443",
        vintage_code="Est",
        scope="revised series (census-consistent)",
        status="estimate",
        method="held at the 2016 peak of the revised series (no 2014 value published)",
        source="population.csv TJ 2016 row",
        confidence="estimated",
    )
    add(
        region="HE",
        year=2014,
        variable="population",
        unit="万人",
        value="7505.4",
        vintage_code="Est",
        scope="as published",
        status="estimate",
        method="JJJ 2014 (11100, 3 significant digits) − BJ 2014 (2151.6) − TJ 2014 (1443, "
        "estimate); uncertainty at least ±50万 from rounding",
        source="population.csv JJJ 2014 row",
        confidence="estimated",
    )
    add(
        region="BJ",
        year=2019,
        variable="population",
        unit="万人",
        value="2185.5",
        vintage_code="Est",
        scope="as published",
        status="estimate",
        method="linear between year-end 2015 (2170.5) and the 2020 census (2189.3095), "
        "mixing a pre-census and a census vintage (±0.5%)",
        source="population.csv BJ 2015 and 2020 rows",
        confidence="estimated",
    )
    add(
        region="HE",
        year=2019,
        variable="population",
        unit="万人",
        value="7470",
        vintage_code="Est",
        scope="census-consistent",
        status="estimate",
        method="2020 census (7461.0) plus the 2020→2021 year-end decline applied backwards "
        "(≈ +9万); the published 2019 figure 7591.97 is pre-census and not comparable",
        source="population.csv HE 2020, 2021 rows",
        confidence="estimated",
    )

    for r in _read(shared / "fiscal.csv"):
        if r["region"] not in KEEP_REGIONS or not r["general_budget_revenue_100m_yuan"]:
            continue
        add(
            region=r["region"],
            year=r["year"],
            variable="fiscal_revenue",
            unit="亿元",
            value=r["general_budget_revenue_100m_yuan"],
            vintage_code="I",
            vintage=r["vintage"],
            scope="general public budget revenue",
            status="sourced",
            source=r["source"],
            confidence=r["confidence"],
            notes=r["notes"],
        )

    for r in _read(shared / "tech_contracts.csv"):
        for col, var in (
            ("bj_turnover_100m_yuan", "tech_turnover_bj"),
            ("to_tianjin_hebei_100m_yuan", "tech_flow_tj_he"),
        ):
            if r[col]:
                add(
                    region="BJ",
                    year=r["year"],
                    variable=var,
                    unit="亿元",
                    value=r[col],
                    vintage_code="I",
                    vintage="as published",
                    scope=r["share_basis"],
                    status="sourced",
                    source=r["source"],
                    confidence=r["confidence"],
                    notes=r["notes"],
                )
    add(
        region="BJ",
        year=2022,
        variable="tech_flow_tj_he",
        unit="亿元",
        value="356.9",
        vintage_code="I",
        scope="share of total turnover",
        status="derived",
        method="2023 flow 748.7 / (1 + 109.8%) (growth rate printed with the 2023 figure)",
        source="tech_contracts.csv 2023 row",
        confidence="high",
    )
    add(
        region="BJ",
        year=2022,
        variable="tech_turnover_bj",
        unit="亿元",
        value="7948.7",
        vintage_code="I",
        scope="total turnover",
        status="derived",
        method="2023 turnover 8536.9 / (1 + 7.4%); the article prints 7947.5",
        source="tech_contracts.csv 2023 row",
        confidence="high",
    )

    obs.sort(key=lambda o: (o["variable"], o["region"], int(o["year"]), o["vintage_code"]))
    return units, obs


def write(rows: list[dict], path: Path, columns: list[str]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    units, obs = build(args.shared)
    OUT.mkdir(parents=True, exist_ok=True)
    write(units, OUT / "units.csv", list(units[0]))
    write(obs, OUT / "observations.csv", OBS_COLUMNS)
    n_est = sum(o["status"] == "estimate" for o in obs)
    print(f"wrote {len(units)} units and {len(obs)} observations ({n_est} estimates) to {OUT}")


if __name__ == "__main__":
    main()
