"""``jointcheck conformance``: run external test data verbatim and report per key and group."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from rich.table import Table

from jointcheck.cli.common import JsonOption, console, print_json, usage_error
from jointcheck.conformance import certlogic, dcc_testdata, shc
from jointcheck.conformance.report import ConformanceReport

app = typer.Typer(help="Run external conformance data verbatim (laid out as upstream).",
                  no_args_is_help=True)
DirArgument = typer.Argument(..., help="The folder holding the data.")


def _run(runner: Callable[[Path], ConformanceReport], directory: Path, as_json: bool,
         gate: bool, folder: str) -> None:
    if not directory.is_dir():
        usage_error(f"{directory} is not a folder")
    if folder and (directory / folder).is_dir():  # the conformance root was given
        directory = directory / folder
    report = runner(directory)
    if as_json:
        print_json(report.as_dict())
    else:
        _print(report)
    failed = report.critical_failures if gate else [r for r in report.results
                                                     if not r.passed and not r.known_issue]
    raise typer.Exit(1 if failed else 0)


def _print(report: ConformanceReport) -> None:
    for attribute, title in (("key", "expectation"), ("group", "group")):
        table = Table(title=f"{report.suite}: by {title}")
        table.add_column(title)
        table.add_column("passed", justify="right")
        table.add_column("failed", justify="right")
        for name, (ok, bad) in report.by(attribute).items():
            table.add_row(name, str(ok), f"[red]{bad}[/]" if bad else "0")
        console.print(table)
    if report.matrix:
        m = report.matrix
        console.print("end to end (should accept / accepted):")
        console.print(f"  should accept: accepted {m['true_accept']}, rejected "
                      f"{m['false_reject']}")
        console.print(f"  should reject: accepted {m['false_accept']}, rejected "
                      f"{m['true_reject']}")
    for result in report.results:
        if not result.passed:
            why = f"known issue {result.known_issue}" if result.known_issue else result.detail
            mark = "[red]CRITICAL[/] " if result.critical and not result.known_issue else ""
            console.print(f"  {mark}{result.case} {result.key}: expected {result.expected}, "
                          f"got {result.actual} ({why})")
    for note in report.notes:
        console.print(f"  [dim]note: {note}[/]")
    print(report.summary_line())


@app.command("dcc-testdata")
def dcc(directory: Path = DirArgument, as_json: bool = JsonOption) -> None:
    """EU DCC test data (dgc-testdata); exits non-zero when a security-critical check fails."""
    _run(dcc_testdata.run, directory, as_json, gate=True, folder="dcc-testdata")


@app.command("certlogic")
def certlogic_suite(directory: Path = DirArgument, as_json: bool = JsonOption) -> None:
    """The CertLogic test suite (testSuite and validation-testSuite)."""
    _run(certlogic.run, directory, as_json, gate=False, folder="certlogic-testsuite")


@app.command("business-rules")
def business_rules(directory: Path = DirArgument, as_json: bool = JsonOption) -> None:
    """The EU member states' business rules with their tests."""
    _run(certlogic.run_business_rules, directory, as_json, gate=False, folder="dcc-business-rules")


@app.command("shc")
def shc_suite(directory: Path = DirArgument, as_json: bool = JsonOption) -> None:
    """SMART Health Cards examples, dev-tools cases and WHO samples; gates false accepts."""
    if directory.name.startswith("shc-"):  # one of the SMART folders: the runner takes the root
        directory = directory.parent
    _run(shc.run, directory, as_json, gate=True, folder="")
