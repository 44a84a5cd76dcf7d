"""``jointcheck checkpoint``: run a checkpoint node on the venue's device.

The node serves the scanner page on ``--host:--port``, decides locally on the trust list,
revocations and policy it last synced from ``--server``, keeps working without a network,
queues check events and registrations in ``--data-dir`` and uploads them when the server
answers again. Exit status 2 on a usage error (a malformed token, URL, venue or fingerprint,
or a data folder that belongs to another venue or district).
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta
from pathlib import Path

import httpx
import typer

from jointcheck.checkpoint.events import VENUE_ID
from jointcheck.cli.common import errors, usage_error
from jointcheck.errors import NodeError, TokenError
from jointcheck.node.run import NodeConfig, run_node
from jointcheck.security.tokens import parse_token

TOKEN_ENV = "JOINTCHECK_CHECKPOINT_TOKEN"


def checkpoint_command(
    server: str = typer.Option(..., "--server", help="The district server's URL "
                               "(https://...)."),
    venue: str = typer.Option(..., "--venue", help="The venue's code; it must be the venue "
                              "of the token."),
    token: str = typer.Option(..., "--token", envvar=TOKEN_ENV, show_default=False,
                              help=f"The venue's checkpoint token (jct_...); better given in "
                              f"{TOKEN_ENV}, so that it is not in the process list."),
    data_dir: Path = typer.Option(Path("var/checkpoint"), "--data-dir",
                                  help="Where the node keeps node.sqlite and node.key."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address the page is served on."),
    port: int = typer.Option(8100, "--port", min=1, max=65535, help="Port of the page."),
    sync_seconds: float = typer.Option(30.0, "--sync-seconds", min=1.0,
                                       help="Seconds between syncs with the server."),
    max_age_hours: float = typer.Option(24.0, "--max-age-hours", min=0.01,
                                        help="Show the trust list or policy as stale when the "
                                        "server has not confirmed it for this long."),
    anchor_fingerprint: str | None = typer.Option(
        None, "--anchor-fingerprint", help="Pin this trust anchor (SHA-256 of its certificate, "
        "hex) instead of the anchor of the first trust list."),
) -> None:
    """Run a checkpoint node: the scanner page, local decisions, offline queue and upload."""
    try:
        parse_token(token)
    except TokenError as exc:
        usage_error(f"the token is malformed: {exc.message}")
    if VENUE_ID.fullmatch(venue) is None:
        usage_error(f"{venue!r} is not a venue code")
    _check_server(server)
    config = NodeConfig(server=server, venue=venue, token=token.strip(), data_dir=data_dir,
                        host=host, port=port, sync_seconds=sync_seconds,
                        max_age=timedelta(hours=max_age_hours),
                        anchor_fingerprint=anchor_fingerprint)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    errors.print(f"jointcheck checkpoint for {venue} serves on http://{host}:{port}/check "
                 f"(server {server}, data {data_dir})", markup=False, highlight=False)
    try:
        run_node(config)
    except NodeError as exc:
        usage_error(f"{exc.message} ({exc.code})")


def _check_server(server: str) -> None:
    """Refuse a server URL that is not http(s); warn when the token would cross in clear."""
    try:
        url = httpx.URL(server)
    except httpx.InvalidURL as exc:
        usage_error(f"--server {server!r} is not a URL ({exc})")
    if url.scheme not in ("http", "https") or not url.host:
        usage_error(f"--server {server!r} is not an http(s) URL")
    if url.scheme == "http" and not _loopback(url.host):
        errors.print(f"warning: {url.host} is reached over plain http; the token and the "
                     "registrations cross the network unencrypted (use https)",
                     markup=False, highlight=False)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
