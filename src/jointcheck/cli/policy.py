"""``jointcheck policy``: list, show, validate and simulate policy packs."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from jointcheck.cli.check import load_policy
from jointcheck.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    AtOption,
    JsonOption,
    console,
    errors,
    instant,
    print_json,
    usage_error,
)
from jointcheck.cli.database import database_session, settings_or_exit
from jointcheck.errors import PolicyError
from jointcheck.policy_sources import load_pack_file
from jointcheck.rules.pack_files import SHIPPED, shipped_pack
from jointcheck.rules.policy import PolicyPack
from jointcheck.rules.scenarios import ScenarioResult, run_scenarios
from jointcheck.rules.simulation import OUTCOMES, SimulationResult, parse_population, simulate
from jointcheck.rules.venues import VENUE_CATEGORY_NAMES
from jointcheck.services.simulation import simulate_registry

app = typer.Typer(help="Policy packs: the rules at the door, as data.", no_args_is_help=True)


def _validity(pack: PolicyPack) -> str:
    until = pack.valid_until.date().isoformat() if pack.valid_until else "until withdrawn"
    return f"{pack.valid_from.date().isoformat()} – {until}"


@app.command("list")
def list_command(as_json: bool = JsonOption) -> None:
    """List the policy packs shipped with jointcheck."""
    packs = [shipped_pack(pack_id) for pack_id in SHIPPED]
    if as_json:
        print_json({"packs": [{"id": p.id, "version": p.version, "jurisdiction":
                               {"en": p.jurisdiction.en, "zh": p.jurisdiction.zh},
                               "valid_from": p.valid_from, "valid_until": p.valid_until}
                              for p in packs]})
        return
    table = Table(title="Shipped policy packs")
    for column in ("id", "version", "jurisdiction", "valid"):
        table.add_column(column)
    for p in packs:
        table.add_row(p.id, p.version, f"{p.jurisdiction.en} / {p.jurisdiction.zh}", _validity(p))
    console.print(table)


@app.command("show")
def show_command(pack_id: str = typer.Argument(..., metavar="ID", help="Pack id or file."),
                 as_json: bool = JsonOption) -> None:
    """Show a pack: its reading of the seed, each venue category's rule, and its scenarios."""
    pack = load_policy(pack_id)
    if as_json:
        print_json(dict(pack.document))
        return
    console.print(f"[bold]{pack.id}[/] {pack.version}: {pack.jurisdiction.en} / "
                  f"{pack.jurisdiction.zh}, valid {_validity(pack)} ({pack.timezone.key})")
    console.print(f"ages: eligible from {pack.eligible_from}, adult from {pack.adult_from}; "
                  f"health code passes: {', '.join(sorted(pack.passing_colors))}; exemptions: "
                  f"level {pack.exemptions.min_institution_level}+ "
                  f"{'accepted' if pack.exemptions.accepted else 'not accepted'}; "
                  f"registrations kept {pack.retention_days} days")
    if pack.source:
        console.print(f"source: {pack.source}")
    if pack.reading:
        console.print(pack.reading.rstrip())
    products = Table(title="Accepted vaccine products")
    for column in ("code", "name", "series", "complete after (days)"):
        products.add_column(column)
    for p in pack.products:
        products.add_row(p.code, p.name, str(p.series), str(p.days_after_complete))
    console.print(products)
    rules = Table(title="Rules by venue category (first case that holds decides)")
    for column in ("category", "rule", "cases: outcome (basis)"):
        rules.add_column(column)
    for category, rule_id in pack.categories.items():
        cases = "; ".join(f"{c.id}: {c.outcome} ({c.basis})" for c in pack.rules[rule_id].cases)
        rules.add_row(f"{category}\n{VENUE_CATEGORY_NAMES[category][1]}", rule_id, cases)
    console.print(rules)


