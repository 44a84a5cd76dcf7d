"""What every command shares: time, trust, input reading, JSON output and exit codes."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

from jointcheck.clock import SystemClock, parse_instant
from jointcheck.credentials.cwt import jsonable
from jointcheck.credentials.qr import read_qr
from jointcheck.credentials.registry import QR_NOISE
from jointcheck.errors import JointcheckError
from jointcheck.trust.store import TrustStore
from jointcheck.trust.trustlist import TrustList
from jointcheck.trust_sources import load_trust

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

AtOption = typer.Option(None, "--at", help="Instant of the check or issue (ISO 8601, UTC if no "
                        "zone); default now.")
TrustOption = typer.Option([], "--trust", help="Trusted keys: a signed trust list, X.509 "
                           "certificates (PEM/DER), a JWKS, or a SMART Health Card CRL. Repeat.")
AnchorOption = typer.Option([], "--anchor", help="Pin the trust anchor certificate a trust list "
                            "must be signed by. Repeat.")
JsonOption = typer.Option(False, "--json", help="Print one JSON object.")


def instant(text: str | None) -> datetime:
    """Return the instant given with ``--at``, or the system clock's now (at the edge only)."""
    if text is None:
        return SystemClock().now()
    try:
        return parse_instant(text)
    except ValueError:
        usage_error(f"--at {text!r} is not an ISO 8601 date or time")


def usage_error(message: str) -> NoReturn:
    """Print a usage error and exit with status 2."""
    errors.print(f"[red]error:[/red] {message}")
    raise typer.Exit(EXIT_USAGE)


def trust_from(paths: list[Path], anchors: list[Path]) -> tuple[TrustStore, list[TrustList]]:
    """Load ``--trust`` files, turning a bad file into a usage error that names it."""
    try:
        return load_trust(paths, anchors)
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")


def read_input(value: str) -> list[str]:
    """Return the QR texts of INPUT: QR text itself, or ``@FILE`` with text or an image."""
    if not value.startswith("@"):
        return [value]
    path = Path(value[1:])
    try:
        data = path.read_bytes()
    except OSError as exc:
        usage_error(f"cannot read {path}: {exc.strerror}")
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or data[:2] == b"BM":
        return read_qr(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return read_qr(data)
    return [line.lstrip().rstrip(QR_NOISE) for line in text.splitlines() if line.strip()]


def print_json(document: dict[str, Any]) -> None:
    """Print one JSON object on standard output."""
    sys.stdout.write(json.dumps(jsonable(document), ensure_ascii=False, indent=2) + "\n")
