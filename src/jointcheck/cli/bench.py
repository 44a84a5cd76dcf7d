"""``jointcheck bench``: measured figures beside their reference, from the same run."""

from __future__ import annotations

from pathlib import Path

import typer

from jointcheck.cli.common import JsonOption, console, print_json, usage_error

app = typer.Typer(help="Benchmarks: each prints its figures beside a reference measured in the "
                  "same run, as a ratio.", no_args_is_help=True)


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