@app.command("validate")
def validate_command(
    path: Path = typer.Argument(..., metavar="FILE", help="A policy pack (YAML or JSON)."),
    as_json: bool = JsonOption,
) -> None:
    """Check a pack file against the schema, then run its scenario table end to end."""
    try:
        pack = load_pack_file(path)
    except PolicyError as exc:
        if as_json:
            print_json({"valid": False, "code": exc.code, "message": exc.message})
        else:
            errors.print(f"[red]invalid:[/red] {exc.message}")
        raise typer.Exit(EXIT_REFUSED) from None
    results = run_scenarios(pack)
    failed = [r for r in results if not r.passed]
    if as_json:
        print_json({"valid": True, "id": pack.id, "version": pack.version,
                    "scenarios": [_scenario_json(r) for r in results],
                    "scenarios_passed": len(results) - len(failed),
                    "scenarios_failed": len(failed)})
    else:
        console.print(f"[green]valid:[/green] {pack.id} {pack.version} ({path})")
        for r in results:
            mark = "[green]pass[/]" if r.passed else "[red]FAIL[/]"
            console.print(f"  {mark} {r.name} at {r.venue}: expected {r.expected_outcome} "
                          f"({r.expected_basis}), got {r.decision.outcome.value} "
                          f"({r.decision.basis.value}) by {r.decision.rule}")
        print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    raise typer.Exit(EXIT_REFUSED if failed else EXIT_OK)


def _scenario_json(result: ScenarioResult) -> dict[str, object]:
    return {"name": result.name, "venue_category": result.venue, "passed": result.passed,
            "expected": {"outcome": result.expected_outcome, "basis": result.expected_basis},
            "outcome": result.decision.outcome.value, "basis": result.decision.basis.value,
            "rule": result.decision.rule}


@app.command("simulate")
def simulate_command(
    policy: str = typer.Option(..., "--policy", help="A shipped pack id or a pack file."),
    population: Path | None = typer.Option(None, "--population", help="CSV: person, birth_date, "
                                           "street, doses (PRODUCT@DATE;...), exemption_level, "
                                           "exemption_valid_from, exemption_valid_until."),
    db: str | None = typer.Option(None, "--db", help="Simulate on the registry in this database "
                                  "instead of a CSV (default JOINTCHECK_DATABASE_URL)."),
    from_registry: bool = typer.Option(False, "--registry", help="Simulate on the registry "
                                       "(the database of --db or the settings)."),
    area: str | None = typer.Option(None, "--area", help="With --registry: only residents of "
                                    "this area code and what lies in it."),
    at: str | None = AtOption,
    category: list[str] = typer.Option([], "--venue-category", help="Only these categories. "
                                       "Repeat."),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV instead of a table."),
    as_json: bool = JsonOption,
) -> None:
    """Count what a pack would decide for a population, per street and venue category."""
    when = instant(at)
    pack = load_policy(policy)
    from_registry = from_registry or db is not None
    if (population is None) == (not from_registry):
        usage_error("give either --population FILE.csv or --registry (with --db URL)")
    try:
        if population is not None:
            result = _simulate_file(pack, population, when, category or None)
        else:
            result = _simulate_registry(pack, db, area, when, category or None)
    except PolicyError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    _print_simulation(pack, result, when, as_csv, as_json)


def _simulate_file(pack: PolicyPack, population: Path, when: datetime,
                   categories: list[str] | None) -> SimulationResult:
    try:
        with population.open(newline="", encoding="utf-8-sig") as handle:
            people = list(parse_population(csv.DictReader(handle)))
    except OSError as exc:
        usage_error(f"cannot read {population}: {exc.strerror}")
    return simulate(pack, people, when, categories)


def _simulate_registry(pack: PolicyPack, db: str | None, area: str | None, when: datetime,
                       categories: list[str] | None) -> SimulationResult:
    with database_session(db, settings_or_exit()) as session:
        return simulate_registry(session, pack, when, categories, area)


def _print_simulation(pack: PolicyPack, result: SimulationResult, when: datetime, as_csv: bool,
                      as_json: bool) -> None:
    rows = list(result.rows())
    if as_csv:
        writer = csv.DictWriter(sys.stdout, ["street", "venue_category", *OUTCOMES],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    if as_json:
        print_json({"policy": {"id": pack.id, "version": pack.version}, "at": when,
                    "people": dict(result.people), "rows": rows})
        return
    table = Table(title=f"{pack.id} {pack.version} on {sum(result.people.values())} people at "
                  f"{when:%Y-%m-%d %H:%M} UTC")
    for column in ("street", "venue category", *OUTCOMES):
        table.add_column(column, justify="right" if column in OUTCOMES else "left")
    for row in rows:
        table.add_row(str(row["street"]), str(row["venue_category"]),
                      *(f"{row[o]:,}" for o in OUTCOMES))
    console.print(table)
