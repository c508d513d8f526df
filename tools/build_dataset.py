"""Build jjjplan's bundled baseline dataset from the research data in ../shared/data.

Why a build step: the shared CSVs keep every vintage and scope side by side, as published.
The package needs the same rows with a machine-readable vintage code and scope, plus the
few values we must *estimate* (each flagged with its method), so that the model can pick one
consistent vintage per calculation. Nothing is averaged or silently filled.

Run:  python tools/build_dataset.py [--shared ../shared/data]
Writes jjjplan/data/units.csv, jjjplan/data/observations.csv and the assembled default
vintage jjjplan/data/vintage_2024-census5.csv (UTF-8, LF). Rows the shared data lacks live
in tools/data_sources/*.csv (package-owned, each with its source).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from jjjplan.baseline import TABLE_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "jjjplan" / "data"
EXTRA = ROOT / "tools" / "data_sources"
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

    for path in sorted(EXTRA.glob("*.csv")):
        for r in _read(path):
            add(**r)

    obs.sort(key=lambda o: (o["variable"], o["region"], int(o["year"]), o["vintage_code"]))
    return units, obs


# --- the default vintage: post-fifth-economic-census, observed 2022-2024 -------------------

VINTAGE_ID = "2024-census5"
VINTAGE_YEARS = (2022, 2023, 2024)
#: The tidy columns the package reads back (one definition: ``jjjplan.baseline``).
VINTAGE_COLUMNS = list(TABLE_COLUMNS)
PROVINCE_UNITS = ("BJ", "TJ")
#: Which published vintage each province-level series uses, by year (post-census basis only:
#: R5 = revised after the 5th economic census, I5 = 2024 initial release published after it;
#: growth rates are the communiqués' real growth, I for 2023 and I5 for 2024).
CENSUS5_PICK = {
    "gdp": {2022: ("R5",), 2023: ("R5",), 2024: ("I5",)},
    "real_growth": {2023: ("I",), 2024: ("I5",)},
    "population": {2022: ("E",), 2023: ("E",), 2024: ("E",)},
    "fiscal_revenue": {2022: ("I",), 2023: ("I",), 2024: ("I",)},
    "fiscal_expenditure": {2022: ("I",), 2023: ("I",), 2024: ("I",)},
}
UNIT_TEXT = {
    "gdp_current": ("亿元", "current prices"),
    "real_growth": ("%", "real (constant prices of the previous year)"),
    "population": ("万人", ""),
    "fiscal_revenue": ("亿元", "current prices"),
    "fiscal_expenditure": ("亿元", "current prices"),
}


def _find(obs: list[dict], variable: str, region: str, year: int, codes: tuple[str, ...]):
    for code in codes:
        hits = [
            o
            for o in obs
            if o["variable"] == variable
            and o["region"] == region
            and int(o["year"]) == year
            and o["vintage_code"] == code
        ]
        if len(hits) > 1:
            raise ValueError(f"ambiguous {variable} {region} {year} {code}")
        if hits:
            return hits[0]
    return None


def _row(region, year, variable, value, o=None, **extra) -> dict:
    unit, basis = UNIT_TEXT[variable]
    row = {
        "region": region,
        "year": year,
        "variable": variable,
        "value": value,
        "unit": unit,
        "price_basis": basis,
        "vintage_code": o["vintage_code"] if o else "Est5",
        "status": o["status"] if o else "estimate",
        "method": o["method"] if o else "",
        "source": o["source"] if o else "",
        "confidence": o["confidence"] if o else "estimated",
    }
    row.update(extra)
    return row


def assemble_census5(units: list[dict], obs: list[dict]) -> list[dict]:
    """The default vintage as one tidy table: every value the model uses, with provenance.

    Provinces (BJ, TJ and the HE total) take published post-census values. Hebei cities have
    no post-census figures in the sources, so their GDP is the HE total split by the latest
    sourced city shares (Wikipedia 2022 yearbook-scope table), their growth is Hebei's, and
    their population is the census share of what HE's year-end total leaves after the cities
    that publish a year-end figure. Each such value is flagged ``estimate`` with its method.
    """
    cities = [u["code"] for u in units if u["province"] == "HE"]
    out: list[dict] = []
    province_values: dict[tuple[str, str, int], float] = {}
    for region in (*PROVINCE_UNITS, "HE"):
        for variable, by_year in CENSUS5_PICK.items():
            for year, codes in by_year.items():
                o = _find(obs, variable, region, year, codes)
                if o is None:
                    if variable.startswith("fiscal"):
                        continue  # an unpublished fiscal value stays NaN
                    raise ValueError(f"no {variable} for {region} {year} in {codes}")
                name = "gdp_current" if variable == "gdp" else variable
                province_values[(region, name, year)] = float(o["value"])
                out.append(_row(region, year, name, o["value"], o))  # HE: the cities' total

    # National GDP and growth (for the national share and the national growth path).
    for variable, by_year in (
        ("gdp", CENSUS5_PICK["gdp"]),
        ("real_growth", CENSUS5_PICK["real_growth"]),
    ):
        for year, codes in by_year.items():
            o = _find(obs, variable, "CN", year, codes)
            if o is None:
                raise ValueError(f"no {variable} for CN {year} in {codes}")
            name = "gdp_current" if variable == "gdp" else variable
            out.append(_row("CN", year, name, o["value"], o))

    # City GDP: post-census city figures where sourced; the rest of the HE total split by the
    # cities' shares in the latest sourced complete city table (W 2022, Hebei-yearbook scope).
    w = {c: float(_find(obs, "gdp", c, 2022, ("W",))["value"]) for c in cities}
    for year in VINTAGE_YEARS:
        he = province_values[("HE", "gdp_current", year)]
        he_code = "R5" if year < 2024 else "I5"
        sourced = {c: _find(obs, "gdp", c, year, ("R5", "I5")) for c in cities}
        sourced = {c: o for c, o in sourced.items() if o is not None}
        rest = [c for c in cities if c not in sourced]
        left = he - sum(float(o["value"]) for o in sourced.values())
        w_rest = sum(w[c] for c in rest)
        minus = "".join(f" − {k} {float(o['value']):g}" for k, o in sourced.items())
        for c in cities:
            if c in sourced:
                out.append(_row(c, year, "gdp_current", sourced[c]["value"], sourced[c]))
                continue
            share = w[c] / w_rest
            out.append(
                _row(
                    c,
                    year,
                    "gdp_current",
                    f"{left * share:.2f}",
                    method=(
                        f"(HE {year} GDP {he_code} {he:g}{minus}) × the city's share among "
                        f"cities without a post-census figure in the Hebei-yearbook 2022 city "
                        f"table (W {w[c]:g} / {w_rest:g} = {share:.5f})"
                    ),
                    source="derived from gdp.csv rows (HE R5/I5, cities W 2022)",
                )
            )
    # City growth: the city's published growth, else Hebei's.
    for year in VINTAGE_YEARS[1:]:
        g = province_values[("HE", "real_growth", year)]
        for c in cities:
            o = _find(obs, "real_growth", c, year, ("I5",) if year == 2024 else ("I",))
            if o is not None:
                out.append(_row(c, year, "real_growth", o["value"], o))
                continue
            out.append(
                _row(
                    c,
                    year,
                    "real_growth",
                    f"{g:g}",
                    method=f"Hebei provincial real growth {year} ({g:g}%) applied to the city",
                    source="HE real_growth row",
                )
            )
    # City population: sourced year-end where published, else census share of the remainder.
    census = {c: float(_find(obs, "population", c, 2020, ("Cy",))["value"]) for c in cities}
    for year in VINTAGE_YEARS:
        he = province_values[("HE", "population", year)]
        sourced = {c: _find(obs, "population", c, year, ("E",)) for c in cities}
        sourced = {c: o for c, o in sourced.items() if o is not None}
        rest = [c for c in cities if c not in sourced]
        left = he - sum(float(o["value"]) for o in sourced.values())
        rest_census = sum(census[c] for c in rest)
        for c in cities:
            if c in sourced:
                out.append(_row(c, year, "population", sourced[c]["value"], sourced[c]))
                continue
            share = census[c] / rest_census
            minus = " − ".join(f"{k} {float(o['value']):g}" for k, o in sourced.items())
            left_text = f"(HE {he:g} − {minus})" if minus else f"HE {he:g}"
            out.append(
                _row(
                    c,
                    year,
                    "population",
                    f"{left * share:.4f}",
                    method=(
                        f"year-end {year}: {left_text} × 2020 census share among the cities "
                        f"without a published figure ({census[c]:.4f}/{rest_census:.4f} = "
                        f"{share:.5f}); assumes shares unchanged since Nov 2020"
                    ),
                    source="derived from population.csv rows (census 2020 yearbook scope; HE)",
                )
            )
    order = {u["code"]: i for i, u in enumerate(units)}
    out.sort(key=lambda r: (r["variable"], int(r["year"]), order.get(r["region"], 99)))
    return out


SERIES_LABELS = {
    "gdp_current": "GDP (current prices)",
    "real_growth": "real growth",
    "population": "year-end population",
    "fiscal_revenue": "budget revenue",
    "fiscal_expenditure": "budget expenditure",
}


def coverage_markdown(units: list[dict], table: list[dict]) -> str:
    """Per unit and series, which years are sourced (with confidence) and which estimated."""
    codes = [*PROVINCE_UNITS, "HE", *[u["code"] for u in units if u["province"] == "HE"]]
    lines = [
        f"# Coverage of the default vintage {VINTAGE_ID}",
        "",
        "Generated by `tools/build_dataset.py`. Each cell lists the years "
        f"{VINTAGE_YEARS[0]}–{VINTAGE_YEARS[-1]}: `S` sourced (h/m/l = high/medium/low "
        "confidence), `E` estimated (method in `vintage_2024-census5.csv`), `-` not available "
        "(NaN; only fiscal series may be missing). HE is the provincial total the Hebei "
        "estimates are split from. Growth is needed from the second year only.",
        "",
        "| unit | " + " | ".join(SERIES_LABELS.values()) + " |",
        "|---|" + "---|" * len(SERIES_LABELS),
    ]
    for code in codes:
        cells = []
        for var in SERIES_LABELS:
            if var.startswith("fiscal") and code not in (*PROVINCE_UNITS, "HE"):
                cells.append("n/a")
                continue
            parts = []
            for year in VINTAGE_YEARS:
                if var == "real_growth" and year == VINTAGE_YEARS[0]:
                    continue
                hit = [
                    r
                    for r in table
                    if r["region"] == code and r["variable"] == var and int(r["year"]) == year
                ]
                if not hit:
                    parts.append(f"{year} -")
                elif hit[0]["status"] == "estimate":
                    parts.append(f"{year} E")
                else:
                    parts.append(f"{year} S{hit[0]['confidence'][:1]}")
            cells.append(", ".join(parts))
        lines.append(f"| {code} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


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
    table = assemble_census5(units, obs)
    write(table, OUT / "vintage_2024-census5.csv", VINTAGE_COLUMNS)
    (OUT / "COVERAGE.md").write_text(coverage_markdown(units, table), encoding="utf-8")
    n_est = sum(o["status"] == "estimate" for o in obs)
    print(f"wrote {len(units)} units and {len(obs)} observations ({n_est} estimates) to {OUT}")
    n_est = sum(r["status"] == "estimate" for r in table)
    print(f"assembled vintage 2024-census5: {len(table)} values ({n_est} estimates)")


if __name__ == "__main__":
    main()
