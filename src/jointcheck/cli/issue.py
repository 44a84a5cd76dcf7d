"""``jointcheck issue``: sign a certificate or health code and print its QR text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import typer

from jointcheck.cli.common import AtOption, instant, usage_error
from jointcheck.cli.keys import PassphraseFileOption, open_store, passphrase
from jointcheck.clock import parse_instant
from jointcheck.credentials.model import CodeColor
from jointcheck.credentials.payloads import Holder, exemption_reasons
from jointcheck.credentials.qr import render_png, render_svg
from jointcheck.errors import JointcheckError
from jointcheck.trust.issuer import Issued, Issuer

app = typer.Typer(help="Issue signed credentials (prints the QR text).", no_args_is_help=True)
KeysOption = typer.Option(..., "--keys", help="The key store folder (KEYDIR).")
NameOption = typer.Option(..., "--name", help='Holder\'s name, family name first: "张 伟", '
                          '"Rossi, Mario".')
DobOption = typer.Option(..., "--dob", help="Date of birth, YYYY-MM-DD.")
PngOption = typer.Option(None, "--png", help="Also write the QR code as PNG here.")
SvgOption = typer.Option(None, "--svg", help="Also write the QR code as SVG here.")
TEST_RESULTS = {"negative": "260415000", "positive": "260373001"}
TEST_TYPES = {"pcr": "LP6464-4", "rat": "LP217198-3"}


def _issuer(keys: Path, passphrase_file: Path | None) -> Issuer:
    return open_store(keys, passphrase(passphrase_file)).issuer()


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        usage_error(f"{option} {text!r} is not a date (YYYY-MM-DD)")


def _holder(name: str, dob: str, pid: str | None = None) -> Holder:
    try:
        return Holder.parse(name, dob, pid)
    except JointcheckError as exc:
        usage_error(exc.message)


def _emit(make: Callable[[], Issued], png: Path | None, svg: Path | None) -> None:
    try:
        issued = make()
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    typer.echo(issued.text)
    if png:
        png.write_bytes(render_png(issued.text))
    if svg:
        svg.write_bytes(render_svg(issued.text))
    typer.echo(f"{issued.type.value} {issued.certificate_id} expires "
               f"{issued.expires_at:%Y-%m-%dT%H:%M:%SZ}", err=True)


@app.command("vaccination")
def vaccination(
    keys: Path = KeysOption, name: str = NameOption, dob: str = DobOption,
    dose: int = typer.Option(..., "--dose", min=1, max=9, help="Dose number."),
    of: int = typer.Option(..., "--of", min=1, max=9, help="Doses in the series."),
    when: str = typer.Option(..., "--date", help="Date of this dose, YYYY-MM-DD."),
    product: str = typer.Option("BBIBP-CorV", help="Medicinal product (DCC value set)."),
    vaccine: str = typer.Option("1157024006", help="Vaccine type (SNOMED CT, DCC value set)."),
    manufacturer: str = typer.Option("ORG-100020693", help="Marketing authorisation holder."),
    png: Path | None = PngOption, svg: Path | None = SvgOption,
    passphrase_file: Path | None = PassphraseFileOption, at: str | None = AtOption,
) -> None:
    """Issue a vaccination certificate (EU DCC) for one dose."""
    if dose > of:
        usage_error("--dose cannot exceed --of")
    holder, day, now = _holder(name, dob), _day(when, "--date"), instant(at)
    issuer = _issuer(keys, passphrase_file)
    _emit(lambda: issuer.vaccination(holder, dose=dose, series=of, when=day, at=now,
                                     product=product, vaccine=vaccine,
                                     manufacturer=manufacturer), png, svg)


@app.command("test")
def test(
    keys: Path = KeysOption, name: str = NameOption, dob: str = DobOption,
    sampled_at: str = typer.Option(..., "--sampled-at", help="When the sample was taken."),
    result: str = typer.Option("negative", help="negative or positive."),
    test_type: str = typer.Option("pcr", "--test-type", help="pcr or rat."),
    centre: str = typer.Option("", help="Testing centre."),
    png: Path | None = PngOption, svg: Path | None = SvgOption,
    passphrase_file: Path | None = PassphraseFileOption, at: str | None = AtOption,
) -> None:
    """Issue a test certificate (EU DCC)."""
    if result not in TEST_RESULTS or test_type not in TEST_TYPES:
        usage_error("--result is negative|positive and --test-type is pcr|rat")
    holder, now = _holder(name, dob), instant(at)
    try:
        sampled = parse_instant(sampled_at)
    except ValueError:
        usage_error(f"--sampled-at {sampled_at!r} is not an ISO 8601 time")
    issuer = _issuer(keys, passphrase_file)
    _emit(lambda: issuer.test(holder, sampled_at=sampled, at=now, result=TEST_RESULTS[result],
                              test_type=TEST_TYPES[test_type], centre=centre), png, svg)


@app.command("recovery")
def recovery(
    keys: Path = KeysOption, name: str = NameOption, dob: str = DobOption,
    first_positive: str = typer.Option(..., "--first-positive", help="First positive test."),
    valid_from: str = typer.Option(..., "--valid-from", help="Valid from, YYYY-MM-DD."),
    valid_until: str = typer.Option(..., "--valid-until", help="Valid until, YYYY-MM-DD."),
    png: Path | None = PngOption, svg: Path | None = SvgOption,
    passphrase_file: Path | None = PassphraseFileOption, at: str | None = AtOption,
) -> None:
    """Issue a recovery certificate (EU DCC)."""
    holder, now = _holder(name, dob), instant(at)
    fr, df, du = (_day(first_positive, "--first-positive"), _day(valid_from, "--valid-from"),
                  _day(valid_until, "--valid-until"))
    issuer = _issuer(keys, passphrase_file)
    _emit(lambda: issuer.recovery(holder, first_positive=fr, valid_from=df, valid_until=du,
                                  at=now), png, svg)


@app.command("exemption")
def exemption(
    keys: Path = KeysOption, name: str = NameOption, dob: str = DobOption,
    institution: str = typer.Option(..., help="The issuing medical institution."),
    institution_level: int = typer.Option(..., "--institution-level", min=1, max=3,
                                          help="The institution's level (1-3)."),
    reason: str = typer.Option("other-medical", help=f"Reason category: "
                               f"{', '.join(exemption_reasons())} (never the diagnosis)."),
    valid_from: str | None = typer.Option(None, "--valid-from", help="Default: the issue day."),
    valid_until: str = typer.Option(..., "--valid-until", help="Last valid day, YYYY-MM-DD."),
    png: Path | None = PngOption, svg: Path | None = SvgOption,
    passphrase_file: Path | None = PassphraseFileOption, at: str | None = AtOption,
) -> None:
    """Issue a contraindication (exemption) certificate."""
    holder, now = _holder(name, dob), instant(at)
    df = _day(valid_from, "--valid-from") if valid_from else now.date()
    du = _day(valid_until, "--valid-until")
    issuer = _issuer(keys, passphrase_file)
    _emit(lambda: issuer.exemption(holder, institution=institution,
                                   institution_level=institution_level, reason_category=reason,
                                   valid_from=df, valid_until=du, at=now), png, svg)


@app.command("health-code")
def health_code(
    keys: Path = KeysOption, name: str = NameOption, dob: str = DobOption,
    color: CodeColor = typer.Option(..., "--color", help="green, yellow or red."),
    pid: str = typer.Option(..., "--pid", help="The holder's pseudonymous id (16-64 of "
                            "A-Z a-z 0-9 _ -)."),
    ttl: int = typer.Option(600, "--ttl", min=1, max=86400, help="Seconds the code is valid."),
    png: Path | None = PngOption, svg: Path | None = SvgOption,
    passphrase_file: Path | None = PassphraseFileOption, at: str | None = AtOption,
) -> None:
    """Issue a short-lived health code."""
    holder, now = _holder(name, dob, pid), instant(at)
    issuer = _issuer(keys, passphrase_file)
    _emit(lambda: issuer.health_code(holder, color=color, at=now, ttl=timedelta(seconds=ttl)),
          png, svg)

