"""``jointcheck bench``: measured figures beside their reference, from the same run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from jointcheck.cli.common import JsonOption, console, print_json, usage_error
from jointcheck.errors import JointcheckError
from jointcheck.storage.db import database_url

app = typer.Typer(help="Benchmarks: each prints its figures beside a reference measured in the "
                  "same run, as a ratio.", no_args_is_help=True)


# The benchmarks that run a server measure on scratch databases (bench.scaffold).
def _database_urls(values: list[str]) -> list[str]:
    for value in values:
        try:
            database_url(value)
        except JointcheckError as error:
            raise typer.BadParameter(str(error)) from None
    return values


ScratchDbOption = typer.Option(
    [], "--db", callback=_database_urls, help="Where to measure: a SQLite URL (a temporary "
    "file is used) or a PostgreSQL server URL (a temporary database is created and dropped). "
    "Repeat. Default: SQLite.")


def _print_skipped(figures: dict[str, Any]) -> None:
    for target, reason in figures["skipped"].items():
        console.print(f"  skipped {target}: {reason}")


@app.command("verify")
def verify_bench(
    count: int = typer.Option(3000, min=100, help="Certificates to issue and verify."),
    rounds: int = typer.Option(5, min=1, help="Interleaved rounds; the median is reported."),
    as_json: bool = JsonOption,
) -> None:
    """Verify HC1 certificates end to end against raw ES256 and a pycose pipeline."""
    from jointcheck.bench import verify

    figures = verify.run(count=count, rounds=rounds, pycose_count=max(100, count // 10))
    if as_json:
        print_json(figures)
        return
    console.print(f"{figures['certificates']} certificates, {figures['rounds']} rounds, "
                  f"pinned to CPU {figures['cpu']}")
    rows = (("jointcheck pipeline (QR text to result)", "pipeline"),
            ("raw ES256 verify (cryptography)", "raw_es256"),
            ("base45+zlib+cbor2+pycose pipeline", "pycose"),
            ("bare minimum (decode + verify, no checks)", "bare"))
    for label, key in rows:
        console.print(f"  {label:40} {figures[key + '_per_s']:>9,.0f}/s "
                      f"({figures[key + '_us']} µs)")
    console.print(f"  ratio to raw ES256: {figures['ratio_raw']:.2f}   ratio to pycose: "
                  f"{figures['ratio_pycose']:.1f}x   bare minimum to raw ES256: "
                  f"{figures['ratio_bare_to_raw']:.2f}")


@app.command("certlogic")
def certlogic_bench(
    directory: Path = typer.Argument(..., help="Business rules folder (dcc-business-rules "
                                     "layout) or the conformance root."),
    rounds: int = typer.Option(20, min=1, help="Rounds over every rule test."),
    as_json: bool = JsonOption,
) -> None:
    """Evaluate the business rules' tests with jointcheck's engine and panzi-json-logic."""
    from jointcheck.bench import certlogic

    if (directory / "dcc-business-rules").is_dir():
        directory = directory / "dcc-business-rules"
    if not directory.is_dir():
        usage_error(f"{directory} is not a folder")
    figures = certlogic.run(directory, rounds=rounds)
    if as_json:
        print_json(figures)
        return
    for key, value in figures.items():
        console.print(f"  {key:32} {value}")


@app.command("decide")
def decide_bench(
    policy: str = typer.Option("fangzi-2021", "--policy", help="A shipped pack id."),
    rounds: int = typer.Option(9, min=1, help="Interleaved rounds; the median is reported."),
    as_json: bool = JsonOption,
) -> None:
    """Decide at the door with a compiled pack, beside the signature checks it follows."""
    from jointcheck.bench import decide

    figures = decide.run(policy, rounds=rounds)
    if as_json:
        print_json(figures)
        return
    console.print(f"{figures['policy']}: {figures['people']} people x {figures['categories']} "
                  f"venue categories, {figures['credentials_per_person']:.1f} credentials each, "
                  f"{figures['rounds']} rounds, pinned to CPU {figures['cpu']}")
    console.print(f"  decision (verified credentials to outcome) {figures['decisions_per_s']:>9,}"
                  f"/s ({figures['decision_us']} µs)")
    running, micros = figures["decisions_each_instant_per_s"], figures["decision_each_instant_us"]
    console.print(f"  ... each at its own instant, as a clock   {running:>9,}/s ({micros} µs)")
    checks, micros = figures["signature_checks_per_s"], figures["signature_checks_us"]
    console.print(f"  ES256 signature checks of the same person  {checks:>9,}/s ({micros} µs)")
    console.print(f"  ratio decision / signature checks: "
                  f"{figures['ratio_decision_to_signatures']:.3f} (target below 0.1); each at "
                  f"its own instant: {figures['ratio_each_instant_to_signatures']:.3f}")


@app.command("import")
def import_bench(
    records: int = typer.Option(1_000_000, min=3, help="Vaccination records to import."),
    db: list[str] = typer.Option([], "--db", help="Where to measure: a SQLite URL (a temporary "
                                 "file is used) or a PostgreSQL server URL (a temporary "
                                 "database is created and dropped). Repeat. Default: both, "
                                 "PostgreSQL on 127.0.0.1:5432 as postgres."),
    as_json: bool = JsonOption,
) -> None:
    """Import vaccination records through the import service, beside a bare bulk insert."""
    from jointcheck.bench import import_

    figures = import_.run(records, db or None)
    if as_json:
        print_json(figures)
        return
    console.print(f"{figures['records']:,} vaccination records (seed {figures['seed']})")
    for result in figures["results"]:
        console.print(f"  {result['database']:10} import service {result['service_per_s']:>9,}/s"
                      f"   bare bulk insert {result['reference_per_s']:>9,}/s"
                      f"   ratio {result['ratio']:.2f}   re-import (unchanged) "
                      f"{result['reimport_per_s']:>9,}/s   residents "
                      f"{result['residents_per_s']:,}/s")
    _print_skipped(figures)


@app.command("issue-api")
def issue_api_bench(
    db: list[str] = ScratchDbOption,
    seconds: float = typer.Option(6.0, "--seconds", min=1.0, help="How long to issue through "
                                  "the API (split over the interleaved rounds)."),
    clients: int = typer.Option(1, "--clients", min=1, max=64, help="Above 1: also measure "
                                "this many clients issuing at once."),
    residents: int = typer.Option(300, "--residents", min=10, help="Synthetic residents."),
    as_json: bool = JsonOption,
) -> None:
    """Issue health codes through the real API over HTTP, beside raw ES256 signing."""
    from jointcheck.bench import issue_api

    figures = issue_api.run(db or None, seconds=seconds, residents=residents, clients=clients)
    if as_json:
        print_json(figures)
        return
    console.print(f"health codes through POST /api/residents/{{pid}}/health-code, "
                  f"{figures['seconds']:g} s in {figures['rounds']} interleaved rounds")
    for result in figures["results"]:
        console.print(f"  {result['database']:10} API (1 client) {result['codes_per_s']:>8,.1f}/s"
                      f"   raw ES256 sign {result['raw_signs_per_s']:>9,.0f}/s"
                      f"   ratio {result['ratio']:.4f}")
        console.print(f"  {'':10} latency p50 {result['latency_ms_p50']} ms, p99 "
                      f"{result['latency_ms_p99']} ms; QR PNG render alone "
                      f"{result['png_renders_per_s']:,.1f}/s")
        if "concurrent_codes_per_s" in result:
            console.print(f"  {'':10} API ({result['clients']} clients) "
                          f"{result['concurrent_codes_per_s']:>8,.1f}/s   ratio "
                          f"{result['concurrent_ratio']:.4f}")
    _print_skipped(figures)


@app.command("ingest")
def ingest_bench(
    db: list[str] = ScratchDbOption,
    events: int = typer.Option(200_000, "--events", min=1, help="Check events to upload."),
    batch: int = typer.Option(1000, "--batch", min=1, max=5000, help="Events per batch."),
    as_json: bool = JsonOption,
) -> None:
    """Upload check events in batches through the real API, beside a bare bulk insert."""
    from jointcheck.bench import ingest

    figures = ingest.run(db or None, events=events, batch=batch)
    if as_json:
        print_json(figures)
        return
    console.print(f"{figures['events']:,} check events in batches of {figures['batch']:,} from "
                  f"{figures['venues']} venues, through POST /api/checks/batches")
    for result in figures["results"]:
        console.print(f"  {result['database']:10} API {result['api_events_per_s']:>9,} events/s"
                      f"   bare executemany {result['bare_events_per_s']:>9,}/s"
                      f"   ratio {result['ratio']:.3f}   {result['registrations']:,} "
                      f"registrations; a batch p50 {result['batch_ms_p50']} ms, "
                      f"p99 {result['batch_ms_p99']} ms")
    _print_skipped(figures)


@app.command("rollup")
def rollup_bench(
    db: list[str] = ScratchDbOption,
    events: int = typer.Option(10_000_000, "--events", min=1, help="Check events of the day."),
    streets: int = typer.Option(20, "--streets", min=1, max=99, help="Streets."),
    venues: int = typer.Option(5000, "--venues", min=1, help="Venues."),
    repeat: int = typer.Option(3, "--repeat", min=1, help="Runs of each; the median counts."),
    as_json: bool = JsonOption,
) -> None:
    """Time the daily street roll-up of a busy day beside a bare GROUP BY of its counts."""
    from jointcheck.bench import rollup

    figures = rollup.run(db or None, events=events, streets=streets, venues=venues,
                         repeat=repeat)
    if as_json:
        print_json(figures)
        return
    console.print(f"a day of {figures['events']:,} check events ({figures['day']}, "
                  f"{figures['timezone']}) at {figures['venues']:,} venues in "
                  f"{figures['streets']} streets, median of {figures['repeat']}")
    for result in figures["results"]:
        console.print(f"  {result['database']:10} {result['events']:,} events in "
                      f"{result['count_rows']:,} hourly rows: roll-up {result['rollup_ms']:,} ms "
                      f"({result['fact_rows']:,} fact rows)   GROUP BY "
                      f"{result['group_by_ms']:,} ms ({result['groups']:,} groups)   "
                      f"ratio {result['ratio']:.2f}")
    _print_skipped(figures)


@app.command("node")
def node_bench(
    checks: int = typer.Option(2000, "--checks", min=10, help="Checks to send to the node."),
    as_json: bool = JsonOption,
) -> None:
    """Scan to decision through a synced checkpoint node over HTTP, beside verify + decide."""
    from jointcheck.bench import node

    figures = node.run(checks)
    if as_json:
        print_json(figures)
        return
    console.print(f"{figures['checks']:,} checks (health code + certificate, {figures['people']} "
                  f"people) through POST /api/check of a synced node, each queued on disk")
    console.print(f"  node over HTTP          p50 {figures['node_ms_p50']:>8} ms   p99 "
                  f"{figures['node_ms_p99']:>8} ms   ({figures['checks_per_s']:,}/s)")
    console.print(f"  verify + decide alone   p50 {figures['reference_ms_p50']:>8} ms   p99 "
                  f"{figures['reference_ms_p99']:>8} ms")
    console.print(f"  ratio (median node / median reference): {figures['ratio_p50']:.2f}")
